// Package history is the version table: one row per revision applied to a
// database, with enough detail to resume after a crash and to tell an
// operator who did what, when, and where it stopped.
package history

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Table is the version table's name, inside the target schema so that a
// dump of the schema carries its version with it.
const Table = sqlname.VersionTable

// table is Table as written into SQL.
var table = sqlsyntax.Ident(Table)

var createTable = "CREATE TABLE IF NOT EXISTS " + table + " (\n" +
	"  `name` varchar(191) NOT NULL COMMENT 'revision, e.g. pike_expand01',\n" +
	"  `release_name` varchar(64) NOT NULL,\n" +
	"  `phase` varchar(16) NOT NULL,\n" +
	"  `seq` int NOT NULL,\n" +
	"  `checksum` varchar(64) NOT NULL COMMENT 'h1: hash of the script it was applied from',\n" +
	"  `applied` int NOT NULL DEFAULT 0 COMMENT 'statements applied, in order',\n" +
	"  `total` int NOT NULL,\n" +
	"  `in_flight` tinyint(1) NOT NULL DEFAULT 0 COMMENT 'statement number applied+1 was sent but not confirmed',\n" +
	"  `error` text NULL,\n" +
	"  `failed_statement` text NULL,\n" +
	"  " + resumeColumns[0] + ",\n" +
	"  " + resumeColumns[1] + ",\n" +
	"  `rows_done` bigint NOT NULL DEFAULT 0,\n" +
	"  `started_at` datetime(6) NOT NULL,\n" +
	"  `finished_at` datetime(6) NULL,\n" +
	"  `applied_by` varchar(255) NOT NULL,\n" +
	"  `tool_version` varchar(64) NOT NULL,\n" +
	"  " + oscColumn + ",\n" +
	"  " + baseColumn + ",\n" +
	"  `rolled_back` int NOT NULL DEFAULT 0 COMMENT '0: in force; n: undone by the n-th rollback of its release',\n" +
	"  `rolled_back_at` datetime(6) NULL,\n" +
	"  PRIMARY KEY (`name`, `rolled_back`)\n" +
	") ENGINE=InnoDB COMMENT='emcee: revisions applied to this schema; do not edit'"

// resumeColumns hold a backfill's key values byte for byte, whatever the
// key: a BINARY(16) key is no text, and a VARCHAR key may be longer than
// 255 characters. Version tables created before hold them as varchar(255),
// which refused such keys on the first batch of every migrate run:
// Ensure widens them.
var resumeColumns = [2]string{
	"`resume_key` blob NULL COMMENT 'backfill: last primary key done'",
	"`resume_bound` blob NULL COMMENT 'backfill: upper key bound fixed at start'",
}

// oscColumn records the statements an online schema change tool applied
// (OSC). Version tables created before it lack it: Ensure adds it, and
// emcee versions that predate it read the table by column name.
const oscColumn = "`osc` text NULL COMMENT 'JSON: statements applied by an online schema change tool, and the one in progress'"

// baseColumn is rows_done when the backfill in progress started: that
// backfill's own rows are the difference, where a revision backfilling
// several tables counts them all in rows_done. Version tables created
// before it lack it: Ensure adds it (a backfill then in progress counts
// from 0).
const baseColumn = "`backfill_base` bigint NOT NULL DEFAULT 0 COMMENT 'backfill: rows_done when the backfill in progress started'"

// OSC is what an online schema change tool did for a revision. A
// statement not listed was sent to the server as written.
type OSC struct {
	Applied []OSCStatement `json:"applied,omitempty"`
	// Running is the statement the tool is applying; a run that finds it
	// after a crash cleans up after the tool and applies it again.
	Running *OSCRun `json:"running,omitempty"`
}

// OSCStatement is one statement a tool applied.
type OSCStatement struct {
	Statement int    `json:"statement"` // 1-based
	Tool      string `json:"tool"`      // e.g. "pt-online-schema-change 3.2.1"
}

