package httpapi

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
)

// CaseStore keeps enforcement cases (docs/EVIDENCE.md, "store"). Every
// change writes its audit row in the same transaction. GetCase knows no
// scope: the handlers check it, so one rule serves every route.
type CaseStore interface {
	// CreateCase numbers the case (MW-<year>-<seq>); alerts that are not
	// confirmed are refused with EINVALID.
	CreateCase(ctx context.Context, c domain.Case, actor domain.Actor) (domain.Case, error)
	GetCase(ctx context.Context, id int64) (domain.Case, error)
	// ListCases must honour f.Scope (marks; jurisdiction by LocationWithin).
	ListCases(ctx context.Context, f domain.CaseFilter) ([]domain.Case, int, error)
	// UpdateCase stores status, assignee, notes and title.
	UpdateCase(ctx context.Context, c domain.Case, actor domain.Actor) (domain.Case, error)
	SetCaseAlerts(ctx context.Context, id int64, alertIDs []int64, actor domain.Actor) (domain.Case, error)
	// SuggestCaseAlerts returns confirmed alerts of the case's sellers on
	// its mark that are in no case yet.
	SuggestCaseAlerts(ctx context.Context, id int64) ([]domain.Alert, error)
}

// NoticeStore keeps the takedown notices of cases.
type NoticeStore interface {
	CreateNotice(ctx context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error)
	UpdateNotice(ctx context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error)
	ListNotices(ctx context.Context, caseID int64) ([]domain.Notice, error)
}

// NoticeDoc is a takedown notice filled in for one platform's portal
// (package cases' NoticeDoc).
type NoticeDoc interface {
	Text() string
	WriteCSV(w io.Writer) error
	JSON() ([]byte, error)
}

// NoticeFunc fills in a notice for platform (alibaba, jd, pinduoduo) from
// the case, its mark, its alerts and, per alert id, the links to its
// evidence. An unknown platform is EINVALID.
type NoticeFunc func(platform string, c domain.Case, m domain.Mark, alerts []domain.Alert, links map[int64][]string) (NoticeDoc, error)

// PacketFunc writes the case packet in format "pdf" or "zip" to w. It may
// write nothing before failing; once it has written, the answer is sent.
type PacketFunc func(ctx context.Context, caseID int64, w io.Writer, format string) error

const casesPath = "/api/v1/cases"

// Bounds of what people write into a case.
const (
	maxCaseBody     = 64 << 10
	maxCaseTitle    = 200
	maxCaseNotes    = 5000
	maxCaseAssignee = 100
	maxCaseAlerts   = 500
	maxNoticeAnswer = 2000
)

// caseStatuses in workflow order, to name the allowed next ones.
var caseStatuses = []domain.CaseStatus{domain.CaseOpen, domain.CaseInvestigating, domain.CaseNoticeSent, domain.CaseRemoved, domain.CaseClosed}

// caseNotFound is the one answer for a case that does not exist and one
// outside the scope.
func caseNotFound(id int64) error {
	return domain.Errorf(domain.ENOTFOUND, "case %d does not exist", id)
}

// caseVisible is the store's rule: the case's mark in the scope and its
// jurisdiction within the principal's.
func caseVisible(s domain.Scope, c domain.Case) bool { return s.Allows(c.MarkID, c.Jurisdiction) }

// scopedCase reads case id if scope allows it; unknown and outside give
// the same error.
func (a *api) scopedCase(ctx context.Context, scope domain.Scope, id int64) (domain.Case, error) {
	c, err := a.deps.Cases.GetCase(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Case{}, fmt.Errorf("%w: %w", caseNotFound(id), err)
		}
		return domain.Case{}, err
	}
	if !caseVisible(scope, c) {
		return domain.Case{}, fmt.Errorf("%w (outside the principal's scope)", caseNotFound(id))
	}
	return c, nil
}

type caseList struct {
	Cases  []domain.Case `json:"cases"`
	Total  int           `json:"total"`
	Limit  int           `json:"limit"`
	Offset int           `json:"offset"`
}

