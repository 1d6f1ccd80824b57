package match

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time the calling OS thread has used; benchmarks lock
// their goroutine to a thread and read it around what they time, so that
// titles per second per core do not depend on what else the machine runs.
func threadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
