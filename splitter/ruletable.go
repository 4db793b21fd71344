package splitter

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// RuleTable renders every rule as a Markdown table, then every rule's
// example in one HCL block, the two README.md embeds; a test keeps them
// identical so the documentation cannot drift from the code. The examples
// are blocks of several lines, as a release file takes them: they stay out
// of the table, whose rows are one line each.
func RuleTable() string {
	sorted := slices.SortedFunc(slices.Values(rules), func(a, b *Rule) int { return strings.Compare(a.Name, b.Name) })
	var b strings.Builder
	b.WriteString("| rule | change | phases | gate | rollback |\n|---|---|---|---|---|\n")
	for _, r := range sorted {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.Name, cell(r.Doc.Change), cell(r.Doc.Phases), cell(cmp.Or(r.Doc.Gate, "none")), cell(r.Doc.Rollback))
	}
	b.WriteString("\nAn example of each, as a release file takes it:\n\n```hcl\n")
	for i, r := range sorted {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "# %s, %s:\n%s\n", r.Name, r.Doc.ExampleWhere(), r.Doc.Example)
	}
	b.WriteString("```\n")
	return b.String()
}

// cell keeps a table cell on one line: Markdown rows end at a newline.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}
