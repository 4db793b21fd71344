package splitter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Each rule writes its own ALTER, but a table rebuilt once per statement
// is rebuilt once per rule: three NOT NULL tightenings and a unique index
// were four full passes over the table (issue 13: 24.8 s apart, 10.8 s
// combined, on 1M rows). So after the steps are ordered, the ALTERs of one
// table in one phase become as few statements as the server can run
// without a rebuild it would not otherwise need:
//
//   - contract: all of a table's ALTERs in one statement (gates, which run
//     first, have passed for all of them), but a foreign key's, which stays
//     apart (see combine). If that statement rebuilds the
//     table anyway (a tightening, a copy), everything rides on that one
//     rebuild. If none of the parts rebuilds, the statement must not
//     either: a column dropped (or added) in the same statement as an index
//     or foreign key built makes MariaDB 10.11 rebuild the table (NOCOPY
//     refused) and MySQL too, so those go in two statements, the drops
//     first, each without a rebuild.
//   - expand: a table that is rebuilt anyway (a widening that needs a
//     copy, a column made NULL for lack of a placeholder) gets all its
//     ALTERs in that one statement. Otherwise its instant ALTERs (new
//     columns, synced or plain, instant widenings, placeholder defaults)
//     go in one instant ALTER: each ALTER, instant or not, waits for the
//     table's metadata lock and makes every statement after it wait, so
//     five new columns stalled the table's writers five times behind a
//     long transaction (and MySQL 8.0.29+ counts each instant statement
//     adding or dropping columns, not each column, against a table's 64
//     row versions). Both servers run several instant operations in one
//     statement instantly; on MySQL before 8.0.29 too, as emcee adds
//     columns without a position: last, in the order one statement each
//     would put them. The in-place ALTERs (an index built, a column sorted
//     again under a new collation, on MySQL a widening) join that
//     statement unless it adds or drops a column: MariaDB 10.11 runs a
//     widening, a default or an ENUM member beside an index build NOCOPY
//     (the InnoDB id stays), but a column added beside any in-place
//     change rebuilds the table on both servers. Then the in-place ones
//     follow the instant ALTER as a second statement (an index may cover
//     a column it adds).
//     A virtual column added stays a statement of its own (see combine).
//
// Statements keep their relative order across tables unless moving one
// past another is harmless: a table's ALTERs are only gathered past
// statements on tables it has no foreign key with (in either release) and
// past no statement on the same table that is not a plain ALTER.

// ownAlter is an ALTER TABLE as the rules write it: ALTER TABLE `t`
// <clauses>, <algorithm>.
type ownAlter struct {
	table string
	body  string // the clauses
	cost  string
	d     *effect.DDL
}

// parseOwnAlter recognises the statements emcee writes itself; anything
// else (a statement wrapped for foreign key checks, a hand-written shape)
// is left where it is; only one ending in emcee's algorithm clause is read.
func (c *Context) parseOwnAlter(st Step) (ownAlter, bool) {
	for _, alg := range []Algorithm{Instant, NoCopy, Inplace, Copy} {
		clauses, ok := alg.Off(st.SQL)
		if !ok || st.Kind != revision.DDL {
			continue
		}
		d := c.parse(st.SQL)
		if d.Kind != effect.KindAlterTable || d.Name == "" {
			return ownAlter{}, false
		}
		body, ok := strings.CutPrefix(clauses, "ALTER TABLE "+sqlsyntax.Ident(d.Name)+" ")
		if !ok || body == "" {
			return ownAlter{}, false
		}
		return ownAlter{table: d.Name, body: body, cost: c.costOf(st.SQL), d: d}, true
	}
	return ownAlter{}, false
}

// does reports an ALTER with a clause doing one of ops.
func (a ownAlter) does(ops ...effect.Op) bool {
	return slices.ContainsFunc(a.d.Effects(), func(e effect.Effect) bool { return slices.Contains(ops, e.Op) })
}

