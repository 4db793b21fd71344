package e2e

import (
	"strings"
	"testing"
)

// Issue 10, hole 7: a release that drops images.is_public and adds
// images.visibility, forgetting `replaces`, planned with exit 0 as drop +
// add: every row got the new column's default. `emcee plan` now refuses it
// at the new column's line with both ways out; a discard lets it plan, and
// a discard left over in the next release is refused.
func TestForgottenReplacesIsRefused(t *testing.T) {
	t.Parallel()
	v1 := "schema \"app\" {}\ntable \"images\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"is_public\" {\n    type = bool\n    default = false\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	v2 := strings.Replace(v1, "column \"is_public\" {\n    type = bool\n    default = false\n  }", "column \"visibility\" {\n    type = enum(\"public\", \"private\")\n    default = \"private\"\n  }", 1)
	p := newSchemaProject(t, [2]string{"a", v1}, [2]string{"b", v2})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("plan must refuse the undeclared loss:\n%s", r)
	}
	opContains(t, r, "schema/b.hcl:7:3: table images loses column is_public and gains visibility in release b",
		"    replaces {\n      column   = \"is_public\"\n      forward  = \"...\"\n      backward = \"...\"\n    }", `renamed_from = "is_public"`)
	// The discard it prints, pasted as printed: a single-line block of
	// two attributes (as it was printed) HCL refuses.
	discard := pasted(t, r, "discard {")
	if out, err := p.ls("plans"); err == nil && out != "" {
		t.Errorf("a refused plan wrote files: %s", out)
	}
	p.editSchema("b", func(s string) string { return s + discard })
	if r := p.plan(); r.Code != 0 || !strings.Contains(r.Stdout, "wrote plans/b/b_contract01.sql") {
		t.Fatalf("plan with the discard declared:\n%s", r)
	}
	contract := p.read("plans/b/b_contract01.sql")
	if !strings.Contains(contract, "ALTER TABLE `images` DROP COLUMN `is_public`") {
		t.Fatalf("the discarded column is dropped in contract:\n%s", contract)
	}
	// The same declaration in the next release names what no longer exists.
	p.addRelease("c", v2+discard)
	if r := p.plan(); r.Code != 1 || !strings.Contains(r.Stderr, "schema/c.hcl:15:1: discard of images.is_public, but table images of release b has no such column (schema/b.hcl); remove the declaration if it belongs to an older release") {
		t.Fatalf("a leftover discard:\n%s", r)
	}
}
