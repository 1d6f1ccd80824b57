package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// fakeBins makes dir/<name> for each name as an executable script.
func fakeBins(t *testing.T, dir string, names ...string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindBinaries(t *testing.T) {
	root := t.TempDir()
	// Debian's layout: one directory per major version, off PATH.
	debian := filepath.Join(root, "usr/lib/postgresql")
	v96 := fakeBins(t, filepath.Join(debian, "9.6/bin"), "initdb", "postgres", "pg_ctl")
	v15 := fakeBins(t, filepath.Join(debian, "15/bin"), "initdb", "postgres", "pg_ctl")
	fakeBins(t, filepath.Join(debian, "16/bin"), "initdb") // a half-removed upgrade
	glob := filepath.Join(debian, "*/bin")
	// This machine's /usr/local/bin: only initdb, a symlink into 15/bin.
	local := fakeBins(t, filepath.Join(root, "usr/local/bin"))
	if err := os.Symlink(filepath.Join(v15, "initdb"), filepath.Join(local, "initdb")); err != nil {
		t.Fatal(err)
	}
	complete := fakeBins(t, filepath.Join(root, "opt/pg/bin"), "initdb", "postgres")
	noServer := fakeBins(t, filepath.Join(root, "opt/broken/bin"), "initdb", "pg_ctl")
	empty := fakeBins(t, filepath.Join(root, "empty"))

	tests := []struct {
		name    string
		lookup  binLookup
		want    string
		wantErr []string // substrings of the error
	}{
		{"newest complete Debian version", binLookup{path: empty, globs: []string{glob}}, v15, nil},
		{"only an old version", binLookup{globs: []string{filepath.Join(debian, "9.*/bin")}}, v96, nil},
		{"PATH's initdb followed through its symlink", binLookup{path: local, globs: []string{glob}}, v15, nil},
		{"PATH before Debian's", binLookup{path: empty + string(os.PathListSeparator) + complete, globs: []string{glob}}, complete, nil},
		{"PATH's incomplete directory skipped", binLookup{path: noServer, globs: []string{glob}}, v15, nil},
		{"override wins", binLookup{override: complete, path: local, globs: []string{glob}}, complete, nil},
		{"incomplete override fails, no fallback", binLookup{override: noServer, globs: []string{glob}}, "", []string{binEnv, noServer, "no postgres", "make postgres"}},
		{"nothing anywhere", binLookup{path: empty, globs: []string{filepath.Join(root, "none/*/bin")}}, "", []string{"no initdb and postgres", "make postgres", "apt-get"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findBinaries(tt.lookup)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("findBinaries = %s, want an error", got)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not say %q", err, s)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("findBinaries = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// recordingTB stands in for a test so that what Start does with a missing
// server can be seen: it must fail, never skip.
type recordingTB struct {
	testing.TB
	mu    sync.Mutex
	fatal string
	skip  string
}

func (r *recordingTB) Helper()                   {}
func (r *recordingTB) Cleanup(func())            {}
func (r *recordingTB) Fatalf(f string, a ...any) { r.record(&r.fatal, fmt.Sprintf(f, a...)) }
func (r *recordingTB) Fatal(a ...any)            { r.record(&r.fatal, fmt.Sprint(a...)) }
func (r *recordingTB) Skipf(f string, a ...any)  { r.record(&r.skip, fmt.Sprintf(f, a...)) }
func (r *recordingTB) Skip(a ...any)             { r.record(&r.skip, fmt.Sprint(a...)) }
func (r *recordingTB) SkipNow()                  { r.record(&r.skip, "SkipNow") }
func (r *recordingTB) FailNow()                  { r.record(&r.fatal, "FailNow") }

func (r *recordingTB) record(to *string, msg string) {
	r.mu.Lock()
	*to = msg
	r.mu.Unlock()
	runtime.Goexit() // as the real ones: the test goes no further
}

// TestMissingServerFails: without the server programs Start fails the test,
// CI or not, and says what to install.
func TestMissingServerFails(t *testing.T) {
	for _, ci := range []string{"1", ""} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			t.Setenv(binEnv, t.TempDir())
			rec := &recordingTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Start(rec)
				t.Error("Start returned a cluster without a server to run")
			}()
			<-done
			if rec.skip != "" {
				t.Errorf("Start skipped: %s", rec.skip)
			}
			if !strings.Contains(rec.fatal, "make postgres") {
				t.Errorf("Start failed with %q, want the install hint", rec.fatal)
			}
		})
	}
}

func TestDatabaseName(t *testing.T) {
	tests := []struct {
		n    int64
		test string
		want string
	}{
		{1, "TestSave", "t1_testsave"},
		// One underscore per character, however many bytes it takes.
		{12, "TestSearch/衡水老白干_42度", "t12_testsearch_______42_"},
		{3, "TestMatch/君乐宝/简体", "t3_testmatch_______"},
		{4, strings.Repeat("TestVeryLongName", 8), ("t4_" + strings.Repeat("testverylongname", 4))[:maxIdentifier]},
	}
	for _, tt := range tests {
		t.Run(tt.test, func(t *testing.T) {
			got := databaseName(tt.n, tt.test)
			if got != tt.want {
				t.Errorf("databaseName(%d, %q) = %q, want %q", tt.n, tt.test, got, tt.want)
			}
			if len(got) > maxIdentifier {
				t.Errorf("%q is %d bytes, over PostgreSQL's %d", got, len(got), maxIdentifier)
			}
		})
	}
}
