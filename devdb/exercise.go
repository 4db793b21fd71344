package devdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A statement that parses can still fail every time it runs: a call of a
// function the server does not have (1305), a column that is not there
// (1054). In a trigger, such a failure is an outage: every write of the
// running release that fires it fails. So what a release will run is run
// here first, in the dev database built to the state it runs in, on the
// real server: each trigger fired by an INSERT, UPDATEs and a DELETE of a
// row synthesized from the columns' implicit defaults, backfills and gates
// run as they are, all in transactions rolled back. Only the errors that
// say the statement cannot run count; an error about the synthesized
// values (a constraint, a truncation) says nothing about the statement.

// Failure is a trigger, backfill or gate that cannot run on the server.
type Failure struct {
	What string // "trigger t_bi (BEFORE INSERT on t)", "statement 2 of pike_migrate01"
	// Table and Triggers name the table and the triggers that fired when
	// it failed (a trigger failure), for telling which statement created
	// them.
	Table    string
	Triggers []string
	Step     *Step // the statement that failed (a backfill or gate)
	Err      error
	// Unsafe is a trigger that runs, but that the server warned (1592)
	// replicas cannot run alike from the statement that fires it, which
	// is how a session with binlog_format = STATEMENT logs it: it calls
	// UUID(), SYSDATE() or the like. Only a dev database whose session
	// logs statements tells.
	Unsafe bool
}

func (f Failure) String() string { return fmt.Sprintf("%s: %v", f.What, f.Err) }

// Functions finds a stored function the statements call by name: its
// CREATE FUNCTION statement to create it in the dev database too (the
// target database's own), or "" with known set when it is declared but
// cannot be created here (lint, which has no target database), and the
// call is then not counted against the statement.
type Functions func(ctx context.Context, name string) (create string, known bool, err error)

// cannotRun are the server errors that say a statement cannot run at all,
// whatever the rows: an unknown function, column or table, a wrong argument
// count, what a trigger may not do.
var cannotRun = map[uint16]bool{
	1054: true,                         // unknown column
	1064: true,                         // syntax
	1109: true,                         // unknown table in a clause
	1128: true,                         // function is not defined
	1146: true,                         // table does not exist
	1235: true,                         // not supported by this server
	1241: true,                         // operand should contain n columns
	1267: true, 1270: true, 1271: true, // illegal mix of collations
	1305: true,                         // function, procedure does not exist
	1318: true,                         // incorrect number of arguments
	1415: true,                         // not allowed to return a result set from a trigger
	1442: true,                         // cannot update a table the invoking statement uses
	1582: true, 1583: true, 1584: true, // incorrect parameters in a call
	1630: true, // function does not exist (a space before the parenthesis?)
}

// CannotRun reports an error after which the statement would fail however
// often it ran, on whatever rows.
func CannotRun(err error) bool {
	return cannotRun[dbconn.ServerCode(err)]
}

var missingFunction = regexp.MustCompile("^FUNCTION (?:`?[^`.]+`?\\.)?`?([^` ]+)`? does not exist")

