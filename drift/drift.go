// Package drift compares a live schema with the schema a release declares,
// table by table, so that emcee never applies a plan to a database that is
// not in the state the plan was written for.
package drift

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlclient"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/history"
)

// Table lists what differs in one table.
type Table struct {
	Table       string   `json:"table"`
	Differences []string `json:"differences"`
}

// Report is the outcome of a comparison; no tables means no drift.
type Report struct {
	Expected string  `json:"expected"` // what the live schema was compared with
	Tables   []Table `json:"tables"`
}

func (r *Report) Clean() bool { return len(r.Tables) == 0 }

// String lists the differences, one table per paragraph.
func (r *Report) String() string {
	var b strings.Builder
	for _, t := range r.Tables {
		fmt.Fprintf(&b, "  table %s:\n", t.Table)
		for _, d := range t.Differences {
			fmt.Fprintf(&b, "    - %s\n", d)
		}
	}
	return b.String()
}

// Compare inspects the live schema on conn (the connection's current
// database) and compares it with want, the schema a release declares (nil
// for "no tables at all"). The version table is left out.
//
// A declared schema and an inspected one differ in form even when they
// describe the same tables (implicit charsets and collations, display
// widths, default expressions), so want is first normalised: created in a
// scratch database on the same server and inspected back. devURL names
// that scratch database (Atlas's dev database); when empty a temporary
// schema is created beside the target and dropped afterwards.
func Compare(ctx context.Context, conn *sql.Conn, cfg *dbconn.Config, want *schema.Schema, expected, devURL string) (*Report, error) {
	live, err := mysql.Open(conn)
	if err != nil {
		return nil, err
	}
	cur, err := live.InspectSchema(ctx, cfg.Database, &schema.InspectOptions{Mode: schema.InspectSchemas | schema.InspectTables})
	if err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", cfg.Database, err)
	}
	cur.Tables = slices.DeleteFunc(cur.Tables, func(t *schema.Table) bool { return t.Name == history.Table })
	norm := schema.New(cfg.Database)
	if want != nil && len(want.Tables) > 0 {
		if norm, err = normalize(ctx, conn, cfg, want, devURL); err != nil {
			return nil, err
		}
	}
	norm.Name = cur.Name
	norm.Attrs = cur.Attrs // schema defaults are the server's business, not the release's
	changes, err := live.SchemaDiff(cur, norm)
	if err != nil {
		return nil, fmt.Errorf("comparing %s with %s: %w", cfg.Database, expected, err)
	}
	rep := &Report{Expected: expected, Tables: []Table{}}
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.AddTable:
			rep.add(c.T.Name, "missing: "+expected+" has this table, the database does not")
		case *schema.DropTable:
			rep.add(c.T.Name, "unexpected: the database has this table, "+expected+" does not")
		case *schema.ModifyTable:
			for _, d := range describe(c.Changes) {
				rep.add(c.T.Name, d)
			}
		}
	}
	slices.SortFunc(rep.Tables, func(a, b Table) int { return strings.Compare(a.Table, b.Table) })
	return rep, nil
}

func (r *Report) add(table, d string) {
	for i := range r.Tables {
		if r.Tables[i].Table == table {
			r.Tables[i].Differences = append(r.Tables[i].Differences, d)
			return
		}
	}
	r.Tables = append(r.Tables, Table{Table: table, Differences: []string{d}})
}