// listCases serves GET /api/v1/cases?status=&limit=&offset=.
func (a *api) listCases(w http.ResponseWriter, r *http.Request) {
	p, ok := principal(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	status := domain.CaseStatus(q.Get("status"))
	if status != "" && !slices.Contains(caseStatuses, status) {
		writeError(w, r, domain.Errorf(domain.EINVALID, "query parameter status=%q: must be one of %s", status, statusNames(caseStatuses)))
		return
	}
	limit, offset, err := page(q)
	if err != nil {
		writeError(w, r, err)
		return
	}
	cs, total, err := a.deps.Cases.ListCases(r.Context(), domain.CaseFilter{Scope: p.Scope, Status: status, Limit: limit, Offset: offset})
	if err != nil {
		writeError(w, r, fmt.Errorf("listing cases: %w", err))
		return
	}
	kept, dropped := inScope(a, p, "cases", cs, func(c domain.Case) bool { return caseVisible(p.Scope, c) })
	writeJSON(w, http.StatusOK, caseList{Cases: kept, Total: total - dropped, Limit: limit, Offset: offset})
}

// caseJSON is one case with what hangs off it.
type caseJSON struct {
	domain.Case
	Alerts  []domain.Alert  `json:"alerts"`
	Notices []domain.Notice `json:"notices"`
	// Next are the statuses the case may move to.
	Next []domain.CaseStatus `json:"next_statuses,omitempty"`
	// Suggestions are confirmed alerts of the same sellers on the same
	// mark in no case yet; shown to reviewers only.
	Suggestions []domain.Alert `json:"suggestions,omitempty"`
}

// getCase serves GET /api/v1/cases/{id}.
func (a *api) getCase(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "case")
	if !ok {
		return
	}
	c, err := a.scopedCase(r.Context(), p.Scope, id)
	if err != nil {
		writeError(w, r, fmt.Errorf("getting case %d: %w", id, err))
		return
	}
	out, err := a.caseDetail(r.Context(), p, c)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) caseDetail(ctx context.Context, p access.Principal, c domain.Case) (caseJSON, error) {
	out := caseJSON{Case: c, Notices: []domain.Notice{}}
	alerts, err := a.caseAlerts(ctx, p, c)
	if err != nil {
		return out, err
	}
	out.Alerts = alerts
	if a.deps.Notices != nil {
		ns, err := a.deps.Notices.ListNotices(ctx, c.ID)
		if err != nil {
			return out, fmt.Errorf("listing the notices of case %d: %w", c.ID, err)
		}
		for _, n := range ns {
			if n.CaseID == c.ID {
				out.Notices = append(out.Notices, n)
			}
		}
	}
	if p.Can(access.Review) {
		if a.deps.Transition != nil {
			out.Next = nextStatuses(a.deps.Transition, c.Status)
		}
		sugg, err := a.deps.Cases.SuggestCaseAlerts(ctx, c.ID)
		if err != nil {
			return out, fmt.Errorf("suggesting alerts for case %d: %w", c.ID, err)
		}
		for _, al := range sugg {
			if p.Scope.Allows(al.MarkID, al.Location) && al.MarkID == c.MarkID && !slices.Contains(c.AlertIDs, al.ID) {
				out.Suggestions = append(out.Suggestions, al)
			}
		}
	}
	return out, nil
}

// caseAlerts reads the case's alerts, leaving out (and logging) any the
// scope does not allow: the case is visible, so that is a store bug.
func (a *api) caseAlerts(ctx context.Context, p access.Principal, c domain.Case) ([]domain.Alert, error) {
	out := []domain.Alert{}
	dropped := 0
	for _, id := range c.AlertIDs {
		al, err := a.deps.Alerts.GetAlert(ctx, id)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("getting alert %d of case %d: %w", id, c.ID, err)
		}
		if !p.Scope.Allows(al.MarkID, al.Location) {
			dropped++
			continue
		}
		out = append(out, al)
	}
	if dropped > 0 {
		a.scopeLeak(p, "alerts of a case", dropped)
	}
	return out, nil
}

