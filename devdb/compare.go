package devdb

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Report is the outcome of a comparison of a live database with its
// expected state. Every client prints it with String and serialises it as
// it is, so a difference reads the same in `db diff`, the expand preflight
// and `db baseline`.
type Report struct {
	Expected string   `json:"expected"` // what the live database was compared with
	Tables   []Object `json:"tables"`   // the differences; none means no drift
	// Accepted are differences an operator accepted when adopting the
	// database (baseline --allow-drift): listed, but not drift.
	Accepted []Object `json:"accepted,omitempty"`
	// Excluded are tables no release declares whose names the env's
	// exclude patterns match (an application's runtime tables, Matomo's
	// monthly archives): listed, but not drift.
	Excluded []Object `json:"excluded,omitempty"`
	// InFlightApplied says the replay's in-flight statement was counted as
	// applied, because the database differs less with it than without it.
	InFlightApplied bool `json:"-"`
	// Notes say what the dev database's opening cleaned up after killed runs.
	Notes []string `json:"notes,omitempty"`
}

// Object lists what differs in one table, or one view. A trigger is listed
// under its table, a view under its own name.
type Object struct {
	Table       string       `json:"table"`
	Differences []Difference `json:"differences"`
}

// Kind is "view" for a view's differences, "sequence" for a sequence's,
// else "table".
func (o Object) Kind() string {
	if len(o.Differences) > 0 && (o.Differences[0].Kind == "view" || o.Differences[0].Kind == "sequence") {
		return o.Differences[0].Kind
	}
	return "table"
}

// Difference is one thing that differs, from the live database's point of
// view: "missing" is expected but absent, "unexpected" is present but not
// expected, "differs" is present in another form.
type Difference struct {
	Kind     string `json:"kind"` // table, view, sequence, column, index, primary key, foreign key, check, table option, trigger
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

func (r *Report) Clean() bool { return len(r.Tables) == 0 }

// Count is the number of differences, accepted ones left out.
func (r *Report) Count() int { return count(r.Tables) }

func count(objs []Object) int {
	n := 0
	for _, o := range objs {
		n += len(o.Differences)
	}
	return n
}

// String lists the differences, one table or view per paragraph:
//
//	table images:
//	  - column extra is unexpected (int NULL)
func (r *Report) String() string { return text(r.Tables) }

// AcceptedString lists the accepted differences the same way.
func (r *Report) AcceptedString() string { return text(r.Accepted) }

func text(objs []Object) string {
	var b strings.Builder
	for _, o := range objs {
		// An unexpected table is named by whoever created it: an escape
		// sequence in its name cleared the operator's screen.
		fmt.Fprintf(&b, "%s %s:\n", o.Kind(), sqlname.Displayable(o.Table))
		for _, d := range o.Differences {
			fmt.Fprintf(&b, "  - %s\n", sqlname.Displayable(d.Detail))
		}
	}
	return b.String()
}

// Summary counts the differences and where they are, e.g. "2 differences
// in 1 table and 1 view".
func (r *Report) Summary() string { return summary(r.Tables) }

// AcceptedSummary counts the accepted differences the same way.
func (r *Report) AcceptedSummary() string { return summary(r.Accepted) }

// ExcludedNames are the excluded tables, for a line that names them.
func (r *Report) ExcludedNames() string {
	names := make([]string, len(r.Excluded))
	for i, o := range r.Excluded {
		names[i] = sqlname.Displayable(o.Table)
	}
	return strings.Join(names, ", ")
}

// UnexpectedTables are the tables of r that no release declares (their
// whole table is unexpected), nil for a nil report.
func (r *Report) UnexpectedTables() []string {
	if r == nil {
		return nil
	}
	var out []string
	for _, o := range r.Tables {
		if slices.ContainsFunc(o.Differences, func(d Difference) bool { return d.Kind == "table" && d.State == Unexpected }) {
			out = append(out, o.Table)
		}
	}
	return out
}

// Exclude takes from r the tables that are unexpected as a whole and that
// no release declares (declared tells, asked only of a table a pattern
// matches), whose names the exclude patterns match, with whatever else is
// said of them (a trigger on one): an application that creates tables as
// it runs (Matomo's archive_numeric_2024_05 next month) left every later
// expand refused as drift. A table the releases declare is compared
// whatever the patterns say: one in the state expected, and one a later
// release creates, which is unexpected before its expand (a leftover of
// that name, left out, let the preflight pass and expand fail at its
// CREATE TABLE, after the statements before it had run).
func (r *Report) Exclude(patterns []string, declared func(table string) bool) {
	if len(patterns) == 0 {
		return
	}
	whole := map[string]bool{}
	for _, t := range r.UnexpectedTables() {
		if project.Excluded(patterns, t) && !declared(t) {
			whole[t] = true
		}
	}
	r.Excluded = append(r.Excluded, r.Take(func(table string, _ Difference) bool { return whole[table] })...)
}

func summary(objs []Object) string {
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.Kind()]++
	}
	var where []string
	for _, k := range []string{"table", "view", "sequence"} {
		if kinds[k] > 0 {
			where = append(where, sqlsyntax.Plural(kinds[k], k))
		}
	}
	return sqlsyntax.Plural(count(objs), "difference") + " in " + sqlsyntax.Series(where, "and")
}

func (d Difference) subject() string {
	if d.Name == "" {
		return d.Kind
	}
	return d.Kind + " " + d.Name
}