// describe words each change from the point of view of the live database:
// "missing" is declared but absent, "unexpected" is present but undeclared.
func describe(changes []schema.Change) []string {
	var out []string
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.AddColumn:
			out = append(out, fmt.Sprintf("column %s is missing (declared %s)", c.C.Name, column(c.C)))
		case *schema.DropColumn:
			out = append(out, fmt.Sprintf("column %s is unexpected (%s, not declared)", c.C.Name, column(c.C)))
		case *schema.ModifyColumn:
			out = append(out, fmt.Sprintf("column %s is %s, declared %s", c.From.Name, column(c.From), column(c.To)))
		case *schema.AddIndex:
			out = append(out, fmt.Sprintf("index %s is missing (declared %s)", c.I.Name, index(c.I)))
		case *schema.DropIndex:
			out = append(out, fmt.Sprintf("index %s is unexpected (%s, not declared)", c.I.Name, index(c.I)))
		case *schema.ModifyIndex:
			out = append(out, fmt.Sprintf("index %s is %s, declared %s", c.From.Name, index(c.From), index(c.To)))
		case *schema.AddPrimaryKey:
			out = append(out, fmt.Sprintf("primary key is missing (declared %s)", index(c.P)))
		case *schema.DropPrimaryKey:
			out = append(out, fmt.Sprintf("primary key %s is unexpected", index(c.P)))
		case *schema.ModifyPrimaryKey:
			out = append(out, fmt.Sprintf("primary key is %s, declared %s", index(c.From), index(c.To)))
		case *schema.AddForeignKey:
			out = append(out, fmt.Sprintf("foreign key %s is missing", c.F.Symbol))
		case *schema.DropForeignKey:
			out = append(out, fmt.Sprintf("foreign key %s is unexpected", c.F.Symbol))
		case *schema.ModifyForeignKey:
			out = append(out, fmt.Sprintf("foreign key %s differs from its declaration", c.From.Symbol))
		case *schema.AddCheck:
			out = append(out, fmt.Sprintf("check %s is missing (%s)", c.C.Name, c.C.Expr))
		case *schema.DropCheck:
			out = append(out, fmt.Sprintf("check %s is unexpected (%s)", c.C.Name, c.C.Expr))
		case *schema.ModifyCheck:
			out = append(out, fmt.Sprintf("check %s is %s, declared %s", c.From.Name, c.From.Expr, c.To.Expr))
		case *schema.ModifyAttr:
			out = append(out, fmt.Sprintf("table option %s, declared %s", attr(c.From), attr(c.To)))
		case *schema.AddAttr:
			out = append(out, fmt.Sprintf("table option %s is declared but not set", attr(c.A)))
		case *schema.DropAttr:
			out = append(out, fmt.Sprintf("table option %s is set but not declared", attr(c.A)))
		default:
			out = append(out, fmt.Sprintf("%T", c))
		}
	}
	return out
}

func column(c *schema.Column) string {
	t, err := mysql.FormatType(c.Type.Type)
	if err != nil {
		t = c.Type.Raw
	}
	if c.Type.Null {
		t += " NULL"
	} else {
		t += " NOT NULL"
	}
	if c.Default != nil {
		switch d := c.Default.(type) {
		case *schema.Literal:
			t += " DEFAULT " + d.V
		case *schema.RawExpr:
			t += " DEFAULT (" + d.X + ")"
		}
	}
	return t
}

func index(i *schema.Index) string {
	var parts []string
	for _, p := range i.Parts {
		switch {
		case p.C != nil:
			parts = append(parts, p.C.Name)
		case p.X != nil:
			parts = append(parts, "expression")
		}
	}
	s := "(" + strings.Join(parts, ", ") + ")"
	if i.Unique {
		s = "UNIQUE " + s
	}
	return s
}

func attr(a schema.Attr) string {
	switch a := a.(type) {
	case *schema.Charset:
		return "charset " + a.V
	case *schema.Collation:
		return "collate " + a.V
	case *schema.Comment:
		return fmt.Sprintf("comment %q", a.Text)
	case *mysql.Engine:
		return "engine " + a.V
	case *mysql.AutoIncrement:
		return "auto_increment"
	}
	return fmt.Sprintf("%T", a)
}

// normalize creates the declared schema in a scratch database and inspects
// it back, so both sides of the comparison come from the same server.
func normalize(ctx context.Context, conn *sql.Conn, cfg *dbconn.Config, want *schema.Schema, devURL string) (*schema.Schema, error) {
	url := devURL
	if url == "" {
		var charset, collation string
		if err := conn.QueryRowContext(ctx, "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()").Scan(&charset, &collation); err != nil {
			return nil, err
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name := "emcee_scratch_" + hex.EncodeToString(b)
		create := fmt.Sprintf("CREATE DATABASE `%s` CHARACTER SET %s COLLATE %s", name, charset, collation)
		if _, err := conn.ExecContext(ctx, create); err != nil {
			return nil, fmt.Errorf("creating scratch database %s to normalise the declared schema: %v; grant CREATE and DROP on `emcee_scratch_%%`.* to %s, or pass --dev-url mysql://...@host/empty_db", name, err, cfg.User)
		}
		defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS `"+name+"`") }()
		url = cfg.URL(name)
	}
	client, err := sqlclient.Open(ctx, url)
	if err != nil {
		name := "the dev database"
		if dev, perr := dbconn.Parse(url); perr == nil {
			name = "dev database " + dev.String()
			err = errors.New(dev.Redact(err.Error()))
		}
		return nil, fmt.Errorf("%s: %s: it must exist and be empty; create it, or leave out --dev-url and the env's dev so that emcee uses a temporary emcee_scratch_* database", name, cfg.Redact(err.Error()))
	}
	defer client.Close()
	cp := *want
	norm, err := client.Driver.(schema.Normalizer).NormalizeSchema(ctx, &cp)
	if err != nil {
		return nil, fmt.Errorf("normalising %s in the dev database: %s", want.Name, cfg.Redact(err.Error()))
	}
	return norm, nil
}
