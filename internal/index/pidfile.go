package index

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// pidFile records the running child and the markwatch that owns it, so that
// after markwatch itself was killed the next start can stop the orphan: the
// child sits in its own process group, survives its owner, and would
// otherwise keep serving the same data dir beside a new server (Meilisearch
// does not lock it against a second one). While the owner lives, a second
// start on the data dir is refused instead.
const pidFile = "meilisearch.pid"

func writePidFile(dataDir string, child int) error {
	path := filepath.Join(dataDir, pidFile)
	body := fmt.Sprintf("%d %d\n", child, os.Getpid())
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// readPidFile returns the child and owner pids; ok is false when the file
// is missing or unreadable.
func readPidFile(dataDir string) (child, owner int, ok bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, pidFile))
	if err != nil {
		return 0, 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0, false
	}
	child, err1 := strconv.Atoi(f[0])
	owner, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || child <= 0 || owner <= 0 {
		return 0, 0, false
	}
	return child, owner, true
}

// removePidFile removes the pid file if it still names child: a newer server
// on the same data dir may have replaced it already.
func removePidFile(dataDir string, child int) {
	if c, _, ok := readPidFile(dataDir); ok && c == child {
		_ = os.Remove(filepath.Join(dataDir, pidFile))
	}
}
