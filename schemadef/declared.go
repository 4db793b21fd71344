package schemadef

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
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
// time (the server says current_timestamp()), and a number Atlas cannot
// write as an HCL number as the expression it is (sql("1e100")).
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
		if unwritable(c, d.V) {
			return &schema.RawExpr{X: d.V}
		}
	case *schema.RawExpr:
		return &schema.RawExpr{X: now(d.X)}
	}
	return c.Default
}

// unwritable reports a number default Atlas fails to write as an HCL
// number: one without a dot that is no 64-bit integer, as a double's
// 1e100 or a DECIMAL(65,0)'s 30 digits (Atlas parses it as one, and
// emcee init, or the planning of a SQL release, stopped with
// "strconv.ParseInt: parsing "1e100": invalid syntax"). A text column's
// default is text, whatever it reads like.
func unwritable(c *schema.Column, v string) bool {
	if c.Type == nil || Textual(c.Type.Type) || strings.Contains(v, ".") {
		return false
	}
	if _, err := strconv.ParseFloat(v, 64); err != nil && !errors.Is(err, strconv.ErrRange) {
		return false // not a number
	}
	_, errInt := strconv.ParseInt(v, 10, 64)
	_, errUint := strconv.ParseUint(v, 10, 64)
	return errInt != nil && errUint != nil
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
		if strings.EqualFold(fk.Symbol, idx.Name) && Leads(idx, fk.Columns) && len(idx.Parts) == len(fk.Columns) {
			return !(t.PrimaryKey != nil && Leads(t.PrimaryKey, fk.Columns)) && !slices.ContainsFunc(t.Indexes, func(o *schema.Index) bool { return o != idx && Leads(o, fk.Columns) })
		}
	}
	return false
}

// ImplicitIndex reports that the server gives a foreign key of a declared
// table an index of its own, named after the key: neither the primary key
// (InnoDB finds rows by the clustered index too) nor an index the table
// declares leads with the key's columns. Dropping the key leaves that
// index behind.
func ImplicitIndex(t *schema.Table, fk *schema.ForeignKey) bool {
	return !(t.PrimaryKey != nil && Leads(t.PrimaryKey, fk.Columns)) && !slices.ContainsFunc(t.Indexes, func(o *schema.Index) bool { return Leads(o, fk.Columns) })
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
		cols := PartColumns(idx)
		if !slices.ContainsFunc(made, func(o *schema.Index) bool {
			j := slices.Index(made, o)
			return j != i && Leads(o, cols) && (len(o.Parts) > len(cols) || j > i)
		}) {
			out = append(out, idx)
		}
	}
	return out
}

// PartColumns are the columns of an index's parts, in order (nil for a
// part over an expression).
func PartColumns(idx *schema.Index) []*schema.Column {
	cols := make([]*schema.Column, len(idx.Parts))
	for i, p := range idx.Parts {
		cols[i] = p.C
	}
	return cols
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

// NotBool is a column Atlas read as a bool that the server holds as
// another integer: Raw is its type as the server says it, Instead the
// same type without the display width.
type NotBool struct{ Table, Column, Raw, Instead string }

// NotBools are the columns of an inspected schema that Atlas read as a
// bool (which HCL, the plans and the drift check know only as a signed
// tinyint(1)) but which are another integer: Atlas reads every integer
// of display width 1 so (int(1), tinyint(1) unsigned). Declared as they
// were read, a release declared as SQL created n int(1) as a tinyint(1),
// refusing the application's 1000, and an adopted bigint(1) unsigned was
// a bool to every later release; the drift check, reading the live
// column as a bool as well, saw neither. Such a column can be declared
// without its display width, which changes nothing of what it holds.
func NotBools(s *schema.Schema) []NotBool {
	var out []NotBool
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			if raw, ok := RawBool(c); ok && raw != "tinyint(1)" {
				out = append(out, NotBool{Table: t.Name, Column: c.Name, Raw: raw, Instead: strings.Replace(raw, "(1)", "", 1)})
			}
		}
	}
	return out
}

// ScaledFloat is a float, double or real column the server holds with
// digits after the point: Raw is its type as the server says it, Instead
// the type the plans create (without the digits).
type ScaledFloat struct{ Table, Column, Raw, Instead string }

// ScaledFloats are the columns of an inspected schema of a floating-point
// type with digits after the point (Dolibarr's amounts, double(24,8)):
// Atlas keeps a floating-point type's precision alone, so the plans
// created such a column as double, which does not round what is written,
// and the drift check, reading both as a double, saw no difference.
func ScaledFloats(s *schema.Schema) []ScaledFloat {
	var out []ScaledFloat
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			if c.Type == nil {
				continue
			}
			if _, ok := c.Type.Type.(*schema.FloatType); ok && strings.Contains(c.Type.Raw, ",") {
				raw := strings.ToLower(c.Type.Raw)
				name, rest, _ := strings.Cut(raw, "(")
				_, rest, _ = strings.Cut(rest, ")")
				out = append(out, ScaledFloat{Table: t.Name, Column: c.Name, Raw: raw, Instead: name + rest})
			}
		}
	}
	return out
}

// RawBool is the type an inspected column Atlas read as a bool has on
// the server, lower-cased: tinyint(1) for a bool, else another integer
// of display width 1 (NotBools); ok is false for a column Atlas read as
// another type, or not inspected.
func RawBool(c *schema.Column) (raw string, ok bool) {
	return rawBool(c.Type)
}

func rawBool(ct *schema.ColumnType) (raw string, ok bool) {
	if ct == nil || ct.Raw == "" {
		return "", false
	}
	if _, ok := ct.Type.(*schema.BoolType); !ok {
		return "", false
	}
	raw = strings.ToLower(strings.Join(strings.Fields(ct.Raw), " "))
	if raw == "bool" || raw == "boolean" {
		raw = "tinyint(1)"
	}
	return raw, true
}
