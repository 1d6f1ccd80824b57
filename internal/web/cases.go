package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// Bounds of what people write into a case.
const (
	maxCaseForm     = 32 << 10
	maxCaseTitle    = 200
	maxCaseNotes    = 5000
	maxCaseAssignee = 100
	maxCaseAlerts   = 500
	maxNoticeAnswer = 2000
)

// caseStatuses in workflow order.
var caseStatuses = []domain.CaseStatus{domain.CaseOpen, domain.CaseInvestigating, domain.CaseNoticeSent, domain.CaseRemoved, domain.CaseClosed}

// caseStatusLabel names a case status the way package cases does.
func caseStatusLabel(s domain.CaseStatus) string {
	switch s {
	case domain.CaseOpen:
		return "已立案"
	case domain.CaseInvestigating:
		return "调查中"
	case domain.CaseNoticeSent:
		return "已发通知"
	case domain.CaseRemoved:
		return "已下架"
	case domain.CaseClosed:
		return "已结案"
	}
	return string(s)
}

// platforms are the IP-protection portals notices are filled in for.
var platforms = []struct{ ID, Label string }{
	{"alibaba", "阿里巴巴知识产权保护平台 Alibaba IPP"},
	{"jd", "京东知识产权保护平台 JD"},
	{"pinduoduo", "拼多多知识产权保护平台 Pinduoduo"},
}

func platformLabel(id string) string {
	for _, p := range platforms {
		if p.ID == id {
			return p.Label
		}
	}
	return id
}

// errNoCase is the one answer for a case that does not exist and one the
// principal may not see.
func errNoCase() error { return domain.Errorf(domain.ENOTFOUND, "没有这个案件 No such case") }

// errNoNotice answers a notice that does not exist or is not the case's.
func errNoNotice() error { return domain.Errorf(domain.ENOTFOUND, "没有这份通知 No such notice") }

// caseVisible is the store's rule: the case's mark in the scope and its
// jurisdiction within the principal's.
func caseVisible(s domain.Scope, c domain.Case) bool { return s.Allows(c.MarkID, c.Jurisdiction) }

// visibleCase reads case id if the request's scope allows it.
func (c *console) visibleCase(r *http.Request, id int64) (domain.Case, error) {
	cs, err := c.deps.Cases.GetCase(r.Context(), id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return domain.Case{}, errNoCase()
	}
	if err != nil {
		return domain.Case{}, err
	}
	if !caseVisible(access.ScopeFrom(r.Context()), cs) {
		return domain.Case{}, errNoCase()
	}
	return cs, nil
}

// formCase reads the posted form (at most limit bytes; form names it in
// the error) and then case id if the request's scope allows it, answering
// either failure itself; doing ("updating case 7") prefixes a missing case.
// The form comes first: a bad post is refused before the store is asked.
func (c *console) formCase(w http.ResponseWriter, r *http.Request, id, limit int64, form, doing string) (domain.Case, bool) {
	if err := readForm(w, r, limit); err != nil {
		c.fail(w, r, fmt.Errorf("reading the %s form: %w", form, err))
		return domain.Case{}, false
	}
	cs, err := c.visibleCase(r, id)
	if err != nil {
		c.fail(w, r, fmt.Errorf("%s: %w", doing, err))
		return domain.Case{}, false
	}
	return cs, true
}

func pathID(r *http.Request, name, what string) (int64, error) {
	raw := r.PathValue(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.EINVALID, "%s编号 %s id %q must be a positive whole number", what, name, raw)
	}
	return id, nil
}

// caseRow is one case as the list and the case page show it.
type caseRow struct {
	domain.Case
	MarkName    string
	StatusLabel string
	Created     string
	Updated     string
	Alerts      int
}

func (c *console) caseRow(cs domain.Case) caseRow {
	return caseRow{Case: cs, MarkName: c.markName(cs.MarkID), StatusLabel: caseStatusLabel(cs.Status),
		Created: c.when(cs.CreatedAt), Updated: c.when(cs.UpdatedAt), Alerts: len(cs.AlertIDs)}
}

type casesView struct {
	page
	Rows     []caseRow
	Statuses []option
	Total    int
}

