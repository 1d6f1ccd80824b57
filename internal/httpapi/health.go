package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// healthz says the process serves HTTP; it checks nothing else so that an
// orchestrator does not restart the daemon because Meilisearch is down.
func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status string            `json:"status"` // ready or unavailable
	Checks map[string]string `json:"checks"` // name → ok or failed
	// Reasons are the public reasons of failed checks that gave one.
	Reasons map[string]string `json:"reasons,omitempty"`
	Error   *errorDetail      `json:"error,omitempty"`
}

// Unready marks a check's failure with a reason /readyz may show to anyone
// (it is unauthenticated): short, and free of paths and addresses, such as
// "free space below the floor". err, with the details, goes to the log.
func Unready(reason string, err error) error { return &unready{reason: reason, err: err} }

type unready struct {
	reason string
	err    error
}

func (u *unready) Error() string { return u.reason + ": " + u.err.Error() }
func (u *unready) Unwrap() error { return u.err }

// readyz runs every check concurrently under one deadline and answers 503
// naming the checks that failed, with the public reason of those that give
// one (Unready). Failure details go to the log, not the response: they hold
// internal addresses and paths.
func (a *api) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), a.deps.ReadyTimeout)
	defer cancel()

	errs := make([]error, len(a.deps.Checks))
	var wg sync.WaitGroup
	for i, c := range a.deps.Checks {
		wg.Go(func() {
			errs[i] = runCheck(ctx, c)
		})
	}
	// Checks must honour ctx, so this wait is bounded by ReadyTimeout.
	wg.Wait()

	body := readiness{Status: "ready", Checks: make(map[string]string, len(a.deps.Checks))}
	var failed []string
	var failures []error
	for i, c := range a.deps.Checks {
		if errs[i] == nil {
			body.Checks[c.Name] = "ok"
			continue
		}
		body.Checks[c.Name] = "failed"
		var u *unready
		if errors.As(errs[i], &u) {
			if body.Reasons == nil {
				body.Reasons = map[string]string{}
			}
			body.Reasons[c.Name] = u.reason
			failed = append(failed, c.Name+" ("+u.reason+")")
		} else {
			failed = append(failed, c.Name)
		}
		failures = append(failures, fmt.Errorf("check %s: %w", c.Name, errs[i]))
	}
	if len(failed) == 0 {
		writeJSON(w, http.StatusOK, body)
		return
	}
	err := domain.Errorf(domain.EUNAVAILABLE, "not ready: %s failed", strings.Join(failed, ", "))
	if info := requestInfoFrom(r.Context()); info != nil {
		info.err = fmt.Errorf("%w: %w", err, errors.Join(failures...))
	}
	body.Status = "unavailable"
	body.Error = &errorDetail{Code: domain.EUNAVAILABLE, Message: err.Message}
	w.Header().Set("Retry-After", "5")
	writeJSON(w, http.StatusServiceUnavailable, body)
}

// runCheck runs one check, turning a panic into a failure and a result that
// comes after the deadline into a timeout, so a slow dependency reads as
// not ready even if it answers eventually.
func runCheck(ctx context.Context, c Check) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("check panicked: %v", p)
		}
	}()
	if c.Fn == nil {
		return errors.New("check has no function")
	}
	err = c.Fn(ctx)
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("answered after the deadline: %w", ctx.Err())
	}
	return err
}
