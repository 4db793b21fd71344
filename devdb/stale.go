package devdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/emcee-db/emcee/dbconn"
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
const scratchPrefix = sqlname.ScratchPrefix

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
			err = errors.Join(d.redact(err), release())
		}
	}()
	var now, id int64
	if err := c.QueryRowContext(ctx, "SELECT UNIX_TIMESTAMP(), CONNECTION_ID()").Scan(&now, &id); err != nil {
		return nil, err
	}
	d.Name = fmt.Sprintf("%s%d_%d", scratchPrefix, now, id)
	cfg.Database = d.Name
	if err := lock(ctx, c, d.Name, "scratch database "+d.Name); err != nil {
		return nil, err
	}
	if d.Dropped, d.undropped, err = dropStale(ctx, c); err != nil {
		return nil, fmt.Errorf("looking for scratch databases of killed runs on %s: %v", server.Addr, err)
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
		_, err := d.pool.ExecContext(ctx, "DROP DATABASE IF EXISTS "+sqlsyntax.Ident(d.Name))
		if dbconn.ServerCode(err) == 1010 {
			// The tables are dropped; the directory keeps a file the
			// server left itself: MariaDB 10.11 leaves a trigger file's
			// backup (t.TRG-) when trigger DDL runs at once in other
			// databases. Nothing of this run is left in it, so the run
			// does not fail for it; the next run that finds the database
			// says where the file is.
			err = nil
		}
		return errors.Join(err, release())
	}
	if _, err := c.ExecContext(ctx, "USE "+sqlsyntax.Ident(d.Name)); err != nil {
		return nil, errors.Join(err, d.close(context.WithoutCancel(ctx)))
	}
	return d, nil
}

// dropStale drops the temporary databases whose creating session is gone,
// and returns their names. One that is still locked is in use, whoever
// created it; a name emcee does not write is left alone.
func dropStale(ctx context.Context, c *sql.Conn) (dropped, undropped []string, err error) {
	var stale []string
	err = dbconn.EachRow(ctx, c, "SELECT SCHEMA_NAME, IS_USED_LOCK(SCHEMA_NAME) IS NULL FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'emcee\\_scratch\\_%'", nil, func(rows *sql.Rows) error {
		var name string
		var free bool
		err := rows.Scan(&name, &free)
		if _, _, scratch := sqlname.ScratchDatabase(name); err == nil && free && scratch {
			stale = append(stale, name)
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	for _, name := range stale {
		// Taking the lock first keeps two runs that both found it stale
		// from racing a third that, impossibly, reuses the name.
		if lock(ctx, c, name, name) != nil {
			continue
		}
		_, err := c.ExecContext(ctx, "DROP DATABASE IF EXISTS "+sqlsyntax.Ident(name))
		_, _ = c.ExecContext(ctx, "DO RELEASE_LOCK(?)", name)
		if err != nil {
			// Another user's, perhaps: the run goes on, and says so.
			how := "drop it by hand"
			if dbconn.ServerCode(err) == 1010 {
				// The server dropped the tables, then found files it did not
				// make in the directory: a second DROP fails the same way.
				how = "its tables are gone, but its directory in the server's data directory holds files the server does not know; remove them there, then DROP DATABASE " + sqlsyntax.Ident(name)
			}
			undropped = append(undropped, fmt.Sprintf("%s (%v), left by a run that ended without dropping it: %s", name, err, how))
			continue
		}
		dropped = append(dropped, name)
	}
	return dropped, undropped, nil
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
