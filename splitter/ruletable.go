package splitter

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// RuleTable renders every rule as a Markdown table, the one README.md
// embeds; a test keeps the two identical so the documentation cannot drift
// from the code.
func RuleTable() string {
	sorted := slices.SortedFunc(slices.Values(rules), func(a, b *Rule) int { return strings.Compare(a.Name, b.Name) })
	var b strings.Builder
	b.WriteString("| rule | change | phases | gate | rollback | example |\n|---|---|---|---|---|---|\n")
	for _, r := range sorted {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", r.Name, cell(r.Doc.Change), cell(r.Doc.Phases), cell(cmp.Or(r.Doc.Gate, "none")), cell(r.Doc.Rollback), code(r.Doc.Example))
	}
	return b.String()
}

// cell keeps a table cell on one line: Markdown rows end at a newline.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + cell(s) + "`"
}