// OSCRun is the statement a tool is applying, with what a crash of the
// tool may take from the table: its triggers, which
// pt-online-schema-change --preserve-triggers drops and creates again on
// its copy just before it swaps the tables; and the names of its foreign
// keys, which the tool's copy has under names of its own.
type OSCRun struct {
	OSCStatement
	Table       string       `json:"table"`
	Triggers    []OSCTrigger `json:"triggers,omitempty"`     // the table's, before the tool started
	ForeignKeys []string     `json:"foreign_keys,omitempty"` // the table's, before the tool started
}

// OSCTrigger is a trigger as SHOW CREATE TRIGGER printed it.
type OSCTrigger struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
}

// ToolOf names the tool that applied statement n (1-based); "" when the
// server ran it as written.
func (r *Record) ToolOf(n int) string {
	if r == nil || r.OSC == nil {
		return ""
	}
	if i := slices.IndexFunc(r.OSC.Applied, func(a OSCStatement) bool { return a.Statement == n }); i >= 0 {
		return r.OSC.Applied[i].Tool
	}
	return ""
}

// Handed is the tool's run of statement n (1-based) that a run started
// and did not see end; nil when none.
func (r *Record) Handed(n int) *OSCRun {
	if r == nil || r.OSC == nil || r.OSC.Running == nil || r.OSC.Running.Statement != n {
		return nil
	}
	return r.OSC.Running
}

// Record is one row of the version table.
type Record struct {
	Name            string
	ID              revision.ID
	Checksum        string
	Applied, Total  int
	InFlight        bool
	Error           string
	FailedStatement string
	ResumeKey       sql.NullString
	ResumeBound     sql.NullString
	RowsDone        int64
	BackfillBase    int64 // RowsDone when the backfill in progress started (BackfillRows)
	StartedAt       time.Time
	FinishedAt      sql.NullTime
	AppliedBy       string
	ToolVersion     string
	OSC             *OSC // nil: every statement ran as written
	// RolledBack is 0 for a record in force, n for one that the n-th
	// rollback of its release undid: the record stays, so that the history
	// shows what ran, and the revision can run again as a new record.
	RolledBack   int
	RolledBackAt sql.NullTime
}

// ShowKey is a backfill key value as printed: a binary key (a BINARY(16)
// UUID) in hexadecimal, as the server's 0x literal, rather than its raw
// bytes.
func ShowKey(v string) string {
	if utf8.ValidString(v) {
		return v
	}
	return "0x" + strings.ToUpper(hex.EncodeToString([]byte(v)))
}

// BackfillRows is what the backfill in progress has done: of the rows the
// revision's backfills did (RowsDone), those after it started.
func (r *Record) BackfillRows() int64 { return r.RowsDone - r.BackfillBase }

// Done reports whether every statement of the revision was applied.
func (r *Record) Done() bool { return r != nil && r.FinishedAt.Valid }

// Confirmed is how many statements are applied, 0 without a record.
func (r *Record) Confirmed() int {
	if r == nil {
		return 0
	}
	return r.Applied
}

// ChangedNothing reports an unfinished revision that has not changed the
// database: no statement confirmed, none sent without confirmation, no
// backfill batch committed (its first statement failed, or the run stopped
// before sending it). Such a record does not pin the script it was started
// from: the revision has not run yet, in any form. A statement handed to
// an online schema change tool that is not known to be cleaned up after
// (OSC.Running) changed something: the tool's copy and triggers may be
// there, and a run that took the record for untouched compared the live
// schema with the previous release, found them, and refused as drift.
func (r *Record) ChangedNothing() bool {
	return r != nil && !r.Done() && r.Applied == 0 && !r.InFlight && !r.ResumeKey.Valid && r.RowsDone == 0 && (r.OSC == nil || r.OSC.Running == nil)
}

// Inconsistent says why the record cannot have been written by emcee for a
// revision of n statements ("" when it can): the applier counts statements
// from 0 up to the total, one at a time, and marks the revision finished
// only with all of them applied.
func (r *Record) Inconsistent(n int) string {
	switch {
	case r.Applied < 0:
		return fmt.Sprintf("applied = %d is negative", r.Applied)
	case r.Total != n:
		return fmt.Sprintf("total = %d, but the revision has %d statements", r.Total, n)
	case r.Applied > r.Total:
		return fmt.Sprintf("applied = %d is more than total = %d", r.Applied, r.Total)
	case r.Done() && r.Applied != r.Total:
		return fmt.Sprintf("finished_at is set, but applied = %d of total = %d", r.Applied, r.Total)
	case r.Done() && r.InFlight:
		return "finished_at is set, and so is in_flight"
	case r.InFlight && r.Applied == r.Total:
		return fmt.Sprintf("in_flight is set, but applied = %d is already total", r.Applied)
	}
	return ""
}

