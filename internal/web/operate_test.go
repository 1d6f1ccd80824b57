package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// sourcesAPI stands in for the API's source routes behind the guard: it
// records what the console forwarded and refuses a spec as the API would.
type sourcesAPI struct {
	mu       sync.Mutex
	requests []string // method path csrf body
}

func (s *sourcesAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path+" "+r.Header.Get("X-CSRF-Token")+" "+string(b))
	s.mu.Unlock()
	if strings.Contains(string(b), "* * * * * *") {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"code":"invalid","message":"schedule runs more often than the floor of 1m0s"}}`)
		return
	}
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{}`)
}

func TestOperatorControlsGoThroughTheAPI(t *testing.T) {
	api := &sourcesAPI{}
	h := newHarness(t, func(d *Deps) { d.API = api })
	h.signIn(operator)
	_, body := h.get(t, "/sources")
	for _, want := range []string{
		`action="/sources/demo/pause"`, `action="/sources/demo/run"`, `action="/sources/demo/schedule"`,
		`name="csrf_token" value="` + operator.CSRFToken + `"`,
		"每隔 10m every 10m", // @every 10m in words
		"接下来五次 Next five runs",
		"2026-11-26 00:15:00 &#43;08:00", // the first of them, in China time
	} {
		if !strings.Contains(body, want) {
			t.Errorf("operator's sources page lacks %q", want)
		}
	}
	for _, tc := range []struct {
		path string
		form url.Values
		want string
	}{
		{"/sources/demo/pause", url.Values{}, "POST /api/v1/sources/demo/pause " + operator.CSRFToken + " "},
		{"/sources/demo/run", url.Values{}, "POST /api/v1/sources/demo/run " + operator.CSRFToken + " "},
		{"/sources/demo/schedule", url.Values{"schedule": {"  */15 * * * *  "}}, "PUT /api/v1/sources/demo/schedule " + operator.CSRFToken + ` {"schedule":"*/15 * * * *"}`},
	} {
		resp, body := h.post(t, tc.path, tc.form, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sources" {
			t.Errorf("POST %s = %d %s, want 303 back to the sources", tc.path, resp.StatusCode, body)
		}
		api.mu.Lock()
		got := api.requests[len(api.requests)-1]
		api.mu.Unlock()
		if got != tc.want {
			t.Errorf("POST %s asked the API %q, want %q", tc.path, got, tc.want)
		}
	}
	resp, body := h.post(t, "/sources/demo/schedule", url.Values{"schedule": {"* * * * * *"}}, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "floor of 1m0s") {
		t.Errorf("a spec the API refuses = %d, want 400 with its reason: %s", resp.StatusCode, body)
	}
	// A supervisor reads the page without controls and may not post them.
	h.signIn(supervisor(""))
	if _, body := h.get(t, "/sources"); strings.Contains(body, `action="/sources/demo/pause"`) {
		t.Error("a supervisor is shown the operator's controls")
	}
	if resp, _ := h.post(t, "/sources/demo/pause", url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a supervisor pausing a source = %d, want 403", resp.StatusCode)
	}
}

func TestDescribeCron(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"*/10 * * * *", "每 10 分钟 every 10 minutes"},
		{"0 */6 * * *", "每 6 小时 every 6 hours，第 0 分 at minute 0"},
		{"30 2 * * *", "每天 2:30 every day at 2:30"},
		{"5 * * * *", "每小时第 5 分 every hour at minute 5"},
		{"@hourly", "每小时整点 every hour, on the hour"},
		{"CRON_TZ=Asia/Shanghai 0 8 * * *", "每天 8:00 every day at 8:00（Asia/Shanghai 时区 time zone）"},
		{"0 0 9 * * 1-5", "分 minute 0 · 时 hour 9 · 日 day * · 月 month * · 周 weekday 1-5"},
		{"六个核桃", "无法解读 not a cron spec the scheduler reads"},
	} {
		if got := describeCron(tc.spec); got != tc.want {
			t.Errorf("describeCron(%q) = %q, want %q", tc.spec, got, tc.want)
		}
	}
	now := time.Date(2026, 3, 1, 7, 59, 0, 0, time.UTC)
	runs := nextRuns("CRON_TZ=Asia/Shanghai 0 16 * * *", now, chinaTime(), 5)
	if len(runs) != 5 || runs[0].UTC() != time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC) || runs[4].Sub(runs[0]) != 96*time.Hour {
		t.Errorf("next runs of 16:00 Shanghai from 07:59 UTC = %v", runs)
	}
	if nextRuns("CRON_TZ=Asia/Shanghai", now, chinaTime(), 5) != nil {
		t.Error("a spec the scheduler refuses has next runs")
	}
}
