package subscribe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestValidate(t *testing.T) {
	owner := scopeFor(yangyuan)
	ok := func(mod func(*domain.Subscription)) domain.Subscription {
		s := domain.Subscription{Name: "六个核桃 每日汇总", Channel: domain.ChannelEmail, Target: "legal@yangyuan.example.cn", Mode: domain.DeliverImmediate}
		if mod != nil {
			mod(&s)
		}
		return s
	}
	tests := []struct {
		name   string
		sub    domain.Subscription
		user   domain.User
		scope  domain.Scope
		wantIn string // a Chinese word the message must contain; "" = valid
	}{
		{"plain e-mail", ok(nil), yangyuan, owner, ""},
		{"named e-mail", ok(func(s *domain.Subscription) { s.Target = "法务部 <legal@yangyuan.example.cn>" }), yangyuan, owner, ""},
		{"bad e-mail", ok(func(s *domain.Subscription) { s.Target = "legal@" }), yangyuan, owner, "电子邮件"},
		{"own mark", ok(func(s *domain.Subscription) { s.MarkIDs = []string{"liugehetao"} }), yangyuan, owner, ""},
		{"another owner's mark", ok(func(s *domain.Subscription) { s.MarkIDs = []string{"hengshui"} }), yangyuan, owner, "本权利人"},
		{"admin may name any mark", ok(func(s *domain.Subscription) { s.MarkIDs = []string{"hengshui"} }), admin, domain.Unrestricted, ""},
		{"webhook https", ok(func(s *domain.Subscription) {
			s.Channel, s.Target = domain.ChannelWebhook, "https://hooks.example.cn/mw"
		}), admin, domain.Unrestricted, ""},
		{"webhook http", ok(func(s *domain.Subscription) { s.Channel, s.Target = domain.ChannelWebhook, "http://10.0.0.8:8080/mw" }), admin, domain.Unrestricted, ""},
		{"webhook ftp", ok(func(s *domain.Subscription) { s.Channel, s.Target = domain.ChannelWebhook, "ftp://hooks.example.cn/" }), admin, domain.Unrestricted, "https://"},
		{"webhook to a robot", ok(func(s *domain.Subscription) {
			s.Channel, s.Target = domain.ChannelWebhook, "https://oapi.dingtalk.com/robot/send?access_token=abc"
		}), admin, domain.Unrestricted, "机器人"},
		{"dingtalk", ok(func(s *domain.Subscription) {
			s.Channel, s.Target = domain.ChannelDingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc"
		}), admin, domain.Unrestricted, ""},
		{"dingtalk elsewhere", ok(func(s *domain.Subscription) {
			s.Channel, s.Target = domain.ChannelDingTalk, "https://oapi.dingtalk.com.evil.example/robot/send?access_token=abc"
		}), admin, domain.Unrestricted, "钉钉"},
		{"wecom", ok(func(s *domain.Subscription) {
			s.Channel, s.Target = domain.ChannelWeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
		}), admin, domain.Unrestricted, ""},
		{"wecom over http", ok(func(s *domain.Subscription) {
			s.Channel, s.Target = domain.ChannelWeCom, "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
		}), admin, domain.Unrestricted, "企业微信"},
		{"unknown channel", ok(func(s *domain.Subscription) { s.Channel = "sms" }), admin, domain.Unrestricted, "渠道"},
		{"daily 18:30", ok(func(s *domain.Subscription) { s.Mode, s.DigestTime = domain.DeliverDaily, "18:30" }), admin, domain.Unrestricted, ""},
		{"daily default time", ok(func(s *domain.Subscription) { s.Mode = domain.DeliverDaily }), admin, domain.Unrestricted, ""},
		{"daily 25:00", ok(func(s *domain.Subscription) { s.Mode, s.DigestTime = domain.DeliverDaily, "25:00" }), admin, domain.Unrestricted, "HH:MM"},
		{"weekly day 7", ok(func(s *domain.Subscription) { s.Mode, s.DigestWeekday = domain.DeliverWeekly, 7 }), admin, domain.Unrestricted, "星期"},
		{"unknown mode", ok(func(s *domain.Subscription) { s.Mode = "hourly" }), admin, domain.Unrestricted, "发送方式"},
		{"score over 1", ok(func(s *domain.Subscription) { s.MinScore = 1.5 }), admin, domain.Unrestricted, "分数"},
		{"unknown kind", ok(func(s *domain.Subscription) { s.Kinds = []domain.MarkKind{"patent"} }), admin, domain.Unrestricted, "商标类型"},
		{"unknown event", ok(func(s *domain.Subscription) { s.Events = []string{"crawl"} }), admin, domain.Unrestricted, "事件"},
		{"blank platform", ok(func(s *domain.Subscription) { s.Platforms = []string{" "} }), admin, domain.Unrestricted, "平台"},
		{"long name", ok(func(s *domain.Subscription) { s.Name = strings.Repeat("核", 101) }), admin, domain.Unrestricted, "名称"},
		{"disabled user", ok(nil), domain.User{ID: 9, Role: domain.RoleAdmin, Disabled: true}, domain.Unrestricted, "停用"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.sub, tt.user, tt.scope)
			if tt.wantIn == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			msg := domain.ErrorMessage(err)
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(msg, tt.wantIn) {
				t.Fatalf("Validate = %v, want EINVALID mentioning %q", err, tt.wantIn)
			}
			// Bilingual: Chinese first, then an English sentence.
			first, _ := utf8.DecodeRuneInString(msg)
			if !unicode.Is(unicode.Han, first) || !strings.ContainsFunc(msg, func(r rune) bool { return r >= 'A' && r <= 'Z' }) {
				t.Errorf("message %q does not start in Chinese and go on in English", msg)
			}
			if strings.Contains(msg, "access_token=abc") || strings.Contains(msg, "key=k") {
				t.Errorf("message %q repeats the robot's token", msg)
			}
		})
	}
}