// State is a short word for listings: applied, partial, failed, rolled
// back.
func (r *Record) State() string {
	switch {
	case r == nil:
		return "pending"
	case r.RolledBack > 0:
		return "rolled back"
	case r.Done():
		return "applied"
	case r.Error != "":
		return "failed"
	}
	return "partial"
}

// Ensure creates the version table on first use, and brings a table an
// older emcee created up to date: it gains the osc column, and the
// rolled_back columns with a key that lets a rolled-back record stay beside
// the record of the same revision run again (every row it holds is in
// force, 0).
func Ensure(ctx context.Context, q dbconn.Querier) error {
	if _, err := q.ExecContext(ctx, createTable); err != nil {
		return fmt.Errorf("creating the version table %s: %w", Table, err)
	}
	has, err := optional(ctx, q)
	if err != nil {
		return err
	}
	const older = "written by emcee versions before this one; the account needs ALTER on it"
	for _, u := range []struct {
		needed    bool
		stmt, why string
	}{
		{!has.osc, "ALTER TABLE " + table + " ADD COLUMN " + oscColumn, "adding the column osc to the version table %s (" + older + "): %w"},
		{!has.base, "ALTER TABLE " + table + " ADD COLUMN " + baseColumn, "adding the column backfill_base to the version table %s (" + older + "): %w"},
		{has.resumeText, "ALTER TABLE " + table + " MODIFY " + resumeColumns[0] + ", MODIFY " + resumeColumns[1], "widening the backfill key columns of the version table %s (" + older + "): %w"},
		{!has.rollback, upgradeTable, "adding the rollback columns to the version table %s (ALTER TABLE; the account needs ALTER on it): %w"},
	} {
		if !u.needed {
			continue
		}
		if _, err := q.ExecContext(ctx, u.stmt); err != nil {
			return fmt.Errorf(u.why, Table, err)
		}
	}
	return nil
}

// upgradeTable is what a table created before rollback existed lacks. One
// statement, so the table is never left with the columns but the old key.
var upgradeTable = "ALTER TABLE " + table +
	" ADD COLUMN `rolled_back` int NOT NULL DEFAULT 0 COMMENT '0: in force; n: undone by the n-th rollback of its release'," +
	" ADD COLUMN `rolled_back_at` datetime(6) NULL," +
	" DROP PRIMARY KEY, ADD PRIMARY KEY (`name`, `rolled_back`)"

// inForce restricts a statement to the records in force. Every statement
// that reads or changes a revision's record by name carries it: a rolled
// back record of the same name must never move again.
const inForce = " AND rolled_back = 0"

const columns = "name, release_name, phase, seq, checksum, applied, total, in_flight, COALESCE(error, ''), COALESCE(failed_statement, ''), " +
	"resume_key, resume_bound, rows_done, started_at, finished_at, applied_by, tool_version"

// Records is the version table keyed by revision name.
type Records map[string]*Record

// Load reads the records in force. A schema without a version table has
// none; a table from before rollback (read without the lock, by status or
// version, before a changing command upgrades it) holds only records in
// force.
func Load(ctx context.Context, q dbconn.Querier) (Records, error) {
	has, err := optional(ctx, q)
	if err != nil {
		return nil, err
	}
	where := ""
	if has.rollback {
		where = " WHERE rolled_back <= 0"
	}
	list, err := load(ctx, q, has, where)
	if err != nil {
		return nil, err
	}
	out := Records{}
	for _, r := range list {
		// Neither in force nor undone: left out, the record made its
		// revision look never applied ("new in a finished release").
		if r.RolledBack < 0 {
			return nil, fmt.Errorf("version table %s, row %s: rolled_back = %d is negative; emcee never writes such a record (0: in force, n: undone by the n-th rollback of its release), so the table was edited by hand: restore the row", Table, r.Name, r.RolledBack)
		}
		out[r.Name] = r
	}
	return out, nil
}

