package apply

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Result is what a changing command did (or, with --dry-run, would do).
type Result struct {
	Command   string        `json:"command"`
	Database  string        `json:"database"`
	DryRun    bool          `json:"dry_run"`
	Before    string        `json:"version_before"`
	After     string        `json:"version_after"`
	Revisions []*RevResult  `json:"revisions"`
	Gates     []GateResult  `json:"gates,omitempty"`
	Drift     *devdb.Report `json:"drift,omitempty"`
	Preflight []string      `json:"preflight,omitempty"`
	Losses    []Loss        `json:"losses,omitempty"`  // what a rollback drops that nothing gives back
	Partial   bool          `json:"partial,omitempty"` // migrate stopped by --max-rows
	Retries   []Retry       `json:"retries,omitempty"` // deadlocks and lock wait timeouts tried again
	Pauses    []Pause       `json:"pauses,omitempty"`  // backfill waits for replicas or load
	Message   string        `json:"message"`
	Next      string        `json:"next,omitempty"`
	Error     string        `json:"error,omitempty"`
}

// RevResult is one revision of a run.
type RevResult struct {
	Name       string   `json:"name"`
	Statements int      `json:"statements"`
	ResumedAt  int      `json:"resumed_at,omitempty"` // statements already applied by an earlier run
	Applied    int      `json:"applied"`
	Rows       int64    `json:"rows,omitempty"` // backfilled by this run
	Done       bool     `json:"done"`
	SQL        []string `json:"sql,omitempty"` // dry run: what would run
}

// Refusal is an order violation: nothing was changed, and Next says which
// command comes first.
type Refusal struct {
	Reason string
	Next   string
}

func (r *Refusal) Error() string {
	if r.Next == "" {
		return r.Reason
	}
	if strings.Contains(r.Reason, "\n") {
		return strings.TrimRight(r.Reason, "\n") + "\nnext: " + r.Next
	}
	return r.Reason + "; next: " + r.Next
}

func (s *Session) begin(ctx context.Context, cmd string) (*Result, error) {
	res := &Result{Command: cmd, Database: s.Cfg.String(), DryRun: s.opts.DryRun, Revisions: []*RevResult{}}
	s.cmd, s.res = cmd, res
	if err := s.havePlans(); err != nil {
		return res, err
	}
	if err := s.findOSC(ctx); err != nil {
		return res, err
	}
	// A real run checks once it holds the lock, on the records read then:
	// a run that waited for it (--lock-timeout) may find another release
	// in progress, or a default changed by ALTER DATABASE meanwhile. Still
	// before the version table is created or upgraded: a refusal changes
	// nothing.
	if err := s.lockAndRead(ctx); err != nil {
		return res, err
	}
	collation, err := s.checkCollation(ctx, s.through)
	if err != nil {
		return res, err
	}
	if !s.opts.DryRun {
		if err := history.Ensure(ctx, s.Conn); err != nil {
			return res, s.redact(err)
		}
		if err := s.reload(ctx); err != nil {
			return res, err
		}
	}
	if err := s.consistent(); err != nil {
		return res, err
	}
	if cmd != "rollback" {
		if err := s.RefuseDuringRollback(ctx); err != nil {
			return res, err
		}
	}
	res.Before = s.Version()
	s.say("emcee db %s on %s, version %s%s", cmd, s.Cfg, res.Before, s.dry(" (dry run: nothing will be changed)", ""))
	if collation != "" {
		s.preflightNote(res)("%s", collation)
	}
	return res, s.recordReplans(ctx)
}

// beginPhase begins cmd (expand, migrate or contract) on the release
// being upgraded, rel: "" when the run ends there, refused (err) or with
// the database up to date.
func (s *Session) beginPhase(ctx context.Context, cmd string) (res *Result, rel string, err error) {
	if res, err = s.begin(ctx, cmd); err == nil {
		if rel = s.current(); rel == "" {
			res, err = s.done(res, "the database is up to date: nothing to "+cmd, "")
		}
	}
	return res, rel, err
}

// done ends a run that has nothing (more) to do, saying why.
func (s *Session) done(res *Result, msg, next string) (*Result, error) {
	res.Message, res.Next = msg, next
	s.say("%s", msg)
	return s.end(res)
}

// end says the version a run leaves the database at, and what is next.
func (s *Session) end(res *Result) (*Result, error) {
	res.After = s.Version()
	line := s.dry("version after a real run: %s", "version: %s")
	if slices.ContainsFunc(res.Gates, func(g GateResult) bool { return g.Waits != "" }) {
		line += ", if the gates not checked are open (a closed one stops the run before its revision)"
	}
	s.say(line, res.After)
	if res.Next != "" {
		s.say("next: %s", res.Next)
	}
	return res, nil
}

