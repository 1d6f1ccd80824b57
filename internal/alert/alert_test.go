package alert

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/markwatch/markwatch/internal/domain"
)

type failing struct{ calls int }

func (f *failing) Name() string { return "webhook" }
func (f *failing) Notify(context.Context, []domain.Alert) (bool, error) {
	f.calls++
	return true, errors.New("connection refused")
}

func TestDispatcherReachesEveryNotifierDespiteFailures(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	log := zap.New(core)
	f := &failing{}
	d := &Dispatcher{Log: log, Notifiers: []Notifier{f, LogNotifier{Log: log}}}
	d.Raise(context.Background(), []domain.Alert{{
		ID: 1, MarkID: "liugehetao", Title: "六个核桃 高仿 核桃乳", URL: "http://m.test/1",
		Reasons: []domain.Reason{{Text: "假冒词: 高仿"}},
	}})
	if f.calls != 1 {
		t.Fatalf("failing notifier called %d times", f.calls)
	}
	if n := logs.FilterMessage("new alert").Len(); n != 1 {
		t.Fatalf("log notifier wrote %d alerts after the webhook failed, want 1", n)
	}
	if n := logs.FilterMessage("notifying alerts failed").FilterField(zap.String("notifier", "webhook")).Len(); n != 1 {
		t.Fatalf("failure not logged once with the notifier's name: %d", n)
	}
}
