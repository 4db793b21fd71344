package drift

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/emcee-db/emcee/dbconn"
)

// scratch is an empty database on the live database's server in which an
// expected schema is built and inspected back, so that both sides of a
// comparison are spelled by the same server.
type scratch struct {
	// conn has the scratch database as its current database and the same
	// pinned session (sql_mode) as the live connection, so statements
	// replayed here behave as they did there.
	conn    *sql.Conn
	name    string
	cfg     *dbconn.Config
	cleanup []func(context.Context) error
}

// openScratch opens the dev database (devURL, which must be empty) or,
// without one, creates a temporary emcee_scratch_* database beside the live
// one. Either way the scratch database gets the live database's default
// charset and collation: tables created without explicit ones inherit
// them, and would otherwise differ from the live tables for no reason.
// purpose completes "to ..." in error messages.
func openScratch(ctx context.Context, live *sql.Conn, cfg *dbconn.Config, devURL, purpose string) (*scratch, error) {
	var charset, collation string
	if err := live.QueryRowContext(ctx, "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()").Scan(&charset, &collation); err != nil {
		return nil, err
	}
	s := &scratch{}
	if devURL == "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		s.name = "emcee_scratch_" + hex.EncodeToString(b)
		create := fmt.Sprintf("CREATE DATABASE `%s` CHARACTER SET %s COLLATE %s", s.name, charset, collation)
		if _, err := live.ExecContext(ctx, create); err != nil {
			return nil, fmt.Errorf("creating scratch database %s to %s: %v; grant CREATE and DROP on `emcee_scratch_%%`.* to %s, or pass --dev-url mysql://...@host/empty_db", s.name, purpose, err, cfg.User)
		}
		s.cleanup = append(s.cleanup, func(ctx context.Context) error {
			_, err := live.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+s.name+"`")
			return err
		})
		c := *cfg
		c.Database = s.name
		s.cfg = &c
	} else {
		dev, err := dbconn.Parse(devURL)
		if err != nil {
			return nil, fmt.Errorf("dev database: %w", err)
		}
		dev.From = "--dev-url or the env's dev"
		s.name, s.cfg = dev.Database, dev
	}
	if err := s.open(ctx, charset, collation, devURL != ""); err != nil {
		return nil, errors.Join(err, s.close(ctx))
	}
	return s, nil
}

func (s *scratch) open(ctx context.Context, charset, collation string, dev bool) error {
	db, err := dbconn.Open(ctx, s.cfg)
	if err != nil {
		if dev {
			return fmt.Errorf("dev database (an empty scratch database for schema comparisons; leave it out and emcee uses a temporary emcee_scratch_* one): %w", err)
		}
		return err
	}
	s.cleanup = append(s.cleanup, func(context.Context) error { return db.Close() })
	if s.conn, err = db.Conn(ctx); err != nil {
		return s.cfg.Explain(err)
	}
	s.cleanup = append(s.cleanup, func(context.Context) error { return s.conn.Close() })
	if !dev {
		return nil
	}
	var n int
	var first string
	if err := s.conn.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MIN(TABLE_NAME), '') FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()").Scan(&n, &first); err != nil {
		return s.redact(err)
	}
	if n > 0 {
		return fmt.Errorf("dev database %s is not empty (%d tables or views, e.g. %s): emcee builds schemas in it and empties it afterwards, so it must hold nothing else; point --dev-url (or the env's dev) at an empty database, or leave both out so that emcee uses a temporary emcee_scratch_* database", s.cfg, n, first)
	}
	s.cleanup = append(s.cleanup, func(ctx context.Context) error { return dbconn.DropAll(ctx, s.conn) })
	var devCharset, devCollation string
	if err := s.conn.QueryRowContext(ctx, "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()").Scan(&devCharset, &devCollation); err != nil {
		return s.redact(err)
	}
	if devCharset == charset && devCollation == collation {
		return nil
	}
	alter := "ALTER DATABASE `%s` CHARACTER SET %s COLLATE %s"
	if _, err := s.conn.ExecContext(ctx, fmt.Sprintf(alter, s.name, charset, collation)); err != nil {
		return fmt.Errorf("dev database %s has charset %s, the live database %s: giving it the live one failed: %v; grant ALTER on it, or create it with CHARACTER SET %s COLLATE %s", s.cfg, devCharset, charset, s.redact(err), charset, collation)
	}
	s.cleanup = append(s.cleanup, func(ctx context.Context) error {
		_, err := s.conn.ExecContext(ctx, fmt.Sprintf(alter, s.name, devCharset, devCollation))
		return err
	})
	return nil
}

// close undoes what open did, last step first, even after a cancelled
// context: a dev database left dirty would refuse the next run.
func (s *scratch) close(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for i := len(s.cleanup) - 1; i >= 0; i-- {
		if err := s.cleanup[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	s.cleanup = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cleaning up scratch database %s: %v; empty or drop it by hand", s.name, s.redact(err))
	}
	return nil
}

func (s *scratch) redact(err error) error {
	return errors.New(s.cfg.Redact(err.Error()))
}
