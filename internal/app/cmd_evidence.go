package app

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/markwatch/markwatch/internal/domain"
	"github.com/markwatch/markwatch/internal/evidence"
)

const evidenceUsage = `usage: markwatch evidence verify [ALERT_ID | --all] [--json]

Recomputes the SHA-256 of every artefact under evidence.dir, every capture
record's hash, the Merkle log's roots, the tree heads' signatures and the
RFC 3161 timestamp tokens (against evidence.tsa_ca). Exits 1 and names the
exact artefact, record or tree head when anything was altered.`

// runEvidence checks the evidence on the store and disk directly, as an
// examiner would: it trusts nothing the daemon says.
func runEvidence(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usagef("%s", evidenceUsage)
	}
	fs := newFlags("evidence verify", env)
	cfgPath := configFlag(fs)
	all := fs.Bool("all", false, "verify every capture of every alert")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	var alertID int64
	switch {
	case *all && len(pos) == 0:
	case !*all && len(pos) == 1:
		alertID, err = strconv.ParseInt(pos[0], 10, 64)
		if err != nil || alertID <= 0 {
			return usagef("alert id %q: give the number `markwatch alerts list` shows, or --all", pos[0])
		}
	default:
		return usagef("give one ALERT_ID or --all\n%s", evidenceUsage)
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
	kit, err := openEvidence(cfg)
	if err != nil {
		return err
	}
	if alertID != 0 {
		if _, err := db.GetAlert(ctx, alertID); err != nil {
			return fmt.Errorf("verifying evidence of alert %d: %w", alertID, err)
		}
	}
	rep, err := evidence.Verify(ctx, evidence.VerifyDeps{Store: db, Blobs: kit.blobs}, evidence.VerifyOptions{
		AlertID:       alertID,
		Keys:          []ed25519.PublicKey{kit.signer.PublicKey()},
		TSARoots:      kit.tsaRoots,
		RequireStamps: cfg.Evidence.TSAURL != "",
	})
	if err != nil {
		return fmt.Errorf("verifying evidence: %w", err)
	}
	if *asJSON {
		b, _ := json.MarshalIndent(rep, "", "  ") // a Report always encodes
		fmt.Fprintln(env.Stdout, string(b))
	} else {
		fmt.Fprintf(env.Stdout, "checked %d captures, %d artefacts, %d log leaves, %d tree heads (%d stamped)\n",
			rep.Captures, rep.Artefacts, rep.Leaves, rep.TreeHeads, rep.Stamped)
		for _, n := range rep.Notes {
			fmt.Fprintf(env.Stdout, "note: %s\n", n)
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(env.Stdout, "FAILED %s\n", p)
		}
	}
	if !rep.OK() {
		return domain.Errorf(domain.ECONFLICT, "evidence verification failed: %d problems (see above)", len(rep.Problems))
	}
	fmt.Fprintln(env.Stdout, "OK: every hash, the log and the tree heads verify")
	return nil
}
