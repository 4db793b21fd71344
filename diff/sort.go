package diff

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
)

var hclPosStart = hcl.Pos{Line: 1, Column: 1, Byte: 0}

func sortedRefs(m map[ColumnRef]*ColumnDecl) []ColumnRef {
	out := make([]ColumnRef, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table < out[j].Table
		}
		return out[i].Column < out[j].Column
	})
	return out
}

func sortedTables(m map[string]*TableDecl) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
