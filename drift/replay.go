package drift

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/history"
)

// Replay is what a database's recorded revisions produced, as a recipe:
// the snapshot of the last release they completed, then the DDL of every
// later recorded revision in the order it was applied. A database can be in
// the middle of a release, or of a revision, where no snapshot describes
// it; replaying is what tells its expected state.
type Replay struct {
	Base  *schema.Schema // nil: start from an empty schema
	Steps []Step
	// InFlight is the statement a stopped run had sent but not confirmed:
	// the server may or may not have applied it.
	InFlight *Step
}

// Step is one statement of a recorded revision.
type Step struct {
	Revision string // e.g. pike_expand01
	N        int    // its number in the revision, from 1
	SQL      string
}

// Object lists what differs in one table or view.
type Object struct {
	Table       string       `json:"table"`
	Differences []Difference `json:"differences"`
}

// Replayed is the outcome of CompareReplay; no tables means no drift.
type Replayed struct {
	Tables []Object
	// InFlightApplied says the in-flight statement was counted as applied,
	// because the database differs less with it than without it.
	InFlightApplied bool
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// state is everything compared: tables through Atlas, and the triggers and
// views Atlas leaves out.
type state struct {
	schema   *schema.Schema
	triggers []trigger
	views    []view
}

// CompareReplay builds what r describes in a scratch database (devURL, or a
// temporary emcee_scratch_* one; see openScratch) and compares the live
// schema on conn with it. The version table is left out.
func CompareReplay(ctx context.Context, conn *sql.Conn, cfg *dbconn.Config, r *Replay, devURL string) (_ *Replayed, err error) {
	live, err := inspect(ctx, conn, cfg.Database)
	if err != nil {
		return nil, errors.New(cfg.Redact(err.Error()))
	}
	sc, err := openScratch(ctx, conn, cfg, devURL, "replay the recorded revisions")
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, sc.close(ctx)) }()
	drv, err := mysql.Open(sc.conn)
	if err != nil {
		return nil, sc.redact(err)
	}
	if r.Base != nil && len(r.Base.Tables) > 0 {
		changes := make([]schema.Change, 0, len(r.Base.Tables))
		for _, t := range r.Base.Tables {
			changes = append(changes, &schema.AddTable{T: t})
		}
		unqualified := ""
		if err := drv.ApplyChanges(ctx, changes, func(o *migrate.PlanOptions) { o.SchemaQualifier = &unqualified }); err != nil {
			return nil, fmt.Errorf("creating the release snapshot in the scratch database %s: %v", sc.name, sc.redact(err))
		}
	}
	for _, st := range r.Steps {
		if _, err := sc.conn.ExecContext(ctx, st.SQL); err != nil {
			return nil, fmt.Errorf("replaying %s statement %d in the scratch database %s failed: %v\n  statement: %s\nthe recorded revisions cannot be rebuilt on this server, so there is nothing to compare with; `emcee db version -v` shows what is recorded", st.Revision, st.N, sc.name, sc.redact(err), shorten(collapse(st.SQL), 300))
		}
	}
	want, err := inspect(ctx, sc.conn, sc.name)
	if err != nil {
		return nil, sc.redact(err)
	}
	objs, err := compareStates(drv, live, want)
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 || r.InFlight == nil {
		return &Replayed{Tables: objs}, nil
	}
	// A statement the server refuses here could not have taken effect on
	// the live database either: the recorded state stands.
	if _, err := sc.conn.ExecContext(ctx, r.InFlight.SQL); err != nil {
		return &Replayed{Tables: objs}, nil
	}
	if want, err = inspect(ctx, sc.conn, sc.name); err != nil {
		return nil, sc.redact(err)
	}
	with, err := compareStates(drv, live, want)
	if err != nil {
		return nil, err
	}
	if count(with) >= count(objs) {
		return &Replayed{Tables: objs}, nil
	}
	return &Replayed{Tables: with, InFlightApplied: true}, nil
}

func count(objs []Object) int {
	n := 0
	for _, o := range objs {
		n += len(o.Differences)
	}
	return n
}

func inspect(ctx context.Context, conn *sql.Conn, name string) (*state, error) {
	drv, err := mysql.Open(conn)
	if err != nil {
		return nil, err
	}
	s, err := drv.InspectSchema(ctx, name, &schema.InspectOptions{Mode: schema.InspectSchemas | schema.InspectTables})
	if err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", name, err)
	}
	s.Tables = slices.DeleteFunc(s.Tables, func(t *schema.Table) bool { return t.Name == history.Table })
	st := &state{schema: s}
	if st.triggers, err = inspectTriggers(ctx, conn, name); err != nil {
		return nil, err
	}
	if st.views, err = inspectViews(ctx, conn, name); err != nil {
		return nil, err
	}
	return st, nil
}

// compareStates lists the differences table by table (tables sorted by
// name), each worded against what the recorded revisions produce.
func compareStates(drv migrate.Driver, live, want *state) ([]Object, error) {
	// The scratch database's name and defaults are not something the
	// revisions produce.
	exp := *want.schema
	exp.Name, exp.Attrs = live.schema.Name, live.schema.Attrs
	changes, err := drv.SchemaDiff(live.schema, &exp)
	if err != nil {
		return nil, fmt.Errorf("comparing %s with what its recorded revisions produce: %w", live.schema.Name, err)
	}
	var all []located
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.AddTable:
			all = append(all, located{c.T.Name, Difference{Kind: "table", Name: c.T.Name, State: Missing}})
		case *schema.DropTable:
			all = append(all, located{c.T.Name, Difference{Kind: "table", Name: c.T.Name, State: Unexpected}})
		case *schema.ModifyTable:
			for _, d := range describe(c.Changes) {
				all = append(all, located{c.T.Name, d})
			}
		}
	}
	all = append(all, compareTriggers(live.triggers, want.triggers)...)
	all = append(all, compareViews(live.views, want.views)...)
	return group(all), nil
}

// group gathers differences per table, tables sorted by name, each
// difference worded for the recorded revisions.
func group(all []located) []Object {
	out := []Object{}
	for _, l := range all {
		l.Detail = l.recorded()
		i := slices.IndexFunc(out, func(o Object) bool { return o.Table == l.table })
		if i < 0 {
			out = append(out, Object{Table: l.table})
			i = len(out) - 1
		}
		out[i].Differences = append(out[i].Differences, l.Difference)
	}
	slices.SortStableFunc(out, func(a, b Object) int { return strings.Compare(a.Table, b.Table) })
	return out
}
