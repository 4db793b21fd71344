//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/fleet"
)

// On a terminal, a single target's backfill is a bar; the run's lines
// written while it is drawn stay on the screen above it (the bar redraws
// itself over what is below it), a finished bar goes away, and a run that
// stops mid-way leaves its bar as it was before anything else is printed.
func TestProgressBarOnATerminal(t *testing.T) {
	tty, screen := openTerminal(t)
	log, progress, stop := progressReporter(tty, tty)
	// Time for the bar to draw itself (every 100ms) between the steps:
	// a line written past a drawn bar is what its next drawing erased.
	pause := func() { time.Sleep(300 * time.Millisecond) }
	progress(apply.Progress{Table: "images", Done: 1, Total: 10})
	pause()
	fmt.Fprintln(log, "batch 1 written")
	pause()
	progress(apply.Progress{Table: "images", Done: 10, Total: 10, Finished: true})
	fmt.Fprintln(log, "expand done")
	progress(apply.Progress{Table: "users", Done: 5, Total: 10, RowsPerSecond: 5, ETA: time.Second})
	pause()
	stop()
	fmt.Fprintln(tty, "emcee: interrupted")
	got := screen()
	want := []string{"batch 1 written", "expand done", "backfill users: 5 of 10 rows, 5 rows/s, ETA 1s", "emcee: interrupted"}
	if len(got) != len(want) {
		t.Fatalf("screen:\n%s", strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Fatalf("line %d: want %q, screen:\n%s", i+1, w, strings.Join(got, "\n"))
		}
	}
}

// On a terminal a fleet's targets are bars above the fleet's, each with its
// backfill's progress; each target's outcome stays, the targets' bars go,
// the fleet's shows it done.
func TestFleetBarsOnATerminal(t *testing.T) {
	tty, screen := openTerminal(t)
	jobs := []fleet.Job{{Name: "db1"}, {Name: "db2"}}
	v := newFleetView(tty, tty, jobs)
	for i := range jobs {
		log, progress := v.start(i)
		fmt.Fprintf(log, "expand of %s\n", jobs[i].Name)
		progress(apply.Progress{Table: "images", Done: 5, Total: 10})
	}
	time.Sleep(300 * time.Millisecond) // the bars drawn
	for i := range jobs {
		v.done(i, &fleetTarget{Target: jobs[i].Name, Outcome: outcomeOK})
	}
	v.wait()
	got := strings.Join(screen(), "\n")
	if !strings.HasPrefix(got, "db1: expand of db1\ndb2: expand of db2\ndb1: ok\ndb2: ok\nfleet ") || !strings.HasSuffix(got, "] 2/2 targets") {
		t.Fatalf("screen:\n%s", got)
	}
}

// openTerminal opens a pseudo-terminal 120 columns wide; screen closes it
// and returns its lines as a terminal shows them (mpb moves the cursor up
// and clears to the end of the screen; nothing else moves it).
func openTerminal(t *testing.T) (*os.File, func() []string) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	fd := int(ptmx.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	read := make(chan struct{})
	go func() { _, _ = io.Copy(&raw, ptmx); close(read) }()
	return tty, func() []string {
		tty.Close()
		<-read
		ptmx.Close()
		lines, row, col := []string{""}, 0, 0
		b := raw.Bytes()
		for i := 0; i < len(b); i++ {
			switch c := b[i]; {
			case c == '\r':
				col = 0
			case c == '\n':
				row, col = row+1, 0
				if row == len(lines) {
					lines = append(lines, "")
				}
			case c == 0x1b && i+1 < len(b) && b[i+1] == '[':
				j := i + 2
				for j < len(b) && b[j] >= '0' && b[j] <= '9' {
					j++
				}
				var n int
				fmt.Sscan(string(b[i+2:j]), &n)
				switch b[j] {
				case 'A':
					row = max(row-n, 0)
				case 'J':
					lines[row] = lines[row][:min(col, len(lines[row]))]
					lines = lines[:row+1]
				default:
					t.Fatalf("escape %q", b[i:j+1])
				}
				i = j
			default:
				l := lines[row]
				for len(l) < col {
					l += " "
				}
				lines[row] = l[:col] + string(c) + l[min(col+1, len(l)):]
				col++
			}
		}
		var shown []string
		for _, l := range lines {
			if l = strings.TrimSpace(l); l != "" {
				shown = append(shown, l)
			}
		}
		return shown
	}
}
