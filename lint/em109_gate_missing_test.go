package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEM109GateMissing(t *testing.T) {
	const contract = "plans/pike/pike_contract01.sql"
	// removeGates deletes every gate of pike's contract, and returns the
	// position of the statement that needed one.
	removeGates := func(needs string) func(f *fixture) string {
		return func(f *fixture) string {
			src := f.read(contract)
			for strings.Contains(src, "-- emcee:gate\n") {
				i := strings.LastIndex(src[:strings.Index(src, "-- emcee:gate\n")], "\n-- rule ")
				j := i + 1 + strings.Index(src[i+1:], "\n-- rule ")
				src = src[:i] + src[j:]
			}
			f.write(contract, src)
			f.resum()
			return f.lineOf(contract, needs, false)
		}
	}
	notNull := pike("    type = varchar(50)\n    null = true\n", "    type = varchar(50)\n")
	unique := pike("  index \"ix_owner\" {", "  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n  index \"ix_owner\" {")
	check(t, "EM109", []lintCase{
		{name: "NOT NULL without its gate", pike: notNull, dev: true, setup: removeGates("MODIFY COLUMN `owner`")},
		{name: "unique index without its gate", pike: unique, dev: true, setup: removeGates("ADD UNIQUE INDEX `ux_name`")},
		{name: "NOT NULL with its gate", pike: notNull, dev: true},
		{name: "unique index with its gate", pike: unique, dev: true},
		// RENAME INDEX (rule rename-index) keeps the key: no stored row
		// can break it, though Atlas alone reads a unique index added.
		{name: "unique index renamed, no gate needed", pike: ocata, dev: true, setup: func(f *fixture) string {
			ux := func(name, from string) string {
				return strings.Replace(ocata, "  index \"ix_owner\" {", "  index \""+name+"\" {\n    unique  = true\n    columns = [column.name]\n"+from+"  }\n  index \"ix_owner\" {", 1)
			}
			f.write("schema/ocata.hcl", ux("UK_CLI_TEMPLATE", ""))
			f.write("schema/pike.hcl", ux("UK_CLI_SCOPE", "    renamed_from = \"UK_CLI_TEMPLATE\"\n"))
			if err := os.RemoveAll(filepath.Join(f.dir, "plans")); err != nil {
				t.Fatal(err)
			}
			f.plan()
			if c := f.read(contract); !strings.Contains(c, "RENAME INDEX `UK_CLI_TEMPLATE` TO `UK_CLI_SCOPE`") || strings.Contains(c, "emcee:gate") {
				t.Fatalf("the planner should rename the index in contract, without a gate:\n%s", c)
			}
			return ""
		}},
		// Only writers rely on a default: stored rows cannot break its removal.
		{name: "default removed, no gate needed", pike: pike("    type    = bool\n    default = false\n", "    type = bool\n"), dev: true, setup: func(f *fixture) string {
			if !strings.Contains(f.read(contract), "MODIFY COLUMN `is_public`") || strings.Contains(f.read(contract), "emcee:gate") {
				t.Fatalf("the planner should remove the default in contract, without a gate:\n%s", f.read(contract))
			}
			return ""
		}},
		// PrestaShop 8.0 puts '410' among product.redirect_type's values:
		// expand appends it, contract sets the declared order (a copy)
		// with no gate, since every stored value is kept.
		{name: "enum values reordered, no gate needed", pike: ocata, dev: true, setup: func(f *fixture) string {
			kind := func(values string) string {
				return strings.Replace(ocata, "  primary_key {", "  column \"kind\" {\n    type       = enum("+values+")\n    default    = \"404\"\n    allow_copy = true\n  }\n  primary_key {", 1)
			}
			f.write("schema/ocata.hcl", kind(`"404", "301"`))
			f.write("schema/pike.hcl", kind(`"404", "410", "301"`))
			if err := os.RemoveAll(filepath.Join(f.dir, "plans")); err != nil {
				t.Fatal(err)
			}
			f.plan()
			if c := f.read(contract); !strings.Contains(c, "enum('404','410','301')") || strings.Contains(c, "emcee:gate") {
				t.Fatalf("the planner should reorder the values in contract, without a gate:\n%s", c)
			}
			return ""
		}},
	})
}
