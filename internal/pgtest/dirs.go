package pgtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// dirPrefix starts the name of every directory pgtest makes, templates
// included.
const dirPrefix = "markwatch-pgtest-"

// ownerFile, in a cluster's or a template build's directory, holds the pid
// of the process that made it. A directory whose owner is gone was left by
// a killed test and is swept by the next start; templates have none and
// stay.
const ownerFile = "owner.pid"

// shm is a memory file system on every Linux machine. A cluster is written
// there when it has room: copying the template onto ext4 took 0.5-0.8 s of
// system time here, onto tmpfs 0.1 s, and the server's writes gain alike.
const shm = "/dev/shm"

// minShmFree is the room /dev/shm must have to be used: a cluster takes
// ~30 MB before its tests write, and a container's /dev/shm is often 64 MB.
const minShmFree = 1 << 30

// baseDirs are where pgtest's directories go, the preferred first; both
// are swept, since the choice follows the free room.
func baseDirs() []string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(shm, &st); err == nil && st.Bavail*uint64(st.Bsize) >= minShmFree && syscall.Access(shm, 0o2) == nil {
		return []string{shm, os.TempDir()}
	}
	return []string{os.TempDir(), shm}
}

// newOwnedDir makes a directory in base for r, recording this process as
// its owner.
func newOwnedDir(r runner, base, prefix string) (string, error) {
	dir, err := os.MkdirTemp(base, prefix)
	if err != nil {
		return "", fmt.Errorf("making a directory for PostgreSQL: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("recording the owner of %s: %w", dir, err)
	}
	if err := r.own(dir); err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// sweepStale removes what killed tests of r left in base: directories whose
// owner process is gone, after killing a server still running from one (it
// normally dies with its test; see runServer) and removing the System V
// segment a killed server cannot. Best effort: a directory it cannot read
// or remove is someone else's and is left alone.
func sweepStale(base string, r runner) {
	dirs, err := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
	if err != nil {
		return
	}
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // a template, or a directory a live start has just made
		}
		owner, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || owner <= 0 || processAlive(owner) {
			continue
		}
		data := filepath.Join(dir, "data")
		killOrphan(data)
		removeInterlock(data, r.uid)
		_ = os.RemoveAll(dir)
	}
}

// postmasterPID reads data's postmaster.pid: the server's pid (line 1)
// and its System V segment's key and id (line 7); zeros where missing.
func postmasterPID(data string) (pid, shmKey, shmID int) {
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return 0, 0, 0
	}
	lines := strings.Split(string(b), "\n")
	pid, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	if len(lines) >= 7 {
		if f := strings.Fields(lines[6]); len(f) == 2 {
			shmKey, _ = strconv.Atoi(f[0])
			shmID, _ = strconv.Atoi(f[1])
		}
	}
	return pid, shmKey, shmID
}

// killOrphan kills the server of data if postmaster.pid names one that is
// still running, checked against its command line so that a recycled pid
// of another program is never hit.
func killOrphan(data string) {
	pid, _, _ := postmasterPID(data)
	if pid <= 0 {
		return
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte("\x00"+data+"\x00")) {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// removeInterlock removes the small System V segment the server of data
// made to detect a second server on its directory. A server stopped by
// signal removes its own; one killed (with its test) leaves it for ever,
// one of the kernel's 4096. It is removed only when its key and owner are
// the ones recorded and nothing is attached any more; the dead server's
// other processes (checkpointer, backends) are given a moment to notice
// and go.
func removeInterlock(data string, uid int) {
	_, key, id := postmasterPID(data)
	if key == 0 {
		return
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		var ds unix.SysvShmDesc
		if _, err := unix.SysvShmCtl(id, unix.IPC_STAT, &ds); err != nil {
			return // gone already
		}
		if int(ds.Perm.Key) != key || int(ds.Perm.Uid) != uid {
			return // the id was reused by someone else's segment
		}
		if ds.Nattch == 0 {
			_, _ = unix.SysvShmCtl(id, unix.IPC_RMID, nil)
			return
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processAlive says whether pid runs; a process of another user counts.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
