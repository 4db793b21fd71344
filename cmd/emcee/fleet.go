package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/fleet"
	"github.com/emcee-db/emcee/project"
)

// Every db command is written for one database (a dbBody); runDB runs it
// on the database the flags name, or, given a target list, on each of its
// databases through package fleet. A command knows nothing of fleets: one
// target of a fleet is exactly today's single-database run, with its own
// lock, history and resume.

// dbRun is one database a db command works on, and where the applier's
// lines go.
type dbRun struct {
	dbconn.Target
	project  *project.Project
	log      io.Writer // nil under json and yaml
	progress func(apply.Progress)
	aside    func(string) // the applier's notes about the server: stderr
	// rerun gives the run's flags a db command a hint names takes
	// (rerunFlags, apply.Options.Rerun).
	rerun func(cmd string) (words, add []string)
}

// logTo sends the applier's lines and backfill progress where this run
// shows them.
func (r *dbRun) logTo(o *apply.Options) {
	if r.log != nil {
		o.Log, o.Progress = r.log, r.progress
	}
}

// dbResult is what a db command found on one database.
type dbResult struct {
	doc  any             // its document (json, yaml)
	text func(io.Writer) // its text, when it is not logged while it runs
	// For the fleet's summary: the database's version after the run, and
	// for status and check what it needs next and the rows left to
	// backfill.
	version string
	state   string
	pending *int64
	// note is what its text notes beside the state (status's and
	// check's note of the database default), which a fleet, printing
	// no target's text, says as the applier's notes.
	note string
}

type dbBody func(ctx context.Context, r *dbRun) (*dbResult, error)

// runDB runs body on the databases the flags name.
func runDB(cmd *cobra.Command, body dbBody) error {
	ctx, cancel := signalContext(cmd)
	defer cancel()
	p, err := loadProject()
	if err != nil {
		return err
	}
	targets, isFleet, err := dbconn.Targets(dbFlags.url, dbFlags.targets, dbFlags.devURL, global.env, p)
	if err != nil {
		return err
	}
	if !isFleet {
		for _, f := range []string{"parallel", "canary", "fail-fast"} {
			if cmd.Flags().Changed(f) {
				return usage(cmd, fmt.Errorf("--%s is for a target list: give --targets FILE or --env NAME of an env block with for_each", f))
			}
		}
		r := &dbRun{Target: targets[0], project: p, rerun: rerunFlags(cmd), aside: func(n string) { fmt.Fprintf(cmd.ErrOrStderr(), "emcee: note: %s\n", n) }}
		stop := func() {}
		// A document on stdout: then the applier logs nothing there.
		if !structured(formatOf(cmd)) {
			r.log, r.progress, stop = progressReporter(cmd.OutOrStdout(), cmd.ErrOrStderr())
		}
		res, err := body(ctx, r)
		stop() // a bar the run left, before anything else is printed
		if res != nil {
			emit(cmd, res.doc, res.text)
		}
		return err
	}
	return runFleet(ctx, cmd, p, targets, body)
}

// fleetDoc is the document of a command run on a target list: every
// target, then how many sit at each version.
type fleetDoc struct {
	Command  string         `json:"command"`
	Parallel int            `json:"parallel"`
	Canary   int            `json:"canary,omitempty"`
	FailFast bool           `json:"fail_fast,omitempty"`
	Targets  []*fleetTarget `json:"targets"`
	Versions []versionCount `json:"versions"`
	Outcomes map[string]int `json:"outcomes"`
}

// fleetTarget is one target's outcome: ok (exit_code 0, or what db check
// says the database needs), failed, or skipped (never started: the canary
// failed, --fail-fast, Ctrl-C).
type fleetTarget struct {
	Target   string `json:"target"`
	Outcome  string `json:"outcome"`
	ExitCode int    `json:"exit_code"`
	Version  string `json:"version"`
	State    string `json:"state,omitempty"`
	Pending  *int64 `json:"pending_rows,omitempty"`
	Error    string `json:"error,omitempty"`
	Result   any    `json:"result,omitempty"`
}