// Expand applies the pending expand revisions of the release being
// upgraded. It is safe while the previous release's code runs.
func (s *Session) Expand(ctx context.Context) (*Result, error) {
	res, rel, err := s.beginPhase(ctx, "expand")
	if rel == "" {
		return res, err
	}
	revs := s.pending(rel, revision.Expand)
	if len(revs) == 0 {
		left := append(s.pending(rel, revision.Migrate), s.pending(rel, revision.Contract)...)
		if i := slices.Index(s.Project.Releases, rel); i+1 < len(s.Project.Releases) && len(s.Plans.Of(s.Project.Releases[i+1], revision.Expand)) > 0 {
			return res, &Refusal{
				Reason: fmt.Sprintf("cannot expand %s: %s is expanded but not fully contracted (pending: %s), and the expand of a release needs the previous one finished", s.Project.Releases[i+1], rel, names(left)),
				Next:   s.nextAfterExpand(rel),
			}
		}
		return s.done(res, fmt.Sprintf("expand of %s is complete: nothing to expand", rel), s.nextAfterExpand(rel))
	}
	if err := s.preflight(ctx, res, rel, revs); err != nil {
		return res, err
	}
	for _, rev := range revs {
		if _, err := s.runRevision(ctx, res, rev); err != nil {
			return res, err
		}
	}
	res.Message = fmt.Sprintf("expand of %s applied", rel)
	res.Next = fmt.Sprintf("deploy %s code beside the running %s code, then run %s", rel, s.oldCode(rel), s.command("migrate"))
	if len(s.pending(rel, revision.Migrate)) == 0 {
		res.Next = fmt.Sprintf("deploy %s code; once no %s code is left, run %s (%s has nothing to migrate)", rel, s.oldCode(rel), s.command("contract"), rel)
	}
	return s.end(res)
}

// ranBefore is a refusal of rev that says nothing was changed, worded
// for a run that applied revisions before rev: what they applied stays,
// and only rev changed nothing. A dry run changed nothing.
func ranBefore(res *Result, rev *revision.Revision, err error) error {
	var ran []string
	for _, rr := range res.Revisions {
		if rr.Name != rev.ID.String() && (rr.Applied > 0 || rr.Rows > 0) && !res.DryRun {
			ran = append(ran, rr.Name)
		}
	}
	if r, ok := errors.AsType[*Refusal](err); ok && len(ran) > 0 {
		r.Reason = strings.Replace(r.Reason, nothingChanged, fmt.Sprintf("nothing of %s was changed (this run applied %s before it, which %s applied)", rev.ID, sqlsyntax.Series(ran, "and"), sqlsyntax.OneOrMany(len(ran), "stays", "stay")), 1)
	}
	return err
}

// dry is what a dry run says, or else what a real run says.
func (s *Session) dry(dryRun, real string) string {
	if s.opts.DryRun {
		return dryRun
	}
	return real
}

// oldCode names the code a release replaces: the previous release's, or
// "old" before the first.
func (s *Session) oldCode(rel string) string {
	return cmp.Or(previous(s.Project.Releases, rel), "old")
}

func (s *Session) nextAfterExpand(rel string) string {
	if len(s.pending(rel, revision.Migrate)) > 0 {
		return "run " + s.command("migrate")
	}
	return s.contractNext(rel)
}

func (s *Session) contractNext(rel string) string {
	return fmt.Sprintf("once no %s code is left, run %s", s.oldCode(rel), s.command("contract"))
}

// Migrate applies the pending migrate revisions (backfills) of the release
// being upgraded, in batches, while both releases run.
func (s *Session) Migrate(ctx context.Context) (*Result, error) {
	res, rel, err := s.beginPhase(ctx, "migrate")
	if rel == "" {
		return res, err
	}
	if p := s.pending(rel, revision.Expand); len(p) > 0 {
		return res, &Refusal{Reason: fmt.Sprintf("cannot migrate %s: its expand is not applied (pending: %s)", rel, names(p)), Next: "run " + s.command("expand")}
	}
	if err := s.phaseDriftCheck(ctx, res, rel, "migrate"); err != nil {
		return res, err
	}
	revs := s.pending(rel, revision.Migrate)
	if len(revs) == 0 {
		rows, stuck, finished, err := s.catchUp(ctx, res, rel)
		if err != nil {
			return res, err
		}
		if finished && stuck > 0 {
			if err := s.blockedAfterCatchUp(ctx, rel, stuck); err != nil {
				return res, err
			}
		}
		switch {
		case !finished:
			res.Partial = true
			return s.done(res, fmt.Sprintf("migrate of %s stopped after %d rows (--max-rows)", rel, rows), "run "+s.rerun()+" again to continue")
		case rows > 0 || (s.opts.DryRun && len(res.Revisions) > 0):
			return s.done(res, fmt.Sprintf("migrate of %s caught up: rows written since its backfill are migrated", rel), s.contractNext(rel))
		}
		return s.done(res, fmt.Sprintf("migrate of %s is complete: nothing to migrate", rel), s.contractNext(rel))
	}
	for _, rev := range revs {
		rr, err := s.runRevision(ctx, res, rev)
		if err != nil {
			return res, err
		}
		if !rr.Done {
			res.Partial = true
			return s.done(res, fmt.Sprintf("migrate of %s stopped after %d rows (--max-rows); the rest is pending and kept in sync by triggers", rel, s.rowsRun), "run "+s.rerun()+" again to continue where it stopped ("+s.command("status")+" counts what is left)")
		}
	}
	res.Message = fmt.Sprintf("migrate of %s complete", rel)
	res.Next = fmt.Sprintf("finish deploying %s; once no %s code is left, run %s", rel, s.oldCode(rel), s.command("contract"))
	return s.end(res)
}

