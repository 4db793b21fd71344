package splitter

import (
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
)

// fkDepth ranks tables by foreign-key dependency across both states: a
// table that references no other table has depth 0, one that references
// it depth 1, and so on. Cycles (which need a separate ALTER anyway) stop
// the walk instead of looping.
func fkDepth(tr *diff.Transition) map[string]int {
	refs := map[string][]string{}
	collect := func(s *schema.Schema) {
		if s == nil {
			return
		}
		for _, t := range s.Tables {
			for _, fk := range t.ForeignKeys {
				if fk.RefTable != nil && fk.RefTable.Name != t.Name {
					refs[t.Name] = append(refs[t.Name], fk.RefTable.Name)
				}
			}
		}
	}
	collect(tr.From)
	collect(tr.To.Schema)
	depth := map[string]int{}
	visiting := map[string]bool{}
	var walk func(string) int
	walk = func(name string) int {
		if d, ok := depth[name]; ok {
			return d
		}
		if visiting[name] {
			return 0
		}
		visiting[name] = true
		d := 0
		for _, r := range refs[name] {
			d = max(d, walk(r)+1)
		}
		visiting[name] = false
		depth[name] = d
		return d
	}
	for name := range refs {
		walk(name)
	}
	return depth
}
