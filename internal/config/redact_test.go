package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestSecretsNeverShown(t *testing.T) {
	const (
		apiKey        = "meili-master-密钥-123"
		hookSecret    = "SEC0123456789abcdef"
		hookToken     = "abcdef0123456789token"
		meiliPassword = "hunter2pass"
	)
	path := writeConfig(t, fmt.Sprintf(`
meilisearch:
  url: http://admin:%s@meili.internal:7700
  api_key: %s
notify:
  webhooks:
    - url: https://oapi.dingtalk.com/robot/send?access_token=%s
      secret: %s
    - url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=%s-wecom
`, meiliPassword, apiKey, hookToken, hookSecret, hookToken))
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}

	var logged bytes.Buffer
	for _, format := range []string{"json", "console"} {
		enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
		if format == "console" {
			enc = zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
		}
		log := zap.New(zapcore.NewCore(enc, zapcore.AddSync(&logged), zapcore.DebugLevel))
		log.Info("configuration", zap.Object("config", c))
		log.Info("configuration", zap.Any("config_any", c.Redacted()))
		log.Info("configuration", zap.Any("api_key", c.Meilisearch.APIKey), zap.Stringer("secret", c.Notify.Webhooks[0].Secret))
	}
	jsonForm, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]string{
		"zap":           logged.String(),
		"Redacted %+v":  fmt.Sprintf("%+v", c.Redacted()),
		"Redacted %#v":  fmt.Sprintf("%#v", c.Redacted()),
		"raw Config %v": fmt.Sprintf("%v %+v %#v", c, c, c),
		"json":          string(jsonForm),
		"sections":      fmt.Sprintf("%v %+v %#v %v %s", c.Meilisearch, c.Notify, c.Notify.Webhooks[0], c.Notify.Webhooks, c.Meilisearch),
	}
	for where, text := range shown {
		for _, secret := range []string{apiKey, hookSecret, hookToken, meiliPassword} {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows secret %q:\n%s", where, secret, text)
			}
		}
	}
	// The log still says what is configured.
	for _, want := range []string{"meili.internal:7700", "https://oapi.dingtalk.com/[redacted]", `"api_key":"[redacted]"`, "127.0.0.1:8080"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logged.String())
		}
	}
	// Redacted must not touch the original.
	if c.Meilisearch.APIKey.Value() != apiKey || c.Notify.Webhooks[0].Secret.Value() != hookSecret {
		t.Error("Redacted changed the original configuration")
	}
}

func TestUnsetSecretShowsEmpty(t *testing.T) {
	if s := Secret("").String(); s != "" {
		t.Errorf("unset secret prints %q, want empty so operators see it is not configured", s)
	}
}

func TestShapeErrorsDoNotEchoValues(t *testing.T) {
	const token = "access_token=0123456789abcdef"
	path := writeConfig(t, "meilisearch: masterKey0123456789\nnotify:\n  webhooks: https://oapi.dingtalk.com/robot/send?"+token+"\n")
	_, err := Load(path, nil)
	if err == nil {
		t.Fatal("Load succeeded")
	}
	for _, secret := range []string{token, "masterKey0123456789"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows %q:\n%v", secret, err)
		}
	}
	if !strings.Contains(err.Error(), path+`:3: field "notify.webhooks": must be a list`) {
		t.Errorf("error does not locate the problem:\n%v", err)
	}
}
