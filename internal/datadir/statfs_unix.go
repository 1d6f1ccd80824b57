//go:build unix

package datadir

import (
	"os"
	"syscall"
)

// Free is the number of bytes an unprivileged process may still write on
// the file system holding dir (root's reserve is not counted: the daemon
// should not need it).
func Free(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, &os.PathError{Op: "statfs", Path: dir, Err: err}
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
