package devdb

import (
	"context"
	"database/sql"
	"fmt"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Replay is the expected state of a database, as a recipe: a release
// snapshot, then recorded statements in the order they were applied. A
// database can be in the middle of a release, or of a revision, where no
// snapshot describes it; replaying is what tells its expected state. A
// replay of no steps is the snapshot itself.
type Replay struct {
	Base  *schema.Schema // nil: start from an empty schema
	Steps []Step
	// InFlight is the statement a stopped run had sent but not confirmed:
	// the server may or may not have applied it.
	InFlight *Step
}

// Step is one recorded statement.
type Step struct {
	Revision string // e.g. pike_expand01
	N        int    // its number in the revision, from 1
	SQL      string
}

// StepError is a recorded statement the dev database's server refused.
type StepError struct {
	Step Step
	Dev  string // the dev database, as messages show it
	Err  error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("statement %d of %s fails in dev database %s: %v\n  statement: %s", e.Step.N, e.Step.Revision, e.Dev, e.Err, sqlsyntax.OneLine(e.Step.SQL, 300))
}

func (e *StepError) Unwrap() error { return e.Err }

// Build creates base in the dev database (nil: nothing), then runs steps in
// order on its pinned session, calling after (when not nil) after each one
// with its index: lint inspects the dev database there.
func (d *DB) Build(ctx context.Context, base *schema.Schema, steps []Step, after func(i int) error) error {
	if base != nil && len(base.Tables) > 0 {
		drv, err := mysql.Open(d.Conn)
		if err != nil {
			return d.redact(err)
		}
		// The server defaults Atlas's driver read, which decide what it
		// leaves out of a column's charset and collation.
		var server [2]string
		var version string
		if err := d.Conn.QueryRowContext(ctx, "SELECT @@character_set_server, @@collation_server, VERSION()").Scan(&server[0], &server[1], &version); err != nil {
			return d.redact(err)
		}
		// A charset named alone has the project's target's default
		// collation in emcee's sessions (Spec.Target), as the plans'
		// statements had; without one, the server's flavour and version's
		// (MariaDB 11.4's utf8mb4 is utf8mb4_uca1400_ai_ci).
		flavour := d.target
		if flavour.Flavor == "" {
			var err error
			if flavour, err = project.TargetOf(version); err != nil {
				flavour = project.Target{Flavor: project.FlavorOf(version)}
			}
		}
		changes := make([]schema.Change, 0, len(base.Tables))
		for _, t := range base.Tables {
			// Created as the plans' statements create it (splitter.SQL).
			changes = append(changes, schemadef.WithCharsets(&schema.AddTable{T: t}, flavour, server))
		}
		unqualified := ""
		if err := drv.ApplyChanges(ctx, changes, func(o *migrate.PlanOptions) { o.SchemaQualifier = &unqualified }); err != nil {
			return fmt.Errorf("creating the release snapshot in dev database %s: %v", d, d.redact(err))
		}
	}
	for i, st := range steps {
		if _, err := d.Conn.ExecContext(ctx, st.SQL); err != nil {
			return &StepError{Step: st, Dev: d.String(), Err: d.redact(err)}
		}
		d.ran(st.SQL)
		if after != nil {
			if err := after(i); err != nil {
				return err
			}
		}
	}
	return nil
}

// Compare builds r in the dev database and compares the live database
// (name, read through the session live) with it. expected says in words
// what r is, e.g. "release ocata (plans/ocata/ocata.snapshot.hcl)". A
// statement r.InFlight is counted as applied when the live database
// differs less with it than without it.
func (d *DB) Compare(ctx context.Context, live *sql.Conn, name string, r *Replay, expected string) (*Report, error) {
	cur, err := inspect(ctx, live, name)
	if err != nil {
		return nil, err
	}
	if err := d.Build(ctx, r.Base, r.Steps, nil); err != nil {
		return nil, err
	}
	want, err := d.State(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := d.compare(cur, want.st, expected)
	if err == nil {
		rep.Notes = d.Notes()
	}
	if err != nil || rep.Clean() || r.InFlight == nil {
		return rep, err
	}
	// A statement the server refuses here could not have taken effect on
	// the live database either: the recorded state stands.
	if _, err := d.Conn.ExecContext(ctx, r.InFlight.SQL); err != nil {
		return rep, nil
	}
	d.ran(r.InFlight.SQL)
	if want, err = d.State(ctx); err != nil {
		return nil, err
	}
	// Atlas's diff takes out of the live schema it is given the indexes
	// the server made for foreign keys that the expected one lacks: read
	// again, the live schema has the index an in-flight ADD FOREIGN KEY
	// made (the comparison with it found it missing, and a killed run's
	// key counted as made by hand).
	if cur, err = inspect(ctx, live, name); err != nil {
		return nil, err
	}
	with, err := d.compare(cur, want.st, expected)
	if err != nil || with.Count() >= rep.Count() {
		return rep, err
	}
	with.InFlightApplied, with.Notes = true, rep.Notes
	return with, nil
}

// State is the dev database's schema at one moment (tables, triggers and
// views), to compare a later moment with: lint replays an expand and its
// rollback and compares the result with the state before the expand.
type State struct{ st *state }

// State reads the dev database as it is now.
func (d *DB) State(ctx context.Context) (*State, error) {
	st, err := inspect(ctx, d.Conn, d.Name)
	if err != nil {
		return nil, d.redact(err)
	}
	return &State{st}, nil
}

// Since compares the dev database as it is now with an earlier state of
// it, in the shape of every difference emcee reports: "missing" is in the
// earlier state but not now. expected says in words what earlier is.
func (d *DB) Since(ctx context.Context, earlier *State, expected string) (*Report, error) {
	now, err := d.State(ctx)
	if err != nil {
		return nil, err
	}
	return d.compare(now.st, earlier.st, expected)
}

// compare compares two states with the dev database's driver.
func (d *DB) compare(live, want *state, expected string) (*Report, error) {
	drv, err := mysql.Open(d.Conn)
	if err != nil {
		return nil, d.redact(err)
	}
	return compare(drv, live, want, expected)
}
