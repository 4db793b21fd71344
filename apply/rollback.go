package apply

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/internal/shell"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
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
	s.target = want
	rel, nothing, err := s.rollbackRelease(ctx, want)
	if err != nil {
		return res, err
	}
	if rel == "" {
		return s.done(res, nothing+"; version "+cmp.Or(s.Version(), "none"), "")
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
	// On every run: the live schema must be what the release's expand, and
	// whatever of the rollback an earlier run applied, produce. A rollback
	// written for that schema must not run against another one.
	if err := s.recordedDriftCheck(ctx, res, "the rollback revisions of "+rel); err != nil {
		return res, err
	}
	copies, err := s.rollbackCopies(ctx, revs)
	if err != nil {
		return res, err
	}
	if err := s.rollbackLosses(ctx, res, rel, revs, copies); err != nil {
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
	var undone []string // the records the rollback marks as rolled back
	stay := ""          // only a migrate that ran a statement rewrote rows that stay
	for _, r := range s.Records.Sorted(s.Project.Releases) {
		if r.ID.Release != rel {
			continue
		}
		undone = append(undone, r.Name)
		if r.ID.Phase == revision.Migrate && (r.Applied > 0 || r.RowsDone > 0) {
			stay = "; " + migrationsStay
		}
	}
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
		s.say("marked %s as rolled back in %s (rollback %d of %s); the records stay, %s lists them", strings.Join(undone, ", "), history.Table, n, rel, s.command("status"))
	}
	msg := s.dry(fmt.Sprintf("rollback of %s would return the database to %s%s", rel, back, stay),
		fmt.Sprintf("rollback of %s complete: the database is at %s again%s", rel, back, stay))
	return s.done(res, msg, fmt.Sprintf("the %s code keeps serving; to upgrade to %s again, run %s", s.oldCode(rel), rel, s.command("expand")))
}

// rollbackRelease is the release a rollback undoes: the one being upgraded
// (or want, when named), if it has started and its contract has not. It
// is "" without an error when there is nothing to undo, nothing saying
// why: want has not started here, or the release after the last complete
// one was rolled back already (a rerun).
func (s *Session) rollbackRelease(ctx context.Context, want string) (rel, nothing string, err error) {
	rel = s.current()
	if want != "" {
		switch half, _ := s.rollingBack(); {
		case !slices.Contains(s.Project.Releases, want):
			return "", "", fmt.Errorf("release %s is not in emcee.releases of %s: name the release to roll back (%s)", want, project.Rel(s.Project.Path), strings.Join(s.Project.Releases, ", "))
		case half != "" && half != want:
			return "", "", &Refusal{
				Reason: fmt.Sprintf("a rollback of %s is in progress, not of %s: the schema is between %s and the release before it", half, want, half),
				Next:   "finish it with " + s.command("rollback", half),
			}
		case !s.started(want):
			return "", fmt.Sprintf("nothing to roll back: %s has not started on this database, or was rolled back already", want), nil
		case want != rel:
			// Started, and not the one in progress: complete.
			now := "no release is in progress"
			if rel != "" && s.started(rel) {
				now = rel + " is in progress"
			}
			return "", "", &NoRollback{Refusal{
				Reason: fmt.Sprintf("cannot roll back %s: it is complete on this database (%s), so what %s needed is gone. Rollback undoes a release only until its contract starts", want, now, s.oldCode(want)),
				Next:   fmt.Sprintf("to return to before %s, restore the backup taken before `emcee db expand` of %s", want, want),
			}}
		}
	}
	if rel == "" || !s.started(rel) {
		last := s.lastDone()
		if last == nil {
			return "", "", &Refusal{Reason: fmt.Sprintf("nothing to roll back: %s records no applied revision", history.Table), Next: s.command("status") + " shows where the database stands"}
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
			next = fmt.Sprintf("to roll back %s where it has started (a fleet whose canary alone expanded it), name it: %s, which has nothing to do here; %s", rel, s.command("rollback", rel), next)
		}
		return "", "", &NoRollback{Refusal{Reason: reason, Next: next}}
	}
	var started []string
	for _, rev := range s.Plans.Of(rel, revision.Contract) {
		if rec := s.Records[rev.ID.String()]; contractChanged(rev, rec) {
			state := progress(rec)
			if rec.Done() {
				state = "applied"
			}
			started = append(started, fmt.Sprintf("%s: %s", rev.ID, state))
		}
	}
	if len(started) > 0 {
		prev := s.oldCode(rel)
		return "", "", &NoRollback{Refusal{
			Reason: fmt.Sprintf("cannot roll back %s: its contract has started (%s), and contract drops or tightens what %s code needs, which no rollback can bring back. Nothing was changed",
				rel, strings.Join(started, "; "), prev),
			Next: fmt.Sprintf("what is left: finish the release with %s, or, to return to %s, restore the backup taken before `emcee db expand` of %s", s.command("contract"), prev, rel),
		}}
	}
	return rel, "", nil
}

// lastDone is the record of the last revision applied in full, in
// release order; nil when none is.
func (s *Session) lastDone() *history.Record {
	for _, r := range slices.Backward(s.Records.Sorted(s.Project.Releases)) {
		if r.Done() {
			return r
		}
	}
	return nil
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
	return slices.ContainsFunc(rev.Statements[:rec.Applied], func(st revision.Statement) bool { return st.Kind != revision.Gate })
}

// rollbackRevisions lists, newest first, the rollback revisions of the
// expand revisions of rel that were applied. An expand stopped half-way is
// finished first: its rollback undoes the whole revision, and emcee does
// not guess which half of it ran.
func (s *Session) rollbackRevisions(rel string) ([]*revision.Revision, error) {
	undo := map[int]*revision.Revision{}
	inProgress := false
	for _, r := range s.Plans.Of(rel, revision.Rollback) {
		undo[r.ID.Seq] = r
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
				Next: "finish it with " + s.command("expand") + " (it resumes where it stopped), then run " + s.rerun(),
			}
		}
		rb := undo[ex.ID.Seq]
		if rb == nil {
			want := revision.ID{Release: rel, Phase: revision.Rollback, Seq: ex.ID.Seq}
			return nil, fmt.Errorf("%s is missing: %s was applied and nothing undoes it; run `emcee plan`, which writes a rollback revision beside every expand revision, commit it, and rerun %s. Nothing was changed",
				s.planFile(want.File()), ex.ID, s.rerun())
		}
		out = append(out, rb)
	}
	if len(out) == 0 {
		return nil, &Refusal{Reason: fmt.Sprintf("nothing to roll back: no expand revision of %s is applied", rel), Next: s.command("status") + " shows where the database stands"}
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
			if why, ok := st.RollbackRefusal(); ok {
				lines = append(lines, fmt.Sprintf("  %s  rule %s: %s", s.at(rev, st), st.Rule, why))
			}
		}
	}
	if len(lines) == 0 {
		return nil
	}
	prev := s.oldCode(rel)
	return &NoRollback{Refusal{
		Reason: fmt.Sprintf("cannot roll back %s: its expand did what cannot be undone online (the rollback was refused at plan time). Nothing was changed:\n%s", rel, strings.Join(lines, "\n")),
		Next:   fmt.Sprintf("what is left: finish the release (%s, then %s once no %s code is left), or, to return to %s, restore the backup taken before `emcee db expand` of %s", s.command("migrate"), s.command("contract"), prev, prev, rel),
	}}
}

// rollbackCopies lists, before anything runs, where the statements still
// to run copy their table (a widened type narrowed back: ALGORITHM=COPY),
// one line each, which the rollback refuses (rollbackLosses) unless the
// operator said how: --osc pt-osc hands them to the tool, which copies
// while writes continue; --allow-copy accepts the server's copy, which
// blocks the table's writes while it runs. "" when there are none, or the
// operator said how. Expand's copies were accepted in the schema
// (allow_copy); a rollback's are decided by whoever runs it, on every run
// and resume.
func (s *Session) rollbackCopies(ctx context.Context, revs []*revision.Revision) (string, error) {
	if s.osc != nil || s.opts.AllowCopy {
		return "", nil
	}
	at, tables := s.copiesLeft(revs)
	var lines []string
	for i, table := range tables {
		size := ""
		if sz, err := dbconn.ReadTableSize(ctx, s.Conn, table); err != nil {
			return "", s.redact(err)
		} else if sz != nil {
			size = " (" + sz.String() + ")"
		}
		lines = append(lines, fmt.Sprintf("  %s  table %s%s", at[i], table, size))
	}
	return strings.Join(lines, "\n"), nil
}

// copying is what a rollback refused for its copies says of them, and
// copyWays the ways to let it copy.
const (
	copying  = "the rollback copies these tables (ALGORITHM=COPY: a widened type is narrowed back only by copying the table), which blocks their writes while the server copies"
	copyWays = "rerun with --osc " + string(project.OSCPtOSC) + " to copy them while writes continue (pt-online-schema-change), or with --allow-copy to accept the blocking copy"
)