// Contract applies the pending contract revisions once the migrate is
// complete and every gate passes.
func (s *Session) Contract(ctx context.Context) (*Result, error) {
	res, rel, err := s.beginPhase(ctx, "contract")
	if rel == "" {
		return res, err
	}
	if p := s.pending(rel, revision.Expand); len(p) > 0 {
		return res, &Refusal{Reason: fmt.Sprintf("cannot contract %s: its expand is not applied (pending: %s)", rel, names(p)), Next: "run " + s.command("expand") + ", then " + s.command("migrate")}
	}
	if p := s.pending(rel, revision.Migrate); len(p) > 0 {
		return res, &Refusal{Reason: fmt.Sprintf("cannot contract %s: its migrate is not complete (pending: %s)", rel, names(p)), Next: "run " + s.command("migrate") + " (" + s.command("status") + " shows the rows left)"}
	}
	if err := s.phaseDriftCheck(ctx, res, rel, "contract"); err != nil {
		return res, err
	}
	// Before the first changes anything, as db check checks them: a view
	// contract01 creates broke contract02's drop half-way.
	if err := s.checkDependents(ctx, s.pending(rel, revision.Contract)...); err != nil {
		return res, err
	}
	for _, rev := range s.pending(rel, revision.Contract) {
		if _, err := s.runRevision(ctx, res, rev); err != nil {
			return res, err
		}
	}
	res.Message = fmt.Sprintf("contract of %s applied: the database is at release %s", rel, rel)
	if next := s.current(); next != "" {
		res.Next = fmt.Sprintf("to upgrade to %s, run %s", next, s.command("expand"))
	}
	return s.end(res)
}

// Sync applies every pending revision, release by release (expand,
// migrate, contract), up to target: a release (through its contract) or a
// revision name; empty means the latest. Sync is for a database no old code
// is using (a fresh install, or an offline upgrade). With requireControl it
// refuses a database emcee has never touched (db upgrade).
func (s *Session) Sync(ctx context.Context, target string, requireControl bool) (*Result, error) {
	cmd := "sync"
	if requireControl {
		cmd = "upgrade"
	}
	stop, err := s.resolveTarget(target)
	if requireControl && len(s.Records) == 0 {
		err = &Refusal{
			Reason: fmt.Sprintf("%s is not under emcee control (no revision recorded in %s)", s.Cfg.Database, history.Table),
			Next:   "for an empty database run " + s.command("sync") + "; for an existing one run " + s.command("baseline", "RELEASE") + " first",
		}
	}
	if err != nil {
		return &Result{Command: cmd, Database: s.Cfg.String(), Revisions: []*RevResult{}}, err
	}
	s.through, s.target = stop.ID.Release, target
	res, err := s.begin(ctx, cmd)
	if err != nil {
		return res, err
	}
	if s.Records[stop.ID.String()].Done() || s.current() == "" {
		if target == "" {
			return s.done(res, "the database is up to date: nothing to do", "")
		}
		return s.done(res, fmt.Sprintf("the database is already at or past %s: nothing to do", stop.ID), "")
	}
	// What every revision to run drops or adds is compared with the live
	// triggers, views, routines and events before the first changes
	// anything: a later release's expand adding a column a routine copies
	// by position, or its contract dropping one a view reads, stopped the
	// sync there, with the releases before it applied.
	var ahead []*revision.Revision // the revisions to run, in order
	for _, rev := range s.Plans.Revisions {
		if !s.Records[rev.ID.String()].Done() {
			ahead = append(ahead, rev)
		}
		if rev == stop {
			break
		}
	}
	if err := s.checkDependents(ctx, ahead...); err != nil {
		return res, err
	}
	s.checkedAhead = true
	defer func() { s.checkedAhead = false }()
	// A release whose migrate an earlier run applied may have rows the
	// previous release wrote since (no trigger rewrites them for a data
	// migration): what `db migrate` would rewrite is rewritten before its
	// contract's gates count them, as nothing else runs to do it; sync told
	// the operator to run migrate, then contract (Mattermost 6.1's
	// MsgCountRoot = MsgCount, finished offline after a rolling migrate).
	// A contract an earlier run began is resumed as db contract resumes
	// it, behind its gates: what it dropped may be what the backfills
	// read (1054 at every rerun).
	migrated := map[string]bool{}
	for _, rev := range s.Plans.Revisions { // a release's contract after its migrate
		if p := rev.ID.Phase; (p == revision.Migrate || p == revision.Contract) && s.Records[rev.ID.String()].Confirmed() > 0 {
			migrated[rev.ID.Release] = p == revision.Migrate
		}
	}
	checked := map[string]bool{}
	for _, rev := range ahead {
		rel := rev.ID.Release
		if rev.ID.Phase == revision.Expand && !checked[rel] {
			checked[rel] = true
			if err := s.preflight(ctx, res, rel, s.pending(rel, revision.Expand)); err != nil {
				return res, err
			}
		}
		if err := s.phaseDriftCheck(ctx, res, rel, string(rev.ID.Phase)); err != nil {
			return res, err
		}
		if rev.ID.Phase == revision.Contract && migrated[rel] {
			migrated[rel] = false
			if _, _, finished, err := s.catchUp(ctx, res, rel); err != nil || !finished {
				return res, err
			}
		}
		if _, err := s.runRevision(ctx, res, rev); err != nil {
			return res, err
		}
	}
	res.Message = fmt.Sprintf("synced to %s", stop.ID)
	if next := s.current(); next != "" && !s.opts.DryRun {
		res.Next = fmt.Sprintf("%s is pending: %s starts a rolling upgrade to it, %s an offline one", next, s.command("expand"), s.command("sync"))
	}
	return s.end(res)
}

