package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A foreign key is added with foreign_key_checks off (a copy of the table
// would block writes), trusting the gate that counted no orphans before the
// revision's first statement. Rows keep changing until the ALTER: the
// release being deployed deletes parents while earlier statements of the
// same revision wait for their metadata locks. So the gates that count
// the key's orphans run again right before the ALTER, which then waits
// only for its own lock, and right after it, when the key stops new
// orphans: one found then was written in between, and the key is dropped
// again rather than left standing over it.
//
// The key checks every write sent once it is there, but a DELETE of a
// parent sent before, by a transaction still open, is not checked again
// when it commits, and a plain read still sees the parent it deleted. So
// the count after the ALTER runs once every transaction that had written
// before it has ended (awaitWriters), and then reads what they left
// without locks. It read the parents under lock before (LOCK IN SHARE
// MODE): an application transaction changing two parents deadlocked with
// it, and the server rolled back the application's. The wait costs what
// the older writers take to end, unrelated ones too (INNODB_TRX does not
// say which tables a transaction wrote): 1.4 to 3.4 ms with none open,
// 203 to 268 ms under 8 and 32 threads writing two-row transactions (one
// poll; docs/rules-gated.md), at most the session's lock wait timeout
// times 1 + --retries; past that the key is dropped again.
//
// A data_migration delete of the table runs before the ALTER, and the
// gate leaves out the rows it selects; rows it selects written after it
// ran are left out too, and nothing deleted them. So once the key stands
// (no row can lose its parent any more), the count is made again with
// them, and if it finds any, the release's delete runs again, as written.

// fkGuard is a statement that adds foreign keys and the gates of its
// revision that count their orphans (rule add-foreign-key, or
// modify-foreign-key for a key changed under its name; same table).
type fkGuard struct {
	keys  []effect.Effect // the keys added
	gates []int           // statement numbers of the gates, from 0
	drops []effect.Effect // the indexes the statement drops
	// undo drops the keys again, read before the ALTER, one clause a
	// statement, in an order each can run alone: the keys; the indexes
	// the statement drops (the ones the server made for other keys of
	// the table, which the added key's own index replaces:
	// splitter/fk_index.go), added back, since the keys they served need
	// an index; the index of a key's name where the table had none before
	// (the one InnoDB made for the key, if no index led with its
	// columns), which dropping the key leaves behind. The statement
	// records it in flight (history.Sending): a run that stops after the
	// ALTER leaves it to the next (dropAgain), which no longer sees the
	// table as it was.
	undo []string
	// deletes are the statement numbers of the data_migration deletes
	// of a key's table before the statement: they ran before it.
	deletes []int
}

// fkGuardOf is the guard of statement i; nil when it adds no foreign key
// a gate of the revision guards.
func fkGuardOf(rev *revision.Revision, i int) *fkGuard {
	var g fkGuard
	for _, e := range effect.Of(rev.Statements[i].SQL) {
		if e.Op == effect.DropIndex {
			g.drops = append(g.drops, e)
		}
		if e.Op != effect.AddForeignKey {
			continue
		}
		g.keys = append(g.keys, e)
		for j, st := range rev.Statements {
			if st.Kind != revision.Gate || !revision.KeyRule("foreign key", st.Rule) || slices.Contains(g.gates, j) {
				continue
			}
			if read, err := sqlsyntax.ReadGate(st.SQL); err == nil && strings.EqualFold(read.Table, e.Table) {
				g.gates = append(g.gates, j)
			}
		}
	}
	if len(g.gates) == 0 {
		return nil
	}
	for j, st := range rev.Statements[:i] {
		if st.Kind == revision.Gate || !slices.Contains(st.Rules(), "data-migration") {
			continue
		}
		for _, e := range effect.Of(st.SQL) {
			if e.Op == effect.DeleteRows && slices.ContainsFunc(g.keys, func(k effect.Effect) bool { return strings.EqualFold(k.Table, e.Table) }) && !slices.Contains(g.deletes, j) {
				g.deletes = append(g.deletes, j)
			}
		}
	}
	return &g
}

// guardGates runs g's gates right before or after statement i. A gate
// the revision's statements since have made unreadable (it leaves out the
// rows of a data_migration's delete, or the children of the parents one
// deletes, by the delete's predicate, which reads a column or table the
// revision dropped after the gate passed: droppedBy) is not taken as
// passed, as a resumed revision's gates take it, but counted without those
// predicates (sqlsyntax.Gate.Counting): the deletes ran before statement
// i, so a row they select was written since, and a parent they select
// stays one. recounted says it was; such a gate that still cannot run is
// broken. Taken as passed, the recheck counted nothing, and the key stood
// over a parent deleted while its ALTER waited.
func (s *Session) guardGates(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, g *fkGuard) (c gateCheck, recounted bool) {
	c = s.runGates(ctx, rev, rec, g.gates...)
	if !slices.ContainsFunc(c.results, func(r GateResult) bool { return r.NotRechecked != "" }) {
		return c, false
	}
	var deleted []string
	for _, st := range rev.Statements[:i] {
		if deletesRows(st) {
			deleted = append(deleted, st.SQL)
		}
	}
	// No record: a gate that cannot run is broken, none passed before.
	return s.countGates(ctx, rev, nil, deleted, g.gates...), true
}

// guardBlocked is, for db check and status, what contract's count right
// before the next foreign key of rev finds where it is not the gate's
// (guardGates: the gate reads what the revision dropped since it passed,
// and passes as such): blocked by data if it counts rows; nil if it
// counts none, or there is no such key.
func (s *Session) guardBlocked(ctx context.Context, rev *revision.Revision, rec *history.Record) error {
	for i := rec.Confirmed(); i < len(rev.Statements); i++ {
		g := fkGuardOf(rev, i)
		if g == nil {
			continue
		}
		quick := s.quick
		s.quick = false // the rows of a refusal are counted
		c, recounted := s.guardGates(ctx, rev, rec, i, g)
		s.quick = quick
		if recounted && len(c.closed) > 0 && len(c.broken) == 0 {
			return &Blocked{Gates: c.closed, Refusal: Refusal{Reason: DescribeGates(c.closed)}}
		}
	}
	return nil
}

// recorded is an error whose record is written already: the run returns
// it as it is.
type recorded struct{ error }

func (r recorded) Unwrap() error { return r.error }

// recheckBefore runs the guard's gates before statement i is sent: an
// orphan written since the revision started refuses the statement, with
// nothing of it applied. A plain read, as the gates before the revision:
// rows change until the ALTER anyway, so it only spares an ALTER that
// would be dropped again; what it cannot see yet (a parent deleted by a
// transaction not committed) the count after the ALTER waits for. It
// leaves out the rows of the deletes that ran, as the plan's gate does:
// the count after the ALTER has them deleted again (fkGuard.deletes).
func (s *Session) recheckBefore(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, g *fkGuard) error {
	c, _ := s.guardGates(ctx, rev, rec, i, g)
	if len(c.closed) == 0 && len(c.broken) == 0 {
		s.say("    orphan gate rechecked right before adding %s: open", keyNames(g))
		// Sent before by a run that stopped: the table may have the keys.
		if g.undo = g.recorded(rec); g.undo != nil {
			return nil
		}
		var owns []string
		for _, k := range g.keys {
			g.undo = append(g.undo, "ALTER TABLE "+sqlsyntax.Ident(k.Table)+" DROP FOREIGN KEY "+sqlsyntax.Ident(k.Name))
			if has, err := s.hasIndex(ctx, k.Table, k.Name); err != nil {
				return err
			} else if !has {
				owns = append(owns, "ALTER TABLE "+sqlsyntax.Ident(k.Table)+" DROP INDEX "+sqlsyntax.Ident(k.Name))
			}
		}
		for _, d := range g.drops {
			add, err := s.addIndexClause(ctx, d.Table, d.Name)
			if err != nil {
				return err
			}
			if add != "" {
				g.undo = append(g.undo, "ALTER TABLE "+sqlsyntax.Ident(d.Table)+" "+add)
			}
		}
		g.undo = append(g.undo, owns...)
		return nil
	}
	err := s.orphansFound(c, fmt.Sprintf("%s refused at statement %d of %d, which adds %s: rows changed since its gates passed (the release that declares the key is running), and a gate counting the key's orphans is closed again; statement %d is not applied (%d of %d are)",
		rev.ID, i+1, len(rev.Statements), keyNames(g), i+1, rec.Applied, len(rev.Statements)))
	if g.recorded(rec) != nil {
		// Sent again: the run that stopped may have added the keys.
		return s.dropAgain(ctx, rev, rec, err)
	}
	_ = history.Fail(ctx, s.Conn, rec, err, rev.Statements[i].SQL)
	return err
}

// recheckAfter runs the guard's gates once statement i has added its keys,
// before it is confirmed, once the transactions that had written before
// the keys were there have ended (awaitWriters). An orphan found now was
// written between the check before and the ALTER, or by a transaction that
// deleted its parent before the ALTER and committed after it: the keys
// are dropped again (retried as any statement), and the statement is
// recorded as not applied. If they cannot be dropped, the record keeps
// the statement in flight with the drop as its failed statement: the next
// run drops them (dropAgain) while its gates refuse.
func (s *Session) recheckAfter(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, g *fkGuard) error {
	var c gateCheck
	recounted := false
	if err := s.awaitWriters(ctx, g); err != nil {
		st := rev.Statements[g.gates[0]]
		c.broken = []GateResult{{Revision: rev.ID.String(), Rule: st.Rule, Why: "its count after the ALTER, which first waits for the transactions that had written before the key was there", At: s.at(rev, st), Error: err.Error()}}
	} else {
		c, recounted = s.guardGates(ctx, rev, rec, i, g)
	}
	// Counted with the deletes' rows already where a delete reads what the
	// revision dropped since (guardGates), and none can run again.
	if len(c.closed) == 0 && len(c.broken) == 0 && len(g.deletes) > 0 && !recounted {
		var deleted []string
		for _, j := range g.deletes {
			deleted = append(deleted, rev.Statements[j].SQL)
		}
		if c = s.countGates(ctx, rev, rec, deleted, g.gates...); len(c.closed) > 0 && len(c.broken) == 0 {
			if err := s.deleteAgain(ctx, rev, i, g, c); err != nil {
				d := rev.Statements[g.deletes[0]]
				c.broken = []GateResult{{Revision: rev.ID.String(), Rule: d.Rule, Why: "its delete, run again once the key stood", At: s.at(rev, d), Error: err.Error()}}
			} else {
				c = s.countGates(ctx, rev, rec, deleted, g.gates...)
			}
		}
	}
	if len(c.closed) == 0 && len(c.broken) == 0 {
		s.say("    orphan gate rechecked after adding %s, once the transactions that had written before it ended: open; from now on the key itself refuses orphans", keyNames(g))
		return nil
	}
	if ctx.Err() != nil {
		// Interrupted (SIGINT, SIGTERM): nothing more can be sent, the
		// drop neither. The record holds the statement in flight with its
		// undo (Sending), which the rerun settles.
		return fmt.Errorf("%s interrupted at statement %d of %d (%v), which added %s, before its orphans were counted after it: the key stands, not confirmed; %s applied and recorded. Rerun %s: if its gates pass, it keeps the key and counts its orphans again, else it drops it again (%s)",
			rev.ID, i+1, len(rev.Statements), ctx.Err(), keyNames(g), sqlsyntax.Plural(rec.Applied, "statement"), s.rerun(), strings.Join(g.undo, "; "))
	}
	dropped, rest, partly, err := s.undo(ctx, rev, i, g, g.undo)
	if err != nil {
		failed, over, unconfirmed := "dropping the key again failed", ": it stands over them", ": it stands, not confirmed"
		// What the rerun does with the key: gone already, it is added again
		// when the gates pass, and only what is left runs when they refuse.
		keeps, drops := "keeps the key", "drops the key again"
		if partly != "" {
			failed, over, unconfirmed = partly, "; nothing else was run", "; nothing else was run"
			keeps, drops = "adds the key again", "runs what is left"
		}
		msg := fmt.Sprintf("%s statement %d of %d added %s over rows without a parent, written after its gates passed, and %s (%v)%s. Rerun %s: while its gates count rows without a parent, it %s and refuses; once the rows are fixed, it %s and confirms it. Or run what is left (%s) by hand and rerun",
			rev.ID, i+1, len(rev.Statements), keyNames(g), failed, s.redact(err), over, s.rerun(), drops, keeps, strings.Join(rest, "; "))
		if len(c.broken) > 0 {
			// The count did not run (a lost connection): no orphan is known.
			msg = fmt.Sprintf("%s statement %d of %d added %s, but its orphan count could not run after it, and %s (%v)%s. Rerun %s once what stopped the count is fixed: if its gates pass, it %s and counts its orphans again, else it %s; or run what is left (%s) by hand and rerun",
				rev.ID, i+1, len(rev.Statements), keyNames(g), failed, s.redact(err), unconfirmed, s.rerun(), keeps, drops, strings.Join(rest, "; "))
		}
		err = s.orphansFound(c, msg)
		// The statement stays in flight (the key stands), with the drop
		// as the failed statement (as Sending recorded it, which is what
		// a run whose connection is lost leaves): the rerun runs it unless
		// the statement can be confirmed then (dropAgain).
		_ = history.FailSent(ctx, s.Conn, rec, err, strings.Join(g.undo, ";\n"))
		return err
	}
	why := "rows without a parent were written between its gate and the ALTER (or their parent was deleted before the ALTER by a transaction that committed after it)"
	if len(c.broken) > 0 {
		why = "its orphan count (or a delete it runs again) could not run after it (the count waits first for the transactions that had written before the key was there, as long as the lock wait timeout and --retries let it)"
	}
	err = s.orphansFound(c, fmt.Sprintf("%s statement %d of %d added %s, but %s; the key was dropped again (%s), so statement %d is not applied (%d of %d are)",
		rev.ID, i+1, len(rev.Statements), keyNames(g), why, strings.Join(dropped, "; "), i+1, rec.Applied, len(rev.Statements)))
	if r, ok := errors.AsType[*Refusal](err); ok && len(c.broken) > 0 {
		r.Next = fmt.Sprintf("let the transactions named above end (commit or roll back them; KILL <thread> ends one), or fix what stopped the count, then rerun %s: it adds the key again", s.rerun())
	}
	_ = history.Fail(ctx, s.Conn, rec, err, rev.Statements[i].SQL)
	return err
}

// undo runs the statements that undo statement i of rev (fkGuard.undo),
// each retried as any statement. One with nothing left to do is passed
// over: the key or index gone (dropped by hand, or never added by an
// ALTER that did not run), the index there (never dropped). It returns
// those that changed something, and when one fails, it and those after it
// (rest); partly says what of the undo ran then, for the refusal.
func (s *Session) undo(ctx context.Context, rev *revision.Revision, i int, g *fkGuard, undo []string) (done, rest []string, partly string, err error) {
	for k, q := range undo {
		err := s.retry(ctx, "dropping "+keyNames(g)+" again", rev, i, func() error { _, err := s.Conn.ExecContext(ctx, q); return err })
		switch {
		case dbconn.ServerError(err, 1061, 1091): // duplicate key name; can't drop, does not exist
		case err != nil && len(done) > 0:
			return done, undo[k:], fmt.Sprintf("undoing it stopped part way: it ran %s, then failed", strings.Join(done, "; ")), err
		case err != nil:
			return done, undo[k:], "", err
		default:
			done = append(done, q)
		}
	}
	return done, nil, "", nil
}

// dropAgain settles, once a rerun's gates have run (refused: their
// refusal, or nil), statement rec.Applied when it adds foreign keys and
// the record holds its undo: a run sent it (history.Sending) and stopped
// before confirming it (killed, its connection lost, or dropping the key
// again failed after its count found orphans). The key may stand,
// unchecked since. Gates that pass let the statement resume as sent:
// sent again, counted as applied, its orphans counted after it
// (recheckAfter). Gates that refuse mean the key is not confirmed by this
// run: it is dropped again first (the index InnoDB made for it with it,
// the indexes the statement dropped given back), the statement recorded
// as not applied, and the refusal says so. Each undo statement is run
// only if it does nothing but undo the statement (fkGuard.undoes): a
// record edited by hand runs nothing else.
func (s *Session) dropAgain(ctx context.Context, rev *revision.Revision, rec *history.Record, refused error) error {
	if rec == nil || rec.Applied >= len(rev.Statements) || s.opts.DryRun {
		return refused
	}
	i := rec.Applied
	g := fkGuardOf(rev, i)
	if g == nil {
		return refused
	}
	undo := g.recorded(rec)
	switch {
	case undo == nil:
		return refused
	case refused == nil && rec.InFlight:
		return nil
	case refused == nil:
		// Left by an emcee that recorded a failed drop in two writes
		// (Fail, then Sending) and stopped between them.
		return s.redact(history.Sending(ctx, s.Conn, rec, rec.FailedStatement))
	}
	s.say("  %s, added by statement %d of %d in a run that stopped before confirming it, goes again, since the gates refuse (below): %s", keyNames(g), i+1, len(rev.Statements), strings.Join(undo, "; "))
	dropped, rest, partly, err := s.undo(ctx, rev, i, g, undo)
	if err != nil {
		failed, stands, gates := "dropping it again failed", ": it stands, not confirmed", fmt.Sprint(refused)
		if partly != "" {
			failed, stands, gates = partly, "", strings.Replace(gates, nothingChanged, "nothing else was changed", 1)
		}
		return fmt.Errorf("%s refused: statement %d of %d added %s, which the run that stopped did not confirm, and the gates refuse, but %s (%w)%s; nothing else was run. Fix what stopped it (a lock wait: the transaction holding the table, SHOW PROCESSLIST; or what the error names), then rerun %s, which runs what is left (%s); or run that by hand and rerun. The gates: %s",
			rev.ID, i+1, len(rev.Statements), keyNames(g), failed, s.redact(err), stands, s.rerun(), strings.Join(rest, "; "), gates)
	}
	did := fmt.Sprintf("%s, which statement %d of %d added in a run that stopped before confirming it, was dropped again (%s)", keyNames(g), i+1, len(rev.Statements), strings.Join(dropped, "; "))
	switch {
	case len(dropped) == 0:
		did = fmt.Sprintf("statement %d of %d, sent by a run that stopped before confirming it, left nothing standing (%s dropped by hand, or never added)", i+1, len(rev.Statements), keyNames(g))
	case effect.Of(dropped[0])[0].Op != effect.DropForeignKy: // undo drops the keys first
		did = fmt.Sprintf("statement %d of %d, sent by a run that stopped before confirming it, left %s gone (dropped by hand, or by a run that stopped part way through undoing it) and the rest of it undone now (%s)", i+1, len(rev.Statements), keyNames(g), strings.Join(dropped, "; "))
	}
	if err := history.Fail(ctx, s.Conn, rec, fmt.Errorf("%s: %s statement %d is not applied", did, rev.ID, i+1), rev.Statements[i].SQL); err != nil {
		return s.redact(err)
	}
	if r, ok := errors.AsType[*Refusal](refused); ok {
		r.Reason = did + "; " + strings.Replace(r.Reason, nothingChanged, "nothing else was changed", 1)
	}
	return refused
}

// unconfirmed adds to err, a refusal after the gates passed, the foreign
// key a run that stopped may have left standing (dropAgain keeps it when
// the gates pass): the operator is told it stands, and what the rerun
// does with it.
func unconfirmed(rev *revision.Revision, rec *history.Record, err error) error {
	note := unconfirmedNote(rev, rec)
	if note == "" {
		return err
	}
	if r, ok := errors.AsType[*Refusal](err); ok {
		r.Reason = strings.TrimRight(r.Reason, "\n") + "\n" + note
		return r
	}
	return fmt.Errorf("%w\n%s", err, note)
}

// unconfirmedNote says which foreign key a run that stopped may have left
// standing, unconfirmed, and what the rerun does with it; "" for none.
func unconfirmedNote(rev *revision.Revision, rec *history.Record) string {
	if rec == nil || !rec.InFlight || rec.Applied >= len(rev.Statements) {
		return ""
	}
	g := fkGuardOf(rev, rec.Applied)
	if g == nil || g.recorded(rec) == nil {
		return ""
	}
	return fmt.Sprintf("%s, added by statement %d of %d in a run that stopped before confirming it, may stand, not confirmed (its orphans not counted since): the rerun keeps it and counts them if its gates pass, else drops it again (%s)",
		keyNames(g), rec.Applied+1, len(rev.Statements), strings.Join(g.recorded(rec), "; "))
}

// recorded is the undo of the guard's statement that rec holds (Sending);
// nil when it holds none, or not only that (fkGuard.undoes).
func (g *fkGuard) recorded(rec *history.Record) []string {
	if rec == nil || rec.FailedStatement == "" {
		return nil
	}
	undo := strings.Split(rec.FailedStatement, ";\n")
	if slices.ContainsFunc(undo, func(q string) bool { return !g.undoes(q) }) {
		return nil
	}
	return undo
}

// undoes tells whether q, read back from the version table, only undoes
// the guard's statement on the keys' table: drops its keys and their
// indexes, adds back the indexes it dropped.
func (g *fkGuard) undoes(q string) bool {
	d := effect.Parse(q)
	// Each clause one of the effects below: a clause with none (a table
	// option, CONVERT TO, DISCARD TABLESPACE, RENAME INDEX) would run
	// unchecked beside them. Planned: of this database, setting nothing
	// (`other`.`child`, SET STATEMENT sql_log_bin=0 FOR).
	if !d.Planned() || len(d.Effects()) == 0 || d.Kind != effect.KindAlterTable || len(d.Clauses) != len(d.Effects()) {
		return false
	}
	for _, e := range d.Effects() {
		is := func(k effect.Effect) bool {
			return strings.EqualFold(k.Table, e.Table) && strings.EqualFold(k.Name, e.Name)
		}
		switch {
		case (e.Op == effect.DropForeignKy || e.Op == effect.DropIndex) && slices.ContainsFunc(g.keys, is):
		case e.Op == effect.AddIndex && slices.ContainsFunc(g.drops, is):
		default:
			return false
		}
	}
	return true
}

// lastWriterID is the largest id INNODB_TRX gives a transaction that has
// written (or locked rows for update): MariaDB lists one that has not
// under 0, MySQL under a number above it.
const lastWriterID = 1<<48 - 1

// checkWritersShown refuses, before a revision runs anything, one whose
// statements from from on add a foreign key a gate guards, when the server
// does not show this session the transactions awaitWriters reads after
// the ALTER (information_schema.INNODB_TRX needs PROCESS, error 1227):
// the key would be added, then dropped again, at every run.
func (s *Session) checkWritersShown(ctx context.Context, rev *revision.Revision, from int) error {
	for i := from; i < len(rev.Statements); i++ {
		g := fkGuardOf(rev, i)
		if g == nil {
			continue
		}
		err := s.readTrxList(ctx, "SELECT COUNT(*) FROM information_schema.INNODB_TRX", nil, noRow)
		if !dbconn.ServerError(err, 1227) {
			return s.redact(err)
		}
		var user string
		if err := s.Conn.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&user); err != nil {
			return s.redact(err)
		}
		return &Refusal{
			Reason: fmt.Sprintf("%s refused before this run applied any of it: statement %d at %s adds %s, and the count of its orphans after the ALTER first waits for the transactions that had written before the key was there, which the server lists (information_schema.INNODB_TRX) only to a user holding PROCESS; %s lacks it (%v)", rev.ID, i+1, s.at(rev, rev.Statements[i]), keyNames(g), user, err),
			Next:   fmt.Sprintf("as an administrator: GRANT PROCESS ON *.* TO %s, then rerun %s", accountLiteral(user), s.rerun()),
		}
	}
	return nil
}

