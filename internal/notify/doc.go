// Package notify delivers what subscriptions ask to hear of (new alerts,
// reviews of alerts) to the people who act on them: brand owners and market
// supervisors, by e-mail, webhook, or a DingTalk or WeCom group robot.
//
// Delivery is durable. A pending notification is a row in the store's
// outbox, written in the same transaction as the alert or review it
// announces (package subscribe decides which subscriptions get one, and
// the configured notify.webhooks are synced into subscriptions too), and
// it stays pending until its receiver has accepted it, across restarts and
// outages: a push held only in memory would be lost when the daemon dies.
//
//	store outbox rows → Deliverer → Sender of the subscription's channel
//
// Each pass of the Deliverer reads the due rows, groups them into messages
// (one per immediate row, one per digest of a subscription and digest
// time), renders each once (NewMessage: Chinese subject, text and HTML
// grouped by mark, links into the console and an unsubscribe link), and
// hands it to the channel's Sender. A delivered message is marked sent; a
// failure worth retrying is rescheduled in the store with backoff, honouring
// a receiver's Retry-After; a permanent one is given up with its reason; a
// receiver that keeps failing for DisableAfter gets its subscription
// disabled with a reason the console shows. A message whose outcome is
// unknown (the daemon stopped mid-send) goes out again under the same
// idempotency key, which receivers deduplicate on.
//
// The files:
//
//   - deliverer.go: Deliverer and its options, the passes over the outbox
//     and what each outcome does to the rows and the subscription.
//   - delivery_store.go: DeliveryStore and AuditReader, what the Deliverer
//     needs of the store.
//   - digest.go: grouping due rows into messages, and digests' keys.
//   - sender.go: the Sender interface, and Message and Item, what a
//     delivery carries.
//   - message.go: NewMessage, rendering subject, text and HTML.
//   - email.go: EmailSender, SMTP through go-mail, the idempotency key as
//     Message-ID and one-click List-Unsubscribe.
//   - channel.go: HTTPSender for the webhook, DingTalk and WeCom channels,
//     the key in the Idempotency-Key header.
//   - payload.go: DeliveryPayload, the JSON the webhook channel receives.
//   - signature.go: the X-Markwatch-* signature on that JSON, and Verify
//     for receivers.
//   - chat.go: the robots' markdown within their size budget, DingTalk's
//     加签 signature, and ChatError for a robot's refusal.
//   - reply.go: judging an HTTP receiver's answer: StatusError,
//     Retry-After, and keeping tokens in URLs out of errors.
//   - unsubscribe.go: the signed tokens of unsubscribe links.
//   - backoff.go: Backoff, how retries are spaced.
//   - delivery_metrics.go: DeliveryMetrics, the delivery counters per
//     channel.
package notify
