package notify

import (
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

// subjectPrefix starts every subject, so mail filters and people can tell
// markwatch's messages at a glance.
const subjectPrefix = "【markwatch】"

// maxSubjectTitle bounds the listing title quoted in a single alert's
// subject: marketplace titles run to 60 characters of keywords.
const maxSubjectTitle = 40

// MarkGroup is a message's items about one mark.
type MarkGroup struct {
	MarkID, MarkName string
	Items            []Item
}

// NewMessage renders a message's subject, plain text and HTML from its
// items: Chinese throughout, grouped by mark (the mark with the most items
// first), each alert with title, seller, location, score, reasons and a
// link into the console; status events say who reviewed and their note.
func NewMessage(key string, sub domain.Subscription, user domain.User, items []Item, digest bool, baseURL, unsubscribeURL string) Message {
	m := Message{
		Key: key, Subscription: sub, User: user, Items: items, Digest: digest,
		BaseURL: strings.TrimRight(baseURL, "/"), UnsubscribeURL: unsubscribeURL,
	}
	groups := GroupByMark(items)
	m.Subject = subject(groups, digest)
	if d := degradedItems(items); len(d) > 0 {
		m.Subject = degradedSubject(groups, d)
	}
	m.Text = plainText(m, groups)
	m.HTML = htmlText(m, groups)
	return m
}

// GroupByMark orders items by mark (most items first, then by name) and,
// within a mark, new alerts before status changes, higher scores first.
func GroupByMark(items []Item) []MarkGroup {
	var groups []MarkGroup
	index := map[string]int{}
	for _, it := range items {
		if it.Event == domain.EventDegraded {
			continue // about a source, not a mark: see degradedItems
		}
		i, ok := index[it.Alert.MarkID]
		if !ok {
			i = len(groups)
			index[it.Alert.MarkID] = i
			groups = append(groups, MarkGroup{MarkID: it.Alert.MarkID, MarkName: cmp.Or(it.MarkName, it.Alert.MarkID)})
		}
		groups[i].Items = append(groups[i].Items, it)
	}
	for _, g := range groups {
		slices.SortStableFunc(g.Items, func(a, b Item) int {
			return cmp.Or(
				cmp.Compare(eventRank(a.Event), eventRank(b.Event)),
				cmp.Compare(b.Alert.Score, a.Alert.Score),
				cmp.Compare(a.Alert.ID, b.Alert.ID))
		})
	}
	slices.SortStableFunc(groups, func(a, b MarkGroup) int {
		return cmp.Or(cmp.Compare(len(b.Items), len(a.Items)), cmp.Compare(a.MarkName, b.MarkName))
	})
	return groups
}

func eventRank(e string) int {
	if e == domain.EventAlert {
		return 0
	}
	return 1
}

// subject is one line: a lone alert names its listing, a lone review its
// reviewer, anything more is counted ("六个核桃 等 3 个商标有 12 条新的疑似侵权
// 告警"). Each says 疑似侵权, which is also the DingTalk keyword.
func subject(groups []MarkGroup, digest bool) string {
	// Reviewers' names and marks' names come from outside too: a "\r" in
	// one would end the Subject header (FuzzNewMessage found it in an actor).
	return oneLine(subjectText(groups, digest))
}

func subjectText(groups []MarkGroup, digest bool) string {
	var alerts, statuses int
	for _, g := range groups {
		for _, it := range g.Items {
			if it.Event == domain.EventAlert {
				alerts++
			} else {
				statuses++
			}
		}
	}
	if len(groups) == 0 {
		return subjectPrefix + "没有新的疑似侵权告警"
	}
	if !digest && alerts+statuses == 1 {
		it := groups[0].Items[0]
		if it.Event == domain.EventAlert {
			return subjectPrefix + groups[0].MarkName + " 新的疑似侵权告警：" + truncate(oneLine(it.Alert.Title), maxSubjectTitle)
		}
		return subjectPrefix + fmt.Sprintf("%s %s疑似侵权告警 #%d（%s）", actorName(it.Actor), reviewVerb(it), it.Alert.ID, groups[0].MarkName)
	}
	marks := groups[0].MarkName
	if len(groups) > 1 {
		marks = fmt.Sprintf("%s 等 %d 个商标", marks, len(groups))
	}
	switch {
	case statuses == 0:
		return subjectPrefix + fmt.Sprintf("%s有 %d 条新的疑似侵权告警", spaced(marks, len(groups)), alerts)
	case alerts == 0:
		return subjectPrefix + fmt.Sprintf("%s有 %d 条疑似侵权告警状态变更", spaced(marks, len(groups)), statuses)
	}
	return subjectPrefix + fmt.Sprintf("%s有 %d 条新的疑似侵权告警、%d 条状态变更", spaced(marks, len(groups)), alerts, statuses)
}

// spaced puts a space between a lone mark's name and the verb, which
// "…等 3 个商标有" does not need.
func spaced(marks string, n int) string {
	if n == 1 {
		return marks + " "
	}
	return marks
}

// reviewVerb says what a review did, from the status it set.
func reviewVerb(it Item) string {
	switch it.Status {
	case domain.AlertConfirmed:
		return "确认了"
	case domain.AlertDismissed:
		return "驳回了"
	case domain.AlertOpen:
		return "重新打开了"
	}
	return "更新了"
}

func actorName(name string) string { return cmp.Or(name, "审核人") }

func statusName(s domain.AlertStatus) string {
	switch s {
	case domain.AlertOpen:
		return "待处理"
	case domain.AlertConfirmed:
		return "已确认"
	case domain.AlertDismissed:
		return "已驳回"
	}
	return string(s)
}

// truncate keeps at most n runes, marking a cut with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func alertURL(base string, id int64) string {
	return strings.TrimRight(base, "/") + "/alerts/" + strconv.FormatInt(id, 10)
}