// awaitWriters waits until the transactions that had written before the
// keys of g were added have ended, as long as the lock wait timeout and
// --retries let a lock wait last (the bound of the retried count of
// retry.go); an error names the ones still open. It locks nothing: the
// count after it, a plain read, then sees what they left.
//
// INNODB_TRX is a copy InnoDB makes again only once nobody has read it for
// 0.1 s, so a list read right after the ALTER may be older than the ALTER
// and miss a transaction that had just deleted a parent. This connection
// opens a transaction first: a list that has it was made after the ALTER,
// and has every transaction that had written before it and is still open.
//
// Where the server shows its metadata locks (MariaDB's metadata_lock_info
// plugin), it waits only for the writers that hold the keys' tables
// (keyHolders): one that wrote a parent (or a child) holds that table's
// metadata lock from its write until it ends; an unrelated transaction,
// however long, is left alone. A prepared XA transaction whose connection
// is gone holds none (thread 0): waited for as before. The lock also
// stands in for INNODB_TRX's copy where that copy is cut short (16 MB,
// which InnoDB says only in the error log, not to the client: "InnoDB:
// Data in INNODB_TRX truncated due to memory limit of 16777216 bytes"):
// it lists the newest connections first and drops the rest, so a thread
// holding the tables that the copy does not list as a writer is waited
// for until it lets them go.
//
// Its first read waits until 0.1 s have passed since this session last
// read the list (checkWritersShown, before the revision ran): the ALTER
// of a small table takes less, and a read sooner got that old copy again,
// then waited a whole poll for the next.
func (s *Session) awaitWriters(ctx context.Context, g *fkGuard) error {
	start := time.Now() // after the ALTER: a metadata lock older than this may be older than the key
	limit := s.Cfg.LockWaitTimeout * time.Duration(1+s.retries())
	deadline := start.Add(limit)
	tables, err := s.keyTables(ctx, g)
	if err != nil {
		return err
	}
	if _, err := s.Conn.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		return s.redact(err)
	}
	// The writers to wait for, by trx id, and the threads holding the
	// tables that the list does not show writing (trx 0); nil until a list
	// made after the ALTER.
	var open map[[2]uint64]string
	said := false
	// What the reads cost (pollPause): the last one's time, all of them,
	// and how many in a row found the same writers still open.
	var took, busy time.Duration
	reads, unchanged, before := 0, 0, -1
	defer func() {
		if open == nil {
			_, _ = s.Conn.ExecContext(ctx, "ROLLBACK")
		}
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(s.trxRead.Add(trxListIdle + 20*time.Millisecond))): // the list can be made again
	}
	for {
		read := time.Now()
		w, own := writers{names: map[uint64]string{}, threads: map[uint64]uint64{}}, false
		err := s.readTrxList(ctx, "SELECT trx_mysql_thread_id = CONNECTION_ID(), trx_id, trx_mysql_thread_id, trx_started FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID() OR trx_id BETWEEN 1 AND ?", []any{uint64(lastWriterID)}, func(rows *sql.Rows) error {
			var mine bool
			var id, thread uint64
			var started time.Time
			if err := rows.Scan(&mine, &id, &thread, &started); err != nil {
				return err
			}
			switch own = own || mine; {
			case mine:
				return nil
			case thread == 0: // KILL ends no such one
				w.names[id] = fmt.Sprintf("an XA transaction prepared with no connection (trx %d, started %s UTC: XA RECOVER lists it; XA COMMIT or XA ROLLBACK of its xid ends it)", id, started.Format(time.DateTime))
			default:
				w.names[id] = fmt.Sprintf("thread %d (trx %d, started %s UTC)", thread, id, started.Format(time.DateTime))
			}
			w.threads[id] = thread
			return nil
		})
		if err != nil {
			return s.redact(err)
		}
		if tables != nil {
			if w.held, err = s.keyHolders(ctx, tables, time.Since(start)); err != nil {
				return err
			}
			if w.held == nil {
				tables = nil // no plugin
			} else if w.connected, err = s.connectedThreads(ctx); err != nil {
				return err
			}
		}
		took = time.Since(read)
		busy += took
		reads++
		if open == nil && own {
			if _, err := s.Conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				return s.redact(err)
			}
		}
		if open != nil || own {
			open = w.waitFor(open)
		}
		if open != nil && len(open) == 0 {
			if said {
				s.say("    they ended after %s; %s of the server's lists took %s of it", time.Since(start).Round(time.Millisecond), sqlsyntax.Plural(reads, "read"), busy.Round(time.Millisecond))
			}
			return nil
		}
		// open only shrinks once made: a list that found as many open
		// found the same ones.
		if open != nil && len(open) == before {
			unchanged++
		} else {
			unchanged = 0
		}
		if open != nil {
			before = len(open)
		}
		if open != nil && !said {
			said = true
			s.say("    waiting for %s that had written before %s was added to end (it may have deleted a parent the key does not check again)", sqlsyntax.Plural(len(open), "transaction"), keyNames(g))
		}
		if time.Now().After(deadline) {
			bound := fmt.Sprintf("%s (lock_wait_timeout %s in the URL, times 1 + --retries %d)", limit, s.Cfg.LockWaitTimeout, s.retries())
			if open == nil {
				return fmt.Errorf("the server's list of open transactions (information_schema.INNODB_TRX) was not made again within %s since the key was added: InnoDB makes it again only once nobody has read it for 0.1 s, and something reads it more often (a monitor: SHOW PROCESSLIST shows it), which must pause while contract runs", bound)
			}
			msg := fmt.Sprintf("%s that had written before the key was added still open after %s: %s; a parent one of them deleted before the key was there is not checked when it commits", sqlsyntax.Plural(len(open), "transaction"), bound, strings.Join(slices.Sorted(maps.Values(open)), ", "))
			if tables == nil && s.Project.Target.MariaDB() {
				msg += ". Unrelated ones are waited for too, since the server does not show which tables a transaction wrote; an administrator's INSTALL SONAME 'metadata_lock_info' (the server's metadata lock list, information_schema.METADATA_LOCK_INFO) lets contract wait only for the ones holding the key's tables"
			}
			return errors.New(msg)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollPause(took, unchanged, time.Until(deadline), rand.N(pollJitter))):
		}
	}
}