// nextStatuses asks transition which statuses may follow from.
func nextStatuses(transition func(from, to domain.CaseStatus) error, from domain.CaseStatus) []domain.CaseStatus {
	var out []domain.CaseStatus
	for _, s := range caseStatuses {
		if s != from && transition(from, s) == nil {
			out = append(out, s)
		}
	}
	return out
}

func statusNames(ss []domain.CaseStatus) string {
	if len(ss) == 0 {
		return "(none)"
	}
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

const createCaseExample = `{"title":"六个核桃 仿冒 某某食品专营店","alert_ids":[1,4]}`

type createCaseBody struct {
	Title    string  `json:"title"`
	AlertIDs []int64 `json:"alert_ids"`
	Assignee string  `json:"assignee"`
	Notes    string  `json:"notes"`
}

// createCase serves POST /api/v1/cases: a case on confirmed alerts of one
// mark, all in the reviewer's scope.
func (a *api) createCase(w http.ResponseWriter, r *http.Request) {
	p, body, ok := principalBody[createCaseBody](w, r, maxCaseBody, createCaseExample)
	if !ok {
		return
	}
	c := domain.Case{Title: strings.TrimSpace(body.Title), Assignee: strings.TrimSpace(body.Assignee),
		Notes: strings.TrimSpace(body.Notes), Status: domain.CaseOpen, CreatedBy: p.Actor()}
	if err := checkCaseText(c); err != nil {
		writeError(w, r, err)
		return
	}
	if c.Title == "" {
		writeError(w, r, domain.Errorf(domain.EINVALID, "a case needs a title; send %s", createCaseExample))
		return
	}
	alerts, err := a.caseAlertsFor(r.Context(), p, "", body.AlertIDs, nil)
	if err != nil {
		writeError(w, r, fmt.Errorf("creating a case: %w", err))
		return
	}
	c.MarkID = alerts[0].MarkID
	c.Jurisdiction = a.jurisdiction(alerts)
	for _, al := range alerts {
		c.AlertIDs = append(c.AlertIDs, al.ID)
	}
	// A case its own author could not see again is refused rather than
	// created.
	if !caseVisible(p.Scope, c) {
		writeError(w, r, domain.Errorf(domain.EINVALID, "the case's jurisdiction %q lies outside yours (%q)", c.Jurisdiction, p.Scope.Jurisdiction))
		return
	}
	created, err := a.deps.Cases.CreateCase(r.Context(), c, p.Actor())
	if err != nil {
		writeError(w, r, fmt.Errorf("creating a case: %w", err))
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/%d", casesPath, created.ID))
	writeJSON(w, http.StatusCreated, created)
}

// caseAlertsFor reads and checks the alerts of a new or changed case:
// every id known and in the scope (else the missing-alert answer), one
// mark (mark, when not ""), and confirmed unless already in the case
// (had).
func (a *api) caseAlertsFor(ctx context.Context, p access.Principal, mark string, ids, had []int64) ([]domain.Alert, error) {
	if len(ids) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "a case needs at least one alert; send alert_ids like [1,4]")
	}
	if len(ids) > maxCaseAlerts {
		return nil, domain.Errorf(domain.EINVALID, "a case holds at most %d alerts, not %d", maxCaseAlerts, len(ids))
	}
	var out []domain.Alert
	seen := map[int64]bool{}
	for _, id := range ids {
		if id <= 0 {
			return nil, domain.Errorf(domain.EINVALID, "alert id %d: must be a positive whole number", id)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		al, err := a.scopedAlert(ctx, p.Scope, id)
		if err != nil {
			return nil, err
		}
		if mark == "" {
			mark = al.MarkID
		}
		if al.MarkID != mark {
			return nil, domain.Errorf(domain.EINVALID, "alert %d is on mark %s, the case on %s: a case is about one mark", id, al.MarkID, mark)
		}
		if al.Status != domain.AlertConfirmed && !slices.Contains(had, id) {
			return nil, domain.Errorf(domain.EINVALID, "alert %d is %s: only confirmed alerts go into a case; confirm it first", id, al.Status)
		}
		out = append(out, al)
	}
	return out, nil
}

// jurisdiction is Deps.Jurisdiction (package cases), or the sellers'
// common leading location words.
func (a *api) jurisdiction(alerts []domain.Alert) string {
	if a.deps.Jurisdiction != nil {
		return a.deps.Jurisdiction(alerts)
	}
	return domain.CommonJurisdiction(alerts)
}

func checkCaseText(c domain.Case) error {
	for _, f := range []struct {
		name, v string
		max     int
	}{{"title", c.Title, maxCaseTitle}, {"notes", c.Notes, maxCaseNotes}, {"assignee", c.Assignee, maxCaseAssignee}} {
		if n := utf8.RuneCountInString(f.v); n > f.max {
			return domain.Errorf(domain.EINVALID, "%s is %d characters long; keep it under %d", f.name, n, f.max)
		}
	}
	return nil
}

const updateCaseExample = `{"status":"investigating","assignee":"石家庄市市场监管局 张三","notes":"已调取店铺信息"}`

type updateCaseBody struct {
	Status   *string  `json:"status"`
	Title    *string  `json:"title"`
	Assignee *string  `json:"assignee"`
	Notes    *string  `json:"notes"`
	AlertIDs *[]int64 `json:"alert_ids"`
}

// updateCase serves PATCH /api/v1/cases/{id}: any of status (checked by
// Transition), title, assignee, notes and alert_ids.
func (a *api) updateCase(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "case")
	if !ok {
		return
	}
	var body updateCaseBody
	if err := decodeBody(w, r, &body, maxCaseBody, updateCaseExample); err != nil {
		writeError(w, r, err)
		return
	}
	c, err := a.scopedCase(r.Context(), p.Scope, id)
	if err != nil {
		writeError(w, r, fmt.Errorf("updating case %d: %w", id, err))
		return
	}
	changed := c
	if body.Status != nil {
		to := domain.CaseStatus(*body.Status)
		if to != c.Status {
			if err := a.checkTransition(c, to); err != nil {
				writeError(w, r, err)
				return
			}
			changed.Status = to
		}
	}
	if body.Title != nil {
		changed.Title = strings.TrimSpace(*body.Title)
		if changed.Title == "" {
			writeError(w, r, domain.Errorf(domain.EINVALID, "a case's title cannot be empty"))
			return
		}
	}
	if body.Assignee != nil {
		changed.Assignee = strings.TrimSpace(*body.Assignee)
	}
	if body.Notes != nil {
		changed.Notes = strings.TrimSpace(*body.Notes)
	}
	if err := checkCaseText(changed); err != nil {
		writeError(w, r, err)
		return
	}
	var newAlerts []int64
	if body.AlertIDs != nil {
		alerts, err := a.caseAlertsFor(r.Context(), p, c.MarkID, *body.AlertIDs, c.AlertIDs)
		if err != nil {
			writeError(w, r, fmt.Errorf("changing the alerts of case %d: %w", id, err))
			return
		}
		for _, al := range alerts {
			newAlerts = append(newAlerts, al.ID)
		}
		if j := a.jurisdiction(alerts); !p.Scope.Allows(c.MarkID, j) {
			writeError(w, r, domain.Errorf(domain.EINVALID, "with these alerts the case's jurisdiction %q lies outside yours (%q)", j, p.Scope.Jurisdiction))
			return
		}
	}
	// Everything is checked; only now does anything change.
	out := c
	if newAlerts != nil && !slices.Equal(newAlerts, c.AlertIDs) {
		if out, err = a.deps.Cases.SetCaseAlerts(r.Context(), id, newAlerts, p.Actor()); err != nil {
			writeError(w, r, fmt.Errorf("changing the alerts of case %d: %w", id, err))
			return
		}
	}
	if changed.Status != c.Status || changed.Title != c.Title || changed.Assignee != c.Assignee || changed.Notes != c.Notes {
		changed.AlertIDs = out.AlertIDs
		if out, err = a.deps.Cases.UpdateCase(r.Context(), changed, p.Actor()); err != nil {
			writeError(w, r, fmt.Errorf("updating case %d: %w", id, err))
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// checkTransition refuses a status the case may not move to, naming the
// ones it may.
func (a *api) checkTransition(c domain.Case, to domain.CaseStatus) error {
	if !slices.Contains(caseStatuses, to) {
		return domain.Errorf(domain.EINVALID, "status %q is not a case status: must be one of %s", to, statusNames(caseStatuses))
	}
	if err := a.deps.Transition(c.Status, to); err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		return domain.Errorf(domain.EINVALID, "case %s is %s and cannot move to %s; allowed next statuses: %s",
			c.Number, c.Status, to, statusNames(nextStatuses(a.deps.Transition, c.Status)))
	}
	return nil
}

// streamFile sets the headers of a download and writes them with the
// first byte, so a generator that fails before writing still gets a JSON
// error answer.
type streamFile struct {
	w       http.ResponseWriter
	set     func(http.Header)
	started bool
}

func (s *streamFile) Write(p []byte) (int, error) {
	if !s.started {
		s.started = true
		s.set(s.w.Header())
		s.w.WriteHeader(http.StatusOK)
	}
	return s.w.Write(p)
}

// finish ends the download: a writer's err goes out as the JSON error
// answer if nothing was sent yet, else into the request's log line (the
// status is gone); with no error, an empty file still gets its headers.
func (s *streamFile) finish(r *http.Request, err error) {
	if err == nil {
		if !s.started {
			s.Write(nil)
		}
		return
	}
	if !s.started {
		writeError(s.w, r, err)
		return
	}
	if info := requestInfoFrom(r.Context()); info != nil {
		info.err = err
	}
}

// downloadHeaders are the headers of a file handed to the user's disk.
func downloadHeaders(mediaType, filename string) func(http.Header) {
	return func(h http.Header) {
		h.Set("Content-Type", mediaType)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		h.Set("Cache-Control", "private, no-store")
	}
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// caseFileName is the case number made safe for a file name.
func caseFileName(c domain.Case) string {
	n := unsafeFileChars.ReplaceAllString(c.Number, "")
	if n == "" {
		n = "case-" + strconv.FormatInt(c.ID, 10)
	}
	return n
}

// packetTimeout is how long a packet may take to write: Chromium renders
// the PDF, and a ZIP holds every artefact.
const packetTimeout = 5 * time.Minute

// getPacket serves GET /api/v1/cases/{id}/packet.pdf and packet.zip.
func (a *api) getPacket(format string) http.HandlerFunc {
	media := map[string]string{"pdf": "application/pdf", "zip": "application/zip"}[format]
	return func(w http.ResponseWriter, r *http.Request) {
		p, id, ok := principalID(w, r, "case")
		if !ok {
			return
		}
		c, err := a.scopedCase(r.Context(), p.Scope, id)
		if err != nil {
			writeError(w, r, fmt.Errorf("getting the packet of case %d: %w", id, err))
			return
		}
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(packetTimeout)) // not every writer supports it
		sf := &streamFile{w: w, set: downloadHeaders(media, caseFileName(c)+"."+format)}
		if err := a.deps.Packet(r.Context(), c.ID, sf, format); err != nil {
			sf.finish(r, fmt.Errorf("writing the %s packet of case %d: %w", format, id, err))
			return
		}
		sf.finish(r, nil)
	}
}

const createNoticeExample = `{"platform":"jd"}`

var platformPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// createNotice serves POST /api/v1/cases/{id}/notices {"platform":"jd"}:
// the notice is filled in first, so one that cannot be filled in is not
// recorded.
func (a *api) createNotice(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "case")
	if !ok {
		return
	}
	var body struct {
		Platform string `json:"platform"`
	}
	if err := decodeBody(w, r, &body, maxReviewBody, createNoticeExample); err != nil {
		writeError(w, r, err)
		return
	}
	if !platformPattern.MatchString(body.Platform) {
		writeError(w, r, domain.Errorf(domain.EINVALID, "platform %q: must be alibaba, jd or pinduoduo; send %s", body.Platform, createNoticeExample))
		return
	}
	c, err := a.scopedCase(r.Context(), p.Scope, id)
	if err != nil {
		writeError(w, r, fmt.Errorf("creating a notice for case %d: %w", id, err))
		return
	}
	if _, err := a.noticeDoc(r.Context(), p, c, body.Platform); err != nil {
		writeError(w, r, fmt.Errorf("filling in a %s notice for case %d: %w", body.Platform, id, err))
		return
	}
	n, err := a.deps.Notices.CreateNotice(r.Context(), domain.Notice{CaseID: c.ID, Platform: body.Platform, GeneratedAt: a.deps.Now()}, p.Actor())
	if err != nil {
		writeError(w, r, fmt.Errorf("creating a notice for case %d: %w", id, err))
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/%d/notices/%d.txt", casesPath, c.ID, n.ID))
	writeJSON(w, http.StatusCreated, n)
}

// noticeDoc fills in the notice of platform for case c from its alerts as
// the principal sees them, the mark and the evidence links.
func (a *api) noticeDoc(ctx context.Context, p access.Principal, c domain.Case, platform string) (NoticeDoc, error) {
	m, ok := a.mark(c.MarkID)
	if !ok {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "mark %s of case %s is not in the loaded registry", c.MarkID, c.Number)
	}
	alerts, err := a.caseAlerts(ctx, p, c)
	if err != nil {
		return nil, err
	}
	links := map[int64][]string{}
	if a.deps.Evidence != nil {
		for _, al := range alerts {
			caps, err := a.deps.Evidence.CapturesOf(ctx, al.ID)
			if err != nil {
				return nil, fmt.Errorf("reading the captures of alert %d: %w", al.ID, err)
			}
			for _, cp := range caps {
				for _, ref := range cp.Artefacts {
					links[al.ID] = append(links[al.ID], strings.TrimSuffix(a.deps.BaseURL, "/")+artefactsPath+"/"+ref.SHA256)
				}
			}
		}
	}
	return a.deps.Notice(platform, c, m, alerts, links)
}

func (a *api) mark(id string) (domain.Mark, bool) {
	for _, m := range a.deps.Marks {
		if m.ID == id {
			return m, true
		}
	}
	return domain.Mark{}, false
}

func noticeNotFound(id int64) error {
	return domain.Errorf(domain.ENOTFOUND, "notice %d does not exist", id)
}

// scopedNotice reads notice nid of case id in the principal's scope; a
// notice of another case answers as a missing one.
func (a *api) scopedNotice(ctx context.Context, p access.Principal, id, nid int64) (domain.Case, domain.Notice, error) {
	c, err := a.scopedCase(ctx, p.Scope, id)
	if err != nil {
		return domain.Case{}, domain.Notice{}, err
	}
	ns, err := a.deps.Notices.ListNotices(ctx, c.ID)
	if err != nil {
		return domain.Case{}, domain.Notice{}, fmt.Errorf("listing the notices of case %d: %w", c.ID, err)
	}
	for _, n := range ns {
		if n.ID == nid && n.CaseID == c.ID {
			return c, n, nil
		}
	}
	return domain.Case{}, domain.Notice{}, noticeNotFound(nid)
}

// getNoticeFile serves GET /api/v1/cases/{id}/notices/{nid}.txt|.csv|.json,
// filled in afresh from the case as it stands.
func (a *api) getNoticeFile(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "case")
	if !ok {
		return
	}
	rawID, ext, ok := strings.Cut(r.PathValue("file"), ".")
	media := map[string]string{"txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}[ext]
	if !ok || media == "" {
		writeError(w, r, domain.Errorf(domain.EINVALID, "notice file %q: must be <notice id>.txt, .csv or .json", r.PathValue("file")))
		return
	}
	nid, err := positiveID(rawID, "notice")
	if err != nil {
		writeError(w, r, err)
		return
	}
	c, n, err := a.scopedNotice(r.Context(), p, id, nid)
	if err != nil {
		writeError(w, r, fmt.Errorf("getting notice %d of case %d: %w", nid, id, err))
		return
	}
	doc, err := a.noticeDoc(r.Context(), p, c, n.Platform)
	if err != nil {
		writeError(w, r, fmt.Errorf("filling in notice %d of case %d: %w", nid, id, err))
		return
	}
	name := fmt.Sprintf("%s-%s-%d.%s", caseFileName(c), unsafeFileChars.ReplaceAllString(n.Platform, ""), n.ID, ext)
	sf := &streamFile{w: w, set: downloadHeaders(media, name)}
	switch ext {
	case "txt":
		_, err = io.WriteString(sf, doc.Text())
	case "json":
		var b []byte
		if b, err = doc.JSON(); err == nil {
			_, err = sf.Write(b)
		}
	case "csv":
		err = doc.WriteCSV(sf)
	}
	if err != nil {
		err = fmt.Errorf("writing notice %d of case %d as %s: %w", nid, id, ext, err)
	}
	sf.finish(r, err)
}

const updateNoticeExample = `{"sent":true}, {"answered":true,"answer":"已下架"}`

type updateNoticeBody struct {
	Sent     *bool   `json:"sent"`
	Answered *bool   `json:"answered"`
	Answer   *string `json:"answer"`
}

// updateNotice serves PATCH /api/v1/cases/{id}/notices/{nid}: sent and
// answered mark the notice now (false clears a mistake), answer keeps
// what the platform said.
func (a *api) updateNotice(w http.ResponseWriter, r *http.Request) {
	p, id, ok := principalID(w, r, "case")
	if !ok {
		return
	}
	nid, err := positiveID(r.PathValue("nid"), "notice")
	if err != nil {
		writeError(w, r, err)
		return
	}
	var body updateNoticeBody
	if err := decodeBody(w, r, &body, maxCaseBody, updateNoticeExample); err != nil {
		writeError(w, r, err)
		return
	}
	if body.Sent == nil && body.Answered == nil && body.Answer == nil {
		writeError(w, r, domain.Errorf(domain.EINVALID, "request body changes nothing; send %s", updateNoticeExample))
		return
	}
	_, n, err := a.scopedNotice(r.Context(), p, id, nid)
	if err != nil {
		writeError(w, r, fmt.Errorf("updating notice %d of case %d: %w", nid, id, err))
		return
	}
	n, err = applyNoticeChange(n, body.Sent, body.Answered, body.Answer, a.deps.Now())
	if err != nil {
		writeError(w, r, err)
		return
	}
	out, err := a.deps.Notices.UpdateNotice(r.Context(), n, p.Actor())
	if err != nil {
		writeError(w, r, fmt.Errorf("updating notice %d of case %d: %w", nid, id, err))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// applyNoticeChange records sent, answered and the answer on n.
func applyNoticeChange(n domain.Notice, sent, answered *bool, answer *string, now time.Time) (domain.Notice, error) {
	if sent != nil {
		switch {
		case *sent && n.SentAt == nil:
			n.SentAt = &now
		case !*sent:
			n.SentAt = nil
		}
	}
	if answer != nil {
		n.Answer = strings.TrimSpace(*answer)
		if c := utf8.RuneCountInString(n.Answer); c > maxNoticeAnswer {
			return n, domain.Errorf(domain.EINVALID, "answer is %d characters long; keep it under %d", c, maxNoticeAnswer)
		}
		if n.Answer != "" && answered == nil && n.AnsweredAt == nil {
			answered = new(bool)
			*answered = true
		}
	}
	if answered != nil {
		switch {
		case *answered && n.AnsweredAt == nil:
			n.AnsweredAt = &now
		case !*answered:
			n.AnsweredAt = nil
		}
	}
	if n.AnsweredAt != nil && n.SentAt == nil {
		return n, domain.Errorf(domain.EINVALID, "notice %d was not sent: mark it sent before recording an answer", n.ID)
	}
	return n, nil
}