// closedGates is what the gates of the rollback revisions still to run
// count now, said with a refusal for something else (the losses, the
// copies) so that one rerun, and not a second refusal, follows it
// (Keycloak 4.0.0's USER_CONSENT.CLIENT_ID, made NULL by expand, NULL in a
// row the new release wrote, refused the rerun with --drop-new-data). ""
// when all are open.
func (s *Session) closedGates(ctx context.Context, revs []*revision.Revision) string {
	var closed []GateResult
	for _, rev := range revs {
		if !s.Records[rev.ID.String()].Done() {
			closed = append(closed, s.runGates(ctx, rev, s.Records[rev.ID.String()]).closed...)
		}
	}
	if len(closed) == 0 {
		return ""
	}
	return fmt.Sprintf("\nwhichever way, the rollback's gates count rows the previous release's schema cannot hold; fix or remove them first (the rerun refuses on them otherwise):\n%s", DescribeGates(closed))
}

// copiesLeft is where each statement of revs still to run copies its
// table (ALGORITHM=COPY), and the table.
func (s *Session) copiesLeft(revs []*revision.Revision) (at, tables []string) {
	for _, rev := range revs {
		// A record applied in full has confirmed every statement.
		for _, st := range rev.Statements[min(s.Records[rev.ID.String()].Confirmed(), len(rev.Statements)):] {
			if d := effect.Parse(st.SQL); st.Kind == revision.DDL && d.Kind == effect.KindAlterTable && d.Algorithm == "COPY" {
				at, tables = append(at, s.at(rev, st)), append(tables, d.Name)
			}
		}
	}
	return at, tables
}

// recordedDriftCheck compares the live schema with what the recorded
// revisions produce (a statement sent and never confirmed either way), for
// a run that goes on from there (startsFrom): a resumed expand or a
// rollback. It refuses a difference unless --allow-drift.
func (s *Session) recordedDriftCheck(ctx context.Context, res *Result, startsFrom string) error {
	note := s.preflightNote(res)
	p := planReplay(s.Project.Releases, s.Plans, s.Records)
	r, _, err := s.replayOf(p)
	if err != nil {
		return err
	}
	msg, err := s.driftCheck(ctx, res, r, "what "+p.comparedWith()+" produce", startsFrom, note)
	if err != nil {
		return fmt.Errorf("drift check before %s: %w", startsFrom, err)
	}
	return s.driftAccepted(ctx, res, msg, note, "Find out who changed the schema ("+s.command("diff")+" lists the differences); if they are intended, rerun with --allow-drift")
}

// Loss is data a rollback drops that the previous release cannot give
// back: values only the new release wrote in a column its expand added, or
// the rows of a table its expand created.
type Loss struct {
	Table  string `json:"table"`
	Column string `json:"column,omitempty"` // "" for a table
	Rows   int64  `json:"rows"`
	// Save is a shell command that copies them out (the password asked
	// for at its prompt), and Restore the one that puts them back once a
	// later expand has added the column or table again. Both are "" when
	// the URL names no account the client can log in as (dbconn.ClientUser).
	Save    string `json:"save"`
	Restore string `json:"restore,omitempty"`
	// Unsaved says why there are no commands though the URL names an
	// account: values too long for a line of the copy-out, or a column of
	// a table without a primary key.
	Unsaved string `json:"unsaved,omitempty"`
	// With names the table whose commands copy this table's rows out and
	// put them back, with its own: tables whose foreign keys form a cycle
	// (a -> b -> a) go back together (cycleCopyOut). Save and Restore
	// are "" then.
	With string `json:"with,omitempty"`
	// refilled: a column counted against what the release's migrate
	// computes from the previous release's columns, or a table against
	// the rows a data migration inserts from them (recountLosses).
	refilled bool
	// rows: a table's, what its copy-out writes, for cycleCopyOut.
	rows *tableRows
}

func (l Loss) String() string {
	if l.Column == "" {
		return fmt.Sprintf("table %s: %d row(s)", l.Table, l.Rows)
	}
	return fmt.Sprintf("column %s.%s: %d row(s) hold a value only the new release wrote", l.Table, l.Column, l.Rows)
}

// rollbackLosses counts, before anything changes, the data the rollback
// drops that nothing gives back: a rollback that said only "the database
// is at release ocata again" dropped a column holding values only the new
// release could write (images.visibility = 'community'). It refuses, in
// --dry-run too, naming each column and table with its rows and the ways
// out, unless --drop-new-data accepts the loss; the counts are printed
// again then, and kept: each drop counts again just before it runs
// (recountLosses). A resumed run counts only what is still there.
func (s *Session) rollbackLosses(ctx context.Context, res *Result, rel string, revs []*revision.Revision, copies string) error {
	losses, err := s.countLosses(ctx, rel, revs)
	if err != nil {
		return err
	}
	// In the order to put them back: a later expand creates first what
	// the rollback drops last, a parent table after its children (given
	// in the drops' order, a child's restore failed on its missing
	// parent). Tables whose keys form a cycle have no such order: they
	// go back together, after their other parents (restoreOrder).
	slices.Reverse(losses)
	if losses, err = s.restoreOrder(ctx, losses); err != nil {
		return err
	}
	s.accepted = map[string]int64{}
	// The copies refused alone, before the gates counted, sent the
	// operator to rerun with --allow-copy only to learn of the rows then.
	copyRefusal := func() error {
		if copies == "" {
			return nil
		}
		return &Refusal{Reason: copying + ". Nothing was changed:\n" + copies + s.closedGates(ctx, revs), Next: copyWays}
	}
	if len(losses) == 0 {
		return copyRefusal()
	}
	res.Losses = losses
	prev := s.oldCode(rel)
	var lines, listed, saves, restores []string
	if _, err := s.Cfg.ClientUser(); err != nil {
		saves = append(saves, "      (no command to copy them out: "+err.Error()+")")
	}
	for _, l := range losses {
		s.accepted[l.Table+"\x00"+l.Column] = l.Rows
		lines, listed = append(lines, l.String()), append(listed, l.String())
		if l.With != "" {
			listed[len(listed)-1] += fmt.Sprintf(" (copied out and put back with table %s: their foreign keys form a cycle)", l.With)
		}
		if l.Save != "" {
			saves = append(saves, "      "+l.Save)
		}
		if l.Unsaved != "" {
			saves = append(saves, "      (no command to copy out "+strings.TrimSuffix(l.Table+"."+l.Column, ".")+": "+l.Unsaved+")")
		}
		if l.Restore != "" {
			restores = append(restores, "      "+l.Restore)
		}
	}
	what := fmt.Sprintf("data only %s wrote, which %s code does not read and a later expand does not bring back (a value other than the column's default and, where migrate fills the column, other than what it computes from %s's columns)", rel, prev, prev)
	if s.opts.DropNewData {
		drops := s.dry("would drop", "drops")
		if copies != "" {
			drops = "would drop" // once let copy
		}
		s.preflightNote(res)("--drop-new-data: the rollback %s %s: %s", drops, what, strings.Join(lines, "; "))
		return copyRefusal()
	}
	restore := ""
	if len(restores) > 0 {
		restore = fmt.Sprintf("\n    to put them back once a later `emcee db expand` of %s has added the columns and tables again (before its code writes them):\n%s", rel, strings.Join(restores, "\n"))
	}
	// The rollback's own gates run only once the losses are accepted, and
	// its copies are refused then: both are said with the losses.
	gates, accept := s.closedGates(ctx, revs), s.rerun("--drop-new-data")
	if copies != "" {
		gates += "\nwhichever way, " + copying + ":\n" + copies + "\n  " + copyWays
		accept = s.rerun("--drop-new-data", "--allow-copy")
	}
	return &Refusal{
		Reason: fmt.Sprintf("rollback of %s refused, nothing was changed: it would drop %s:\n  %s\nways out:\n"+
			"  - keep them: copy them out first, with %s's writes stopped (the counts and the copy are of this moment: what %s code writes after the copy is in neither), then rerun with --drop-new-data:\n%s%s\n"+
			"  - fix forward instead: leave %s's schema in place and fix the release (or ship the next one) rather than rolling back\n"+
			"  - accept the loss: rerun %s, which prints these counts again as it drops them, counts a table or a column migrate does not fill again just before dropping it, and stops if its count grew (%s code still writing)%s",
			rel, what, strings.Join(listed, "\n  "), rel, rel, strings.Join(saves, "\n"), restore, rel, accept, rel, gates),
		Next: fmt.Sprintf("%s, once %s's writes are stopped and the data is copied out or not needed", accept, rel),
	}
}

