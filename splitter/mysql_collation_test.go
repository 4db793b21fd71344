package splitter

import (
	"strings"
	"testing"
)

// On MySQL 8.0 `CHARACTER SET utf8mb4` alone is utf8mb4_0900_ai_ci, and so
// is a database created with the server's defaults (no MySQL 8 server
// here: the manual's defaults, schemadef.DefaultCollation). The plans for
// a mysql 8.0 target were computed with MariaDB's utf8mb4_general_ci: a
// column declaring utf8mb4 alone was converted to utf8mb4_general_ci
// where the server gives it utf8mb4_0900_ai_ci, and a table dropping a
// collate that only repeated its charset's default was copied to another
// collation.
func TestMySQLDefaultCollations(t *testing.T) {
	table := func(tableAttrs, colAttrs string) string {
		return "table \"t\" {\n  schema = schema.app\n" + tableAttrs + "  column \"id\" {\n    type = int\n  }\n  column \"note\" {\n    type = varchar(60)\n" + colAttrs + "  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	cases := []struct {
		name, before, after string
		want                []string // each in the statements
		none                bool     // no statement at all
	}{
		{name: "a column declaring utf8mb4 alone in a utf8mb4_bin table: utf8mb4_0900_ai_ci",
			before: table("  collate = \"utf8mb4_bin\"\n", ""), after: table("  collate = \"utf8mb4_bin\"\n", "    charset = \"utf8mb4\"\n    allow_copy = true\n"),
			want: []string{"COLLATE utf8mb4_0900_ai_ci"}},
		{name: "a table dropping the collate its charset implies: no change",
			before: table("  charset = \"utf8mb4\"\n  collate = \"utf8mb4_0900_ai_ci\"\n", ""), after: table("  charset = \"utf8mb4\"\n", ""),
			none: true},
		{name: "a table dropping the collate the database default implies: no change",
			before: table("  collate = \"utf8mb4_0900_ai_ci\"\n", ""), after: table("", ""),
			none: true},
		{name: "a column of a latin1 table declaring the collation its utf8mb4 implies: no change",
			before: table("  charset = \"latin1\"\n", "    charset = \"utf8mb4\"\n"), after: table("  charset = \"latin1\"\n", "    collate = \"utf8mb4_0900_ai_ci\"\n"),
			none: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			steps, err := tcSteps(t, mysql80, c.before, c.after)
			if err != nil {
				t.Fatal(err)
			}
			var sqls []string
			for _, s := range steps {
				sqls = append(sqls, s.SQL)
			}
			all := strings.Join(sqls, "\n")
			if c.none && len(steps) > 0 {
				t.Fatalf("planned on MySQL 8.0, where nothing changes:\n%s", all)
			}
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("no %q in\n%s", w, all)
				}
			}
			if strings.Contains(all, "utf8mb4_general_ci") {
				t.Errorf("MariaDB's default collation in a MySQL 8.0 plan:\n%s", all)
			}
		})
	}
}
