package crawl_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
)

// needChromium skips without a browser on a developer machine and fails
// under CI, where `make test` installs Debian's chromium.
func needChromium(t *testing.T) {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if _, err := exec.LookPath(name); err == nil {
			return
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("headless chromium not found; make test installs Debian's chromium package")
	}
	t.Skip("headless chromium not found (install Debian's chromium package)")
}

// jsResults is a results page that has no listings in its HTML: a script
// builds them, as marketplaces that render client-side do.
const jsResults = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><ul id="list"></ul>
<script>
setTimeout(function () {
  var items = %s;
  var ul = document.getElementById("list");
  items.forEach(function (it) {
    var li = document.createElement("li"); li.className = "item";
    var a = document.createElement("a"); a.className = "t"; a.href = it.u; a.textContent = it.t;
    var p = document.createElement("span"); p.className = "p"; p.textContent = "￥" + it.p;
    li.appendChild(a); li.appendChild(p); ul.appendChild(li);
  });
}, 50);
</script></body></html>`

func TestRunRendersJavaScriptPagesInChromium(t *testing.T) {
	needChromium(t)
	var hits, retried atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
			return
		case "/favicon.ico":
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if p == 1 && retried.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable) // retried once
			return
		}
		items := "[]"
		if p <= 2 {
			items = fmt.Sprintf(`[{"t":"衡水老白乾 62度 第%d页","u":"/item/%d-1","p":"199.00"},{"t":"衡水老白干 古法20 第%d页","u":"//%s/item/%d-2","p":"268.00"}]`, p, p, p, r.Host, p)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, jsResults, items)
	}))
	defer srv.Close()

	src := testSource(t, srv.URL, "  render: chromium")
	src.Timeout = 4 * time.Second // the empty last page waits half of it for results
	var got collector
	st, err := newCrawler().Run(context.Background(), src, []string{"衡水老白干"}, got.emit)
	if err != nil {
		t.Fatalf("Run: %v (%+v)", err, st)
	}
	if st.Pages != 3 || st.Listings != 4 || st.Errors[crawl.KindHTTP5xx] != 1 || st.EndReason != crawl.EndDone {
		t.Errorf("stats %+v", st)
	}
	if len(got.ls) > 0 && (got.ls[0].Title != "衡水老白乾 62度 第1页" || got.ls[0].URL != srv.URL+"/item/1-1" || got.ls[0].Price != 199) {
		t.Errorf("first listing %+v", got.ls[0])
	}
	if len(got.ls) > 1 {
		// The rendered page's document response is its Fetch, shared by
		// its listings.
		f := got.ls[0].Fetch
		if f == nil || got.ls[1].Fetch != f || !f.Rendered || f.Status != 200 || f.RemoteAddr != srv.Listener.Addr().String() ||
			!strings.Contains(f.RequestURL, "page=1") || !strings.Contains(string(f.Body), "var items") ||
			http.Header(f.Headers).Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("rendered fetch %+v", f)
		}
	}

	// The same page without rendering has nothing to extract.
	src.Render = crawl.RenderNone
	retried.Store(1)
	st, err = newCrawler().Run(context.Background(), src, []string{"衡水老白干"}, (&collector{}).emit)
	if err != nil || st.Listings != 0 {
		t.Errorf("without rendering: %+v %v", st, err)
	}
}

func TestRunInChromiumReturnsPromptlyWhenCancelled(t *testing.T) {
	needChromium(t)
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/s" {
			http.NotFound(w, r)
			return
		}
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done() // never answers
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "  render: chromium")
	src.Timeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelledAt time.Time
	go func() {
		select {
		case <-arrived:
			cancelledAt = time.Now()
			cancel()
		case <-ctx.Done():
		}
	}()
	st, err := newCrawler().Run(ctx, src, []string{"君乐宝", "旭日升"}, (&collector{}).emit)
	if !errors.Is(err, context.Canceled) || st.EndReason != crawl.EndCancelled || len(st.Errors) != 0 {
		t.Fatalf("stats %+v err %v", st, err)
	}
	if el := time.Since(cancelledAt); el > 5*time.Second {
		t.Errorf("Run returned %v after cancel", el)
	}
}
