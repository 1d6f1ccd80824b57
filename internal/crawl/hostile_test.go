package crawl_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
)

// Hostile servers: each attack found against the crawler from a local
// server ends in a counted error with the process heap bounded.

// heapPeak runs fn and reports the heap in use before it and the highest
// heap seen while it ran (sampled every millisecond: a body read whole and
// dropped again would be missed by a reading after fn alone).
func heapPeak(t *testing.T, fn func()) (before, peak uint64) {
	t.Helper()
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	before = read()
	peak = before
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if h := read(); h > peak {
				peak = h
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	if h := read(); h > peak {
		peak = h
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("heap objects before %.1f MB, peak %.1f MB (HeapSys now %.1f MB)",
		float64(before)/(1<<20), float64(peak)/(1<<20), float64(ms.HeapSys)/(1<<20))
	return before, peak
}

const heapBound = 64 << 20

// gzipBomb streams n zero bytes gzip-compressed (about n/1000 bytes on the
// wire) as a run of gzip members of 1 MB each (a valid multi-member stream,
// cheap to produce even under the race detector), stopping as soon as the
// client goes away.
func gzipBomb(w http.ResponseWriter, n int64) {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	for sent := int64(0); sent < n; sent += 1 << 20 {
		if _, err := w.Write(member.Bytes()); err != nil {
			return
		}
	}
}

// A 1 MB gzip answer that expands to 1 GB: colly limits the compressed
// bytes and then decompressed without limit. The decoded size must be bound
// by max_body_bytes and counted as too_large.
func TestRunGzipBombIsTooLarge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header func(http.Header)
		// acceptGzip makes the request name gzip itself, so net/http
		// leaves the decoding to the crawler.
		acceptGzip bool
	}{
		{name: "Content-Type application/x-gzip", header: func(h http.Header) { h.Set("Content-Type", "application/x-gzip") }},
		{name: "Content-Encoding gzip", acceptGzip: true, header: func(h http.Header) {
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Encoding", "gzip")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				tc.header(w.Header())
				gzipBomb(w, 1<<30)
			}))
			defer srv.Close()
			extra := ""
			env := map[string]string{}
			if tc.acceptGzip {
				extra = "  headers_from_env: {Accept-Encoding: MW_AE}\n"
				env["MW_AE"] = "gzip"
			}
			src := testSource(t, srv.URL, extra)
			src.Timeout = 20 * time.Second // the race detector is slow
			c := crawl.New(crawl.Options{AllowPrivate: true, Getenv: func(k string) string { return env[k] }})
			var st crawl.Stats
			var err error
			before, peak := heapPeak(t, func() {
				st, err = c.Run(context.Background(), src, []string{"x"}, (&collector{}).emit)
			})
			t.Logf("stats %+v err %v", st, err)
			if st.Errors[crawl.KindTooLarge] == 0 {
				t.Errorf("errors %v, want too_large", st.Errors)
			}
			if peak-before > heapBound {
				t.Errorf("heap grew by %d MB reading a gzip bomb, want < %d MB", (peak-before)>>20, heapBound>>20)
			}
		})
	}
}

// A one-off request (Recheck) whose answer is a gzip bomb net/http leaves
// undecoded (the source names Accept-Encoding itself) is decoded with the
// same bound: too_large, not a gigabyte, and not compressed bytes read as a
// page.
func TestRecheckGzipBombIsTooLarge(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		gzipBomb(w, 1<<30)
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "  headers_from_env: {Accept-Encoding: MW_AE}\n")
	src.Timeout = 20 * time.Second
	c := crawl.New(crawl.Options{AllowPrivate: true, Getenv: func(string) string { return "gzip" }})
	var err error
	before, peak := heapPeak(t, func() { _, err = c.Recheck(context.Background(), src, srv.URL+"/item/1") })
	if crawl.ErrorKind(err) != crawl.KindTooLarge {
		t.Errorf("err %v, want too_large", err)
	}
	if peak-before > heapBound {
		t.Errorf("heap grew by %d MB, want < %d MB", (peak-before)>>20, heapBound>>20)
	}
}

// fakeResolver answers names from a script: answers[i] for the i-th lookup,
// the last one again after that.
type fakeResolver struct {
	mu      sync.Mutex
	answers [][]netip.Addr
	calls   int
}

func (f *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.answers[min(f.calls, len(f.answers)-1)]
	f.calls++
	return a, nil
}

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}