// recountLosses counts again, just before statement i of a rollback revision
// runs, what it drops, and refuses to run it if a count grew since the run's
// counts (which --drop-new-data accepted; without it, there were none): the
// new release's code, still writing, would otherwise lose what it wrote
// since, uncounted and not in any copy. The statements before it stay
// applied; a rerun resumes there and counts everything again. A write
// between this count and the drop itself is not seen (docs/operators.md).
func (s *Session) recountLosses(ctx context.Context, rev *revision.Revision, i int) error {
	if s.accepted == nil || s.opts.DryRun {
		return nil
	}
	rel := rev.ID.Release
	revs, err := s.rollbackRevisions(rel)
	if err != nil {
		return err
	}
	losses, err := s.statementLosses(ctx, rel, revs, rev, rev.Statements[i])
	if err != nil {
		return err
	}
	var grew []string
	for _, l := range losses {
		// Counted against what migrate computes from the previous
		// release's columns, a column's count grows as the previous
		// release, writing on, changes those columns once the rollback
		// has dropped the sync triggers: stale values, not new ones
		// (e2e TestSimulateRollback stopped on them). Counted once.
		if l.refilled {
			continue
		}
		if was := s.accepted[l.Table+"\x00"+l.Column]; l.Rows > was {
			grew = append(grew, fmt.Sprintf("%s (%d when the run began)", l, was))
		}
	}
	if len(grew) == 0 {
		return nil
	}
	applied := s.Records[rev.ID.String()].Confirmed()
	return &Refusal{
		Reason: fmt.Sprintf("rollback of %s stopped before statement %d of %s (%s): counted again just before the drop, it would drop more than the run counted when it began (and, with --drop-new-data, accepted): %s. %s code is still writing, and what it wrote since is in no copy. %d of %d statements of %s are applied; nothing of this statement ran",
			rel, i+1, rev.ID, s.at(rev, rev.Statements[i]), strings.Join(grew, "; "), rel, applied, len(rev.Statements), rev.ID),
		Next: fmt.Sprintf("stop %s's writes (take its code out of service), copy out again what %s lists, then rerun %s: it resumes here and counts again", rel, s.rerun(), s.rerun("--drop-new-data")),
	}
}

// countLosses counts what each drop the rollback has still to run would
// lose. A column's value is lost unless it is the column's default (what a
// later expand adds it with) or, in the rows a backfill of the release
// would select again with the column at its default (a fill where it is
// NULL: every row; a data migration: the rows its predicate selects), what
// that backfill computes from the columns the previous release keeps: a
// later migrate writes those again.
func (s *Session) countLosses(ctx context.Context, rel string, revs []*revision.Revision) ([]Loss, error) {
	var out []Loss
	for _, rev := range revs {
		from := min(s.Records[rev.ID.String()].Confirmed(), len(rev.Statements))
		for _, st := range rev.Statements[from:] {
			l, err := s.statementLosses(ctx, rel, revs, rev, st)
			if err != nil {
				return nil, err
			}
			out = append(out, l...)
		}
	}
	return out, nil
}

// statementLosses counts what one statement of rev, one of the rollback
// revisions revs of rel, would lose.
func (s *Session) statementLosses(ctx context.Context, rel string, revs []*revision.Revision, rev *revision.Revision, st revision.Statement) ([]Loss, error) {
	if st.Kind != revision.DDL {
		return nil, nil
	}
	// Table names as written (the server may tell case apart), column
	// names lowercased (it never does).
	dropped := map[string]bool{} // table "\x00" column: the columns the rollback drops
	for _, rev := range revs {
		for _, st := range rev.Statements {
			for _, e := range effect.Of(st.SQL) {
				if st.Kind == revision.DDL && e.Op == effect.DropColumn {
					dropped[e.Table+"\x00"+strings.ToLower(e.Name)] = true
				}
			}
		}
	}
	updates := map[string][]*sqlsyntax.Backfill{}   // table: the backfills rewriting its rows, as migrate runs them
	reinserts := map[string][]*sqlsyntax.Backfill{} // table: the data migrations inserting its rows
	for _, rev := range s.Plans.Of(rel, revision.Migrate) {
		for _, st := range rev.Statements {
			if st.Kind != revision.Backfill {
				// A row a data_migration declares: the next migrate inserts
				// it again (MyBB's question, counted as 1.8.0's data).
				if b, ok := sqlsyntax.ReadSeedInsert(st.SQL); ok {
					reinserts[b.Into] = append(reinserts[b.Into], b)
				}
				continue
			}
			b, err := sqlsyntax.ReadBackfill(st.SQL)
			switch {
			case err != nil:
				// Its columns are counted without it: more, never less.
			case b.Into != "":
				reinserts[b.Into] = append(reinserts[b.Into], b)
			default:
				updates[b.Table] = append(updates[b.Table], b)
			}
		}
	}
	fills := map[string]*sqlsyntax.Fill{} // table.column
	for table, bs := range updates {
		for col, f := range sqlsyntax.Refills(bs...) {
			fills[table+"."+col] = f
		}
	}
	var out []Loss
	for _, e := range effect.Of(st.SQL) {
		var l *Loss
		var err error
		switch e.Op {
		case effect.DropColumn:
			var f *sqlsyntax.Fill
			// A fill counts where what it reads stays and what it takes at
			// the default comes back so: every column it assigns is dropped.
			if ff := fills[e.Table+"."+strings.ToLower(e.Name)]; ff != nil && !slices.ContainsFunc(slices.Collect(maps.Keys(ff.Reads)), func(c string) bool { return dropped[e.Table+"\x00"+c] }) &&
				!slices.ContainsFunc(ff.Assigns, func(c string) bool { return !dropped[e.Table+"\x00"+c] }) {
				f = ff
			}
			l, err = s.columnLoss(ctx, e.Table, e.Name, f)
		case effect.DropTable:
			l, err = s.tableLoss(ctx, e.Table, reinserts[e.Table])
		default:
			continue
		}
		if err != nil {
			return nil, s.redact(fmt.Errorf("counting what %s drops (%s): %w; nothing was changed", rev.ID, s.at(rev, st), err))
		}
		if l != nil && l.Rows > 0 {
			out = append(out, *l)
		}
	}
	return out, nil
}

// columnLoss counts the rows of table whose column holds what the
// rollback loses; nil when the column is gone already (an IF EXISTS drop,
// or a drop an earlier run applied).
func (s *Session) columnLoss(ctx context.Context, table, column string, f *sqlsyntax.Fill) (*Loss, error) {
	c := sqlsyntax.Ident(column)
	if moving, err := s.defaultMoves(ctx, table, column); err != nil {
		return nil, err
	} else if moving {
		return nil, nil
	}
	preds := []string{"NOT (" + c + " <=> DEFAULT(" + c + "))", c + " IS NOT NULL"}
	if f != nil {
		again := " AND NOT ((" + f.When + ") IS TRUE AND CAST(" + c + " AS BINARY) <=> CAST(" + f.Value + " AS BINARY))"
		preds = append([]string{preds[0] + again, preds[1] + again}, preds...)
	}
	for i, pred := range preds {
		// In the application's zone (countRows): the fill computes
		// there, as the backfill and the triggers did.
		n, err := s.countRows(ctx, table, pred, false)
		switch {
		case err == nil:
			save, restore, unsaved, err := s.saveColumn(ctx, table, column, pred)
			if err != nil {
				return nil, err
			}
			return &Loss{Table: table, Column: column, Rows: n, Save: save, Restore: restore, Unsaved: unsaved, refilled: f != nil && i < 2}, nil
		// No default (1364), or the backfill's value reads what is no
		// longer there (1054): count more broadly, never less.
		case i < len(preds)-1 && dbconn.ServerError(err, 1364, 1054):
			continue
		case dbconn.ServerError(err, 1054, 1146):
			return nil, nil
		default:
			return nil, err
		}
	}
	return nil, nil
}

// defaultMoves tells whether the column's default is one the server
// computes as it writes a row (CURRENT_TIMESTAMP, CURDATE(), UUID(), ...):
// then a row nobody wrote the column in holds the moment (or the value)
// of the ALTER that added it or of the insert, and DEFAULT() as the count
// evaluates it is another; compared with it, every such row read as the
// new release's data, the more of them the later the rollback ran (issue:
// a DEFAULT CURRENT_TIMESTAMP column refused the rollback for rows no
// release wrote). Such a value is not told from one a release wrote, and
// a later expand fills the column anew the same way, so the column is not
// counted. Asked of the server, as it evaluates the default at two
// moments years apart, rather than read from the default's text: its
// synonyms and expressions are many. False when the table has no row (no
// loss to count) or the default cannot be evaluated (none: the count
// falls back to what it did).
func (s *Session) defaultMoves(ctx context.Context, table, column string) (bool, error) {
	q := "SELECT DEFAULT(" + sqlsyntax.Ident(column) + ") FROM " + sqlsyntax.Ident(table) + " LIMIT 1"
	var at [2]sql.NullString
	for i, ts := range []string{"1000000000", "1100000000"} {
		switch err := s.Conn.QueryRowContext(ctx, "SET STATEMENT timestamp = "+ts+" FOR "+q).Scan(&at[i]); {
		case errors.Is(err, sql.ErrNoRows), dbconn.ServerError(err, 1364, 1054, 1146):
			return false, nil
		case err != nil:
			return false, err
		}
	}
	return at[0] != at[1], nil
}