// headline is an item's first line: what happened and to which listing.
func headline(it Item) string {
	title := oneLine(it.Alert.Title)
	if it.Event == domain.EventAlert {
		return "新告警 · " + title
	}
	change := statusName(it.Status)
	if it.Previous != "" {
		change = statusName(it.Previous) + " → " + change
	}
	return fmt.Sprintf("%s %s告警（%s）· %s", actorName(it.Actor), reviewVerb(it), change, title)
}

// details are the facts a supervisor checks before opening the listing.
func details(it Item) string {
	var parts []string
	if s := strings.TrimSpace(oneLine(it.Alert.Seller)); s != "" {
		parts = append(parts, "卖家："+s)
	}
	if s := strings.TrimSpace(oneLine(it.Alert.Location)); s != "" {
		parts = append(parts, "所在地："+s)
	}
	parts = append(parts, "评分："+strconv.FormatFloat(it.Alert.Score, 'f', 2, 64))
	return strings.Join(parts, " · ")
}

func reasons(it Item) string {
	var rs []string
	for _, r := range it.Alert.Reasons {
		if t := strings.TrimSpace(oneLine(r.Text)); t != "" {
			rs = append(rs, t)
		}
	}
	return strings.Join(rs, "；")
}

// degradedItems are a message's degraded-source items, in order.
func degradedItems(items []Item) []Item {
	var out []Item
	for _, it := range items {
		if it.Event == domain.EventDegraded {
			out = append(out, it)
		}
	}
	return out
}

// degradedSubject names a lone degraded source ("来源 taobao 选择器失效"),
// counts several, and follows the alerts' subject when a digest has both.
func degradedSubject(groups []MarkGroup, d []Item) string {
	what := "来源 " + oneLine(d[0].SourceID) + " 选择器失效"
	if len(d) > 1 {
		what = fmt.Sprintf("%d 个来源选择器失效", len(d))
	}
	if len(groups) == 0 {
		return subjectPrefix + what
	}
	return subject(groups, true) + "；" + what
}

// degradedReasons is a degraded item's reasons on one line.
func degradedReasons(it Item) string {
	var rs []string
	for _, r := range it.Reasons {
		if t := strings.TrimSpace(oneLine(r)); t != "" {
			rs = append(rs, t)
		}
	}
	if len(rs) == 0 {
		return "健康检查未给出原因"
	}
	return strings.Join(rs, "；")
}

// degradedHeadline is a degraded item's first line.
func degradedHeadline(it Item) string {
	return "来源 " + oneLine(it.SourceID) + " 的抓取结果异常，选择器可能已失效"
}

func intro(m Message) string {
	if len(degradedItems(m.Items)) == len(m.Items) && len(m.Items) > 0 {
		return "markwatch 发现来源的抓取结果明显少于近期正常水平，页面结构可能已变化。"
	}
	if m.Digest {
		return "以下是您订阅的疑似侵权告警汇总。"
	}
	return "markwatch 发现了您订阅的疑似侵权告警动态。"
}