type versionCount struct {
	Version string `json:"version"` // "" when unknown (not reached, not started)
	Targets int    `json:"targets"`
}

const (
	outcomeOK      = "ok"
	outcomeFailed  = "failed"
	outcomeSkipped = "skipped"
)

func runFleet(ctx context.Context, cmd *cobra.Command, p *project.Project, targets []dbconn.Target, body dbBody) error {
	if dbFlags.parallel < 1 {
		return usage(cmd, fmt.Errorf("--parallel %d: give how many databases to work on at once (1 or more)", dbFlags.parallel))
	}
	if dbFlags.canary < 0 || dbFlags.canary > len(targets) {
		return usage(cmd, fmt.Errorf("--canary %d: give how many of the %d targets to apply first (0 to %d)", dbFlags.canary, len(targets), len(targets)))
	}
	doc := &fleetDoc{Command: cmd.CommandPath(), Parallel: dbFlags.parallel, Canary: dbFlags.canary, FailFast: dbFlags.failFast,
		Targets: make([]*fleetTarget, len(targets)), Outcomes: map[string]int{}}
	jobs := make([]fleet.Job, len(targets))
	for i, t := range targets {
		// Targets sharing a dev database take turns: it must be empty
		// when a run starts.
		jobs[i] = fleet.Job{Name: t.String(), Key: t.Dev}
		doc.Targets[i] = &fleetTarget{Target: t.String(), Outcome: outcomeSkipped}
	}
	var view *fleetView
	if !structured(formatOf(cmd)) {
		if dbFlags.canary > 0 {
			// An env block's for_each is a set, which toset() sorts:
			// the canaries are not always the databases named first.
			var names []string
			for _, j := range jobs[:dbFlags.canary] {
				names = append(names, j.Name)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "canary: %s (the first %d of the list; no other starts before they finish)\n", strings.Join(names, ", "), dbFlags.canary)
		}
		view = newFleetView(cmd.OutOrStdout(), cmd.ErrOrStderr(), jobs)
	}
	outs := fleet.Run(ctx, jobs, fleet.Options{Parallel: dbFlags.parallel, Canary: dbFlags.canary, FailFast: dbFlags.failFast},
		func(ctx context.Context, i int) bool {
			r := &dbRun{Target: targets[i], project: p, rerun: rerunFlags(cmd), aside: func(n string) { fmt.Fprintf(cmd.ErrOrStderr(), "emcee: %s: note: %s\n", jobs[i].Name, n) }}
			if view != nil {
				r.log, r.progress = view.start(i)
			}
			// Each target has its own document, should the command
			// record one before failing.
			res, err := body(context.WithValue(ctx, outcomeKey{}, &outcome{}), r)
			ft := doc.Targets[i]
			ft.Outcome = outcomeOK
			ft.ExitCode, ft.Error = exitOf(err)
			if res != nil {
				ft.Version, ft.State, ft.Pending, ft.Result = res.version, res.state, res.pending, res.doc
				if res.note != "" {
					r.aside(res.note)
				}
			}
			if failure(ft.ExitCode) {
				ft.Outcome = outcomeFailed
			}
			if view != nil {
				view.done(i, ft)
			}
			return ft.Outcome == outcomeFailed
		})
	if view != nil {
		view.wait()
	}
	worst := codeOK
	var failed []string
	for i, o := range outs {
		ft := doc.Targets[i]
		if !o.Ran {
			ft.Error = o.Skipped
		}
		doc.Outcomes[ft.Outcome]++
		worst = worse(worst, ft.ExitCode)
		if ft.Outcome == outcomeFailed {
			failed = append(failed, ft.Target)
		}
	}
	doc.Versions = countVersions(doc.Targets)
	emit(cmd, doc, func(w io.Writer) { printFleet(w, doc) })
	skipped := doc.Outcomes[outcomeSkipped]
	if skipped > 0 && !failure(worst) {
		// Not started with nothing failed: interrupted. The job is not
		// done on those targets, whatever the others did.
		worst = codeError
	}
	if worst == codeOK {
		return nil
	}
	msg := ""
	if len(failed) == 0 && skipped > 0 {
		msg = fmt.Sprintf("%d of %d targets not started (interrupted)", skipped, len(targets))
		if cmd.Flags().Lookup("dry-run") != nil {
			msg += "; rerun the same command: the targets that finished have nothing left to do"
		}
	}
	if len(failed) > 0 {
		named := strings.Join(failed, ", ")
		if len(failed) > maxNamed {
			// A fleet of thousands with its server down would make one
			// line of every URL; the summary above has them all.
			named = fmt.Sprintf("%s and %d more (the summary lists every target)", strings.Join(failed[:maxNamed], ", "), len(failed)-maxNamed)
		}
		msg = fmt.Sprintf("%d of %d targets failed: %s", len(failed), len(targets), named)
		if skipped > 0 {
			msg += fmt.Sprintf("; %d not started", skipped)
		}
		// Every changing db command takes --dry-run.
		if cmd.Flags().Lookup("dry-run") != nil {
			msg += "; rerun the same command once they are fixed: the targets that finished have nothing left to do"
		}
	}
	return &exitError{code: worst, err: errors.New(msg)}
}

