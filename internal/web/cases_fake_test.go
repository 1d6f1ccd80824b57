package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

var (
	shaPage = strings.Repeat("0a", 32)
	shaShot = strings.Repeat("5c", 32)
	shaB    = strings.Repeat("b7", 32)

	hostileCaseTitle = `<script>alert("案")</script>六个核桃 仿冒`
	hostileNotes     = `"><img src=x onerror=alert(1)>备注`
	hostileVersion   = `六个核桃 <script>alert("版")</script> 新款`
)

// caseAlerts are confirmed alerts the case fixtures hold or suggest; case
// tests add them to the store (the queue tests count the others).
func caseAlerts() []domain.Alert {
	return []domain.Alert{
		{ID: 5, MarkID: "liugehetao", SourceID: "jd", URL: "https://item.jd.com/5.html", Title: "六仌核桃 核桃乳 整箱", Seller: "某某食品专营店",
			Location: "山东 临沂", Score: 0.9, Status: domain.AlertConfirmed, FirstSeen: day1, LastSeen: day2},
		{ID: 6, MarkID: "liugehetao", SourceID: "jd", URL: "https://item.jd.com/6.html", Title: "六个核桃 仿 礼盒装", Seller: "某某食品专营店",
			Location: "山东 临沂", Score: 0.86, Status: domain.AlertConfirmed, FirstSeen: day1, LastSeen: day2},
		{ID: 7, MarkID: "hengshui-laobaigan", SourceID: "taobao", URL: "https://item.taobao.com/7.html", Title: "衡水老白乾 古法 高仿", Seller: "某某食品专营店",
			Location: "河北 石家庄", Score: 0.92, Status: domain.AlertConfirmed, FirstSeen: day1, LastSeen: day2},
		{ID: 8, MarkID: "hengshui-laobaigan", SourceID: "taobao", URL: "https://item.taobao.com/8.html", Title: "衡水老白干 67度 散装", Seller: "某某食品专营店",
			Location: "河北 石家庄", Score: 0.8, Status: domain.AlertConfirmed, FirstSeen: day1, LastSeen: day2},
	}
}

// fakeCases keeps cases, notices and evidence in memory, applies scopes
// like the store unless ignoreScope, and counts writes.
type fakeCases struct {
	mu          sync.Mutex
	cases       []domain.Case
	notices     []domain.Notice
	caps        map[int64][]domain.Capture
	vers        map[int64][]domain.ListingVersion
	ignoreScope bool
	writes      int
	nextID      int64
	evErr       error
}

func newFakeCases() *fakeCases {
	return &fakeCases{
		nextID: 100,
		cases: []domain.Case{
			{ID: 1, Number: "MW-2026-0001", Title: "六个核桃 仿冒 某某食品专营店", MarkID: "liugehetao", Jurisdiction: "山东 临沂",
				Status: domain.CaseOpen, AlertIDs: []int64{5}, Notes: "临沂市场监管局已受理", Assignee: "临沂市市场监管局 李四",
				CreatedBy: domain.Actor{Name: "linyi-amr"}, CreatedAt: day1, UpdatedAt: day2},
			{ID: 2, Number: "MW-2026-0002", Title: "衡水老白干 仿冒 某某食品专营店", MarkID: "hengshui-laobaigan", Jurisdiction: "河北 石家庄",
				Status: domain.CaseInvestigating, AlertIDs: []int64{7}, Assignee: "石家庄市市场监管局 张三", CreatedAt: day1, UpdatedAt: day2},
			{ID: 3, Number: "MW-2026-0003", Title: hostileCaseTitle, MarkID: "liugehetao", Jurisdiction: "山东 临沂",
				Status: domain.CaseNoticeSent, AlertIDs: []int64{5}, Notes: hostileNotes, Assignee: `<b>张</b>`, CreatedAt: day1, UpdatedAt: day2},
		},
		notices: []domain.Notice{
			{ID: 1, CaseID: 1, Platform: "jd", GeneratedAt: day2},
			{ID: 2, CaseID: 2, Platform: "alibaba", GeneratedAt: day2},
		},
		caps: map[int64][]domain.Capture{
			1: {{ID: 11, AlertID: 1, Version: 1, SourceID: "demo", MarkID: "liugehetao", ListingURL: "https://item.example.cn/1.html",
				Fetch: domain.Fetch{RequestURL: "https://search.example.cn/?q=六个核桃", FinalURL: "https://search.example.cn/s?q=六个核桃&p=1", Status: 200,
					UserAgent: "Mozilla/5.0 markwatch/1.0", RemoteAddr: "111.13.149.108:443", FetchedAt: day1},
				Artefacts: []domain.ArtefactRef{
					{Role: domain.RoleSearchPage, SHA256: shaPage, Size: 48213, MediaType: "text/html; charset=gbk"},
					{Role: domain.RoleScreenshot, SHA256: shaShot, Size: 2 << 20, MediaType: "image/png"}},
				CapturedAt: day1, RecordHash: strings.Repeat("e", 64), LogIndex: 7}},
			7: {{ID: 12, AlertID: 7, Version: 1, SourceID: "taobao", Artefacts: []domain.ArtefactRef{{Role: domain.RoleSearchPage, SHA256: shaB, Size: 10, MediaType: "text/html"}}}},
		},
		vers: map[int64][]domain.ListingVersion{
			1: {
				{AlertID: 1, Version: 1, SeenAt: day1, Title: "六個核桃 核桃乳 240ml*12罐", Price: 59.9, Seller: "某某食品专营店", Available: true, CaptureID: 11},
				{AlertID: 1, Version: 2, SeenAt: day1.Add(6 * time.Hour), Title: "六個核桃 核桃乳 240ml*12罐", Price: 45, Seller: "某某食品专营店", Available: true, Changes: []string{"price"}},
				{AlertID: 1, Version: 3, SeenAt: day2, Title: hostileVersion, Price: 45, Seller: "某某食品专营店", Available: true, Changes: []string{"title"}},
				{AlertID: 1, Version: 4, SeenAt: day2.Add(6 * time.Hour), Title: hostileVersion, Price: 45, Seller: "某某食品专营店", Removed: true, Changes: []string{"removed"}},
			},
		},
	}
}

