package simulate

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/emcee-db/emcee/apply"
)

// Kind is which release's code a worker plays.
type Kind int

const (
	Old Kind = iota // the previous release: old columns only
	New             // the release being rolled out: new columns only
)

func (k Kind) String() string { return [...]string{"old", "new"}[k] }

// Op is a worker operation class.
type Op int

const (
	Write Op = iota // insert, update, delete
	Read
)

func (o Op) String() string { return [...]string{"write", "read"}[o] }

// Stats are one worker kind's statements in one phase.
type Stats struct {
	Phase     string
	Kind      Kind
	Op        Op
	Count     int
	Failed    int
	Errors    []string        // the first distinct failures, verbatim
	Latencies []time.Duration // of every statement, failed ones included
	Elapsed   time.Duration   // how long the phase ran
}

// Percentile of the recorded latencies (q in 0..1); 0 without samples.
func (s *Stats) Percentile(q float64) time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(s.Latencies))+0.5) - 1
	return s.Latencies[max(0, min(i, len(s.Latencies)-1))]
}

// Max is the worst latency.
func (s *Stats) Max() time.Duration { return s.Percentile(1) }

// Rate is statements per second over the phase.
func (s *Stats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Count) / s.Elapsed.Seconds()
}

type statKey struct {
	phase int
	kind  Kind
	op    Op
}

// recorder collects one worker's samples without locking; the simulator
// merges every worker's recorder once the workers have stopped.
type recorder struct {
	m      map[statKey]*Stats
	origin time.Time
	secs   map[secKey][]time.Duration // write latencies by the second they started in
}

type secKey struct {
	sec  int
	kind Kind
}

const maxErrors = 5

func (r *recorder) add(phase int, k Kind, op Op, d time.Duration, err error) {
	key := statKey{phase, k, op}
	s := r.m[key]
	if s == nil {
		s = &Stats{Kind: k, Op: op}
		r.m[key] = s
	}
	s.Count++
	s.Latencies = append(s.Latencies, d)
	if op == Write && r.secs != nil {
		k := secKey{int((time.Since(r.origin) - d) / time.Second), k}
		r.secs[k] = append(r.secs[k], d)
	}
	if err != nil {
		s.Failed++
		s.noteError(err.Error())
	}
}

// noteError keeps msg among the first distinct failures.
func (s *Stats) noteError(msg string) {
	if len(s.Errors) < maxErrors && !slices.Contains(s.Errors, msg) {
		s.Errors = append(s.Errors, msg)
	}
}

func merge(phases []*PhaseInfo, recs []*recorder) []*Stats {
	all := map[statKey]*Stats{}
	for _, r := range recs {
		for k, s := range r.m {
			t := all[k]
			if t == nil {
				t = &Stats{Phase: phases[k.phase].Name, Kind: k.kind, Op: k.op, Elapsed: phases[k.phase].Elapsed}
				all[k] = t
			}
			t.Count += s.Count
			t.Failed += s.Failed
			t.Latencies = append(t.Latencies, s.Latencies...)
			for _, e := range s.Errors {
				t.noteError(e)
			}
		}
	}
	var out []*Stats
	for _, s := range all {
		slices.Sort(s.Latencies)
		out = append(out, s)
	}
	order := map[string]int{}
	for i, p := range phases {
		order[p.Name] = i
	}
	slices.SortFunc(out, func(a, b *Stats) int {
		return cmp.Or(order[a.Phase]-order[b.Phase], int(a.Kind)-int(b.Kind), int(a.Op)-int(b.Op))
	})
	return out
}

// PhaseInfo is one stretch of the run: what the operator side did and how
// long it took.
type PhaseInfo struct {
	Name    string
	What    string
	Start   time.Duration // since the run started (the time series' origin)
	Elapsed time.Duration
	Rows    int64 // rows backfilled, for migrate
}

// Report is the outcome of a simulation.
type Report struct {
	Mode   string // "emcee" or "naive"
	Old    string
	New    string
	Tables []string
	Phases []*PhaseInfo
	Stats  []*Stats
	// Verification: every row both sides wrote, checked against the ledger.
	Verified    bool // false when verification was skipped
	RowsChecked int
	// TableRows are RowsChecked per table: a table whose rows were never
	// read back (no row, or a key the simulator lost track of) shows.
	TableRows map[string]int
	// Lost counts rows written and not deleted that are gone, and deleted
	// rows that are back; Inconsistent counts rows whose values differ from
	// what was written, or whose old and new columns disagree.
	Lost, Inconsistent int
	Problems           []string // the first few lost or inconsistent rows, explained
	// Naive mode: the statements run instead of emcee's plans.
	NaiveSQL []string
	// Rollback scenario: the rows were checked after the rollback, in the
	// previous release's shape; WindowRows are the rows the previous
	// release wrote from when the new release stopped, read back with
	// the values it wrote.
	Rollback   bool
	WindowRows int
	// RollbackLosses are what the first rollback run refused to drop
	// (data only the new release wrote); the second ran with DropNewData.
	RollbackLosses []apply.Loss
	// Gates are the closed gates that stopped the rehearsal, blocked by
	// data (apply.Blocked), of GatesOf: "expand", "contract", or
	// "rollback", the rollback rehearsed.
	Gates   []apply.GateResult
	GatesOf string
	// Series is every second's writes per worker kind, in order.
	Series []Second
}

// Second is the writes of one worker kind that started in one second of
// the run.
type Second struct {
	At     int // seconds since the run started
	Kind   Kind
	Writes int
	P99    time.Duration
	Max    time.Duration
}