// pollCost is how many times a read of the server's lists awaitWriters
// pauses at least before the next: its reads then take at most 1/10 of
// the wait. InnoDB fills INNODB_TRX's copy holding its lock system's
// latch, which every row lock taken or released on the server waits for,
// and the fill grows as the square of the transactions waiting for locks,
// or faster (measured on MariaDB 10.11, waiters on one row: 7 ms a read
// at 200, 383 ms at 600, about 4 s at 1,500; docs/rules-gated.md). Read
// every 0.15 to 0.45 s, a pile-up of 600 had emcee hold the latch 59% of
// the time, and a pile-up feeds itself when locks are released slowly.
// On a server without one a read takes 1 to 3 ms, and the pause (0.15 s
// and more) is 50 times that anyway: the bound only acts past 17 ms a
// read. Not more than 9: the wait is bounded (lock_wait_timeout times 1 +
// --retries, 60 s by default) and at 4 s a read it still reads every
// 40 s, so that writers ending during the pile-up are seen before the
// bound drops the key again.
const pollCost = 9

// pollJitter is the random part of the pause: runs polling the same
// server (a fleet's tenants) cannot fall into step and leave INNODB_TRX
// no 0.1 s unread, in which InnoDB makes its copy again.
const pollJitter = 300 * time.Millisecond