// FireTriggers fires every trigger of the dev database once: per table
// with triggers, an INSERT of a row of implicit defaults (sql_mode without
// strictness, foreign keys unchecked), an UPDATE setting each column to
// NULL in turn, and a DELETE, all rolled back.
func (d *DB) FireTriggers(ctx context.Context, fns Functions) ([]Failure, error) {
	type trig struct{ name, event string }
	byTable := map[string][]trig{}
	var tables []string
	err := dbconn.EachRow(ctx, d.Conn, "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, CONCAT(ACTION_TIMING, ' ', EVENT_MANIPULATION) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME", nil, func(rows *sql.Rows) error {
		var t string
		var tr trig
		err := rows.Scan(&t, &tr.name, &tr.event)
		if byTable[t] == nil {
			tables = append(tables, t)
		}
		byTable[t] = append(byTable[t], tr)
		return err
	})
	if err != nil {
		return nil, d.redact(err)
	}
	var out []Failure
	for _, t := range tables {
		cols, err := dbconn.StoredColumns(ctx, d.Conn, t)
		if err != nil {
			return nil, d.redact(err)
		}
		table := sqlsyntax.Ident(t)
		probes := []struct{ event, sql string }{{"INSERT", "INSERT INTO " + table + " () VALUES ()"}}
		for _, c := range cols {
			probes = append(probes, struct{ event, sql string }{"UPDATE", "UPDATE " + table + " SET " + sqlsyntax.Ident(c) + " = NULL"})
		}
		probes = append(probes, struct{ event, sql string }{"DELETE", "DELETE FROM " + table})
		failed, unsafe := map[string]bool{}, map[string]bool{}
		var firing []string // the triggers the probe that failed fired
		var event string    // and its event
		failure := func(names []string, event string, err error) Failure {
			f := Failure{Table: t, Triggers: names, Err: d.redact(err)}
			for _, tr := range byTable[t] {
				if len(names) == 1 && tr.name == names[0] {
					f.What = fmt.Sprintf("trigger %s (%s on %s)", tr.name, tr.event, t)
				}
			}
			if f.What == "" {
				// The server fires them in turn and says not which failed.
				f.What = fmt.Sprintf("a trigger of %s fired by an %s (one of %s)", t, event, strings.Join(names, ", "))
			}
			return f
		}
		err = d.loose(ctx, fns, func(c *sql.Tx) error {
			for _, p := range probes {
				var fired []string
				for _, tr := range byTable[t] {
					if strings.HasSuffix(tr.event, p.event) {
						fired = append(fired, tr.name)
					}
				}
				if len(fired) == 0 && p.event != "INSERT" || failed[p.event] {
					continue
				}
				_, err := c.ExecContext(ctx, p.sql)
				if CannotRun(err) {
					if isMissing(err) != "" {
						firing, event = fired, p.event
						return err // loose creates the function and runs it all again
					}
					failed[p.event] = true
					out = append(out, failure(fired, p.event, err))
					continue
				}
				if msg, werr := dbconn.UnsafeWarning(ctx, c); werr != nil {
					return werr
				} else if msg != "" && !unsafe[p.event] {
					unsafe[p.event] = true
					f := failure(fired, p.event, errors.New(msg))
					f.Unsafe = true
					out = append(out, f)
				}
			}
			return nil
		})
		if err != nil && !CannotRun(err) {
			return nil, err
		}
		if err != nil {
			out = append(out, failure(firing, event, err))
		}
	}
	return out, nil
}

// Run runs statements (backfills, gates) as they are, each in a
// transaction rolled back.
func (d *DB) Run(ctx context.Context, steps []Step, fns Functions) ([]Failure, error) {
	var out []Failure
	for _, st := range steps {
		err := d.loose(ctx, fns, func(c *sql.Tx) error {
			rows, err := c.QueryContext(ctx, st.SQL)
			if err == nil {
				rows.Close()
				err = rows.Err()
			}
			return err
		})
		switch {
		case CannotRun(err):
			out = append(out, Failure{What: fmt.Sprintf("statement %d of %s", st.N, st.Revision), Step: &st, Err: d.redact(err)})
		case dbconn.ServerCode(err) != 0:
			// About the (absent) rows, not the statement.
		case err != nil:
			return nil, d.redact(err)
		}
	}
	return out, nil
}

// isMissing is the function a 1305 error names ("" for another error).
func isMissing(err error) string {
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1305 {
		return ""
	}
	if m := missingFunction.FindStringSubmatch(me.Message); m != nil {
		return m[1]
	}
	return ""
}

// loose runs fn in a transaction that is rolled back, on the pinned
// session with strictness and foreign key checks off (so that a row of
// implicit defaults can be written), restored afterwards. A stored
// function fns knows is created here the first time a call of it fails,
// and fn runs again; one fns knows but cannot create stops the failure
// from counting.
func (d *DB) loose(ctx context.Context, fns Functions, fn func(*sql.Tx) error) error {
	var mode string
	var checks int
	if err := d.Conn.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode, @@SESSION.foreign_key_checks").Scan(&mode, &checks); err != nil {
		return err
	}
	if _, err := d.Conn.ExecContext(ctx, "SET SESSION sql_mode = '', SESSION foreign_key_checks = 0"); err != nil {
		return err
	}
	defer func() {
		_, _ = d.Conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION sql_mode = ?, SESSION foreign_key_checks = ?", mode, checks)
	}()
	tried := map[string]bool{}
	for {
		tx, err := d.Conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		err = fn(tx)
		_ = tx.Rollback()
		name := isMissing(err)
		if name == "" || fns == nil || tried[strings.ToLower(name)] {
			return err
		}
		tried[strings.ToLower(name)] = true
		create, known, ferr := fns(ctx, name)
		switch {
		case ferr != nil:
			return ferr
		case create == "" && known:
			return nil // declared, and nothing here can tell whether it runs
		case create == "":
			return err
		}
		// Emptying the dev database drops it again (dropAll).
		if _, cerr := d.Conn.ExecContext(ctx, create); cerr != nil {
			return fmt.Errorf("creating stored function %s in dev database %s, as the target database defines it: %v", name, d, d.redact(cerr))
		}
	}
}