// cases serves GET /cases?status=: the cases in the principal's scope.
func (c *console) cases(w http.ResponseWriter, r *http.Request) {
	status := domain.CaseStatus(r.URL.Query().Get("status"))
	if status != "" && !slices.Contains(caseStatuses, status) {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "status=%q 无效 must be open, investigating, notice_sent, removed or closed", status))
		return
	}
	scope := access.ScopeFrom(r.Context())
	cs, total, err := c.deps.Cases.ListCases(r.Context(), domain.CaseFilter{Scope: scope, Status: status, Limit: maxPageSize})
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing cases: %w", err))
		return
	}
	v := casesView{page: c.frame(r, "案件 Cases"), Total: total}
	v.Statuses = append(v.Statuses, option{Value: "", Label: "全部 All", Selected: status == ""})
	for _, s := range caseStatuses {
		v.Statuses = append(v.Statuses, option{Value: string(s), Label: caseStatusLabel(s) + " " + string(s), Selected: s == status})
	}
	dropped := false
	for _, x := range cs {
		if !caseVisible(scope, x) {
			c.log.Error("store returned a case outside the scope; left out of the list",
				zap.Int64("case_id", x.ID), zap.String("mark_id", x.MarkID), zap.String("path", r.URL.Path))
			dropped = true
			continue
		}
		v.Rows = append(v.Rows, c.caseRow(x))
	}
	if dropped {
		v.Total = len(v.Rows)
	}
	c.render(w, r, http.StatusOK, "cases.html", v)
}

// statusButton moves a case to Status.
type statusButton struct {
	Status domain.CaseStatus
	Label  string
}

// noticeRow is one takedown notice on the case page.
type noticeRow struct {
	domain.Notice
	PlatformLabel string
	Generated     string
	Sent          string
	Answered      string
	// Files are the downloads (txt, csv, json) when the API serves them.
	Files []navLink
}

type caseView struct {
	page
	Case        caseRow
	Alerts      []alertRow
	Suggestions []alertRow
	CanEdit     bool
	CanRemove   bool // more than one alert: a case keeps at least one
	Next        []statusButton
	NoticesOn   bool
	Notices     []noticeRow
	Platforms   []option
	Packets     []navLink
}

// casePage serves GET /cases/{id}.
func (c *console) casePage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id", "案件")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	cs, err := c.visibleCase(r, id)
	if err != nil {
		c.fail(w, r, fmt.Errorf("getting case %d: %w", id, err))
		return
	}
	p, _ := access.FromContext(r.Context())
	scope := p.Scope
	v := caseView{page: c.frame(r, cs.Number+" "+cs.Title), Case: c.caseRow(cs), CanEdit: p.Can(access.Review)}
	back := r.URL.Path
	for _, aid := range cs.AlertIDs {
		a, err := c.deps.Alerts.GetAlert(r.Context(), aid)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			continue
		}
		if err != nil {
			c.fail(w, r, fmt.Errorf("getting alert %d of case %d: %w", aid, id, err))
			return
		}
		if !scope.Allows(a.MarkID, a.Location) {
			c.log.Error("case holds an alert outside the scope of a principal who sees the case; left out",
				zap.Int64("case_id", id), zap.Int64("alert_id", aid))
			continue
		}
		row := c.row(r, a, back)
		row.Actions, row.FileCase = nil, false
		v.Alerts = append(v.Alerts, row)
	}
	v.CanRemove = v.CanEdit && len(v.Alerts) > 1
	if v.CanEdit {
		sugg, err := c.deps.Cases.SuggestCaseAlerts(r.Context(), id)
		if err != nil {
			c.log.Warn("case page without suggestions", requestFields(r, fmt.Errorf("suggesting alerts for case %d: %w", id, err))...)
		}
		for _, a := range sugg {
			if scope.Allows(a.MarkID, a.Location) && a.MarkID == cs.MarkID && !slices.Contains(cs.AlertIDs, a.ID) {
				row := c.row(r, a, back)
				row.Actions, row.FileCase = nil, false
				v.Suggestions = append(v.Suggestions, row)
			}
		}
		for _, s := range c.nextStatuses(cs.Status) {
			v.Next = append(v.Next, statusButton{Status: s, Label: caseStatusLabel(s)})
		}
	}
	if c.deps.Notices != nil {
		v.NoticesOn = true
		ns, err := c.deps.Notices.ListNotices(r.Context(), id)
		if err != nil {
			c.fail(w, r, fmt.Errorf("listing the notices of case %d: %w", id, err))
			return
		}
		for _, n := range ns {
			if n.CaseID != id {
				continue
			}
			row := noticeRow{Notice: n, PlatformLabel: platformLabel(n.Platform), Generated: c.when(n.GeneratedAt),
				Sent: c.whenPtr(n.SentAt), Answered: c.whenPtr(n.AnsweredAt)}
			if c.deps.APIDownloads {
				for _, ext := range []string{"txt", "csv", "json"} {
					row.Files = append(row.Files, navLink{Href: fmt.Sprintf("/api/v1/cases/%d/notices/%d.%s", id, n.ID, ext), Label: ext})
				}
			}
			v.Notices = append(v.Notices, row)
		}
		for _, pl := range platforms {
			v.Platforms = append(v.Platforms, option{Value: pl.ID, Label: pl.Label})
		}
	}
	if c.deps.APIDownloads {
		v.Packets = []navLink{
			{Href: fmt.Sprintf("/api/v1/cases/%d/packet.pdf", id), Label: "证据包 PDF Packet"},
			{Href: fmt.Sprintf("/api/v1/cases/%d/packet.zip", id), Label: "原始证据 ZIP Raw evidence"},
		}
	}
	c.render(w, r, http.StatusOK, "case.html", v)
}