// sameColumn reports two ALTERs with a clause on one column: the server
// takes a column once a statement ("MODIFY COLUMN name varchar(200),
// MODIFY COLUMN name varchar(300)" is error 1054, Unknown column), so a
// table's conversion to another charset, which restates each column
// taking its default, and a widening of one of them stay two
// statements.
func sameColumn(a, b ownAlter) bool {
	cols := func(a ownAlter) []string {
		var out []string
		for _, e := range a.d.Effects() {
			switch e.Op {
			case effect.AddColumn, effect.DropColumn, effect.ModifyColumn, effect.RenameColumn, effect.ColumnDefault:
				out = append(out, strings.ToLower(e.Name))
			}
		}
		return out
	}
	bs := cols(b)
	return slices.ContainsFunc(cols(a), func(c string) bool { return slices.Contains(bs, c) })
}

// member is an ALTER combine gathers, the step at index i.
type member struct {
	i int
	a ownAlter
}

// combine gathers the ALTERs of each table in one phase, as described
// above; steps are in their final order.
func (c *Context) combine(phase revision.Phase, steps []Step) []Step {
	var groups [][]member
	open := map[string]int{} // table -> index in groups of its open group
	blocked := func(g []member, upto int) bool {
		t := g[0].a.table
		for j := g[len(g)-1].i + 1; j < upto; j++ {
			if steps[j].on == t || c.fks.related(t, steps[j].on) || slices.ContainsFunc(c.parse(steps[j].SQL).Effects(), func(e effect.Effect) bool {
				return e.Table == t || e.Table != "" && c.fks.related(t, e.Table)
			}) {
				return true
			}
		}
		return false
	}
	for i := range steps {
		a, ok := c.parseOwnAlter(steps[i])
		if !ok || steps[i].fkOff || slices.ContainsFunc(a.d.Clauses, func(cl effect.Clause) bool { return cl.Op == "ADD" && cl.Virtual }) {
			// A foreign key added with checks off stays a statement of
			// its own (in place, no rebuild): the applier drops it again
			// when its orphan gate finds a row written meanwhile
			// (apply/fkcheck.go), which undoes exactly that statement.
			// So does a virtual column added: MariaDB 10.11 adds one
			// instantly only in a statement of virtual columns alone
			// (1846: "INPLACE ADD or DROP of virtual columns cannot be
			// combined with other ALTER TABLE actions").
			continue
		}
		if gi, ok := open[a.table]; ok && !blocked(groups[gi], i) && !slices.ContainsFunc(groups[gi], func(m member) bool { return sameColumn(m.a, a) }) {
			groups[gi] = append(groups[gi], member{i, a})
			continue
		}
		open[a.table] = len(groups)
		groups = append(groups, []member{{i, a}})
	}
	replace := map[int][]Step{} // first member's index -> what stands there
	drop := map[int]bool{}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		table := g[0].a.table
		rebuild := slices.ContainsFunc(g, func(m member) bool { return Rebuilds(m.a.cost) })
		if phase != revision.Contract && phase != revision.Expand && !rebuild {
			continue
		}
		var out []Step
		switch {
		case rebuild:
			out = []Step{c.merged(steps, g, fmt.Sprintf("one ALTER for %s, so the table is rebuilt once for %s", table, changes(len(g))))}
		case phase == revision.Expand:
			out = c.mergedExpand(steps, g)
		default:
			var first, second []member
			for _, m := range g {
				// The drop of a unique index another one takes over goes
				// with its successor's addition, never before it.
				if m.a.does(effect.AddIndex, effect.AddUnique, effect.AddForeignKey) || steps[m.i].replaced {
					second = append(second, m)
				} else {
					first = append(first, m)
				}
			}
			colMoves := slices.ContainsFunc(first, func(m member) bool { return m.a.does(effect.AddColumn, effect.DropColumn) })
			if len(second) == 0 || len(first) == 0 || !colMoves {
				out = []Step{c.merged(steps, g, fmt.Sprintf("one ALTER for %s of %s, none of which rebuilds the table", changes(len(g)), table))}
				break
			}
			why := fmt.Sprintf("two ALTERs for %s, neither rebuilding the table: a column dropped or added in the same statement as an index built would rebuild it", table)
			out = []Step{c.merged(steps, first, why), c.merged(steps, second, why)}
			if slices.ContainsFunc(second, func(m member) bool { return m.a.does(effect.DropIndex) }) {
				// An index re-created under its name may cover, as it
				// was, a column the other statement drops (Zabbix 4.4's
				// media_type_1, from description to name): dropped
				// first, the column took the index with it, which is no
				// instant change, and left the index's DROP nothing to
				// drop. Its new definition needs no dropped column.
				out[0], out[1] = out[1], out[0]
			}
		}
		replace[g[0].i] = out
		for _, m := range g {
			drop[m.i] = true
		}
	}
	return splice(steps, replace, drop)
}