// pollPause is the pause before awaitWriters reads the server's lists
// again, the last read having taken took, the last unchanged reads
// having found the same writers open, left being the time to the wait's
// bound, and jitter a random part below pollJitter.
//
// Over 0.1 s (0.15 s and more), or its own reads would keep INNODB_TRX
// from being made again; longer by half for each read that found the same
// writers (a long transaction is waited for with fewer reads), up to 1 s:
// a writer is then seen gone at most 1.3 s after it ended, and a short
// one, gone by the second read, as soon as before (0.15 to 0.45 s). Not
// past the bound (a last read there says whether the writers ended), but
// at least pollCost times the read it follows, whatever else.
func pollPause(took time.Duration, unchanged int, left, jitter time.Duration) time.Duration {
	grown := 150 * time.Millisecond
	for range unchanged {
		if grown = grown * 3 / 2; grown >= time.Second {
			grown = time.Second
			break
		}
	}
	return max(min(grown+jitter, max(left, 150*time.Millisecond)), pollCost*took)
}

// writers is one reading of the transactions that may have deleted a
// parent before the keys were there and not ended: the writers INNODB_TRX
// lists (names and threads by trx id) and, where the server shows them,
// the threads holding the keys' tables (keyHolders), each with the lock.
type writers struct {
	names, held map[uint64]string // held nil: the server does not show them
	threads     map[uint64]uint64
	// connected are the threads with a connection, read after held: a
	// listed writer's thread holding none of the tables is let go only
	// while its connection is there. One gone may have left an XA
	// transaction prepared, which holds no lock, that INNODB_TRX's copy
	// (made again only once nobody has read it for 0.1 s: a monitor
	// polling it keeps it) still shows on that thread.
	connected map[uint64]bool
}

