package index

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	ms "github.com/meilisearch/meilisearch-go"

	"github.com/markwatch/markwatch/internal/domain"
)

// ClientOptions tune a Client. The zero value is ready to use.
type ClientOptions struct {
	// IndexName is the Meilisearch index uid; default "hits".
	IndexName string
	// Timeout bounds each HTTP request; default 10s.
	Timeout time.Duration
	// Now is the clock tenant tokens are dated by; default time.Now. Tests
	// inject one to mint tokens that expire while they watch.
	Now func() time.Time
	// MaxTotalHits is how many matches a search counts and pages through;
	// default DefaultMaxTotalHits. Past it a total is marked Estimated.
	// Applied to the index by ApplySettings.
	MaxTotalHits int
}

const (
	defaultIndexName = "hits"
	defaultTimeout   = 10 * time.Second
	// DefaultMaxTotalHits replaces Meilisearch's 1,000, which capped totals
	// and hid every page past the 1,000th hit. Counting costs only queries
	// that match this many; a province's hits stay well below it.
	DefaultMaxTotalHits = 100_000
	// taskPoll is how often a pending task is polled: small documents batches
	// finish in milliseconds, and a poll is a cheap GET on loopback.
	taskPoll = 10 * time.Millisecond
)

// Client talks to one Meilisearch index of hits.
type Client struct {
	ms   ms.ServiceManager
	name string
	norm *normalizer
	// url and hc build the tenant-token ServiceManagers of SearchScoped, so
	// scoped searches share the connection pool and transport settings.
	url string
	hc  *http.Client
	now func() time.Time
	// maxTotalHits is ClientOptions.MaxTotalHits, set in the index settings.
	maxTotalHits int
	// tenant holds the search key and the tokens minted from it.
	tenant tenantState
}

// NewClient returns a client for the server at url. It does not contact the
// server; call Healthy or ApplySettings for that.
func NewClient(url, apiKey string, opts ClientOptions) (*Client, error) {
	if url == "" {
		return nil, domain.Errorf(domain.EINVALID, "creating Meilisearch client: url is empty; set meilisearch.url or leave it empty to run a managed server")
	}
	name := opts.IndexName
	if name == "" {
		name = defaultIndexName
	}
	if !validUID(name) {
		return nil, domain.Errorf(domain.EINVALID, "creating Meilisearch client: index name %q may only hold a-z, A-Z, 0-9, - and _", name)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	norm, err := newNormalizer()
	if err != nil {
		return nil, fmt.Errorf("creating Meilisearch client: %w", err)
	}
	// The library's default client compresses requests and has no timeout:
	// measured ~42 ms per search against ~1 ms with compression off. The
	// transport retires connections Meilisearch leaves stuck (transport.go).
	hc := &http.Client{Timeout: timeout, Transport: newTransport()}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	maxTotal := opts.MaxTotalHits
	if maxTotal <= 0 {
		maxTotal = DefaultMaxTotalHits
	}
	// rawUnmarshal: search answers are decoded once, by decodeSearch, not
	// validated and copied into a RawMessage first (a sixth of the daemon's
	// CPU per admin search at 100k hits).
	sm := ms.New(url, ms.WithAPIKey(apiKey), ms.WithCustomClient(hc), ms.WithCustomJsonUnmarshaler(rawUnmarshal))
	return &Client{ms: sm, name: name, norm: norm, url: url, hc: hc, now: now, maxTotalHits: maxTotal, tenant: newTenantState()}, nil
}

// IndexName is the uid of the index this client writes and searches.
func (c *Client) IndexName() string { return c.name }

// Healthy reports whether the server answers /health as available.
func (c *Client) Healthy(ctx context.Context) error {
	h, err := c.ms.Health(ctx)
	if err != nil {
		return unavailable("checking Meilisearch health", err)
	}
	if h.Status != "available" {
		return domain.Errorf(domain.EUNAVAILABLE, "checking Meilisearch health: status %q", h.Status)
	}
	return nil
}

// wait polls a task until it ends and turns a failed or canceled task into an
// error: Meilisearch reports asynchronous failures only in the task.
func (c *Client) wait(ctx context.Context, what string, info *ms.TaskInfo) error {
	task, err := c.ms.WaitForTask(ctx, info.TaskUID, taskPoll)
	if err != nil {
		return unavailable(what+": waiting for task "+fmt.Sprint(info.TaskUID), err)
	}
	switch task.Status {
	case ms.TaskStatusSucceeded:
		return nil
	case ms.TaskStatusFailed:
		return &TaskError{What: what, TaskUID: task.UID, Code: string(task.Error.Code), Message: task.Error.Message}
	default:
		return &TaskError{What: what, TaskUID: task.UID, Code: string(task.Status), Message: "task did not succeed"}
	}
}

// TaskError is a task Meilisearch accepted and then failed: the request was
// understood, so retrying the same documents will fail the same way.
type TaskError struct {
	What    string
	TaskUID int64
	Code    string
	Message string
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("%s: Meilisearch task %d failed: %s: %s", e.What, e.TaskUID, e.Code, e.Message)
}

// unavailable wraps err, marking a server that could not be reached (or timed
// out) as domain.EUNAVAILABLE so callers back off and retry.
func unavailable(what string, err error) error {
	if isUnavailable(err) {
		return fmt.Errorf("%s: %w", what, &unavailableError{err: err})
	}
	return fmt.Errorf("%s: %w", what, err)
}

// IsUnavailable reports whether err means the server could not be reached,
// as opposed to a request it refused.
func IsUnavailable(err error) bool {
	var u *unavailableError
	return errors.As(err, &u)
}

type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return "Meilisearch unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() []error {
	return []error{e.err, domain.Errorf(domain.EUNAVAILABLE, "search index unavailable")}
}

func isUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var me *ms.Error
	if errors.As(err, &me) {
		switch me.ErrCode {
		case ms.CommunicationError, ms.TimeoutError, ms.MaxRetriesExceeded:
			return true
		}
		return me.StatusCode >= 500
	}
	return false
}

// validUID reports whether s is a valid index uid or document id.
func validUID(s string) bool {
	if s == "" || len(s) > 400 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) < 0
}

// DropIndex deletes this client's index and its documents (tests, and
// operators starting over; a later ApplySettings creates it again).
func (c *Client) DropIndex(ctx context.Context) error { return c.dropIndex(ctx, c.name) }
