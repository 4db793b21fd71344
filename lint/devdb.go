package lint

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/emcee-db/emcee/dbconn"
)

// DevDB is the database the plans are replayed in: Atlas's dev database. It
// starts empty and is left empty, so it can be shared with other tools that
// need a scratch database.
type DevDB struct {
	// Name is the database as messages show it (no password).
	Name   string
	schema string
	db     *sql.DB
	close  func(context.Context) error
}

// OpenDev uses an existing empty database: --dev-url, or the dev of an env.
func OpenDev(ctx context.Context, cfg *dbconn.Config) (*DevDB, error) {
	db, err := dbconn.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("dev database: %w", err)
	}
	var table string
	err = db.QueryRowContext(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() LIMIT 1").Scan(&table)
	if !errors.Is(err, sql.ErrNoRows) {
		db.Close()
		if err != nil {
			return nil, cfg.Explain(err)
		}
		return nil, fmt.Errorf("dev database %s is not empty (it has %s): lint replays every plan in it from nothing, so it must be empty; empty it, or leave out --dev-url and the env's dev so that lint uses a temporary emcee_scratch_* database", cfg, table)
	}
	return &DevDB{Name: cfg.String(), schema: cfg.Database, db: db, close: func(ctx context.Context) error {
		defer db.Close()
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return dbconn.DropAll(ctx, conn)
	}}, nil
}

// OpenScratch creates a temporary emcee_scratch_* database on the server
// and drops it on Close.
func OpenScratch(ctx context.Context, server *dbconn.Config) (*DevDB, error) {
	admin, err := dbconn.OpenServer(ctx, server)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "emcee_scratch_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		admin.Close()
		return nil, fmt.Errorf("creating scratch database %s on %s to replay the plans in: %s; grant CREATE and DROP on `emcee_scratch_%%`.* to %s, or pass --dev-url mysql://...@host/empty_db", name, server.Addr, server.Redact(err.Error()), server.User)
	}
	drop := func(ctx context.Context) error {
		defer admin.Close()
		_, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`")
		return err
	}
	cfg := *server
	cfg.Database = name
	db, err := dbconn.Open(ctx, &cfg)
	if err != nil {
		return nil, errors.Join(err, drop(context.WithoutCancel(ctx)))
	}
	return &DevDB{Name: cfg.String(), schema: name, db: db, close: func(ctx context.Context) error {
		db.Close()
		return drop(ctx)
	}}, nil
}

// Close leaves the dev database as it was found: empty, or gone.
func (d *DevDB) Close(ctx context.Context) error { return d.close(context.WithoutCancel(ctx)) }