// waitFor is what is still to be waited for of open, the writers of the
// first list made after the ALTER (open nil: this is that list), keyed
// by trx id and the thread it was listed on, and, for a thread holding the
// keys' tables that the list does not show writing, by thread (trx 0): the
// ones still listed, and where the locks are shown, only those holding
// the keys' tables, or prepared with no connection (thread 0, which holds
// none). Where the locks are shown, a writer the list no longer shows is
// still waited for while its thread holds the tables: the list may have
// been cut short since (newer connections fill it first).
func (w writers) waitFor(open map[[2]uint64]string) map[[2]uint64]string {
	if open == nil {
		open = map[[2]uint64]string{}
		for id, name := range w.names {
			open[[2]uint64{id, w.threads[id]}] = name
		}
		writing := slices.Collect(maps.Values(w.threads))
		for thread, lock := range w.held {
			if !slices.Contains(writing, thread) {
				open[[2]uint64{0, thread}] = fmt.Sprintf("thread %d (it holds %s, taken before the key was added, and the server's list of transactions, information_schema.INNODB_TRX, does not show it writing: InnoDB cuts that list short past 16 MB)", thread, lock)
			}
		}
	}
	maps.DeleteFunc(open, func(k [2]uint64, _ string) bool {
		_, listed := w.names[k[0]]
		switch {
		case w.held == nil:
			return k[0] != 0 && !listed
		case k[0] == 0 || !listed:
			// Without the tables' lock, the one it took before the key
			// was there is gone, and the transaction that took it with it.
			_, holds := w.held[k[1]]
			return k[1] == 0 || !holds
		}
		thread := w.threads[k[0]]
		_, holds := w.held[thread]
		return thread != 0 && !holds && w.connected[thread]
	})
	for k := range open {
		if thread := w.threads[k[0]]; k[0] != 0 && thread != 0 && w.held != nil && !w.connected[thread] {
			open[k] = fmt.Sprintf("trx %d, listed on thread %d, whose connection is gone (an XA transaction prepared: XA RECOVER lists it; XA COMMIT or XA ROLLBACK of its xid ends it)", k[0], thread)
		}
	}
	return open
}