// tableLoss counts the rows of a table the rollback drops, and copies
// them out as one INSERT each (copyOut) naming the columns it writes: not
// the generated ones, whose values a strict restore refuses (MariaDB's
// error 1906), and which the dump tool wrote, so that its file was put
// back in a sql_mode that was not strict, cutting a value too long for
// the table a rewritten release creates again, the restore exiting 0
// (e2e TestAttackTableRestoreOfGeneratedColumnsIsStrict). The file is
// rows only: no triggers (a dump's came back with the definer of whoever
// copied them out, beside what the later release declares), and no
// setting turning foreign_key_checks off (a child's rows went back in
// after the previous release had deleted their parents) but where
// every key is checked again before the commit (parentsFirst,
// cycleCopyOut).
//
// A table data migrations inserted rows into (re, none if none) loses
// only the rows none of them would insert again from the previous
// release's rows, which stay (Matomo 4.0's user_token_auth, each row a
// copy of a user.token_auth the rollback keeps; LimeSurvey 1.92's
// survey_permissions, ten rows for each row of surveys_rights, one
// migration a permission): counted and copied out are the others
// (reinserted).
func (s *Session) tableLoss(ctx context.Context, table string, re []*sqlsyntax.Backfill) (*Loss, error) {
	var n int64
	if err := s.Conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+sqlsyntax.Ident(table)).Scan(&n); err != nil {
		if dbconn.ServerError(err, 1146) {
			return nil, nil
		}
		return nil, err
	}
	pred, refilled := "TRUE", false
	if kept, err := s.reinserted(ctx, table, re); err != nil {
		return nil, err
	} else if kept != "" {
		lost := "NOT (" + kept + ")"
		// In the application's zone, as the migration computed them.
		switch m, err := s.countRows(ctx, table, lost, false); {
		case err == nil:
			n, pred, refilled = m, lost, true
		// No default (1364), or a value reads what is no longer there
		// (1054): count every row, never less.
		case !dbconn.ServerError(err, 1364, 1054):
			return nil, err
		}
	}
	cols, err := dbconn.StoredColumns(ctx, s.Conn, table)
	var types map[string]string
	if err == nil {
		types, err = s.columnTypes(ctx, table)
	}
	if err != nil {
		return nil, err
	}
	names, lits := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		names[i], lits[i] = sqlsyntax.Ident(c), restoreLiteral(c, types[strings.ToLower(c)])
	}
	// CONCAT's arguments: the values with ', ' between them.
	parts := []string{sqlsyntax.String("INSERT INTO " + sqlsyntax.Ident(table) + " (" + strings.Join(names, ", ") + ") VALUES ("), strings.Join(lits, ", ', ', "), "');'"}
	sum := "CONCAT(COUNT(*), ' ', COALESCE(SUM(CRC32(CONCAT_WS(',', " + strings.Join(lits, ", ") + "))), 0))"
	fks, err := s.foreignKeys(ctx, table)
	if err != nil {
		return nil, err
	}
	l := &Loss{Table: table, Rows: n, rows: &tableRows{parts: parts, sum: sum, fks: fks, types: types}, refilled: refilled}
	order, err := s.parentsFirst(ctx, table, types, n, fks)
	if err != nil {
		return nil, err
	}
	l.Save, l.Restore, l.Unsaved, err = s.copyOut(ctx, pred, tableMode, sum, order, parts, table)
	return l, err
}

// reinserted is the predicate true for the rows of table that one of re,
// the data migrations inserting rows into it, would insert again from the
// rows of the table it reads, which the rollback keeps, or as a row it
// declares (ReadSeedInsert): a row of that
// table whose values the migration computes are the row's, byte for byte,
// and every other column at its default but for an AUTO_INCREMENT one,
// which numbers rows anew, and one whose default the server computes as
// it writes (defaultMoves). A migration whose values are not the same when
// computed again (repeatable) recognises no row: its rows are counted. ""
// when no row can be told (no such migration, or none repeatable), or the
// rows go back only all together: a table with foreign keys, or one
// another table's keys reference, whose rows are copied out and put back
// with their parents and children.
func (s *Session) reinserted(ctx context.Context, table string, re []*sqlsyntax.Backfill) (string, error) {
	type insert struct {
		from            string
		columns, values []string
	}
	var ins []insert
	for _, b := range re {
		if columns, values, ok := b.Reinsert(); ok {
			ins = append(ins, insert{b.Table, columns, values})
		}
	}
	if len(ins) == 0 {
		return "", nil
	}
	var keys int64
	if err := s.Conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.KEY_COLUMN_USAGE WHERE REFERENCED_TABLE_NAME IS NOT NULL AND (TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? OR REFERENCED_TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME = ?)", table, table).Scan(&keys); err != nil || keys > 0 {
		return "", s.redact(err)
	}
	stored, err := dbconn.StoredColumns(ctx, s.Conn, table)
	if err != nil {
		return "", err
	}
	numbered, err := dbconn.Strings(ctx, s.Conn, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND LOWER(EXTRA) LIKE '%auto_increment%'", table)
	if err != nil {
		return "", err
	}
	// A default the server computes as it writes (a created_at of DEFAULT
	// CURRENT_TIMESTAMP) holds the moment the migration inserted the row:
	// compared with DEFAULT() now, no row read as one it inserts again.
	moves := map[string]bool{}
	for _, c := range stored {
		if moving, err := s.defaultMoves(ctx, table, c); err != nil {
			return "", err
		} else if moving {
			moves[c] = true
		}
	}
	stores, err := s.storedAs(ctx, table)
	if err != nil {
		return "", err
	}
	t := sqlsyntax.Ident(table)
	var kept []string
	for _, in := range ins {
		same := make([]string, len(in.columns))
		for i, c := range in.columns {
			v := in.values[i]
			if as := stores[c]; in.from == "" && as != "" {
				// A declared row's literal is stored as the column's type
				// makes it: 10 in a decimal(10,2) is 10.00, '2024-01-01'
				// in a DATETIME 2024-01-01 00:00:00; compared as written,
				// the row the next migrate inserts again was counted as
				// the new release's data.
				v = "CAST((" + v + ") AS " + as + ")"
			}
			same[i] = "CAST(" + t + "." + sqlsyntax.Ident(c) + " AS BINARY) <=> CAST((" + v + ") AS BINARY)"
		}
		k := strings.Join(same, " AND ")
		if in.from != "" { // a declared row reads no table
			k = "EXISTS (SELECT 1 FROM " + sqlsyntax.Ident(in.from) + " WHERE " + k + ")"
		}
		for _, c := range stored {
			if slices.Contains(in.columns, strings.ToLower(c)) || moves[c] || slices.ContainsFunc(numbered, func(n string) bool { return strings.EqualFold(n, c) }) {
				continue
			}
			k += " AND " + t + "." + sqlsyntax.Ident(c) + " <=> DEFAULT(" + t + "." + sqlsyntax.Ident(c) + ")"
		}
		kept = append(kept, k)
	}
	if len(kept) == 1 {
		return kept[0], nil
	}
	return "(" + strings.Join(kept, ") OR (") + ")", nil
}

// storedAs is, for each column of table of a decimal or temporal type,
// the type CAST turns a value into as the column stores it (DECIMAL(10,2),
// DATETIME(3); a TIMESTAMP as the DATETIME it reads as); other columns
// store a declared literal as written.
func (s *Session) storedAs(ctx context.Context, table string) (map[string]string, error) {
	out := map[string]string{}
	err := dbconn.EachRow(ctx, s.Conn, "SELECT COLUMN_NAME, DATA_TYPE, COALESCE(NUMERIC_PRECISION, 0), COALESCE(NUMERIC_SCALE, 0), COALESCE(DATETIME_PRECISION, 0) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", []any{table}, func(rows *sql.Rows) error {
		var name, typ string
		var precision, scale, fraction int
		if err := rows.Scan(&name, &typ, &precision, &scale, &fraction); err != nil {
			return err
		}
		switch strings.ToLower(typ) {
		case "decimal", "numeric":
			out[strings.ToLower(name)] = fmt.Sprintf("DECIMAL(%d,%d)", precision, scale)
		case "datetime", "timestamp":
			out[strings.ToLower(name)] = fmt.Sprintf("DATETIME(%d)", fraction)
		case "time":
			out[strings.ToLower(name)] = fmt.Sprintf("TIME(%d)", fraction)
		case "date":
			out[strings.ToLower(name)] = "DATE"
		}
		return nil
	})
	return out, s.redact(err)
}

// tableMode is the sql_mode a table's rows are put back in: strict, and
// NO_AUTO_VALUE_ON_ZERO, for an id 0 to stay 0.
const tableMode = "NO_AUTO_VALUE_ON_ZERO,STRICT_ALL_TABLES"

// tableRows is what a table's copy-out writes: parts, CONCAT's arguments
// for a row's INSERT, and sum, its rows' count and checksum; with the
// table's foreign keys and column types, for cycleCopyOut to copy it out
// again with the tables of its cycle.
type tableRows struct {
	parts []string
	sum   string
	fks   []foreignKey
	types map[string]string
}

// foreignKey is a foreign key of a live table: its columns, and the
// table and columns they reference; local when that table is in the
// same database, self when it is the table itself, names told apart as
// the server does (home): a key to APP.t beside app was local, and the
// restore checked its rows' parents in app.t.
type foreignKey struct {
	name, schema, table string
	local, self         bool
	cols, refs          []string
}

// foreignKeys are the foreign keys of a live table, by name.
func (s *Session) foreignKeys(ctx context.Context, table string) ([]foreignKey, error) {
	var all []foreignKey
	err := dbconn.EachRow(ctx, s.Conn, "SELECT CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME, "+home("REFERENCED_TABLE_SCHEMA")+", "+home("REFERENCED_TABLE_SCHEMA")+" AND "+sameName("REFERENCED_TABLE_NAME", "TABLE_NAME")+" FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION", []any{table}, func(rows *sql.Rows) error {
		var f foreignKey
		var col, ref string
		if err := rows.Scan(&f.name, &col, &f.schema, &f.table, &ref, &f.local, &f.self); err != nil {
			return err
		}
		if len(all) == 0 || all[len(all)-1].name != f.name {
			all = append(all, f)
		}
		last := &all[len(all)-1]
		last.cols, last.refs = append(last.cols, col), append(last.refs, ref)
		return nil
	})
	return all, s.redact(err)
}

