package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/access"
)

// Reindexer rebuilds the search index from the system of record inside the
// running daemon, which alone may touch a managed Meilisearch's data (the
// data dir's lock keeps a second process out).
type Reindexer interface {
	// Reindex rebuilds the index and returns the hits now in it. A rebuild
	// asked for while one runs is refused with code ECONFLICT; one that
	// cannot reach Meilisearch carries EUNAVAILABLE.
	Reindex(ctx context.Context) (hits int, err error)
}

// ReindexPath is the route `markwatch reindex` asks a running daemon at.
const ReindexPath = "/api/v1/admin/reindex"

// ReindexJSON is the answer to a finished rebuild.
type ReindexJSON struct {
	Hits            int     `json:"hits"`
	DurationSeconds float64 `json:"duration_seconds"`
}

// reindexDeadline bounds one rebuild's request. A rebuild answers when it is
// done, and a large store takes longer than http.write_timeout (30s); past
// read_timeout the server would also cancel the request's context.
const reindexDeadline = time.Hour

// adminRoutes are the operator's maintenance routes; a nil Reindexer (a
// process without the index) leaves them out.
func (a *api) adminRoutes() []route {
	if a.deps.Reindexer == nil {
		return nil
	}
	return []route{{"POST " + ReindexPath, access.OperateSources, a.reindex}}
}

func (a *api) reindex(w http.ResponseWriter, r *http.Request) {
	start := a.deps.Now()
	rc := http.NewResponseController(w)
	if err := errors.Join(rc.SetReadDeadline(start.Add(reindexDeadline)), rc.SetWriteDeadline(start.Add(reindexDeadline))); err != nil {
		// Served without a deadline-capable writer (tests): the rebuild
		// still runs, under the server's own timeouts.
		a.log.Debug("reindex: cannot extend the request's deadlines", zap.Error(err))
	}
	n, err := a.deps.Reindexer.Reindex(r.Context())
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ReindexJSON{Hits: n, DurationSeconds: a.deps.Now().Sub(start).Seconds()})
}

// Reindex asks the daemon to rebuild its search index from the store and
// waits for the rebuild to end.
func (c *Client) Reindex(ctx context.Context) (ReindexJSON, error) {
	var out ReindexJSON
	err := c.do(ctx, http.MethodPost, ReindexPath, nil, nil, &out)
	return out, err
}