// keyTables are the tables whose metadata locks a transaction that could
// leave an orphan under g's keys holds: each key's table and the table it
// references, as schema and name; nil when a key's reference cannot be
// read (every writer is waited for then).
func (s *Session) keyTables(ctx context.Context, g *fkGuard) ([][2]string, error) {
	var tables [][2]string
	for _, k := range g.keys {
		var schema, parent string
		err := s.Conn.QueryRowContext(ctx, "SELECT UNIQUE_CONSTRAINT_SCHEMA, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = ?", k.Table, k.Name).Scan(&schema, &parent)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, s.redact(err)
		}
		tables = append(tables, [2]string{s.Cfg.Database, k.Table}, [2]string{schema, parent})
	}
	return tables, nil
}

// keyHolders are the other threads holding, in information_schema.
// METADATA_LOCK_INFO, a metadata lock on one of tables that lets them
// write it, taken at least since ago (before the key was added), each
// with the table it holds; nil when the server has no such table (the
// plugin metadata_lock_info is not installed: error 1109).
//
// Measured on MariaDB 10.11: a DELETE or UPDATE of a parent holds
// MDL_SHARED_WRITE on it until its transaction ends, as does one that
// deletes a parent through a trigger on another table or a cascade from
// the parent's own parent (the server takes that lock on the tables a
// statement may change); under LOCK TABLES ... WRITE, MDL_SHARED_NO_READ_WRITE
// until UNLOCK TABLES, which commits; an XA transaction prepared keeps its
// lock while its connection stays, and none once it is gone (thread 0 in
// INNODB_TRX, waited for whatever the locks say). A transaction that only
// read the table holds MDL_SHARED_READ (a locking read takes
// MDL_SHARED_WRITE): left out. LOCK_TIME_MS, how long ago the lock was
// taken, stays that of the transaction's first statement on the table;
// rounded down to the millisecond, and read after since was measured, so
// a lock taken before the key shows at least since less 1 ms.
func (s *Session) keyHolders(ctx context.Context, tables [][2]string, since time.Duration) (map[uint64]string, error) {
	args := []any{since.Milliseconds() - 1}
	for _, t := range tables {
		args = append(args, t[0], t[1])
	}
	held := map[uint64]string{}
	err := dbconn.EachRow(ctx, s.Conn, "SELECT THREAD_ID, MIN(CONCAT(LOCK_MODE, ' on ', TABLE_SCHEMA, '.', TABLE_NAME)) FROM information_schema.METADATA_LOCK_INFO WHERE THREAD_ID <> CONNECTION_ID() AND LOCK_TYPE = 'Table metadata lock' AND LOCK_MODE NOT IN ('MDL_SHARED', 'MDL_SHARED_HIGH_PRIO', 'MDL_SHARED_READ', 'MDL_SHARED_READ_ONLY') AND (LOCK_TIME_MS IS NULL OR LOCK_TIME_MS >= ?) AND (TABLE_SCHEMA, TABLE_NAME) IN ("+strings.Repeat("(?, ?), ", len(tables)-1)+"(?, ?)) GROUP BY THREAD_ID", args, func(rows *sql.Rows) error {
		var thread uint64
		var lock string
		if err := rows.Scan(&thread, &lock); err != nil {
			return err
		}
		held[thread] = lock
		return nil
	})
	if dbconn.ServerError(err, 1109) {
		return nil, nil
	}
	return held, s.redact(err)
}

