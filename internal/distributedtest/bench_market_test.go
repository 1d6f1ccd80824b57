package distributedtest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/markwatch/markwatch/internal/demo"
)

// benchMarket is the demo marketplace served on one loopback address per
// source (127.0.0.11, .12, …), each request answered after latency. Hosts
// differ by address, not only by port, so neither the cross-worker pacer
// (keyed by host:port) nor anything keyed by host name alone makes two
// sources wait for each other: per-host politeness stays what it is for
// one real marketplace, and the work splits over workers as real sources'
// would.
type benchMarket struct {
	urls     []string
	requests atomic.Int64
}

func newBenchMarket(tb testing.TB, hosts int, latency time.Duration) *benchMarket {
	tb.Helper()
	m := &benchMarket{}
	h := demo.NewServer(demo.Options{}).Handler()
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.requests.Add(1)
		time.Sleep(latency)
		h.ServeHTTP(w, r)
	})
	for i := range hosts {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 11+i))
		if err != nil {
			tb.Fatalf("listening on a loopback address of its own for source %d: %v", i, err)
		}
		srv := httptest.NewUnstartedServer(slow)
		srv.Listener.Close()
		srv.Listener = l
		srv.Start()
		tb.Cleanup(srv.Close)
		m.urls = append(m.urls, srv.URL)
	}
	return m
}

// benchPlatforms are the demo's platforms, each copied per host.
var benchPlatforms = []string{"demo", "demo-pifa", "demo-youxuan"}

// writeBenchSources copies each demo platform's definition to as many
// hosts of urls as there are platforms, as source "<platform>-<n>", and
// returns their ids in the order to ask for runs: the demo platform's
// first. Its runs read three times the pages of the others' (72, 24, 24):
// asked for first, the long runs start together and the short ones fill
// in after, so the last seconds are not one worker finishing a long run
// alone and the ratio measures workers, not the order of the queue.
// Only the id, base_url and schedule change, and the screenshot: the
// schedule is yearly so no scheduled slot joins the measured runs, and
// Chromium screenshots (taken by the scheduler, not the workers) would
// take the two cores from the workers being measured.
func writeBenchSources(tb testing.TB, dir string, urls []string) []string {
	tb.Helper()
	var ids []string
	for i, url := range urls {
		per := (len(urls) + len(benchPlatforms) - 1) / len(benchPlatforms)
		platform := benchPlatforms[i/per]
		id := fmt.Sprintf("%s-%d", platform, i%per+1)
		b, err := os.ReadFile(filepath.Join("..", "..", "config", "sources", platform+".yaml"))
		if err != nil {
			tb.Fatal(err)
		}
		def := string(b)
		for _, r := range []struct{ from, to string }{
			{"\nid: " + platform + "\n", "\nid: " + id + "\n"},
			{"\nbase_url: http://127.0.0.1:8089\n", "\nbase_url: " + url + "\n"},
			{"\nschedule: \"*/10 * * * *\"\n", "\nschedule: \"0 3 1 1 *\"\n"},
			{"\n  screenshot: true\n", "\n  screenshot: false\n"},
		} {
			if !strings.Contains(def, r.from) {
				if r.from == "\n  screenshot: true\n" {
					continue // this platform takes none
				}
				tb.Fatalf("%s.yaml has no %q line to change for the benchmark", platform, strings.TrimSpace(r.from))
			}
			def = strings.Replace(def, r.from, r.to, 1)
		}
		if err := os.WriteFile(filepath.Join(dir, id+".yaml"), []byte(def), 0o644); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}