// RolledBackRecords lists the records that rollbacks undid, the latest
// rollback first and, within one, in application order.
func RolledBackRecords(ctx context.Context, q dbconn.Querier, releases []string) ([]*Record, error) {
	has, err := optional(ctx, q)
	if err != nil || !has.rollback {
		return nil, err
	}
	list, err := load(ctx, q, has, " WHERE rolled_back > 0")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b *Record) int {
		return cmp.Or(b.RolledBackAt.Time.Compare(a.RolledBackAt.Time), revision.Compare(releases, a.ID, b.ID))
	})
	return list, nil
}

// optionalColumns says which columns that emcee added to the version table
// over time a table holds: one an older emcee created lacks them until a
// changing command runs Ensure, and read-only commands read it as it is.
// resumeText: the backfill key columns are the varchar(255) of older
// versions.
type optionalColumns struct{ osc, rollback, resumeText, base bool }

func optional(ctx context.Context, q dbconn.Querier) (optionalColumns, error) {
	var has optionalColumns
	err := dbconn.EachRow(ctx, q, "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME IN ('osc', 'rolled_back', 'resume_key', 'backfill_base')", []any{Table}, func(rows *sql.Rows) error {
		var name, typ string
		err := rows.Scan(&name, &typ)
		has.osc = has.osc || name == "osc"
		has.rollback = has.rollback || name == "rolled_back"
		has.base = has.base || name == "backfill_base"
		has.resumeText = has.resumeText || name == "resume_key" && strings.EqualFold(typ, "varchar")
		return err
	})
	if err != nil {
		return has, fmt.Errorf("reading the columns of the version table %s: %w", Table, err)
	}
	return has, nil
}

func (has optionalColumns) columns() string {
	c := columns
	if has.osc {
		c += ", osc"
	}
	if has.rollback {
		c += ", rolled_back, rolled_back_at"
	}
	if has.base {
		c += ", backfill_base"
	}
	return c
}

// load reads the records a WHERE clause selects; none without a version
// table.
func load(ctx context.Context, q dbconn.Querier, has optionalColumns, where string) ([]*Record, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+has.columns()+" FROM "+table+where)
	if dbconn.ServerError(err, 1146) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the version table %s: %w", Table, err)
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		r := &Record{}
		var osc, release, phase sql.NullString
		var seq sql.NullInt64
		dest := []any{&r.Name, &release, &phase, &seq, &r.Checksum, &r.Applied, &r.Total, &r.InFlight, &r.Error, &r.FailedStatement,
			&r.ResumeKey, &r.ResumeBound, &r.RowsDone, &r.StartedAt, &r.FinishedAt, &r.AppliedBy, &r.ToolVersion}
		if has.osc {
			dest = append(dest, &osc)
		}
		if has.rollback {
			dest = append(dest, &r.RolledBack, &r.RolledBackAt)
		}
		if has.base {
			dest = append(dest, &r.BackfillBase)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if osc.Valid && osc.String != "" {
			r.OSC = &OSC{}
			if err := json.Unmarshal([]byte(osc.String), r.OSC); err != nil {
				return nil, fmt.Errorf("version table %s, row %s: column osc is not what emcee writes (%v); restore it", Table, r.Name, err)
			}
		}
		if r.ID, err = revision.ParseID(r.Name); err != nil {
			return nil, fmt.Errorf("version table %s: %w", Table, err)
		}
		if release.String != r.ID.Release || phase.String != string(r.ID.Phase) || seq.Int64 != int64(r.ID.Seq) {
			// A rollback marks records by release_name: such a row stayed
			// in force when its release was rolled back.
			return nil, fmt.Errorf("version table %s, row %s: release_name, phase and seq say %s %s %d, not the revision the row's name says; emcee never writes such a record, so the table was edited by hand: restore the row", Table, r.Name, release.String, phase.String, seq.Int64)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RollBack marks every record in force of the release as undone by its
// next rollback, in one transaction: either the release is rolled back in
// the history or it is not. It returns the rollback's number.
func RollBack(ctx context.Context, conn *sql.Conn, release string) (int, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("updating the version table %s: %w", Table, err)
	}
	defer tx.Rollback()
	var last int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(rolled_back), 0) FROM "+table+" WHERE release_name = ? FOR UPDATE", release).Scan(&last); err != nil {
		return 0, fmt.Errorf("reading the version table %s: %w", Table, err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := exec(ctx, tx, "UPDATE "+table+" SET rolled_back = ?, rolled_back_at = ? WHERE release_name = ?"+inForce, last+1, now, release); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("updating the version table %s: %w", Table, err)
	}
	return last + 1, nil
}

