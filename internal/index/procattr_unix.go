//go:build unix

package index

import "syscall"

// childProcAttr puts the server in its own process group so a Ctrl-C in the
// terminal reaches markwatch only; markwatch flushes the outbox first and then
// stops the server itself.
func childProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

var terminateSignal = syscall.SIGTERM
