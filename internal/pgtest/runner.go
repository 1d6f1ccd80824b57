package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"syscall"
)

// unprivilegedUser is who runs initdb and the server when the tests run as
// root, which PostgreSQL refuses ("cannot be run as root"). nobody exists on
// every Debian machine, so nothing is added to /etc/passwd.
const unprivilegedUser = "nobody"

// runner is the account the cluster's programs run as.
type runner struct {
	cred *syscall.Credential // nil: this process's own user
	uid  int
	gid  int
}

// currentRunner is this process's user, or nobody when that is root.
func currentRunner() (runner, error) {
	if os.Geteuid() != 0 {
		return runner{uid: os.Geteuid(), gid: os.Getegid()}, nil
	}
	u, err := user.Lookup(unprivilegedUser)
	if err != nil {
		return runner{}, fmt.Errorf("looking up %s to run PostgreSQL as (it refuses root): %w", unprivilegedUser, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return runner{}, fmt.Errorf("reading %s's uid %q: %w", unprivilegedUser, u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return runner{}, fmt.Errorf("reading %s's gid %q: %w", unprivilegedUser, u.Gid, err)
	}
	// Groups empty: root's supplementary groups are dropped, not inherited.
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	return runner{cred: cred, uid: int(uid), gid: int(gid)}, nil
}

// own hands path to the runner, so initdb can write in it.
func (r runner) own(path string) error {
	if r.cred == nil {
		return nil
	}
	if err := os.Chown(path, r.uid, r.gid); err != nil {
		return fmt.Errorf("handing %s to %s: %w", path, unprivilegedUser, err)
	}
	return nil
}

// command is name with args, run as the runner in dir with an environment
// that cannot point it at another cluster (PGDATA, PGPORT…) and keeps its
// messages in English, which start reads for a port already taken.
func (r runner) command(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir // the runner may not be able to enter the test's working directory
	env := []string{"LC_ALL=C", "TZ=UTC"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG") || strings.HasPrefix(kv, "TZ=") {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	return cmd
}
