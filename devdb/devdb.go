// Package devdb owns the dev database: an empty database on a MySQL or
// MariaDB server in which emcee builds the state another database is
// expected to be in (a release snapshot, then recorded statements, on one
// pinned session), inspects it (tables, triggers, views) and compares it
// with a live database. The expand preflight, `db baseline`, `db diff` and
// lint's replay all go through it, so they agree on what "expected" and
// "differs" mean and print differences in one shape.
//
// The dev database is either the one an operator names (--dev-url, or the
// dev of an env: it must be empty, and is left empty), or a temporary
// emcee_scratch_* database beside the live one, dropped afterwards.
// Temporaries that a killed run left behind are dropped by the next run
// that creates one (stale.go).
package devdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Spec says which dev database to use.
type Spec struct {
	// URL names an existing, empty dev database (mysql://...). Empty: a
	// temporary emcee_scratch_* database is created on Beside's server.
	URL    string
	Beside *dbconn.Config
	// Like, when set, is the live database: the dev database takes its
	// default charset and collation, which tables created without explicit
	// ones inherit and would otherwise differ in for no reason.
	Like *sql.Conn
	// Charset and Collation, when Like is nil, are the defaults the dev
	// database is given for the run (a release declared as SQL is
	// evaluated under the defaults the offline planner assumes).
	Charset, Collation string
	// Target is the project's: a charset named alone has its default
	// collation in the dev database's sessions (dbconn.Config.Collations)
	// and in the tables Build creates, as in the live database's. Unset,
	// the dev server's version decides.
	Target project.Target
}

// DB is an open dev database.
type DB struct {
	Name string // the database (schema) name
	// Conn is one pinned session with Name as its current database and the
	// session settings emcee pins on every connection (sql_mode, time zone),
	// so that statements replayed here behave as they did on the live
	// database, and a session variable one statement sets holds for the next.
	Conn *sql.Conn
	// Dropped lists the temporary databases of killed runs that were
	// dropped while this one was opened.
	Dropped []string
	// Emptied says the dev database held what a killed run had built in it,
	// and was emptied first.
	Emptied bool

	undropped []string       // stale temporaries this session could not drop, with why
	opened    *[2]string     // the default before the first SetDefault
	target    project.Target // Spec.Target
	triggered []string       // tables this run created triggers on (ran)
	cfg       *dbconn.Config
	pool      *sql.DB
	close     func(context.Context) error
}

// String is the dev database as messages show it, password masked.
func (d *DB) String() string { return d.cfg.String() }

// ParseURL reads a dev database URL. Only MySQL and MariaDB servers are
// supported: Atlas's docker:// dev URLs would need emcee to start a
// container, and silently falling back to a temporary database on the live
// server instead would put scratch schemas where the operator did not say.
func ParseURL(raw string) (*dbconn.Config, error) {
	cfg, err := dbconn.Parse(raw)
	if err == nil {
		cfg.From = "--dev-url or the env's dev"
		return cfg, nil
	}
	if u, uerr := url.Parse(raw); uerr == nil && u.Scheme != "" && !strings.HasPrefix(u.Scheme, "mysql") && !strings.HasPrefix(u.Scheme, "maria") {
		return nil, fmt.Errorf("dev database: scheme %s:// is not supported (emcee does not start containers for Atlas's docker:// dev databases): point --dev-url or the env's dev at an empty database on a running MySQL or MariaDB server, e.g. mysql://root:pass@127.0.0.1:3306/emcee_dev, or remove both so that emcee creates a temporary emcee_scratch_* database beside the target database", u.Scheme)
	}
	return nil, fmt.Errorf("dev database (--dev-url or the env's dev): %w", err)
}

const unreachable = "dev database (an empty database for schema comparisons; leave it out and emcee uses a temporary emcee_scratch_* one): %w"

// Check makes sure a dev database URL is usable before anything changes,
// rather than at the drift check of a later release in the middle of a sync.
// An empty URL needs nothing.
func Check(ctx context.Context, raw string) error {
	if raw == "" {
		return nil
	}
	cfg, err := ParseURL(raw)
	if err != nil {
		return err
	}
	db, err := dbconn.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf(unreachable, err)
	}
	return db.Close()
}

