package schemadef

import (
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// ColumnDef words a column's definition the way MySQL prints it, e.g.
// "varchar(255) NOT NULL DEFAULT 'x'", for reports that name what a drop
// loses or what a comparison found.
func ColumnDef(c *schema.Column) string {
	t := TypeName(c.Type) + " " + Nullability(c)
	switch d := c.Default.(type) {
	case *schema.Literal:
		v := d.V
		switch c.Type.Type.(type) {
		case *schema.StringType, *schema.EnumType:
			// Declared defaults arrive unquoted, inspected ones quoted.
			if !strings.HasPrefix(v, "'") && !strings.HasPrefix(v, `"`) {
				v = sqlsyntax.String(v)
			}
		}
		t += " DEFAULT " + v
	case *schema.RawExpr:
		t += " DEFAULT (" + d.X + ")"
	}
	return t
}

// Nullability is NULL or NOT NULL, as a column definition says it.
func Nullability(c *schema.Column) string {
	if c.Type.Null {
		return "NULL"
	}
	return "NOT NULL"
}

// TypeName is a column's type as MySQL prints it. A type Atlas does not
// model (MariaDB's vector) is the text Atlas kept of it: the whole of an
// inspected column's, the name alone of a declared one's. So is an
// inspected integer of display width 1 other than tinyint(1) (PrestaShop's
// tinyint(1) unsigned): Atlas reads it as a bool, and a drift report that
// called it one named a type the database does not have.
func TypeName(ct *schema.ColumnType) string {
	if raw, ok := rawBool(ct); ok && raw != "tinyint(1)" {
		return raw
	}
	if s, err := mysql.FormatType(ct.Type); err == nil {
		return s
	}
	if ct.Raw != "" {
		return ct.Raw
	}
	if u, ok := ct.Type.(*schema.UnsupportedType); ok {
		return u.T
	}
	return "the column's type"
}

// ColumnDefs lists a table's columns, each as its name and ColumnDef.
func ColumnDefs(t *schema.Table) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name + " " + ColumnDef(c)
	}
	return out
}
