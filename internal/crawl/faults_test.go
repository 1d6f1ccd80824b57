package crawl_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/crawl"
)

// Each fault a marketplace can throw ends in a counted error or a bounded
// run, never a hang or a crash.
func TestRunFaults(t *testing.T) {
	goodPage := func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if p > 1 {
			resultsPage(w, "x", p, 0)
			return
		}
		resultsPage(w, "衡水老白干", 1, 3)
	}
	tests := []struct {
		name    string
		handler func(self *string) http.HandlerFunc
		edit    func(*crawl.Source)
		// strict: the crawler refuses private addresses, as in
		// production (the server is on loopback, so every request is
		// refused); otherwise it allows them, as tests on loopback must.
		strict    bool
		wantKind  string
		wantPages int
		wantEnd   string
	}{
		{
			name: "slow page times out",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					select {
					case <-r.Context().Done():
					case <-time.After(5 * time.Second):
					}
				}
			},
			edit:     func(s *crawl.Source) { s.Timeout = 200 * time.Millisecond },
			wantKind: crawl.KindTimeout, wantEnd: crawl.EndFailed,
		},
		{
			name: "page that drips out slower than the timeout",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					for i := 0; i < 50; i++ {
						fmt.Fprintf(w, `<li class="item"><a class="t" href="/i/%d">露露 杏仁露 %d</a></li>`, i, i)
						w.(http.Flusher).Flush()
						select {
						case <-r.Context().Done():
							return
						case <-time.After(50 * time.Millisecond):
						}
					}
				}
			},
			edit:     func(s *crawl.Source) { s.Timeout = 300 * time.Millisecond },
			wantKind: crawl.KindTimeout, wantEnd: crawl.EndFailed,
		},
		{
			name: "truncated body",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Length", "100000")
					w.Write([]byte("<html><body><ul><li class=\"item\"><a class=\"t\" href=\"/i/1\">今麦郎 桶面"))
				}
			},
			wantKind: crawl.KindTrunc, wantEnd: crawl.EndFailed,
		},
		{
			name: "oversized page",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { resultsPage(w, strings.Repeat("大", 500), 1, 40) }
			},
			edit:     func(s *crawl.Source) { s.MaxBodyBytes = 4096 },
			wantKind: crawl.KindTooLarge, wantEnd: crawl.EndFailed,
		},
		{
			name: "GBK body labelled UTF-8 is read and counted",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					p, _ := strconv.Atoi(r.URL.Query().Get("page"))
					if p > 1 {
						resultsPage(w, "x", p, 0)
						return
					}
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					w.Write(gbk(t, `<ul><li class="item"><a class="t" href="/i/1">迁西板栗 甘栗仁</a></li></ul>`))
				}
			},
			wantKind: crawl.KindEncoding, wantPages: 2, wantEnd: crawl.EndDone,
		},
		{
			name: "unparseable JSON page",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("g_page_config = {\"mods\": ")) }
			},
			edit: func(s *crawl.Source) {
				s.Extract.CSS = nil
				s.Extract.JSON = &crawl.JSONRules{Var: "g_page_config", Items: crawl.Selectors{"mods.items"},
					Fields: crawl.Fields{Title: crawl.Selectors{"t"}, URL: crawl.Selectors{"u"}}}
			},
			wantKind: crawl.KindParse, wantEnd: crawl.EndFailed,
		},
		{
			name: "infinite pagination stops at max_pages",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					p, _ := strconv.Atoi(r.URL.Query().Get("page"))
					resultsPage(w, "无尽", p, 2)
				}
			},
			edit:      func(s *crawl.Source) { s.MaxPages = 4 },
			wantPages: 4, wantEnd: crawl.EndMaxPages,
		},
		{
			name: "next link that never ends stops at max_pages",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					p, _ := strconv.Atoi(r.URL.Query().Get("page"))
					fmt.Fprintf(w, `<li class="item"><a class="t" href="/i/%d">第%d页</a></li><a class="next" href="?q=x&page=%d">下一页</a>`, p, p, p+1)
				}
			},
			edit: func(s *crawl.Source) {
				s.Pagination = crawl.Pagination{Next: crawl.Selectors{"a.next@href"}, Start: 1, Step: 1}
				s.MaxPages = 6
			},
			wantPages: 6, wantEnd: crawl.EndMaxPages,
		},
		{
			name: "pages past the end repeat the first page",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { resultsPage(w, "连花清瘟", 1, 3) }
			},
			wantPages: 2, wantEnd: crawl.EndDone,
		},
		{
			name: "redirect off the allowed domains",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "http://login.evil.example/captcha", http.StatusFound)
				}
			},
			wantKind: crawl.KindRedirect, wantEnd: crawl.EndFailed,
		},
		{
			name: "loopback refused by default, before any redirect",
			handler: func(self *string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.Host == "localhost" || strings.HasPrefix(r.Host, "localhost:") {
						goodPage(w, r)
						return
					}
					http.Redirect(w, r, strings.Replace(*self, "127.0.0.1", "localhost", 1)+r.URL.RequestURI(), http.StatusFound)
				}
			},
			edit:     func(s *crawl.Source) { s.AllowedDomains = []string{"127.0.0.1", "localhost"} },
			strict:   true,
			wantKind: crawl.KindPrivate, wantEnd: crawl.EndFailed,
		},
		{
			name: "redirect to loopback followed when private addresses are allowed",
			handler: func(self *string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if strings.HasPrefix(r.Host, "localhost:") {
						goodPage(w, r)
						return
					}
					http.Redirect(w, r, strings.Replace(*self, "127.0.0.1", "localhost", 1)+r.URL.RequestURI(), http.StatusFound)
				}
			},
			edit:      func(s *crawl.Source) { s.AllowedDomains = []string{"127.0.0.1", "localhost"} },
			wantPages: 2, wantEnd: crawl.EndDone,
		},
		{
			name: "redirect loop",
			handler: func(*string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					n, _ := strconv.Atoi(r.URL.Query().Get("n"))
					http.Redirect(w, r, "/s?q=x&page=1&n="+strconv.Itoa(n+1), http.StatusFound)
				}
			},
			wantKind: crawl.KindRedirect, wantEnd: crawl.EndFailed,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var self string
			inner := tc.handler(&self)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				inner(w, r)
			}))
			defer srv.Close()
			self = srv.URL
			src := testSource(t, srv.URL, "")
			if tc.edit != nil {
				tc.edit(&src)
			}
			c := crawl.New(crawl.Options{AllowPrivate: !tc.strict})
			start := time.Now()
			st, err := c.Run(context.Background(), src, []string{"x"}, (&collector{}).emit)
			t.Logf("stats %+v err %v in %v", st, err, time.Since(start).Round(time.Millisecond))
			if tc.wantKind != "" && st.Errors[tc.wantKind] == 0 {
				t.Errorf("errors %v, want a %s", st.Errors, tc.wantKind)
			}
			if tc.wantKind == "" && len(st.Errors) > 0 {
				t.Errorf("unexpected errors %v", st.Errors)
			}
			if st.Pages != tc.wantPages || st.EndReason != tc.wantEnd {
				t.Errorf("pages %d end %q, want %d %q", st.Pages, st.EndReason, tc.wantPages, tc.wantEnd)
			}
			if (err != nil) != (tc.wantEnd == crawl.EndFailed) {
				t.Errorf("err = %v with end %q", err, st.EndReason)
			}
		})
	}
}

func TestRunCountsRefusedConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	st, err := crawl.New(crawl.Options{AllowPrivate: true}).Run(context.Background(), testSource(t, "http://"+addr, ""), []string{"x"}, (&collector{}).emit)
	if err == nil || st.Errors[crawl.KindFetch] == 0 {
		t.Fatalf("stats %+v err %v", st, err)
	}
}

// A page on a public name that redirects into the operator's network is
// refused at the redirect. The transport routes every name to the local
// server, which stands in for a public one.
func TestRunRefusesRedirectToPrivate(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if strings.HasPrefix(r.Host, "localhost:") {
			t.Error("the redirect to localhost was followed")
			return
		}
		http.Redirect(w, r, "http://localhost:"+r.URL.Port()+r.URL.RequestURI(), http.StatusFound)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	defer tr.CloseIdleConnections()
	res := &fakeResolver{answers: [][]netip.Addr{addrs("93.184.216.34")}}
	src := testSource(t, "http://shop.example:"+port, "")
	src.AllowedDomains = []string{"shop.example", "localhost"}
	st, err := crawl.New(crawl.Options{Transport: tr, Resolver: res}).Run(context.Background(), src, []string{"x"}, (&collector{}).emit)
	if st.Errors[crawl.KindRedirect] == 0 || hits.Load() != 1 {
		t.Errorf("stats %+v err %v, %d requests; want one request and its redirect refused", st, err, hits.Load())
	}
}