// nextStatuses are the statuses CaseTransition lets a case in from move to.
func (c *console) nextStatuses(from domain.CaseStatus) []domain.CaseStatus {
	if c.deps.CaseTransition == nil {
		return nil
	}
	var out []domain.CaseStatus
	for _, s := range caseStatuses {
		if s != from && c.deps.CaseTransition(from, s) == nil {
			out = append(out, s)
		}
	}
	return out
}

func caseStatusNames(ss []domain.CaseStatus) string {
	if len(ss) == 0 {
		return "无 none"
	}
	var out []string
	for _, s := range ss {
		out = append(out, "「"+caseStatusLabel(s)+"」"+string(s))
	}
	return strings.Join(out, "、")
}

// formAlertIDs reads the alert_id fields of a form.
func formAlertIDs(form url.Values) ([]int64, error) {
	var ids []int64
	for _, raw := range form["alert_id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return nil, domain.Errorf(domain.EINVALID, "告警编号 alert id %q must be a positive whole number", raw)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// checkCaseAlerts reads and checks the alerts of a new or changed case:
// every one visible (else the missing-alert page), of one mark, confirmed
// unless already in the case (had).
func (c *console) checkCaseAlerts(r *http.Request, mark string, ids, had []int64) ([]domain.Alert, error) {
	if len(ids) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "案件至少需要一条告警 a case needs at least one alert")
	}
	if len(ids) > maxCaseAlerts {
		return nil, domain.Errorf(domain.EINVALID, "一个案件最多 %d 条告警 a case holds at most %d alerts", maxCaseAlerts, maxCaseAlerts)
	}
	var out []domain.Alert
	for _, id := range ids {
		a, err := c.visibleAlert(r, id)
		if err != nil {
			return nil, err
		}
		if mark == "" {
			mark = a.MarkID
		}
		if a.MarkID != mark {
			return nil, domain.Errorf(domain.EINVALID, "告警 #%d 属于另一标识，一个案件只涉及一个标识 alert %d is on another mark: a case is about one mark", id, id)
		}
		if a.Status != domain.AlertConfirmed && !slices.Contains(had, id) {
			return nil, domain.Errorf(domain.EINVALID, "告警 #%d 尚未确认侵权，请先确认 alert %d is not confirmed; confirm it first", id, id)
		}
		out = append(out, a)
	}
	return out, nil
}

// jurisdiction is CaseJurisdiction, or the sellers' common leading words.
func (c *console) jurisdiction(alerts []domain.Alert) string {
	if c.deps.CaseJurisdiction != nil {
		return c.deps.CaseJurisdiction(alerts)
	}
	return domain.CommonJurisdiction(alerts)
}

func checkCaseText(title, assignee, notes string) error {
	switch {
	case title == "":
		return domain.Errorf(domain.EINVALID, "案件需要标题 a case needs a title")
	case utf8.RuneCountInString(title) > maxCaseTitle:
		return domain.Errorf(domain.EINVALID, "标题过长 the title is longer than %d characters", maxCaseTitle)
	case utf8.RuneCountInString(assignee) > maxCaseAssignee:
		return domain.Errorf(domain.EINVALID, "承办人过长 the assignee is longer than %d characters", maxCaseAssignee)
	case utf8.RuneCountInString(notes) > maxCaseNotes:
		return domain.Errorf(domain.EINVALID, "备注过长 the notes are longer than %d characters", maxCaseNotes)
	}
	return nil
}

