package notify

import (
	"fmt"
	"net/url"
)

// Format is the kind of request a receiver understands.
type Format string

const (
	// FormatMarkwatch is markwatch's own JSON (Payload), signed with the
	// X-Markwatch-* headers: for receivers written against this package.
	FormatMarkwatch Format = "markwatch"
	// FormatDingTalk is a DingTalk group robot (钉钉自定义机器人): a markdown
	// message, and with a secret (SEC…) its own 加签 signature in the query.
	FormatDingTalk Format = "dingtalk"
	// FormatWeCom is a WeCom group robot (企业微信群机器人): a markdown
	// message; the key in the URL is its only credential.
	FormatWeCom Format = "wecom"
)

// Hosts of the chat robots, so a pasted robot URL works without naming its
// format: sending them markwatch's JSON would be answered 200 with an error
// code and never shown.
const (
	dingTalkHost = "oapi.dingtalk.com"
	weComHost    = "qyapi.weixin.qq.com"
)

// resolveFormat returns f, or when f is empty the format the URL's host
// implies.
func resolveFormat(f Format, u *url.URL) (Format, error) {
	switch f {
	case FormatMarkwatch, FormatDingTalk, FormatWeCom:
		return f, nil
	case "":
		switch u.Hostname() {
		case dingTalkHost:
			return FormatDingTalk, nil
		case weComHost:
			return FormatWeCom, nil
		}
		return FormatMarkwatch, nil
	}
	return "", fmt.Errorf("webhook format %q: must be one of %s, %s, %s, or empty to tell from the host", f, FormatMarkwatch, FormatDingTalk, FormatWeCom)
}
