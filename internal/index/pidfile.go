package index

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// pidFile records the running child so that, after markwatch itself was
// killed, the next start can stop the orphan: it sits in its own process
// group, survives us, and would otherwise keep serving the same data dir
// beside the new server (Meilisearch does not lock it against a second one).
const pidFile = "meilisearch.pid"

func writePidFile(dataDir string, pid int) error {
	path := filepath.Join(dataDir, pidFile)
	if err := os.WriteFile(path, []byte(strconv.Itoa(pid)+"\n"), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// removePidFile removes the pid file if it still names pid: a newer server
// on the same data dir may have replaced it already.
func removePidFile(dataDir string, pid int) {
	path := filepath.Join(dataDir, pidFile)
	if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(pid) {
		_ = os.Remove(path)
	}
}
