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
// A backfill is only gathered past statements that do not touch its table,
// nor past a backfill writing a table it reads (a data migration filling
// the new rows another one looks up: gathered to the place of the first,
// it would read them before they are there); one the merge refuses (a
// data migration whose predicate reads a column it sets before its last
// assignment) stays a pass of its own.
func (c *Context) mergeBackfills(steps []Step) []Step {
	type group struct {
		members []int
		sqls    []string
		merged  string          // the members' SQL as one statement
		written map[string]bool // tables backfills after the first wrote
	}
	var groups []*group
	open := map[string]*group{}
	for i, st := range steps {
		if st.Kind != revision.Backfill {
			for _, e := range c.parse(st.SQL).Effects() {
				delete(open, e.Table)
				if e.Op == effect.InsertRows {
					// A declared row (data_migration row blocks): a
					// backfill reading its table is not gathered past it.
					for _, g := range open {
						g.written[strings.ToLower(e.Table)] = true
					}
				}
			}
			delete(open, st.on)
			continue
		}
		writes := st.Table
		if b, err := sqlsyntax.ReadBackfill(st.SQL); err == nil && b.Into != "" {
			// It writes rows of another table: a backfill of that one is not
			// gathered past it.
			delete(open, b.Into)
			writes = b.Into
		}
		joined := func() *group {
			g, ok := open[st.Table]
			if !ok || steps[g.members[0]].Key != st.Key {
				return nil
			}
			for t := range g.written {
				if c.parse(st.SQL).Mentions(t) {
					return nil
				}
			}
			sql, err := sqlsyntax.MergeBackfills(append(slices.Clone(g.sqls), st.SQL)...)
			if err != nil {
				return nil
			}
			g.members, g.sqls, g.merged = append(g.members, i), append(g.sqls, st.SQL), sql
			return g
		}()
		if joined == nil {
			joined = &group{members: []int{i}, sqls: []string{st.SQL}, written: map[string]bool{}}
			groups = append(groups, joined)
			open[st.Table] = joined
		}
		for _, g := range open {
			if g != joined {
				g.written[strings.ToLower(writes)] = true
			}
		}
	}
	replace := map[int][]Step{}
	drop := map[int]bool{}
	for _, g := range groups {
		if len(g.members) < 2 {
			continue
		}
		var parts []Step
		for _, m := range g.members {
			parts = append(parts, steps[m])
			drop[m] = true
		}
		st := steps[g.members[0]]
		rules, whys := rulesAndWhys(parts)
		st.Rule, st.SQL = rules, g.merged
		st.Why = fmt.Sprintf("one pass over %s for its %d backfills, each column set only where its own backfill is pending: %s", st.Table, len(g.members), whys)
		replace[g.members[0]] = []Step{st}
	}
	return splice(steps, replace, drop)
}

// rulesAndWhys are the rules (each once) and the reasons of steps merged
// into one statement.
func rulesAndWhys(parts []Step) (rules, whys string) {
	var rs, ws []string
	for _, p := range parts {
		if !slices.Contains(rs, p.Rule) {
			rs = append(rs, p.Rule)
		}
		ws = append(ws, fmt.Sprintf("(%s) %s", p.Rule, p.Why))
	}
	return strings.Join(rs, ", "), strings.Join(ws, "; ")
}

// splice puts replace[i] where step i stands, and leaves out the steps in
// drop.
func splice(steps []Step, replace map[int][]Step, drop map[int]bool) []Step {
	var out []Step
	for i, st := range steps {
		if r, ok := replace[i]; ok {
			out = append(out, r...)
		} else if !drop[i] {
			out = append(out, st)
		}
	}
	return out
}