// havePlans refuses to compare a database with plans that hold nothing:
// "up to date" would only mean that nothing was planned yet.
func (s *Session) havePlans() error {
	if len(s.Plans.Revisions) == 0 {
		return fmt.Errorf("%s holds no revisions: run `emcee plan` first", project.Rel(s.Project.PlansDir))
	}
	return nil
}

func (s *Session) resolveTarget(target string) (*revision.Revision, error) {
	if err := s.havePlans(); err != nil {
		return nil, err
	}
	if target == "" {
		return s.Plans.Revisions[len(s.Plans.Revisions)-1], nil
	}
	if slices.Contains(s.Project.Releases, target) {
		for _, r := range slices.Backward(s.Plans.Revisions) {
			if r.ID.Release == target {
				return r, nil
			}
		}
		return nil, fmt.Errorf("release %s has no revisions in %s: run `emcee plan`", target, s.Project.PlansDir)
	}
	if i := slices.IndexFunc(s.Plans.Revisions, func(r *revision.Revision) bool { return r.ID.String() == target }); i >= 0 {
		return s.Plans.Revisions[i], nil
	}
	return nil, fmt.Errorf("%q is neither a release (%s) nor a revision in %s", target, strings.Join(s.Project.Releases, ", "), s.Project.PlansDir)
}

// runRevision applies one revision from its first unapplied statement.
func (s *Session) runRevision(ctx context.Context, res *Result, rev *revision.Revision) (rr *RevResult, err error) {
	name := rev.ID.String()
	rec := s.Records[name]
	defer func() { err = ranBefore(res, rev, err) }()
	rr = &RevResult{Name: name, Statements: len(rev.Statements)}
	res.Revisions = append(res.Revisions, rr)
	from := rec.Confirmed()
	rr.ResumedAt = from
	// Every gate runs, and must pass, before the first statement: a
	// contract that stops half-way on a closed gate would leave the schema
	// in a state no release was tested against. A resumed revision runs
	// them all again: rows may have changed while it stood still. A
	// foreign key a run that stopped added and did not confirm goes again
	// if they refuse. A dry run has not run the revisions it simulated: a
	// gate reading what they change waits for them, as db check's does,
	// not answered against the schema and rows before them.
	earlier := s.simulatedBefore()
	gates, err := s.gatesNow(ctx, append(earlier, rev), len(earlier))
	res.Gates = append(res.Gates, gates...)
	if err := s.dropAgain(ctx, rev, rec, err); err != nil {
		return rr, err
	}
	err = s.checkDependents(ctx, rev)
	if err == nil {
		err = s.checkOSC(ctx, rev, rec, from)
	}
	if err == nil {
		err = s.checkWritersShown(ctx, rev, from)
	}
	if err != nil {
		return rr, unconfirmed(rev, rec, err)
	}
	if s.opts.DryRun {
		return rr, s.dryRun(ctx, rev, rec, rr, gates)
	}
	if rec == nil {
		if rec, err = history.Start(ctx, s.Conn, rev, s.by, s.opts.Tool); err != nil {
			return rr, s.redact(err)
		}
		s.Records[name] = rec
		s.say("applying %s (%s)", name, sqlsyntax.Plural(len(rev.Statements), "statement"))
	} else {
		if rec.Applied > 0 {
			s.say("resuming %s at statement %d of %d (an earlier run applied %d)", name, rec.Applied+1, rec.Total, rec.Applied)
		} else {
			s.say("resuming %s at statement 1 of %d", name, rec.Total)
		}
		if rec.Error != "" {
			s.say("  the earlier run stopped on: %s", sqlsyntax.OneLine(rec.Error, 200))
		}
		if err := history.Resume(ctx, s.Conn, rec, s.by, s.opts.Tool); err != nil {
			return rr, s.redact(err)
		}
		s.sayRechecked(rev, gates)
		if err := s.restoreSession(ctx, rev, rec); err != nil {
			return rr, err
		}
	}
	defer func() { rr.Applied = rec.Applied - rr.ResumedAt }()
	start := time.Now()
	for i := rec.Applied; i < len(rev.Statements); i++ {
		// A data migration's DELETE runs as a backfill does (asBatched).
		st := batchedAt(rev, i)
		label := fmt.Sprintf("  [%d/%d] %s", i+1, len(rev.Statements), st.Rule)
		switch st.Kind {
		case revision.Gate:
			s.say("%s: gate open", label)
		case revision.Backfill:
			what := formOf(st).what
			switch {
			case st.Key == "":
				s.say("%s: %s %s in one %s (no single-column primary key to batch on)", label, what, st.Table, formOf(st).stmt)
			case s.opts.ChunkTime > 0:
				z := newSizer(s.opts)
				s.say("%s: %s %s in batches sized to take about %s (from %d keys, at most %d)", label, what, st.Table, s.opts.ChunkTime, z.size, z.max)
			default:
				s.say("%s: %s %s in batches of %d", label, what, st.Table, s.opts.BatchSize)
			}
			rows, finished, err := s.backfill(ctx, rev, rec, i, true)
			rr.Rows += rows
			if _, ok := errors.AsType[*CriticalLoad](err); ok {
				// Not a failure: every batch is committed and recorded,
				// and the next run resumes after the last one.
				res.Partial = true
				res.Message = fmt.Sprintf("%s of %s stopped by --critical-load after %d rows", rev.ID.Phase, rev.ID.Release, s.rowsRun)
				res.Next = fmt.Sprintf("rerun %s once the load is down: it resumes where it stopped", s.rerun())
				s.say("%s", res.Message)
				return rr, err
			}
			if err != nil {
				return rr, s.failed(ctx, rev, rec, i, err, nil)
			}
			if !finished {
				return rr, nil
			}
		default:
			s.say("%s: %s", label, sqlsyntax.OneLine(st.SQL, 100))
			if rev.ID.Phase == revision.Rollback {
				if err := s.recountLosses(ctx, rev, i); err != nil {
					return rr, err
				}
			}
			guard := fkGuardOf(rev, i)
			if guard != nil {
				if err := s.recheckBefore(ctx, rev, rec, i, guard); err != nil {
					return rr, err
				}
			}
			if err := s.execDDL(ctx, rev, rec, i, st, guard); err != nil {
				if r, ok := errors.AsType[recorded](err); ok {
					return rr, r.error
				}
				return rr, s.failed(ctx, rev, rec, i, err, nil)
			}
			continue // execDDL confirmed it
		}
		if err := history.Applied(ctx, s.Conn, rec); err != nil {
			return rr, s.redact(err)
		}
	}
	if err := history.Finish(ctx, s.Conn, rec); err != nil {
		return rr, s.redact(err)
	}
	rr.Done = true
	s.say("%s applied (%s, %s)", name, sqlsyntax.Plural(len(rev.Statements), "statement"), time.Since(start).Round(time.Millisecond))
	return rr, nil
}

