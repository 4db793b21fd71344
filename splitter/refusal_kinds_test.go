package splitter

import "testing"

// TestRefusalAdviceIsHCL: the declaration a refusal tells the user to add
// names the column as HCL spells it in a release file, `${` as `$${`: Go's
// %q wrote "si${ze}", which HCL reads as a template; and one attribute a
// line: the block it printed on one line, with commas, HCL refused.
func TestRefusalAdviceIsHCL(t *testing.T) {
	before := []string{"column \"size\" {\n    type = int\n", "column \"si$${ze}\" {\n    type = int\n"}
	cases := []tcCase{
		{name: "a type no rule changes: replaces", target: mariadb1011, before: before,
			edits:  []string{"column \"si$${ze}\" {\n    type = int\n", "column \"si$${ze}\" {\n    type = json\n"},
			errHas: []string{"    replaces {\n      column   = \"si$${ze}\"\n"}},
		{name: "a rebuild of a table with a FULLTEXT index: allow_copy", target: mariadb1011, before: append(tcBlock(tcFulltext), before...),
			edits:  []string{"column \"si$${ze}\" {\n    type = int\n    null = true\n", "column \"si$${ze}\" {\n    type = int\n    null = false\n"},
			errHas: []string{"Add `allow_copy = true` to column \"si$${ze}\" to accept that"}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
