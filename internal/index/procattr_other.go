//go:build !unix

package index

import (
	"os"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// stopOrphan is a no-op where /proc and kill(2) are not available.
func stopOrphan(string, string, time.Duration, *zap.Logger) error { return nil }

func childProcAttr() *syscall.SysProcAttr { return nil }

var terminateSignal = os.Kill