// execDDL runs a statement that the server cannot roll back. It is marked
// in flight first; if a run dies before confirming it, the next run resends
// it and counts the server's "already exists / already gone" answer as
// proof that it had taken effect, so it is never applied twice.
//
// A statement that adds foreign keys (guard) is confirmed only once the
// gates counting their orphans pass again (fkcheck.go).
func (s *Session) execDDL(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, st revision.Statement, guard *fkGuard) error {
	resent := rec.InFlight && rec.Applied == i
	if !resent {
		var undo []string
		if guard != nil {
			undo = guard.undo
		}
		if err := history.Sending(ctx, s.Conn, rec, strings.Join(undo, ";\n")); err != nil {
			return err
		}
	}
	// The one place a statement is executed: by the server as written, or,
	// for a table copy with --osc, by the tool (osc.go).
	alter, err := s.oscAlter(st)
	switch {
	case err != nil:
	case alter != nil:
		err = s.runOSC(ctx, rev, rec, i, alter, resent)
	default:
		if err := s.toolLeftBehind(ctx, rev, rec, i); err != nil {
			return err
		}
		err = s.retry(ctx, fmt.Sprintf("statement %d of %s", i+1, rev.ID), rev, i, func() error {
			_, err := s.Conn.ExecContext(ctx, st.SQL)
			return err
		})
	}
	if err != nil {
		if resent && guard != nil && !alreadyApplied(err) {
			// The keys the run that stopped sent may stand, and this
			// send failed without telling (a lock wait): the record
			// keeps them in flight with their undo (dropAgain).
			return recorded{s.failed(ctx, rev, rec, i, err, guard.undo)}
		}
		if alter != nil || !resent || !alreadyApplied(err) {
			return err
		}
		s.say("    the run that stopped had sent this statement and the server had applied it (%v): counted as applied", err)
	}
	if guard != nil {
		if err := s.recheckAfter(ctx, rev, rec, i, guard); err != nil {
			return recorded{err}
		}
	}
	return history.Applied(ctx, s.Conn, rec)
}

// alreadyApplied recognises the errors a DDL statement gets when it is sent
// a second time after it took effect.
func alreadyApplied(err error) bool {
	return dbconn.ServerError(err,
		1050, // table exists
		1060, // duplicate column
		1061, // duplicate key name
		1068, // multiple primary key (add-primary-key: the table has its key)
		1051, // unknown table (a rollback's DROP TABLE already done)
		1091, // can't drop: does not exist
		1146, // table does not exist (rename / drop already done)
		1359, // trigger already exists
		1360, // trigger does not exist
		1826, // duplicate foreign key
		4031, // MariaDB: duplicate constraint name
		4092, // MariaDB: unknown view (a rollback's DROP VIEW already done)
	)
}

// failed records why a statement failed and turns it into an error that
// names the revision, the statement and how to continue. undo, for a
// foreign key a stopped run sent that may stand, keeps it in flight.
func (s *Session) failed(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, cause error, undo []string) error {
	st := batchedAt(rev, i)
	unfit := s.unfit(rev, st, cause) + s.seedConflict(rev, st, cause) + s.insertConflict(ctx, rev, st, cause) // before redact, which keeps the text alone
	cause = s.redact(cause)
	committed := ""
	if st.Kind == revision.Backfill && rec.ResumeKey.Valid {
		committed = fmt.Sprintf(", and the %s committed up to %s = %s", formOf(st).what, s.shownKey(ctx, st), history.ShowKey(rec.ResumeKey.String))
	}
	if ctx.Err() != nil {
		// Interrupted: the record keeps "in flight" (or the last committed
		// backfill batch), which is exactly what the next run resumes from.
		return fmt.Errorf("%s interrupted at statement %d of %d (%v): %s applied and recorded%s; rerun %s to resume",
			rev.ID, i+1, len(rev.Statements), ctx.Err(), sqlsyntax.Plural(rec.Applied, "statement"), committed, s.rerun())
	}
	// The connection may be gone, in which case this write fails too and
	// the record still says "in flight", which the next run handles.
	done := fmt.Sprintf("%d of %d statements are applied and recorded%s", rec.Applied, len(rev.Statements), committed)
	if undo != nil {
		_ = history.FailSent(ctx, s.Conn, rec, cause, strings.Join(undo, ";\n"))
		done += fmt.Sprintf("; %s, which the run that stopped added, may stand, not confirmed: the rerun keeps it if its gates pass, else drops it again (%s)", keyNames(fkGuardOf(rev, i)), strings.Join(undo, "; "))
	} else {
		_ = history.Fail(ctx, s.Conn, rec, cause, st.SQL)
	}
	return fmt.Errorf("%s (%s) statement %d of %d, rule %s, failed: %v\n  statement: %s\n%s%s; fix the cause and rerun %s: it resumes at statement %d",
		rev.ID, rev.Path, i+1, len(rev.Statements), st.Rule, cause, sqlsyntax.OneLine(st.SQL, 300), unfit, done, s.rerun(), rec.Applied+1)
}

