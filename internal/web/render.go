package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the parsed templates by file name ("queue.html"), each with
// the layout.
type pages map[string]*template.Template

// mustParsePages parses the embedded templates. They are part of the
// binary, so a parse error is a bug caught by every test, not a runtime
// condition; panicking keeps Routes' signature free of an error no caller
// could handle.
func mustParsePages() pages {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err) // the pattern is constant and valid; unreachable
	}
	ps := make(pages, len(names))
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" {
			continue
		}
		ps[name] = template.Must(template.New(name).ParseFS(templateFS, "templates/layout.html", n))
	}
	return ps
}

// staticHandler serves the embedded stylesheet and script, and hands
// unknown names to notFound for the console's own 404 page. The files change
// only with the binary, so a day of caching is safe.
func staticHandler(notFound http.HandlerFunc) http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the directory is embedded above; unreachable
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := fs.Stat(sub, r.PathValue("file")); err != nil {
			notFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// securityHeaders go on every page. The policy allows only the console's
// own stylesheet and script, so even a title that slipped past escaping
// could not run code; no-referrer on links keeps the console's URLs (and
// filters) from reaching the marketplaces a supervisor opens.
func securityHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy",
		"default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "same-origin")
}

// render executes t into a buffer first, so a template error becomes a
// clean 500 page instead of half a page.
func (c *console) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := c.pages[name]
	if !ok {
		c.fail(w, r, domain.Errorf(domain.EINTERNAL, "rendering %s: no such template", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		c.fail(w, r, domain.Errorf(domain.EINTERNAL, "rendering %s: %v", name, err))
		return
	}
	securityHeaders(w.Header())
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // a client that went away is not an error worth reporting
}

// problemView is the error page.
type problemView struct {
	page
	Status  int
	Heading string
	Message string
}

// fail answers err as an HTML page with the status its domain code maps to,
// and logs it once here. Internal errors show a generic message; the detail
// (paths, SQL) stays in the log.
func (c *console) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	v := problemView{Message: domain.ErrorMessage(err)}
	switch code {
	case domain.EINVALID:
		v.Status, v.Heading = http.StatusBadRequest, "请求有误 Bad request"
	case domain.ENOTFOUND:
		v.Status, v.Heading = http.StatusNotFound, "未找到 Not found"
	case domain.ECONFLICT:
		v.Status, v.Heading = http.StatusConflict, "冲突 Conflict"
	case codeForbidden:
		v.Status, v.Heading = http.StatusForbidden, "拒绝跨站请求 Cross-site request refused"
		// Either a forged request or a proxy stripping headers: both are
		// for an operator to see.
		c.log.Warn("console request refused", requestFields(r, err)...)
	case codeDenied:
		v.Status, v.Heading = http.StatusForbidden, "无权访问 Forbidden"
		c.log.Warn("console request denied", requestFields(r, err)...)
	case codeTooManyRequests:
		v.Status, v.Heading = http.StatusTooManyRequests, "尝试过于频繁 Too many attempts"
		w.Header().Set("Retry-After", "60")
	case domain.EUNAVAILABLE:
		v.Status, v.Heading = http.StatusServiceUnavailable, "暂不可用 Unavailable"
		w.Header().Set("Retry-After", "5")
		c.log.Warn("console request failed", requestFields(r, err)...)
	default:
		v.Status, v.Heading = http.StatusInternalServerError, "内部错误 Internal error"
		v.Message = "服务器内部错误，详情见服务器日志。Internal error; the details are in the server log."
		c.log.Error("console request failed", requestFields(r, err)...)
	}
	v.page = c.frame(r, v.Heading)
	var buf bytes.Buffer
	if rerr := c.pages["problem.html"].ExecuteTemplate(&buf, "layout", v); rerr != nil {
		// The error page itself is broken: fall back to plain text.
		c.log.Error("rendering the error page", zap.Error(errors.Join(err, rerr)))
		http.Error(w, http.StatusText(v.Status), v.Status)
		return
	}
	securityHeaders(w.Header())
	w.WriteHeader(v.Status)
	_, _ = buf.WriteTo(w)
}

// Codes that exist only at the console's edge.
const (
	// codeForbidden is a request from another site.
	codeForbidden = "forbidden"
	// codeDenied is a principal whose role lacks the permission.
	codeDenied = "denied"
	// codeTooManyRequests is access's answer to throttled logins.
	codeTooManyRequests = "too_many_requests"
)

func requestFields(r *http.Request, err error) []zap.Field {
	return []zap.Field{
		zap.String("method", r.Method),
		zap.String("path", r.URL.Path),
		zap.String("remote_addr", r.RemoteAddr),
		zap.Error(err),
	}
}

func (c *console) notFound(w http.ResponseWriter, r *http.Request) {
	c.fail(w, r, domain.Errorf(domain.ENOTFOUND, "没有这个页面 no such page: %s", r.URL.Path))
}
