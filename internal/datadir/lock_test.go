package datadir_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/markwatch/markwatch/internal/datadir"
	"github.com/markwatch/markwatch/internal/domain"
)

// A second holder of the same data dir is refused with an error naming the
// dir and the holder's pid, whatever the dir is called; once the first lets
// go, the dir can be taken again.
func TestLockRefusesSecondHolder(t *testing.T) {
	for _, name := range []string{"data", "数据目录", "河北 老字号/markwatch"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			first, err := datadir.Acquire(dir)
			if err != nil {
				t.Fatalf("first Acquire: %v", err)
			}
			second, err := datadir.Acquire(dir)
			if err == nil {
				_ = second.Release()
				t.Fatal("second Acquire on a held data dir succeeded")
			}
			if domain.ErrorCode(err) != domain.ECONFLICT {
				t.Errorf("code %q, want %q: %v", domain.ErrorCode(err), domain.ECONFLICT, err)
			}
			for _, want := range []string{dir, "pid " + strconv.Itoa(os.Getpid())} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			if err := first.Release(); err != nil {
				t.Fatal(err)
			}
			again, err := datadir.Acquire(dir)
			if err != nil {
				t.Fatalf("Acquire after Release: %v", err)
			}
			if err := again.Release(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A lock file left by a process that died (its pid still written in it)
// does not block: the kernel dropped the lock with the process, and the new
// holder records its own pid.
func TestLockIgnoresFileOfDeadHolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, datadir.LockFile), []byte("4194999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := datadir.Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire over a dead holder's file: %v", err)
	}
	defer l.Release()
	b, err := os.ReadFile(filepath.Join(dir, datadir.LockFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != strconv.Itoa(os.Getpid()) {
		t.Errorf("lock file holds %q, want this process's pid %d", got, os.Getpid())
	}
}

func TestReleaseTwice(t *testing.T) {
	l, err := datadir.Acquire(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
}