// connectedThreads are the ids of the server's connections now.
func (s *Session) connectedThreads(ctx context.Context) (map[uint64]bool, error) {
	ids := map[uint64]bool{}
	err := dbconn.EachRow(ctx, s.Conn, "SELECT ID FROM information_schema.PROCESSLIST", nil, func(rows *sql.Rows) error {
		var id uint64
		err := rows.Scan(&id)
		ids[id] = true
		return err
	})
	return ids, s.redact(err)
}

// trxListIdle is how long nobody may read InnoDB's copy of its
// transactions (information_schema.INNODB_TRX) for a read to make it
// again: a read sooner gets the copy the last one got.
const trxListIdle = 100 * time.Millisecond

// readTrxList reads information_schema.INNODB_TRX (dbconn.EachRow) and
// notes when, for awaitWriters' first read.
func (s *Session) readTrxList(ctx context.Context, q string, args []any, row func(*sql.Rows) error) error {
	defer func() { s.trxRead = time.Now() }()
	return dbconn.EachRow(ctx, s.Conn, q, args, row)
}

// deleteAgain runs the release's deletes of the keys' table again, now
// that the keys stand: c counted rows they select, written after they ran.
// Each runs as contract ran it (asBatched): the keys its predicate selects
// read by a plain SELECT, which locks nothing, then deleted by key, in
// batches, so that it waits for no row it does not delete (the new
// release writes on while it runs; the plan's one statement read every
// row its predicate reads under lock, and waited for any the application
// held). A delete of a key of several columns, or none, runs as written.
func (s *Session) deleteAgain(ctx context.Context, rev *revision.Revision, i int, g *fkGuard, c gateCheck) error {
	var n int64
	for _, r := range c.closed {
		n += r.Count
	}
	for _, j := range g.deletes {
		st := rev.Statements[j]
		s.say("    %s without a parent, which the delete of statement %d selects, %s written after it ran: it runs again, now that %s stands: %s",
			sqlsyntax.Plural(int(n), "row"), j+1, sqlsyntax.OneOrMany(int(n), "was", "were"), keyNames(g), sqlsyntax.OneLine(st.SQL, 100))
		what := fmt.Sprintf("statement %d of %s, run again for statement %d", j+1, rev.ID, i+1)
		d, err := s.deleteByKeys(ctx, rev, j, what)
		if err != nil {
			return fmt.Errorf("the delete of statement %d, run again: %w", j+1, s.redact(err))
		}
		s.say("    deleted %s", sqlsyntax.Plural(int(d), "row"))
	}
	return nil
}

