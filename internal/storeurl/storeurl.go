// Package storeurl reads a store.url as PostgreSQL's client reads it, so
// that logs, errors and dumps can show it without its password. The
// configuration and the store both show store URLs; one reading keeps
// them from disagreeing about where a password is.
//
// pgx parses URLs by libpq's rules, not net/url's: the userinfo ends at
// the first @ before the first /, a URL has no fragment, and the query
// is &-separated key=value pairs. A password with an unencoded ?, # or @
// in it is still the password there, where net/url would read it as a
// port, a query or a fragment and show it.
package storeurl

import (
	"strconv"
	"strings"
)

// Hidden replaces what is not shown.
const Hidden = "[redacted]"

// parts is a URL split as libpq splits it.
type parts struct {
	scheme   string
	user     string
	password string
	hasUser  bool // an @ ends a userinfo
	hasPass  bool // the userinfo has a :
	hostPath string
	query    string
	hasQuery bool
	// misread: an @ that libpq does not take as the userinfo's end,
	// because a / comes before it ("user:pa/ss@db"): pgx reads no
	// password there, but the text before the @ is most likely one.
	misread bool
}

func split(raw string) (parts, bool) {
	var p parts
	var rest string
	var ok bool
	// pgx reads only these as URLs; anything else, "mysql://…" too, is
	// read as a keyword/value string, where a password can sit anywhere.
	p.scheme, rest, ok = strings.Cut(raw, "://")
	if !ok || (p.scheme != "postgres" && p.scheme != "postgresql") {
		return p, false
	}
	if i := strings.IndexAny(rest, "@/"); i >= 0 && rest[i] == '@' {
		p.hasUser = true
		p.user, p.password, p.hasPass = strings.Cut(rest[:i], ":")
		rest = rest[i+1:]
	}
	// The query starts at the first ?, in the host list or after the
	// database name alike.
	p.hostPath, p.query, p.hasQuery = strings.Cut(rest, "?")
	if at := strings.LastIndex(p.hostPath, "@"); !p.hasUser && at >= 0 {
		p.misread = true
		p.user, p.password, p.hasPass = strings.Cut(p.hostPath[:at], ":")
		p.hostPath = p.hostPath[at+1:]
	}
	return p, true
}

// secretKey reports whether a query key (as written) names a password:
// password or sslpassword, percent-encoded or not. ok is false for a key
// that does not decode.
func secretKey(k string) (secret, ok bool) {
	key, ok := decode(k)
	if !ok || strings.Contains(key, "%") {
		return false, false
	}
	return key == "password" || key == "sslpassword", true
}

// Redact is raw with every password hidden. "" and sqlite:PATH are shown
// as they are. Anything else that is not a URL is hidden whole: store.url
// refuses it, but an operator may paste a keyword/value connection string
// ("host=db password=…"), and the refusal must not print its password. A
// query it cannot read is hidden whole too.
func Redact(raw string) string {
	if raw == "" || strings.HasPrefix(raw, "sqlite:") {
		return raw
	}
	p, ok := split(raw)
	if !ok {
		return Hidden
	}
	var b strings.Builder
	b.WriteString(p.scheme + "://")
	switch {
	case p.misread:
		b.WriteString(Hidden + "@")
	case p.hasUser:
		b.WriteString(p.user)
		if p.hasPass {
			b.WriteString(":" + Hidden)
		}
		b.WriteString("@")
	}
	b.WriteString(p.hostPath)
	if p.hasQuery {
		b.WriteString("?" + redactQuery(p.query))
	}
	return b.String()
}

func redactQuery(query string) string {
	params := strings.Split(query, "&")
	for i, param := range params {
		k, _, _ := strings.Cut(param, "=")
		secret, ok := secretKey(k)
		if !ok {
			return Hidden
		}
		if secret {
			params[i] = k + "=" + Hidden
		}
	}
	return strings.Join(params, "&")
}

// Passwords are the passwords in raw, each as written and, when it
// differs, as decoded, for hiding them in a message that may repeat them
// (a driver's error). A raw that is not a URL gives nil; callers show none
// of such a message.
func Passwords(raw string) []string {
	p, ok := split(raw)
	if !ok {
		return nil
	}
	var out []string
	add := func(written string) {
		if written == "" {
			return
		}
		out = append(out, written)
		if d, ok := decode(written); ok && d != written && d != "" {
			out = append(out, d)
		}
	}
	if p.hasPass {
		add(p.password)
	}
	if p.hasQuery {
		for _, param := range strings.Split(p.query, "&") {
			k, v, _ := strings.Cut(param, "=")
			if secret, _ := secretKey(k); secret {
				add(v)
			}
		}
	}
	return out
}

// HasHost reports whether a URL names a host, as pgx reads it: in the
// comma-separated list between the userinfo and the first / or ?, each
// host before its :port. A URL without one would connect to a default
// host nobody configured; one whose userinfo pgx misreads (a / in the
// password) to a host nobody meant.
func HasHost(raw string) bool {
	p, ok := split(raw)
	if !ok || p.misread {
		return false // pgx would connect somewhere else than meant
	}
	hosts, _, _ := strings.Cut(p.hostPath, "/")
	for _, h := range strings.Split(hosts, ",") {
		if strings.HasPrefix(h, "[") {
			h, _, _ = strings.Cut(h[1:], "]") // [::1]:5432
		} else {
			h, _, _ = strings.Cut(h, ":")
		}
		if strings.TrimSpace(h) != "" {
			return true
		}
	}
	return false
}

// decode is a URL component as libpq decodes it: spaces around it
// dropped, %XX decoded, nothing else special (a + stays a +). ok is false
// for what libpq refuses: a space inside, a bad or a %00 escape.
func decode(s string) (string, bool) {
	s = strings.Trim(s, " ")
	if strings.Contains(s, " ") {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		c, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil || c == 0 || strings.ContainsAny(s[i+1:i+3], "+-") {
			return "", false
		}
		b.WriteByte(byte(c))
		i += 2
	}
	return b.String(), true
}

// IsURL reports whether pgx reads raw as a URL (postgres://… or
// postgresql://…) rather than as a keyword/value string.
func IsURL(raw string) bool {
	_, ok := split(raw)
	return ok
}
