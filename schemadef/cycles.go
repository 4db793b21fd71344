package schemadef

import "slices"

// Cycles finds the tables whose foreign keys form a cycle: the strongly
// connected components of the graph in which table i references the
// tables refs[i] (Tarjan's algorithm). Each table's component is named by
// its smallest table, a table in no cycle alone. A cycle has no order to
// create, drop or restore its tables in: the splitter adds its keys after
// the tables, rollback copies its tables out and back together.
func Cycles(refs [][]int) []int {
	n := len(refs)
	index, low, comp := slices.Repeat([]int{-1}, n), make([]int, n), make([]int, n)
	var stack []int
	on := make([]bool, n)
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, w := range refs[v] {
			switch {
			case index[w] < 0:
				visit(w)
				low[v] = min(low[v], low[w])
			case on[w]:
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		i := slices.Index(stack, v)
		members := stack[i:]
		stack = stack[:i]
		name := slices.Min(members)
		for _, w := range members {
			on[w] = false
			comp[w] = name
		}
	}
	for v := range refs {
		if index[v] < 0 {
			visit(v)
		}
	}
	return comp
}
