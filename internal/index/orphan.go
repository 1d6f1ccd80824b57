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
)

// stopOrphan stops a server left running on dataDir by a previous markwatch.
// It only signals a process whose command line is that of a Meilisearch on
// this data dir, so a recycled pid is never hit.
func stopOrphan(dataDir, dbPath string, bound time.Duration, log *zap.Logger) error {
	path := filepath.Join(dataDir, pidFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return removeIfExists(path) // unreadable: nothing we can safely signal
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte("meilisearch")) || !bytes.Contains(cmdline, []byte(dbPath)) {
		return removeIfExists(path) // gone, or the pid now belongs to something else
	}
	log.Warn("stopping a Meilisearch left running by a previous markwatch", zap.Int("pid", pid))
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
