//go:build unix

package planner

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used: on two cores shared with
// other work, wall time says more about the neighbours than about emcee.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
