package subscribe

import (
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/domain"
)

// Robot hosts a DingTalk or WeCom subscription must point at: anything
// else would get a robot's markdown it cannot show, and a robot URL on the
// webhook channel would get markwatch's JSON, answered 200 and never shown.
const (
	dingTalkHost = "oapi.dingtalk.com"
	weComHost    = "qyapi.weixin.qq.com"
)

// maxName bounds a subscription's name, which lists and e-mail subjects show.
const maxName = 100

// Validate checks s before it is saved for user u, whose scope is scope.
// It returns the first problem as a domain EINVALID error whose message
// says, in Chinese then English, what to change. Messages never repeat a
// robot or webhook URL: its query carries an access token.
func Validate(s domain.Subscription, u domain.User, scope domain.Scope) error {
	if utf8.RuneCountInString(s.Name) > maxName {
		return invalid("名称不能超过 100 个字符。The name must be at most 100 characters.")
	}
	if u.Disabled {
		return invalid("该用户已停用，不能保存订阅。The user is disabled and cannot save subscriptions.")
	}
	for _, id := range s.MarkIDs {
		if !scope.AllowsMark(id) {
			// The same words for an unknown mark and another owner's: an
			// owner must not learn which mark ids exist elsewhere.
			return invalid("只能订阅本权利人名下的商标：%s 不在可见范围内。You may subscribe only to your own marks: %s is not one of them.", id, id)
		}
	}
	if s.MinScore < 0 || s.MinScore > 1 {
		return invalid("最低分数须在 0 到 1 之间。The minimum score must be between 0 and 1.")
	}
	for _, k := range s.Kinds {
		if !k.Valid() {
			return invalid("未知的商标类型 %q，可选 trademark、time_honoured、geographical_indication。Unknown mark kind %q; choose trademark, time_honoured or geographical_indication.", k, k)
		}
	}
	for _, e := range s.Events {
		if e == domain.EventDegraded {
			if u.Role != domain.RoleAdmin && u.Role != domain.RoleOperator {
				return invalid("只有管理员和运维人员可以订阅 degraded（来源选择器失效）事件。Only admins and operators may subscribe to the degraded event.")
			}
			continue
		}
		if e != domain.EventAlert && e != domain.EventStatus {
			return invalid("未知的事件 %q，可选 alert（新告警）、status（审核状态变更）、degraded（来源选择器失效，仅管理员和运维人员）。Unknown event %q; choose alert, status or degraded (admins and operators only).", e, e)
		}
	}
	for _, t := range append(slices.Clone(s.Tactics), s.Platforms...) {
		if strings.TrimSpace(t) == "" {
			return invalid("手法和平台不能为空白。Tactics and platforms must not be blank.")
		}
	}
	if err := validateTarget(s.Channel, s.Target); err != nil {
		return err
	}
	switch s.Mode {
	case "", domain.DeliverImmediate:
	case domain.DeliverDaily, domain.DeliverWeekly:
		if s.DigestTime != "" {
			if _, _, err := ParseDigestTime(s.DigestTime); err != nil {
				return err
			}
		}
		if s.Mode == domain.DeliverWeekly && (s.DigestWeekday < 0 || s.DigestWeekday > 6) {
			return invalid("每周提醒的星期须为 0（周日）到 6（周六）。The weekly digest day must be 0 (Sunday) to 6 (Saturday).")
		}
	default:
		return invalid("未知的发送方式 %q，可选 immediate（即时）、daily（每日汇总）、weekly（每周汇总）。Unknown mode %q; choose immediate, daily or weekly.", s.Mode, s.Mode)
	}
	return nil
}

// validateTarget checks the address or URL against what the channel can
// reach.
func validateTarget(ch domain.Channel, target string) error {
	switch ch {
	case domain.ChannelEmail:
		// net/mail accepts "张三 <zhang@example.cn>" as well as a bare
		// address; the e-mail sender takes the address part.
		if _, err := mail.ParseAddress(target); err != nil {
			return invalid("收件地址不是有效的电子邮件地址。The target is not a valid e-mail address.")
		}
		return nil
	case domain.ChannelWebhook, domain.ChannelDingTalk, domain.ChannelWeCom:
	default:
		return invalid("未知的渠道 %q，可选 email、webhook、dingtalk、wecom。Unknown channel %q; choose email, webhook, dingtalk or wecom.", ch, ch)
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return invalid("地址不是有效的网址（出于安全不显示地址）。The target is not a valid URL (not shown: it may hold a token).")
	}
	host := u.Hostname()
	switch ch {
	case domain.ChannelWebhook:
		if u.Scheme != "http" && u.Scheme != "https" {
			return invalid("回调（webhook）地址须以 https:// 或 http:// 开头。The webhook URL must start with https:// or http://.")
		}
		if host == dingTalkHost || host == weComHost {
			return invalid("这是钉钉或企业微信机器人地址，请选择 dingtalk 或 wecom 渠道。This is a DingTalk or WeCom robot URL; choose the dingtalk or wecom channel.")
		}
	case domain.ChannelDingTalk:
		if u.Scheme != "https" || host != dingTalkHost {
			return invalid("钉钉机器人地址须为 https://oapi.dingtalk.com/robot/send?access_token=…。The DingTalk robot URL must be https://oapi.dingtalk.com/robot/send?access_token=….")
		}
	case domain.ChannelWeCom:
		if u.Scheme != "https" || host != weComHost {
			return invalid("企业微信机器人地址须为 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…。The WeCom robot URL must be https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=….")
		}
	}
	return nil
}

// invalid is a domain EINVALID error; the API shows its message as it is.
func invalid(format string, args ...any) error {
	return domain.Errorf(domain.EINVALID, format, args...)
}
