package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/markwatch/markwatch/internal/domain"
)

// runAlerts reads alerts straight from the store. SQLite in WAL mode lets it
// do so while the daemon is writing.
func runAlerts(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return usagef("usage: markwatch alerts list [--mark ID] [--status open|confirmed|dismissed] [--limit N] [--json]")
	}
	fs := newFlags("alerts list", env)
	cfgPath := configFlag(fs)
	mark := fs.String("mark", "", "only alerts on this mark id")
	status := fs.String("status", "", "only alerts with this status: open, confirmed or dismissed")
	limit := fs.Int("limit", 50, "at most this many alerts, newest first")
	asJSON := fs.Bool("json", false, "print JSON lines instead of a table")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, env)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	alerts, total, err := db.ListAlerts(ctx, domain.AlertFilter{MarkID: *mark, Status: domain.AlertStatus(*status), Limit: *limit})
	if err != nil {
		return fmt.Errorf("listing alerts: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		for _, a := range alerts {
			if err := enc.Encode(a); err != nil {
				return fmt.Errorf("writing alert %d: %w", a.ID, err)
			}
		}
		return nil
	}
	tw := newTable(env.Stdout)
	fmt.Fprintln(tw, "ID\tMARK\tSCORE\tSTATUS\tSELLER\tLOCATION\tTITLE\tREASONS\tURL")
	for _, a := range alerts {
		reasons := make([]string, 0, len(a.Reasons))
		for _, r := range a.Reasons {
			reasons = append(reasons, r.Text)
		}
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.MarkID, a.Score, a.Status,
			a.Seller, a.Location, a.Title, strings.Join(reasons, "; "), a.URL)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing alerts: %w", err)
	}
	_, err = fmt.Fprintf(env.Stdout, "%d of %d alerts\n", len(alerts), total)
	return err
}
