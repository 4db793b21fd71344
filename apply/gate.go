package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// GateResult is one gate's outcome.
type GateResult struct {
	Revision string `json:"revision"`
	Rule     string `json:"rule"`
	Why      string `json:"why"`
	At       string `json:"at"`    // the gate's file:line in the plans
	Table    string `json:"table"` // the table it counts rows of
	SQL      string `json:"sql"`
	Count    int64  `json:"count"`
	Open     bool   `json:"open"`
	// Rechecked is set for a gate an earlier run of the revision passed:
	// it runs again before the revision resumes, since rows may have
	// changed while the revision stood still.
	Rechecked bool `json:"rechecked,omitempty"`
	// NotRechecked says why a gate an earlier run passed cannot run again
	// (what it reads was dropped by a statement of the same revision); such
	// a gate does not hold the revision back.
	NotRechecked string `json:"not_rechecked,omitempty"`
	ListSQL      string `json:"list_sql,omitempty"` // closed: lists the rows it counts
	// AtLeast says Count is only whether the gate finds a row (0 or 1):
	// db check stops at the first one, and counts them only when it
	// reports the contract blocked by data.
	AtLeast bool   `json:"at_least,omitempty"`
	Error   string `json:"error,omitempty"`
	// Waits says why db check did not run the gate (waitsFor): its
	// command runs it once the revisions before it have run.
	Waits string `json:"waits,omitempty"`
}

// gateCheck is the outcome of every gate of one revision.
type gateCheck struct {
	rev     *revision.Revision
	results []GateResult
	closed  []GateResult // counted rows
	broken  []GateResult // could not run
	// catchUp is how many rows the release's applied backfills would
	// rewrite on a migrate run (-1 when not counted).
	catchUp int64
	// cmd is the command a closed gate's way out names (Session.rerunOf):
	// the run's own, or contract's with the run's flags that contract
	// has, for a migrate that met contract's gates, or db status.
	cmd string
	// migrate is migrate's command with the run's flags that migrate has,
	// for a contract that backfills would still open; diff and status
	// those commands', for the differences that stop a gate and the rows
	// left.
	migrate, diff, status string
}

// checkGates runs every gate of the revision (or only those numbered in
// only), also those an earlier run already passed: a revision that
// resumes must find its data as the gates require before its next
// statement, whatever happened while it stood still. It returns nil or the
// refusal the operator must act on.
func (s *Session) checkGates(ctx context.Context, rev *revision.Revision, rec *history.Record, only ...int) ([]GateResult, error) {
	c := s.runGates(ctx, rev, rec, only...)
	if len(c.closed) > 0 && len(c.broken) == 0 && rev.ID.Phase == revision.Contract {
		c.catchUp = s.catchUpRows(ctx, rev.ID.Release, c.closed)
	}
	return c.results, c.err()
}

// gateCheck is a check of rev's gates before they run: the commands its
// refusal names.
func (s *Session) gateCheck(rev *revision.Revision) gateCheck {
	c := gateCheck{rev: rev, catchUp: -1, migrate: s.command("migrate"), diff: s.command("diff"), status: s.command("status")}
	switch s.cmd {
	case "rollback":
		// A run that accepted the loss is rerun accepting it.
		if s.opts.DropNewData {
			c.cmd = s.rerun("--drop-new-data")
		} else {
			c.cmd = s.rerun()
		}
	case "expand", "contract", "sync", "upgrade":
		c.cmd = s.rerun()
	default:
		// Migrate counts contract's gates (blockedAfterCatchUp), db
		// status and check too: the way out is contract, on the database
		// this run worked on.
		c.cmd = s.command("contract")
	}
	return c
}

// runGates runs the revision's gates, or only those numbered in only.
func (s *Session) runGates(ctx context.Context, rev *revision.Revision, rec *history.Record, only ...int) gateCheck {
	return s.countGates(ctx, rev, rec, nil, only...)
}

