// Package dropdb drops a database the way MariaDB 10.11 lets it be dropped
// when it has left a file of its own in the database's directory: the one
// owner of that, for devdb's scratch databases and internal/testdb's test
// databases alike. It sits below both: dbconn's own tests use
// internal/testdb, so neither devdb nor dbconn can be imported by it.
package dropdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// tries bounds how often Drop clears what the server left and drops
// again: the clearing's own CREATE TRIGGER can meet the same race.
const tries = 3

// Drop drops database name (DROP DATABASE IF EXISTS), on c.
//
// MariaDB 10.11 can leave a file of its own in the database's directory:
// CREATE TRIGGER on a table that has triggers already copies its trigger
// file to <table>.TRG- first, and deletes the copy at the end through its
// DDL log, but only if the DDL log entry the copy depends on is not active
// (ddl_log.cc, DDL_LOG_DELETE_TMP_FILE_ACTION). The statement frees that
// entry a moment before, and any DDL starting at that moment on the server
// (CREATE TABLE or DROP TABLE in another database will do) can take the
// freed entry and make it active again: the copy stays. DROP DATABASE then
// drops the tables and fails on the directory with error 1010.
//
// The next CREATE TRIGGER on a table of that name with a trigger copies
// over the same file and deletes it, so Drop re-creates each table the
// database held (devdb's marker, sqlname.ScratchLeftTable, aside), and
// each table triggered names (tables a trigger was created on, which may
// have been dropped since), with two triggers, and drops again. Nothing
// but that database is touched. A file whose table's name is not known (a
// table dropped before) is left: the error is a *Left, which says where
// it is and what to do.
func Drop(ctx context.Context, c *sql.Conn, name string, triggered ...string) error {
	db := sqlsyntax.Ident(name)
	var tables []string
	rows, err := c.QueryContext(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> ?", name, sqlname.ScratchLeftTable)
	if err != nil {
		return err
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, t := range triggered {
		if !slices.Contains(tables, t) {
			tables = append(tables, t)
		}
	}
	drop := func() error {
		_, err := c.ExecContext(ctx, "DROP DATABASE IF EXISTS "+db)
		return err
	}
	clear := func() error {
		for _, t := range tables {
			table := db + "." + sqlsyntax.Ident(t)
			for _, q := range []string{
				"CREATE TABLE " + table + " (id int)",
				"CREATE TRIGGER " + db + ".emcee_clear_bi BEFORE INSERT ON " + table + " FOR EACH ROW SET @emcee_clear = 1",
				// This one has a trigger to back up: it writes <table>.TRG- and deletes it.
				"CREATE TRIGGER " + db + ".emcee_clear_bu BEFORE UPDATE ON " + table + " FOR EACH ROW SET @emcee_clear = 1",
				"DROP TABLE " + table,
			} {
				if _, err := c.ExecContext(ctx, q); err != nil {
					_, _ = c.ExecContext(ctx, "DROP TABLE IF EXISTS "+table)
					return fmt.Errorf("%s: %v", q, err)
				}
			}
		}
		return nil
	}
	err = drop()
	var clearErr error
	for try := 0; try < tries && len(tables) > 0 && leftFile(err); try++ {
		if clearErr = clear(); clearErr != nil {
			break
		}
		err = drop()
	}
	if !leftFile(err) {
		return err
	}
	left := &Left{Database: name, Err: err, Clear: clearErr}
	_ = c.QueryRowContext(ctx, "SELECT @@datadir").Scan(&left.Dir)
	return left
}

// leftFile tells the server's error 1010 (error dropping database: its
// directory is not empty). Read here rather than by dbconn.ServerCode,
// which this package cannot import (see the package comment).
func leftFile(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1010
}

// Left is a database the server could not drop (error 1010): its
// directory holds a file the server left there itself, which Drop could
// not clear.
type Left struct {
	Database string
	Dir      string // the server's data directory, "" if unknown
	Err      error
	Clear    error // why the leftover could not be cleared, if it was tried and failed
}

func (e *Left) Error() string {
	return fmt.Sprintf("could not drop database %s (%v): %s; remove the *.TRG- files there, then DROP DATABASE %s", e.Database, e.Err, e.Cause(), sqlsyntax.Ident(e.Database))
}

func (e *Left) Unwrap() error { return e.Err }

// Cause says what the server left, and where: the directory, on the
// database server, of the file to remove.
func (e *Left) Cause() string {
	dir := "its directory in the server's data directory"
	if e.Dir != "" {
		dir = strings.TrimSuffix(e.Dir, "/") + "/" + e.Database + "/"
	}
	cleared := ""
	if e.Clear != nil {
		cleared = fmt.Sprintf(" (clearing it failed: %v)", e.Clear)
	}
	return fmt.Sprintf("its tables are gone, but %s on the database server holds a file the server does not remove: most likely <table>.TRG-, a trigger file's backup MariaDB 10.11 fails to delete when other DDL runs at the same moment as a CREATE TRIGGER%s", dir, cleared)
}
