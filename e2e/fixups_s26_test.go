package e2e

import (
	"strings"
	"testing"
)

// A foreign key to a table, or a key on a column, whose name holds a
// double quote or a backslash stopped `emcee plan` with Atlas's
// "schema/a.sql:3:1: Invalid index; The given key does not identify an
// element in this collection value.": Atlas cannot resolve a reference to
// such a name in the HCL it reads (schemadef.Unreferable). The plan is
// refused at the statement, naming the table or column and what to do,
// for a release declared as SQL (at the statement creating the key) and one
// declared as HCL (at the reference) alike.
func TestReferencesToNamesAtlasCannotResolveRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, sql, want string }{
		{"foreign key to a table with a double quote",
			"CREATE TABLE `pa\"rent` (id int NOT NULL PRIMARY KEY);\nCREATE TABLE child (\n  id int NOT NULL PRIMARY KEY,\n  p int NOT NULL,\n  CONSTRAINT fk FOREIGN KEY (p) REFERENCES `pa\"rent` (id)\n);\n",
			`schema/a.sql:2:1: this reference names the table "pa\"rent", whose name holds a double quote`},
		{"key on a column with a backslash",
			"CREATE TABLE child (\n  id int NOT NULL PRIMARY KEY,\n  `a\\b` int NOT NULL,\n  KEY ix (`a\\b`)\n);\n",
			`schema/a.sql:1:1: this reference names the column "a\\b" of table child, whose name holds a backslash`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := sqlReleasesProject(t, [2]string{"a", tc.sql})
			r := p.run("plan")
			if r.Code != 1 || !strings.Contains(r.Stderr, tc.want) || strings.Contains(r.Stderr, "Invalid index") {
				t.Fatalf("plan: want the refusal %s:\n%s", tc.want, r)
			}
		})
	}
	p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\ntable \"pa\\\"rent\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
		"table \"child\" {\n  schema = schema.app\n  column \"p\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.p]\n  }\n  foreign_key \"fk\" {\n    columns     = [column.p]\n    ref_columns = [table[\"pa\\\"rent\"].column.id]\n  }\n}\n"})
	if r := p.plan(); r.Code != 1 || !strings.Contains(r.Stderr, `schema/a.hcl:21:25: this reference names the table "pa\"rent"`) {
		t.Fatalf("plan of the HCL release: want the refusal at the reference:\n%s", r)
	}
}

// Names Atlas does resolve in a reference, though HCL escapes them (${,
// %{) or Atlas writes them quoted (spaces, dots, quotes of the other kind),
// go through a release declared as SQL (schemadef.Marshal writes its
// references) and the applier, and the database matches the release; so
// do index, foreign key and check names holding any of those, or a double
// quote or a backslash: HCL has them as block labels, never in a
// reference.
func TestReferencesToHostileButValidNamesThroughTheApplier(t *testing.T) {
	t.Parallel()
	parent := "CREATE TABLE `pa${r}e%{n}t. 'x'` (id int NOT NULL PRIMARY KEY);\n"
	child := "CREATE TABLE `ch ${i}ld` (\n  id int NOT NULL PRIMARY KEY,\n  `p%{x}.y 'z'` int NOT NULL,\n  KEY `ix \"${a}\\ q` (`p%{x}.y 'z'`),\n  CONSTRAINT `fk %{b} \"\\ q` FOREIGN KEY (`p%{x}.y 'z'`) REFERENCES `pa${r}e%{n}t. 'x'` (id),\n  CONSTRAINT `ck \"${c}\\ q` CHECK (`p%{x}.y 'z'` > 0)\n);\n"
	p := sqlReleasesProject(t, [2]string{"a", parent}, [2]string{"b", parent + child})
	p.must("plan")
	p.must("db", "sync", "a")
	for _, phase := range []string{"expand", "migrate", "contract"} {
		p.must("db", phase)
	}
	if got := p.query("SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"); got != "fk %{b} \"\\ q ch ${i}ld pa${r}e%{n}t. 'x'" {
		t.Fatalf("foreign key after the upgrade: %q", got)
	}
	if r := p.run("db", "diff"); r.Code != 0 {
		t.Fatalf("db diff after the upgrade: %s", r)
	}
}