// countGates is runGates counting also the rows of the deletes given
// (sqlsyntax.Gate.Counting), as the count right after a foreign key is
// added does (fkcheck.go).
func (s *Session) countGates(ctx context.Context, rev *revision.Revision, rec *history.Record, deleted []string, only ...int) gateCheck {
	c := s.gateCheck(rev)
	passed := rec.Confirmed()
	earlier, own := s.deletesRun(rev, rec)
	for i, st := range rev.Statements {
		if st.Kind != revision.Gate || len(only) > 0 && !slices.Contains(only, i) {
			continue
		}
		read, _ := sqlsyntax.ReadGate(st.SQL) // the plans were read: every gate parses
		g := GateResult{Revision: rev.ID.String(), Rule: st.Rule, Why: st.Why, At: s.at(rev, st), Table: read.Table, SQL: st.SQL, Rechecked: i < passed}
		q, what := st.SQL, fmt.Sprintf("gate %s of %s (statement %d)", st.Rule, rev.ID, i+1)
		// The rows of a delete that has run were written after it, and
		// stay: the statement the gate guards meets them. The revision's
		// own deletes only where nothing deletes them again: an orphan
		// gate's delete runs again once the key stands (recheckAfter).
		counting := append(slices.Clip(deleted), earlier...)
		if st.Rule != "add-foreign-key" {
			counting = append(counting, own...)
		}
		if r := read.Counting(counting...); r != read {
			read, q = r, r.SQL()
		}
		if p := read.Exists(); s.quick && p != "" {
			q, g.AtLeast = p, true
		}
		var v sql.NullFloat64
		err := s.retry(ctx, what, rev, i, func() error {
			return s.inAppZone(ctx, func() error { return s.Conn.QueryRowContext(ctx, q).Scan(&v) })
		})
		if err != nil {
			g.Error = s.Cfg.Redact(err.Error())
			switch why := droppedBy(rev, rec, i, err); {
			case i < passed && why != "":
				g.Open, g.NotRechecked = true, why
			case s.opts.DryRun:
				// In a dry run the gate may read columns an earlier
				// revision of the same run would create.
				s.say("gate %s of %s not evaluated now (it reads what an earlier revision of this run creates): %s", st.Rule, rev.ID, g.Error)
			default:
				c.broken = append(c.broken, g)
			}
			c.results = append(c.results, g)
			continue
		}
		g.Count = int64(v.Float64)
		g.Open = v.Valid && v.Float64 == 0
		if !g.Open {
			g.ListSQL = read.Listing()
			c.closed = append(c.closed, g)
		}
		c.results = append(c.results, g)
		if s.quick && !g.Open {
			// db check needs one closed gate to know the contract is not
			// ready; the later ones would cost a scan each.
			break
		}
	}
	return c
}

// deletesRun are the data_migration deletes of rev's release that have
// run: those of the revisions before rev (earlier), and rev's own its
// record confirms (own). A gate written while they had not run leaves
// their rows out (splitter's keptRows), which they no longer delete.
func (s *Session) deletesRun(rev *revision.Revision, rec *history.Record) (earlier, own []string) {
	ran := func(r *revision.Revision, applied int) (out []string) {
		for _, st := range r.Statements[:min(applied, len(r.Statements))] {
			if deletesRows(st) {
				out = append(out, st.SQL)
			}
		}
		return out
	}
	for _, r := range s.Plans.Revisions {
		if r.ID.Release == rev.ID.Release && revision.Compare(s.Project.Releases, r.ID, rev.ID) < 0 {
			earlier = append(earlier, ran(r, s.Records[r.ID.String()].Confirmed())...)
		}
	}
	return earlier, ran(rev, rec.Confirmed())
}

// deletesRows tells a data_migration's delete (sqlsyntax.DeleteRows).
func deletesRows(st revision.Statement) bool {
	return st.Kind != revision.Gate && slices.Contains(st.Rules(), "data-migration") && slices.ContainsFunc(effect.Of(st.SQL), func(e effect.Effect) bool { return e.Op == effect.DeleteRows })
}

// nothingChanged is what a refusal of the gates says the run changed: a
// run that dropped a foreign key again first says so instead
// (dropAgain).
const nothingChanged = "nothing was changed"