// seedConflict explains a row a data_migration declares (row blocks) that
// the server refused with a duplicate key: its INSERT runs only when no row
// holds exactly its values, so a row holds its key (or another unique
// key's value) with other values. emcee neither overwrites that row (the
// new release's, or someone's fix) nor skips the declared one (what the
// release and its contract gate rely on): the person decides. "" for any
// other failure.
func (s *Session) seedConflict(rev *revision.Revision, st revision.Statement, cause error) string {
	if st.Kind != revision.DDL || !slices.Contains(st.Rules(), "data-migration") || !dbconn.ServerError(cause, 1062) {
		return ""
	}
	return fmt.Sprintf("the statement at %s inserts a row the release declares (%s), and a row of the table holds its key, or the value of another unique key, with other values (the server's message above names the key and value): emcee neither overwrites that row nor skips the declared one. Ways out: look at that row, then make it the declared row (UPDATE it to the values the statement inserts) or delete it, and rerun; or, if the row there is the right one, remove the row block from the release and plan it again (`emcee plan --rewrite %s`, possible only while the release is not released). ",
		s.at(rev, st), sqlsyntax.OneLine(st.Why, 300), rev.ID.Release)
}

// duplicateKey reads the key a duplicate-key error names: MariaDB's
// "Duplicate entry 'x' for key 'k'", MySQL 8's "... for key 't.k'".
var duplicateKey = regexp.MustCompile(`for key '(?:[^'.]*\.)?([^']+)'$`)

// insertConflict explains a backfill inserting rows (a data_migration with
// from and insert) whose batch the server refused with a duplicate key:
// two rows of the table it reads give one value of a unique key of the
// table it inserts into (Gitea 1.15's primary emails, two users sharing an
// email), or a row there holds it already. Its pending predicate selects
// every row whose row is not there yet, both of such a pair, so no rerun
// gets past them. It names the key and gives the query listing the
// values two pending rows give alike, and the ways out. "" for any other
// failure.
func (s *Session) insertConflict(ctx context.Context, rev *revision.Revision, st revision.Statement, cause error) string {
	if st.Kind != revision.Backfill || !dbconn.ServerError(cause, 1062) {
		return ""
	}
	b, err := sqlsyntax.ReadBackfill(st.SQL)
	if err != nil || b.Into == "" {
		return ""
	}
	key := ""
	if m := duplicateKey.FindStringSubmatch(dbconn.ServerMessage(cause)); m != nil {
		key = m[1]
	}
	list, which := "", "a unique key"
	if key != "" {
		which = "unique key " + key
		var cols, colls []string
		err := dbconn.EachRow(ctx, s.Conn, "SELECT s.COLUMN_NAME, COALESCE(c.COLLATION_NAME, '') FROM information_schema.STATISTICS s JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME WHERE s.TABLE_SCHEMA = DATABASE() AND s.TABLE_NAME = ? AND s.INDEX_NAME = ? ORDER BY s.SEQ_IN_INDEX", []any{b.Into, key}, func(rows *sql.Rows) error {
			var c, coll string
			err := rows.Scan(&c, &coll)
			cols, colls = append(cols, c), append(colls, coll)
			return err
		})
		if q := b.Collisions(cols, colls); err == nil && q != "" {
			list = fmt.Sprintf(" List the values two or more pending rows give alike: %s.", q)
		}
	}
	return fmt.Sprintf("the backfill at %s inserts into %s a row for each pending row of %s, and the batch gives %s of %s a value another row of the batch gives too, or a row of %s holds already (the server's message above names the key and value); the failing batch inserted nothing. Its pending predicate selects every row of %s whose row is not there yet, so both rows of such a pair stay selected, and a rerun stops there again.%s Ways out: change those rows of %s so that each gives its own value, then rerun; or make pending select one row a value (the lowest key: AND NOT EXISTS (SELECT 1 FROM %s AS other WHERE <other gives the same value> AND other.<key> < %s.<key>)) and plan the release again (`emcee plan --rewrite %s`, while it is not released). ",
		s.at(rev, st), sqlsyntax.Ident(b.Into), sqlsyntax.Ident(b.Table), which, sqlsyntax.Ident(b.Into), sqlsyntax.Ident(b.Into), sqlsyntax.Ident(b.Table), list, sqlsyntax.Ident(b.Table), sqlsyntax.Ident(b.Table), sqlsyntax.Ident(b.Table), rev.ID.Release)
}