func series(recs []*recorder) []Second {
	all := map[secKey][]time.Duration{}
	for _, r := range recs {
		for k, ds := range r.secs {
			all[k] = append(all[k], ds...)
		}
	}
	var out []Second
	for k, ds := range all {
		slices.Sort(ds)
		st := Stats{Latencies: ds}
		out = append(out, Second{At: k.sec, Kind: k.kind, Writes: len(ds), P99: st.Percentile(0.99), Max: st.Max()})
	}
	slices.SortFunc(out, func(a, b Second) int { return cmp.Or(a.At-b.At, int(a.Kind)-int(b.Kind)) })
	return out
}

const maxListed = 20

// Failed counts the failed statements of one kind in the named phases
// (every phase when none is named).
func (r *Report) Failed(k Kind, phases ...string) int {
	n := 0
	for _, s := range r.Stats {
		if s.Kind == k && (len(phases) == 0 || slices.Contains(phases, s.Phase)) {
			n += s.Failed
		}
	}
	return n
}

// Find returns the stats of one phase, kind and operation, or nil.
func (r *Report) Find(phase string, k Kind, op Op) *Stats {
	if i := slices.IndexFunc(r.Stats, func(s *Stats) bool { return s.Phase == phase && s.Kind == k && s.Op == op }); i >= 0 {
		return r.Stats[i]
	}
	return nil
}

// Phase returns the named phase, or nil.
func (r *Report) Phase(name string) *PhaseInfo {
	if i := slices.IndexFunc(r.Phases, func(p *PhaseInfo) bool { return p.Name == name }); i >= 0 {
		return r.Phases[i]
	}
	return nil
}

// OK tells whether the run kept the invariant: no failed statement and
// no lost or inconsistent row; and whether the gates of contract, or of
// the rollback rehearsed, let it run.
func (r *Report) OK() bool {
	return r.Failed(Old) == 0 && r.Failed(New) == 0 && r.Lost == 0 && r.Inconsistent == 0 && len(r.Gates) == 0
}

// Print writes the report for a person.
func (r *Report) Print(w io.Writer) {
	what := "upgrade"
	if r.Rollback {
		what = "upgrade rolled back"
	}
	fmt.Fprintf(w, "\n%s %s %s -> %s, tables %s\n\n", r.Mode, what, r.Old, r.New, strings.Join(r.Tables, ", "))
	fmt.Fprintln(w, "phase        took     operator side")
	for _, p := range r.Phases {
		extra := ""
		if p.Rows > 0 && p.Elapsed > 0 {
			extra = fmt.Sprintf(" (%d rows, %.0f rows/s)", p.Rows, float64(p.Rows)/p.Elapsed.Seconds())
		}
		fmt.Fprintf(w, "%-12s %7s  %s%s\n", p.Name, p.Elapsed.Round(time.Millisecond), p.What, extra)
	}
	fmt.Fprintln(w, "\nphase        worker  op       stmts  failed   stmt/s      p50      p99      max")
	for _, s := range r.Stats {
		fmt.Fprintf(w, "%-12s %-6s  %-5s  %8d  %6d  %7.0f  %7s  %7s  %7s\n", s.Phase, s.Kind, s.Op, s.Count, s.Failed, s.Rate(),
			roundDur(s.Percentile(0.5)), roundDur(s.Percentile(0.99)), roundDur(s.Max()))
	}
	for _, s := range r.Stats {
		for _, e := range s.Errors {
			fmt.Fprintf(w, "  %s %s %s failed: %s\n", s.Phase, s.Kind, s.Op, e)
		}
	}
	if !r.Verified {
		fmt.Fprintln(w, "\nrows: not verified")
		if r.OK() {
			fmt.Fprintln(w, "result: no failed statement (rows not verified)")
			return
		}
	} else {
		per := make([]string, len(r.Tables))
		for i, t := range r.Tables {
			per[i] = fmt.Sprintf("%s %d", t, r.TableRows[t])
		}
		fmt.Fprintf(w, "\nrows: %d checked (%s), %d lost, %d inconsistent\n", r.RowsChecked, strings.Join(per, ", "), r.Lost, r.Inconsistent)
		if r.Rollback {
			fmt.Fprintf(w, "rollback: %d failed statements of the old release; every %s row checked in its own shape after the rollback; %d rows it wrote from when the new release stopped read back with their values\n",
				r.Failed(Old), r.Old, r.WindowRows)
			for _, l := range r.RollbackLosses {
				fmt.Fprintf(w, "rollback refused first, nothing changed, for data only %s wrote: %s; rerun accepting the loss (--drop-new-data)\n", r.New, l)
			}
		}
		for _, l := range r.Problems {
			fmt.Fprintln(w, " ", l)
		}
	}
	switch {
	case len(r.Gates) > 0 && r.GatesOf == "rollback":
		fmt.Fprintf(w, "rollback refused by its gates: rows %s wrote that %s's schema cannot hold:\n%s\n", r.New, r.Old, apply.DescribeGates(r.Gates))
	case len(r.Gates) > 0 && r.GatesOf == "expand":
		fmt.Fprintf(w, "expand blocked by data: rows written before it (by %s's workers) that its gates count:\n%s\n", r.Old, apply.DescribeGates(r.Gates))
	case len(r.Gates) > 0:
		fmt.Fprintf(w, "contract blocked by data: rows the workers wrote that its gates count:\n%s\n", apply.DescribeGates(r.Gates))
	}
	if r.OK() {
		fmt.Fprintln(w, "result: no failed statement, no lost or inconsistent row")
	} else if len(r.Gates) > 0 {
		fmt.Fprintf(w, "result: the %s was refused (above)\n", r.GatesOf)
	} else {
		fmt.Fprintf(w, "result: %d failed statements of the old release, %d of the new release, %d lost rows, %d inconsistent rows\n",
			r.Failed(Old), r.Failed(New), r.Lost, r.Inconsistent)
	}
}

func roundDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
