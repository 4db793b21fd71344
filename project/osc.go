package project

import (
	"fmt"
	"slices"
	"time"
)

// Online schema change tools emcee can hand a copying statement to.
const (
	OSCNone  = "none"   // the server copies the table (ALGORITHM=COPY)
	OSCPtOSC = "pt-osc" // pt-online-schema-change, from Percona Toolkit
)

// PtOSCProgram is the program --osc pt-osc runs (Debian's percona-toolkit).
const PtOSCProgram = "pt-online-schema-change"

// OSC says how statements that copy their table run: the emcee block's
// osc, osc_chunk_time, osc_sleep, osc_max_load and osc_critical_load,
// which the db commands' --osc, --osc-chunk-time, --osc-sleep,
// --osc-max-load and --osc-critical-load override.
type OSC struct {
	Tool      string        // OSCNone or OSCPtOSC; "" reads as OSCNone
	ChunkTime time.Duration // 0: DefaultOSCChunkTime
	MaxLoad   Loads         // pt-online-schema-change --max-load; none: its default
	// CriticalLoad is pt-online-schema-change's --critical-load (the tool
	// stops, and drops its copy and triggers); none: its default.
	CriticalLoad Loads
	// Sleep is pt-online-schema-change's --sleep, the pause after each
	// chunk; 0: none.
	Sleep time.Duration
}

// CheckSleep refuses a pause the tool cannot make.
func CheckSleep(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s: want a duration of 0 (no pause) or more, e.g. 5ms", d)
	}
	return nil
}

// DefaultOSCChunkTime is the chunk time emcee gives the tool unless told
// otherwise, not the tool's own 0.5 s. Each chunk the tool copies holds
// the copy's AUTO-INC lock (MariaDB's default innodb_autoinc_lock_mode 1)
// and its rows' locks to its end, and the application's writes that meet
// them wait for it: a write's p99 during the copy is about its p99
// without the copy plus a chunk time (BENCHMARKS.md, issue 14). Shorter
// chunks lengthen the copy little: the tool sizes them to the time.
const DefaultOSCChunkTime = 5 * time.Millisecond

// Enabled reports whether copying statements go to a tool.
func (o OSC) Enabled() bool { return o.Tool == OSCPtOSC }

// CheckOSCTool refuses a tool emcee does not know.
func CheckOSCTool(tool string) error {
	switch tool {
	case "", OSCNone, OSCPtOSC:
		return nil
	}
	return fmt.Errorf("%q is not an online schema change tool emcee runs: want %q (pt-online-schema-change) or %q (the server copies the table, ALGORITHM=COPY)", tool, OSCPtOSC, OSCNone)
}

// ToolDefaultMaxLoad is pt-online-schema-change's own --max-load.
var ToolDefaultMaxLoad = Loads{{Var: "Threads_running", Max: 25}}

// ToolMaxLoad is the --max-load emcee gives the tool: the one asked for
// (or the tool's own, ToolDefaultMaxLoad), plus each --critical-load
// variable it does not name, with its critical threshold. The tool
// checks --critical-load only for the variables of --max-load: a
// --critical-load Threads_connected=1 did nothing at all. Added with the
// same threshold, the tool stops when it reaches it (it checks the
// critical threshold first) and never pauses for it.
func (o OSC) ToolMaxLoad() Loads {
	base := o.MaxLoad
	if base == nil {
		base = ToolDefaultMaxLoad
	}
	out := slices.Clip(o.MaxLoad)
	for _, c := range o.CriticalLoad {
		if !base.Has(c.Var) {
			if out == nil {
				out = slices.Clip(base)
			}
			out = append(out, c)
		}
	}
	return out
}

// CheckChunkTime refuses a chunk time the tool cannot use.
func CheckChunkTime(d time.Duration) error {
	if d < 0 || d > 0 && d < time.Millisecond {
		return fmt.Errorf("%s: want a positive duration of at least 1ms, e.g. 50ms (0: emcee's default, %s)", d, DefaultOSCChunkTime)
	}
	return nil
}

// loadOSC reads the emcee block's osc settings.
func loadOSC(s *Settings, block *settingsBlock) (OSC, error) {
	o := OSC{Tool: s.OSC}
	if err := CheckOSCTool(s.OSC); err != nil {
		return o, fmt.Errorf("%s: emcee.osc: %w", block.at("osc"), err)
	}
	duration := func(v, example string, check func(time.Duration) error, set *time.Duration) error {
		if v == "" {
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q: want a duration, e.g. %s", v, example)
		}
		*set = d
		return check(d)
	}
	loads := func(v string, set *Loads) (err error) {
		*set, err = ParseLoads(v)
		return err
	}
	// Each setting is read; the first one wrong, in this order, is said.
	for _, a := range []struct {
		key, sep string // ParseLoads's errors start with the value
		err      error
	}{
		{"osc_chunk_time", ": ", duration(s.OSCChunkTime, "500ms or 2s", CheckChunkTime, &o.ChunkTime)},
		{"osc_max_load", " ", loads(s.OSCMaxLoad, &o.MaxLoad)},
		{"osc_critical_load", " ", loads(s.OSCCriticalLoad, &o.CriticalLoad)},
		{"osc_sleep", ": ", duration(s.OSCSleep, "5ms, or 0 for no pause", CheckSleep, &o.Sleep)},
	} {
		if a.err != nil {
			return o, fmt.Errorf("%s: emcee.%s%s%w", block.at(a.key), a.key, a.sep, a.err)
		}
	}
	return o, nil
}
