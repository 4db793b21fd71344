package apply

import (
	"testing"

	"ariga.io/atlas/sql/schema"
)

// A table takes the database's default collation only through a text
// column that neither it nor its table gives a charset or collation.
func TestTakesDefault(t *testing.T) {
	text := func(attrs ...schema.Attr) *schema.Column {
		return &schema.Column{Name: "c", Type: &schema.ColumnType{Type: &schema.StringType{T: "varchar", Size: 10}}, Attrs: attrs}
	}
	num := &schema.Column{Name: "n", Type: &schema.ColumnType{Type: &schema.IntegerType{T: "int"}}}
	for _, c := range []struct {
		name  string
		table *schema.Table
		want  bool
	}{
		{"a text column in a table without charset", &schema.Table{Columns: []*schema.Column{num, text()}}, true},
		{"an enum in a table without charset", &schema.Table{Columns: []*schema.Column{{Name: "e", Type: &schema.ColumnType{Type: &schema.EnumType{Values: []string{"a"}}}}}}, true},
		{"the table declares its charset", &schema.Table{Attrs: []schema.Attr{&schema.Charset{V: "latin1"}}, Columns: []*schema.Column{text()}}, false},
		{"the table declares its collation", &schema.Table{Attrs: []schema.Attr{&schema.Collation{V: "latin1_bin"}}, Columns: []*schema.Column{text()}}, false},
		{"the column declares its charset", &schema.Table{Columns: []*schema.Column{text(&schema.Charset{V: "utf8mb4"})}}, false},
		{"the column declares its collation", &schema.Table{Columns: []*schema.Column{text(&schema.Collation{V: "utf8mb4_bin"})}}, false},
		{"no text column", &schema.Table{Columns: []*schema.Column{num}}, false},
	} {
		if got := takesDefault(c.table); got != c.want {
			t.Errorf("%s: takesDefault = %v, want %v", c.name, got, c.want)
		}
	}
}