// Open opens the dev database s names: empty on return, and left empty (or
// gone) by Close.
func Open(ctx context.Context, s Spec) (*DB, error) {
	def := [2]string{s.Charset, s.Collation}
	var err error
	if s.Like != nil {
		if def, err = defaultOf(ctx, s.Like); err != nil {
			return nil, fmt.Errorf("reading the live database's default charset: %w", err)
		}
	}
	var d *DB
	switch {
	case s.URL != "":
		d, err = openDev(ctx, s.URL, s.Like, def[0], def[1], schemadef.CharsetCollations(s.Target))
	case s.Beside == nil:
		return nil, errors.New("no dev database: pass --dev-url mysql://user@host/empty_db, or a database URL beside which emcee creates a temporary emcee_scratch_* one")
	default:
		server := *s.Beside
		if s.Target.Flavor != "" {
			server.Collations = schemadef.CharsetCollations(s.Target)
		}
		d, err = openTemp(ctx, &server, def[0], def[1])
	}
	if err != nil {
		return nil, err
	}
	d.target = s.Target
	return d, nil
}

// SetDefault gives the dev database another default charset and
// collation (either may be empty: the server completes it from the
// other), which the tables created next take: a release declared as SQL
// that declares the default of its database is evaluated under it.
// ResetDefault gives back the one it was opened with, Close its own.
func (d *DB) SetDefault(ctx context.Context, charset, collation string) error {
	if d.opened == nil {
		cur, err := defaultOf(ctx, d.Conn)
		if err != nil {
			return d.redact(err)
		}
		d.opened = &cur
	}
	stmt := "ALTER DATABASE " + sqlsyntax.Ident(d.Name)
	if charset != "" {
		stmt += " CHARACTER SET " + sqlsyntax.Ident(charset)
	}
	if collation != "" {
		stmt += " COLLATE " + sqlsyntax.Ident(collation)
	}
	_, err := d.Conn.ExecContext(ctx, stmt)
	return d.redact(err)
}

// defaultOf is the default charset and collation of the session's
// current database.
func defaultOf(ctx context.Context, c *sql.Conn) (def [2]string, err error) {
	err = c.QueryRowContext(ctx, "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()").Scan(&def[0], &def[1])
	return def, err
}

// ResetDefault undoes SetDefault.
func (d *DB) ResetDefault(ctx context.Context) error {
	if d.opened == nil {
		return nil
	}
	return d.SetDefault(ctx, d.opened[0], d.opened[1])
}

// Close leaves the dev database as Open found it: empty with its own
// charset, or dropped. It works after a cancelled context too, and on a new
// session if the pinned one was lost: a dev database left dirty would refuse
// the next run. A temporary database the server could not drop is a
// *LeftError: not a failure of the run, but for the operator to see.
func (d *DB) Close(ctx context.Context) error {
	if d.close == nil {
		return nil
	}
	err := d.close(context.WithoutCancel(ctx))
	d.close = nil
	if left, ok := errors.AsType[*LeftError](err); ok {
		// The run's work is done and nothing of it is left; what the
		// operator has to do is in the error itself.
		return left
	}
	if err != nil {
		return fmt.Errorf("cleaning up dev database %s: %v; empty or drop it by hand", d, d.redact(err))
	}
	return nil
}

func (d *DB) redact(err error) error { return d.cfg.RedactErr(err) }

// session is the pinned session if it still answers, else a new one: a
// query cancelled by its context leaves the driver's connection unusable.
func (d *DB) session(ctx context.Context) (*sql.Conn, func(), error) {
	if d.Conn != nil && d.Conn.PingContext(ctx) == nil {
		return d.Conn, func() {}, nil
	}
	c, err := d.pool.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { c.Close() }, nil
}

// markerTable is what emcee creates first in a dev database it was given:
// a later run that finds it there (and no run holding the dev database's
// lock) knows the rest is what a killed run built, not someone's data, and
// empties it. It keeps the dev database's own charset for the restore.
const markerTable = sqlname.DevMarkerTable

// devLock names the server-wide lock a run holds while it uses a dev
// database, so that two runs never build in one database at once. Lock
// names are limited to 64 characters, database names are not short enough.
// Not apply's dbLock: see there why the two stay apart.
func devLock(database string) string {
	h := sha256.Sum256([]byte(database))
	return "emcee_dev_" + hex.EncodeToString(h[:12])
}