// unfit explains a backfill the server stopped because a value it
// computes does not fit its column (a replaces' forward = "days * 86400"
// into an INT, Matomo 4's visitor_seconds_since_first): the pinned strict
// sql_mode refuses the value instead of storing it clipped, so the batch
// wrote nothing. The rows and the expression are the release's, which
// emcee cannot fix, and the ways out are two: fix the rows, or go back and
// declare a column or an expression that holds every value. Or because
// the strict mode refuses the expression itself. "" for any other failure.
func (s *Session) unfit(rev *revision.Revision, st revision.Statement, cause error) string {
	if st.Kind == revision.Backfill && dbconn.ServerError(cause,
		1292, // a value converted that is not one of the type: osTicket 1.10's GREATEST(IFNULL(lastmessage, 0), ...) of DATETIMEs
		1365, // division by 0 (ERROR_FOR_DIVISION_BY_ZERO)
	) {
		// The expression, not the column: a non-strict session (osTicket's
		// upgrader) warns and goes on; "fix the cause and rerun" alone
		// sent the operator to rerun the same statement.
		return fmt.Sprintf("the backfill at %s evaluates, for a pending row of %s, an expression the server refuses under emcee's strict sql_mode (a value converted to a type it is not, such as 0 as a DATETIME, or a division by 0), where a non-strict session would warn and store something; the failing batch changed no row, and a rerun stops there again. Ways out: change those rows so that the expression holds for them (they are among the rows the statement's WHERE selects), then rerun; or roll the release back with %s and plan it again (`emcee plan --rewrite %s`, while it is not released) with an expression valid for every row (COALESCE to a value of the type it is compared or combined with). ",
			s.at(rev, st), sqlsyntax.Ident(st.Table), s.rerunOf("rollback"), rev.ID.Release)
	}
	if st.Kind != revision.Backfill || !dbconn.ServerError(cause,
		1264, // out of range value for column
		1690, // the expression's own arithmetic overflows (BIGINT value is out of range)
		1406, // data too long for column
		1265, // data truncated for column
		1366, // incorrect value for column
	) {
		return ""
	}
	return fmt.Sprintf("the backfill at %s computes, for a pending row of %s, a value its column cannot hold; the server refused it (emcee's strict sql_mode), so nothing was stored clipped and the failing batch changed no row. The sync triggers refuse such a value to the previous release's writes in the same way, whatever their session's sql_mode (a trigger runs under the sql_mode it was created with). Ways out: change those rows so that the expression fits the column (they are among the rows the statement's WHERE selects: look at the largest or longest inputs), then rerun; or roll the release back with %s and plan it again with a column type that holds every value the expression gives, or an expression that stays in the column's range (LEAST, GREATEST, LEFT). ",
		s.at(rev, st), sqlsyntax.Ident(st.Table), s.rerunOf("rollback"))
}

// dryRun prints exactly what a real run would send, from the resume point.
func (s *Session) dryRun(ctx context.Context, rev *revision.Revision, rec *history.Record, rr *RevResult, gates []GateResult) error {
	from := rec.Confirmed()
	switch {
	case len(rev.Statements) == 0:
		s.say("would apply %s (%s): no statements, the revision is only recorded", rev.ID, rev.Path)
	case from == 0:
		s.say("would apply %s (%s), %s:", rev.ID, rev.Path, sqlsyntax.Plural(len(rev.Statements), "statement"))
	default:
		s.say("would resume %s (%s) at statement %d of %d:", rev.ID, rev.Path, from+1, len(rev.Statements))
		s.sayRechecked(rev, gates)
		for i := 0; i < from; i++ {
			if st := rev.Statements[i]; st.Kind == revision.DDL && setsSession(st.SQL) {
				s.say("-- [%d] %s: re-run first, to restore the session state it set for the statements after it", i+1, st.Rule)
				s.say("%s;", st.SQL)
				rr.SQL = append(rr.SQL, st.SQL+";")
			}
		}
	}
	for i := from; i < len(rev.Statements); i++ {
		st, deletes := asBatched(rev.Statements[i])
		text := st.SQL + ";"
		switch st.Kind {
		case revision.Gate:
			checked := "checked before anything runs"
			if g := slices.IndexFunc(gates, func(g GateResult) bool { return g.SQL == st.SQL && g.Waits != "" }); g >= 0 {
				checked = "not checked: " + gates[g].Waits + "; a real run checks it after that"
			}
			s.say("-- [%d] gate %s: %s (%s)", i+1, st.Rule, st.Why, checked)
		case revision.Backfill:
			if deletes {
				s.say("-- [%d] %s: %s", i+1, st.Rule, st.Why)
				// A data migration's delete destroys rows for good: the
				// operator sees how many before contract runs it.
				q := sqlsyntax.DeletedCount(st.SQL)
				var n int64
				if err := s.inAppZone(ctx, func() error { return s.Conn.QueryRowContext(ctx, q).Scan(&n) }); err != nil {
					s.say("-- rows it would delete not counted now (it may read what an earlier revision of this run creates): %s", s.Cfg.Redact(err.Error()))
				} else {
					s.say("-- deletes %s now (%s)", sqlsyntax.Plural(int(n), "row"), q)
				}
			} else {
				s.say("-- [%d] backfill %s: %s", i+1, st.Rule, st.Why)
			}
			s.say("-- %s", s.describeBackfill(ctx, rec, st, i == from))
			var err error
			if text, err = s.backfillText(ctx, st); err != nil {
				return err
			}
		default:
			s.say("-- [%d] %s: %s", i+1, st.Rule, st.Why)
			if a, err := s.oscAlter(st); err == nil && a != nil {
				s.say("-- copies the table: handed to %s as ALTER TABLE %s %s", s.osc.version, sqlsyntax.Ident(a.Table), a.Clauses)
			}
		}
		s.say("%s", text)
		rr.SQL = append(rr.SQL, text)
	}
	// Later revisions of the same dry run see this one as applied.
	now := time.Now()
	s.Records[rev.ID.String()] = &history.Record{Name: rev.ID.String(), ID: rev.ID, Checksum: rev.Checksum, Applied: len(rev.Statements), Total: len(rev.Statements), FinishedAt: sql.NullTime{Time: now, Valid: true}}
	if s.simulatedFrom == nil {
		s.simulatedFrom = map[string]int{}
	}
	s.simulatedFrom[rev.ID.String()] = from
	for j := from; j < len(rev.Statements); j++ {
		s.dryRan.ran(s, rev, j)
	}
	rr.Applied = len(rev.Statements) - from
	rr.Done = true
	return nil
}

