package httpapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/markwatch/markwatch/internal/domain"
)

func TestNewServerServesAndShutsDown(t *testing.T) {
	var gotQ string
	var gotScope domain.Scope
	search := HitSearchFunc(func(_ context.Context, q string, f HitQuery, scope domain.Scope) (HitResult, error) {
		gotQ, gotScope = q, scope
		return HitResult{Hits: []domain.Hit{{ID: 1, MarkID: "jinmailang", Title: "今麦朗 方便面 5连包"}}, Total: 1}, nil
	})
	log := zaptest.NewLogger(t)
	srv, err := NewServer("127.0.0.1:0", newStandInGuard(Routes(Deps{Hits: search}, log)), log)
	if err != nil {
		t.Fatal(err)
	}
	if srv.ReadHeaderTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 {
		t.Errorf("server without timeouts: %+v", srv)
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	req, err := http.NewRequest("GET", "http://"+ln.Addr().String()+"/api/v1/hits?"+url.Values{"q": {"今麦郎"}}.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tokOwnerA)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The searcher answered a mark outside owner A's scope: dropped.
	if resp.StatusCode != 200 || gotQ != "今麦郎" || !gotScope.Restricted {
		t.Errorf("status %d, searcher got %q %+v", resp.StatusCode, gotQ, gotScope)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
}
