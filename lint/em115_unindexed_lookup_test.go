package lint

import (
	"strings"
	"testing"
)

func TestEM115UnindexedLookup(t *testing.T) {
	const pikeFile = "schema/pike.hcl"
	const lastCheck = "  check \"ck_size\" {\n    expr = \"size >= 0\"\n  }\n}\n"
	// Gitea's deduplication of user.email before its unique key.
	deletes := []string{lastCheck, lastCheck + "data_migration \"dedupe_names\" {\n  table  = \"images\"\n  delete = \"EXISTS (SELECT 1 FROM images other WHERE other.name = images.name AND other.id < images.id)\"\n}\n"}
	index := func(name string, unique bool) []string {
		u := ""
		if unique {
			u = "    unique  = true\n"
		}
		return []string{"  index \"ix_owner\" {", "  index \"" + name + "\" {\n" + u + "    columns = [column.name]\n  }\n  index \"ix_owner\" {"}
	}
	at := func(f *fixture) string { return f.lineOf(pikeFile, "other.name =", true) }
	check(t, "EM115", []lintCase{
		{name: "delete looking up name, no index on it", pike: pike(deletes...), setup: at},
		// The unique index the delete makes way for is built in contract,
		// after the delete: it serves no lookup of it.
		{name: "delete before a unique index on name, new in this release", pike: pike(append(deletes, index("ux_name", true)...)...), setup: at},
		{name: "a plain index on name, new in this release: built in expand", pike: pike(append(deletes, index("ix_name", false)...)...)},
		{name: "pending looking up owner, which ix_owner serves", pike: pike(lastCheck, lastCheck+"data_migration \"sizes\" {\n  table   = \"images\"\n  set     = \"size = 0\"\n  pending = \"size IS NULL AND EXISTS (SELECT 1 FROM images o WHERE o.owner = images.owner AND o.id <> images.id)\"\n}\n")},
		{name: "pending comparing only a range", pike: pike(lastCheck, lastCheck+"data_migration \"sizes\" {\n  table   = \"images\"\n  set     = \"size = 0\"\n  pending = \"size IS NULL AND NOT EXISTS (SELECT 1 FROM images o WHERE o.size > images.size)\"\n}\n"),
			setup: func(f *fixture) string { return f.lineOf(pikeFile, "o.size >", true) }},
	})
}

// The finding names the predicate, the table, the column no index starts
// with, the unique index that comes too late, and both ways out.
func TestEM115Message(t *testing.T) {
	const lastCheck = "  check \"ck_size\" {\n    expr = \"size >= 0\"\n  }\n}\n"
	f := planned(t, pike(lastCheck, lastCheck+"data_migration \"dedupe_names\" {\n  table  = \"images\"\n  delete = \"EXISTS (SELECT 1 FROM images other WHERE other.name = images.name AND other.id < images.id)\"\n}\n",
		"  index \"ix_owner\" {", "  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n  index \"ix_owner\" {"))
	var got []Finding
	for _, fd := range f.lint(false).Findings {
		if fd.Code == "EM115" {
			got = append(got, fd)
		}
	}
	if len(got) != 1 {
		t.Fatalf("want one EM115, got %v", got)
	}
	for _, want := range []string{"the delete predicate of data_migration \"dedupe_names\" runs its subquery on images once for each row of images (`other`.`name` = `images`.`name`)", "no index of images starts with name", "unique index ux_name, new in this release, is built only in contract", "costs the square of the rows"} {
		if !strings.Contains(got[0].Message, want) {
			t.Errorf("message lacks %q:\n%s", want, got[0].Message)
		}
	}
	for _, want := range []string{"declare an index on images(name)", "name IS NOT NULL AND id NOT IN (SELECT MIN(id) FROM images GROUP BY name)"} {
		if !strings.Contains(got[0].Fix, want) {
			t.Errorf("fix lacks %q:\n%s", want, got[0].Fix)
		}
	}
}
