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
// revision that count their orphans (rule add-foreign-key, same table).
type fkGuard struct {
	keys  []effect.Effect // the keys added
	gates []int           // statement numbers of the gates, from 0
	// unindexed are the keys whose table had no index of the key's name
	// before the ALTER: an index of that name after it is the one InnoDB
	// made for the key (no index led with its columns), which dropping the
	// key leaves behind.
	unindexed map[string]bool
	// dropped are the indexes the statement drops (the ones the server
	// made for other keys of the table, which the added key's own index
	// replaces: splitter/fk_index.go), as ADD INDEX clauses read before
	// the ALTER: dropping the key again gives them back, since the keys
	// they served need an index.
	dropped []string
	drops   []effect.Effect
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
			if st.Kind != revision.Gate || st.Rule != "add-foreign-key" || slices.Contains(g.gates, j) {
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
	c := s.runGates(ctx, rev, rec, g.gates...)
	if len(c.closed) == 0 && len(c.broken) == 0 {
		s.say("    orphan gate rechecked right before adding %s: open", keyNames(g))
		g.unindexed = map[string]bool{}
		for _, k := range g.keys {
			has, err := s.hasIndex(ctx, k.Table, k.Name)
			if err != nil {
				return err
			}
			g.unindexed[k.Table+"."+k.Name] = !has
		}
		g.dropped = nil
		for _, d := range g.drops {
			add, err := s.addIndexClause(ctx, d.Table, d.Name)
			if err != nil {
				return err
			}
			g.dropped = append(g.dropped, add)
		}
		return nil
	}
	err := s.orphansFound(ctx, rev, c, fmt.Sprintf("%s refused at statement %d of %d, which adds %s: rows changed since its gates passed (the release that declares the key is running), and a gate counting the key's orphans is closed again; statement %d is not applied (%d of %d are)",
		rev.ID, i+1, len(rev.Statements), keyNames(g), i+1, rec.Applied, len(rev.Statements)))
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
// run drops them first (dropAgain), then its gates refuse until the rows
// are fixed.
func (s *Session) recheckAfter(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, g *fkGuard) error {
	var c gateCheck
	if err := s.awaitWriters(ctx, g); err != nil {
		st := rev.Statements[g.gates[0]]
		c.broken = []GateResult{{Revision: rev.ID.String(), Rule: st.Rule, Why: "its count after the ALTER, which first waits for the transactions that had written before the key was there", At: s.at(rev, st), Error: err.Error()}}
	} else {
		c = s.runGates(ctx, rev, rec, g.gates...)
	}
	if len(c.closed) == 0 && len(c.broken) == 0 && len(g.deletes) > 0 {
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
	var undo []string
	for _, k := range g.keys {
		q := "ALTER TABLE " + sqlsyntax.Ident(k.Table) + " DROP FOREIGN KEY " + sqlsyntax.Ident(k.Name)
		if g.unindexed[k.Table+"."+k.Name] {
			if made, err := s.hasIndex(ctx, k.Table, k.Name); err == nil && made {
				q += ", DROP INDEX " + sqlsyntax.Ident(k.Name)
			}
		}
		for j, d := range g.drops {
			if strings.EqualFold(d.Table, k.Table) && g.dropped[j] != "" {
				q += ", " + g.dropped[j]
			}
		}
		undo = append(undo, q)
	}
	for _, q := range undo {
		if err := s.retry(ctx, "dropping "+keyNames(g)+" again", rev, i, func() error { _, err := s.Conn.ExecContext(ctx, q); return err }); err != nil {
			msg := fmt.Sprintf("%s statement %d of %d added %s over rows without a parent, written after its gates passed, and dropping the key again failed (%v): it stands over them. Rerun %s: it drops the key first, then its gates refuse until the rows are fixed; or drop it by hand (%s) and rerun",
				rev.ID, i+1, len(rev.Statements), keyNames(g), s.redact(err), s.rerun(), strings.Join(undo, "; "))
			if len(c.broken) > 0 {
				// The count did not run (a lost connection): no orphan is known.
				msg = fmt.Sprintf("%s statement %d of %d added %s, but its orphan count could not run after it, and dropping the key again failed (%v): it stands, not confirmed. Rerun %s once what stopped the count is fixed: it drops the key first, then checks the gates and sends the statement again; or drop the key by hand (%s) and rerun",
					rev.ID, i+1, len(rev.Statements), keyNames(g), s.redact(err), s.rerun(), strings.Join(undo, "; "))
			}
			err = s.orphansFound(ctx, rev, c, msg)
			// The statement stays in flight (the key stands), with the
			// drop as the failed statement: the rerun runs it first
			// (dropAgain).
			_ = history.Fail(ctx, s.Conn, rec, err, strings.Join(undo, ";\n"))
			_ = history.Sending(ctx, s.Conn, rec)
			return err
		}
	}
	why := "rows without a parent were written between its gate and the ALTER (or their parent was deleted before the ALTER by a transaction that committed after it)"
	if len(c.broken) > 0 {
		why = "its orphan count (or a delete it runs again) could not run after it (the count waits first for the transactions that had written before the key was there, as long as the lock wait timeout and --retries let it)"
	}
	err := s.orphansFound(ctx, rev, c, fmt.Sprintf("%s statement %d of %d added %s, but %s; the key was dropped again (%s), so statement %d is not applied (%d of %d are)",
		rev.ID, i+1, len(rev.Statements), keyNames(g), why, strings.Join(undo, "; "), i+1, rec.Applied, len(rev.Statements)))
	if r, ok := errors.AsType[*Refusal](err); ok && len(c.broken) > 0 {
		r.Next = fmt.Sprintf("let the transactions named above end (commit or roll back them; KILL <thread> ends one), or fix what stopped the count, then rerun %s: it adds the key again", s.rerun())
	}
	_ = history.Fail(ctx, s.Conn, rec, err, rev.Statements[i].SQL)
	return err
}

// dropAgain runs, before a rerun checks the gates, the drop of the keys
// that statement rec.Applied added over rows without a parent and that
// recheckAfter could not drop again (a lock wait past the retries): the
// record keeps the statement in flight with that drop as its failed
// statement. Without it the rerun's gates refused on those rows, the key
// standing over them. Each drop is run only if it does nothing but undo
// the statement (the keys it added, the index the server made for them,
// the indexes it dropped); once it ran, the statement counts as not
// applied and the rerun goes on as one that never sent it.
func (s *Session) dropAgain(ctx context.Context, rev *revision.Revision, rec *history.Record) error {
	// Not only in flight: a run stopped between recording the drop and
	// putting the statement back in flight left the key standing too.
	if rec == nil || rec.Applied >= len(rev.Statements) || s.opts.DryRun {
		return nil
	}
	i := rec.Applied
	g := fkGuardOf(rev, i)
	if g == nil || rec.FailedStatement == "" {
		return nil
	}
	undo := strings.Split(rec.FailedStatement, ";\n")
	for _, q := range undo {
		if !g.undoes(q) {
			return nil
		}
	}
	s.say("  dropping %s again, which the run that stopped added over rows without a parent and could not drop: %s", keyNames(g), strings.Join(undo, "; "))
	for _, q := range undo {
		err := s.retry(ctx, "dropping "+keyNames(g)+" again", rev, i, func() error { _, err := s.Conn.ExecContext(ctx, q); return err })
		if err != nil && !dbconn.ServerError(err, 1091) { // dropped by hand, as the run that stopped offered
			return fmt.Errorf("%s refused: statement %d of %d added %s over rows without a parent, and dropping it again failed once more (%w): it stands over them; nothing else was run. Let the transaction holding the table end (SHOW PROCESSLIST), then rerun %s; or drop it by hand (%s) and rerun",
				rev.ID, i+1, len(rev.Statements), keyNames(g), s.redact(err), s.rerun(), strings.Join(undo, "; "))
		}
	}
	dropped := fmt.Errorf("%s statement %d of %d added %s over rows without a parent, and the run that stopped could not drop it again; a rerun did (%s): statement %d is not applied",
		rev.ID, i+1, len(rev.Statements), keyNames(g), strings.Join(undo, "; "), i+1)
	return s.redact(history.Fail(ctx, s.Conn, rec, dropped, rev.Statements[i].SQL))
}

// undoes tells whether q, read back from the version table, only undoes
// the guard's statement on the keys' table: drops its keys and their
// indexes, adds back the indexes it dropped.
func (g *fkGuard) undoes(q string) bool {
	d := effect.Parse(q)
	if d.Err != nil || len(d.Effects()) == 0 {
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
// Its first read waits until 0.1 s have passed since this session last
// read the list (checkWritersShown, before the revision ran): the ALTER
// of a small table takes less, and a read sooner got that old copy again,
// then waited a whole poll for the next.
func (s *Session) awaitWriters(ctx context.Context, g *fkGuard) error {
	limit := s.Cfg.LockWaitTimeout * time.Duration(1+s.retries())
	deadline := time.Now().Add(limit)
	if _, err := s.Conn.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		return s.redact(err)
	}
	var open map[uint64]string // the writers to wait for, named; nil until a list made after the ALTER
	defer func() {
		if open == nil {
			_, _ = s.Conn.ExecContext(ctx, "ROLLBACK")
		}
	}()
	next := s.trxRead.Add(trxListIdle + 20*time.Millisecond) // when the list can be made again, or the past
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(next)):
		}
		list, own := map[uint64]string{}, false
		err := s.readTrxList(ctx, "SELECT trx_mysql_thread_id = CONNECTION_ID(), trx_id, trx_mysql_thread_id, trx_started FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID() OR trx_id BETWEEN 1 AND ?", []any{uint64(lastWriterID)}, func(rows *sql.Rows) error {
			var mine bool
			var id, thread uint64
			var started time.Time
			if err := rows.Scan(&mine, &id, &thread, &started); err != nil {
				return err
			}
			switch own = own || mine; {
			case mine:
			case thread == 0: // KILL ends no such one
				list[id] = fmt.Sprintf("an XA transaction prepared with no connection (trx %d, started %s UTC: XA RECOVER lists it; XA COMMIT or XA ROLLBACK of its xid ends it)", id, started.Format(time.DateTime))
			default:
				list[id] = fmt.Sprintf("thread %d (trx %d, started %s UTC)", thread, id, started.Format(time.DateTime))
			}
			return nil
		})
		if err != nil {
			return s.redact(err)
		}
		switch {
		case open == nil && own:
			if _, err := s.Conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				return s.redact(err)
			}
			if open = list; len(open) > 0 {
				s.say("    waiting for %s that had written before %s was added to end (it may have deleted a parent the key does not check again)", sqlsyntax.Plural(len(open), "transaction"), keyNames(g))
			}
		case open != nil:
			maps.DeleteFunc(open, func(id uint64, _ string) bool { _, ok := list[id]; return !ok })
		}
		if open != nil && len(open) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			bound := fmt.Sprintf("%s (lock_wait_timeout %s in the URL, times 1 + --retries %d)", limit, s.Cfg.LockWaitTimeout, s.retries())
			if open == nil {
				return fmt.Errorf("the server's list of open transactions (information_schema.INNODB_TRX) was not made again within %s since the key was added: InnoDB makes it again only once nobody has read it for 0.1 s, and something reads it more often (a monitor: SHOW PROCESSLIST shows it), which must pause while contract runs", bound)
			}
			return fmt.Errorf("%s that had written before the key was added still open after %s: %s; a parent one of them deleted before the key was there is not checked when it commits", sqlsyntax.Plural(len(open), "transaction"), bound, strings.Join(slices.Sorted(maps.Values(open)), ", "))
		}
		// Over 0.1 s, or its own reads would keep INNODB_TRX from being
		// made again; at random, so that runs polling the same server (a
		// fleet's tenants) cannot fall into step and leave it no 0.1 s.
		next = time.Now().Add(150*time.Millisecond + rand.N(300*time.Millisecond))
	}
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
	// A TIMESTAMP key's instants a list of values cannot name (backfillRows
	// runs such a delete in ranges): as written.
	if !ok || key == "" || kind == keyInstant {
		var res sql.Result
		err := s.retry(ctx, what, rev, j, func() error {
			var err error
			res, err = s.Conn.ExecContext(ctx, st.SQL)
			return err
		})
		if err != nil {
			return 0, err
		}
		d, _ := res.RowsAffected()
		return d, nil
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
		var res sql.Result
		err := s.retry(ctx, what, rev, j, func() error {
			var err error
			res, err = s.Conn.ExecContext(ctx, b.DeleteKeys(key, len(batch)), args...)
			return err
		})
		if err != nil {
			return deleted, err
		}
		d, _ := res.RowsAffected()
		deleted += d
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
func (s *Session) orphansFound(ctx context.Context, rev *revision.Revision, c gateCheck, what string) error {
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