// Exists reports whether the schema has a version table.
func Exists(ctx context.Context, q dbconn.Querier) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", Table).Scan(&n)
	return n > 0, err
}

// Sorted lists records in application order.
func (rs Records) Sorted(releases []string) []*Record {
	return slices.SortedFunc(maps.Values(rs), func(a, b *Record) int { return revision.Compare(releases, a.ID, b.ID) })
}

// Version is the composite database version of the seeds: the latest
// expand revision applied and, once one exists, the latest contract,
// e.g. "pike_expand01, ocata_contract01" in the middle of a pike upgrade.
// An expand whose rollback revision has run no longer counts: in the middle
// of a rollback the version walks back with it.
func (rs Records) Version(releases []string) string {
	var expand, contract *Record
	for _, r := range rs.Sorted(releases) {
		undo := revision.ID{Release: r.ID.Release, Phase: revision.Rollback, Seq: r.ID.Seq}
		if !r.Done() || r.ID.Phase == revision.Expand && rs[undo.String()].Done() {
			continue
		}
		switch r.ID.Phase {
		case revision.Expand:
			expand = r
		case revision.Contract:
			contract = r
		}
	}
	var at []string
	for _, r := range []*Record{expand, contract} {
		if r != nil {
			at = append(at, r.Name)
		}
	}
	return cmp.Or(strings.Join(at, ", "), "none")
}

// Start records that a revision is about to be applied.
func Start(ctx context.Context, q dbconn.Querier, rev *revision.Revision, by, tool string) (*Record, error) {
	r := &Record{Name: rev.ID.String(), ID: rev.ID, Checksum: rev.Checksum, Total: len(rev.Statements),
		StartedAt: time.Now().UTC().Truncate(time.Microsecond), AppliedBy: by, ToolVersion: tool}
	_, err := q.ExecContext(ctx, "INSERT INTO "+table+" (name, release_name, phase, seq, checksum, applied, total, started_at, applied_by, tool_version) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
		r.Name, rev.ID.Release, string(rev.ID.Phase), rev.ID.Seq, r.Checksum, r.Total, r.StartedAt, by, tool)
	if err != nil {
		return nil, fmt.Errorf("recording %s in %s: %w", r.Name, Table, err)
	}
	return r, nil
}

// Resume records that a new run continues a revision; who resumed it
// replaces who started it, and the previous error is cleared. A statement
// in flight keeps what undoes it (Sending).
func Resume(ctx context.Context, q dbconn.Querier, r *Record, by, tool string) error {
	r.Error, r.AppliedBy, r.ToolVersion = "", by, tool
	if !r.InFlight {
		r.FailedStatement = ""
	}
	return exec(ctx, q, "UPDATE "+table+" SET error = NULL, failed_statement = IF(in_flight, failed_statement, NULL), applied_by = ?, tool_version = ? WHERE name = ?"+inForce, by, tool, r.Name)
}