// backfillText is what a run sends for a backfill, written from the tree
// as the run writes it (a batch's key range, the timestamps it keeps).
func (s *Session) backfillText(ctx context.Context, st revision.Statement) (string, error) {
	if err := s.sayForeignTriggers(ctx, st); err != nil {
		return "", err
	}
	b, keeps, err := s.readBackfill(ctx, st)
	switch {
	case err != nil:
		return "", err
	case oneStatement(st) == "":
		kind, err := s.keyKind(ctx, st.Table, st.Key)
		if formOf(st).deletes && kind != keyInstant {
			// What backfillRows runs for a delete: the keys read once,
			// then deleted by key, batch by batch.
			return b.Keys(st.Key, kind.read(sqlsyntax.Ident(st.Key)), false, true, true) + ";\n" + b.DeleteKeys(st.Key, 3) + ";", err
		}
		return b.Batch(st.Key, kind == keyInstant, true) + ";", err
	case keeps:
		return b.SQL() + ";", nil
	}
	return st.SQL + ";", nil
}

// catchUp reruns the backfills of a release's applied migrate revisions
// over rows that are pending again: rows the previous release's code wrote
// after the backfill passed them, where no trigger fills the new column
// (a declared data migration has none). Contract's gates refuse while such
// rows exist, and tell the operator to run migrate; this is what that run
// does. Each backfill touches only pending rows, so nothing is recorded:
// an interrupted catch-up simply finds fewer rows next time.
//
// stuck counts the rows a finished pass left pending up to its bound: what
// the backfill writes does not take them out of its WHERE (an expression
// that yields NULL for them), so no migrate run will.
func (s *Session) catchUp(ctx context.Context, res *Result, rel string) (rows, stuck int64, finished bool, err error) {
	for _, rev := range s.Plans.Of(rel, revision.Migrate) {
		for i, st := range rev.Statements {
			if st.Kind != revision.Backfill {
				continue
			}
			n, err := s.pendingRows(ctx, st)
			if err != nil {
				return rows, stuck, false, s.redact(fmt.Errorf("%s statement %d: counting pending rows: %w", rev.ID, i+1, err))
			}
			if n == 0 {
				continue
			}
			rr := &RevResult{Name: rev.ID.String(), Statements: len(rev.Statements), ResumedAt: len(rev.Statements)}
			res.Revisions = append(res.Revisions, rr)
			s.say("%s is applied, but %s has %s pending again (written after its backfill passed): backfilling (statement %d, rule %s)",
				rev.ID, st.Table, sqlsyntax.Plural(int(n), "row"), i+1, st.Rule)
			if s.opts.DryRun {
				text, err := s.backfillText(ctx, st)
				if err != nil {
					return rows, stuck, false, s.redact(err)
				}
				s.say("-- [%d] backfill %s: %s", i+1, st.Rule, st.Why)
				s.say("-- %s", s.describeBackfill(ctx, nil, st, false))
				s.say("%s", text)
				rr.SQL, rr.Done = append(rr.SQL, text), true
				continue
			}
			scratch := &history.Record{Name: rev.ID.String(), ID: rev.ID}
			got, done, err := s.backfill(ctx, rev, scratch, i, false)
			rows += got
			rr.Rows = got
			if _, ok := errors.AsType[*CriticalLoad](err); ok {
				// Its kind is its exit code (8, resumable), and it says
				// what resumes it.
				return rows, stuck, false, err
			}
			if err != nil {
				return rows, stuck, false, s.redact(fmt.Errorf("%s statement %d (catch-up backfill): %w; rerun %s", rev.ID, i+1, err, s.rerun()))
			}
			if !done {
				return rows, stuck, false, nil
			}
			rr.Done = true
			// What db check counts as migrate's to rewrite is what this
			// pass leaves: the same predicate, so the two agree.
			left, known, err := s.stuckRows(ctx, st)
			if err == nil && !known {
				left, err = s.pendingUpTo(ctx, st, scratch.ResumeBound)
			}
			if err != nil {
				return rows, stuck, false, s.redact(fmt.Errorf("%s statement %d: counting pending rows: %w", rev.ID, i+1, err))
			}
			if left > 0 {
				s.say("    rows left pending by the backfill: %d (what it writes leaves them matching its WHERE)", left)
			}
			stuck += left
		}
	}
	return rows, stuck, true, nil
}
