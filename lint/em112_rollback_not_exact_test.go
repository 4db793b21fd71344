package lint

import (
	"strings"
	"testing"
)

func TestEM112RollbackNotExact(t *testing.T) {
	const rollback = "plans/pike/pike_rollback01.sql"
	// pike adds a column, an index on it and a filled column (triggers),
	// and drops one (a placeholder default): its rollback undoes all four.
	changes := pike(
		"  column \"size\" {", "  column \"slug\" {\n    type = varchar(100)\n    fill = \"LOWER(owner)\"\n  }\n  column \"tag\" {\n    type = varchar(20)\n    null = true\n  }\n  column \"size\" {",
		"  index \"ix_owner\" {", "  index \"ix_tag\" {\n    columns = [column.tag]\n  }\n  index \"ix_owner\" {",
		"  column \"name\" {\n    type = varchar(100)\n  }\n", "",
	) + "discard {\n  table  = \"images\"\n  column = \"name\"\n}\n"
	// drop removes a statement of the rollback (and its comment line).
	drop := func(sql string) func(f *fixture) string {
		return func(f *fixture) string {
			src := f.read(rollback)
			i := strings.Index(src, sql)
			if i < 0 {
				t.Fatalf("%s has no %q:\n%s", rollback, sql, src)
			}
			start := strings.LastIndex(src[:i], "\n-- rule")
			end := i + strings.Index(src[i:], ";\n") + 2
			f.write(rollback, src[:start]+"\n"+src[end:])
			f.resum()
			return rollback + ":1"
		}
	}
	check(t, "EM112", []lintCase{
		{name: "the planner's rollback returns to ocata exactly", pike: changes, dev: true},
		{name: "a rollback that leaves the new column", pike: changes, dev: true, setup: drop("DROP COLUMN `tag`")},
		{name: "a rollback that leaves the sync triggers", pike: changes, dev: true, setup: drop("_bu`")},
		{name: "a rollback that leaves the placeholder default", pike: changes, dev: true, setup: drop("DROP DEFAULT")},
		{name: "a rollback statement that fails", pike: changes, dev: true, setup: func(f *fixture) string {
			f.edit(rollback, "DROP INDEX `ix_tag`", "DROP INDEX `ix_nothing`")
			f.resum()
			return f.lineOf(rollback, "ix_nothing", false)
		}},
		// Gitea 1.17 decodes webauthn_credential.credential_id with a stored
		// function of the database; contract's gate calls it, and the
		// replay stopped the lint on it ("FUNCTION ... does not exist"),
		// though the main replay does not count it.
		{name: "a gate calling a declared stored function", pike: pike("  column \"size\" {", "  column \"slug\" {\n    type = varchar(100)\n    null = true\n    replaces {\n      column   = \"name\"\n      forward  = \"slugify(name)\"\n      backward = \"slug\"\n    }\n  }\n  column \"size\" {", "  column \"name\" {\n    type = varchar(100)\n  }\n", "") + "stored_function \"slugify\" {}\n", dev: true},
		{name: "a refused rollback has nothing to replay", pike: pike("varchar(100)", "varchar(200)"), dev: true},
		{name: "offline: not checked", pike: changes, setup: func(f *fixture) string { drop("DROP COLUMN `tag`")(f); return "" }},
	})
}
