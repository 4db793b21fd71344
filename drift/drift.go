// Package drift compares a live schema with the schema a release declares,
// or with what the revisions recorded in it produce, table by table, so that
// emcee never applies a plan to a database that is not in the state the
// plan was written for, and an operator can see what changed by hand.
package drift

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/schemadef"
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
				rep.add(c.T.Name, d.declared())
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

// Difference is one thing that differs, from the live database's point of
// view: "missing" is expected but absent, "unexpected" is present but not
// expected, "differs" is present in another form.
type Difference struct {
	Kind     string `json:"kind"` // table, view, column, index, primary key, foreign key, check, table option, trigger
	Name     string `json:"name"`
	State    string `json:"state"`              // missing, unexpected or differs
	Live     string `json:"live,omitempty"`     // the object as the database has it
	Expected string `json:"expected,omitempty"` // the object as it should be
	Detail   string `json:"detail"`             // the line emcee prints
}

const (
	Missing    = "missing"
	Unexpected = "unexpected"
	Differs    = "differs"
)

func (d Difference) subject() string {
	if d.Name == "" {
		return d.Kind
	}
	return d.Kind + " " + d.Name
}

// declared words a difference against a declared schema.
func (d Difference) declared() string {
	switch {
	case d.State == Missing:
		if d.Expected == "" {
			return d.subject() + " is missing"
		}
		return fmt.Sprintf("%s is missing (declared %s)", d.subject(), d.Expected)
	case d.State == Unexpected && d.Live != "":
		return fmt.Sprintf("%s is unexpected (%s, not declared)", d.subject(), d.Live)
	case d.State == Unexpected:
		return d.subject() + " is unexpected (not declared)"
	case d.Live == "":
		return d.subject() + " differs from its declaration"
	}
	return fmt.Sprintf("%s is %s, declared %s", d.subject(), d.Live, d.Expected)
}

// recorded words a difference against what recorded revisions produce.
func (d Difference) recorded() string {
	switch {
	case d.State == Missing:
		return d.subject() + " is missing" + paren(d.Expected) + ": the recorded revisions produce it"
	case d.State == Unexpected:
		return d.subject() + " is unexpected" + paren(d.Live) + ": not produced by the recorded revisions"
	case d.Live == "":
		return d.subject() + " differs from what the recorded revisions produce"
	}
	return fmt.Sprintf("%s is %s: the recorded revisions produce %s", d.subject(), d.Live, d.Expected)
}

// paren puts s in parentheses after a word, unless it already is one
// parenthesised group, such as an index's column list.
func paren(s string) string {
	if s == "" {
		return ""
	}
	depth := 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 {
			if i == len(s)-1 && s[0] == '(' {
				return " " + s
			}
			break
		}
	}
	return " (" + s + ")"
}

