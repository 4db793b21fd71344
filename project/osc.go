package project

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
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
	MaxLoad   string        // pt-online-schema-change --max-load; "": its default
	// CriticalLoad is pt-online-schema-change's --critical-load (the tool
	// stops, and drops its copy and triggers); "": its default.
	CriticalLoad string
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

// maxLoad is pt-online-schema-change's --max-load: status variables, each
// with an optional threshold, comma-separated.
var maxLoad = regexp.MustCompile(`^[A-Za-z_]+([:=][0-9]+)?(,[A-Za-z_]+([:=][0-9]+)?)*$`)

// CheckMaxLoad refuses a --max-load the tool would not read, or that would
// pause it for good: Threads_running counts the tool's own query reading
// it, so a threshold of 1 is always reached (0 is the tool's "the value at
// start, plus 20%").
func CheckMaxLoad(s string) error {
	return checkLoad(s, "25", "pause for good")
}

// CheckCriticalLoad refuses a --critical-load the tool would not read, or
// that would stop it at its first chunk, as CheckMaxLoad (0 is the tool's
// "the value at start, doubled").
func CheckCriticalLoad(s string) error {
	return checkLoad(s, "50", "stop at its first chunk")
}

func checkLoad(s, example, never string) error {
	if s == "" {
		return nil
	}
	if !maxLoad.MatchString(s) {
		return fmt.Errorf("%q: want status variables with thresholds, comma-separated, e.g. Threads_running=%s or Threads_running=%s,Threads_connected=400", s, example, example)
	}
	for _, l := range MaxLoadVars(s) {
		if strings.EqualFold(l[0], "Threads_running") && l[1] == "1" {
			return fmt.Errorf("%q: Threads_running counts the tool's own query that reads it, so it is never below 1 and the tool would %s: give at least 2", s, never)
		}
	}
	return nil
}

// MaxLoadVars splits a --max-load or --critical-load CheckMaxLoad or
// CheckCriticalLoad accepted into its variables
// and thresholds ("" when none is given).
func MaxLoadVars(s string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(s, ",") {
		i := strings.IndexAny(part, ":=")
		if i < 0 {
			out = append(out, [2]string{part, ""})
			continue
		}
		out = append(out, [2]string{part[:i], strings.TrimLeft(part[i+1:], "0")})
		if out[len(out)-1][1] == "" {
			out[len(out)-1][1] = "0"
		}
	}
	return out
}

// ToolDefaultMaxLoad is pt-online-schema-change's own --max-load.
const ToolDefaultMaxLoad = "Threads_running=25"

// CheckLoads refuses a --critical-load variable without a threshold that
// --max-load does not name (see ToolMaxLoad): emcee would have to add it
// to --max-load, where no threshold means "the value at start, plus 20%",
// and the copy would pause where it was asked to stop.
func (o OSC) CheckLoads() error {
	for _, v := range o.missingCritical() {
		if v[1] == "" {
			return fmt.Errorf("critical load %s: %s has no threshold and max load %s does not name it, and pt-online-schema-change checks only what its --max-load names: give a threshold (e.g. %s=%d), or name it in the max load too", o.CriticalLoad, v[0], o.toolMaxLoadBase(), v[0], 100)
		}
	}
	return nil
}

// ToolMaxLoad is the --max-load emcee gives the tool: the one asked for
// (or the tool's own, ToolDefaultMaxLoad), plus each --critical-load
// variable it does not name, with its critical threshold. The tool
// checks --critical-load only for the variables of --max-load: a
// --critical-load Threads_connected=1 did nothing at all. Added with the
// same threshold, the tool stops when it reaches it (it checks the
// critical threshold first) and never pauses for it.
func (o OSC) ToolMaxLoad() string {
	missing := o.missingCritical()
	if len(missing) == 0 {
		return o.MaxLoad
	}
	out := o.toolMaxLoadBase()
	for _, v := range missing {
		if v[1] != "" {
			out += "," + v[0] + "=" + v[1]
		}
	}
	return out
}

func (o OSC) toolMaxLoadBase() string {
	if o.MaxLoad == "" {
		return ToolDefaultMaxLoad
	}
	return o.MaxLoad
}

// missingCritical are the --critical-load variables (and thresholds) that
// the --max-load the tool gets does not name.
func (o OSC) missingCritical() [][2]string {
	if o.CriticalLoad == "" {
		return nil
	}
	var out [][2]string
	named := MaxLoadVars(o.toolMaxLoadBase())
	for _, c := range MaxLoadVars(o.CriticalLoad) {
		if !slices.ContainsFunc(named, func(m [2]string) bool { return strings.EqualFold(m[0], c[0]) }) {
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
	o := OSC{Tool: s.OSC, MaxLoad: s.OSCMaxLoad, CriticalLoad: s.OSCCriticalLoad}
	if err := CheckOSCTool(s.OSC); err != nil {
		return o, fmt.Errorf("%s: emcee.osc: %w", block.at("osc"), err)
	}
	duration := func(key, v, example string, check func(time.Duration) error) (time.Duration, error) {
		d, err := time.ParseDuration(v)
		if err == nil {
			err = check(d)
		} else {
			err = fmt.Errorf("%q: want a duration, e.g. %s", v, example)
		}
		if err != nil {
			return 0, fmt.Errorf("%s: emcee.%s: %w", block.at(key), key, err)
		}
		return d, nil
	}
	if s.OSCChunkTime != "" {
		d, err := duration("osc_chunk_time", s.OSCChunkTime, "500ms or 2s", CheckChunkTime)
		if err != nil {
			return o, err
		}
		o.ChunkTime = d
	}
	if err := CheckMaxLoad(s.OSCMaxLoad); err != nil {
		return o, fmt.Errorf("%s: emcee.osc_max_load: %w", block.at("osc_max_load"), err)
	}
	if err := CheckCriticalLoad(s.OSCCriticalLoad); err != nil {
		return o, fmt.Errorf("%s: emcee.osc_critical_load: %w", block.at("osc_critical_load"), err)
	}
	if err := o.CheckLoads(); err != nil {
		return o, fmt.Errorf("%s: emcee.osc_critical_load: %w", block.at("osc_critical_load"), err)
	}
	if s.OSCSleep != "" {
		d, err := duration("osc_sleep", s.OSCSleep, "5ms, or 0 for no pause", CheckSleep)
		if err != nil {
			return o, err
		}
		o.Sleep = d
	}
	return o, nil
}
