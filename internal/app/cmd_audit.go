package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/markwatch/markwatch/internal/domain"
)

const auditUsage = `usage: markwatch audit list [--action ACTION] [--object OBJECT] [--limit N] [--json] [--api URL] [--token-file FILE]

Reads the audit log from the running daemon with your API token
(MARKWATCH_TOKEN): administrators see every change, owners the changes
about their own marks. ACTION is e.g. alert.review, or a family ending in
a dot (source., user.).`

// runAudit lists audit entries through the API, so each user reads exactly
// the part of the log its token may see.
func runAudit(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return usagef("%s", auditUsage)
	}
	fs := newFlags("audit list", env)
	cfgPath := configFlag(fs)
	apiFlag := fs.String("api", "", "URL of the running daemon (default: http:// and http.listen from the configuration)")
	tokenFile := tokenFileFlag(fs)
	action := fs.String("action", "", "only this action (alert.review) or family (source.)")
	object := fs.String("object", "", "only this object, e.g. alert:12 or source:jd")
	limit := fs.Int("limit", 50, "at most this many entries, newest first")
	asJSON := fs.Bool("json", false, "print the API's JSON answer instead of a table")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	token, err := daemonToken(env, *tokenFile)
	if err != nil {
		return err
	}
	base := *apiFlag
	if base == "" {
		base = apiURL(cfg.HTTP.Listen)
	}
	c := &sourcesClient{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{Timeout: 30 * time.Second}}
	q := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *action != "" {
		q.Set("action", *action)
	}
	if *object != "" {
		q.Set("object", *object)
	}
	var list struct {
		Entries []domain.AuditEntry `json:"entries"`
		Total   int                 `json:"total"`
	}
	raw, err := c.do(ctx, http.MethodGet, "/api/v1/audit?"+q.Encode(), nil, &list)
	if err != nil {
		return fmt.Errorf("listing audit entries: %w", err)
	}
	if *asJSON {
		_, err := env.Stdout.Write(append(raw, '\n'))
		return err
	}
	loc, err := cfg.Schedule.Location()
	if err != nil {
		return fmt.Errorf("reading schedule.timezone: %w", err)
	}
	return printAudit(env.Stdout, list.Entries, loc)
}

func printAudit(w io.Writer, entries []domain.AuditEntry, loc *time.Location) error {
	tw := newTable(w)
	fmt.Fprintln(tw, "TIME\tWHO\tACTION\tOBJECT\tBEFORE → AFTER\tNOTE")
	for _, e := range entries {
		change := ""
		if len(e.Before) > 0 || len(e.After) > 0 {
			change = compactJSON(e.Before) + " → " + compactJSON(e.After)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.In(loc).Format(timeLayout), e.Actor.Name, e.Action,
			e.Object, orDash(change), orDash(e.Note))
	}
	return tw.Flush()
}

func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "—"
	}
	return string(raw)
}