// describe turns Atlas's changes to one table (live -> expected) into
// differences; Detail is left to the caller, which knows what "expected" was.
func describe(changes []schema.Change) []Difference {
	var out []Difference
	add := func(kind, name, state, live, expected string) {
		out = append(out, Difference{Kind: kind, Name: name, State: state, Live: live, Expected: expected})
	}
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.AddColumn:
			add("column", c.C.Name, Missing, "", schemadef.ColumnDef(c.C))
		case *schema.DropColumn:
			add("column", c.C.Name, Unexpected, schemadef.ColumnDef(c.C), "")
		case *schema.ModifyColumn:
			from, to := schemadef.ColumnDef(c.From), schemadef.ColumnDef(c.To)
			if from == to {
				from, to = from+collation(c.From), to+collation(c.To)
			}
			add("column", c.From.Name, Differs, from, to)
		case *schema.AddIndex:
			add("index", c.I.Name, Missing, "", index(c.I))
		case *schema.DropIndex:
			add("index", c.I.Name, Unexpected, index(c.I), "")
		case *schema.ModifyIndex:
			add("index", c.From.Name, Differs, index(c.From), index(c.To))
		case *schema.AddPrimaryKey:
			add("primary key", "", Missing, "", index(c.P))
		case *schema.DropPrimaryKey:
			add("primary key", "", Unexpected, index(c.P), "")
		case *schema.ModifyPrimaryKey:
			add("primary key", "", Differs, index(c.From), index(c.To))
		case *schema.AddForeignKey:
			add("foreign key", c.F.Symbol, Missing, "", foreignKey(c.F))
		case *schema.DropForeignKey:
			add("foreign key", c.F.Symbol, Unexpected, foreignKey(c.F), "")
		case *schema.ModifyForeignKey:
			add("foreign key", c.From.Symbol, Differs, foreignKey(c.From), foreignKey(c.To))
		case *schema.AddCheck:
			add("check", c.C.Name, Missing, "", c.C.Expr)
		case *schema.DropCheck:
			add("check", c.C.Name, Unexpected, c.C.Expr, "")
		case *schema.ModifyCheck:
			add("check", c.From.Name, Differs, c.From.Expr, c.To.Expr)
		case *schema.ModifyAttr:
			add("table option", attrName(c.From), Differs, attrValue(c.From), attrValue(c.To))
		case *schema.AddAttr:
			add("table option", attrName(c.A), Missing, "", attrValue(c.A))
		case *schema.DropAttr:
			add("table option", attrName(c.A), Unexpected, attrValue(c.A), "")
		default:
			// Atlas has more kinds of change than a plain diff of two
			// inspected schemas produces; name the kind rather than hide it.
			add("change", fmt.Sprintf("%T", c), Differs, "", "")
		}
	}
	return out
}

// collation tells apart two columns that print the same: they differ in
// charset or collation, which column leaves out because it is usually the
// table's.
func collation(c *schema.Column) string {
	var s string
	for _, a := range c.Attrs {
		switch a := a.(type) {
		case *schema.Charset:
			s += " CHARACTER SET " + a.V
		case *schema.Collation:
			s += " COLLATE " + a.V
		}
	}
	return s
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

func foreignKey(f *schema.ForeignKey) string {
	cols := func(cs []*schema.Column) string {
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		return "(" + strings.Join(names, ", ") + ")"
	}
	ref := ""
	if f.RefTable != nil {
		ref = f.RefTable.Name + " "
	}
	s := cols(f.Columns) + " REFERENCES " + ref + cols(f.RefColumns)
	if f.OnDelete != "" && f.OnDelete != schema.NoAction && f.OnDelete != schema.Restrict {
		s += " ON DELETE " + string(f.OnDelete)
	}
	if f.OnUpdate != "" && f.OnUpdate != schema.NoAction && f.OnUpdate != schema.Restrict {
		s += " ON UPDATE " + string(f.OnUpdate)
	}
	return s
}

func attrName(a schema.Attr) string {
	switch a.(type) {
	case *schema.Charset:
		return "charset"
	case *schema.Collation:
		return "collate"
	case *schema.Comment:
		return "comment"
	case *mysql.Engine:
		return "engine"
	case *mysql.AutoIncrement:
		return "auto_increment"
	}
	return fmt.Sprintf("%T", a)
}

func attrValue(a schema.Attr) string {
	switch a := a.(type) {
	case *schema.Charset:
		return a.V
	case *schema.Collation:
		return a.V
	case *schema.Comment:
		return fmt.Sprintf("%q", a.Text)
	case *mysql.Engine:
		return a.V
	case *mysql.AutoIncrement:
		return fmt.Sprint(a.V)
	}
	return "?"
}

// normalize creates the declared schema in a scratch database and inspects
// it back, so both sides of the comparison come from the same server.
func normalize(ctx context.Context, conn *sql.Conn, cfg *dbconn.Config, want *schema.Schema, devURL string) (norm *schema.Schema, err error) {
	sc, err := openScratch(ctx, conn, cfg, devURL, "normalise the declared schema")
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, sc.close(ctx)) }()
	drv, err := mysql.Open(sc.conn)
	if err != nil {
		return nil, sc.redact(err)
	}
	cp := *want
	if norm, err = drv.(schema.Normalizer).NormalizeSchema(ctx, &cp); err != nil {
		return nil, fmt.Errorf("normalising %s in the scratch database %s: %s", want.Name, sc.name, cfg.Redact(sc.redact(err).Error()))
	}
	return norm, nil
}
