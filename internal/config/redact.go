package config

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/markwatch/markwatch/internal/storeurl"
)

// Redacted returns a copy safe to log or show: secrets are replaced by
// "[redacted]", the Meilisearch URL loses any password, and webhook URLs are
// cut to scheme and host, because chat webhooks (DingTalk, WeCom, Slack)
// carry their token in the path or query.
func (c Config) Redacted() Config {
	r := c
	r.Meilisearch = c.Meilisearch.redacted()
	r.Store = c.Store.redacted()
	r.Notify.Webhooks = slices.Clone(c.Notify.Webhooks)
	for i := range r.Notify.Webhooks {
		r.Notify.Webhooks[i] = r.Notify.Webhooks[i].redacted()
	}
	return r
}

func (m Meilisearch) redacted() Meilisearch {
	m.APIKey = Secret(m.APIKey.mask())
	m.URL = redactUserinfo(m.URL)
	return m
}

func (s Store) redacted() Store {
	s.URL = storeurl.Redact(s.URL)
	return s
}

func (w Webhook) redacted() Webhook {
	w.Secret = Secret(w.Secret.mask())
	w.URL = redactWebhookURL(w.URL)
	return w
}

// The types holding a URL that may carry a credential print and marshal
// their redacted form, so even fmt.Printf("%v", cfg) or json.Marshal(cfg)
// cannot leak one. The plain* types drop these methods to avoid recursion.
type (
	plainStore       Store
	plainMeilisearch Meilisearch
	plainWebhook     Webhook
)

func (m Meilisearch) String() string   { return fmt.Sprintf("%+v", plainMeilisearch(m.redacted())) }
func (m Meilisearch) GoString() string { return fmt.Sprintf("%#v", plainMeilisearch(m.redacted())) }

// MarshalJSON writes the redacted form.
func (m Meilisearch) MarshalJSON() ([]byte, error) {
	return json.Marshal(plainMeilisearch(m.redacted()))
}

func (s Store) String() string   { return fmt.Sprintf("%+v", plainStore(s.redacted())) }
func (s Store) GoString() string { return fmt.Sprintf("%#v", plainStore(s.redacted())) }

// MarshalJSON writes the redacted form.
func (s Store) MarshalJSON() ([]byte, error) { return json.Marshal(plainStore(s.redacted())) }

func (w Webhook) String() string   { return fmt.Sprintf("%+v", plainWebhook(w.redacted())) }
func (w Webhook) GoString() string { return fmt.Sprintf("%#v", plainWebhook(w.redacted())) }

// MarshalJSON writes the redacted form.
func (w Webhook) MarshalJSON() ([]byte, error) { return json.Marshal(plainWebhook(w.redacted())) }

func redactUserinfo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if raw == "" {
			return ""
		}
		return redactedText
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		u.User = url.UserPassword(u.User.Username(), redactedText)
	}
	return u.String()
}

func redactWebhookURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if raw == "" {
			return ""
		}
		return redactedText
	}
	out := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		out += "/" + redactedText
	}
	return out
}

// MarshalLogObject logs the redacted configuration, so
// logger.Info("config", zap.Object("config", cfg)) cannot leak a secret.
func (c Config) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	return encodeStruct(enc, reflect.ValueOf(c.Redacted()))
}

func encodeStruct(enc zapcore.ObjectEncoder, v reflect.Value) error {
	for i := range v.NumField() {
		name := tagName(v.Type().Field(i))
		if name == "" {
			continue
		}
		if err := encodeField(enc, name, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func encodeField(enc zapcore.ObjectEncoder, name string, v reflect.Value) error {
	if v.Type() == durationType {
		// As written in the file ("1m0s"), not as the encoder's duration
		// form: the production encoder writes seconds (60), which reads as
		// a count beside the other fields.
		enc.AddString(name, time.Duration(v.Int()).String())
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		return enc.AddObject(name, zapcore.ObjectMarshalerFunc(func(e zapcore.ObjectEncoder) error {
			return encodeStruct(e, v)
		}))
	case reflect.Slice:
		return enc.AddArray(name, zapcore.ArrayMarshalerFunc(func(ae zapcore.ArrayEncoder) error {
			for i := range v.Len() {
				elem := v.Index(i)
				if elem.Kind() == reflect.String {
					ae.AppendString(elem.String())
					continue
				}
				if err := ae.AppendObject(zapcore.ObjectMarshalerFunc(func(e zapcore.ObjectEncoder) error {
					return encodeStruct(e, elem)
				})); err != nil {
					return err
				}
			}
			return nil
		}))
	case reflect.String:
		// Secrets are already masked by Redacted; masking again keeps this
		// safe should it ever be reached another way.
		if s, ok := v.Interface().(Secret); ok {
			enc.AddString(name, s.mask())
			return nil
		}
		enc.AddString(name, v.String())
	case reflect.Bool:
		enc.AddBool(name, v.Bool())
	case reflect.Int, reflect.Int64:
		enc.AddInt64(name, v.Int())
	case reflect.Float64:
		enc.AddFloat64(name, v.Float())
	}
	return nil
}