// orphanChecks are the statements a restore runs before its commit,
// once the keys' checks are on again: for each of table's foreign keys, one that
// stops the restore at a row whose parent is missing (a row put back
// with the checks off: one of a ring, or of tables in a cycle; its
// parent gone when it was copied out, or since), naming the row by
// key (none for a table without one) and the values that reference no
// parent (stopIf).
func orphanChecks(table string, key []string, types map[string]string, fks []foreignKey) string {
	named := func(cols []string) []string {
		var out []string
		for i, c := range cols {
			if i > 0 {
				out = append(out, sqlsyntax.String(" and "))
			}
			out = append(out, sqlsyntax.String(sqlsyntax.Ident(c)+" = "), restoreLiteral(c, types[strings.ToLower(c)]))
		}
		return out
	}
	t := sqlsyntax.Ident(table)
	var b strings.Builder
	for _, f := range fks {
		var set, match []string
		for i, c := range f.cols {
			set = append(set, "c."+sqlsyntax.Ident(c)+" IS NOT NULL")
			match = append(match, "p."+sqlsyntax.Ident(f.refs[i])+" = c."+sqlsyntax.Ident(c))
		}
		msg := []string{sqlsyntax.String("restore stopped: a row of " + table)}
		if len(key) > 0 {
			msg = append(append(append(msg, sqlsyntax.String(" (")), named(key)...), sqlsyntax.String(")"))
		}
		msg = append(append(append(msg, sqlsyntax.String(" references no row of "+f.table+" by foreign key "+f.name+" (")), named(f.cols)...),
			sqlsyntax.String("); nothing was put back: put its parent back or take the row out of the file and run it again"))
		// A parent in the same database is named without it, for the
		// file to put rows back into a database of another name.
		parent := sqlsyntax.Ident(f.table)
		if !f.local {
			parent = sqlsyntax.Ident(f.schema) + "." + parent
		}
		b.WriteString(stopIf("(SELECT CONCAT(" + strings.Join(msg, ", ") + ") FROM " + t + " AS c WHERE " + strings.Join(set, " AND ") +
			" AND NOT EXISTS (SELECT 1 FROM " + parent + " AS p WHERE " + strings.Join(match, " AND ") + ") LIMIT 1)"))
	}
	return b.String()
}

// rowOrder is the order a copy-out writes a table's rows in: its FROM
// clause, ORDER BY, and the session setting they need; lead, an SQL
// expression starting each row's line, and verify, the statements the
// restore runs after the rows, before its commit.
type rowOrder struct{ from, orderBy, set, lead, verify string }

// parentsFirst is the order of a table's copy-out that puts each row after
// the rows of the same table its foreign keys reference (nil for a table
// without such keys): the restore puts rows back with the keys checked, and
// in key order a row whose parent has a greater key stopped it (error 1452;
// e2e TestAttackS25SelfReferencingTableRestore). A row's depth is the
// longest chain of parents above it, counted from the rows that reference
// none (a NULL, or the row itself), level by level, up to twice the rows
// counted now and a thousand more (rows in a cycle, written with the checks
// off, would add levels for ever); the server's limit on levels (MariaDB's
// max_recursive_iterations, 1000 by default, where it stops without an
// error; MySQL's cte_max_recursion_depth) is raised to that for the
// copy-out. A row no chain reaches goes last, put back with the foreign key
// checks off: rows referencing each other in a ring (1 -> 2 -> 1), which the
// checks allow (a row added, then its parent changed), have no order in
// which each comes after its parent, and the restore stopped at the first
// (error 1452; e2e TestAttack3S25SelfReferencingRingRestore). Before its
// commit the restore checks every foreign key of the table (verify), and
// stops at a row whose parent is missing (written with the checks off, or
// deeper than that). Rows are told apart by the table's key (rowKey): a
// table without one keeps its order.
func (s *Session) parentsFirst(ctx context.Context, table string, types map[string]string, rows int64, all []foreignKey) (*rowOrder, error) {
	fks := slices.DeleteFunc(slices.Clone(all), func(f foreignKey) bool { return !f.self }) // those to the table itself
	if len(fks) == 0 {
		return nil, nil
	}
	key, _, err := s.rowKey(ctx, table)
	if err != nil || len(key) == 0 {
		return nil, err
	}
	// Names of the query's own that no column of the table takes, nor
	// the table itself.
	fresh := func(name string) string {
		for types[strings.ToLower(name)] != "" || strings.EqualFold(name, table) {
			name += "_"
		}
		return name
	}
	carried := slices.Clone(key) // the key, and every column a key references
	for _, f := range fks {
		for _, r := range f.refs {
			if !slices.ContainsFunc(carried, func(c string) bool { return strings.EqualFold(c, r) }) {
				carried = append(carried, r)
			}
		}
	}
	cte, depth, t := sqlsyntax.Ident(fresh("emcee_depth")), sqlsyntax.Ident(fresh("emcee_level")), sqlsyntax.Ident(table)
	var names, base, step []string
	at := map[string]string{} // a carried column: its name in the CTE
	for i, c := range carried {
		n := sqlsyntax.Ident(fresh(fmt.Sprintf("emcee_c%d", i+1)))
		at[strings.ToLower(c)] = n
		names, base, step = append(names, n), append(base, sqlsyntax.Ident(c)), append(step, "c."+sqlsyntax.Ident(c))
	}
	var roots, edges []string
	for _, f := range fks {
		var isNull, self, child, cself []string
		for i, c := range f.cols {
			col, r := sqlsyntax.Ident(c), sqlsyntax.Ident(f.refs[i])
			isNull = append(isNull, col+" IS NULL")
			self = append(self, col+" <=> "+r)
			child = append(child, "c."+col+" = p."+at[strings.ToLower(f.refs[i])])
			cself = append(cself, "c."+col+" <=> c."+r)
		}
		roots = append(roots, "("+strings.Join(isNull, " OR ")+" OR ("+strings.Join(self, " AND ")+"))")
		edges = append(edges, "("+strings.Join(child, " AND ")+" AND NOT ("+strings.Join(cself, " AND ")+"))")
	}
	o := sqlsyntax.Ident(fresh("emcee_order"))
	var on []string
	for _, k := range key {
		on = append(on, t+"."+sqlsyntax.Ident(k)+" <=> "+o+"."+at[strings.ToLower(k)])
	}
	keyNames := names[:len(key)]
	bound := 2*rows + 1000
	from := t + " LEFT JOIN (WITH RECURSIVE " + cte + " (" + strings.Join(names, ", ") + ", " + depth + ") AS (" +
		"SELECT " + strings.Join(base, ", ") + ", 0 FROM " + t + " WHERE " + strings.Join(roots, " AND ") +
		" UNION SELECT " + strings.Join(step, ", ") + ", p." + depth + " + 1 FROM " + t + " AS c JOIN " + cte + " AS p ON " + strings.Join(edges, " OR ") +
		" WHERE p." + depth + " < " + strconv.FormatInt(bound, 10) + ")" +
		" SELECT " + strings.Join(keyNames, ", ") + ", MAX(" + depth + ") AS " + depth + " FROM " + cte + " GROUP BY " + strings.Join(keyNames, ", ") + ") AS " + o + " ON " + strings.Join(on, " AND ")
	set := "max_recursive_iterations"
	if !s.Project.Target.MariaDB() {
		set = "cte_max_recursion_depth"
	}
	lead := "IF(" + o + "." + depth + " IS NULL, " + sqlsyntax.String(checksOff) + ", '')"
	if len(fks) > 1 {
		// A row's depth is reached through any of its keys: with two
		// keys to the table, rows a manager reaches may reference each
		// other in a ring through the other (mentors, 2 -> 3 -> 2), each
		// with a depth, and the first of them stopped the restore (error
		// 1452). Every row goes with the checks off, still parents
		// first; verify checks every key before the commit.
		lead = sqlsyntax.String(checksOff)
	}
	return &rowOrder{
		from:    from,
		orderBy: " ORDER BY " + o + "." + depth + " IS NULL, " + o + "." + depth,
		set:     ", " + set + " = " + strconv.FormatInt(bound+1, 10),
		lead:    lead,
		verify:  "SET SESSION foreign_key_checks = 1; " + orphanChecks(table, key, types, all),
	}, nil
}

// checksOff starts the line of a row no chain of parentsFirst reaches.
const checksOff = "SET SESSION foreign_key_checks = 0; "

// rowKey is the key that finds each row of a live table: its primary
// key, or else the unique key over NOT NULL columns with the fewest
// columns (primary is false then); none when the table has neither.
func (s *Session) rowKey(ctx context.Context, table string) (key []string, primary bool, err error) {
	err = dbconn.EachRow(ctx, s.Conn, "SELECT s.COLUMN_NAME, s.INDEX_NAME = 'PRIMARY' FROM information_schema.STATISTICS s JOIN (SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 GROUP BY INDEX_NAME HAVING SUM(NULLABLE = 'YES') = 0 ORDER BY INDEX_NAME <> 'PRIMARY', COUNT(*), INDEX_NAME LIMIT 1) k USING (INDEX_NAME) WHERE s.TABLE_SCHEMA = DATABASE() AND s.TABLE_NAME = ? ORDER BY s.SEQ_IN_INDEX", []any{table, table}, func(rows *sql.Rows) error {
		var c string
		err := rows.Scan(&c, &primary)
		key = append(key, c)
		return err
	})
	return key, primary, s.redact(err)
}

