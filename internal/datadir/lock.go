package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/markwatch/markwatch/internal/domain"
)

// LockFile is the file in the data dir that holds the lock and the pid of
// the process holding it.
const LockFile = "markwatch.lock"

// Lock is a held data dir. Release lets it go; so does the process ending.
type Lock struct {
	dir string

	mu sync.Mutex
	f  *os.File // nil once released
}

// Acquire creates dir if needed and takes its lock without waiting. A dir
// held by another process (or another Acquire in this one) is refused with
// domain.ECONFLICT naming the dir and the holder's pid.
func Acquire(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("locking data dir %s: creating it: %w", dir, err)
	}
	path := filepath.Join(dir, LockFile)
	// Never truncate on open: the file names the current holder, which a
	// refused process reads to say who it is.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking data dir %s: opening %s: %w", dir, path, err)
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		if errors.Is(err, errLocked) {
			return nil, domain.Errorf(domain.ECONFLICT,
				"data dir %s is in use by markwatch %s (lock %s); stop that markwatch or give this one another data_dir",
				dir, holder(path), path)
		}
		return nil, fmt.Errorf("locking data dir %s: %w", dir, err)
	}
	if err := writePid(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("locking data dir %s: recording pid in %s: %w", dir, path, err)
	}
	return &Lock{dir: dir, f: f}, nil
}

// Dir is the locked directory.
func (l *Lock) Dir() string { return l.dir }

// Release lets the dir go. The file stays (removing it would race a process
// that has it open and is about to lock it); safe to call more than once.
func (l *Lock) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor drops the flock
	l.f = nil
	if err != nil {
		return fmt.Errorf("unlocking data dir %s: %w", l.dir, err)
	}
	return nil
}

func writePid(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		return err
	}
	return f.Sync()
}

// holder reads the holder's pid for the refusal message. The holder writes
// it just after locking, so a refusal in between finds it empty.
func holder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(pid unknown)"
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return "(pid unknown)"
	}
	return "pid " + strconv.Itoa(pid)
}