// createCase serves POST /cases (title, alert_id…): the 立案 form of the
// queue and the evidence page. It answers 303 to the new case.
func (c *console) createCase(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r, maxCaseForm); err != nil {
		c.fail(w, r, fmt.Errorf("reading the case form: %w", err))
		return
	}
	ids, err := formAlertIDs(r.PostForm)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	title := strings.TrimSpace(r.PostForm.Get("title"))
	if err := checkCaseText(title, "", ""); err != nil {
		c.fail(w, r, err)
		return
	}
	alerts, err := c.checkCaseAlerts(r, "", ids, nil)
	if err != nil {
		c.fail(w, r, fmt.Errorf("creating a case: %w", err))
		return
	}
	p, _ := access.FromContext(r.Context())
	cs := domain.Case{Title: title, MarkID: alerts[0].MarkID, Jurisdiction: c.jurisdiction(alerts), Status: domain.CaseOpen, CreatedBy: p.Actor()}
	for _, a := range alerts {
		cs.AlertIDs = append(cs.AlertIDs, a.ID)
	}
	if !caseVisible(p.Scope, cs) {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "案件管辖地「%s」不在您的辖区「%s」内 the case's jurisdiction lies outside yours", cs.Jurisdiction, p.Scope.Jurisdiction))
		return
	}
	created, err := c.deps.Cases.CreateCase(r.Context(), cs, p.Actor())
	if err != nil {
		c.fail(w, r, fmt.Errorf("creating a case from the console: %w", err))
		return
	}
	c.log.Info("case created", zap.Int64("case_id", created.ID), zap.String("number", created.Number),
		zap.String("mark_id", created.MarkID), zap.String("user", p.User.Name))
	http.Redirect(w, r, fmt.Sprintf("/cases/%d", created.ID), http.StatusSeeOther)
}

// updateCase serves POST /cases/{id}: action=status (status), edit
// (title, assignee, notes), add_alert or remove_alert (alert_id).
func (c *console) updateCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id", "案件")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	cs, ok := c.formCase(w, r, id, maxCaseForm, "case", fmt.Sprintf("updating case %d", id))
	if !ok {
		return
	}
	p, _ := access.FromContext(r.Context())
	f := r.PostForm
	switch action := f.Get("action"); action {
	case "status":
		to := domain.CaseStatus(f.Get("status"))
		next := c.nextStatuses(cs.Status)
		if !slices.Contains(next, to) {
			c.fail(w, r, domain.Errorf(domain.EINVALID, "案件「%s」不能变为「%s」，可变为：%s case %s cannot move from %s to %s",
				caseStatusLabel(cs.Status), caseStatusLabel(to), caseStatusNames(next), cs.Number, cs.Status, to))
			return
		}
		cs.Status = to
		_, err = c.deps.Cases.UpdateCase(r.Context(), cs, p.Actor())
	case "edit":
		cs.Title, cs.Assignee, cs.Notes = strings.TrimSpace(f.Get("title")), strings.TrimSpace(f.Get("assignee")), strings.TrimSpace(f.Get("notes"))
		if err := checkCaseText(cs.Title, cs.Assignee, cs.Notes); err != nil {
			c.fail(w, r, err)
			return
		}
		_, err = c.deps.Cases.UpdateCase(r.Context(), cs, p.Actor())
	case "add_alert", "remove_alert":
		ids, ferr := formAlertIDs(f)
		if ferr != nil || len(ids) != 1 {
			c.fail(w, r, domain.Errorf(domain.EINVALID, "请指定一条告警 name one alert_id"))
			return
		}
		newIDs := slices.Clone(cs.AlertIDs)
		if action == "add_alert" {
			if !slices.Contains(newIDs, ids[0]) {
				newIDs = append(newIDs, ids[0])
			}
		} else {
			newIDs = slices.DeleteFunc(newIDs, func(x int64) bool { return x == ids[0] })
		}
		alerts, aerr := c.checkCaseAlerts(r, cs.MarkID, newIDs, cs.AlertIDs)
		if aerr != nil {
			c.fail(w, r, fmt.Errorf("changing the alerts of case %d: %w", id, aerr))
			return
		}
		if j := c.jurisdiction(alerts); !p.Scope.Allows(cs.MarkID, j) {
			c.fail(w, r, domain.Errorf(domain.EINVALID, "加入后案件管辖地「%s」不在您的辖区内 the case's jurisdiction would lie outside yours", j))
			return
		}
		_, err = c.deps.Cases.SetCaseAlerts(r.Context(), id, newIDs, p.Actor())
	default:
		c.fail(w, r, domain.Errorf(domain.EINVALID, "action=%q 无效 must be status, edit, add_alert or remove_alert", action))
		return
	}
	if err != nil {
		c.fail(w, r, fmt.Errorf("updating case %d from the console: %w", id, err))
		return
	}
	c.log.Info("case updated", zap.Int64("case_id", id), zap.String("action", f.Get("action")), zap.String("user", p.User.Name))
	http.Redirect(w, r, fmt.Sprintf("/cases/%d", id), http.StatusSeeOther)
}

