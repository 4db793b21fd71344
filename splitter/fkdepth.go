package splitter

import (
	"maps"
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/schemadef"
)

// fkGraph is the foreign-key graph across both states of a transition:
// which tables each table references, and which tables reference each
// other in a cycle (a strongly connected component of more than one
// table). A self-reference is no cycle here: one CREATE TABLE holds it.
type fkGraph struct {
	refs map[string][]string
	comp map[string]int // component of each table in a cycle
}

func newFKGraph(tr *diff.Transition) *fkGraph {
	g := &fkGraph{refs: map[string][]string{}, comp: map[string]int{}}
	collect := func(s *schema.Schema) {
		if s == nil {
			return
		}
		for _, t := range s.Tables {
			for _, fk := range t.ForeignKeys {
				if fk.RefTable != nil && fk.RefTable.Name != t.Name && !slices.Contains(g.refs[t.Name], fk.RefTable.Name) {
					g.refs[t.Name] = append(g.refs[t.Name], fk.RefTable.Name)
				}
			}
		}
	}
	collect(tr.From)
	collect(tr.To.Schema)
	g.findCycles()
	return g
}

// cyclic reports whether a foreign key from table a to table b closes a
// cycle: neither table can be created (or dropped) before the other with
// the key in place.
func (g *fkGraph) cyclic(a, b string) bool {
	ca, ok := g.comp[a]
	cb, okb := g.comp[b]
	return ok && okb && ca == cb && a != b
}

// findCycles gives each table of a cycle its component
// (schemadef.Cycles), over tables in name order. A table that references
// none is in no cycle, so only the tables that reference one are nodes.
func (g *fkGraph) findCycles() {
	names := slices.Sorted(maps.Keys(g.refs))
	refs := make([][]int, len(names))
	for i, n := range names {
		for _, r := range g.refs[n] {
			if j, ok := slices.BinarySearch(names, r); ok {
				refs[i] = append(refs[i], j)
			}
		}
	}
	comp := schemadef.Cycles(refs)
	size := map[int]int{}
	for _, c := range comp {
		size[c]++
	}
	for i, c := range comp {
		if size[c] > 1 {
			g.comp[names[i]] = c
		}
	}
}

// depth ranks tables by foreign-key dependency: a table that references
// no other table has depth 0, one that references it depth 1, and so on.
// Keys inside a cycle do not count: they are added after the tables are
// created, and dropped before the tables are.
func (g *fkGraph) depth() map[string]int {
	depth := map[string]int{}
	var walk func(string) int
	walk = func(name string) int {
		if d, ok := depth[name]; ok {
			return d
		}
		d := 0
		for _, r := range g.refs[name] {
			if !g.cyclic(name, r) {
				d = max(d, walk(r)+1)
			}
		}
		depth[name] = d
		return d
	}
	for name := range g.refs {
		walk(name)
	}
	return depth
}
