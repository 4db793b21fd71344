package apply

import (
	"context"
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

// RollbackRefused: no rollback can return to the previous release: the
// release's contract has started (or the release is complete), or its
// expand did what cannot be undone online; only a backup goes back.
const RollbackRefused = 9

// NoRollback is a rollback refused for good (RollbackRefused): finishing
// the release or restoring a backup are what is left. Commands exit with
// RollbackRefused for it.
type NoRollback struct{ Refusal }

func (n *NoRollback) Unwrap() error { return &n.Refusal }

// migrationsStay is what the output says about data migrations: rows
// migrate rewrote keep the values it wrote. The previous release tolerates
// them by construction, since migrate ran while it was serving.
const migrationsStay = "data migrations already run stay: rows the release's migrate rewrote keep what it wrote (the previous release served while they ran, so it reads them)"

// Rollback undoes the expand of the release being upgraded, before its
// contract starts: it runs the rollback revisions of the expand revisions
// applied (<release>_rollbackNN undoes <release>_expandNN), newest first,
// each statement recorded as it goes like any revision, so a run that dies
// resumes where it stopped. Once all have run, every record of the
// release is marked rolled back in one transaction: the database is at the
// previous release again, and a later expand starts the release afresh.
func (s *Session) Rollback(ctx context.Context) (*Result, error) {
	return s.RollbackRelease(ctx, "")
}

// RollbackRelease is Rollback of the named release ("" for the one in
// progress). Named, a release that has not started on this database, or
// was rolled back already, has nothing to undo: the run succeeds without
// changing anything. That is what a fleet's rollback needs on the
// databases its canary never reached.
func (s *Session) RollbackRelease(ctx context.Context, want string) (*Result, error) {
	res, err := s.begin(ctx, "rollback")
	if err != nil {
		return res, err
	}
	rel, nothing, err := s.rollbackRelease(ctx, want)
	if err != nil {
		return res, err
	}
	if rel == "" {
		res.Message = nothing
		if last := s.lastDone(); last != nil {
			res.Message += "; the database is at release " + last.ID.Release
		}
		s.say("%s", res.Message)
		s.end(res)
		return res, nil
	}
	prev := previous(s.Project.Releases, rel)
	back := "release " + prev
	if prev == "" {
		back = "an empty schema (" + rel + " is the first release)"
	}
	revs, err := s.rollbackRevisions(rel)
	if err != nil {
		return res, err
	}
	if err := s.refusedAtPlanTime(rel, revs); err != nil {
		return res, err
	}
	if err := s.rollbackPreflight(ctx, res, rel); err != nil {
		return res, err
	}
	if err := s.rollbackLosses(ctx, res, rel, revs); err != nil {
		return res, err
	}
	for _, rev := range revs {
		if s.Records[rev.ID.String()].Done() {
			continue
		}
		if _, err := s.runRevision(ctx, res, rev); err != nil {
			return res, err
		}
	}
	undone := s.releaseRecords(rel)
	if s.opts.DryRun {
		s.say("would mark %s as rolled back in %s", strings.Join(undone, ", "), history.Table)
	} else {
		n, err := history.RollBack(ctx, s.Conn, rel)
		if err != nil {
			return res, s.redact(err)
		}
		if err := s.reload(ctx); err != nil {
			return res, err
		}
		s.say("marked %s as rolled back in %s (rollback %d of %s); the records stay, `emcee db status` lists them", strings.Join(undone, ", "), history.Table, n, rel)
	}
	res.Message = fmt.Sprintf("rollback of %s complete: the database is at %s again; %s", rel, back, migrationsStay)
	if s.opts.DryRun {
		res.Message = fmt.Sprintf("rollback of %s would return the database to %s; %s", rel, back, migrationsStay)
	}
	s.say("%s", res.Message)
	res.Next = fmt.Sprintf("the %s code keeps serving; to upgrade to %s again, run `emcee db expand`", orFirst(prev), rel)
	s.end(res)
	return res, nil
}

// rollbackRelease is the release a rollback undoes: the one being upgraded
// (or want, when named), if it has started and its contract has not. It
// is "" without an error when there is nothing to undo, nothing saying
// why: want has not started here, or the release after the last complete
// one was rolled back already (a rerun).
func (s *Session) rollbackRelease(ctx context.Context, want string) (rel, nothing string, err error) {
	rel = s.current()
	if want != "" {
		switch {
		case !slices.Contains(s.Project.Releases, want):
			return "", "", fmt.Errorf("release %s is not in emcee.releases of %s: name the release to roll back (%s)", want, project.Rel(s.Project.Path), strings.Join(s.Project.Releases, ", "))
		case !s.started(want):
			return "", fmt.Sprintf("nothing to roll back: %s has not started on this database, or was rolled back already", want), nil
		case want != rel:
			// Started, and not the one in progress: complete.
			now := "no release is in progress"
			if rel != "" && s.started(rel) {
				now = rel + " is in progress"
			}
			return "", "", &NoRollback{Refusal{
				Reason: fmt.Sprintf("cannot roll back %s: it is complete on this database (%s), so what %s needed is gone. Rollback undoes a release only until its contract starts", want, now, orFirst(previous(s.Project.Releases, want))),
				Next:   fmt.Sprintf("to return to before %s, restore the backup taken before `emcee db expand` of %s", want, want),
			}}
		}
	}
	if rel == "" || !s.started(rel) {
		last := s.lastDone()
		if last == nil {
			return "", "", &Refusal{Reason: fmt.Sprintf("nothing to roll back: %s records no applied revision", history.Table), Next: "`emcee db status` shows where the database stands"}
		}
		if rel != "" {
			undone, err := history.RolledBackRecords(ctx, s.Conn, s.Project.Releases)
			if err != nil {
				return "", "", s.redact(err)
			}
			if i := slices.IndexFunc(undone, func(r *history.Record) bool { return r.ID.Release == rel }); i >= 0 {
				return "", fmt.Sprintf("nothing to roll back: %s was rolled back already (rollback %d, %s)", rel, undone[i].RolledBack, undone[i].RolledBackAt.Time.UTC().Format("2006-01-02 15:04:05")), nil
			}
		}
		done := last.ID.Release
		back := previous(s.Project.Releases, done)
		gone := "what " + back + " needed"
		if back == "" {
			back, gone = "the database as it was before "+done, "the schema before it"
		}
		reason := fmt.Sprintf("cannot roll back: no release is in progress; release %s is complete (%s applied %s), so %s is gone. Rollback undoes a release only until its contract starts",
			done, last.Name, last.FinishedAt.Time.Format("2006-01-02 15:04:05"), gone)
		next := fmt.Sprintf("to return to %s, restore the backup taken before `emcee db expand` of %s", back, done)
		if rel != "" && want == "" {
			reason += fmt.Sprintf("; %s has not started here", rel)
			next = fmt.Sprintf("to roll back %s where it has started (a fleet whose canary alone expanded it), name it: `emcee db rollback %s`, which has nothing to do here; %s", rel, rel, next)
		}
		return "", "", &NoRollback{Refusal{Reason: reason, Next: next}}
	}
	var started []string
	for _, rev := range s.Plans.Of(rel, revision.Contract) {
		if rec := s.Records[rev.ID.String()]; contractChanged(rev, rec) {
			started = append(started, fmt.Sprintf("%s: %s", rev.ID, contractProgress(rec)))
		}
	}
	if len(started) > 0 {
		prev := orFirst(previous(s.Project.Releases, rel))
		return "", "", &NoRollback{Refusal{
			Reason: fmt.Sprintf("cannot roll back %s: its contract has started (%s), and contract drops or tightens what %s code needs, which no rollback can bring back. Nothing was changed",
				rel, strings.Join(started, "; "), prev),
			Next: fmt.Sprintf("what is left: finish the release with `emcee db contract`, or, to return to %s, restore the backup taken before `emcee db expand` of %s", prev, rel),
		}}
	}
	return rel, "", nil
}

// lastDone is the record of the last revision applied in full, in
// release order; nil when none is.
func (s *Session) lastDone() *history.Record {
	var last *history.Record
	for _, r := range s.Records.Sorted(s.Project.Releases) {
		if r.Done() {
			last = r
		}
	}
	return last
}

// contractChanged tells whether a contract revision may have changed the
// schema: a statement other than a gate confirmed, or one sent without
// confirmation. A run that passed the gates and then failed on its first
// change (a metadata lock it could not get) changed nothing, and the
// release can still be rolled back.
func contractChanged(rev *revision.Revision, rec *history.Record) bool {
	if rec == nil || rec.ChangedNothing() {
		return false
	}
	if rec.Done() || rec.InFlight || rec.ResumeKey.Valid || rec.RowsDone > 0 || rec.Applied > len(rev.Statements) {
		return true
	}
	for _, st := range rev.Statements[:rec.Applied] {
		if st.Kind != revision.Gate {
			return true
		}
	}
	return false
}

func contractProgress(rec *history.Record) string {
	if rec.Done() {
		return "applied"
	}
	return progress(rec)
}

// rollbackRevisions lists, newest first, the rollback revisions of the
// expand revisions of rel that were applied. An expand stopped half-way is
// finished first: its rollback undoes the whole revision, and emcee does
// not guess which half of it ran.
func (s *Session) rollbackRevisions(rel string) ([]*revision.Revision, error) {
	undo := map[int]*revision.Revision{}
	for _, r := range s.Plans.Of(rel, revision.Rollback) {
		undo[r.ID.Seq] = r
	}
	inProgress := false
	for _, r := range s.Plans.Of(rel, revision.Rollback) {
		if rec := s.Records[r.ID.String()]; rec != nil && !rec.ChangedNothing() {
			inProgress = true
		}
	}
	var out []*revision.Revision
	for _, ex := range slices.Backward(s.Plans.Of(rel, revision.Expand)) {
		rec := s.Records[ex.ID.String()]
		switch {
		case rec == nil || rec.ChangedNothing():
			continue
		case !rec.Done() && !inProgress:
			return nil, &Refusal{
				Reason: fmt.Sprintf("cannot roll back %s yet: %s stopped half-way (%s), and %s undoes the whole revision. Nothing was changed",
					rel, ex.ID, progress(rec), revision.ID{Release: rel, Phase: revision.Rollback, Seq: ex.ID.Seq}),
				Next: "finish it with `emcee db expand` (it resumes where it stopped), then run `emcee db rollback`",
			}
		}
		rb := undo[ex.ID.Seq]
		if rb == nil {
			want := revision.ID{Release: rel, Phase: revision.Rollback, Seq: ex.ID.Seq}
			return nil, fmt.Errorf("%s is missing: %s was applied and nothing undoes it; run `emcee plan`, which writes a rollback revision beside every expand revision, commit it, and rerun `emcee db rollback`. Nothing was changed",
				filepath.Join(project.Rel(s.Project.PlansDir), want.File()), ex.ID)
		}
		out = append(out, rb)
	}
	if len(out) == 0 {
		return nil, &Refusal{Reason: fmt.Sprintf("nothing to roll back: no expand revision of %s is applied", rel), Next: "`emcee db status` shows where the database stands"}
	}
	return out, nil
}

// refusedAtPlanTime refuses a rollback of which any revision holds a gate
// `emcee plan` closed for good: it undoes an expand statement that cannot
// be undone online. Checked for all of them before the first runs, so
// that a rollback never stops between two of its revisions for it.
func (s *Session) refusedAtPlanTime(rel string, revs []*revision.Revision) error {
	var lines []string
	for _, rev := range revs {
		for _, st := range rev.Statements {
			if st.Kind == revision.Gate && strings.HasPrefix(st.Why, revision.RefusedRollback) {
				lines = append(lines, fmt.Sprintf("  %s  rule %s: %s", s.at(rev, st), st.Rule, strings.TrimPrefix(st.Why, revision.RefusedRollback)))
			}
		}
	}
	if len(lines) == 0 {
		return nil
	}
	prev := orFirst(previous(s.Project.Releases, rel))
	return &NoRollback{Refusal{
		Reason: fmt.Sprintf("cannot roll back %s: its expand did what cannot be undone online (the rollback was refused at plan time). Nothing was changed:\n%s", rel, strings.Join(lines, "\n")),
		Next:   fmt.Sprintf("what is left: finish the release (`emcee db migrate`, then `emcee db contract` once no %s code is left), or, to return to %s, restore the backup taken before `emcee db expand` of %s", prev, prev, rel),
	}}
}

// rollbackPreflight checks, on every run, that the live schema is what the
// recorded revisions produce: the release's expand, and whatever of the
// rollback an earlier run applied. A rollback written for that schema
// must not run against another one.
func (s *Session) rollbackPreflight(ctx context.Context, res *Result, rel string) error {
	note := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		res.Preflight = append(res.Preflight, line)
		s.say("preflight: %s", line)
	}
	p := planReplay(s.Project.Releases, s.Plans, s.Records)
	r, _, err := s.replayOf(p)
	if err != nil {
		return err
	}
	msg, err := s.driftCheck(ctx, res, r, "what "+p.comparedWith()+" produce", "the rollback revisions of "+rel, note)
	if err != nil {
		return fmt.Errorf("drift check before rolling back %s: %w", rel, err)
	}
	if msg == "" {
		return nil
	}
	if s.opts.AllowDrift {
		note("WARNING (--allow-drift): %s", strings.TrimSpace(msg))
		return nil
	}
	return fmt.Errorf("%snothing was changed. Find out who changed the schema (`emcee db diff` lists the differences); if they are intended, rerun with --allow-drift", msg)
}