// saveColumn is a command that copies the lost values of a column out,
// and the command that puts them back: for each row, the UPDATE that puts
// the value back (copyOut), finding the row by the table's key (rowKey).
// A table without one gets no commands: found by its other columns, a
// row the previous release changed since (it serves again after the
// rollback) was matched by no UPDATE, the restore exiting 0 without its
// value, and rows alike in all of them got each other's values.
// The UPDATE names the columns the server would otherwise stamp with the
// time of the restore (onUpdateColumns). A failed read of those columns
// is an error, not a command that copies the values alone.
func (s *Session) saveColumn(ctx context.Context, table, column, pred string) (save, restore, unsaved string, err error) {
	key, primary, err := s.rowKey(ctx, table)
	if err == nil && len(key) == 0 {
		return "", "", fmt.Sprintf("table %s has no primary key and no unique key over NOT NULL columns, so nothing says which row a value goes back to: a restore finding rows by their other columns misses each row changed since (the previous release writes on) and mixes up rows alike in them; copy the rows out whole (SELECT * FROM %s WHERE %s) to put them back by hand, or give the table a primary key", table, sqlsyntax.Ident(table), pred), nil
	}
	var stamped []string
	if err == nil {
		stamped, err = s.onUpdateColumns(ctx, table)
	}
	var types map[string]string
	if err == nil {
		types, err = s.columnTypes(ctx, table)
	}
	if err != nil {
		return "", "", "", s.redact(fmt.Errorf("reading the columns that say where %s.%s's lost values go back: %w", table, column, err))
	}
	lit := restoreLiteral(column, types[strings.ToLower(column)])
	parts := []string{sqlsyntax.String("UPDATE " + sqlsyntax.Ident(table) + " SET " + sqlsyntax.Ident(column) + " = "), lit}
	for _, c := range stamped {
		if !strings.EqualFold(c, column) {
			parts = append(parts, sqlsyntax.String(", "+sqlsyntax.Ident(c)+" = "+sqlsyntax.Ident(c)))
		}
	}
	var where []string
	join := " WHERE "
	for _, k := range key {
		where = append(where, sqlsyntax.String(join+sqlsyntax.Ident(k)+" <=> "), restoreLiteral(k, types[strings.ToLower(k)]))
		join = " AND "
	}
	// Each UPDATE is followed by a check that the row holds the value
	// copied out, as the same literal: strict, a value rounded to a
	// column a rewritten release made smaller (a DECIMAL's scale, a
	// DATETIME's fraction) is a note only, and the restore exited 0. A
	// row gone since is no row to put the value back to, by its primary
	// key. A unique key is one the previous release may have changed
	// (an address, a code): its row, found by no UPDATE, lost its value,
	// the restore exiting 0. Without a primary key, the restore stops at
	// a line whose row it does not find.
	parts = append(parts, where...)
	check, closing := "; "+stopStart+"IF(", ""
	if !primary {
		parts = append(append(parts, sqlsyntax.String(check+"NOT EXISTS (SELECT 1 FROM "+sqlsyntax.Ident(table))), where...)
		k := strings.Join(key, " and ")
		gone := "restore stopped: no row of " + table + " has this line's " + k + " (deleted or its " + k + " changed); put the value back by hand and delete the line before running the file again"
		check, closing = "), "+sqlsyntax.String(gone)+", IF(", ")"
	}
	parts = append(append(parts, sqlsyntax.String(check+"(SELECT "+lit+" FROM "+sqlsyntax.Ident(table))), where...)
	parts = append(parts, "') <> '''", "REPLACE("+lit+", '''', '''''')",
		sqlsyntax.String("', "+sqlsyntax.String(changedMsg(table+"."+column, "this line's row"))+", NULL)"+closing+stopEnd))
	return s.copyOut(ctx, pred, "STRICT_ALL_TABLES", "", nil, parts, table, column)
}

// changedMsg is the error a restore stops with when what it put back is
// not what was copied out.
func changedMsg(what, where string) string {
	return "restore stopped: " + what + " does not hold what was copied out for " + where + " (rounded or cut to a changed type, or changed by a trigger)"
}

// copyOut is a command that copies out the rows of table where pred
// holds, as the statements that put them back, one a row (the SQL
// expression CONCAT(parts...) writes it), and the command that runs
// them. Copied out with the server's command-line client, as its --batch
// prints them, values could not be put back exactly: it prints a NULL and
// the string 'NULL' alike, and escapes tabs, line breaks and backslashes
// its own way. So the server writes the statements, every value a literal
// of its exact bytes (restoreLiteral) and the file ASCII but for the
// names, and the client prints them as they are (--raw), row by row as
// the server sends them (--quick: without it the client holds the whole
// result in memory before printing the first row). The file sets mode
// first, strict: in a server's non-strict sql_mode, a value too long for
// the column a rewritten release made shorter was cut to fit (e2e
// TestAttackColumnRestoreDoesNotCutValues), and +00:00, where no local
// time is ambiguous. With sum (a table's rows), into the empty table
// only, atomic and checked before the commit: sum, the table's rows
// counted and summed as the copy-out read them, must be what the file
// put back. All or nothing: rows of a table, of which a restore stopped
// half-way (a parent row gone) could not run again (the rows it had put
// back duplicate keys then).
// A line longer than the server's max_allowed_packet is NULL (CONCAT's
// limit, a warning only): a value of 9 MB was copied out as NULL and put
// back as NULL, both commands exiting 0. Such rows are counted first, and
// there are no commands (unsaved says why); one grown longer after the
// count is the line NULL, which the restore stops at.
func (s *Session) copyOut(ctx context.Context, pred, mode, sum string, order *rowOrder, parts []string, names ...string) (save, restore, unsaved string, err error) {
	table := names[0]
	client, err := s.client(ctx)
	if _, noUser := s.Cfg.ClientUser(); noUser != nil {
		return "", "", "", nil // said once for all the losses (rollbackLosses)
	}
	if err != nil {
		return "", "", err.Error(), nil
	}
	var long, packet int64
	// Under --drop-new-data no one copies the rows out, and the recount
	// before each drop would pay for this pass again.
	if !s.opts.DropNewData {
		measured := parts
		if order != nil {
			// As long as the longest line can be.
			measured = append([]string{sqlsyntax.String(checksOff)}, parts...)
		}
		err = s.inAppZone(ctx, func() error {
			return s.Conn.QueryRowContext(ctx, "SELECT COUNT(*), @@max_allowed_packet FROM "+sqlsyntax.Ident(table)+" WHERE ("+pred+") AND CONCAT("+strings.Join(measured, ", ")+") IS NULL").Scan(&long, &packet)
		})
	}
	if err != nil {
		return "", "", "", s.redact(fmt.Errorf("measuring the copy-out of %s: %w", strings.Join(names, "."), err))
	}
	if long > 0 {
		return "", "", fmt.Sprintf("%d of its rows hold a value whose line (a statement with the value in hexadecimal, twice its bytes) is longer than the server's max_allowed_packet, %d bytes, which the copy-out would write as NULL; raise max_allowed_packet on the server (SET GLOBAL max_allowed_packet = 1073741824) and rerun for the commands, or copy them out another way", long, packet), nil
	}
	from, orderBy, set, verify := sqlsyntax.Ident(table), "", "", ""
	if order != nil {
		from, orderBy, set, verify = order.from, order.orderBy, order.set, order.verify
		parts = append([]string{order.lead}, parts...)
	}
	head, tail := "SET SESSION sql_mode = "+sqlsyntax.String(mode)+", time_zone = "+sqlsyntax.String(dbconn.PinnedTimeZone), ""
	if sum == "" {
		head += ";"
	} else {
		// Into the empty table a later expand creates, for its rows to
		// be what sum counts then: a restore run twice put a keyless
		// table's rows back twice, exiting 0. Atomic, and checked before
		// the commit: a value rounded (as in saveColumn) or a row not
		// put back fails the restore.
		// A locking read, in the restore's transaction: a plain one
		// missed rows another session had written and not committed (a
		// second restore run at once, the application), and both sets
		// were committed. It waits for them, no longer than emcee's
		// statements wait for a lock, and its lock on the empty table
		// holds off their inserts until the restore commits.
		t := sqlsyntax.Ident(table)
		held := stopIf("IF(EXISTS(SELECT 1 FROM " + t + " FOR UPDATE), " + sqlsyntax.String(heldMsg(table)) + ", NULL)")
		tail = "; SELECT CONCAT(" + sqlsyntax.String(verify) + ", " + sumCheck(table, sum) + ", 'COMMIT;') FROM " + t + " WHERE " + pred
		wait := strconv.Itoa(max(1, int(s.Cfg.LockWaitTimeout/time.Second)))
		head += ", innodb_lock_wait_timeout = " + wait + ", lock_wait_timeout = " + wait + "; START TRANSACTION; " + strings.TrimSuffix(held, " ")
	}
	q := s.copySnapshot(set) + "SELECT " + sqlsyntax.String(head) + "; " +
		"SELECT CONCAT(" + strings.Join(parts, ", ") + ") FROM " + from + " WHERE " + pred + orderBy + tail
	save, restore = s.copyCommands(client, q, names...)
	return save, restore, "", nil
}