// err is the refusal for closed gates. Rows that a migrate run would
// still rewrite send the operator to migrate; once there are none, only a
// change to the data opens the gate, and saying "run migrate" again would
// send the operator round in a circle.
func (c gateCheck) err() error {
	var lines []string
	for _, g := range c.broken {
		lines = append(lines, fmt.Sprintf("  %s  gate %s (%s): cannot run: %s", g.At, g.Rule, g.Why, g.Error))
	}
	if len(lines) > 0 {
		return &Refusal{
			Reason: fmt.Sprintf("%s refused: %d of %s cannot run, %s:\n%s", c.rev.ID, len(c.broken), sqlsyntax.Plural(len(c.results), "gate"), nothingChanged, strings.Join(lines, "\n")),
			Next:   "fix what stops the gate from running (the schema may have been changed by hand: " + c.diff + " lists the differences), then rerun",
		}
	}
	if len(c.closed) == 0 {
		return nil
	}
	if c.rev.ID.Phase == revision.Rollback {
		// No migrate run rewrites these rows: the new release wrote them,
		// in a form only the new release's schema holds. Blocked by data
		// as a contract is: fixing the rows opens it, unlike a rollback
		// refused for good (NoRollback).
		return &Blocked{Gates: c.closed, Refusal: Refusal{
			// nothingChanged, for ranBefore to say what the rollback
			// revisions this run applied before it changed.
			Reason: fmt.Sprintf("rollback refused at %s: %d of %s closed, %s; these rows were written while the new release ran and the previous release's schema cannot hold them:\n%s",
				c.rev.ID, len(c.closed), sqlsyntax.Plural(len(c.results), "gate"), nothingChanged, DescribeGates(c.closed)),
			Next: "fix or remove the rows each gate lists (its reason says what the previous release needs), then rerun " + c.cmd,
		}}
	}
	if c.rev.ID.Phase == revision.Expand {
		// Expand's gates (a conversion's colliding keys, the zeros a
		// column made AUTO_INCREMENT would number anew) wait for rows
		// only a person fixes: they were written before the release
		// started, no migrate has run, none rewrites them. What each
		// would do is its reason's to say: a collision fails expand
		// half-way, a zero gets another value silently. Blocked by data
		// then, as a contract is (exit 7, not 1: rerunning changes
		// nothing until a person fixes the rows).
		return &Blocked{Gates: c.closed, Refusal: Refusal{
			Reason: fmt.Sprintf("%s refused: %d of %s closed, %s; these rows, written before the release started, stop its expand (each gate's reason says what they would make it do):\n%s", c.rev.ID, len(c.closed), sqlsyntax.Plural(len(c.results), "gate"), nothingChanged, DescribeGates(c.closed)),
			Next:   blockedNext(c.cmd),
		}}
	}
	if c.catchUp != 0 {
		return &Refusal{
			Reason: fmt.Sprintf("%s refused: %d of %s closed, %s:\n%s", c.rev.ID, len(c.closed), sqlsyntax.Plural(len(c.results), "gate"), nothingChanged, DescribeGates(c.closed)),
			Next:   "run " + c.migrate + " to finish the backfill (" + c.status + " counts the rows left) or fix the rows the gate reports, then rerun " + c.cmd,
		}
	}
	return &Blocked{Gates: c.closed, Refusal: Refusal{
		Reason: fmt.Sprintf("contract blocked by data: %s refused, %s. Migrate is complete (its backfills have no row left to rewrite), yet %d of %s still %s rows:\n%s",
			c.rev.ID, nothingChanged, len(c.closed), sqlsyntax.Plural(len(c.results), "gate"), sqlsyntax.OneOrMany(len(c.closed), "counts", "count"), DescribeGates(c.closed)),
		Next: blockedNext(c.cmd),
	}}
}

// blockedNext is the way out of a contract blocked by data, rerunning cmd,
// the command that met it (Session.rerun), or contract (db status): a sync
// or upgrade told to rerun contract went on release by release as a
// rolling upgrade.
func blockedNext(cmd string) string {
	return "fix or remove the rows each gate lists (its reason says what it needs), then rerun " + cmd
}

