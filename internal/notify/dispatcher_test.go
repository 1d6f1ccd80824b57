package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/alert"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/notify"
)

// The chain's entry point is an alert.Notifier as it is: the two interfaces
// have the same method set, declared where each is used.
var _ alert.Notifier = (*notify.Queue)(nil)

// Wired the way the daemon wires it: the dispatcher's Raise returns without
// waiting for a receiver that is stuck, and Stop delivers afterwards.
func TestDispatcherRaiseDoesNotWaitForWebhook(t *testing.T) {
	release := make(chan struct{})
	got := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		body, _ := io.ReadAll(r.Body)
		got <- body
	}))
	defer srv.Close()

	set, err := notify.Build([]notify.WebhookConfig{{URL: srv.URL, Secret: "s"}}, prometheus.NewRegistry(), zap.NewNop(), notify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := &alert.Dispatcher{Log: zap.NewNop()}
	for _, n := range set.Notifiers() {
		d.Notifiers = append(d.Notifiers, n)
	}
	set.Start()
	// Raise returning while the receiver is held is the point: were it
	// synchronous, this would block forever.
	d.Raise(context.Background(), []domain.Alert{{ID: 1, MarkID: "liugehetao", Title: "六个核桃 高仿"}})
	close(release)
	set.Stop(context.Background())
	select {
	case <-got:
	default:
		t.Fatal("Stop returned before the queued alert was delivered")
	}
}