func footer(m Message) string {
	name := cmp.Or(m.Subscription.Name, "#"+strconv.FormatInt(m.Subscription.ID, 10))
	return fmt.Sprintf("这是 markwatch 按订阅「%s」发送的通知。", oneLine(name))
}

func plainText(m Message, groups []MarkGroup) string {
	var b strings.Builder
	b.WriteString(strings.TrimPrefix(m.Subject, subjectPrefix) + "\n" + intro(m) + "\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "\n【%s】%d 条\n", oneLine(g.MarkName), len(g.Items))
		for i, it := range g.Items {
			fmt.Fprintf(&b, "%d. %s\n   %s\n", i+1, headline(it), details(it))
			if r := reasons(it); r != "" {
				b.WriteString("   依据：" + r + "\n")
			}
			if n := strings.TrimSpace(it.Note); n != "" {
				b.WriteString("   备注：" + oneLine(n) + "\n")
			}
			b.WriteString("   查看：" + m.AlertURL(it.Alert.ID) + "\n")
		}
	}
	if d := degradedItems(m.Items); len(d) > 0 {
		fmt.Fprintf(&b, "\n【来源选择器失效】%d 个\n", len(d))
		for i, it := range d {
			fmt.Fprintf(&b, "%d. %s\n   原因：%s\n   查看：%s\n", i+1, degradedHeadline(it), degradedReasons(it), m.SourcesURL())
		}
	}
	b.WriteString("\n—\n" + footer(m) + "\n")
	if m.UnsubscribeURL != "" {
		b.WriteString("退订：" + m.UnsubscribeURL + "\n")
	}
	return b.String()
}

// htmlItem is an item as the HTML template shows it.
type htmlItem struct {
	Headline, Details, Reasons, Note, URL string
}

type htmlGroup struct {
	Name  string
	Items []htmlItem
}

// htmlTemplate escapes everything it is given: titles, sellers and notes
// come from marketplaces and reviewers and may hold markup.
func htmlTemplate() *template.Template {
	return template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:sans-serif;line-height:1.5">
<p><strong>{{.Summary}}</strong><br>{{.Intro}}</p>
{{range .Groups}}<h3>{{.Name}}（{{len .Items}} 条）</h3>
<ol>{{range .Items}}
<li><a href="{{.URL}}">{{.Headline}}</a><br>{{.Details}}{{if .Reasons}}<br>依据：{{.Reasons}}{{end}}{{if .Note}}<br>备注：{{.Note}}{{end}}</li>{{end}}
</ol>
{{end}}{{if .Degraded}}<h3>来源选择器失效（{{len .Degraded}} 个）</h3>
<ol>{{range .Degraded}}
<li><a href="{{.URL}}">{{.Headline}}</a><br>原因：{{.Reasons}}</li>{{end}}
</ol>
{{end}}<hr><p style="color:#666;font-size:small">{{.Footer}}{{if .Unsubscribe}}<br><a href="{{.Unsubscribe}}">退订此通知</a>{{end}}</p>
</body></html>
`))
}

func htmlText(m Message, groups []MarkGroup) string {
	data := struct {
		Subject, Summary, Intro, Footer, Unsubscribe string
		Groups                                       []htmlGroup
		Degraded                                     []htmlItem
	}{
		Subject: m.Subject, Summary: strings.TrimPrefix(m.Subject, subjectPrefix), Intro: intro(m),
		Footer: footer(m), Unsubscribe: m.UnsubscribeURL,
	}
	for _, g := range groups {
		hg := htmlGroup{Name: g.MarkName}
		for _, it := range g.Items {
			hg.Items = append(hg.Items, htmlItem{
				Headline: headline(it), Details: details(it), Reasons: reasons(it),
				Note: strings.TrimSpace(oneLine(it.Note)), URL: m.AlertURL(it.Alert.ID),
			})
		}
		data.Groups = append(data.Groups, hg)
	}
	for _, it := range degradedItems(m.Items) {
		data.Degraded = append(data.Degraded, htmlItem{Headline: degradedHeadline(it), Reasons: degradedReasons(it), URL: m.SourcesURL()})
	}
	var b strings.Builder
	if err := htmlTemplate().Execute(&b, data); err != nil {
		// The template is fixed and its data plain strings: this cannot
		// fail short of a bug, and the text part still carries everything.
		return ""
	}
	return b.String()
}

// sinceText formats a time for messages a person reads, in China's time.
func sinceText(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*60*60)).Format("2006-01-02 15:04 (UTC+8)")
}
