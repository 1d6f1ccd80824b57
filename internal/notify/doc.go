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
package notify