// deleteByKeys runs the data migration's DELETE of statement j once more,
// as asBatched reads it: the keys it selects now, read without locks, then
// deleted by key, --batch-size at a time, each batch in a transaction of
// its own; the statement as written where it has no single-column key, or
// a TIMESTAMP one.
// It returns the rows deleted.
func (s *Session) deleteByKeys(ctx context.Context, rev *revision.Revision, j int, what string) (int64, error) {
	st := rev.Statements[j]
	b, key, ok := sqlsyntax.ReadDelete(st.SQL)
	kind := keyText
	if ok && key != "" {
		var err error
		if kind, err = s.keyKind(ctx, b.Table, key); err != nil {
			return 0, err
		}
	}
	// exec runs q, retried as any statement, and counts the rows it deleted.
	exec := func(q string, args ...any) (int64, error) {
		var res sql.Result
		err := s.retry(ctx, what, rev, j, func() (err error) {
			res, err = s.Conn.ExecContext(ctx, q, args...)
			return err
		})
		if err != nil {
			return 0, err
		}
		d, _ := res.RowsAffected()
		return d, nil
	}
	// A TIMESTAMP key's instants a list of values cannot name (backfillRows
	// runs such a delete in ranges): as written.
	if !ok || key == "" || kind == keyInstant {
		return exec(st.SQL)
	}
	var keys []string
	err := s.retry(ctx, what, rev, j, func() (err error) {
		keys, err = dbconn.Strings(ctx, s.Conn, b.Keys(key, kind.read(sqlsyntax.Ident(key)), false, false, false))
		return err
	})
	if err != nil {
		return 0, err
	}
	size := max(1, s.opts.BatchSize)
	var deleted int64
	for len(keys) > 0 {
		batch := keys[:min(size, len(keys))]
		keys = keys[len(batch):]
		args := make([]any, len(batch))
		for k, v := range batch {
			args[k] = keyArg(v, kind)
		}
		d, err := exec(b.DeleteKeys(key, len(batch)), args...)
		deleted += d
		if err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

// orphansFound words a closed (or broken) orphan gate found while the
// revision runs: blocked by data, since no migrate gives a row its parent.
// A count that could not run is said as such, what saying what the
// revision applied: not as the gates checked before a revision starts
// (gateCheck.err: "nothing was changed", the schema perhaps changed by
// hand), since statements before it, a delete among them, are applied,
// and the key may stand.
func (s *Session) orphansFound(c gateCheck, what string) error {
	if len(c.broken) > 0 {
		var lines []string
		for _, g := range c.broken {
			lines = append(lines, fmt.Sprintf("  %s  gate %s (%s): cannot run: %s", g.At, g.Rule, g.Why, g.Error))
		}
		return &Refusal{
			Reason: what + ":\n" + strings.Join(lines, "\n"),
			Next:   fmt.Sprintf("fix what stopped it (above; a lock wait: the transaction holding the rows is in information_schema.INNODB_TRX, let it end), then rerun %s", s.rerun()),
		}
	}
	return &Blocked{Gates: c.closed, Refusal: Refusal{
		Reason: fmt.Sprintf("contract blocked by data: %s:\n%s", what, DescribeGates(c.closed)),
		Next:   fmt.Sprintf("give those rows a parent or remove them, then rerun %s", s.rerun()),
	}}
}

func keyNames(g *fkGuard) string {
	var out []string
	for _, k := range g.keys {
		out = append(out, "foreign key "+k.Name+" on "+k.Table)
	}
	return strings.Join(out, " and ")
}

// addIndexClause is ADD INDEX for the table's non-unique index of that
// name, as information_schema describes it; "" when there is none.
func (s *Session) addIndexClause(ctx context.Context, table, name string) (string, error) {
	var cols []string
	err := dbconn.EachRow(ctx, s.Conn, "SELECT COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ? AND NON_UNIQUE = 1 ORDER BY SEQ_IN_INDEX", []any{table, name}, func(rows *sql.Rows) error {
		var col string
		var sub sql.NullInt64
		if err := rows.Scan(&col, &sub); err != nil {
			return err
		}
		part := sqlsyntax.Ident(col)
		if sub.Valid {
			part += fmt.Sprintf("(%d)", sub.Int64)
		}
		cols = append(cols, part)
		return nil
	})
	if err != nil || len(cols) == 0 {
		return "", s.redact(err)
	}
	return "ADD INDEX " + sqlsyntax.Ident(name) + " (" + strings.Join(cols, ", ") + ")", nil
}

// hasIndex says whether the table has an index of that name.
func (s *Session) hasIndex(ctx context.Context, table, name string) (bool, error) {
	var n int
	err := s.Conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?", table, name).Scan(&n)
	return n > 0, s.redact(err)
}
