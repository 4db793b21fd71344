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
	t, err := mysql.FormatType(c.Type.Type)
	if err != nil {
		t = c.Type.Raw
	}
	if c.Type.Null {
		t += " NULL"
	} else {
		t += " NOT NULL"
	}
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

// ColumnDefs lists a table's columns, each as its name and ColumnDef.
func ColumnDefs(t *schema.Table) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name + " " + ColumnDef(c)
	}
	return out
}
