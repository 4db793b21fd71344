package diff

import (
	"sort"
)

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
