package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// Client calls the API with a bearer token. It implements SourceControl
// and SellerNetworkReader, so the CLI drives a running daemon's scheduler
// and reads its seller networks through the same interfaces the daemon
// serves from; errors come back as *domain.Error with the server's code,
// so exit codes do not depend on which side failed.
type Client struct {
	base  string
	token string
	hc    *http.Client
}

var (
	_ SourceControl       = (*Client)(nil)
	_ SellerNetworkReader = (*Client)(nil)
)

// maxAnswer bounds what the client reads of one answer: a full page of
// audit entries is far less.
const maxAnswer = 16 << 20

// NewClient returns a client of the API at baseURL ("http://127.0.0.1:8080")
// authenticating with token (empty sends no Authorization). hc nil is
// http.DefaultClient.
func NewClient(baseURL, token string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, hc: hc}
}

// do sends one request with body encoded as JSON (when non-nil) and decodes
// a 2xx answer into out (when non-nil).
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the request to %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("building request %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", domain.Errorf(domain.EUNAVAILABLE, "markwatch at %s does not answer", c.base), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%w: %w", domain.Errorf(domain.EUNAVAILABLE, "reading the answer to %s %s", method, path), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return answerError(resp.StatusCode, raw)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decoding the answer to %s %s: %w", method, path, err)
	}
	return nil
}

// answerError turns an error answer back into the *domain.Error the server
// wrote. Answers without the JSON error shape (a proxy's 502 page) get the
// code their status means.
func answerError(status int, raw []byte) error {
	var body errorBody
	if err := json.Unmarshal(raw, &body); err == nil && body.Error.Code != "" {
		return &domain.Error{Code: body.Error.Code, Message: body.Error.Message}
	}
	code := domain.EINTERNAL
	switch status {
	case http.StatusBadRequest:
		code = domain.EINVALID
	case http.StatusNotFound:
		code = domain.ENOTFOUND
	case http.StatusConflict:
		code = domain.ECONFLICT
	case http.StatusUnauthorized:
		code = codeUnauthorized
	case http.StatusForbidden:
		code = codeForbidden
	case http.StatusNotImplemented:
		code = domain.ENOTIMPLEMENTED
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		code = domain.EUNAVAILABLE
	}
	text := strings.TrimSpace(string(raw))
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	return &domain.Error{Code: code, Message: fmt.Sprintf("HTTP %d: %s", status, text)}
}

// sourcePath is the path of source id, escaped: ids come from users.
func sourcePath(id string, rest ...string) string {
	return sourcesPath + "/" + url.PathEscape(id) + strings.Join(rest, "")
}

// fromSourceJSON is toSourceJSON's inverse.
func fromSourceJSON(s SourceJSON) SourceStatus {
	out := SourceStatus{
		SourceState: domain.SourceState{ID: s.ID, Schedule: s.Schedule, Paused: s.Paused, NextRunAt: s.NextRun,
			LastRunAt: s.LastRun, ConsecutiveErrors: s.ConsecutiveErrors},
		Running: s.Running,
	}
	if s.LastResult != nil {
		run := s.LastResult.CrawlRun
		out.LastRun = &run
	}
	return out
}

// ListSources calls GET /api/v1/sources.
func (c *Client) ListSources(ctx context.Context) ([]SourceStatus, error) {
	var body sourceList
	if err := c.do(ctx, http.MethodGet, sourcesPath, nil, nil, &body); err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	out := make([]SourceStatus, 0, len(body.Sources))
	for _, s := range body.Sources {
		out = append(out, fromSourceJSON(s))
	}
	return out, nil
}

// GetSource calls GET /api/v1/sources/{id}.
func (c *Client) GetSource(ctx context.Context, id string) (SourceStatus, error) {
	var s SourceJSON
	if err := c.do(ctx, http.MethodGet, sourcePath(id), nil, nil, &s); err != nil {
		return SourceStatus{}, fmt.Errorf("getting source %s: %w", id, err)
	}
	return fromSourceJSON(s), nil
}

// SetSchedule calls PUT /api/v1/sources/{id}/schedule.
func (c *Client) SetSchedule(ctx context.Context, id, spec string) error {
	if err := c.do(ctx, http.MethodPut, sourcePath(id, "/schedule"), nil, scheduleBody{Schedule: &spec}, nil); err != nil {
		return fmt.Errorf("setting schedule of source %s: %w", id, err)
	}
	return nil
}

// Pause calls POST /api/v1/sources/{id}/pause.
func (c *Client) Pause(ctx context.Context, id string) error {
	if err := c.do(ctx, http.MethodPost, sourcePath(id, "/pause"), nil, nil, nil); err != nil {
		return fmt.Errorf("pausing source %s: %w", id, err)
	}
	return nil
}

// Resume calls POST /api/v1/sources/{id}/resume.
func (c *Client) Resume(ctx context.Context, id string) error {
	if err := c.do(ctx, http.MethodPost, sourcePath(id, "/resume"), nil, nil, nil); err != nil {
		return fmt.Errorf("resuming source %s: %w", id, err)
	}
	return nil
}

// Trigger calls POST /api/v1/sources/{id}/run.
func (c *Client) Trigger(ctx context.Context, id string) error {
	if err := c.do(ctx, http.MethodPost, sourcePath(id, "/run"), nil, nil, nil); err != nil {
		return fmt.Errorf("starting a run of source %s: %w", id, err)
	}
	return nil
}

// Runs calls GET /api/v1/sources/{id}/runs?limit=; limit 0 is the server's
// default.
func (c *Client) Runs(ctx context.Context, id string, limit int) ([]domain.CrawlRun, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var body runList
	if err := c.do(ctx, http.MethodGet, sourcePath(id, "/runs"), q, nil, &body); err != nil {
		return nil, fmt.Errorf("listing runs of source %s: %w", id, err)
	}
	out := make([]domain.CrawlRun, 0, len(body.Runs))
	for _, r := range body.Runs {
		out = append(out, r.CrawlRun)
	}
	return out, nil
}

// ListAudit calls GET /api/v1/audit and returns one page and the total.
// f.Scope is not sent: the server applies the token's own.
func (c *Client) ListAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEntry, int, error) {
	q := url.Values{}
	if f.Action != "" {
		q.Set("action", f.Action)
	}
	if f.Object != "" {
		q.Set("object", f.Object)
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(f.Offset))
	}
	var body auditList
	if err := c.do(ctx, http.MethodGet, auditPath, q, nil, &body); err != nil {
		return nil, 0, fmt.Errorf("listing the audit log: %w", err)
	}
	return body.Entries, body.Total, nil
}

// Me calls GET /api/v1/me: who the token belongs to and what it may do.
func (c *Client) Me(ctx context.Context) (MeJSON, error) {
	var me MeJSON
	if err := c.do(ctx, http.MethodGet, "/api/v1/me", nil, nil, &me); err != nil {
		return MeJSON{}, fmt.Errorf("asking who this token is: %w", err)
	}
	return me, nil
}

// SellerNetwork calls GET /api/v1/sellers/{id}. scope is not sent: the
// server applies the token's own.
func (c *Client) SellerNetwork(ctx context.Context, sellerID int64, _ domain.Scope) (domain.SellerNetwork, error) {
	var n domain.SellerNetwork
	if err := c.do(ctx, http.MethodGet, sellersPath+"/"+strconv.FormatInt(sellerID, 10), nil, nil, &n); err != nil {
		return domain.SellerNetwork{}, fmt.Errorf("getting the network of seller %d: %w", sellerID, err)
	}
	return n, nil
}