func openDev(ctx context.Context, raw string, like *sql.Conn, charset, collation, collations string) (_ *DB, err error) {
	cfg, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	cfg.Collations = collations
	d := &DB{Name: cfg.Database, cfg: cfg}
	if d.pool, err = dbconn.Open(ctx, cfg); err != nil {
		return nil, fmt.Errorf(unreachable, err)
	}
	if d.Conn, err = d.pool.Conn(ctx); err != nil {
		d.pool.Close()
		return nil, cfg.Explain(err)
	}
	release := func() error { d.Conn.Close(); return d.pool.Close() }
	defer func() {
		if err != nil {
			err = errors.Join(d.redact(err), release())
		}
	}()
	if like != nil {
		// Emptying the dev database afterwards must never empty the live one.
		where := "SELECT CONCAT(@@hostname, ':', @@port, '/', DATABASE())"
		var live, dev string
		if err := like.QueryRowContext(ctx, where).Scan(&live); err != nil {
			return nil, err
		}
		if err := d.Conn.QueryRowContext(ctx, where).Scan(&dev); err != nil {
			return nil, err
		}
		if live == dev {
			return nil, fmt.Errorf("dev database %s is the target database itself: emcee builds schemas in the dev database and empties it afterwards; point --dev-url (or the env's dev) at another, empty database", cfg)
		}
	}
	if err := lock(ctx, d.Conn, devLock(d.Name), fmt.Sprintf("dev database %s", cfg)); err != nil {
		return nil, err
	}
	var n int
	var first string
	var marked bool
	if err := d.Conn.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MIN(TABLE_NAME), ''), COALESCE(MAX(TABLE_NAME = ?), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()", markerTable).Scan(&n, &first, &marked); err != nil {
		return nil, err
	}
	cur, err := defaultOf(ctx, d.Conn)
	if err != nil {
		return nil, err
	}
	own := cur
	switch {
	case marked:
		// A killed run built here; its lock went with its session.
		if err := d.Conn.QueryRowContext(ctx, "SELECT own_charset, own_collation FROM "+sqlsyntax.Ident(markerTable)).Scan(&own[0], &own[1]); err != nil {
			return nil, err
		}
		if err := dropAll(ctx, d.Conn); err != nil {
			return nil, err
		}
		d.Emptied = true
	case n > 0:
		return nil, fmt.Errorf("dev database %s is not empty (%d tables or views, e.g. %s): emcee builds schemas in it and empties it afterwards, so it must hold nothing else; point --dev-url (or the env's dev) at an empty database, or leave both out so that emcee uses a temporary emcee_scratch_* database", cfg, n, first)
	default:
		var fn string
		if err := d.Conn.QueryRowContext(ctx, "SELECT COALESCE(MIN(ROUTINE_NAME), '') FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'FUNCTION'").Scan(&fn); err != nil {
			return nil, err
		}
		if fn != "" {
			return nil, fmt.Errorf("dev database %s is not empty (it holds the stored function %s): emcee builds schemas in it, copies the stored functions a release calls there, and empties it afterwards, so it must hold nothing else; point --dev-url (or the env's dev) at an empty database, or leave both out so that emcee uses a temporary emcee_scratch_* database", cfg, fn)
		}
	}
	if _, err := d.Conn.ExecContext(ctx, "CREATE TABLE "+sqlsyntax.Ident(markerTable)+" (own_charset varchar(64) NOT NULL, own_collation varchar(64) NOT NULL) COMMENT 'emcee: a run is building schemas in this dev database and empties it when done'"); err != nil {
		return nil, fmt.Errorf("dev database %s: creating %s: %v; grant CREATE, DROP and ALTER on it", cfg, markerTable, err)
	}
	if _, err := d.Conn.ExecContext(ctx, "INSERT INTO "+sqlsyntax.Ident(markerTable)+" VALUES (?, ?)", own[0], own[1]); err != nil {
		return nil, err
	}
	alter := func(ctx context.Context, c *sql.Conn, to [2]string) error {
		_, err := c.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s CHARACTER SET %s COLLATE %s", sqlsyntax.Ident(d.Name), sqlsyntax.Ident(to[0]), sqlsyntax.Ident(to[1])))
		return err
	}
	target := own
	if charset != "" {
		target = [2]string{charset, collation}
	}
	if cur != target {
		if err := alter(ctx, d.Conn, target); err != nil {
			// Nothing was built and the default did not change: the
			// marker goes, or the next run would empty "what a killed run
			// left".
			_, _ = d.Conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+sqlsyntax.Ident(markerTable))
			way := fmt.Sprintf("grant ALTER on it, or create it with CHARACTER SET %s COLLATE %s", target[0], target[1])
			if dbconn.ServerError(err, 1273, 1115) { // unknown collation, unknown charset
				way = fmt.Sprintf("its server has no %s %s: give a dev database on a server of the project's target", target[0], target[1])
			}
			whose := "the live database's"
			if like == nil {
				whose = "the plans'" // the project's target's, or its release's declared default
			}
			return nil, fmt.Errorf("dev database %s has default %s %s, %s %s %s: giving it that one failed: %v; %s", cfg, cur[0], cur[1], whose, target[0], target[1], err, way)
		}
	}
	restore := func(ctx context.Context, c *sql.Conn) error {
		if target == own && d.opened == nil {
			return nil
		}
		return alter(ctx, c, own)
	}
	d.close = func(ctx context.Context) error {
		c, done, err := d.session(ctx)
		if err != nil {
			return errors.Join(err, release())
		}
		defer done()
		if c != d.Conn && lock(ctx, c, devLock(d.Name), "") != nil {
			// The lost session's lock went with it, and another run has
			// taken the dev database since: it empties it when done.
			return release()
		}
		// The marker goes last: a run killed in between leaves it, and
		// the next run empties the rest.
		err = dropAll(ctx, c, markerTable)
		if err == nil {
			err = restore(ctx, c)
		}
		if err == nil {
			_, err = c.ExecContext(ctx, "DROP TABLE IF EXISTS "+sqlsyntax.Ident(markerTable))
		}
		return errors.Join(err, release())
	}
	return d, nil
}