func (f *fakeCases) wrote() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

func (f *fakeCases) get(id int64) domain.Case {
	c, _ := f.GetCase(context.Background(), id)
	return c
}

func (f *fakeCases) CreateCase(_ context.Context, c domain.Case, actor domain.Actor) (domain.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	f.nextID++
	c.ID, c.Number, c.CreatedBy, c.CreatedAt, c.UpdatedAt = f.nextID, fmt.Sprintf("MW-2026-%04d", f.nextID), actor, printed, printed
	f.cases = append(f.cases, c)
	return c, nil
}

func (f *fakeCases) GetCase(_ context.Context, id int64) (domain.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.cases {
		if c.ID == id {
			return c, nil
		}
	}
	return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "no case row id=%d", id)
}

func (f *fakeCases) ListCases(_ context.Context, fl domain.CaseFilter) ([]domain.Case, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.Case
	for _, c := range f.cases {
		if (fl.Status == "" || c.Status == fl.Status) && (f.ignoreScope || fl.Scope.Allows(c.MarkID, c.Jurisdiction)) {
			out = append(out, c)
		}
	}
	return out, len(out), nil
}

func (f *fakeCases) UpdateCase(_ context.Context, c domain.Case, actor domain.Actor) (domain.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	for i, o := range f.cases {
		if o.ID == c.ID {
			o.Status, o.Title, o.Assignee, o.Notes = c.Status, c.Title, c.Assignee, c.Notes
			f.cases[i] = o
			return o, nil
		}
	}
	return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "no case row id=%d", c.ID)
}

func (f *fakeCases) SetCaseAlerts(_ context.Context, id int64, ids []int64, actor domain.Actor) (domain.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	for i, o := range f.cases {
		if o.ID == id {
			f.cases[i].AlertIDs = slices.Clone(ids)
			return f.cases[i], nil
		}
	}
	return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "no case row id=%d", id)
}

func (f *fakeCases) SuggestCaseAlerts(_ context.Context, id int64) ([]domain.Alert, error) {
	as := caseAlerts()
	switch id {
	case 1:
		return []domain.Alert{as[1]}, nil
	case 2:
		return []domain.Alert{as[3]}, nil
	}
	return nil, nil
}

func (f *fakeCases) CreateNotice(_ context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	f.nextID++
	n.ID = f.nextID
	f.notices = append(f.notices, n)
	return n, nil
}

func (f *fakeCases) UpdateNotice(_ context.Context, n domain.Notice, actor domain.Actor) (domain.Notice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	for i, o := range f.notices {
		if o.ID == n.ID {
			f.notices[i] = n
			return n, nil
		}
	}
	return domain.Notice{}, domain.Errorf(domain.ENOTFOUND, "no notice row %d", n.ID)
}

func (f *fakeCases) ListNotices(_ context.Context, caseID int64) ([]domain.Notice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.Notice
	for _, n := range f.notices {
		if n.CaseID == caseID {
			out = append(out, n)
		}
	}
	return out, nil
}

func (f *fakeCases) notice(id int64) domain.Notice {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.notices {
		if n.ID == id {
			return n
		}
	}
	return domain.Notice{}
}

func (f *fakeCases) CapturesOf(_ context.Context, alertID int64) ([]domain.Capture, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.caps[alertID]), f.evErr
}

// AlertImages is the store's rule over the fake's captures: the latest
// capture's raster image per alert.
func (f *fakeCases) AlertImages(_ context.Context, ids []int64) (map[int64]domain.ArtefactRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int64]domain.ArtefactRef{}
	for _, id := range ids {
		for _, c := range f.caps[id] {
			for _, ref := range c.Artefacts {
				if ref.Role == domain.RoleImage && strings.HasPrefix(ref.MediaType, "image/") && ref.MediaType != "image/svg+xml" {
					out[id] = ref
				}
			}
		}
	}
	return out, f.evErr
}

func (f *fakeCases) ListVersions(_ context.Context, alertID int64) ([]domain.ListingVersion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.vers[alertID]), f.evErr
}

// fakeTransition is package cases' workflow.
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
	return domain.Errorf(domain.EINVALID, "%s → %s", from, to)
}

// withCaseAlerts adds the case fixtures' alerts to the harness's store.
func (h *harness) withCaseAlerts() *harness {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	h.store.alerts = append(h.store.alerts, caseAlerts()...)
	return h
}
