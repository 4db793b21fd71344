package diff

import (
	"strings"
	"testing"
)

// A renamed table's foreign key named <old>_ibfk_N takes the new table's
// name on the server; when another key of the database has that name
// (case-insensitively: InnoDB's names are unique per database), RENAME
// TABLE fails with error 1050, "Table 'b' already exists": the plan passed
// and expand's dev-database rehearsal refused it with only that.
func TestRenamedKeyClashes(t *testing.T) {
	const par = "table \"par\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	child := func(name string, keys ...string) string {
		s := "table \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"p\" {\n    type = int\n    null = true\n  }\n  column \"q\" {\n    type = int\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n"
		for i, k := range keys {
			col := []string{"p", "q"}[i]
			s += "  foreign_key \"" + k + "\" {\n    columns     = [column." + col + "]\n    ref_columns = [table.par.column.id]\n  }\n  index \"" + col + "\" {\n    columns = [column." + col + "]\n  }\n"
		}
		return s + "}\n"
	}
	renamed := func(src string) string {
		return strings.Replace(src, "table \"a\" {\n", "table \"b\" {\n  renamed_from = \"a\"\n", 1)
	}
	for _, tc := range []struct {
		name, prev, want string
	}{
		{"another table's key", "schema \"app\" {}\n" + par + child("a", "a_ibfk_1") + child("c", "b_ibfk_1"),
			"pike.hcl:11:1: table a is renamed to b, and RENAME TABLE renames its foreign key a_ibfk_1 to b_ibfk_1 (InnoDB renames a key named <table>_ibfk_N with its table), the name of foreign key b_ibfk_1 of table c"},
		{"another table's key, in another case", "schema \"app\" {}\n" + par + child("a", "a_ibfk_1") + child("c", "B_ibfk_1"),
			"the name of foreign key B_ibfk_1 of table c"},
		{"another key of the table", "schema \"app\" {}\n" + par + child("a", "a_ibfk_1", "b_ibfk_1"),
			"the name of foreign key b_ibfk_1 of table b"},
		{"no clash", "schema \"app\" {}\n" + par + child("a", "a_ibfk_1") + child("c", "c_ibfk_1"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev, err := ParseRelease("ocata", "ocata.hcl", []byte(tc.prev), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseRelease("pike", "pike.hcl", []byte(renamed(tc.prev)), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			drv, err := Offline(mariadb)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Between(drv, mariadb, prev, r)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}
