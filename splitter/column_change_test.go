package splitter

import (
	"testing"

	"ariga.io/atlas/sql/schema"
)

// lint asks KeepsRows whether a replayed contract tightening needs a gate:
// it does where a stored row can be rejected, not where an ENUM's values
// only change order (PrestaShop 8.0's product.redirect_type, '410' put
// among the values expand appended it after).
func TestKeepsRows(t *testing.T) {
	col := func(typ schema.Type, null bool) *schema.Column {
		return &schema.Column{Name: "c", Type: &schema.ColumnType{Type: typ, Null: null}}
	}
	enum := func(vs ...string) *schema.Column { return col(&schema.EnumType{T: "enum", Values: vs}, false) }
	varchar := func(n int, null bool) *schema.Column { return col(&schema.StringType{T: "varchar", Size: n}, null) }
	for _, c := range []struct {
		name     string
		from, to *schema.Column
		want     bool
	}{
		{"enum values reordered", enum("404", "301", "410"), enum("404", "410", "301"), true},
		{"enum value appended", enum("404", "301"), enum("404", "301", "410"), true},
		{"enum value removed", enum("", "404", "301"), enum("404", "301"), false},
		{"enum value removed and the rest reordered", enum("", "404", "301"), enum("301", "404"), false},
		{"longer varchar", varchar(20, false), varchar(40, false), true},
		{"shorter varchar", varchar(40, false), varchar(20, false), false},
		{"NULL -> NOT NULL", varchar(20, true), varchar(20, false), false},
		{"not checkable row by row", varchar(20, false), col(&schema.IntegerType{T: "int"}, false), false},
		// Moodle 3.6's message_contacts.userid loses its DEFAULT 0: review
		// asks about type and nullability, neither of which changed.
		{"the same type and nullability", col(&schema.IntegerType{T: "bigint"}, false), col(&schema.IntegerType{T: "bigint"}, false), true},
		{"the same varchar, NULL", varchar(20, true), varchar(20, true), true},
	} {
		if got := KeepsRows(mariadb1011, c.from, c.to, schema.ChangeType|schema.ChangeNull); got != c.want {
			t.Errorf("%s: KeepsRows = %v, want %v", c.name, got, c.want)
		}
	}
}
