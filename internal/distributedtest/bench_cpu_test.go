package distributedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of /proc's CPU times: USER_HZ, which Linux fixes
// at 100 for user space on every architecture Go runs on.
const clockTick = 10 * time.Millisecond

// cpuSample is the CPU time used so far, by who used it: each markwatch
// role (with anything it started), postgres, meilisearch and this test
// process (the marketplace and the polling), plus the whole machine's
// busy time, which includes whatever else shares it.
type cpuSample struct {
	by      map[string]time.Duration
	machine time.Duration
	// runq is the time the markwatch roles' threads were ready to run but
	// waited for a core (schedstat): CPU contention, where by is CPU used.
	runq map[string]time.Duration
}

// sampleCPU reads the CPU times of every process descended from this one
// from /proc. A process's time is utime+stime plus cutime+cstime, its
// children reaped so far: the backends postgres forks per connection are
// counted in the postmaster once they exit, so a diff of two samples
// loses none. roles names the markwatch processes by pid.
func sampleCPU(roles map[int]string) (cpuSample, error) {
	type stat struct {
		ppid  int
		comm  string
		ticks int64
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return cpuSample{}, fmt.Errorf("listing processes: %w", err)
	}
	procs := map[int]stat{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // exited since the listing
		}
		// comm is in parentheses and may hold spaces or parentheses.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(s[end+1:]) // f[0] is field 3, state
		if len(f) < 15 {
			continue
		}
		st := stat{comm: s[open+1 : end]}
		st.ppid, _ = strconv.Atoi(f[1])
		for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
			n, _ := strconv.ParseInt(f[i], 10, 64)
			st.ticks += n
		}
		procs[pid] = st
	}
	self := os.Getpid()
	out := cpuSample{by: map[string]time.Duration{}, runq: map[string]time.Duration{}}
	for pid, role := range roles {
		out.runq[role] += runQueueWait(pid)
	}
	for pid, st := range procs {
		who := ""
		for p := pid; p > 1 && who == ""; p = procs[p].ppid {
			if r, ok := roles[p]; ok {
				who = r
			} else if p == self {
				who = st.comm
			} else if _, ok := procs[p]; !ok {
				break
			}
		}
		if who == "" || pid == self {
			continue // not ours; this process is counted by getrusage
		}
		if strings.HasPrefix(who, "meilisearch") {
			who = "meilisearch"
		}
		out.by[who] += time.Duration(st.ticks) * clockTick
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuSample{}, fmt.Errorf("reading this process's CPU time: %w", err)
	}
	out.by["market"] = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	out.machine, err = machineBusy()
	return out, err
}

// runQueueWait is the time pid's threads have waited for a core, from
// the second field of each thread's /proc schedstat (nanoseconds); 0 when
// the kernel keeps no schedstat.
func runQueueWait(pid int) time.Duration {
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "schedstat"))
	var wait time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			wait += time.Duration(n)
		}
	}
	return wait
}

// machineBusy is the CPU time all cores spent not idle since boot.
func machineBusy() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("reading the machine's CPU time: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("reading the machine's CPU time: unexpected /proc/stat line %q", line)
	}
	var busy int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return time.Duration(busy) * clockTick, nil
}

// since is the CPU each user spent between an earlier sample and s.
func (s cpuSample) since(earlier cpuSample) cpuSample {
	d := cpuSample{by: map[string]time.Duration{}, runq: map[string]time.Duration{}, machine: s.machine - earlier.machine}
	for who, t := range s.by {
		d.by[who] = t - earlier.by[who]
	}
	for who, t := range s.runq {
		d.runq[who] = t - earlier.runq[who]
	}
	return d
}
