package app

import (
	"context"
	"fmt"
	"net/url"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
)

// configWebhookUser owns the subscriptions that stand for notify.webhooks.
// It is an operator (sees every mark, reviews nothing, manages no one)
// whose password is random and never shown: an account nobody signs in to.
const configWebhookUser = "notify-webhooks"

// webhookStore is what syncing notify.webhooks needs of the store.
type webhookStore interface {
	identityStore
	ListSubscriptions(ctx context.Context, userID int64) ([]domain.Subscription, error)
	CreateSubscription(ctx context.Context, s domain.Subscription, actor domain.Actor) (domain.Subscription, error)
	UpdateSubscription(ctx context.Context, s domain.Subscription, actor domain.Actor) (domain.Subscription, error)
	DeleteSubscription(ctx context.Context, id int64, actor domain.Actor) error
	GetSubscription(ctx context.Context, id int64) (domain.Subscription, error)
}

// syncConfigWebhooks turns the configured webhooks into subscriptions, so
// they are delivered like every other: from rows written in the alert's own
// transaction, retried with backoff across restarts, each message with an
// idempotency key. (Before, a webhook push lived only in a goroutine's
// queue and a killed daemon lost it.) The configuration stays the source of
// truth: subscriptions of removed webhooks are deleted, changed ones updated.
func syncConfigWebhooks(ctx context.Context, st webhookStore, hooks []config.Webhook) error {
	u, err := st.GetUserByName(ctx, configWebhookUser)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		if len(hooks) == 0 {
			return nil
		}
		pw, err := access.GeneratePassword()
		if err != nil {
			return fmt.Errorf("creating the notify.webhooks user: %w", err)
		}
		hash, err := access.HashPassword(pw + pw) // never shown, never used
		if err != nil {
			return fmt.Errorf("creating the notify.webhooks user: %w", err)
		}
		u, err = st.CreateUser(ctx, domain.User{Name: configWebhookUser, Role: domain.RoleOperator}, hash, domain.SystemActor)
		if err != nil {
			return fmt.Errorf("creating the notify.webhooks user: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("reading the notify.webhooks user: %w", err)
	}
	existing, err := st.ListSubscriptions(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("reading notify.webhooks subscriptions: %w", err)
	}
	byName := make(map[string]domain.Subscription, len(existing))
	for _, s := range existing {
		byName[s.Name] = s
	}
	for i, h := range hooks {
		want := domain.Subscription{
			UserID: u.ID, Name: fmt.Sprintf("notify.webhooks[%d]", i), Channel: webhookChannel(h.URL),
			Target: h.URL, Secret: h.Secret.Value(), Mode: domain.DeliverImmediate, Events: []string{domain.EventAlert},
		}
		old, ok := byName[want.Name]
		delete(byName, want.Name)
		if !ok {
			if _, err := st.CreateSubscription(ctx, want, domain.SystemActor); err != nil {
				return fmt.Errorf("subscribing notify.webhooks[%d]: %w", i, err)
			}
			continue
		}
		full, err := st.GetSubscription(ctx, old.ID) // with its secret, to compare
		if err != nil {
			return fmt.Errorf("reading notify.webhooks[%d]: %w", i, err)
		}
		if full.Target == want.Target && full.Secret == want.Secret && full.Channel == want.Channel && !full.Disabled {
			continue
		}
		want.ID, want.CreatedAt = old.ID, old.CreatedAt
		if _, err := st.UpdateSubscription(ctx, want, domain.SystemActor); err != nil {
			return fmt.Errorf("updating notify.webhooks[%d]: %w", i, err)
		}
	}
	for _, s := range byName {
		if err := st.DeleteSubscription(ctx, s.ID, domain.SystemActor); err != nil {
			return fmt.Errorf("removing subscription %q of a webhook no longer configured: %w", s.Name, err)
		}
	}
	return nil
}

// webhookChannel tells chat robots from their host, as notify.webhooks
// always did: markwatch's JSON would be answered 200 and never shown there.
func webhookChannel(raw string) domain.Channel {
	u, err := url.Parse(raw)
	if err != nil {
		return domain.ChannelWebhook
	}
	switch u.Hostname() {
	case "oapi.dingtalk.com":
		return domain.ChannelDingTalk
	case "qyapi.weixin.qq.com":
		return domain.ChannelWeCom
	}
	return domain.ChannelWebhook
}
