package access

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Passwords, tokens, cookies and CSRF tokens never reach a log line or an
// error, whatever path a request takes: every field of every entry is
// scanned.
func TestSecretsNeverLogged(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	var secrets []string
	var errs []error
	keep := func(s ...string) { secrets = append(secrets, s...) }

	tok := f.token(idAdmin, nil)
	c, p := f.login("supervisor")
	keep(tok, HashSecret(tok), c.Value, p.SessionHash, p.CSRFToken, pw("supervisor"), pw("admin"))

	// Failed sign-ins, including a password typed into the name field.
	for _, q := range [][2]string{{"admin", "wrong-guess-41"}, {"nobody", "wrong-guess-42"}, {pw("admin"), "other-field-46"}, {"gone", pw("gone")}} {
		keep(q[1])
		_, _, err := f.auth.Login(ctx, q[0], q[1], "192.0.2.7", "ua")
		errs = append(errs, err)
	}
	keep(pw("gone"))
	// Throttled ones.
	for i := range 7 {
		_, _, err := f.auth.Login(ctx, "operator", fmt.Sprintf("throttled-guess-%d", i), "192.0.2.8", "ua")
		keep(fmt.Sprintf("throttled-guess-%d", i))
		errs = append(errs, err)
	}
	// Requests: good and bad tokens, malformed headers, cookies, CSRF failures.
	bad := tok[:len(tok)-2] + "zz"
	keep(bad)
	f.do(req{method: "GET", target: "/api/v1/alerts", bearer: tok})
	f.do(req{method: "GET", target: "/api/v1/alerts", bearer: bad})
	f.do(req{method: "GET", target: "/api/v1/alerts", header: map[string]string{"Authorization": "Basic " + tok}})
	f.do(req{method: "GET", target: "/api/v1/alerts", header: map[string]string{"Authorization": "Bearer " + tok + " \"" + pw("admin")}})
	f.do(req{method: "GET", target: "/alerts", cookie: c})
	f.do(req{method: "POST", target: "/alerts/1/review", cookie: c, header: form(map[string]string{"X-CSRF-Token": p.CSRFToken + "x"})})
	f.do(req{method: "POST", target: "/alerts/1/review", cookie: c, header: form(map[string]string{"X-CSRF-Token": p.CSRFToken, "Sec-Fetch-Site": "cross-site"})})
	f.do(req{method: "GET", target: "/api/v1/users", host: "evil.example", bearer: tok})
	f.do(req{method: "GET", target: "/nowhere", cookie: c})
	// Password changes, wrong and right.
	_, err := f.auth.ChangePassword(ctx, p, "wrong-current-43", "new-password-44")
	keep("wrong-current-43", "new-password-44")
	errs = append(errs, err)
	_, err = f.auth.ChangePassword(ctx, p, pw("supervisor"), "short")
	errs = append(errs, err)
	nc, err := f.auth.ChangePassword(ctx, p, pw("supervisor"), "new-password-45")
	keep("new-password-45", nc.Value)
	errs = append(errs, err)
	f.auth.Logout(ctx, p)
	f.do(req{method: "GET", target: "/alerts", cookie: &http.Cookie{Name: SessionCookie, Value: c.Value}})

	entries := f.logs.All()
	if len(entries) < 10 {
		t.Fatalf("only %d log entries: the scenario did not run", len(entries))
	}
	for _, e := range entries {
		text := e.Message + " " + fmt.Sprint(e.ContextMap())
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("log entry %q leaks %q: %s", e.Message, s, text)
			}
		}
	}
	for _, err := range errs {
		if err == nil {
			continue
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q leaks %q", err, s)
			}
		}
	}
}
