package splitter

import (
	"cmp"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// Context is one transition being split.
type Context struct {
	Transition *diff.Transition
	Target     project.Target
	drv        *mysql.Driver
	changes    []*Change
	fks        *fkGraph
	parsed     map[string]*effect.DDL
	// created are the new tables some of whose foreign keys wait for
	// contract, as expand creates them (rule_create_table.go): without
	// those keys, with the indexes the server would have made for them.
	created map[string]*schema.Table
}

// newContext is the context of one transition's split: its changes, one
// per table-level operation, and the foreign keys of new tables that wait
// for contract as changes of their own (deferKeys).
func newContext(tr *diff.Transition, t project.Target, drv *mysql.Driver) *Context {
	ctx := &Context{Transition: tr, Target: t, drv: drv, fks: newFKGraph(tr), created: map[string]*schema.Table{}}
	ctx.changes = flatten(tr)
	for _, ch := range ctx.changes {
		ch.ctx = ctx
	}
	ctx.changes = append(ctx.changes, ctx.deferKeys()...)
	return ctx
}

// parse reads a statement the rules wrote once per transition, though the
// FULLTEXT check, the cost, combine and the backfill merge all ask; the
// result is shared, and nothing changes it.
func (c *Context) parse(sql string) *effect.DDL {
	if c.parsed == nil {
		c.parsed = map[string]*effect.DDL{}
	}
	if _, ok := c.parsed[sql]; !ok {
		c.parsed[sql] = effect.Parse(sql)
	}
	return c.parsed[sql]
}

// Decl returns the declaration for a column of the target release.
func (c *Context) Decl(table, column string) *diff.ColumnDecl {
	return c.Transition.To.Declarations.Columns[diff.ColumnRef{Table: table, Column: column}]
}

// Claim marks the first unclaimed change that satisfies pred as handled by
// the calling rule, and returns it (nil if none).
func (c *Context) Claim(pred func(*Change) bool) *Change {
	for _, ch := range c.changes {
		if !ch.claimed && pred(ch) {
			ch.claimed = true
			return ch
		}
	}
	return nil
}

// Phases is the split of one transition.
type Phases map[revision.Phase][]revision.Statement

// Empty reports whether no phase has a statement.
func (p Phases) Empty() bool {
	for _, s := range p {
		if len(s) > 0 {
			return false
		}
	}
	return true
}

// Split classifies every change of the transition.
func Split(tr *diff.Transition, t project.Target, drv *mysql.Driver) (Phases, error) {
	ctx := newContext(tr, t, drv)
	type placed struct {
		Step
		table string
		seq   int
		sub   int
	}
	var steps []placed
	// Every change's refusal is reported in one run: a release widening
	// twenty columns that each need allow_copy (phpBB 3.0.4) took twenty
	// runs of emcee plan when the first refusal ended the split.
	var refused []refused
	for _, r := range rules {
		if r.PerTransition != nil {
			out, err := r.PerTransition(ctx)
			if err != nil {
				return nil, err
			}
			for i, s := range out {
				s.Rule = r.Name
				steps = append(steps, placed{Step: s, table: s.Table, seq: len(ctx.changes), sub: i})
			}
		}
		for _, ch := range ctx.changes {
			if ch.claimed || !r.Match(ch) {
				continue
			}
			ch.claimed = true
			out, err := r.split(ch)
			if err != nil {
				refused = append(refused, refusedAt(tr, ch, err))
				continue
			}
			for i, s := range out {
				s.Rule = r.Name
				steps = append(steps, placed{Step: s, table: ch.Table.Name, seq: ch.seq, sub: i})
			}
		}
	}
	for _, ch := range ctx.changes {
		if !ch.claimed {
			refused = append(refused, refusedAt(tr, ch, refusal(tr, ch)))
		}
	}
	if len(refused) > 0 {
		// Each refusal keeps its own error, so typed ones (diff.Problem) can
		// be told apart.
		return nil, &diff.Refusals{Release: tr.To.Name, Errs: inOrder(ctx.changes, refused)}
	}
	depth := ctx.fks.depth()
	slices.SortStableFunc(steps, func(a, b placed) int {
		// Referenced tables are created before the tables pointing at
		// them, and dropped after them. A rollback undoes a table's
		// changes in reverse: a column added after another may depend on
		// it (a generated column).
		byDepth, bySeq := 1, 1
		if a.Phase == revision.Contract || a.Phase == revision.Rollback {
			byDepth = -1
		}
		if a.Phase == revision.Rollback {
			bySeq = -1
		}
		if a.Phase == revision.Migrate && b.Phase == revision.Migrate && a.Stage == StageDataMigration && b.Stage == StageDataMigration {
			// Data migrations run in the order the release declares them:
			// one may read what another writes (MantisBT 1.2.0a1 inserts
			// the categories, then points each bug at its category's id).
			// Stages are numbered per phase: expand's StageCreateTable has
			// the same number.
			return cmp.Compare(a.sub, b.sub)
		}
		// Any order of phases: each phase becomes its own list below.
		return cmp.Or(cmp.Compare(a.Phase, b.Phase), cmp.Compare(a.Stage, b.Stage), byDepth*cmp.Compare(depth[a.table], depth[b.table]),
			strings.Compare(a.table, b.table), bySeq*cmp.Compare(a.seq, b.seq), cmp.Compare(a.sub, b.sub))
	})
	byPhase := map[revision.Phase][]Step{}
	for _, s := range steps {
		s.Step.on = s.table
		byPhase[s.Phase] = append(byPhase[s.Phase], s.Step)
	}
	byPhase[revision.Rollback] = onlyRefusals(byPhase[revision.Rollback])
	out := Phases{}
	for phase, list := range byPhase {
		if phase == revision.Migrate {
			list = ctx.mergeBackfills(list)
		}
		for _, s := range ctx.combine(phase, list) {
			if !s.fkOff {
				out[phase] = append(out[phase], s.Statement)
				continue
			}
			for _, sql := range ctx.withoutFKChecks(s.SQL) {
				st := s.Statement
				st.SQL = sql
				out[phase] = append(out[phase], st)
			}
		}
	}
	return out, nil
}

// flatten turns Atlas's nested changes into one change per table-level
// operation, so each gets its own rule, phase and statement.
func flatten(tr *diff.Transition) []*Change {
	var out []*Change
	add := func(c schema.Change, t, from *schema.Table) {
		out = append(out, &Change{Change: c, Table: t, FromTable: from, seq: len(out)})
	}
	// A release of thousands of tables changes some hundreds of them.
	before := map[string]*schema.Table{}
	if tr.From != nil {
		for _, t := range tr.From.Tables {
			before[t.Name] = t
		}
	}
	for _, c := range tr.Changes {
		// A table renamed earlier in this transition.
		if rt, ok := c.(*schema.RenameTable); ok && before[rt.To.Name] == nil {
			before[rt.To.Name] = rt.From
		}
	}
	for _, c := range tr.Changes {
		switch c := c.(type) {
		case *schema.AddTable:
			add(c, c.T, nil)
		case *schema.DropTable:
			add(c, c.T, c.T)
		case *schema.RenameTable:
			add(c, c.To, c.From)
		case *schema.ModifyTable:
			for _, cc := range c.Changes {
				add(cc, c.T, before[c.T.Name])
			}
		default:
			add(c, &schema.Table{Name: ""}, nil)
		}
	}
	return out
}