// maxNamed is how many failed targets the closing error line names.
const maxNamed = 5

// countVersions says how many targets sit at each version, most first.
func countVersions(ts []*fleetTarget) []versionCount {
	n := map[string]int{}
	for _, t := range ts {
		n[t.Version]++
	}
	out := make([]versionCount, 0, len(n))
	for v, c := range n {
		out = append(out, versionCount{v, c})
	}
	slices.SortFunc(out, func(a, b versionCount) int {
		switch {
		case a.Targets != b.Targets:
			return b.Targets - a.Targets
		case (a.Version == "") != (b.Version == ""):
			// Unknown after every known version.
			if a.Version == "" {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Version, b.Version)
	})
	return out
}

// printFleet is the fleet's summary: a line per target, then the counts.
func printFleet(w io.Writer, doc *fleetDoc) {
	states := slices.ContainsFunc(doc.Targets, func(t *fleetTarget) bool { return t.State != "" })
	pending := slices.ContainsFunc(doc.Targets, func(t *fleetTarget) bool { return t.Pending != nil })
	fmt.Fprintf(w, "\n%s on %d targets:\n", doc.Command, len(doc.Targets))
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	head := "TARGET\tRESULT\tVERSION"
	if states {
		head += "\tSTATE"
	}
	if pending {
		head += "\tPENDING ROWS"
	}
	fmt.Fprintln(tw, head+"\tDETAIL")
	for _, t := range doc.Targets {
		result := t.Outcome
		if t.ExitCode != codeOK {
			result += fmt.Sprintf(" (%d)", t.ExitCode)
		}
		line := t.Target + "\t" + result + "\t" + cmp.Or(t.Version, "-")
		if states {
			line += "\t" + cmp.Or(t.State, "-")
		}
		if pending {
			rows := "-"
			if t.Pending != nil {
				rows = fmt.Sprint(*t.Pending)
			}
			line += "\t" + rows
		}
		detail, _, _ := strings.Cut(t.Error, "\n")
		fmt.Fprintln(tw, line+"\t"+detail)
	}
	tw.Flush()
	// An empty last column leaves the one before it padded.
	for _, l := range strings.SplitAfter(table.String(), "\n") {
		fmt.Fprint(w, strings.TrimRight(l, " \n")+strings.Repeat("\n", strings.Count(l, "\n")))
	}
	var counts []string
	for _, o := range []string{outcomeOK, outcomeFailed, outcomeSkipped} {
		if n := doc.Outcomes[o]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, o))
		}
	}
	fmt.Fprintf(w, "\n%d targets: %s\nversions:\n", len(doc.Targets), strings.Join(counts, ", "))
	for _, v := range doc.Versions {
		fmt.Fprintf(w, "  %3d  %s\n", v.Targets, cmp.Or(v.Version, "(unknown: not reached or not started)"))
	}
}

// isTerminal tells whether w is a terminal (bars) or a file or pipe
// (plain lines).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