// crawl.allow_private_addresses: false was checked on redirects only: a
// source URL on 127.0.0.1 was fetched. It holds for every request and for
// every address a name resolves to when the connection is dialled, so a
// name that resolves public when checked and private when dialled (DNS
// rebinding) is refused too.
func TestRunRefusesPrivateAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		resultsPage(w, "x", 1, 3)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, tc := range []struct {
		name string
		base string
		res  crawl.Resolver
	}{
		{name: "IPv4 loopback literal", base: "http://127.0.0.1:" + port},
		{name: "IPv4-mapped loopback literal", base: "http://[::ffff:127.0.0.1]:" + port},
		{name: "localhost", base: "http://localhost:" + port},
		{name: "name resolving to loopback", base: "http://shop.example:" + port,
			res: &fakeResolver{answers: [][]netip.Addr{addrs("127.0.0.1")}}},
		{name: "name resolving to a public and a private address", base: "http://shop.example:" + port,
			res: &fakeResolver{answers: [][]netip.Addr{addrs("93.184.216.34", "127.0.0.1")}}},
		{name: "DNS rebinding: public when checked, loopback when dialled", base: "http://shop.example:" + port,
			res: &fakeResolver{answers: [][]netip.Addr{addrs("93.184.216.34"), addrs("127.0.0.1")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			src := testSource(t, tc.base, "")
			c := crawl.New(crawl.Options{Resolver: tc.res})
			st, err := c.Run(context.Background(), src, []string{"x"}, (&collector{}).emit)
			t.Logf("stats %+v err %v", st, err)
			if fr, ok := tc.res.(*fakeResolver); ok && len(fr.answers) > 1 && fr.calls < 2 {
				t.Errorf("resolved %d times: the dial did not look the name up again", fr.calls)
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("%d requests reached the private server", n)
			}
			if st.Errors[crawl.KindPrivate] == 0 || st.Pages != 0 {
				t.Errorf("errors %v pages %d, want private_address and no page", st.Errors, st.Pages)
			}
		})
	}
	// The dial-time check holds for one-off requests too.
	res := &fakeResolver{answers: [][]netip.Addr{addrs("93.184.216.34"), addrs("127.0.0.1")}}
	c := crawl.New(crawl.Options{Resolver: res})
	src := testSource(t, "http://shop.example:"+port, "")
	src.RespectRobots = false
	hits.Store(0)
	if _, err := c.Recheck(context.Background(), src, "http://shop.example:"+port+"/item/1"); crawl.ErrorKind(err) != crawl.KindPrivate {
		t.Errorf("Recheck: %v, want private_address", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d one-off requests reached the private server", n)
	}
}

// A page of a million items peaked at 1.7 GB. A page may hold at most
// Options.MaxItems listings (default crawl.DefaultMaxItems): the crawler
// stops reading a page past that, keeps the first ones, counts
// too_many_items and does not page further.
func TestRunCapsItemsPerPage(t *testing.T) {
	const items = 200_000
	var page bytes.Buffer
	page.WriteString("<html><body><ul>")
	for i := range items {
		fmt.Fprintf(&page, `<li class=item><a class=t href=/i/%d>t%d</a>`, i, i)
	}
	page.WriteString("</ul></body></html>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page.Bytes())
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "")
	src.MaxBodyBytes = 32 << 20
	src.Timeout = 60 * time.Second
	var col collector
	var st crawl.Stats
	var err error
	before, peak := heapPeak(t, func() {
		st, err = crawl.New(crawl.Options{AllowPrivate: true}).Run(context.Background(), src, []string{"x"}, col.emit)
	})
	t.Logf("page %d KB, stats %+v err %v", page.Len()>>10, st, err)
	if st.Errors[crawl.KindTooManyItems] == 0 {
		t.Errorf("errors %v, want too_many_items", st.Errors)
	}
	if len(col.ls) > crawl.DefaultMaxItems || st.Pages > 1 {
		t.Errorf("%d listings from %d pages, want at most %d from one", len(col.ls), st.Pages, crawl.DefaultMaxItems)
	}
	if peak-before > heapBound {
		t.Errorf("heap grew by %d MB reading a page of %d items, want < %d MB", (peak-before)>>20, items, heapBound>>20)
	}
}

// The bodies a run holds are bounded (Options.MaxRunBytes): past the budget
// the run counts run_memory and fetches nothing more.
func TestRunCapsMemoryPerRun(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><body><!-- %s --><ul>", strings.Repeat("填充", 50_000)) // 300 KB
		for i := range 3 {
			fmt.Fprintf(w, `<li class="item"><a class="t" href="/i/%d-%d">第%d页</a></li>`, p, i, p)
		}
		fmt.Fprint(w, "</ul></body></html>")
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "")
	src.MaxPages = 50
	src.Parallelism = 1
	st, err := crawl.New(crawl.Options{AllowPrivate: true, MaxRunBytes: 1 << 20}).Run(context.Background(), src, []string{"x", "y"}, (&collector{}).emit)
	t.Logf("stats %+v err %v, %d requests", st, err, requests.Load())
	if st.Errors[crawl.KindRunMemory] == 0 {
		t.Errorf("errors %v, want run_memory", st.Errors)
	}
	if st.Pages > 4 || requests.Load() > 6 {
		t.Errorf("%d pages from %d requests with a 1 MB budget for 300 KB pages", st.Pages, requests.Load())
	}
}

