package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/access"
	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/schedule"
)

// maxScheduleForm bounds the schedule form: a cron spec and a token.
const maxScheduleForm = 4 << 10

// operate serves POST /sources/{id}/{pause,resume,run,schedule}: the
// operator page's controls. Each is the API's own route, asked in-process
// through Deps.API as the visitor (their cookie, their CSRF token, their
// origin), so the console changes a source exactly as the API does, with
// the API's audit row and its refusals (a spec under the floor, an unknown
// source) shown on the console's error page.
func (c *console) operate(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := readForm(w, r, maxScheduleForm); err != nil {
			c.fail(w, r, fmt.Errorf("reading the %s form of source %s: %w", action, id, err))
			return
		}
		method, body := http.MethodPost, ""
		if action == "schedule" {
			spec := strings.TrimSpace(r.PostForm.Get("schedule"))
			b, _ := json.Marshal(map[string]string{"schedule": spec}) // a string: cannot fail
			method, body = http.MethodPut, string(b)
		}
		path := "/api/v1/sources/" + url.PathEscape(id) + "/" + action
		req, err := http.NewRequestWithContext(r.Context(), method, path, strings.NewReader(body))
		if err != nil {
			c.fail(w, r, fmt.Errorf("asking the API to %s source %s: %w", action, id, err))
			return
		}
		p, _ := access.FromContext(r.Context())
		req.Host, req.RemoteAddr, req.TLS = r.Host, r.RemoteAddr, r.TLS
		for _, h := range []string{"Cookie", "Origin", "Sec-Fetch-Site", "X-Forwarded-For", "X-Forwarded-Proto", "User-Agent"} {
			if v := r.Header.Values(h); len(v) > 0 {
				req.Header[h] = v
			}
		}
		req.Header.Set("X-CSRF-Token", p.CSRFToken)
		req.Header.Set("Content-Type", "application/json")
		rec := &answer{header: http.Header{}}
		c.deps.API.ServeHTTP(rec, req)
		if rec.status >= 300 {
			var e struct {
				Error *struct{ Code, Message string }
			}
			if json.Unmarshal(rec.body.Bytes(), &e) == nil && e.Error != nil {
				c.fail(w, r, domain.Errorf(e.Error.Code, "%s", e.Error.Message))
				return
			}
			c.fail(w, r, domain.Errorf(domain.EUNAVAILABLE, "来源操作失败 the %s of source %s failed (status %d)", action, id, rec.status))
			return
		}
		http.Redirect(w, r, "/sources", http.StatusSeeOther)
	}
}

// nextRuns are the next n times spec fires after now, in loc; nil for a
// spec the scheduler would refuse.
func nextRuns(spec string, now time.Time, loc *time.Location, n int) []time.Time {
	s, err := schedule.NewParser().Parse(spec)
	if err != nil {
		return nil
	}
	var out []time.Time
	t := now.In(loc)
	for range n {
		t = s.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

// describeCron says in words when spec runs, for the common shapes an
// operator writes; other specs are described field by field.
func describeCron(spec string) string {
	spec = strings.TrimSpace(spec)
	zone := ""
	if rest, ok := strings.CutPrefix(spec, "CRON_TZ="); ok {
		if i := strings.IndexByte(rest, ' '); i > 0 {
			zone, spec = "（"+rest[:i]+" 时区 time zone）", strings.TrimSpace(rest[i+1:])
		}
	}
	switch {
	case strings.HasPrefix(spec, "@every "):
		return "每隔 " + strings.TrimPrefix(spec, "@every ") + " every " + strings.TrimPrefix(spec, "@every ") + zone
	case spec == "@hourly":
		return "每小时整点 every hour, on the hour" + zone
	case spec == "@daily" || spec == "@midnight":
		return "每天 0:00 every day at midnight" + zone
	case spec == "@weekly":
		return "每周日 0:00 every Sunday at midnight" + zone
	case spec == "@monthly":
		return "每月 1 日 0:00 on the 1st of every month at midnight" + zone
	}
	f := strings.Fields(spec)
	if len(f) == 6 { // leading seconds
		f = f[1:]
	}
	if len(f) != 5 {
		return "无法解读 not a cron spec the scheduler reads"
	}
	min, hour, dom, mon, dow := f[0], f[1], f[2], f[3], f[4]
	every := func(field, unitZH, unitEN string) (string, bool) {
		if n, ok := strings.CutPrefix(field, "*/"); ok {
			if _, err := strconv.Atoi(n); err == nil {
				return "每 " + n + " " + unitZH + " every " + n + " " + unitEN, true
			}
		}
		return "", false
	}
	daily := dom == "*" && mon == "*" && dow == "*"
	switch {
	case daily && hour == "*":
		if s, ok := every(min, "分钟", "minutes"); ok {
			return s + zone
		}
		if _, err := strconv.Atoi(min); err == nil {
			return "每小时第 " + min + " 分 every hour at minute " + min + zone
		}
	case daily && isNumber(min):
		if s, ok := every(hour, "小时", "hours"); ok {
			return s + "，第 " + min + " 分 at minute " + min + zone
		}
		if isNumber(hour) {
			m, _ := strconv.Atoi(min)
			return fmt.Sprintf("每天 %s:%02d every day at %s:%02d", hour, m, hour, m) + zone
		}
	}
	return fmt.Sprintf("分 minute %s · 时 hour %s · 日 day %s · 月 month %s · 周 weekday %s", min, hour, dom, mon, dow) + zone
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}