// createNotice serves POST /cases/{id}/notices (platform).
func (c *console) createNotice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id", "案件")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := readForm(w, r, maxFormBody); err != nil {
		c.fail(w, r, fmt.Errorf("reading the notice form: %w", err))
		return
	}
	platform := r.PostForm.Get("platform")
	known := false
	for _, pl := range platforms {
		known = known || pl.ID == platform
	}
	if !known {
		c.fail(w, r, domain.Errorf(domain.EINVALID, "platform=%q 无效 must be alibaba, jd or pinduoduo", platform))
		return
	}
	cs, err := c.visibleCase(r, id)
	if err != nil {
		c.fail(w, r, fmt.Errorf("creating a notice for case %d: %w", id, err))
		return
	}
	p, _ := access.FromContext(r.Context())
	if _, err := c.deps.Notices.CreateNotice(r.Context(), domain.Notice{CaseID: cs.ID, Platform: platform, GeneratedAt: c.deps.Now()}, p.Actor()); err != nil {
		c.fail(w, r, fmt.Errorf("creating a notice for case %d from the console: %w", id, err))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/cases/%d", id), http.StatusSeeOther)
}

// updateNotice serves POST /cases/{id}/notices/{nid}: action=sent, or
// action=answered with answer.
func (c *console) updateNotice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id", "案件")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	nid, err := pathID(r, "nid", "通知")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	cs, ok := c.formCase(w, r, id, maxFormBody, "notice", fmt.Sprintf("updating notice %d of case %d", nid, id))
	if !ok {
		return
	}
	ns, err := c.deps.Notices.ListNotices(r.Context(), cs.ID)
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing the notices of case %d: %w", id, err))
		return
	}
	i := slices.IndexFunc(ns, func(n domain.Notice) bool { return n.ID == nid && n.CaseID == cs.ID })
	if i < 0 {
		c.fail(w, r, errNoNotice())
		return
	}
	n := ns[i]
	now := c.deps.Now()
	switch r.PostForm.Get("action") {
	case "sent":
		if n.SentAt == nil {
			n.SentAt = &now
		}
	case "answered":
		if n.SentAt == nil {
			c.fail(w, r, domain.Errorf(domain.EINVALID, "通知尚未发出，请先标记已发送 the notice was not sent; mark it sent first"))
			return
		}
		n.Answer = strings.TrimSpace(r.PostForm.Get("answer"))
		if utf8.RuneCountInString(n.Answer) > maxNoticeAnswer {
			c.fail(w, r, domain.Errorf(domain.EINVALID, "答复过长 the answer is longer than %d characters", maxNoticeAnswer))
			return
		}
		if n.AnsweredAt == nil {
			n.AnsweredAt = &now
		}
	default:
		c.fail(w, r, domain.Errorf(domain.EINVALID, "action=%q 无效 must be sent or answered", r.PostForm.Get("action")))
		return
	}
	p, _ := access.FromContext(r.Context())
	if _, err := c.deps.Notices.UpdateNotice(r.Context(), n, p.Actor()); err != nil {
		c.fail(w, r, fmt.Errorf("updating notice %d of case %d from the console: %w", nid, id, err))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/cases/%d", id), http.StatusSeeOther)
}

// caseTitleFor proposes a case title for an alert: mark, seller, date.
func (c *console) caseTitleFor(a domain.Alert, now time.Time) string {
	t := c.markName(a.MarkID) + " 涉嫌侵权"
	if a.Seller != "" {
		t += " " + a.Seller
	}
	return t + " " + now.In(c.deps.Location).Format("2006-01-02")
}