// copySnapshot starts a copy-out's query, for its lines to be of one
// moment (the rows and their sums to agree): in the application's time
// zone, as emcee's session counted, for a predicate to read as it was
// counted (the fill computes there; the values do not depend on it, a
// TIMESTAMP going as FROM_UNIXTIME of its instant), set appended to
// its settings.
func (s *Session) copySnapshot(set string) string {
	return "SET SESSION sql_mode = " + sqlsyntax.String(dbconn.SQLMode) + ", time_zone = " + sqlsyntax.String(s.appZone) + set + "; START TRANSACTION WITH CONSISTENT SNAPSHOT; "
}

// heldMsg is the error a table's restore stops with, before any row,
// when the table holds rows already.
func heldMsg(table string) string {
	return "restore refused: table " + table + " holds rows already (put back before?); it puts rows back into the empty table a later expand creates"
}

// sumCheck is an SQL expression, over the rows of table as the copy-out
// reads them, whose value is the statement a restore runs before its
// commit: it stops the restore unless the table's rows, counted and
// summed by sum, are what was copied out.
func sumCheck(table, sum string) string {
	return sqlsyntax.String(stopStart+"IF((SELECT "+sum+" FROM "+sqlsyntax.Ident(table)+") <> '") + ", " + sum + ", " +
		sqlsyntax.String("', "+sqlsyntax.String(changedMsg("table "+table, "its rows"))+", NULL)"+stopEnd+" ")
}

// copyCommands are the commands that run q, a copy-out's query, into the
// file named after names, and put the file back.
// The file's last line says that the copy-out wrote it whole: the
// client exits 0 with the file cut short when the disk fills (it
// does not check its writes; into /dev/full, with every row lost),
// and a restore of such a file put back part of the values (a
// table's, none: its COMMIT is at the end), exiting 0. The restore
// runs the file only if it ends with that line.
func (s *Session) copyCommands(client, q string, names ...string) (save, restore string) {
	name := s.saveFile(names...)
	file := shell.Word(name)
	save = client + " --batch --raw --skip-column-names --quick --execute=" + shell.Quote(q+"; SELECT "+sqlsyntax.String(copyOutEnd)) + " -- " + shell.Word(s.Cfg.Database) + " > " + file
	restore = "if tail -n 1 " + file + " | grep -qxF -- " + shell.Quote(copyOutEnd) + "; then " + client + " --raw --skip-column-names -- " + shell.Word(s.Cfg.Database) + " < " + file +
		"; else echo " + shell.Quote("restore refused: "+name+" does not end with the line "+copyOutEnd+": its copy-out stopped part-way (a full disk, a lost connection); copy out again") + " >&2; false; fi"
	return save, restore
}

// cycleCopyOut is the command that copies out the rows of tables whose
// foreign keys form a cycle (a -> b -> a), and the command that puts
// them back: no order of the tables' restores, each with the keys
// checked, puts a row after its parent (the first stopped on the other,
// empty, error 1452). One file, of one snapshot, puts them back in one
// transaction with the keys' checks off, into the empty tables only;
// then, the checks on again, each table's count and sum are checked,
// and every foreign key of the tables (orphanChecks): a row whose
// parent is missing stops the restore, named, before the commit, and
// nothing of any of the tables is put back. The file is named after
// "cycle" and the tables, which no table's or column's file is.
func (s *Session) cycleCopyOut(ctx context.Context, members []*Loss) (save, restore string, err error) {
	client, err := s.client(ctx)
	if err != nil {
		return "", "", err
	}
	held := "NULL"
	for _, l := range slices.Backward(members) {
		held = "IF(EXISTS(SELECT 1 FROM " + sqlsyntax.Ident(l.Table) + "), " + sqlsyntax.String(heldMsg(l.Table)) + ", " + held + ")"
	}
	names := []string{"cycle"}
	var rows, sums []string
	verify := "SET SESSION foreign_key_checks = 1; "
	for _, l := range members {
		t := sqlsyntax.Ident(l.Table)
		names = append(names, l.Table)
		rows = append(rows, "SELECT CONCAT("+strings.Join(l.rows.parts, ", ")+") FROM "+t)
		sums = append(sums, "SELECT CONCAT("+sumCheck(l.Table, l.rows.sum)+") FROM "+t)
		key, _, err := s.rowKey(ctx, l.Table)
		if err != nil {
			return "", "", err
		}
		verify += orphanChecks(l.Table, key, l.rows.types, l.rows.fks)
	}
	head := stopIf(held) + "SET SESSION sql_mode = " + sqlsyntax.String(tableMode) + ", time_zone = " + sqlsyntax.String(dbconn.PinnedTimeZone) + ", foreign_key_checks = 0; START TRANSACTION;"
	q := s.copySnapshot("") + "SELECT " + sqlsyntax.String(head) + "; " + strings.Join(rows, "; ") + "; " + strings.Join(sums, "; ") + "; SELECT " + sqlsyntax.String(verify+"COMMIT;")
	save, restore = s.copyCommands(client, q, names...)
	return save, restore, nil
}

// restoreOrder orders losses, given in the reverse of the rollback's
// drops, for their restores to run one after the other: the tables whose
// foreign keys form a cycle (a -> b -> a, or longer; found as the
// strongly connected components of the keys between the tables lost)
// are copied out and put back together (cycleCopyOut), the first of
// them carrying the commands, the others naming it (With); each table,
// or cycle, after the tables its keys reference, and otherwise as given
// (a column after everything given before it). Tables are matched by
// name regardless of case: on a server telling case apart, two tables
// taken for one only put more tables in one transaction, which checks
// every key all the same.
func (s *Session) restoreOrder(ctx context.Context, losses []Loss) ([]Loss, error) {
	n := len(losses)
	tables := map[string][]int{}
	for i, l := range losses {
		if l.rows != nil {
			tables[strings.ToLower(l.Table)] = append(tables[strings.ToLower(l.Table)], i)
		}
	}
	refs := make([][]int, n)
	for i, l := range losses {
		if l.rows == nil {
			continue
		}
		for _, f := range l.rows.fks {
			if f.local && !f.self {
				refs[i] = append(refs[i], tables[strings.ToLower(f.table)]...)
			}
		}
	}
	node := schemadef.Cycles(refs) // each loss's: the first loss of its cycle, or itself
	of := make([][]int, n)         // a node's losses
	for i := range losses {
		of[node[i]] = append(of[node[i]], i)
	}
	placed := make([]bool, n)
	first := 0 // the first loss not placed
	// ready: node i goes next once every table its cycle's keys reference
	// is placed, and, for a column, every loss given before it.
	ready := func(i int) bool {
		if losses[i].rows == nil {
			return first == i
		}
		return !slices.ContainsFunc(of[i], func(j int) bool {
			return slices.ContainsFunc(refs[j], func(k int) bool { return node[k] != i && !placed[k] })
		})
	}
	var out []Loss
	for len(out) < n {
		next := -1
		for i := range losses {
			if node[i] == i && !placed[i] && ready(i) {
				next = i
				break
			}
		}
		if next < 0 {
			return nil, fmt.Errorf("ordering the restores of %d tables and columns: no order puts each after what it references; nothing was changed", n)
		}
		var members []*Loss
		for _, i := range of[next] {
			members = append(members, &losses[i])
			placed[i] = true
		}
		for first < n && placed[first] {
			first++
		}
		if err := s.copiedTogether(ctx, members); err != nil {
			return nil, err
		}
		for _, l := range members {
			out = append(out, *l)
		}
	}
	return out, nil
}

// copiedTogether gives the tables of a cycle one pair of commands
// (cycleCopyOut), which the first carries; none when one of them gets
// none, which says why.
func (s *Session) copiedTogether(ctx context.Context, members []*Loss) error {
	if len(members) < 2 {
		return nil
	}
	first := members[0]
	if i := slices.IndexFunc(members, func(l *Loss) bool { return l.Save == "" }); i >= 0 {
		without := members[i]
		for _, l := range members {
			l.Save, l.Restore = "", ""
			if l.Unsaved == "" && without.Unsaved != "" {
				l.Unsaved = fmt.Sprintf("its foreign keys form a cycle with table %s, whose rows get no commands (see there), and the tables of a cycle are copied out and put back together", without.Table)
			}
		}
		return nil
	}
	save, restore, err := s.cycleCopyOut(ctx, members)
	if err != nil {
		return s.redact(fmt.Errorf("copying out the tables of a foreign key cycle (%s): %w", first.Table, err))
	}
	for _, l := range members {
		l.Save, l.Restore, l.With = "", "", first.Table
	}
	first.Save, first.Restore, first.With = save, restore, ""
	return nil
}

