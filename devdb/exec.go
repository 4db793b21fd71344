package devdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// ExecError is a statement the dev database's server refused.
type ExecError struct {
	Index int // of the statement, from 0
	Err   error
	// Code is the server's error number (0 for none): Err is redacted
	// text, which ServerError can no longer tell.
	Code uint16
}

func (e *ExecError) Error() string { return e.Err.Error() }
func (e *ExecError) Unwrap() error { return e.Err }

// Exec runs statements in order in the dev database, on a session of
// their own that is closed afterwards: what they set (sql_mode,
// foreign_key_checks, the connection's charset) never reaches the pinned
// session that inspects and empties the database. The caller has checked
// every statement; a refused one is an *ExecError. Before each statement
// i, check (when not nil) looks at the session it runs on; its error stops
// the run and is returned as it is.
func (d *DB) Exec(ctx context.Context, stmts []string, check func(ctx context.Context, i int, session *sql.Conn) error) error {
	c, err := d.pool.Conn(ctx)
	if err != nil {
		return d.cfg.Explain(err)
	}
	// Closed, not returned to the pool: the session is what the statements
	// made of it.
	defer func() { _ = c.Raw(func(any) error { return driver.ErrBadConn }); c.Close() }()
	if _, err := c.ExecContext(ctx, "USE "+sqlsyntax.Ident(d.Name)); err != nil {
		return d.redact(err)
	}
	for i, q := range stmts {
		if check != nil {
			if err := check(ctx, i, c); err != nil {
				return err
			}
		}
		if _, err := c.ExecContext(ctx, q); err != nil {
			return &ExecError{Index: i, Err: d.redact(err), Code: dbconn.ServerCode(err)}
		}
		d.ran(q)
	}
	return nil
}

// Empty drops every table and view of the dev database but emcee's own
// marker: the dev database as Open left it.
func (d *DB) Empty(ctx context.Context) error {
	if err := dropAll(ctx, d.Conn, markerTable); err != nil {
		return fmt.Errorf("emptying dev database %s: %v", d, d.redact(err))
	}
	return nil
}
