package pgtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// superuser is the role initdb creates; every URL connects as it.
const superuser = "markwatch"

// templatePrefix names the initdb'd data directories kept (in /dev/shm or
// the temp dir) for every later cluster to copy: initdb takes seconds (its bootstrap
// runs the whole catalogue's SQL), a copy a fraction of one, and every
// test binary that starts a cluster would otherwise pay it.
const templatePrefix = "markwatch-pgtest-template-"

// hbaConf lets anyone on this machine in without a password (the cluster
// holds only test data), over the socket or 127.0.0.1, and nothing else.
const hbaConf = "# pgtest: trust on loopback only\nlocal all all trust\nhost all all 127.0.0.1/32 trust\n"

// initdbArgs make the template: UTF8 (titles are Chinese) under the C
// locale, which needs no locale installed; no fsync of the new files; 1 MB
// WAL segments instead of 16, so a copy has 15 MB less to write.
func initdbArgs(data string) []string {
	return []string{"-D", data, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions", "--wal-segsize=1"}
}

// template returns an initdb'd data directory in base for the server in
// bin, run by r, building it when no earlier process has. It is built in a
// directory of its own and renamed into place, so a reader never sees half
// of one; of two processes building at once, one rename wins and the other
// throws its copy away.
func template(bin string, r runner, base string) (string, error) {
	version, err := r.command(base, filepath.Join(bin, "postgres"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("asking %s for its version: %w", filepath.Join(bin, "postgres"), err)
	}
	// A template is only reused by the same server, options and owner.
	key := sha256.Sum256([]byte(strings.Join([]string{bin, string(bytes.TrimSpace(version)), strings.Join(initdbArgs(""), " "), hbaConf, fmt.Sprint(r.uid)}, "\x00")))
	final := filepath.Join(base, templatePrefix+hex.EncodeToString(key[:8]))
	if _, err := os.Stat(final); err == nil {
		return final, checkTemplate(final)
	}

	staging, err := newOwnedDir(r, base, templatePrefix+"build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(staging)
	data := filepath.Join(staging, "data")
	out, err := r.command(staging, filepath.Join(bin, "initdb"), initdbArgs(data)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("running initdb: %w: %s", err, bytes.TrimSpace(out))
	}
	hba := filepath.Join(data, "pg_hba.conf")
	if err := os.WriteFile(hba, []byte(hbaConf), 0o600); err != nil {
		return "", fmt.Errorf("writing the template's pg_hba.conf: %w", err)
	}
	if err := r.own(hba); err != nil {
		return "", err
	}
	if err := os.Rename(data, final); err != nil {
		if _, statErr := os.Stat(final); statErr != nil {
			return "", fmt.Errorf("moving the template into %s: %w", final, err)
		}
		// Another process's rename came first; its template is as good.
	}
	return final, checkTemplate(final)
}

// checkTemplate catches a template a temp-dir cleaner has thinned out,
// which would otherwise fail later as a server that will not start.
func checkTemplate(dir string) error {
	for _, f := range []string{"PG_VERSION", "global/pg_control", "base", "pg_hba.conf"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("checking the cluster template %s: %s is missing; remove the directory and it is rebuilt", dir, f)
			}
			return fmt.Errorf("checking the cluster template %s: %w", dir, err)
		}
	}
	return nil
}
