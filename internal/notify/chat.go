package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// chatBudget bounds a chat message in bytes. WeCom refuses markdown over
// 4096 bytes; DingTalk allows more, but a chat message is read on a phone:
// items past the budget are counted, not listed, and the console has them.
const chatBudget = 3800

// messageMarkdown is a message as a chat robot shows it: the subject as
// heading (it says 疑似侵权, the keyword to configure when a DingTalk robot
// is secured by keyword instead of a signature), then per mark one line per
// item linking into the console, within chatBudget.
func messageMarkdown(msg Message) (title, text string) {
	title = strings.TrimPrefix(msg.Subject, subjectPrefix)
	var b strings.Builder
	b.WriteString("### " + oneLine(title) + "\n")
	groups := GroupByMark(msg.Items)
	left := len(msg.Items)
	for _, g := range groups {
		head := "\n**" + oneLine(g.MarkName) + "**\n\n"
		for i, it := range g.Items {
			line := "- " + markdownLink(oneLine(headline(it)), msg.AlertURL(it.Alert.ID)) + "\n"
			if n := strings.TrimSpace(it.Note); n != "" {
				line += "  备注：" + oneLine(n) + "\n"
			}
			if i == 0 {
				line = head + line
			}
			rest := fmt.Sprintf("\n…另有 %d 条，请在控制台查看", left)
			if b.Len()+len(line)+len(rest) > chatBudget {
				b.WriteString(rest)
				return title, strings.TrimRight(b.String(), "\n")
			}
			b.WriteString(line)
			left--
		}
	}
	for i, it := range degradedItems(msg.Items) {
		line := "- " + markdownLink(oneLine(degradedHeadline(it)), msg.SourcesURL()) + "\n  原因：" + degradedReasons(it) + "\n"
		if i == 0 {
			line = "\n**来源选择器失效**\n\n" + line
		}
		rest := fmt.Sprintf("\n…另有 %d 条，请在控制台查看", left)
		if b.Len()+len(line)+len(rest) > chatBudget {
			b.WriteString(rest)
			return title, strings.TrimRight(b.String(), "\n")
		}
		b.WriteString(line)
		left--
	}
	return title, strings.TrimRight(b.String(), "\n")
}

// markdownLink keeps a listing title's ASCII brackets from ending the link
// text early by turning them full-width, as titles already use 【】.
func markdownLink(text, url string) string {
	if url == "" {
		return text
	}
	text = strings.NewReplacer("[", "［", "]", "］").Replace(text)
	url = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(oneLine(url))
	return "[" + text + "](" + url + ")"
}

// oneLine turns control characters (a newline pasted into a listing title)
// into spaces: in a chat message they would break the item's line and could
// start markdown of their own.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// dingTalkMarkdown wraps a markdown message in DingTalk's request body.
func dingTalkMarkdown(title, text string) ([]byte, error) {
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"title": title, "text": text},
	})
	if err != nil {
		return nil, fmt.Errorf("encoding DingTalk message: %w", err)
	}
	return body, nil
}

// weComMarkdown wraps a markdown message in WeCom's request body.
func weComMarkdown(text string) ([]byte, error) {
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"content": text},
	})
	if err != nil {
		return nil, fmt.Errorf("encoding WeCom message: %w", err)
	}
	return body, nil
}

// dingTalkSign is DingTalk's 加签: HMAC-SHA256 keyed with the secret over
// "<ms timestamp>\n<secret>", base64; the caller puts timestamp and sign in
// the query (url.Values does the URL-encoding DingTalk asks for).
func dingTalkSign(secret string, now time.Time) (timestamp, sign string) {
	timestamp = strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return timestamp, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ChatError is a chat robot's refusal: both DingTalk and WeCom answer HTTP
// 200 with a non-zero errcode.
type ChatError struct {
	Code    int
	Message string
}

func (e *ChatError) Error() string {
	return fmt.Sprintf("robot answered errcode %d: %s", e.Code, e.Message)
}

// retryableChatCode reports the error codes worth retrying: system busy
// (-1, both robots) and sending too fast (DingTalk 130101, WeCom 45009: the
// robots' per-minute limits).
func retryableChatCode(code int) bool {
	switch code {
	case -1, 130101, 45009:
		return true
	}
	return false
}

// chatReply reads a robot's answer to a 2xx request. An answer that is not
// the robots' JSON is taken as delivered: the HTTP status said so, and
// sending again could repeat the message.
func chatReply(body []byte) (retry bool, err error) {
	var r struct {
		Code    *int   `json:"errcode"`
		Message string `json:"errmsg"`
	}
	if json.Unmarshal(body, &r) != nil || r.Code == nil || *r.Code == 0 {
		return false, nil
	}
	return retryableChatCode(*r.Code), &ChatError{Code: *r.Code, Message: r.Message}
}