// lockWait is how long a run waits for the dev database's lock: the
// session of a run that just ended can hold it a moment longer, until the
// server has noticed the closed connection (seen under load when commands
// run back to back), while a run that is really building takes far longer.
const lockWait = 3

// lock takes a server-wide named lock on the pinned session, or says which
// session holds it. The server releases it when the session ends, however
// the run ends.
func lock(ctx context.Context, c *sql.Conn, name, what string) error {
	var got sql.NullInt64
	if err := c.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, lockWait).Scan(&got); err != nil {
		return err
	}
	if got.Int64 == 1 {
		return nil
	}
	var holder sql.NullInt64
	_ = c.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", name).Scan(&holder)
	return fmt.Errorf("%s is in use by another emcee run (server connection %d): wait for it to finish, or use another empty database; if that run was killed and its session lingers on the server, end it with KILL %d", what, holder.Int64, holder.Int64)
}

// dropAll drops every view and table of the session's current database
// (triggers go with their tables), except keep, and the stored functions
// copied there to run the release's statements (FireTriggers). Views go
// first, and foreign keys are not checked meanwhile, so that no order
// between tables is needed.
func dropAll(ctx context.Context, c *sql.Conn, keep ...string) error {
	functions, err := dbconn.Strings(ctx, c, "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'FUNCTION'")
	if err != nil {
		return err
	}
	var drops []string
	for _, name := range functions {
		drops = append(drops, "DROP FUNCTION IF EXISTS "+sqlsyntax.Ident(name))
	}
	err = dbconn.EachRow(ctx, c, "SELECT TABLE_NAME, TABLE_TYPE = 'VIEW' FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_TYPE = 'VIEW' DESC", nil, func(rows *sql.Rows) error {
		var name string
		var view bool
		err := rows.Scan(&name, &view)
		switch {
		case err != nil || slices.Contains(keep, name):
		case view:
			drops = append(drops, "DROP VIEW IF EXISTS "+sqlsyntax.Ident(name))
		default:
			drops = append(drops, "DROP TABLE IF EXISTS "+sqlsyntax.Ident(name))
		}
		return err
	})
	if err != nil {
		return err
	}
	if _, err := c.ExecContext(ctx, "SET SESSION foreign_key_checks = 0"); err != nil {
		return err
	}
	defer func() { _, _ = c.ExecContext(ctx, "SET SESSION foreign_key_checks = 1") }()
	for _, q := range drops {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
