package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/config"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/notify"
)

// TestDaemonDeliversNewAlertsToAWebhook: the first crawl's alerts reach a
// configured webhook, signed with its secret, each alert once.
func TestDaemonDeliversNewAlertsToAWebhook(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon and Meilisearch")
	}
	const secret = "s3cret-for-tests"
	got := make(chan []json.RawMessage, 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify(secret, r.Header, body, time.Now(), time.Minute); err != nil {
			t.Errorf("webhook signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p struct {
			Alerts []json.RawMessage `json:"alerts"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		got <- p.Alerts
	}))
	defer srv.Close()

	cfg := testConfig(t, needMeilisearch(t))
	cfg.Notify.Webhooks = []config.Webhook{{URL: srv.URL + "/hook", Secret: config.Secret(secret)}}
	runs := make(chan domain.CrawlRun, 2)
	d, err := startDaemon(context.Background(), cfg, zaptest.NewLogger(t), func(r domain.CrawlRun) { runs <- r })
	if err != nil {
		t.Fatal(err)
	}
	run := <-runs
	d.stop(context.Background()) // drains the notification queue
	ids := map[int64]int{}
	for len(got) > 0 {
		for _, raw := range <-got {
			var a domain.Alert
			if err := json.Unmarshal(raw, &a); err != nil {
				t.Fatal(err)
			}
			ids[a.ID]++
		}
	}
	if run.Alerts == 0 || len(ids) != run.Alerts {
		t.Fatalf("webhook received %d distinct alerts, the run raised %d", len(ids), run.Alerts)
	}
	for id, n := range ids {
		if n != 1 {
			t.Fatalf("alert %d delivered %d times", id, n)
		}
	}
}
