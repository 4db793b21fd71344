package schemadef

import (
	"testing"

	"ariga.io/atlas/sql/schema"
)

// A type Atlas does not model is worded by the text Atlas kept of it, not
// by its Go type: messages name it to the person who declared it.
func TestTypeName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ct   *schema.ColumnType
		want string
	}{
		{"modelled", &schema.ColumnType{Type: &schema.StringType{T: "varchar", Size: 10}}, "varchar(10)"},
		{"unmodelled, inspected: the server's text", &schema.ColumnType{Type: &schema.UnsupportedType{T: "vector"}, Raw: "vector(3)"}, "vector(3)"},
		{"unmodelled, declared: the name Atlas kept", &schema.ColumnType{Type: &schema.UnsupportedType{T: "vector"}}, "vector"},
		{"nothing kept", &schema.ColumnType{}, "the column's type"},
		// Atlas reads every integer of display width 1 as a bool:
		// PrestaShop's flags are tinyint(1) unsigned on the server.
		{"inspected bool", &schema.ColumnType{Type: &schema.BoolType{T: "bool"}, Raw: "tinyint(1)"}, "bool"},
		{"inspected tinyint(1) unsigned", &schema.ColumnType{Type: &schema.BoolType{T: "bool"}, Raw: "tinyint(1) unsigned"}, "tinyint(1) unsigned"},
		{"inspected int(1)", &schema.ColumnType{Type: &schema.BoolType{T: "bool"}, Raw: "INT(1)"}, "int(1)"},
		{"declared bool", &schema.ColumnType{Type: &schema.BoolType{T: "bool"}}, "bool"},
	} {
		if got := TypeName(tc.ct); got != tc.want {
			t.Errorf("%s: TypeName = %q, want %q", tc.name, got, tc.want)
		}
		if got, want := ColumnDef(&schema.Column{Type: tc.ct}), tc.want+" NOT NULL"; got != want {
			t.Errorf("%s: ColumnDef = %q, want %q", tc.name, got, want)
		}
	}
}
