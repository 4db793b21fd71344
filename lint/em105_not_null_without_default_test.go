package lint

import "testing"

func TestEM105NotNullWithoutDefault(t *testing.T) {
	const pikeFile = "schema/pike.hcl"
	slug := func(extra string) string {
		return pike("  primary_key {", "  column \"slug\" {\n    type = varchar(50)\n"+extra+"  }\n  primary_key {")
	}
	check(t, "EM105", []lintCase{
		{name: "NOT NULL without default or fill", pike: slug("    fill = \"LOWER(name)\"\n"), setup: func(f *fixture) string {
			f.edit(pikeFile, "    fill = \"LOWER(name)\"\n", "")
			return f.lineOf(pikeFile, `column "slug"`, true)
		}},
		{name: "NOT NULL with fill", pike: slug("    fill = \"LOWER(name)\"\n")},
		{name: "NOT NULL with default", pike: slug("    default = \"\"\n")},
		{name: "nullable", pike: slug("    null = true\n")},
	})
}
