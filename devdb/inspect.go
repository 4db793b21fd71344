package devdb

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Atlas's open-source inspector reads base tables only, but emcee creates
// two other kinds of object: sync triggers during a column change and
// compatibility views during a table rename. They are read from
// information_schema and compared here.

// state is what emcee compares of a database: its tables through Atlas,
// and the triggers and views Atlas leaves out. emcee's own tables (the
// version table, accepted differences, the dev database's marker) are not
// part of it.
type state struct {
	Schema   *schema.Schema
	triggers []trigger
	views    []view
	others   []other
	// partitioning is how each partitioned table is partitioned ("KEY, 2
	// partitions"), which Atlas's inspection does not read.
	partitioning map[string]string
}

// other is an object of information_schema.TABLES that Atlas does not
// inspect and emcee never creates: a sequence or a system-versioned table
// (MariaDB). It is drift wherever it is found.
type other struct {
	Name string
	Kind string // "sequence", or "table" with Type saying which
	Type string // "system-versioned", ...
}

type trigger struct {
	Name, Table, Timing, Event string
	Body                       string // whitespace collapsed
}

type view struct {
	Name string
	// Definition is the SELECT without the schema qualifier the server
	// writes into every name, plus the options that change what the view
	// allows.
	Definition string
}

// located is a difference with the table (or view) it belongs to.
type located struct {
	table string
	Difference
}

// inspect reads the state of database name through the session c.
func inspect(ctx context.Context, c *sql.Conn, name string) (*state, error) {
	s, err := inspectTables(ctx, c, name)
	if err != nil {
		return nil, err
	}
	st := &state{Schema: s}
	if st.triggers, err = inspectTriggers(ctx, c, name); err != nil {
		return nil, err
	}
	if st.views, err = inspectViews(ctx, c, name); err != nil {
		return nil, err
	}
	if st.others, err = inspectOthers(ctx, c, name); err != nil {
		return nil, err
	}
	if st.partitioning, err = inspectPartitioning(ctx, c, name); err != nil {
		return nil, err
	}
	return st, nil
}

// Tables inspects the dev database's tables only: what lint compares
// after every statement it replays.
func (d *DB) Tables(ctx context.Context) (*schema.Schema, error) {
	s, err := inspectTables(ctx, d.Conn, d.Name)
	return s, d.redact(err)
}

func inspectTables(ctx context.Context, c *sql.Conn, name string) (*schema.Schema, error) {
	drv, err := mysql.Open(c)
	if err != nil {
		return nil, err
	}
	s, err := drv.InspectSchema(ctx, name, &schema.InspectOptions{Mode: schema.InspectSchemas | schema.InspectTables})
	if err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", name, err)
	}
	s.Tables = slices.DeleteFunc(s.Tables, func(t *schema.Table) bool { return sqlname.Own(t.Name) })
	return s, nil
}