// The same for a JSON source: a body of 200,000 items is not decoded (JSON
// cut short does not parse, so the page yields nothing).
func TestRunCapsItemsPerJSONPage(t *testing.T) {
	const items = 200_000
	var page bytes.Buffer
	page.WriteString(`{"mods":{"items":[`)
	for i := range items {
		if i > 0 {
			page.WriteByte(',')
		}
		fmt.Fprintf(&page, `{"t":"t%d","u":"/i/%d"}`, i, i)
	}
	page.WriteString(`]}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(page.Bytes())
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "")
	src.MaxBodyBytes = 32 << 20
	src.Timeout = 60 * time.Second
	src.Extract.CSS = nil
	src.Extract.JSON = &crawl.JSONRules{Items: crawl.Selectors{"mods.items"},
		Fields: crawl.Fields{Title: crawl.Selectors{"t"}, URL: crawl.Selectors{"u"}}}
	var col collector
	var st crawl.Stats
	var err error
	before, peak := heapPeak(t, func() {
		st, err = crawl.New(crawl.Options{AllowPrivate: true}).Run(context.Background(), src, []string{"x"}, col.emit)
	})
	t.Logf("page %d KB, stats %+v err %v, %d listings", page.Len()>>10, st, err, len(col.ls))
	if st.Errors[crawl.KindTooManyItems] == 0 || len(col.ls) > crawl.DefaultMaxItems {
		t.Errorf("errors %v, %d listings: want too_many_items and at most %d", st.Errors, len(col.ls), crawl.DefaultMaxItems)
	}
	if peak-before > heapBound {
		t.Errorf("heap grew by %d MB reading a JSON page of %d items, want < %d MB", (peak-before)>>20, items, heapBound>>20)
	}
}

// A crawler may be allowed exactly one private address (the demo
// marketplace's listener) without opening the rest of the operator's
// network: another port on the same loopback stays refused.
func TestRunAllowsOnlyListedPrivateAddresses(t *testing.T) {
	var demoHits, otherHits atomic.Int32
	demo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		demoHits.Add(1)
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		resultsPage(w, "x", p, map[bool]int{true: 3}[p == 1])
	}))
	defer demo.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		resultsPage(w, "x", 1, 3)
	}))
	defer other.Close()
	c := crawl.New(crawl.Options{AllowAddresses: []netip.AddrPort{netip.MustParseAddrPort(demo.Listener.Addr().String())}})
	st, err := c.Run(context.Background(), testSource(t, demo.URL, ""), []string{"x"}, (&collector{}).emit)
	if err != nil || st.Pages != 2 || st.Listings != 3 || len(st.Errors) > 0 {
		t.Errorf("listed address: stats %+v err %v", st, err)
	}
	st, _ = c.Run(context.Background(), testSource(t, other.URL, ""), []string{"x"}, (&collector{}).emit)
	if st.Errors[crawl.KindPrivate] == 0 || otherHits.Load() != 0 {
		t.Errorf("unlisted address: stats %+v, %d requests reached it", st, otherHits.Load())
	}
	if _, err := c.Recheck(context.Background(), testSource(t, demo.URL, ""), demo.URL+"/item/1"); err != nil {
		t.Errorf("Recheck on the listed address: %v", err)
	}
	if _, err := c.Recheck(context.Background(), testSource(t, other.URL, ""), other.URL+"/item/1"); crawl.ErrorKind(err) != crawl.KindPrivate {
		t.Errorf("Recheck on an unlisted address: %v", err)
	}
}

// Pages rendered in headless Chromium are refused on private addresses too:
// the browser is never sent there.
func TestRunRefusesPrivateAddressesInChromium(t *testing.T) {
	needChromium(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		resultsPage(w, "x", 1, 3)
	}))
	defer srv.Close()
	src := testSource(t, srv.URL, "  render: chromium\n")
	src.RespectRobots = false
	st, err := crawl.New(crawl.Options{}).Run(context.Background(), src, []string{"x"}, (&collector{}).emit)
	t.Logf("stats %+v err %v", st, err)
	if st.Errors[crawl.KindPrivate] == 0 || hits.Load() != 0 {
		t.Errorf("stats %+v, %d requests reached the private server; want private_address and none", st, hits.Load())
	}
}
