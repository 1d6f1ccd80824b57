package app

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

// slowLorisCutAfter is the bound within which the daemon must drop a
// client trickling its headers: far above the test's ReadHeaderTimeout,
// far below its IdleTimeout, so only the header timeout can meet it.
const slowLorisCutAfter = 10 * time.Second

// A client trickling its headers is cut off by ReadHeaderTimeout, on a new
// connection (one byte a second) and on one kept alive after a request. On
// the latter net/http waited for four bytes under the idle timeout before
// starting the header timeout, so one byte every four seconds held the
// connection for 12 s + ReadHeaderTimeout, and a byte every 20 s for the
// whole idle minute.
func TestSlowLorisCutOff(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Meilisearch")
	}
	ctx := context.Background()
	cfg := testConfig(t, needMeilisearch(t))
	cfg.Crawl.RunOnStart = false
	cfg.HTTP.ReadHeaderTimeout = 500 * time.Millisecond
	cfg.HTTP.IdleTimeout = time.Minute
	d, err := startDaemon(ctx, cfg, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop(ctx)
	addr := strings.TrimPrefix(d.httpURL, "http://")
	for _, tc := range []struct {
		name      string
		keepAlive bool
		every     time.Duration
	}{
		{"new connection", false, time.Second},
		{"kept alive", true, 4 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			if tc.keepAlive {
				if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
					t.Fatal(err)
				}
				resp, err := http.ReadResponse(r, nil)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("/healthz: %d", resp.StatusCode)
				}
			}
			closed := make(chan string, 1)
			go func() { // ends when the server drops the connection or the deferred Close
				got, _ := io.ReadAll(r)
				closed <- string(got)
			}()
			slow := "GET /api/v1/hits?q=" + strings.Repeat("核", 20) + " HTTP/1.1\r\n"
			tick := time.NewTicker(tc.every)
			defer tick.Stop()
			bound := time.NewTimer(slowLorisCutAfter)
			defer bound.Stop()
			sent := 0
			for {
				if _, err := conn.Write([]byte{slow[sent%len(slow)]}); err != nil {
					t.Logf("write refused after %d bytes: %v", sent, err)
					return
				}
				sent++
				select {
				case got := <-closed:
					t.Logf("server dropped the connection after %d trickled bytes, answering %q", sent, got)
					return
				case <-bound.C:
					t.Fatalf("a client trickling a byte every %s still holds the connection after %s (%d bytes)", tc.every, slowLorisCutAfter, sent)
				case <-tick.C:
				}
			}
		})
	}
}
