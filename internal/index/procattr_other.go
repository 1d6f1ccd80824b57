//go:build !unix

package index

import (
	"os"
	"syscall"
)

func childProcAttr() *syscall.SysProcAttr { return nil }

var terminateSignal = os.Kill
