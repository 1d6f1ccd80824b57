package store

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// validateSubscription says what to fix. Filters are checked here too so a
// bad row cannot reach the router and silently match nothing.
func validateSubscription(s domain.Subscription) error {
	what := fmt.Sprintf("subscription %q", s.Name)
	if utf8.RuneCountInString(s.Name) > 200 {
		return domain.Errorf(domain.EINVALID, "%s: name is longer than 200 characters; shorten it", what)
	}
	if !knownChannel(s.Channel) {
		return domain.Errorf(domain.EINVALID, "%s: channel %q must be one of %v", what, s.Channel, domain.Channels)
	}
	if strings.TrimSpace(s.Target) == "" {
		return domain.Errorf(domain.EINVALID, "%s: target is empty; give the e-mail address or the webhook/robot URL", what)
	}
	switch s.Mode {
	case domain.DeliverImmediate:
		if s.DigestTime != "" && !validClock(s.DigestTime) {
			return domain.Errorf(domain.EINVALID, "%s: digest_time %q must be HH:MM between 00:00 and 23:59", what, s.DigestTime)
		}
	case domain.DeliverDaily, domain.DeliverWeekly:
		if !validClock(s.DigestTime) {
			return domain.Errorf(domain.EINVALID,
				"%s: digest_time %q must be HH:MM between 00:00 and 23:59 (Asia/Shanghai) for %s digests", what, s.DigestTime, s.Mode)
		}
	default:
		return domain.Errorf(domain.EINVALID, "%s: mode %q must be one of immediate, daily, weekly", what, s.Mode)
	}
	if s.DigestWeekday < 0 || s.DigestWeekday > 6 {
		return domain.Errorf(domain.EINVALID, "%s: digest_weekday %d must be 0 (Sunday) to 6 (Saturday)", what, s.DigestWeekday)
	}
	if math.IsNaN(s.MinScore) || s.MinScore < 0 || s.MinScore > 1 {
		return domain.Errorf(domain.EINVALID, "%s: min_score %v must be between 0 and 1", what, s.MinScore)
	}
	for _, k := range s.Kinds {
		if !k.Valid() {
			return domain.Errorf(domain.EINVALID, "%s: kind %q must be one of %s, %s, %s",
				what, k, domain.KindTrademark, domain.KindTimeHonoured, domain.KindGI)
		}
	}
	for _, e := range s.Events {
		if e != domain.EventAlert && e != domain.EventStatus && e != domain.EventDegraded {
			return domain.Errorf(domain.EINVALID, "%s: event %q must be %s, %s or %s", what, e, domain.EventAlert, domain.EventStatus, domain.EventDegraded)
		}
	}
	return nil
}

func knownChannel(c domain.Channel) bool {
	for _, v := range domain.Channels {
		if c == v {
			return true
		}
	}
	return false
}

// validClock accepts exactly "HH:MM" from 00:00 to 23:59.
func validClock(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	return h < 24 && m < 60
}

// subscriptionDoc is a subscription as the audit log shows it: no secret
// (domain.Subscription's json tags already drop it) and the target cut to
// its host, because robot URLs carry an access token.
func subscriptionDoc(s domain.Subscription) json.RawMessage {
	s.Secret = ""
	s.Target = redactTarget(s.Target)
	return auditDoc(s)
}

func redactTarget(t string) string {
	if strings.Contains(t, "://") {
		if u, err := url.Parse(t); err == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host + "/…"
		}
		return "(url)"
	}
	return t // an e-mail address is what its owner typed, not a credential
}
