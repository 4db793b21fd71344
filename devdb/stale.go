package devdb

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
	"github.com/emcee-db/emcee/internal/dropdb"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A temporary dev database is named emcee_scratch_<created>_<session>: the
// server's clock when it was created (Unix seconds) and the server
// connection id of the session that created it. That session takes a
// server-wide lock of the same name before it creates the database and
// holds it until the database is dropped. The server releases the lock
// when the session ends, however the process ended (kill -9, a lost
// connection), so any run can tell a temporary database in use from one a
// killed run left behind, without trusting clocks: unlocked means stale.
func openTemp(ctx context.Context, server *dbconn.Config, charset, collation string) (_ *DB, err error) {
	pool, err := dbconn.OpenServer(ctx, server)
	if err != nil {
		return nil, err
	}
	c, err := pool.Conn(ctx)
	if err != nil {
		pool.Close()
		return nil, server.Explain(err)
	}
	cfg := *server
	d := &DB{Conn: c, pool: pool, cfg: &cfg}
	release := func() error { d.Conn.Close(); return d.pool.Close() }
	defer func() {
		if err != nil {
			// What dropStale found is said with the failure: a database
			// it marked (ScratchLeftTable) is never said again.
			var notes []error
			for _, n := range d.Notes() {
				notes = append(notes, errors.New(n))
			}
			err = errors.Join(append([]error{d.redact(err), release()}, notes...)...)
		}
	}()
	var now, id int64
	if err := c.QueryRowContext(ctx, "SELECT UNIX_TIMESTAMP(), CONNECTION_ID()").Scan(&now, &id); err != nil {
		return nil, err
	}
	d.Name = fmt.Sprintf("%s%d_%d", sqlname.ScratchPrefix, now, id)
	cfg.Database = d.Name
	if err := lock(ctx, c, d.Name, "scratch database "+d.Name); err != nil {
		return nil, err
	}
	var left []string
	if d.Dropped, d.undropped, left, err = dropStale(ctx, c); err != nil {
		return nil, fmt.Errorf("looking for scratch databases of killed runs on %s: %v", server.Addr, err)
	}
	if err := ctx.Err(); err != nil {
		// Interrupted while cleaning up: what failed next is no missing
		// privilege.
		return nil, fmt.Errorf("interrupted while looking for scratch databases of killed runs on %s (%v)", server.Addr, err)
	}
	create := "CREATE DATABASE " + sqlsyntax.Ident(d.Name)
	if charset != "" {
		create += " CHARACTER SET " + sqlsyntax.Ident(charset) + " COLLATE " + sqlsyntax.Ident(collation)
	}
	if _, err := c.ExecContext(ctx, create); err != nil {
		return nil, fmt.Errorf("creating scratch database %s on %s: %v; grant CREATE and DROP on `emcee_scratch_%%`.* to %s, or pass --dev-url mysql://...@host/empty_db", d.Name, server.Addr, err, server.User)
	}
	d.close = func(ctx context.Context) error {
		// Any session will do: the lock is only released after the drop,
		// when this session ends.
		c, err := d.pool.Conn(ctx)
		if err == nil {
			err = dropScratch(ctx, c, d.Name, d.triggered...)
			if errors.As(err, new(*LeftError)) {
				markLeft(ctx, c, d.Name)
			}
			c.Close()
		}
		return errors.Join(err, release())
	}
	if _, err := c.ExecContext(ctx, "USE "+sqlsyntax.Ident(d.Name)); err != nil {
		return nil, errors.Join(err, d.close(context.WithoutCancel(ctx)))
	}
	// Open is done, and its caller says the notes next: the databases it
	// could not drop are marked only now, so that a run that ends before
	// (killed, interrupted, refused) leaves them to the next run to say.
	for _, name := range left {
		markLeft(ctx, c, name)
		_, _ = c.ExecContext(ctx, "DO RELEASE_LOCK(?)", name)
	}
	return d, nil
}