func inspectTriggers(ctx context.Context, q *sql.Conn, schemaName string) ([]trigger, error) {
	var out []trigger
	err := dbconn.EachRow(ctx, q, "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? ORDER BY TRIGGER_NAME", []any{schemaName}, func(rows *sql.Rows) error {
		var t trigger
		err := rows.Scan(&t.Name, &t.Table, &t.Timing, &t.Event, &t.Body)
		if err == nil && !sqlname.Own(t.Table) {
			t.Body = sqlsyntax.OneLine(t.Body, 0)
			out = append(out, t)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the triggers of %s: %w", schemaName, err)
	}
	return out, nil
}

func inspectOthers(ctx context.Context, q *sql.Conn, schemaName string) ([]other, error) {
	var out []other
	err := dbconn.EachRow(ctx, q, "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE NOT IN ('BASE TABLE', 'VIEW') ORDER BY TABLE_NAME", []any{schemaName}, func(rows *sql.Rows) error {
		var o other
		var typ string
		err := rows.Scan(&o.Name, &typ)
		switch typ = strings.ToLower(typ); typ {
		case "sequence":
			o.Kind = "sequence"
		default:
			o.Kind, o.Type = "table", strings.ReplaceAll(typ, " ", "-")
		}
		if err == nil && !sqlname.Own(o.Name) {
			out = append(out, o)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the tables of %s: %w", schemaName, err)
	}
	return out, nil
}

func inspectPartitioning(ctx context.Context, q *sql.Conn, schemaName string) (map[string]string, error) {
	out := map[string]string{}
	err := dbconn.EachRow(ctx, q, "SELECT TABLE_NAME, MAX(PARTITION_METHOD), COUNT(DISTINCT PARTITION_NAME) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND PARTITION_NAME IS NOT NULL GROUP BY TABLE_NAME", []any{schemaName}, func(rows *sql.Rows) error {
		var table, method string
		var n int
		err := rows.Scan(&table, &method, &n)
		if err == nil && !sqlname.Own(table) {
			out[table] = fmt.Sprintf("%s, %d partitions", method, n)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the partitioning of %s: %w", schemaName, err)
	}
	return out, nil
}

// comparePartitioning lists the tables partitioned otherwise on each side.
func comparePartitioning(live, want map[string]string) []located {
	var out []located
	for _, t := range slices.Sorted(maps.Keys(live)) {
		switch w, ok := want[t]; {
		case !ok:
			out = append(out, located{t, Difference{Kind: "table option", Name: "partitioning", State: Unexpected, Live: live[t]}})
		case w != live[t]:
			out = append(out, located{t, Difference{Kind: "table option", Name: "partitioning", State: Differs, Live: live[t], Expected: w}})
		}
	}
	for _, t := range slices.Sorted(maps.Keys(want)) {
		if _, ok := live[t]; !ok {
			out = append(out, located{t, Difference{Kind: "table option", Name: "partitioning", State: Missing, Expected: want[t]}})
		}
	}
	return out
}

// compareOthers lists the sequences and system-versioned tables of one
// side that the other lacks.
func compareOthers(live, want []other) []located {
	var out []located
	for _, l := range live {
		if !slices.Contains(want, l) {
			out = append(out, located{l.Name, Difference{Kind: l.Kind, Name: l.Name, State: Unexpected, Live: l.Type}})
		}
	}
	for _, w := range want {
		if !slices.Contains(live, w) {
			out = append(out, located{w.Name, Difference{Kind: w.Kind, Name: w.Name, State: Missing, Expected: w.Type}})
		}
	}
	return out
}

func inspectViews(ctx context.Context, q *sql.Conn, schemaName string) ([]view, error) {
	var out []view
	err := dbconn.EachRow(ctx, q, "SELECT TABLE_NAME, VIEW_DEFINITION, SECURITY_TYPE, CHECK_OPTION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME", []any{schemaName}, func(rows *sql.Rows) error {
		var v view
		var def, security, check string
		err := rows.Scan(&v.Name, &def, &security, &check)
		v.Definition = viewDefinition(schemaName, def, security, check)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the views of %s: %w", schemaName, err)
	}
	return out, nil
}

// viewDefinition makes a view's definition comparable across databases:
// the server qualifies every table and column with the schema's name,
// which differs between the live and the scratch database.
func viewDefinition(schemaName, def, security, check string) string {
	d := sqlsyntax.OneLine(strings.ReplaceAll(def, sqlsyntax.Ident(schemaName)+".", ""), 0)
	d += ", sql security " + strings.ToLower(security)
	if check != "" && check != "NONE" {
		d += ", with " + strings.ToLower(check) + " check option"
	}
	return d
}

func compareTriggers(live, want []trigger) []located {
	var out []located
	for _, w := range want {
		i := slices.IndexFunc(live, func(l trigger) bool { return l.Name == w.Name })
		if i < 0 {
			out = append(out, located{w.Table, Difference{Kind: "trigger", Name: w.Name, State: Missing, Expected: w.Timing + " " + w.Event}})
			continue
		}
		l := live[i]
		switch {
		case l.Table != w.Table:
			out = append(out,
				located{l.Table, Difference{Kind: "trigger", Name: l.Name, State: Unexpected, Live: l.Timing + " " + l.Event}},
				located{w.Table, Difference{Kind: "trigger", Name: w.Name, State: Missing, Expected: w.Timing + " " + w.Event}})
		case l.Timing != w.Timing || l.Event != w.Event:
			out = append(out, located{w.Table, Difference{Kind: "trigger", Name: w.Name, State: Differs, Live: l.Timing + " " + l.Event, Expected: w.Timing + " " + w.Event}})
		case l.Body != w.Body:
			lb, wb := excerpts(l.Body, w.Body)
			out = append(out, located{w.Table, Difference{Kind: "trigger", Name: w.Name, State: Differs,
				Live: fmt.Sprintf("%s %s with body %s", l.Timing, l.Event, lb), Expected: fmt.Sprintf("body %s", wb)}})
		}
	}
	for _, l := range live {
		if !slices.ContainsFunc(want, func(w trigger) bool { return w.Name == l.Name }) {
			out = append(out, located{l.Table, Difference{Kind: "trigger", Name: l.Name, State: Unexpected, Live: l.Timing + " " + l.Event}})
		}
	}
	return out
}

func compareViews(live, want []view) []located {
	var out []located
	for _, w := range want {
		i := slices.IndexFunc(live, func(l view) bool { return l.Name == w.Name })
		switch {
		case i < 0:
			out = append(out, located{w.Name, Difference{Kind: "view", Name: w.Name, State: Missing, Expected: sqlsyntax.OneLine(w.Definition, 100)}})
		case live[i].Definition != w.Definition:
			lv, wv := excerpts(live[i].Definition, w.Definition)
			out = append(out, located{w.Name, Difference{Kind: "view", Name: w.Name, State: Differs, Live: lv, Expected: wv}})
		}
	}
	for _, l := range live {
		if !slices.ContainsFunc(want, func(w view) bool { return w.Name == l.Name }) {
			out = append(out, located{l.Name, Difference{Kind: "view", Name: l.Name, State: Unexpected, Live: sqlsyntax.OneLine(l.Definition, 100)}})
		}
	}
	return out
}

// excerpts cuts two texts around the first place where they differ, so
// that one line shows what differs in a long trigger body or view.
func excerpts(a, b string) (string, string) {
	ra, rb := []rune(a), []rune(b)
	i := 0
	for i < len(ra) && i < len(rb) && ra[i] == rb[i] {
		i++
	}
	cut := func(r []rune) string {
		from, to := max(0, i-20), min(len(r), i+40)
		s := string(r[from:to])
		if from > 0 {
			s = "..." + s
		}
		if to < len(r) {
			s += "..."
		}
		return s
	}
	return cut(ra), cut(rb)
}
