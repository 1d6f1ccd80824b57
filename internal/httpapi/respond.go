package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/markwatch/markwatch/internal/domain"
)

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Codes for conditions that exist only at the HTTP edge.
const (
	codeMethodNotAllowed = "method_not_allowed"
	// codeUnauthorized answers a non-public handler reached without a
	// principal (the guard normally answers it first, with the same code).
	codeUnauthorized = "unauthorized"
	// codeForbidden answers a route whose permission the guard cannot
	// express as one Perm (seller claims: claim or decide).
	codeForbidden = "forbidden"
)

// statusOf maps a domain error code to an HTTP status.
func statusOf(code string) int {
	switch code {
	case domain.EINVALID:
		return http.StatusBadRequest
	case domain.ENOTFOUND:
		return http.StatusNotFound
	case domain.ECONFLICT:
		return http.StatusConflict
	case domain.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case domain.ENOTIMPLEMENTED:
		return http.StatusNotImplemented
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case codeUnauthorized:
		return http.StatusUnauthorized
	case codeForbidden:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// writeJSON writes v as the response. Encoding errors are not reported: the
// status line has gone out, and the only cause is a client that went away.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	// Titles hold & and <…> often enough; escaping them only hurts reading.
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers with err's code and message and hands err to the
// request log line, which is the one place it is logged. Internal errors get
// a generic message so details (paths, SQL) do not leak.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	status := statusOf(code)
	msg := domain.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		code, msg = domain.EINTERNAL, "internal error; the details are in the server log"
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	if info := requestInfoFrom(r.Context()); info != nil {
		info.err = err
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: msg}})
}
