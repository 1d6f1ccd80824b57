//go:build unix

package index

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/markwatch/markwatch/internal/domain"
)

// stopOrphan deals with a server recorded in dataDir's pid file. If its
// owner is still its parent, another markwatch is using the data dir: refuse.
// If the owner is gone, stop the orphan. It only signals a process whose
// command line is a Meilisearch on this data dir, so a recycled pid is never
// hit.
func stopOrphan(dataDir, dbPath string, bound time.Duration, log *zap.Logger) error {
	path := filepath.Join(dataDir, pidFile)
	pid, owner, ok := readPidFile(dataDir)
	if !ok {
		return removeIfExists(path)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte("meilisearch")) || !bytes.Contains(cmdline, []byte(dbPath)) {
		return removeIfExists(path) // gone, or the pid now belongs to something else
	}
	if ppid, err := parentPid(pid); err == nil && ppid == owner {
		return domain.Errorf(domain.ECONFLICT,
			"Meilisearch pid %d, run by markwatch pid %d, is already serving %s; stop that markwatch or use another data dir",
			pid, owner, dataDir)
	}
	log.Warn("stopping a Meilisearch left running by a markwatch that died", zap.Int("pid", pid), zap.Int("owner_pid", owner))
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stopping orphaned Meilisearch pid %d: %w", pid, err)
	}
	if !waitGone(pid, bound) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		if !waitGone(pid, bound) {
			return fmt.Errorf("orphaned Meilisearch pid %d survives SIGKILL; stop it by hand", pid)
		}
	}
	return removeIfExists(path)
}

// parentPid reads the parent pid from /proc/<pid>/stat ("pid (comm) state
// ppid ..."; comm may hold spaces and parentheses, so parse after the last ')').
func parentPid(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("parsing /proc/%d/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, fmt.Errorf("parsing /proc/%d/stat", pid)
	}
	return strconv.Atoi(f[1])
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}

func waitGone(pid int, bound time.Duration) bool {
	deadline := time.Now().Add(bound)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