// Blocked is a revision that only a change to the data can open: a
// contract whose gates still count rows once migrate has nothing left to
// do; an expand whose gates count rows written before the release started
// (keys a charset conversion makes collide, zeros AUTO_INCREMENT would
// number anew); or a rollback whose gates count rows the new release wrote
// that the previous release's schema cannot hold. Commands exit with
// ContractBlocked for it.
type Blocked struct {
	Refusal
	Gates []GateResult // the closed gates
}

func (b *Blocked) Unwrap() error { return &b.Refusal }

// DescribeGates lists closed gates: where each is, how many rows it
// counts, why they matter and how to list them.
func DescribeGates(gates []GateResult) string {
	var out []string
	for _, g := range gates {
		n, list := sqlsyntax.Plural(int(g.Count), "row"), "list them: "+g.ListSQL
		if g.ListSQL == "" {
			// Not the shape of emcee's gates: what it counts is its own.
			n, list = fmt.Sprintf("counts %d", g.Count), "the gate: "+sqlsyntax.OneLine(g.SQL, 0)
		}
		out = append(out, fmt.Sprintf("  %s  gate %s: %s\n    %s\n    %s", g.At, g.Rule, n, sqlsyntax.OneLine(g.Why, 0), list))
	}
	return strings.Join(out, "\n")
}

// planFile is a file of the plans directory as messages name it.
func (s *Session) planFile(path string) string {
	return filepath.Join(project.Rel(s.Project.PlansDir), path)
}

// at is where a statement is in the plans, as file:line.
func (s *Session) at(rev *revision.Revision, st revision.Statement) string {
	path := s.planFile(rev.Path)
	if st.Line > 0 {
		return fmt.Sprintf("%s:%d", path, st.Line)
	}
	return path
}

// catchUpRows counts the rows a migrate run would still rewrite for the
// closed gates: rows selected again by the release's backfills of a gate's
// table, less the rows what a backfill writes would leave pending
// (migrate's catch-up counts those as left, and says the contract is
// blocked: both read sqlsyntax.Rewrite). Not only the backfill its own rule
// placed: a data migration is how a release makes a unique index, foreign
// key, check or tightening hold (Apollo 2.0's DeletedAt = -Id of the rows
// deleted before its unique keys), and its rows the previous release wrote
// since migrate ran close those gates until migrate runs again, in an
// earlier contract revision than its own gate when it was declared after
// the release was planned. Gates of a table no backfill has rows left to
// rewrite in only open when the data is fixed. A backfill that cannot be
// counted any more (what it reads is gone) can rewrite nothing. db check
// (s.quick) only asks whether there is such a row.
func (s *Session) catchUpRows(ctx context.Context, rel string, closed []GateResult) int64 {
	var total int64
	for _, rev := range s.Plans.Of(rel, revision.Migrate) {
		for _, st := range rev.Statements {
			serves := slices.ContainsFunc(closed, func(g GateResult) bool { return g.Table == st.Table })
			if st.Kind != revision.Backfill || !serves {
				continue
			}
			if n, err := s.rewritableRows(ctx, st, s.quick); err == nil {
				total += n
			}
			if s.quick && total > 0 {
				return total
			}
		}
	}
	return total
}

// droppedBy explains why a gate that an earlier run passed cannot run
// again, when that is because a later statement of the same revision,
// applied or sent since, dropped or renamed a table or column the gate
// reads. The gate was 0 before that statement ran, and the rows it counted
// went with what was dropped: nothing it guarded is left to protect, while
// refusing would stop the revision for good. "" when that is not why.
func droppedBy(rev *revision.Revision, rec *history.Record, gate int, err error) string {
	if rec == nil || !dbconn.ServerError(err, 1054, 1146) {
		return ""
	}
	last, how := rec.Applied-1, "applied"
	if rec.InFlight {
		last = rec.Applied
	}
	reads := effect.Parse(rev.Statements[gate].SQL)
	for j := gate + 1; j <= last && j < len(rev.Statements); j++ {
		if rec.InFlight && j == rec.Applied {
			how = "sent"
		}
		for _, e := range effect.Of(rev.Statements[j].SQL) {
			what := ""
			switch e.Op {
			case effect.DropColumn, effect.RenameColumn:
				if reads.Mentions(e.Table) && reads.Mentions(e.Name) {
					what = e.Table + "." + e.Name
				}
			case effect.DropTable, effect.RenameTable:
				if reads.Mentions(e.Table) {
					what = "table " + e.Table
				}
			}
			if what != "" {
				verb := "dropped"
				if e.Op == effect.RenameColumn || e.Op == effect.RenameTable {
					verb = "renamed"
				}
				return fmt.Sprintf("it reads %s, which statement %d of this revision %s (%s by an earlier run); it passed before that statement ran, and the rows it counted went with it", what, j+1, verb, how)
			}
		}
	}
	return ""
}

