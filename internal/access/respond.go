package access

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
)

// errorBody is the API's error shape, the same as package httpapi's:
// {"error":{"code":"…","message":"…"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// refuse answers a request the guard turns away: JSON for the API, a
// small page for the console. Refusals are never cached.
func refuse(w http.ResponseWriter, api bool, status int, code, msg string) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if api {
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(errorBody{Error: errorDetail{Code: code, Message: msg}})
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	title := html.EscapeString(http.StatusText(status))
	var b strings.Builder
	b.WriteString("<!doctype html>\n<meta charset=\"utf-8\">\n<title>")
	b.WriteString(title)
	b.WriteString(" · markwatch</title>\n<h1>")
	b.WriteString(title)
	b.WriteString("</h1>\n<p>")
	b.WriteString(html.EscapeString(msg))
	b.WriteString("</p>\n<p><a href=\"/\">markwatch</a></p>\n")
	_, _ = w.Write([]byte(b.String()))
}

// isAPIPath tells API requests from console ones when no route says.
func isAPIPath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/")
}
