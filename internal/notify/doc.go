// Package notify delivers new alerts to the people who act on them: brand
// owners and market supervisors, through webhooks.
//
// Delivery is built from small stages that each wrap a Notifier and are
// Notifiers themselves, so a receiver's chain reads in the order an alert
// travels through it:
//
//	Queue → Dedup → Record → Retry → Webhook
//
// The stages:
//
//   - Queue takes alerts off the crawl's write path: Notify only enqueues,
//     one owned worker per receiver does the sending.
//   - Dedup drops alerts this receiver has already been sent.
//   - Record counts what was delivered and what failed for good, and logs a
//     failure once; it sits outside Retry so it sees the final outcome, not
//     every attempt.
//   - Retry tries again with exponential backoff and jitter while the
//     failure is worth retrying, within a bound on attempts and time, and
//     gives up at once when the context ends.
//   - Webhook makes one HTTP POST: markwatch's signed JSON, or the markdown
//     message a DingTalk or WeCom group robot shows (told from the URL).
//
// Every alert is already in the store before it reaches this package, so a
// notification that is dropped or fails loses nothing: the alert stays open
// in the console and API.
//
// # Subscriptions: durable delivery
//
// Users' subscriptions (package subscribe routes events to them) are
// delivered from the store's notification outbox by a Deliverer, not
// through the chain above: a row is written in the same transaction as the
// alert or review it announces, and stays pending until its receiver has
// accepted it, across restarts and outages. Each pass groups due rows into
// messages (one per immediate row, one per digest of a subscription and
// digest time), renders them once (NewMessage: Chinese subject, text and
// HTML grouped by mark, links into the console), and hands them to the
// channel's Sender:
//
//   - EmailSender: SMTP through go-mail, the idempotency key as Message-ID
//     and one-click List-Unsubscribe;
//   - HTTPSender: markwatch's signed JSON (DeliveryPayload) for webhooks,
//     the robots' markdown for DingTalk and WeCom, the key in the
//     Idempotency-Key header.
//
// A failure worth retrying is rescheduled in the store with backoff; a
// receiver that keeps failing for DisableAfter gets its subscription
// disabled with a reason the console shows. A message whose outcome is
// unknown (the daemon stopped mid-send) goes out again under the same key,
// which receivers deduplicate on.
package notify