// stopIf is the statements of a restore file that stop it when why, an
// SQL expression the file evaluates, is not NULL: they print why whole
// (the restore's client prints a result raw, without a heading), then
// set a sql_mode the server refuses, an error that ends the client's run.
// The refused value was the message itself, and the server shows it up
// to its first comma (sql_mode is a list) and 200 characters: a table or
// column name with a comma, or a long name or key, cut the row's key or
// the advice out of it. MySQL runs SIGNAL only inside a stored program,
// so both flavours stop so, with a fixed text. stopStart and stopEnd are
// its two halves, for why written in parts.
func stopIf(why string) string { return stopStart + why + stopEnd + " " }

const (
	stopStart = "SET @emcee_stop = "
	stopEnd   = "; SELECT @emcee_stop FROM DUAL WHERE @emcee_stop IS NOT NULL; SET SESSION sql_mode = IF(@emcee_stop IS NULL, @@sql_mode, 'restore stopped: the line printed before this error says why');"
)

// copyOutEnd is the last line of a file a copy-out wrote whole: an SQL
// comment, which the restore's client skips.
const copyOutEnd = "-- end of the copy-out"

// columnTypes are the DATA_TYPEs of the live table's columns, by
// lowercased column name.
func (s *Session) columnTypes(ctx context.Context, table string) (map[string]string, error) {
	types := map[string]string{}
	err := dbconn.EachRow(ctx, s.Conn, "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", []any{table}, func(rows *sql.Rows) error {
		var name, typ string
		err := rows.Scan(&name, &typ)
		types[strings.ToLower(name)] = strings.ToLower(typ)
		return err
	})
	return types, err
}

// restoreLiteral is an SQL expression whose value is the text of a
// literal that gives the column's value back exactly, NULL for NULL:
// numbers as the server prints them (which read back to the same value,
// a FLOAT through the DOUBLE it widens to exactly, so that it also
// compares equal in a WHERE), binary strings (and geometry, stored as
// bytes) as a hexadecimal literal of their bytes, and every other value
// (text in any character set, temporal, ENUM, SET, JSON) as the
// hexadecimal of its utf8mb4 text, introduced as such (a literal, which
// takes the collation of the column it meets: as CONVERT(X'...' USING
// utf8mb4), in the connection's, a key in utf8mb4_unicode_ci refused
// every UPDATE, "Illegal mix of collations"): whatever the bytes, a
// tab, a line break, a backslash, a quote or the text NULL, the file
// holds only hexadecimal digits for it.
func restoreLiteral(column, dataType string) string {
	c := sqlsyntax.Ident(column)
	var lit string
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric", "double", "real", "year":
		lit = "CAST(" + c + " AS CHAR)"
	case "float":
		lit = "CAST(CAST(" + c + " AS DOUBLE) AS CHAR)"
	case "timestamp":
		// Its instant: as text it is local time in the session's zone,
		// ambiguous in the hour a named zone's clocks go back.
		lit = "IF(" + c + " = 0, '''0000-00-00 00:00:00''', CONCAT('FROM_UNIXTIME(', UNIX_TIMESTAMP(" + c + "), ')'))"
	case "bit":
		lit = "CAST(CAST(" + c + " AS UNSIGNED) AS CHAR)"
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob",
		"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection":
		lit = "CONCAT('_binary X''', HEX(" + c + "), '''')"
	default:
		lit = "CONCAT('_utf8mb4 X''', HEX(CAST(" + c + " AS CHAR CHARACTER SET utf8mb4)), '''')"
	}
	// Not IFNULL(lit, 'NULL'): lit is NULL also when it is too long
	// (max_allowed_packet), and the value must not come back as NULL.
	return "IF(" + c + " IS NULL, 'NULL', " + lit + ")"
}

// client is the server's command-line client, connected as emcee is,
// the password (if any) asked for at its prompt: never printed. Its
// callers end the options with -- before the database: a table's name
// may start with -- (a table named --result-file=x was read as the dump
// tool's option, when a dump copied tables out). It asks for utf8mb4, as
// emcee's own connections do: the client's default follows the locale,
// which would mangle the values it copies. It reads no option file
// (--no-defaults, which must come first), since the command says all it
// needs: an operator's ~/.my.cnf with safe-updates made the client
// return 1,000 rows of the values to keep. It connects as the URL's tls=
// has emcee connect (clientTLS).
func (s *Session) client(ctx context.Context) (string, error) {
	user, err := s.Cfg.ClientUser()
	if err != nil {
		return "", err
	}
	name := "mysql"
	if s.Project.Target.MariaDB() {
		name = "mariadb"
	}
	host, port := s.Cfg.ClientAddr()
	cmd := name + " --no-defaults -h " + shell.Word(host) + " -P " + shell.Word(port) + " -u " + shell.Word(user) + " --default-character-set=utf8mb4"
	if s.Cfg.Password != "" {
		cmd += " -p"
	}
	tls, err := s.clientTLS(ctx, name)
	return cmd + tls.options(s.Project.Target.MariaDB()), err
}

// saveFile is the file a copy-out command writes, named after the
// server, the database and what it holds: the commands of every target of
// a fleet (whose databases may share a name on different servers) and of
// every table and column must run in one directory without one replacing
// what another copied; they wrote images.visibility.tsv on every target.
// Where the name had to change to be a file name (characters replaced,
// letters whose case a file system may ignore, or too long for one), a
// hash of the exact names keeps it apart from names that change alike.
func (s *Session) saveFile(names ...string) string {
	host, port := s.Cfg.ClientAddr()
	parts := append([]string{host, port, s.Cfg.Database}, names...)
	var safe []string
	changed := false
	for i, p := range parts {
		safe = append(safe, strings.Map(func(r rune) rune {
			switch {
			case r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z':
				return r
			case r == '.' && i == 0: // a host name's dots, apart from the joins below
				return r
			case r >= 'A' && r <= 'Z':
				changed = true
				return r
			}
			changed = true
			return '_'
		}, p))
	}
	name := safe[0] + "_" + strings.Join(safe[1:], ".")
	if changed || len(name) > 200 {
		sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
		name = name[:min(len(name), 200)] + "-" + hex.EncodeToString(sum[:4])
	}
	return name + ".sql"
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

// RefuseDuringRollback stops every other changing command while a
// rollback is half-way; db version -v and db status say it, with the
// command that finishes it (finishRollback).
func (s *Session) RefuseDuringRollback(ctx context.Context) error {
	rel, done := s.rollingBack()
	if rel == "" {
		return nil
	}
	return &Refusal{
		Reason: fmt.Sprintf("a rollback of %s is in progress (%s): the schema is between %s and the release before it, and no other phase may run until the rollback finishes", rel, strings.Join(done, ", "), rel),
		Next:   s.finishRollback(ctx, rel),
	}
}

// finishRollback is what finishes the rollback of rel in progress: the
// command with the flags whose lack its run refuses on, each said why, as
// the run would find them now: what is left copies tables (refused
// without --allow-copy or --osc pt-osc: rollbackCopies), drops data only
// rel wrote (without --drop-new-data: rollbackLosses), or the live schema
// differs from what the records produce (without --allow-drift: the drift
// check, which the run that stopped may have passed with it; a killed run
// said nothing). What cannot be told here (a count or the comparison
// failing) is the rerun's to say.
func (s *Session) finishRollback(ctx context.Context, rel string) string {
	revs, err := s.rollbackRevisions(rel)
	if err != nil {
		return "run " + s.command("rollback") + " to finish it"
	}
	if err := s.noRun(ctx); err != nil {
		// What another run applies shows as drift, and the counts would
		// wait for the locks of its statement.
		return "run " + s.command("rollback") + " to finish it once the emcee run holding the lock has ended (it says then what else its run needs)"
	}
	var allowDrift []string
	drift := ""
	p := planReplay(s.Project.Releases, s.Plans, s.Records)
	if r, _, err := s.replayOf(p); err == nil {
		if rep, err := s.compare(ctx, r, "what "+p.comparedWith()+" produce"); err == nil && !rep.Clean() {
			allowDrift = []string{"--allow-drift"}
			drift = fmt.Sprintf("the live schema differs from what %s produce (%s), which the rollback's drift check refuses without --allow-drift: %s lists the differences", p.comparedWith(), rep.Summary(), s.command("diff"))
		}
	}
	var flags, why []string
	if losses, err := s.countLosses(ctx, rel, revs); err == nil && len(losses) > 0 {
		var lost []string
		for _, l := range losses {
			lost = append(lost, l.String())
		}
		flags = append(flags, "--drop-new-data")
		why = append(why, fmt.Sprintf("what is left drops data only %s wrote (%s): copy it out first with the commands %s lists", rel, strings.Join(lost, "; "), s.command("rollback", append([]string{"--dry-run"}, allowDrift...)...)))
	}
	flags = append(flags, allowDrift...)
	if drift != "" {
		why = append(why, drift)
	}
	next := fmt.Sprintf("run %s to finish it", s.command("rollback", flags...))
	// The copies need the operator's say, and so the command carries it.
	if _, tables := s.copiesLeft(revs); len(tables) > 0 && s.osc == nil && !s.opts.AllowCopy {
		next = fmt.Sprintf("run %s to finish it (the server copies %s, which blocks writes while it runs), or %s to copy while writes continue", s.command("rollback", append([]string{"--allow-copy"}, flags...)...), strings.Join(tables, ", "), s.command("rollback", append([]string{"--osc", string(project.OSCPtOSC)}, flags...)...))
	}
	if len(why) > 0 {
		next += "; " + strings.Join(why, "; ")
	}
	return next
}
