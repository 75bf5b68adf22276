//go:build unix

package cli

import (
	"errors"
	"syscall"
)

// processGone reports whether no process has this pid (signal 0 probes
// without signalling).
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
