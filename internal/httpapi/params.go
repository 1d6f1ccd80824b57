package httpapi

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/markwatch/markwatch/internal/domain"
)

// Page sizes: a default that fills a console page, and a cap that keeps one
// request from reading the whole store.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// markIDPattern is the registry's id format; anything else cannot match a
// mark, and saying so beats an empty result.
var markIDPattern = regexp.MustCompile(`^[a-z0-9-]+$`)

// page reads limit and offset.
func page(q url.Values) (limit, offset int, err error) {
	limit, err = intParam(q, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		return 0, 0, err
	}
	offset, err = intParam(q, "offset", 0, 0, 1<<31-1)
	return limit, offset, err
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	raw := q.Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, domain.Errorf(domain.EINVALID, "query parameter %s=%q: must be a whole number from %d to %d", name, raw, lo, hi)
	}
	return n, nil
}

func boolParam(q url.Values, name string) (bool, error) {
	raw := q.Get(name)
	if raw == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, domain.Errorf(domain.EINVALID, "query parameter %s=%q: must be true or false", name, raw)
	}
	return b, nil
}

// idParam reads the positive integer id of a what ("alert") from the path.
func idParam(r *http.Request, what string) (int64, error) {
	return positiveID(r.PathValue("id"), what)
}

// positiveID reads raw as the id of a what ("notice"): a positive integer.
func positiveID(raw, what string) (int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.EINVALID, "%s id %q: must be a positive whole number", what, raw)
	}
	return id, nil
}