// mergedExpand is expand's statements for a table's ALTERs, none of
// which rebuilds it: one, or two when a column added would rebuild the
// table beside the in-place ones (see above). A half of one ALTER keeps
// its own comment.
func (c *Context) mergedExpand(steps []Step, g []member) []Step {
	table := g[0].a.table
	var instant, inPlace []member
	for _, m := range g {
		if m.a.cost == CostInstant {
			instant = append(instant, m)
		} else {
			inPlace = append(inPlace, m)
		}
	}
	if len(instant) == 0 || len(inPlace) == 0 || !slices.ContainsFunc(instant, func(m member) bool { return m.a.does(effect.AddColumn, effect.DropColumn) }) {
		what := fmt.Sprintf("one instant ALTER for %s of %s", changes(len(g)), table)
		switch {
		case len(inPlace) > 0:
			what = fmt.Sprintf("one ALTER, rebuilding nothing, for %s of %s", changes(len(g)), table)
		case !slices.ContainsFunc(g, func(m member) bool { return !steps[m.i].syncGroup }):
			// As plans said before the plain ones joined them.
			what = "one instant ALTER for the columns and placeholder defaults the triggers on " + table + " rely on"
		}
		return []Step{c.merged(steps, g, fmt.Sprintf("%s: one metadata lock instead of %d", what, len(g)))}
	}
	const apart = "a column added in the same statement as an in-place change would rebuild the table"
	return []Step{
		c.merged(steps, instant, fmt.Sprintf("one instant ALTER for the %d instant changes of %s, the in-place ones after it (%s): one metadata lock instead of %d", len(instant), table, apart, len(instant))),
		c.merged(steps, inPlace, fmt.Sprintf("one ALTER for the %d in-place changes of %s, after the instant ones (%s): one metadata lock instead of %d", len(inPlace), table, apart, len(inPlace))),
	}
}

// merged is one ALTER holding the clauses of the members' statements,
// with the weakest algorithm that covers them all. A single member's is
// kept as it was written.
func (c *Context) merged(steps []Step, ms []member, why string) Step {
	st := steps[ms[0].i]
	if len(ms) == 1 {
		return st
	}
	var parts []Step
	var bodies, costs []string
	for _, m := range ms {
		parts, bodies, costs = append(parts, steps[m.i]), append(bodies, m.a.body), append(costs, m.a.cost)
	}
	rules, whys := rulesAndWhys(parts)
	st.Rule, st.Why = rules, why+": "+whys
	st.SQL = c.weakest(costs).With("ALTER TABLE " + sqlsyntax.Ident(ms[0].a.table) + " " + strings.Join(bodies, ", "))
	return st
}

// changes is "both changes" or "all 3 changes".
func changes(n int) string {
	if n == 2 {
		return "both changes"
	}
	return fmt.Sprintf("all %d changes", n)
}

// related reports a foreign key between two tables, either way, in either
// release.
func (g *fkGraph) related(a, b string) bool {
	return a != b && (slices.Contains(g.refs[a], b) || slices.Contains(g.refs[b], a))
}