// Replan makes a record that changed nothing (ChangedNothing), started from
// the script with checksum was, name the revision's current script: the
// script changed after a run that applied none of it. The condition is
// repeated in the UPDATE, so a record that has moved on since it was read
// is left alone; it reports whether the record was replaced.
func Replan(ctx context.Context, q dbconn.Querier, r *Record, was string, rev *revision.Revision) (bool, error) {
	res, err := q.ExecContext(ctx, "UPDATE "+table+" SET checksum = ?, total = ?, resume_bound = NULL WHERE name = ? AND checksum = ? AND applied = 0 AND in_flight = 0 AND resume_key IS NULL AND rows_done = 0 AND finished_at IS NULL"+inForce,
		rev.Checksum, len(rev.Statements), r.Name, was)
	if err != nil {
		return false, fmt.Errorf("updating the version table %s: %w", Table, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	r.Checksum, r.Total, r.ResumeBound = rev.Checksum, len(rev.Statements), sql.NullString{}
	return true, nil
}

// Forget deletes the record of an unfinished revision: the operator has
// made sure the database holds nothing of it (db forget checks the live
// schema first). A finished revision is never forgotten.
func Forget(ctx context.Context, q dbconn.Querier, name string) error {
	res, err := q.ExecContext(ctx, "DELETE FROM "+table+" WHERE name = ? AND finished_at IS NULL"+inForce, name)
	if err != nil {
		return fmt.Errorf("updating the version table %s: %w", Table, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%s has no unfinished record of %s", Table, name)
	}
	return nil
}

// Sending marks statement number r.Applied+1 as sent to the server. If the
// run dies before Applied confirms it, the next run knows the statement may
// have taken effect. undo ("" for none) is what undoes it, read before it
// is sent, kept as its failed statement while it is in flight: what the
// next run runs if it cannot confirm it (a foreign key added: apply's
// dropAgain).
func Sending(ctx context.Context, q dbconn.Querier, r *Record, undo string) error {
	r.InFlight, r.FailedStatement = true, fitText(undo)
	return exec(ctx, q, "UPDATE "+table+" SET in_flight = 1, failed_statement = NULLIF(?, '') WHERE name = ?"+inForce, r.FailedStatement, r.Name)
}

// OSCStarted records that a tool is about to apply statement
// r.Applied+1, and what the table had before it started.
func OSCStarted(ctx context.Context, q dbconn.Querier, r *Record, run OSCRun) error {
	if r.OSC == nil {
		r.OSC = &OSC{}
	}
	r.OSC.Running = &run
	return writeOSC(ctx, q, r)
}

// OSCFinished records that the tool applied the statement it was
// running; Applied confirms it next.
func OSCFinished(ctx context.Context, q dbconn.Querier, r *Record) error {
	if r.OSC == nil || r.OSC.Running == nil {
		return nil
	}
	r.OSC.Applied = append(r.OSC.Applied, r.OSC.Running.OSCStatement)
	return OSCAbandoned(ctx, q, r)
}

// OSCAbandoned forgets the statement the tool was running: it did not
// apply it, and what it left behind is gone.
func OSCAbandoned(ctx context.Context, q dbconn.Querier, r *Record) error {
	if r.OSC == nil || r.OSC.Running == nil {
		return nil
	}
	r.OSC.Running = nil
	return writeOSC(ctx, q, r)
}

func writeOSC(ctx context.Context, q dbconn.Querier, r *Record) error {
	b, err := json.Marshal(r.OSC)
	if err != nil {
		return err
	}
	return exec(ctx, q, "UPDATE "+table+" SET osc = ? WHERE name = ?", string(b), r.Name)
}

// Applied confirms one more statement.
func Applied(ctx context.Context, q dbconn.Querier, r *Record) error {
	r.Applied++
	r.InFlight, r.FailedStatement = false, ""
	r.ResumeKey, r.ResumeBound = sql.NullString{}, sql.NullString{}
	return exec(ctx, q, "UPDATE "+table+" SET applied = ?, in_flight = 0, failed_statement = NULL, resume_key = NULL, resume_bound = NULL WHERE name = ?"+inForce, r.Applied, r.Name)
}

// BackfillBound fixes the upper key bound of the backfill in progress, and
// the rows done before it.
func BackfillBound(ctx context.Context, q dbconn.Querier, r *Record, bound string) error {
	r.ResumeBound, r.BackfillBase = sql.NullString{String: bound, Valid: true}, r.RowsDone
	return exec(ctx, q, "UPDATE "+table+" SET resume_bound = ?, backfill_base = rows_done WHERE name = ?"+inForce, bound, r.Name)
}

// BackfillBoundAs writes a backfill's bound in another form, the same
// key (an earlier emcee's time of a TIMESTAMP key, as the instant it
// named), keeping the count of the rows its table had done before.
func BackfillBoundAs(ctx context.Context, q dbconn.Querier, r *Record, bound string) error {
	r.ResumeBound = sql.NullString{String: bound, Valid: true}
	return exec(ctx, q, "UPDATE "+table+" SET resume_bound = ? WHERE name = ?"+inForce, bound, r.Name)
}

// BackfillProgress records a finished batch. Run it in the batch's
// transaction so the batch and its record commit together.
func BackfillProgress(ctx context.Context, q dbconn.Querier, r *Record, key string, rows int64) error {
	return exec(ctx, q, "UPDATE "+table+" SET resume_key = ?, rows_done = rows_done + ? WHERE name = ?"+inForce, key, rows, r.Name)
}

// RowsRewritten records the rows a backfill run as one UPDATE wrote. Run
// it in the UPDATE's transaction, so the rows and the record commit
// together.
func RowsRewritten(ctx context.Context, q dbconn.Querier, r *Record, rows int64) error {
	return exec(ctx, q, "UPDATE "+table+" SET rows_done = rows_done + ? WHERE name = ?"+inForce, rows, r.Name)
}

// Fail records the error and the statement that caused it. Each is cut
// to what its TEXT column holds: a strict server refuses a longer value,
// and the record would stay "in flight" with no error for the next run to
// show. The whole statement stays in the revision's plan file.
func Fail(ctx context.Context, q dbconn.Querier, r *Record, cause error, stmt string) error {
	return fail(ctx, q, r, cause, stmt, false)
}

// FailSent records the error of statement r.Applied+1 when what a run
// sent of it may stand (a foreign key a stopped run added): it stays in
// flight, with undo as its failed statement, as Sending keeps it. One
// write: a run stopping at any point leaves the undo in flight for the
// next run (apply's dropAgain), never the error without it.
func FailSent(ctx context.Context, q dbconn.Querier, r *Record, cause error, undo string) error {
	return fail(ctx, q, r, cause, undo, true)
}

func fail(ctx context.Context, q dbconn.Querier, r *Record, cause error, stmt string, inFlight bool) error {
	r.Error, r.FailedStatement, r.InFlight = fitText(cause.Error()), fitText(stmt), inFlight
	return exec(ctx, q, "UPDATE "+table+" SET error = ?, failed_statement = ?, in_flight = ? WHERE name = ?"+inForce, r.Error, r.FailedStatement, inFlight, r.Name)
}

// textBytes is what a TEXT column holds.
const textBytes = 65535

// fitText is s, or its start (whole characters) and how long it was,
// within textBytes.
func fitText(s string) string {
	if len(s) <= textBytes {
		return s
	}
	tail := fmt.Sprintf(" ... [cut: %d bytes in all]", len(s))
	cut := textBytes - len(tail)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + tail
}

// Finish marks the revision applied.
func Finish(ctx context.Context, q dbconn.Querier, r *Record) error {
	r.FinishedAt = sql.NullTime{Time: time.Now().UTC().Truncate(time.Microsecond), Valid: true}
	return exec(ctx, q, "UPDATE "+table+" SET finished_at = ?, applied = total, in_flight = 0, error = NULL, failed_statement = NULL WHERE name = ?"+inForce, r.FinishedAt.Time, r.Name)
}

// Baseline records revisions as applied without running them: the
// database was found to already hold what they produce. One transaction:
// a run that dies part way must not leave the database recorded at a
// revision it is past, which neither a rerun of baseline (the database is
// under control) nor the next phase (it runs what the database holds) can
// recover from.
func Baseline(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, revs []*revision.Revision, by, tool string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("updating the version table %s: %w", Table, err)
	}
	defer tx.Rollback()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, rev := range revs {
		if err := exec(ctx, tx, "INSERT INTO "+table+" (name, release_name, phase, seq, checksum, applied, total, started_at, finished_at, applied_by, tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			rev.ID.String(), rev.ID.Release, string(rev.ID.Phase), rev.ID.Seq, rev.Checksum, len(rev.Statements), len(rev.Statements), now, now, by+" (baseline)", tool); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("updating the version table %s: %w", Table, err)
	}
	return nil
}

func exec(ctx context.Context, q dbconn.Querier, query string, args ...any) error {
	if _, err := q.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("updating the version table %s: %w", Table, err)
	}
	return nil
}
