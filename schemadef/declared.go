package schemadef

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// Declared makes a schema Atlas inspected what the same schema declared in
// HCL evaluates to, where the server spells it otherwise. A release
// declared as SQL (sqlrelease) and the release `emcee init` adopts from a
// database both go through it: the pipeline compares them with releases
// declared in HCL, and a person reads and edits the adopted one.
func Declared(s *schema.Schema) {
	for _, t := range s.Tables {
		t.Attrs = slices.DeleteFunc(t.Attrs, func(a schema.Attr) bool {
			switch a := a.(type) {
			case *mysql.AutoIncrement:
				// A counter, not schema: the next value of a table that
				// holds rows.
				return true
			case *mysql.Engine:
				// InnoDB is what a table declaring no engine gets. Another
				// engine is written even where it is the server's default,
				// for the release's validation to refuse.
				a.Default = false
				return strings.EqualFold(a.V, mysql.EngineInnoDB)
			}
			return false
		})
		for _, c := range t.Columns {
			c.Default = declaredDefault(c)
			if u, ok := Attr[*mysql.OnUpdate](c.Attrs); ok {
				u.A = now(u.A)
			}
		}
		t.Indexes = slices.DeleteFunc(t.Indexes, func(idx *schema.Index) bool { return implicit(t, idx) })
		// What the server reports for a foreign key declared without ON
		// UPDATE / ON DELETE: InnoDB's default, which HCL leaves out.
		for _, fk := range t.ForeignKeys {
			for _, o := range []*schema.ReferenceOption{&fk.OnUpdate, &fk.OnDelete} {
				if *o == schema.Restrict {
					*o = ""
				}
			}
		}
	}
}

// declaredDefault is a column's default as HCL declares it: false and true
// for a bool (the server says 0 and 1), CURRENT_TIMESTAMP for the current
// time (the server says current_timestamp()).
func declaredDefault(c *schema.Column) schema.Expr {
	switch d := c.Default.(type) {
	case *schema.Literal:
		if _, ok := c.Type.Type.(*schema.BoolType); ok {
			switch d.V {
			case "0":
				return &schema.Literal{V: "false"}
			case "1":
				return &schema.Literal{V: "true"}
			}
		}
	case *schema.RawExpr:
		return &schema.RawExpr{X: now(d.X)}
	}
	return c.Default
}

// now is CURRENT_TIMESTAMP[(n)] for an expression that is the current
// time, x itself otherwise.
func now(x string) string {
	if sqlsyntax.SameExpr(x, "CURRENT_TIMESTAMP") {
		return "CURRENT_TIMESTAMP"
	}
	for n := 1; n <= 6; n++ {
		if want := fmt.Sprintf("CURRENT_TIMESTAMP(%d)", n); sqlsyntax.SameExpr(x, want) {
			return want
		}
	}
	return x
}

// implicit reports an index InnoDB creates by itself for a foreign key: of
// the key's name and columns, when no other index leads with them. The
// server reports it like a declared one (and mysqldump writes it), but a
// release declaring the key alone, in HCL, creates the same index.
func implicit(t *schema.Table, idx *schema.Index) bool {
	if idx.Unique {
		return false
	}
	for _, fk := range t.ForeignKeys {
		if !strings.EqualFold(fk.Symbol, idx.Name) || !Leads(idx, fk.Columns) || len(idx.Parts) != len(fk.Columns) {
			continue
		}
		return !slices.ContainsFunc(t.Indexes, func(o *schema.Index) bool { return o != idx && Leads(o, fk.Columns) })
	}
	return false
}

// ImplicitIndex reports that the server gives a foreign key of a declared
// table an index of its own, named after the key: no index the table
// declares leads with the key's columns. Dropping the key leaves that
// index behind.
func ImplicitIndex(t *schema.Table, fk *schema.ForeignKey) bool {
	return !slices.ContainsFunc(t.Indexes, func(o *schema.Index) bool { return Leads(o, fk.Columns) })
}

// KeyIndexes are the indexes the server makes for a declared table's
// foreign keys when it creates the table (mysql_prepare_create_table): one
// for each key no declared index leads with (ImplicitIndex), named after
// the key and over its columns, less those another of them leads with; of
// two over the same columns, the later key's stays.
func KeyIndexes(t *schema.Table) []*schema.Index {
	var made []*schema.Index
	for _, fk := range t.ForeignKeys {
		if !ImplicitIndex(t, fk) {
			continue
		}
		idx := &schema.Index{Name: fk.Symbol, Table: t}
		for _, c := range fk.Columns {
			idx.Parts = append(idx.Parts, &schema.IndexPart{C: c, SeqNo: len(idx.Parts) + 1})
		}
		made = append(made, idx)
	}
	var out []*schema.Index
	for i, idx := range made {
		cols := make([]*schema.Column, len(idx.Parts))
		for k, p := range idx.Parts {
			cols[k] = p.C
		}
		if !slices.ContainsFunc(made, func(o *schema.Index) bool {
			j := slices.Index(made, o)
			return j != i && Leads(o, cols) && (len(o.Parts) > len(cols) || j > i)
		}) {
			out = append(out, idx)
		}
	}
	return out
}

// Leads reports whether an index's first parts are the columns, whole: an
// index the server can use for a foreign key over them.
func Leads(idx *schema.Index, cols []*schema.Column) bool {
	if len(idx.Parts) < len(cols) {
		return false
	}
	for i, c := range cols {
		p := idx.Parts[i]
		if p.C == nil || p.C.Name != c.Name || slices.ContainsFunc(p.Attrs, func(a schema.Attr) bool { _, ok := a.(*mysql.SubPart); return ok }) {
			return false
		}
	}
	return true
}
