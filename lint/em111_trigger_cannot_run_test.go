package lint

import (
	"strings"
	"testing"
)

func TestEM111TriggerCannotRun(t *testing.T) {
	const expand, migrate = "plans/pike/pike_expand01.sql", "plans/pike/pike_migrate01.sql"
	slug := pike("  column \"size\" {", "  column \"slug\" {\n    type = varchar(100)\n    fill = \"LOWER(name)\"\n  }\n  column \"size\" {")
	stored := pike("  column \"size\" {", "  column \"slug\" {\n    type = varchar(100)\n    fill = \"slugify(name)\"\n  }\n  column \"size\" {") + "stored_function \"slugify\" {}\n"
	// misspell makes the first call of LOWER in the statement starting at
	// at one of a function the server does not have, as a plan for another
	// server would hold.
	misspell := func(path, at string) func(f *fixture) string {
		return func(f *fixture) string {
			src := f.read(path)
			i := strings.Index(src, at)
			j := strings.Index(src[max(i, 0):], "LOWER(")
			if i < 0 || j < 0 {
				t.Fatalf("%s calls no LOWER after %q:\n%s", path, at, src)
			}
			f.write(path, src[:i+j]+"LOWR("+src[i+j+len("LOWER("):])
			f.resum()
			return f.lineOf(path, at, false)
		}
	}
	check(t, "EM111", []lintCase{
		{name: "insert trigger calling a function the server lacks", pike: slug, dev: true, setup: misspell(expand, "CREATE TRIGGER")},
		{name: "backfill calling a function the server lacks", pike: slug, dev: true, setup: misspell(migrate, "UPDATE `images`")},
		{name: "triggers and backfill that run", pike: slug, dev: true},
		{name: "a declared stored function", pike: stored, dev: true},
	})
}
