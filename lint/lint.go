// Package lint checks a project for what a release reviewer must never let
// through: drops and tightenings before contract, table copies nobody opted
// into, incomplete declarations, hand-edited plans, revisions out of order.
//
// Each finding is an Analyzer in a file of its own (em1NN_*.go) that
// registers itself, so adding a finding is adding a file. Most
// analyzers read the plans' statements through emcee's SQL reader (package
// effect, on sqlsyntax's parser) and need no database. Where the plans'
// effect matters (a MODIFY COLUMN that narrows a type, what Atlas's own
// analyzers see), the plans are replayed in a dev database first, statement
// by statement, the way `atlas migrate lint --dev-url` does.
package lint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlrelease"
)

// Severity says whether a finding fails the lint.
type Severity string

const (
	// Error fails the lint: the plan must not be released as it is.
	Error Severity = "error"
	// Note is expected but worth a reviewer's look, such as the data a
	// contract drop destroys.
	Note Severity = "note"
)

// Finding is one thing lint reports, at a position a reviewer can open.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"` // 0 when the finding is about a whole line
	Message  string   `json:"message"`
	Fix      string   `json:"fix"`
}

func (f Finding) String() string {
	pos := fmt.Sprintf("%s:%d", f.File, f.Line)
	if f.Column > 0 {
		pos += fmt.Sprintf(":%d", f.Column)
	}
	return fmt.Sprintf("%s: %s %s: %s; fix: %s", pos, f.Code, f.Severity, f.Message, f.Fix)
}

// Analyzer is one kind of finding. Its JSON form is how `emcee lint`
// lists a check it skipped.
type Analyzer struct {
	Code  string `json:"code"`
	Title string `json:"-"` // one line: what it catches
	// Replay says what the analyzer checks only when the plans are
	// replayed in a dev database (all of it, or a part); empty when it
	// needs no database.
	Replay string      `json:"replay"`
	Run    func(*Pass) `json:"-"`
}

var analyzers []*Analyzer

// register adds an analyzer; each analyzer file calls it to initialize a
// package variable.
func register(a *Analyzer) *Analyzer {
	analyzers = append(analyzers, a)
	slices.SortFunc(analyzers, func(a, b *Analyzer) int { return strings.Compare(a.Code, b.Code) })
	return a
}

// Analyzers lists every analyzer by code.
func Analyzers() []*Analyzer { return analyzers }

// Options change how Run lints.
type Options struct {
	// Dev is the empty database the plans are replayed in. Without it,
	// what analyzers check only on a replay is skipped.
	Dev *devdb.DB
}

// Result is what a run found.
type Result struct {
	Findings []Finding
	// Skipped lists the analyzers that checked less for want of a dev
	// database.
	Skipped []*Analyzer
}

// Failures counts the findings that fail the lint.
func (r *Result) Failures() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Error {
			n++
		}
	}
	return n
}

// Run lints the project. An error means the lint could not finish (a plan
// that does not parse, a schema that does not plan for another reason than
// a finding, a replay that failed); the findings made so far come with it.
func Run(ctx context.Context, p *project.Project, opts Options) (*Result, error) {
	plans, err := readPlans(p)
	if err != nil {
		return nil, err
	}
	pass := &Pass{Project: p, Plans: plans}
	var errs []error
	if opts.Dev != nil {
		// A release declared as SQL whose files changed since its plan is
		// evaluated in the dev database, after the replay has left it
		// empty.
		pass.sql = func(f diff.SQLFiles) (diff.Source, error) { return sqlrelease.Evaluate(ctx, opts.Dev, f, p.Target) }
		if err := foreignStatement(plans); err != nil {
			errs = append(errs, err)
		} else if pass.replay, err = replayPlans(ctx, opts.Dev, plans.Revisions, pass.storedFunctions); err != nil {
			errs = append(errs, err)
		} else if pass.rollbacks, err = replayRollbacks(ctx, opts.Dev, plans, pass.storedFunctions); err != nil {
			errs = append(errs, err)
		}
	}
	res := &Result{Findings: []Finding{}, Skipped: []*Analyzer{}}
	for _, a := range analyzers {
		if a.Replay != "" && opts.Dev == nil {
			res.Skipped = append(res.Skipped, a)
		}
		a.Run(pass)
	}
	errs = append(errs, pass.errs...)
	res.Findings = append(res.Findings, pass.findings...)
	slices.SortStableFunc(res.Findings, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.File, b.File), a.Line-b.Line, a.Column-b.Column, strings.Compare(a.Code, b.Code))
	})
	return res, errors.Join(errs...)
}

// Pass is what every analyzer reads, and where it reports.
type Pass struct {
	Project *project.Project
	Plans   *Plans
	// replay is nil when no dev database was given.
	replay *replay
	// rollbacks are the expands replayed with their rollbacks (EM112).
	rollbacks []rollbackCheck
	findings  []Finding
	errs      []error
	// rels are read on first use (loadReleases; a project without
	// releases has none to read).
	rels []*release
	// sql evaluates releases declared as SQL (nil without a dev database).
	sql planner.SQLEval
}

func (p *Pass) report(f Finding) { p.findings = append(p.findings, f) }

// atStatement reports a finding at the line of a revision's statement.
func (p *Pass) atStatement(code string, sev Severity, rev *Revision, i int, msg, fix string) {
	p.report(Finding{Code: code, Severity: sev, File: rev.File, Line: rev.Line(i), Message: msg, Fix: fix})
}

// atFile reports a finding about a whole file, at its first line.
func (p *Pass) atFile(code string, file string, msg, fix string) {
	p.report(Finding{Code: code, Severity: Error, File: file, Line: 1, Message: msg, Fix: fix})
}

// fail records that part of the lint could not run.
func (p *Pass) fail(err error) { p.errs = append(p.errs, err) }

// replan is the fix shared by findings in generated scripts: plans are
// never edited by hand, they come from the schema.
func replan(rev *Revision) string {
	return fmt.Sprintf("restore %s from version control, or re-plan the release from its schema with `emcee plan --rewrite %s` (plans are generated, never edited)", rev.File, rev.ID.Release)
}
