package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/fleet"
)

// fleetView shows a run over a target list as it goes. On a terminal: a
// bar per running target (its backfill's rows, or its last line) and one
// for the fleet, with every target's lines printed above them. Otherwise
// (logs, CI): the same lines, each prefixed with its target, and backfill
// progress as plain lines on stderr.
type fleetView struct {
	jobs []fleet.Job
	out  io.Writer // lines: stdout, or above the bars
	errw io.Writer
	mu   sync.Mutex // one line at a time on out and errw

	bars  *mpb.Progress // nil unless stdout is a terminal
	total *mpb.Bar
	state []*barState
}

// barState is a bar and its words, a name before it and its state after
// it, which the bar reads as they change.
type barState struct {
	mu         sync.Mutex
	bar        *mpb.Bar
	name, last string
}

// newBar adds a bar that goes away once complete.
func newBar(bars *mpb.Progress, name, last string) *barState {
	s := &barState{name: name, last: last}
	text := func(f *string) decor.Decorator {
		return decor.Any(func(decor.Statistics) string {
			s.mu.Lock()
			defer s.mu.Unlock()
			return *f
		}, decor.WCSyncSpaceR)
	}
	s.bar = bars.AddBar(0, mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(text(&s.name)), mpb.AppendDecorators(text(&s.last)))
	return s
}

// show sets the bar to a backfill's progress, and its words.
func (s *barState) show(p apply.Progress, name, last string) {
	s.mu.Lock()
	s.name, s.last = name, last
	s.mu.Unlock()
	s.bar.SetTotal(max(p.Total, 1), false)
	s.bar.SetCurrent(min(p.Done, max(p.Total, 1)))
}

func newFleetView(stdout, stderr io.Writer, jobs []fleet.Job) *fleetView {
	v := &fleetView{jobs: jobs, out: stdout, errw: stderr, state: make([]*barState, len(jobs))}
	if isTerminal(stdout) {
		v.bars = mpb.New(mpb.WithOutput(stdout), mpb.WithWidth(32))
		v.out, v.errw = v.bars, v.bars
		v.total = v.bars.AddBar(int64(len(jobs)),
			mpb.BarPriority(1<<30), // the fleet stays below the targets
			mpb.PrependDecorators(decor.Name("fleet", decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.CountersNoUnit("%d/%d targets")))
	}
	return v
}

// start shows target i as running, and returns where its lines and its
// backfill progress go.
func (v *fleetView) start(i int) (io.Writer, func(apply.Progress)) {
	name := v.jobs[i].Name
	log := &prefixWriter{v: v, w: v.out, prefix: name + ": "}
	if v.bars == nil {
		return log, progressLines(&prefixWriter{v: v, w: v.errw, prefix: name + ": "})
	}
	s := newBar(v.bars, name, "started")
	v.state[i] = s
	log.onLine = func(line string) {
		s.mu.Lock()
		s.last = strings.TrimSpace(line)
		s.mu.Unlock()
	}
	return log, func(p apply.Progress) { s.show(p, name, progressText(p)) }
}

// done prints target i's outcome and takes its bar away.
func (v *fleetView) done(i int, t *fleetTarget) {
	line := fmt.Sprintf("%s: %s", t.Target, t.Outcome)
	if t.ExitCode != codeOK {
		line += fmt.Sprintf(" (exit %d)", t.ExitCode)
	}
	if t.Version != "" {
		line += ", version " + t.Version
	}
	if t.State != "" {
		line += ", " + t.State
	}
	if t.Error != "" {
		line += ": " + t.Error
	}
	v.mu.Lock()
	fmt.Fprintln(v.out, strings.ReplaceAll(strings.TrimRight(line, "\n"), "\n", "\n"+t.Target+": "))
	v.mu.Unlock()
	if v.bars != nil {
		if s := v.state[i]; s != nil {
			s.bar.SetTotal(-1, true)
		}
		v.total.Increment()
	}
}

// wait lets the bars draw their last state.
func (v *fleetView) wait() {
	if v.bars != nil {
		v.total.SetTotal(-1, true)
		v.bars.Wait()
	}
}

// prefixWriter writes whole lines, each prefixed with its target, so that
// the lines of targets running at once do not mix.
type prefixWriter struct {
	v      *fleetView
	w      io.Writer
	prefix string
	buf    []byte
	onLine func(string)
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(p.buf[:i])
		p.buf = p.buf[i+1:]
		if p.onLine != nil && strings.TrimSpace(line) != "" {
			p.onLine(line)
		}
		p.v.mu.Lock()
		_, err := fmt.Fprintf(p.w, "%s%s\n", p.prefix, line)
		p.v.mu.Unlock()
		if err != nil {
			return len(b), err
		}
	}
}