// rollbackLosses says, before anything changes (and in --dry-run), what
// data the rollback drops: the values in the columns, and the rows in the
// tables, that the release added. Only the release's code wrote them, the
// previous release never reads them, and a later expand does not bring
// them back. A rollback that said nothing of them ("the database is at
// release ocata again") dropped a column holding the values only the new
// release could write (images.visibility = 'community') without a word.
func (s *Session) rollbackLosses(ctx context.Context, res *Result, rel string, revs []*revision.Revision) error {
	var lost []string
	for _, rev := range revs {
		from := 0
		if rec := s.Records[rev.ID.String()]; rec != nil {
			from = min(rec.Applied, len(rev.Statements))
		}
		for _, st := range rev.Statements[from:] {
			if st.Kind != revision.DDL {
				continue
			}
			for _, e := range effect.Of(st.SQL) {
				var q, what string
				switch e.Op {
				case effect.DropColumn:
					q = "SELECT COUNT(*) FROM " + sqlsyntax.Ident(e.Table) + " WHERE " + sqlsyntax.Ident(e.Name) + " IS NOT NULL"
					what = "column " + e.Table + "." + e.Name + ": %d row(s) hold a value"
				case effect.DropTable:
					q = "SELECT COUNT(*) FROM " + sqlsyntax.Ident(e.Table)
					what = "table " + e.Table + ": %d row(s)"
				default:
					continue
				}
				var n int64
				if err := s.Conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
					if dbconn.ServerError(err, 1054, 1146) {
						continue // an IF EXISTS drop of what is not there
					}
					return s.redact(fmt.Errorf("counting what %s drops: %w", rev.ID, err))
				}
				if n > 0 {
					lost = append(lost, fmt.Sprintf(what, n))
				}
			}
		}
	}
	if len(lost) == 0 {
		return nil
	}
	line := fmt.Sprintf("the rollback drops what %s's expand added and the data in it, which %s code does not read and a later expand does not bring back: %s", rel, orFirst(previous(s.Project.Releases, rel)), strings.Join(lost, "; "))
	res.Preflight = append(res.Preflight, line)
	s.say("preflight: %s", line)
	return nil
}