// dropStale drops the temporary databases whose creating session is gone,
// and returns their names. One that is still locked is in use, whoever
// created it; a name emcee does not write is left alone, and so is one a
// run could not drop and has said so (LeftError, marked), until the
// operator has removed the server's file and dropped it. The ones it
// cannot drop for that reason are returned in left, still locked, for
// the caller to mark once it is about to say so.
func dropStale(ctx context.Context, c *sql.Conn) (dropped, undropped, left []string, err error) {
	var stale []string
	err = dbconn.EachRow(ctx, c, "SELECT s.SCHEMA_NAME, IS_USED_LOCK(s.SCHEMA_NAME) IS NULL AND t.TABLE_NAME IS NULL FROM information_schema.SCHEMATA s LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME AND t.TABLE_NAME = ? WHERE s.SCHEMA_NAME LIKE 'emcee\\_scratch\\_%'", []any{sqlname.ScratchLeftTable}, func(rows *sql.Rows) error {
		var name string
		var free bool
		err := rows.Scan(&name, &free)
		if _, _, scratch := sqlname.ScratchDatabase(name); err == nil && free && scratch {
			stale = append(stale, name)
		}
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	for _, name := range stale {
		// Taking the lock first keeps two runs that both found it stale
		// from racing a third that, impossibly, reuses the name.
		if lock(ctx, c, name, name) != nil {
			continue
		}
		err := dropScratch(ctx, c, name)
		var leftErr *LeftError
		if errors.As(err, &leftErr) {
			left = append(left, name)
		} else {
			_, _ = c.ExecContext(ctx, "DO RELEASE_LOCK(?)", name)
		}
		if err != nil {
			// Another user's, perhaps: the run goes on, and says so.
			how := "drop it by hand"
			if leftErr != nil {
				how = leftErr.What()
				err = leftErr.Err
			} else if ctx.Err() != nil {
				// Interrupted, not refused: the next run drops it.
				break
			}
			undropped = append(undropped, fmt.Sprintf("%s (%v), left by a run that ended without dropping it: %s", name, err, how))
			continue
		}
		dropped = append(dropped, name)
	}
	return dropped, undropped, left, nil
}

// dropScratch drops a temporary database of emcee's, clearing what
// MariaDB 10.11 may have left in its directory (internal/dropdb says
// what); a leftover it cannot clear is a *LeftError, which the caller
// marks (markLeft) once it is about to say so. triggered are the tables
// the run created triggers on (DB.ran).
func dropScratch(ctx context.Context, c *sql.Conn, name string, triggered ...string) error {
	err := dropdb.Drop(ctx, c, name, triggered...)
	if left, ok := errors.AsType[*dropdb.Left](err); ok {
		return &LeftError{left}
	}
	return err
}

// markLeft marks a temporary database the server could not drop
// (ScratchLeftTable), so that later runs leave it alone instead of
// repeating the same note on every run. Its tables are gone; the marker is
// the only one left, and goes with the operator's DROP DATABASE. A marker
// that cannot be made (no privilege) only means the note comes again.
func markLeft(ctx context.Context, c *sql.Conn, name string) {
	_, _ = c.ExecContext(ctx, "CREATE TABLE "+sqlsyntax.Ident(name)+"."+sqlsyntax.Ident(sqlname.ScratchLeftTable)+" (id int) COMMENT "+sqlsyntax.String("emcee: the server could not drop this temporary database (error 1010); remove the *.TRG- files from its directory, then DROP DATABASE it"))
}

// LeftError is a temporary dev database the server could not drop (error
// 1010): its directory holds a file the server left there itself
// (dropdb.Left). The run that meets it goes on; it is said once, and later
// runs leave the database alone.
type LeftError struct{ *dropdb.Left }

func (e *LeftError) Error() string {
	return fmt.Sprintf("could not drop scratch database %s (%v): %s", e.Database, e.Err, e.What())
}

func (e *LeftError) Unwrap() error { return e.Err }

// What says what the operator has to do.
func (e *LeftError) What() string {
	return fmt.Sprintf("%s; remove the *.TRG- files there (leave %s.*, emcee's marker, to the DROP), then DROP DATABASE %s; emcee runs leave it alone until then", e.Cause(), sqlname.ScratchLeftTable, sqlsyntax.Ident(e.Database))
}

// ran takes note of a statement run in the dev database: the table of a
// CREATE TRIGGER is one whose trigger file's backup the server may leave
// (dropScratch), even if the table is dropped later.
func (d *DB) ran(q string) {
	if !strings.Contains(strings.ToUpper(q), "TRIGGER") {
		return
	}
	st, err := sqlsyntax.ReadStmt(q)
	if err == nil && st.Trigger != nil && !st.Trigger.Drop && !slices.Contains(d.triggered, st.Trigger.Table) {
		d.triggered = append(d.triggered, st.Trigger.Table)
	}
}

// Notes says what opening the dev database cleaned up, for the run's output.
func (d *DB) Notes() []string {
	var out []string
	for _, name := range d.Dropped {
		when := ""
		if created, _, ok := sqlname.ScratchDatabase(name); ok {
			if secs, err := strconv.ParseInt(created, 10, 64); err == nil {
				when = ", created " + time.Unix(secs, 0).UTC().Format("2006-01-02 15:04:05 UTC") + ","
			}
		}
		out = append(out, fmt.Sprintf("dropped scratch database %s%s left by a run that ended without dropping it (killed, or its connection lost)", name, when))
	}
	for _, u := range d.undropped {
		out = append(out, "could not drop scratch database "+u)
	}
	if d.Emptied {
		out = append(out, fmt.Sprintf("emptied dev database %s first: a run that ended without emptying it (killed, or its connection lost) had left its schemas there", d))
	}
	return out
}
