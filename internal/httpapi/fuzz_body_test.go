package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

// fuzzDeps is the API over fresh in-memory fakes with every optional part
// present, so every route that reads a body is mounted.
func fuzzDeps() Deps {
	store, mc := newMemStore(), newMemCases()
	return Deps{
		Alerts: store, Reviewer: store, Hits: &fakeSearcher{hits: hits}, Sources: newFakeSources(), Audit: store,
		Users: store, Tokens: store, Subscriptions: store, Deliveries: store, Claims: store,
		Credentials: &fakeCreds{}, Now: func() time.Time { return seen },
		Evidence: mc, Blobs: mc, Cases: mc, Notices: mc, Transition: fakeTransition, Notice: fakeNotice, Packet: mc.Packet, Marks: caseMarks,
	}
}

// bodyRoutes lists "METHOD /path" of every route that reads a body, with
// its placeholders filled, read from the route table so a new route is
// fuzzed without editing this file.
func bodyRoutes() []string {
	fill := strings.NewReplacer("{id}", "1", "{nid}", "1", "{name}", "ops", "{file}", "1.txt", "{sha}", shaPageA)
	var out []string
	for _, rt := range Routes(fuzzDeps(), zap.NewNop()) {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if strings.HasPrefix(path, sourcesPath+"/") {
			path = strings.Replace(path, "{id}", "demo", 1) // a source the fake knows
		}
		if method == "POST" || method == "PUT" || method == "PATCH" {
			out = append(out, method+" "+fill.Replace(path))
		}
	}
	return out
}

// FuzzRequestBody: whatever body a client sends to whichever route reads
// one, the answer is never a server error and always one JSON value; a
// refusal is a coded error that tells the client what to send.
func FuzzRequestBody(f *testing.F) {
	routes := bodyRoutes()
	if len(routes) < 10 {
		f.Fatalf("only %d routes read a body: %v", len(routes), routes)
	}
	for i, body := range []string{
		reviewExample, scheduleExample, subscriptionExample, tokenExample, userExample, claimExample,
		createCaseExample, updateCaseExample, createNoticeExample, captureExample,
		`{"schedule":"* * * * * *"}`, `{"status":"confirmed","note":"已移交"}{"status":"open"}`,
		`{"status":"confirmed","notee":"x"}`, `{"min_score":1e999}`, `{"alert_ids":[-1,9223372036854775807]}`,
		"\xef\xbb\xbf{}", `[]`, `null`, ``, strings.Repeat(`{"a":`, 500), `{"name":"` + strings.Repeat("衡", 40000) + `"}`,
	} {
		f.Add(uint8(i), []byte(body))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		g := newStandInGuard(Routes(fuzzDeps(), zap.NewNop()))
		method, path, _ := strings.Cut(routes[int(route)%len(routes)], " ")
		req := httptest.NewRequestWithContext(context.Background(), method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokAdmin)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s answered %d to body %q: %s", method, path, rec.Code, body, rec.Body)
		}
		if rec.Code == http.StatusNoContent {
			return
		}
		var answer any
		dec := json.NewDecoder(rec.Body)
		if err := dec.Decode(&answer); err != nil || dec.More() {
			t.Fatalf("%s %s answered %d with a body that is not one JSON value (%v): %q", method, path, rec.Code, err, rec.Body)
		}
		if rec.Code == http.StatusBadRequest {
			var e errorBody
			raw, _ := json.Marshal(answer)
			if err := json.Unmarshal(raw, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s refused body %q without a code and message: %s", method, path, body, raw)
			}
		}
	})
}

// The fuzzed routes are the API's: a route table change that hid them from
// the fuzzer would leave request decoding unfuzzed.
func TestFuzzRequestBodyCoversTheBodyRoutes(t *testing.T) {
	got := strings.Join(bodyRoutes(), "\n")
	for _, want := range []string{"PATCH /api/v1/alerts/1", "PUT /api/v1/sources/demo/schedule", "POST /api/v1/subscriptions",
		"POST /api/v1/tokens", "POST /api/v1/users", "POST /api/v1/cases", "PATCH /api/v1/cases/1/notices/1", "POST /api/v1/seller-claims"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s is not fuzzed; fuzzed:\n%s", want, got)
		}
	}
}
