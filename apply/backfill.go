package apply

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// backfill runs `UPDATE t SET ... WHERE <pending>` (or a data migration's `INSERT INTO n (...) SELECT ... FROM t WHERE <pending>`) in primary-key ranges of t.
// The upper bound is MAX(key) when the backfill first starts, recorded so
// that a resumed run uses the same bound: rows inserted later are written
// by code that the expand's triggers keep in sync. Each batch commits in one
// transaction with its progress record, so a crash can neither lose a batch
// nor count one twice. It reports finished=false when --max-rows stops it.
// With persist false (a catch-up pass over an applied revision) nothing is
// recorded: the statement only touches pending rows, so a rerun simply
// finds fewer of them.
func (s *Session) backfill(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, persist bool) (rows int64, finished bool, err error) {
	if err := s.sayForeignTriggers(ctx, batchedAt(rev, i)); err != nil {
		return 0, false, err
	}
	err = s.inAppZone(ctx, func() error {
		rows, finished, err = s.backfillRows(ctx, rev, rec, i, persist)
		return err
	})
	return rows, finished, err
}

// sayForeignTriggers names the triggers of the table a backfill writes
// that no revision created (the application's, another tool's): the
// backfill is an UPDATE of each pending row, or for a data migration that
// inserts rows an INSERT into its new table for each, and fires the
// table's UPDATE or INSERT triggers for every one (an audit trigger logs
// each row, one setting updated_at = NOW() stamps each with the time of
// the migrate). No backfill runs without them; the operator hears of it
// before the first row, not from the audit table.
func (s *Session) sayForeignTriggers(ctx context.Context, st revision.Statement) error {
	form := formOf(st)
	table, event, does, of := st.Table, "UPDATE", "updates each pending row of "+sqlsyntax.Ident(st.Table), "the table"
	switch {
	case form.into != "":
		table, event, of = form.into, "INSERT", sqlsyntax.Ident(form.into)
		does = fmt.Sprintf("inserts a row into %s for each pending row of %s", of, sqlsyntax.Ident(st.Table))
	case form.deletes:
		event, does = "DELETE", "deletes each row of "+sqlsyntax.Ident(st.Table)+" its predicate selects"
	}
	names, err := dbconn.Strings(ctx, s.Conn, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? AND EVENT_MANIPULATION = ? ORDER BY TRIGGER_NAME", table, event)
	if err != nil {
		return s.redact(err)
	}
	if s.ownTriggers == nil {
		s.ownTriggers = map[string]bool{}
		for _, rev := range slices.Concat(s.Plans.Revisions, s.Plans.Rollbacks) {
			for _, st := range rev.Statements {
				for _, e := range effect.Of(st.SQL) {
					if e.Op == effect.CreateTrigger {
						s.ownTriggers[strings.ToLower(e.Name)] = true
					}
				}
			}
		}
	}
	var theirs []string
	for _, n := range names {
		if !s.ownTriggers[strings.ToLower(n)] {
			theirs = append(theirs, sqlsyntax.Ident(n))
		}
	}
	if len(theirs) > 0 {
		// A comment in the script a dry run prints.
		lead := s.dry("-- ", "    ")
		s.say("%snote: the %s %s, and so fires for each the %s triggers of %s that emcee did not create: %s", lead, form.what, does, event, of, strings.Join(theirs, ", "))
	}
	return nil
}

// backfillRows is backfill, in the application's time zone. It writes
// nothing to the version table but keys and counts, which no zone shifts.
func (s *Session) backfillRows(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, persist bool) (rows int64, finished bool, err error) {
	st := batchedAt(rev, i)
	form := formOf(st)
	b, _, err := s.readBackfill(ctx, st)
	var stmtLog bool
	if err == nil {
		stmtLog, err = statementLogged(ctx, s.Conn)
	}
	if err != nil {
		return 0, false, err
	}
	if why := oneStatement(st); why != "" {
		return s.unbatched(ctx, rev, rec, i, persist, why, b.SQL(), stmtLog)
	}
	table, key := sqlsyntax.Ident(st.Table), sqlsyntax.Ident(st.Key)
	kind, err := s.keyKind(ctx, st.Table, st.Key)
	if err != nil {
		return 0, false, err
	}
	shown := kind.read(st.Key) // the key as recorded and told
	if !rec.ResumeBound.Valid {
		var max sql.NullString
		err := s.retry(ctx, "reading MAX("+st.Key+") of "+st.Table, rev, i, func() error {
			err := s.Conn.QueryRowContext(ctx, "SELECT "+kind.read(key)+" FROM "+table+" ORDER BY "+key+" DESC LIMIT 1").Scan(&max)
			if err == sql.ErrNoRows {
				return nil
			}
			return err
		})
		if err != nil {
			return 0, false, err
		}
		if !max.Valid {
			s.say("    %s is empty: nothing to %s", st.Table, form.what)
			return 0, true, nil
		}
		if !persist {
			rec.ResumeBound, rec.BackfillBase = sql.NullString{String: max.String, Valid: true}, rec.RowsDone
		} else if err := history.BackfillBound(ctx, s.Conn, rec, max.String); err != nil {
			return 0, false, err
		}
	}
	if err := s.instantRecord(ctx, rec, kind, persist); err != nil {
		return 0, false, err
	}
	instant := kind == keyInstant
	bound, err := s.keyArgs(ctx, rec.ResumeBound.String, kind, false)
	if err != nil {
		return 0, false, err
	}
	lo := rec.ResumeKey
	args := bound
	if lo.Valid {
		after, err := s.keyArgs(ctx, lo.String, kind, true)
		if err != nil {
			return 0, false, err
		}
		args = slices.Concat(after, bound)
		s.say("    resuming after %s = %s (bound %s = %s fixed when the backfill started; %d rows done before)", shown, history.ShowKey(lo.String), shown, history.ShowKey(rec.ResumeBound.String), rec.BackfillRows())
	}
	var total int64
	// A data migration's delete reads the keys of the rows its predicate
	// selects once, as a plain SELECT (a consistent read, which locks
	// nothing), and deletes them by key, batch by batch (byKeys): a DELETE
	// whose predicate reads the table locks every row it reads, in a batch
	// as in one statement (measured on MariaDB 10.11, READ COMMITTED too:
	// the batch of 2,000 keys of `id NOT IN (SELECT MIN(id) ... GROUP BY
	// ...)` on 1,000,000 rows held 1,002,627 row locks for its 30 s), and
	// evaluates the predicate again for every batch. Not for a TIMESTAMP
	// key, whose instants a list of values cannot name: its batches are
	// the ranges backfills run in.
	var selected []string
	byKeys := form.deletes && !instant
	err = s.retry(ctx, "counting the "+form.pending+" rows of "+st.Table, rev, i, func() (err error) {
		if byKeys {
			selected, err = dbconn.Strings(ctx, s.Conn, b.Keys(st.Key, kind.read(key), instant, lo.Valid, true), args...)
			total = int64(len(selected))
			return err
		}
		return s.Conn.QueryRowContext(ctx, b.Count(st.Key, instant, lo.Valid, true), args...).Scan(&total)
	})
	if err != nil {
		return 0, false, err
	}
	s.say("    %s %s up to %s = %s", sqlsyntax.Plural(int(total), "row"), form.pending, shown, history.ShowKey(rec.ResumeBound.String))
	z := newSizer(s.opts)
	started, paused := time.Now(), ""
	report := func(fin bool) {
		p := Progress{Revision: rev.ID.String(), Table: st.Table, Step: form.step, Done: rows, Total: total, Finished: fin, BatchSize: z.size, Paused: paused}
		if el := time.Since(started).Seconds(); rows > 0 && el > 0 {
			p.RowsPerSecond = float64(rows) / el
			if left := total - rows; left > 0 && !fin {
				p.ETA = time.Duration(float64(left) / p.RowsPerSecond * float64(time.Second))
			}
		}
		s.progress(p)
	}
	report(false)
	if byKeys && total == 0 {
		report(true)
		s.say("    %s by this run (%d in all)", form.done(0), rec.BackfillRows())
		return 0, true, nil
	}
	next := 0 // byKeys: the first of the selected keys not deleted yet
	for {
		size := z.size
		if s.opts.MaxRows > 0 {
			left := s.opts.MaxRows - s.rowsRun
			if left <= 0 {
				report(true)
				s.say("    stopped by --max-rows after %d rows; %d of the %d %s rows are left", rows, total-rows, total, form.pending)
				return rows, false, nil
			}
			size = min(size, left)
		}
		// The batch ends at the size-th key after the last one done: a
		// range on the primary key locks only those rows. A deadlock or
		// lock wait timeout rolls the batch back; it is tried again whole.
		var hi sql.NullString
		var last bool
		var n int64
		what := form.what + " batch of " + st.Table
		if lo.Valid {
			what += " after " + shown + " = " + history.ShowKey(lo.String)
		}
		var took time.Duration
		err := s.retry(ctx, what, rev, i, func() error {
			// Replicas and load are checked before every batch, the first
			// one too (a run started into a lagging fleet waits), and
			// before every retry of one, which may come seconds later.
			if err := s.waitToRun(ctx, func(why string) { paused = why; report(false) }); err != nil {
				if crit, ok := errors.AsType[*CriticalLoad](err); ok {
					crit.Table = st.Table
					if lo.Valid {
						crit.After = shown + " = " + history.ShowKey(lo.String)
					}
					report(true)
					s.say("    stopped by --critical-load: %s is %d (limit %d), %s by this run", crit.Limit.Var, crit.Value, crit.Limit.Max, form.done(rows))
				}
				return err
			}
			t0 := time.Now()
			defer func() { took = time.Since(t0) }()
			var q string
			var qa []any
			if byKeys {
				keys := selected[next:min(next+int(size), len(selected))]
				hi, last = sql.NullString{String: keys[len(keys)-1], Valid: true}, next+len(keys) == len(selected)
				for _, k := range keys {
					qa = append(qa, keyArg(k, kind))
				}
				q = b.DeleteKeys(st.Key, len(keys))
			} else {
				hi = sql.NullString{}
				var after []any
				if lo.Valid {
					var err error
					if after, err = s.keyArgs(ctx, lo.String, kind, true); err != nil {
						return err
					}
				}
				end := "SELECT " + kind.read(key) + " FROM " + table + " WHERE " + sqlsyntax.KeyRange(st.Key, instant, lo.Valid, true) +
					" ORDER BY " + key + " LIMIT 1 OFFSET " + strconv.FormatInt(size-1, 10)
				if err := s.Conn.QueryRowContext(ctx, end, slices.Concat(after, bound)...).Scan(&hi); err != nil && err != sql.ErrNoRows {
					return err
				}
				if lo.Valid && hi.Valid && hi.String == lo.String {
					// A key that reads back as a value it is not greater
					// than: the run would write no row, forever, holding the
					// operator lock.
					return fmt.Errorf("the batch after %s = %s ends at the same key: the values of %s.%s do not compare equal to themselves as read back (a key type emcee does not know to batch on); nothing is lost, every batch so far is committed", shown, history.ShowKey(lo.String), st.Table, st.Key)
				}
				last = !hi.Valid || hi.String == rec.ResumeBound.String
				if !hi.Valid {
					hi = rec.ResumeBound
				}
				upTo, err := s.keyArgs(ctx, hi.String, kind, false)
				if err != nil {
					return err
				}
				q, qa = b.Batch(st.Key, instant, lo.Valid), b.BatchArgs(slices.Concat(after, upTo))
			}
			var err error
			n, err = s.batch(ctx, st, q, qa, stmtLog, func(tx *sql.Tx, n int64) error {
				if !persist {
					return nil
				}
				return history.BackfillProgress(ctx, tx, rec, hi.String, n)
			})
			return err
		})
		if err != nil {
			return rows, false, err
		}
		rec.ResumeKey = sql.NullString{String: hi.String, Valid: true}
		rec.RowsDone += n
		if byKeys {
			next = min(next+int(size), len(selected))
		}
		z.observe(size, took)
		lo = hi
		rows += n
		s.rowsRun += n
		report(last)
		if last {
			if persist {
				s.say("    %s by this run (%d in all)", form.done(rows), rec.BackfillRows())
			} else {
				s.say("    %s", form.done(rows))
			}
			return rows, true, nil
		}
		if s.opts.Pause > 0 {
			select {
			case <-ctx.Done():
				return rows, false, ctx.Err()
			case <-time.After(s.opts.Pause):
			}
		}
	}
}

// unbatched runs a backfill as the one statement q it is (an UPDATE, or a
// data migration's INSERT ... SELECT; why: oneStatement): it commits with
// the rows it wrote recorded, and a rerun touches only the rows still
// pending, so a crash costs nothing.
// The throttles are checked before it, as before any batch, and --max-rows
// stops before a statement that would write more rows than it leaves: the
// one statement cannot stop part way (it ran whole under --max-rows 1,
// into a lagging fleet and past --critical-load). Before every attempt: a
// deadlock retry ran it whole seconds later, past a --critical-load
// crossed meanwhile.
func (s *Session) unbatched(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, persist bool, why, q string, stmtLog bool) (int64, bool, error) {
	st := batchedAt(rev, i)
	form := formOf(st)
	var n int64
	stopped := false
	one := "one " + form.stmt
	err := s.retry(ctx, form.what+" of "+st.Table+" ("+one+")", rev, i, func() (err error) {
		if s.opts.MaxRows > 0 {
			n, err := s.pendingRows(ctx, st)
			if err != nil {
				return s.redact(err)
			}
			if left := s.opts.MaxRows - s.rowsRun; n > left {
				s.say("    stopped by --max-rows: the %s of %s runs as %s (%s) over its %d %s rows, more than the %d --max-rows leaves this run; rerun with --max-rows %d or more, or without it, to run it", form.what, st.Table, one, why, n, form.pending, max(left, 0), n)
				stopped = true
				return nil
			}
		}
		if err := s.waitToRun(ctx, func(string) {}); err != nil {
			if crit, ok := errors.AsType[*CriticalLoad](err); ok {
				crit.Table = st.Table
				s.say("    stopped by --critical-load: %s is %d (limit %d), before the %s's %s", crit.Limit.Var, crit.Value, crit.Limit.Max, form.what, one)
			}
			return err
		}
		n, err = s.batch(ctx, st, q, nil, stmtLog, func(tx *sql.Tx, n int64) error {
			if !persist {
				return nil
			}
			return history.RowsRewritten(ctx, tx, rec, n)
		})
		return err
	})
	if err != nil || stopped {
		return 0, false, err
	}
	rec.RowsDone += n
	s.rowsRun += n
	s.say("    %s", form.done(n))
	return n, true, nil
}

// batch runs one statement of a backfill in its own transaction, and
// record writes what it did into the version table in the same one.
func (s *Session) batch(ctx context.Context, st revision.Statement, q string, args []any, stmtLog bool, record func(*sql.Tx, int64) error) (int64, error) {
	tx, err := s.Conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	if stmtLog {
		if err := unsafeLogged(ctx, tx, st); err != nil {
			return 0, err
		}
	}
	n, _ := r.RowsAffected()
	if err := record(tx, n); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}

// readBackfill reads a backfill statement as it runs on the live table:
// keeping the columns the server would stamp with the time of the backfill
// (ON UPDATE CURRENT_TIMESTAMP, as the live table declares them), the
// time the application last changed each row. keeps says whether it names
// such a column the plan's statement does not.
func (s *Session) readBackfill(ctx context.Context, st revision.Statement) (_ *sqlsyntax.Backfill, keeps bool, err error) {
	b, err := readBatched(st.SQL)
	if err != nil {
		return nil, false, err
	}
	keep, err := s.onUpdateColumns(ctx, b.Table)
	if err != nil {
		return nil, false, err
	}
	k := b.Keeping(keep)
	return k, k.SQL() != b.SQL(), nil
}

// onUpdateColumns are the columns of the live table the server stamps
// with the time of any UPDATE that does not name them (ON UPDATE
// CURRENT_TIMESTAMP): an UPDATE emcee writes (a backfill, a copy-out's
// restore) names them, so that they keep the time the application last
// changed the row.
func (s *Session) onUpdateColumns(ctx context.Context, table string) ([]string, error) {
	return dbconn.Strings(ctx, s.Conn, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND LOWER(EXTRA) LIKE '%on update%' ORDER BY ORDINAL_POSITION", table)
}

// statementLogged tells whether a session writes statements to the
// binary log as statements (binlog_format = STATEMENT), for each replica to
// run again.
func statementLogged(ctx context.Context, q dbconn.Querier) (bool, error) {
	var on bool
	err := q.QueryRowContext(ctx, "SELECT @@log_bin = 1 AND @@session.binlog_format = 'STATEMENT'").Scan(&on)
	return on, err
}

// unsafeLogged refuses a backfill statement just run, before its
// transaction commits (and reaches the binary log), when the server warns
// that replicas cannot repeat it as a statement (1592): it calls UUID(),
// RAND(), SYSDATE() or the like, and each replica would write other values
// than the primary's.
func unsafeLogged(ctx context.Context, tx *sql.Tx, st revision.Statement) error {
	msg, err := dbconn.UnsafeWarning(ctx, tx)
	if err != nil || msg == "" {
		return err
	}
	return fmt.Errorf("the backfill of %s is unsafe for binlog_format = STATEMENT, in which replicas run it again (the server: %s): each replica would write other values than this server; nothing of it was committed. Run migrate with binlog_format ROW or MIXED (SET GLOBAL binlog_format = 'MIXED', for the sessions started after it), or change the backfill to compute what replicas compute alike", st.Table, msg)
}

// keyKind is how the values of a backfill's key travel from the server
// to the version table and back into the next batch's bounds, where each
// must compare equal to the row it was read from: the driver gives a
// DATETIME as a time.Time, which database/sql writes in RFC 3339 (refused
// by a strict UPDATE's comparison), BIT as raw bytes (compared as a
// number), and the text protocol writes a FLOAT to six digits (MAX(key)
// fell below the largest key, whose row was never backfilled). A TIMESTAMP
// travels as the instant it stores: its text in the application's zone
// names two instants in the hour the clocks go back, and batches bounded
// by that text skipped rows (53 of 180 left NULL across a fall-back hour,
// migrate saying it was complete).
type keyKind int

const (
	keyText keyKind = iota // strings, binary strings and decimals, byte for byte
	keyInt
	keyBit
	keyTime
	keyFloat
	keyInstant
)

func (s *Session) keyKind(ctx context.Context, table, key string) (keyKind, error) {
	types, err := s.columnTypes(ctx, table)
	if err != nil {
		return keyText, err
	}
	typ, ok := types[strings.ToLower(key)]
	if !ok {
		return keyText, fmt.Errorf("backfill key %s.%s does not exist", table, key)
	}
	switch typ {
	case "tinyint", "smallint", "mediumint", "int", "bigint":
		return keyInt, nil
	case "bit":
		return keyBit, nil
	case "date", "datetime":
		return keyTime, nil
	case "timestamp":
		return keyInstant, nil
	case "float":
		return keyFloat, nil
	}
	return keyText, nil
}

// read is the expression reading a key: a FLOAT as the DOUBLE it
// compares as, of which both protocols give every digit; a TIMESTAMP as
// its instant, which UNIX_TIMESTAMP reads from the column without a zone
// (of MAX(key), a value in the session's zone, it does not).
func (k keyKind) read(key string) string {
	switch k {
	case keyFloat:
		return "CAST(" + key + " AS DOUBLE)"
	case keyInstant:
		return "UNIX_TIMESTAMP(" + key + ")"
	}
	return key
}

// shownKey names what a backfill records of its key: of a TIMESTAMP, the
// instants.
func (s *Session) shownKey(ctx context.Context, st revision.Statement) string {
	kind, _ := s.keyKind(context.WithoutCancel(ctx), st.Table, st.Key)
	return kind.read(st.Key)
}

// keyArgs are the arguments of one bound of a key range (sqlsyntax's
// KeyRange) at a key value as read, the lower bound with after. An
// instant's are a time in the session's zone and the instant, which each
// row passes exactly. The server compares a TIMESTAMP with a time as the
// row's time in the session's zone (of the hour the clocks go back, the
// first pass reads as later than the second), but looks the time up in the
// key's index as an instant (of that hour, the later one): the time of a
// lower bound is at or before both the instant and the time of every row
// after it, that of an upper bound at or after the instant and the time of
// every row before it. Only within the hour the clocks go back, or the one
// after it, is it any other time than the key's own; there a batch's range
// in the index takes in up to that hour's rows more, locked with its own.
func (s *Session) keyArgs(ctx context.Context, v string, k keyKind, after bool) ([]any, error) {
	if k != keyInstant {
		return []any{keyArg(v, k)}, nil
	}
	// d: how much the clocks go back within the day after the instant
	// (before it, for an upper bound); the time steps out by d where they
	// go back within d of it, and then by what the look-up overshoots.
	sign, from, to := 1, -1, 0
	if after {
		sign, from, to = -1, 0, 1
	}
	var shift float64
	for range 8 {
		var at string
		// The instant the server looks the time up as, less v; none past
		// the instants a TIMESTAMP holds, which every row's is on this
		// side of.
		var off sql.NullFloat64
		err := s.Conn.QueryRowContext(ctx, "SELECT CAST(l AS CHAR), UNIX_TIMESTAMP(l) - v FROM ("+
			"SELECT v, FROM_UNIXTIME(v) + INTERVAL ? * (COALESCE(GREATEST(0, d - TIMESTAMPDIFF(SECOND, FROM_UNIXTIME(v + ? * d), FROM_UNIXTIME(v + ? * d))), 0) + ?) SECOND AS l FROM ("+
			"SELECT v, COALESCE(GREATEST(0, 86400 - TIMESTAMPDIFF(SECOND, FROM_UNIXTIME(v + ? * 86400), FROM_UNIXTIME(v + ? * 86400))), 0) AS d FROM (SELECT CAST(? AS DECIMAL(20,6)) AS v) AS x) AS y) AS z",
			sign, from, to, shift, from, to, v).Scan(&at, &off)
		if err != nil {
			return nil, err
		}
		if !off.Valid || after && off.Float64 <= 0 || !after && off.Float64 >= 0 {
			return []any{at, v}, nil
		}
		shift += max(off.Float64, -off.Float64)
	}
	side := "after"
	if after {
		side = "before"
	}
	return nil, fmt.Errorf("no time in the application's time zone is looked up at or %s the instant %s (UNIX_TIMESTAMP) of a backfill's key range", side, v)
}

// instantRecord turns the bound and resume key of a backfill on a
// TIMESTAMP key that an emcee before instants recorded (the key's time in
// the application's zone) into the instants the server compared them as.
// A time the zone names twice (the clocks went back within the day
// before) or never (the clocks went forward) is refused: which instant
// its batches stopped at cannot be told.
func (s *Session) instantRecord(ctx context.Context, rec *history.Record, k keyKind, persist bool) error {
	if k != keyInstant {
		return nil
	}
	for _, v := range []*sql.NullString{&rec.ResumeBound, &rec.ResumeKey} {
		t, err := time.Parse(time.RFC3339Nano, v.String)
		if !v.Valid || err != nil {
			continue
		}
		local := t.Format("2006-01-02 15:04:05.999999")
		var at string
		var one bool
		err = s.Conn.QueryRowContext(ctx, "SELECT u, FROM_UNIXTIME(u) = l AND NOT (back > 0 AND FROM_UNIXTIME(u - back) = l) FROM (SELECT u, l, 86400 - TIMESTAMPDIFF(SECOND, FROM_UNIXTIME(u - 86400), FROM_UNIXTIME(u)) AS back FROM (SELECT UNIX_TIMESTAMP(?) AS u, CAST(? AS DATETIME(6)) AS l) AS x) AS y", local, local).Scan(&at, &one)
		if err != nil {
			return s.redact(err)
		}
		if !one {
			return fmt.Errorf("the backfill of %s recorded its progress as the time %s in the application's time zone (by an earlier emcee), which names no single instant there (the clocks go back or forward about it): resuming could skip rows or do some twice. Finish it with the emcee version that started it", rec.Name, local)
		}
		*v = sql.NullString{String: at, Valid: true}
	}
	if persist && rec.ResumeBound.Valid {
		return history.BackfillBoundAs(ctx, s.Conn, rec, rec.ResumeBound.String)
	}
	return nil
}

// pendingRows counts the rows a backfill statement still has to update.
func (s *Session) pendingRows(ctx context.Context, st revision.Statement) (int64, error) {
	return s.pendingUpTo(ctx, st, sql.NullString{})
}

// rewritableRows counts the pending rows of a backfill that a run of it
// takes out of its WHERE for good: the pending rows, less those for which
// what it writes leaves them pending (sqlsyntax.Rewrite). This is what a
// migrate run would still do, told without running it. With exists it
// only tells whether there is one (0 or 1), which stops at the first row.
func (s *Session) rewritableRows(ctx context.Context, st revision.Statement, exists bool) (int64, error) {
	r, err := sqlsyntax.ReadRewrite(st.SQL)
	if err != nil {
		return 0, err
	}
	return s.countRows(ctx, r.Table, r.Rewritable(), exists)
}

// stuckRows counts the pending rows of a backfill that no run of it takes
// out of its WHERE; known is false when the statement does not tell.
func (s *Session) stuckRows(ctx context.Context, st revision.Statement) (n int64, known bool, err error) {
	r, err := sqlsyntax.ReadRewrite(st.SQL)
	if err != nil || r.Stuck() == "" {
		return 0, false, err
	}
	n, err = s.countRows(ctx, r.Table, r.Stuck(), false)
	return n, true, err
}

// countRows counts the rows of table a predicate selects, or with exists
// tells whether there is one: a scan that stops at the first row found.
func (s *Session) countRows(ctx context.Context, table, pred string, exists bool) (int64, error) {
	q := "SELECT COUNT(*) FROM " + sqlsyntax.Ident(table) + " WHERE " + pred
	if exists {
		q = "SELECT EXISTS (SELECT 1 FROM " + sqlsyntax.Ident(table) + " WHERE " + pred + ")"
	}
	var n int64
	err := s.inAppZone(ctx, func() error { return s.Conn.QueryRowContext(ctx, q).Scan(&n) })
	return n, err
}

// pendingUpTo counts the rows a backfill statement still selects with a
// key up to bound (all of them when bound is not set).
func (s *Session) pendingUpTo(ctx context.Context, st revision.Statement, bound sql.NullString) (int64, error) {
	b, err := readBatched(st.SQL)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.inAppZone(ctx, func() error {
		q, args := b.Count(st.Key, false, false, false), []any(nil)
		if bound.Valid {
			kind, err := s.keyKind(ctx, st.Table, st.Key)
			if err != nil {
				return err
			}
			if args, err = s.keyArgs(ctx, bound.String, kind, false); err != nil {
				return err
			}
			q = b.Count(st.Key, kind == keyInstant, false, true)
		}
		return s.Conn.QueryRowContext(ctx, q, args...).Scan(&n)
	})
	return n, err
}

// oneStatement says why a backfill runs as one statement rather than in
// batches on its key; "" when it batches.
func oneStatement(st revision.Statement) string {
	if st.Key == "" {
		return st.Table + " has no single-column primary key to batch on"
	}
	return ""
}

// backfillForm is what a backfill statement is, for the messages about
// it: an UPDATE of the pending rows, a data migration's INSERT ... SELECT
// that writes rows into another table (into), or a data migration's
// DELETE (deletes; asBatched). what names the statement ("backfill",
// "delete"), pending the rows left ("pending", "to delete"), step the
// progress bar ("" for a backfill's).
type backfillForm struct {
	stmt, into          string
	deletes             bool
	what, pending, step string
}

func formOf(st revision.Statement) backfillForm {
	// The plans were read: every backfill parses.
	if _, _, ok := sqlsyntax.ReadDelete(st.SQL); ok {
		return backfillForm{stmt: "DELETE", deletes: true, what: "delete", pending: "to delete", step: "delete"}
	}
	f := backfillForm{stmt: "UPDATE", what: "backfill", pending: "pending"}
	if b, err := sqlsyntax.ReadBackfill(st.SQL); err == nil && b.Into != "" {
		f.stmt, f.into = "INSERT ... SELECT", b.Into
	}
	return f
}

// done says what it did to n rows: "5 rows backfilled", "deleted 5 rows".
func (f backfillForm) done(n int64) string {
	if f.deletes {
		return "deleted " + sqlsyntax.Plural(int(n), "row")
	}
	return sqlsyntax.Plural(int(n), "row") + " backfilled"
}

// asBatched is a data migration's DELETE (sqlsyntax.DeleteRows, in a
// contract revision) as the backfill the applier runs it as, ok true: by
// the backfill batcher (backfillRows: bound, resume key, throttles,
// --chunk-time, progress), the keys its predicate selects read once and
// deleted by key, each batch recording its progress in its own
// transaction, so that no statement holds the locks of every row it reads
// or deletes, and a run killed part way resumes after its last committed
// batch; a key of several columns, or none, runs as one statement
// (unbatched). The plans write it as they always have: the
// DELETE is the statement a release's revisions hold, whose batches are
// written from its tree. Any other statement is returned as it is.
func asBatched(st revision.Statement) (revision.Statement, bool) {
	if st.Kind != revision.DDL {
		return st, false
	}
	b, key, ok := sqlsyntax.ReadDelete(st.SQL)
	if !ok {
		return st, false
	}
	st.Kind, st.Table, st.Key = revision.Backfill, b.Table, key
	return st, true
}

// batchedAt is statement i of rev as the applier runs it (asBatched).
func batchedAt(rev *revision.Revision, i int) revision.Statement {
	st, _ := asBatched(rev.Statements[i])
	return st
}

// readBatched reads a statement the applier runs in ranges of a key: a
// backfill, or a data migration's DELETE (asBatched).
func readBatched(sql string) (*sqlsyntax.Backfill, error) {
	if b, _, ok := sqlsyntax.ReadDelete(sql); ok {
		return b, nil
	}
	return sqlsyntax.ReadBackfill(sql)
}

func (s *Session) describeBackfill(ctx context.Context, rec *history.Record, st revision.Statement, resumes bool) string {
	n, err := s.pendingRows(ctx, st)
	pending := fmt.Sprintf("%d rows %s", n, formOf(st).pending)
	if err != nil {
		pending = "pending rows not countable yet (the table changes earlier in this run)"
	}
	if why := oneStatement(st); why != "" {
		return fmt.Sprintf("runs as one %s (%s), %s:", formOf(st).stmt, why, pending)
	}
	bound := "MAX(" + st.Key + ") when it starts"
	if resumes && rec != nil && rec.ResumeBound.Valid {
		shown := s.shownKey(ctx, st)
		bound = shown + " = " + history.ShowKey(rec.ResumeBound.String) + " (fixed when it started)"
		if rec.ResumeKey.Valid {
			bound += ", resuming after " + shown + " = " + history.ShowKey(rec.ResumeKey.String)
		}
	}
	if kind, _ := s.keyKind(ctx, st.Table, st.Key); formOf(st).deletes && kind != keyInstant {
		size := fmt.Sprintf("%d keys", s.opts.BatchSize)
		if s.opts.ChunkTime > 0 {
			z := newSizer(s.opts)
			size = fmt.Sprintf("keys sized to take about %s each (starting at %d, at most %d)", s.opts.ChunkTime, z.size, z.max)
		}
		return fmt.Sprintf("reads the keys of the rows its predicate selects up to %s once, with a SELECT, which locks nothing, then deletes them by key in batches of %s, %s; the SELECT (its first bound left out when it starts) and a batch of three keys:", bound, size, pending)
	}
	if s.opts.ChunkTime > 0 {
		z := newSizer(s.opts)
		return fmt.Sprintf("runs in batches sized to take about %s each (starting at %d keys, at most %d) up to %s, %s; each batch runs it on its range of keys (the first batch has no lower bound):", s.opts.ChunkTime, z.size, z.max, bound, pending)
	}
	return fmt.Sprintf("runs in batches of %d keys up to %s, %s; each batch runs it on its range of keys (the first batch has no lower bound):", s.opts.BatchSize, bound, pending)
}

// keyArg is a key value as read (and recorded), as a statement's argument.
func keyArg(v string, k keyKind) any {
	switch k {
	case keyInt:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case keyBit:
		if len(v) <= 8 {
			return binary.BigEndian.Uint64(append(make([]byte, 8-len(v)), v...))
		}
	case keyTime:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
	}
	return v
}
