package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/domain"
)

// receiver is an httptest webhook that answers 503 for its first failures
// requests, then status, and keeps the alert ids of requests that verified.
type receiver struct {
	failures int
	status   int

	mu       sync.Mutex
	requests int
	ids      []int64
	badSig   int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests++
	if err := Verify(testSecret, r.Header, body, time.Now(), time.Minute); err != nil {
		rc.badSig++
	}
	if rc.requests <= rc.failures {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if rc.status != http.StatusOK {
		w.WriteHeader(rc.status)
		return
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.ids = append(rc.ids, alertIDs(alertsOf(p))...)
}

func TestBuildDeliversThroughTheWholeChain(t *testing.T) {
	flaky := &receiver{failures: 2, status: http.StatusOK}
	refusing := &receiver{status: http.StatusBadRequest}
	flakySrv, refusingSrv := httptest.NewServer(flaky), httptest.NewServer(refusing)
	defer flakySrv.Close()
	defer refusingSrv.Close()

	reg := prometheus.NewRegistry()
	core, logs := observer.New(zap.InfoLevel)
	set, err := Build([]WebhookConfig{
		{URL: flakySrv.URL + "/hook?access_token=" + testToken, Secret: testSecret},
		{Name: "supervisors", URL: refusingSrv.URL, Secret: testSecret},
	}, reg, zap.New(core), Options{
		Retry: RetryOptions{Backoff: Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond}},
		Rand:  func() float64 { return 0.5 },
	})
	if err != nil {
		t.Fatal(err)
	}
	ns := set.Notifiers()
	if len(ns) != 2 || !strings.HasPrefix(ns[0].Name(), "webhook-1 http://127.0.0.1:") || ns[1].Name() != "supervisors" {
		t.Fatalf("notifiers %v", ns)
	}
	set.Start()
	// What the dispatcher does: every notifier sees every new alert; a
	// repeat of alert 1 (a re-run) must not reach a receiver twice.
	for _, batch := range [][]int64{{1, 2}, {1, 3}} {
		for _, n := range ns {
			if _, err := n.Notify(context.Background(), alertsWithIDs(batch...)); err != nil {
				t.Fatal(err)
			}
		}
	}
	set.Stop(context.Background())

	flaky.mu.Lock()
	defer flaky.mu.Unlock()
	if len(flaky.ids) != 3 || flaky.badSig != 0 {
		t.Errorf("flaky receiver got ids %v (bad signatures %d), want 1 2 3 once each, signed", flaky.ids, flaky.badSig)
	}
	if flaky.requests < 3 {
		t.Errorf("flaky receiver saw %d requests, want its 2 failures retried", flaky.requests)
	}
	refusing.mu.Lock()
	defer refusing.mu.Unlock()
	if refusing.requests > 2 {
		t.Errorf("a receiver answering 400 was asked %d times; each batch should be tried once", refusing.requests)
	}
	// The queue may merge the two batches into one request ({1,2,3}) or send
	// them apart ({1,2} then {1,3}: a failed alert is not remembered as sent).
	refusedAlerts := 3.0
	if refusing.requests == 2 {
		refusedAlerts = 4
	}
	for _, c := range []struct {
		metric, receiver string
		want             float64
	}{
		{"markwatch_notify_sent_total", ns[0].Name(), 3},
		{"markwatch_notify_failed_total", ns[0].Name(), 0},
		{"markwatch_notify_sent_total", "supervisors", 0},
		{"markwatch_notify_failed_total", "supervisors", refusedAlerts},
	} {
		if got := counter(t, reg, c.metric, c.receiver); got != c.want {
			t.Errorf("%s{receiver=%q} = %v, want %v", c.metric, c.receiver, got, c.want)
		}
	}
	for _, e := range logs.All() {
		for k, v := range e.ContextMap() {
			if s, ok := v.(string); ok && strings.Contains(s, testToken) {
				t.Errorf("log %q field %s shows the token: %s", e.Message, k, s)
			}
		}
	}
}

func TestBuildRejects(t *testing.T) {
	tests := []struct {
		name  string
		hooks []WebhookConfig
		want  string
	}{
		{"bad URL", []WebhookConfig{{URL: "oapi.dingtalk.com/robot/send?access_token=" + testToken}},
			"notify.webhooks[0]"},
		{"same name twice", []WebhookConfig{{Name: "a", URL: "https://a.test/"}, {Name: "a", URL: "https://b.test/"}},
			`notify.webhooks[1]: name "a" already used by notify.webhooks[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(tt.hooks, prometheus.NewRegistry(), zap.NewNop(), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Build = %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

func TestBuildWithNoWebhooks(t *testing.T) {
	set, err := Build(nil, prometheus.NewRegistry(), zap.NewNop(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	set.Start()
	set.Stop(context.Background())
	if len(set.Notifiers()) != 0 {
		t.Errorf("notifiers %v", set.Notifiers())
	}
}

func alertsOf(p Payload) []domain.Alert {
	out := make([]domain.Alert, len(p.Alerts))
	for i, a := range p.Alerts {
		out[i] = a.Alert
	}
	return out
}
