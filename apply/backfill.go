package apply

import (
	"context"
	"database/sql"
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

// backfill runs `UPDATE t SET ... WHERE <pending>` in primary-key ranges.
// The upper bound is MAX(key) when the backfill first starts, recorded so
// that a resumed run uses the same bound: rows inserted later are written
// by code that the expand's triggers keep in sync. Each batch commits in one
// transaction with its progress record, so a crash can neither lose a batch
// nor count one twice. It reports finished=false when --max-rows stops it.
// With persist false (a catch-up pass over an applied revision) nothing is
// recorded: the statement only touches pending rows, so a rerun simply
// finds fewer of them.
func (s *Session) backfill(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, persist bool) (rows int64, finished bool, err error) {
	if err := s.sayForeignTriggers(ctx, rev.Statements[i].Table); err != nil {
		return 0, false, err
	}
	err = s.inAppZone(ctx, func() error {
		rows, finished, err = s.backfillRows(ctx, rev, rec, i, persist)
		return err
	})
	return rows, finished, err
}

// sayForeignTriggers names the UPDATE triggers of a backfill's table that
// no revision created (the application's, another tool's): the backfill is
// an UPDATE of each pending row, and fires them for every one (an audit
// trigger logs each row, one setting updated_at = NOW() stamps each with
// the time of the migrate). No UPDATE runs without them; the operator
// hears of it before the first row, not from the audit table.
func (s *Session) sayForeignTriggers(ctx context.Context, table string) error {
	names, err := dbconn.Strings(ctx, s.Conn, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? AND EVENT_MANIPULATION = 'UPDATE' ORDER BY TRIGGER_NAME", table)
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
		lead := map[bool]string{false: "    ", true: "-- "}[s.opts.DryRun]
		s.say("%snote: the backfill updates each pending row of %s, and so fires for each the UPDATE triggers of the table that emcee did not create: %s", lead, sqlsyntax.Ident(table), strings.Join(theirs, ", "))
	}
	return nil
}

// backfillRows is backfill, in the application's time zone. It writes
// nothing to the version table but keys and counts, which no zone shifts.
func (s *Session) backfillRows(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, persist bool) (rows int64, finished bool, err error) {
	st := rev.Statements[i]
	if why, err := s.oneUpdate(ctx, st); err != nil || why != "" {
		if err != nil {
			return 0, false, err
		}
		if st.Key != "" {
			s.say("    runs as one UPDATE: %s", why)
		}
		return s.unbatched(ctx, rev, rec, i, persist, why)
	}
	b, _, err := s.readBackfill(ctx, st)
	if err != nil {
		return 0, false, err
	}
	table, key := sqlsyntax.Ident(st.Table), sqlsyntax.Ident(st.Key)
	kind, err := s.keyKind(ctx, st.Table, st.Key)
	if err != nil {
		return 0, false, err
	}
	stmtLog, err := s.statementLogged(ctx)
	if err != nil {
		return 0, false, err
	}
	if !rec.ResumeBound.Valid {
		var max sql.NullString
		err := s.retry(ctx, "reading MAX("+st.Key+") of "+st.Table, rev, i, func() error {
			return s.Conn.QueryRowContext(ctx, "SELECT "+kind.max(key)+" FROM "+table).Scan(&max)
		})
		if err != nil {
			return 0, false, err
		}
		if !max.Valid {
			s.say("    %s is empty: nothing to backfill", st.Table)
			return 0, true, nil
		}
		if !persist {
			rec.ResumeBound, rec.BackfillBase = sql.NullString{String: max.String, Valid: true}, rec.RowsDone
		} else if err := history.BackfillBound(ctx, s.Conn, rec, max.String); err != nil {
			return 0, false, err
		}
	}
	bound := keyArg(rec.ResumeBound.String, kind)
	lo := rec.ResumeKey
	args := []any{bound}
	if lo.Valid {
		args = []any{keyArg(lo.String, kind), bound}
		s.say("    resuming after %s = %s (bound %s = %s fixed when the backfill started; %d rows done before)", st.Key, history.ShowKey(lo.String), st.Key, history.ShowKey(rec.ResumeBound.String), rec.BackfillRows())
	}
	var total int64
	err = s.retry(ctx, "counting the pending rows of "+st.Table, rev, i, func() error {
		return s.Conn.QueryRowContext(ctx, b.Count(st.Key, lo.Valid, true), args...).Scan(&total)
	})
	if err != nil {
		return 0, false, err
	}
	s.say("    %s pending up to %s = %s", sqlsyntax.Plural(int(total), "row"), st.Key, history.ShowKey(rec.ResumeBound.String))
	z := newSizer(s.opts)
	started, paused := time.Now(), ""
	report := func(fin bool) {
		if s.opts.Progress == nil {
			return
		}
		p := Progress{Revision: rev.ID.String(), Table: st.Table, Done: rows, Total: total, Finished: fin, BatchSize: z.size, Paused: paused}
		if el := time.Since(started).Seconds(); rows > 0 && el > 0 {
			p.RowsPerSecond = float64(rows) / el
			if left := total - rows; left > 0 && !fin {
				p.ETA = time.Duration(float64(left) / p.RowsPerSecond * float64(time.Second))
			}
		}
		s.opts.Progress(p)
	}
	report(false)
	for {
		size := z.size
		if s.opts.MaxRows > 0 {
			left := s.opts.MaxRows - s.rowsRun
			if left <= 0 {
				report(true)
				s.say("    stopped by --max-rows after %d rows; %d of the %d pending rows are left", rows, total-rows, total)
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
		what := "backfill batch of " + st.Table
		if lo.Valid {
			what += " after " + st.Key + " = " + history.ShowKey(lo.String)
		}
		var took time.Duration
		err := s.retry(ctx, what, rev, i, func() error {
			// Replicas and load are checked before every batch, the first
			// one too (a run started into a lagging fleet waits), and
			// before every retry of one, which may come seconds later.
			if err := s.waitToRun(ctx, func(why string) { paused = why; report(false) }); err != nil {
				var crit *CriticalLoad
				if errors.As(err, &crit) {
					crit.Table = st.Table
					if lo.Valid {
						crit.After = st.Key + " = " + history.ShowKey(lo.String)
					}
					report(true)
					s.say("    stopped by --critical-load: %s is %d (limit %d), %d rows backfilled by this run", crit.Limit.Var, crit.Value, crit.Limit.Max, rows)
				}
				return err
			}
			t0 := time.Now()
			defer func() { took = time.Since(t0) }()
			hi = sql.NullString{}
			q := "SELECT " + kind.read(key) + " FROM " + table + " WHERE " + key + " <= ?"
			qa := []any{bound}
			if lo.Valid {
				q += " AND " + key + " > ?"
				qa = append(qa, keyArg(lo.String, kind))
			}
			q += " ORDER BY " + key + " LIMIT 1 OFFSET " + strconv.FormatInt(size-1, 10)
			if err := s.Conn.QueryRowContext(ctx, q, qa...).Scan(&hi); err != nil && err != sql.ErrNoRows {
				return err
			}
			if lo.Valid && hi.Valid && hi.String == lo.String {
				// A key that reads back as a value it is not greater
				// than: the run would write no row, forever, holding the
				// operator lock.
				return fmt.Errorf("the batch after %s = %s ends at the same key: the values of %s.%s do not compare equal to themselves as read back (a key type emcee does not know to batch on); nothing is lost, every batch so far is committed", st.Key, history.ShowKey(lo.String), st.Table, st.Key)
			}
			last = !hi.Valid || hi.String == rec.ResumeBound.String
			if !hi.Valid {
				hi = rec.ResumeBound
			}
			upd, ua := b.Batch(st.Key, false), []any{keyArg(hi.String, kind)}
			if lo.Valid {
				upd, ua = b.Batch(st.Key, true), []any{keyArg(lo.String, kind), keyArg(hi.String, kind)}
			}
			var err error
			n, err = s.batch(ctx, st, upd, ua, stmtLog, func(tx *sql.Tx, n int64) error {
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
		z.observe(size, took)
		lo = hi
		rows += n
		s.rowsRun += n
		report(last)
		if last {
			if persist {
				s.say("    %s backfilled by this run (%d in all)", sqlsyntax.Plural(int(rows), "row"), rec.BackfillRows())
			} else {
				s.say("    %s backfilled", sqlsyntax.Plural(int(rows), "row"))
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

// unbatched runs a backfill as the one UPDATE it is (why: oneUpdate): it
// commits with the rows it wrote recorded, and a rerun touches only the
// rows still pending, so a crash costs nothing.
// The throttles are checked before it, as before any batch, and --max-rows
// stops before an UPDATE that would write more rows than it leaves: the one
// UPDATE cannot stop part way (it ran whole under --max-rows 1, into a
// lagging fleet and past --critical-load). Before every attempt: a
// deadlock retry ran it whole seconds later, past a --critical-load
// crossed meanwhile.
func (s *Session) unbatched(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, persist bool, why string) (int64, bool, error) {
	st := rev.Statements[i]
	b, _, err := s.readBackfill(ctx, st)
	if err != nil {
		return 0, false, err
	}
	stmtLog, err := s.statementLogged(ctx)
	if err != nil {
		return 0, false, err
	}
	q := b.SQL()
	var n int64
	stopped := false
	err = s.retry(ctx, "backfill of "+st.Table+" (one UPDATE)", rev, i, func() (err error) {
		if s.opts.MaxRows > 0 {
			n, err := s.pendingRows(ctx, st)
			if err != nil {
				return s.redact(err)
			}
			if left := s.opts.MaxRows - s.rowsRun; n > left {
				s.say("    stopped by --max-rows: the backfill of %s runs as one UPDATE (%s) over its %d pending rows, more than the %d --max-rows leaves this run; rerun with --max-rows %d or more, or without it, to run it", st.Table, why, n, max(left, 0), n)
				stopped = true
				return nil
			}
		}
		if err := s.waitToRun(ctx, func(string) {}); err != nil {
			var crit *CriticalLoad
			if errors.As(err, &crit) {
				crit.Table = st.Table
				s.say("    stopped by --critical-load: %s is %d (limit %d), before the backfill's one UPDATE", crit.Limit.Var, crit.Value, crit.Limit.Max)
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
	s.say("    %s backfilled", sqlsyntax.Plural(int(n), "row"))
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
	b, err := sqlsyntax.ReadBackfill(st.SQL)
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

// statementLogged tells whether this session writes statements to the
// binary log as statements (binlog_format = STATEMENT), for each replica to
// run again.
func (s *Session) statementLogged(ctx context.Context) (bool, error) {
	var on bool
	err := s.Conn.QueryRowContext(ctx, "SELECT @@log_bin = 1 AND @@session.binlog_format = 'STATEMENT'").Scan(&on)
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
// fell below the largest key, whose row was never backfilled).
type keyKind int

const (
	keyText keyKind = iota // strings, binary strings and decimals, byte for byte
	keyInt
	keyBit
	keyTime
	keyFloat
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
	case "date", "datetime", "timestamp":
		return keyTime, nil
	case "float":
		return keyFloat, nil
	}
	return keyText, nil
}

// read is the expression reading a key, max the one reading the largest:
// a FLOAT as the DOUBLE it compares as, of which both protocols give every
// digit.
func (k keyKind) read(key string) string {
	if k == keyFloat {
		return "CAST(" + key + " AS DOUBLE)"
	}
	return key
}

func (k keyKind) max(key string) string { return k.read("MAX(" + key + ")") }

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
	b, err := sqlsyntax.ReadBackfill(st.SQL)
	if err != nil {
		return 0, err
	}
	q, args := b.Count(st.Key, false, false), []any(nil)
	if bound.Valid {
		kind, err := s.keyKind(ctx, st.Table, st.Key)
		if err != nil {
			return 0, err
		}
		q, args = b.Count(st.Key, false, true), []any{keyArg(bound.String, kind)}
	}
	var n int64
	err = s.inAppZone(ctx, func() error { return s.Conn.QueryRowContext(ctx, q, args...).Scan(&n) })
	return n, err
}

// oneUpdate says why a backfill runs as one UPDATE rather than in
// batches on its key; "" when it batches. Keys are read and compared as
// text in the application's time zone, where the hour its clocks go back
// holds two instants of each time: batches bounded by a TIMESTAMP key
// there skipped rows (53 of 180 left NULL across a fall-back hour,
// migrate saying it was complete).
func (s *Session) oneUpdate(ctx context.Context, st revision.Statement) (string, error) {
	if st.Key == "" {
		return st.Table + " has no single-column primary key to batch on", nil
	}
	if kind, err := s.keyKind(ctx, st.Table, st.Key); err != nil || kind != keyTime {
		return "", err
	}
	key := sqlsyntax.Ident(st.Key)
	var n int64
	err := s.inAppZone(ctx, func() error {
		return s.Conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+sqlsyntax.Ident(st.Table)+" WHERE UNIX_TIMESTAMP(CAST(CAST("+key+" AS CHAR) AS DATETIME(6))) <> UNIX_TIMESTAMP("+key+")").Scan(&n)
	})
	if err != nil || n == 0 {
		return "", s.redact(err)
	}
	return fmt.Sprintf("%s of %s read back as another instant in the application's time zone (in the hour its clocks go back, one time names two), which batches on %s cannot tell apart", sqlsyntax.Plural(int(n), "key"), st.Table, st.Key), nil
}

func (s *Session) describeBackfill(ctx context.Context, rec *history.Record, st revision.Statement, resumes bool) string {
	n, err := s.pendingRows(ctx, st)
	pending := fmt.Sprintf("%d rows pending", n)
	if err != nil {
		pending = "pending rows not countable yet (the table changes earlier in this run)"
	}
	// Not countable either before the table changes earlier in a dry run.
	if why, _ := s.oneUpdate(ctx, st); why != "" {
		return fmt.Sprintf("runs as one UPDATE (%s), %s:", why, pending)
	}
	bound := "MAX(" + st.Key + ") when it starts"
	if resumes && rec != nil && rec.ResumeBound.Valid {
		bound = st.Key + " = " + history.ShowKey(rec.ResumeBound.String) + " (fixed when it started)"
		if rec.ResumeKey.Valid {
			bound += ", resuming after " + st.Key + " = " + history.ShowKey(rec.ResumeKey.String)
		}
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
			var n uint64
			for i := 0; i < len(v); i++ {
				n = n<<8 | uint64(v[i])
			}
			return n
		}
	case keyTime:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
	}
	return v
}
