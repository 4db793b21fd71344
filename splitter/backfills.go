package splitter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Each fill, replacement and data migration writes its own backfill, and
// each backfill was a pass over the whole table: the second pass read and
// locked every row again, often to find it already filled by the triggers
// (issue 13). So the backfills of one table in one revision become one
// UPDATE (sqlsyntax.MergeBackfills: each column under its own pending
// predicate, the rows any of them selects), at the place of the first.
// A backfill is only gathered past statements that do not touch its table;
// one the merge refuses (a data migration whose predicate reads a column
// it sets before its last assignment) stays a pass of its own.
func (c *Context) mergeBackfills(steps []Step) []Step {
	type group struct{ members []int }
	var groups []*group
	open := map[string]*group{}
	for i, st := range steps {
		if st.Kind != revision.Backfill {
			for _, e := range effect.Of(st.SQL) {
				delete(open, e.Table)
			}
			delete(open, st.on)
			continue
		}
		if g, ok := open[st.Table]; ok && steps[g.members[0]].Key == st.Key {
			sqls := []string{}
			for _, m := range g.members {
				sqls = append(sqls, steps[m].SQL)
			}
			if _, err := sqlsyntax.MergeBackfills(append(sqls, st.SQL)...); err == nil {
				g.members = append(g.members, i)
				continue
			}
		}
		g := &group{members: []int{i}}
		groups = append(groups, g)
		open[st.Table] = g
	}
	replace := map[int]Step{}
	drop := map[int]bool{}
	for _, g := range groups {
		if len(g.members) < 2 {
			continue
		}
		var sqls, rules, whys []string
		for _, m := range g.members {
			sqls = append(sqls, steps[m].SQL)
			if !slices.Contains(rules, steps[m].Rule) {
				rules = append(rules, steps[m].Rule)
			}
			whys = append(whys, fmt.Sprintf("(%s) %s", steps[m].Rule, steps[m].Why))
			drop[m] = true
		}
		sql, err := sqlsyntax.MergeBackfills(sqls...)
		if err != nil {
			panic("splitter: backfills merged once refuse to merge again: " + err.Error())
		}
		st := steps[g.members[0]]
		st.Rule = strings.Join(rules, ", ")
		st.Why = fmt.Sprintf("one pass over %s for its %d backfills, each column set only where its own backfill is pending: %s", st.Table, len(g.members), strings.Join(whys, "; "))
		st.SQL = sql
		replace[g.members[0]] = st
	}
	var out []Step
	for i, st := range steps {
		if r, ok := replace[i]; ok {
			out = append(out, r)
			continue
		}
		if !drop[i] {
			out = append(out, st)
		}
	}
	return out
}