// line words a difference; what it was compared with is the report's.
func (d Difference) line() string {
	switch {
	case d.State == Missing:
		return d.subject() + " is missing" + paren(d.Expected)
	case d.State == Unexpected:
		return d.subject() + " is unexpected" + paren(d.Live)
	case d.Live == "":
		return d.subject() + " differs"
	}
	return fmt.Sprintf("%s is %s, expected %s", d.subject(), d.Live, d.Expected)
}

// compare lists the differences between two states table by table (tables
// sorted by name).
func compare(drv migrate.Driver, live, want *state, expected string) (*Report, error) {
	// The dev database's name and defaults are not part of what is expected.
	exp := *want.Schema
	exp.Name, exp.Attrs = live.Schema.Name, live.Schema.Attrs
	changes, err := drv.SchemaDiff(live.Schema, &exp)
	if err != nil {
		return nil, fmt.Errorf("comparing %s with %s: %w", live.Schema.Name, expected, err)
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
	all = append(all, compareBools(live.Schema, &exp, all)...)
	all = append(all, compareAutoIncrement(live.Schema, &exp, all)...)
	all = append(all, compareTriggers(live.triggers, want.triggers)...)
	all = append(all, compareViews(live.views, want.views)...)
	all = append(all, compareOthers(live.others, want.others)...)
	all = append(all, comparePartitioning(live.partitioning, want.partitioning)...)
	return &Report{Expected: expected, Tables: group(all)}, nil
}

// compareBools finds the columns both sides hold as integers of display
// width 1 of different types (a bool made int(1) or tinyint(1) unsigned
// by hand): Atlas reads every such integer as a bool, and its diff said
// the database matched, the next release changing the column making it a
// tinyint(1) again over the values written since (e2e
// TestAttack2S26BoolWidenedByHandIsDrift). A column the diff already
// reports is left to it.
func compareBools(live, want *schema.Schema, found []located) []located {
	return compareColumns(live, want, found, func(lc, wc *schema.Column) (string, string, bool) {
		lraw, lok := schemadef.RawBool(lc)
		wraw, wok := schemadef.RawBool(wc)
		def := func(c *schema.Column, raw string) string {
			return raw + strings.TrimPrefix(schemadef.ColumnDef(c), schemadef.TypeName(c.Type))
		}
		return def(lc, lraw), def(wc, wraw), lok && wok && lraw != wraw
	})
}

// compareAutoIncrement finds the columns one side numbers (AUTO_INCREMENT)
// and the other does not: Atlas's diff does not compare it, and a column
// whose numbering was dropped by hand, or that plans never gave it (a
// column made AUTO_INCREMENT was planned as nothing: LimeSurvey 1.92's
// survey_url_parameters.id), was said to match, the release's inserts
// leaving it out then failing. A column the diff already reports is left
// to it.
func compareAutoIncrement(live, want *schema.Schema, found []located) []located {
	def := func(c *schema.Column) (string, bool) {
		if _, ok := schemadef.Attr[*mysql.AutoIncrement](c.Attrs); ok {
			return schemadef.ColumnDef(c) + " AUTO_INCREMENT", true
		}
		return schemadef.ColumnDef(c), false
	}
	return compareColumns(live, want, found, func(lc, wc *schema.Column) (string, string, bool) {
		l, ln := def(lc)
		w, wn := def(wc)
		return l, w, ln != wn
	})
}

// compareColumns reports each column both sides have that differs as
// differ says (its live and expected definitions), unless the diff already
// reports it.
func compareColumns(live, want *schema.Schema, found []located, differ func(lc, wc *schema.Column) (l, w string, differs bool)) []located {
	var out []located
	for _, lt := range live.Tables {
		wt, ok := want.Table(lt.Name)
		if !ok {
			continue
		}
		for _, lc := range lt.Columns {
			wc, ok := wt.Column(lc.Name)
			if !ok || slices.ContainsFunc(found, func(l located) bool { return l.table == lt.Name && l.Kind == "column" && l.Name == lc.Name }) {
				continue
			}
			if l, w, differs := differ(lc, wc); differs {
				out = append(out, located{lt.Name, Difference{Kind: "column", Name: lc.Name, State: Differs, Live: l, Expected: w}})
			}
		}
	}
	return out
}

// group gathers differences per table, tables sorted by name.
func group(all []located) []Object {
	out := []Object{}
	for _, l := range all {
		l.Detail = l.line()
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
			name, from := attr(c.From)
			_, to := attr(c.To)
			add("table option", name, Differs, from, to)
		case *schema.AddAttr:
			name, v := attr(c.A)
			add("table option", name, Missing, "", v)
		case *schema.DropAttr:
			name, v := attr(c.A)
			add("table option", name, Unexpected, v, "")
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
	return effect.IndexDef(i.Unique, parts)
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

// attr is a table option's name and value, as a difference says them.
func attr(a schema.Attr) (name, value string) {
	switch a := a.(type) {
	case *schema.Charset:
		return "charset", a.V
	case *schema.Collation:
		return "collate", a.V
	case *schema.Comment:
		return "comment", fmt.Sprintf("%q", a.Text)
	case *mysql.Engine:
		return "engine", a.V
	case *mysql.AutoIncrement:
		return "auto_increment", fmt.Sprint(a.V)
	}
	return fmt.Sprintf("%T", a), "?"
}