// waitsFor says why a gate cannot be answered for before earlier, the
// revisions its command runs before the gate's own, have run (from the
// first statement of each not confirmed): one of their statements drops,
// renames, adds or changes a table or column the gate reads, or deletes
// or inserts rows of a table it reads, so what it counts now is not what
// the command meets (a gate reading what an earlier revision drops cannot
// run then; rows an earlier delete removes are counted now). A delete
// whose rows the gate leaves out (sqlsyntax.Gate.Counting) changes
// nothing it counts. "" when no statement does.
func (s *Session) waitsFor(earlier []*revision.Revision, gate string) string {
	if len(earlier) == 0 {
		return "" // a real run's revision, or the first pending: nothing to wait for
	}
	reads := effect.Parse(gate)
	read, _ := sqlsyntax.ReadGate(gate) // the plans were read: every gate parses
	for _, rev := range earlier {
		from, simulated := s.simulatedFrom[rev.ID.String()]
		if !simulated {
			from = s.Records[rev.ID.String()].Confirmed()
		}
		for j := from; j < len(rev.Statements); j++ {
			st := rev.Statements[j]
			for _, e := range effect.Of(st.SQL) {
				what := e.Table
				switch e.Op {
				case effect.AddColumn, effect.DropColumn, effect.ModifyColumn, effect.RenameColumn:
					if !reads.Mentions(e.Name) && !reads.Mentions(e.Def) {
						continue
					}
					what += "." + e.Name
				case effect.DeleteRows:
					if read.Counting(st.SQL).SQL() != read.SQL() {
						continue
					}
				case effect.CreateTable, effect.DropTable, effect.RenameTable, effect.InsertRows:
				default:
					continue
				}
				if reads.Mentions(e.Table) || e.Op == effect.RenameTable && reads.Mentions(e.Name) {
					return fmt.Sprintf("it reads %s, which %s changes first (statement %d: %s)", what, rev.ID, j+1, e.Op)
				}
			}
		}
	}
	return ""
}

// simulatedBefore are the revisions the dry run has simulated, in order.
func (s *Session) simulatedBefore() []*revision.Revision {
	var out []*revision.Revision
	for _, rev := range s.Plans.Revisions {
		if _, ok := s.simulatedFrom[rev.ID.String()]; ok {
			out = append(out, rev)
		}
	}
	return out
}

// blockedAfterCatchUp is migrate's answer when its backfills leave rows
// pending that they cannot rewrite: if contract's gates count rows, the
// contract is blocked by data, and saying "migrate complete, run contract"
// would start the circle again. A gate that reads what an earlier pending
// contract revision changes first is contract's to run, as db check
// leaves it (answerable): counted now, it met rows contract deletes
// before it and said blocked a contract that applies.
func (s *Session) blockedAfterCatchUp(ctx context.Context, rel string, stuck int64) error {
	contracts := s.pending(rel, revision.Contract)
	for i, rev := range contracts {
		only, _ := s.answerable(contracts, i)
		if len(only) == 0 {
			continue
		}
		c := s.runGates(ctx, rev, s.Records[rev.ID.String()], only...)
		c.catchUp = 0 // this run has just rewritten all it could
		var b *Blocked
		if err := c.err(); errors.As(err, &b) {
			b.Reason = fmt.Sprintf("migrate of %s is complete, but its backfills leave %s pending (what they write leaves them matching their WHERE); %s", rel, sqlsyntax.Plural(int(stuck), "row"), b.Reason)
			return b
		} else if err != nil {
			return err
		}
	}
	return nil
}