// releaseRecords names the records a rollback marks as rolled back.
func (s *Session) releaseRecords(rel string) []string {
	var out []string
	for _, r := range s.Records.Sorted(s.Project.Releases) {
		if r.ID.Release == rel {
			out = append(out, r.Name)
		}
	}
	return out
}

// rollingBack names the release whose rollback has started and not
// finished, "" if none: until it finishes, the release's other revisions
// must not run (migrate would backfill columns the rollback dropped).
func (s *Session) rollingBack() (string, []string) {
	var rel string
	var done []string
	for _, r := range s.Records.Sorted(s.Project.Releases) {
		if r.ID.Phase == revision.Rollback && !r.ChangedNothing() {
			rel = r.ID.Release
			done = append(done, fmt.Sprintf("%s %s", r.Name, r.State()))
		}
	}
	return rel, done
}

// refuseDuringRollback stops every other changing command while a
// rollback is half-way.
func (s *Session) refuseDuringRollback() error {
	rel, done := s.rollingBack()
	if rel == "" {
		return nil
	}
	return &Refusal{
		Reason: fmt.Sprintf("a rollback of %s is in progress (%s): the schema is between %s and the release before it, and no other phase may run until the rollback finishes", rel, strings.Join(done, ", "), rel),
		Next:   "run `emcee db rollback` to finish it",
	}
}
