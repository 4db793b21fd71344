package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A data-only migration (data_migration "name" { table, set, pending })
// changes values, not the schema: Glance's train of releases rewriting rows.
// Migrate runs it in batches; contract is gated on its pending predicate,
// so nothing that relies on the new values is dropped or tightened while
// rows are left.
func init() {
	register(&Rule{
		Name:     "data-migration",
		Priority: 100,
		Doc: RuleDoc{
			Change:   "data-only migration (declared: data_migration block)",
			Phases:   "migrate: batched UPDATE ... SET <set> WHERE (<pending>), or with from and insert INSERT INTO <table> (<columns>) SELECT <values> FROM <from> WHERE (<pending>) batched over from's key; contract: gate",
			Gate:     "SELECT COUNT(*) FROM <table> (<from> for an insert) WHERE (<pending>) returns 0",
			Rollback: "nothing to undo: the rows it rewrote in migrate stay, since it ran while the previous release served, which tolerates them; the rows it inserted go with their table, new in the release, which the rollback drops",
			Example: `data_migration "meta_v2" {
  table   = "images"
  set     = "meta = JSON_REMOVE(meta, '$.old')"
  pending = "JSON_CONTAINS_PATH(meta, 'one', '$.old')"
}`,
		},
		// Declared intent, not an Atlas change: it runs once per transition.
		Match:         func(*Change) bool { return false },
		PerTransition: dataMigrationSteps,
	})
}

func dataMigrationSteps(ctx *Context) ([]Step, error) {
	to := ctx.Transition.To
	var steps []Step
	var planned []plannedMigration
	for _, m := range to.Declarations.DataMigrations {
		if ctx.Transition.DataMigrationsDone[m.Name] {
			continue // planned by an earlier revision of this release
		}
		planned = append(planned, plannedMigration{m, len(steps)})
		// (*diff.Release).Check refused a migration of a table the release
		// does not declare, and one whose expressions do not parse.
		t, ok := to.Schema.Table(m.Rows())
		if !ok || (m.SetList == nil && m.InsertList == nil) || m.PendingExpr == nil {
			return nil, m.Pos.Errorf("internal: data_migration %q was not validated when the release was loaded", m.Name)
		}
		if m.InsertList != nil {
			step, err := insertStep(t, m)
			if err != nil {
				return nil, err
			}
			steps = append(steps, step,
				gate(fmt.Sprintf("rows of %s data_migration %q has not inserted a row of %s for yet (its pending predicate; rows the previous release wrote after migrate passed them too): run migrate again, or fix the rows it cannot move", m.From, m.Name, m.Table),
					countWhere(m.From, "("+m.PendingExpr.SQL()+")")))
			continue
		}
		step, err := backfillStep(t, StageDataMigration,
			fmt.Sprintf("data_migration %q (declared at %s): rewrites the rows its pending predicate selects, in batches, while both releases run", m.Name, m.Pos),
			m.SetList, m.PendingExpr)
		if err != nil {
			return nil, m.Pos.Errorf("data_migration %q: %v", m.Name, err)
		}
		steps = append(steps, step,
			gate(fmt.Sprintf("rows data_migration %q has not rewritten yet (its pending predicate): run migrate to the end, or fix the rows it cannot rewrite", m.Name),
				countWhere(m.Table, "("+m.PendingExpr.SQL()+")")),
		)
	}
	if err := readBeforeInserted(ctx, planned, steps); err != nil {
		return nil, err
	}
	return steps, nil
}

// plannedMigration is a data migration planned now, and where its steps
// start among dataMigrationSteps'.
type plannedMigration struct {
	m     *diff.DataMigration
	steps int
}

// readsTable tells whether the steps of planned migration i mention
// table.
func readsTable(ctx *Context, planned []plannedMigration, i int, steps []Step, table string) bool {
	end := len(steps)
	if i+1 < len(planned) {
		end = planned[i+1].steps
	}
	return slices.ContainsFunc(steps[planned[i].steps:end], func(st Step) bool { return ctx.parse(st.SQL).Mentions(table) })
}

// readBeforeInserted refuses a data migration that reads a table a data
// migration declared after it inserts rows into: they run in declared
// order (Split), and that table is new in the release (an insert's table
// is), so the first would find none of those rows (an UPDATE setting
// NULL, or a pending predicate that never selects them) while migrate
// reports it done. A migration inserting into that same table (its pending
// reads it to insert no row twice) is no such reader. Two that each read
// the rows the other inserts have no order: said once, not as two
// refusals sending each after the other.
func readBeforeInserted(ctx *Context, planned []plannedMigration, steps []Step) error {
	for i, pm := range planned {
		for j := i + 1; j < len(planned); j++ {
			later := planned[j].m
			if later.InsertList == nil || strings.EqualFold(later.Table, pm.m.Table) || !readsTable(ctx, planned, i, steps, later.Table) {
				continue
			}
			if pm.m.InsertList != nil && readsTable(ctx, planned, j, steps, pm.m.Table) {
				return pm.m.Pos.Errorf("data_migration %q and data_migration %q (at %s) each reads the rows the other inserts: no order of the two works, the first to run finds none of the other's. Make one of them read what both read before (the tables they insert from), or move one to the next release",
					pm.m.Name, later.Name, later.Pos)
			}
			return pm.m.Pos.Errorf("data_migration %q reads table %s, which data_migration %q (declared after it, at %s) fills with rows: data migrations run in the order the release declares them, so %q would run first and find none of them; declare %q after %q",
				pm.m.Name, later.Table, later.Name, later.Pos, pm.m.Name, pm.m.Name, later.Name)
		}
	}
	return nil
}

// insertStep is the backfill of a data migration that inserts rows: for
// each pending row of from, batched over from's key, a row of the new table
// (sqlsyntax.InsertBackfill). Its pending predicate reads the new table
// (diff refuses one that does not), so that a rerun inserts no row twice.
func insertStep(from *schema.Table, m *diff.DataMigration) (Step, error) {
	sql, err := sqlsyntax.InsertBackfill(m.Table, m.From, m.InsertList, m.PendingExpr)
	if err != nil {
		return Step{}, m.Pos.Errorf("data_migration %q: %v", m.Name, err)
	}
	st := revision.Statement{
		Why:   fmt.Sprintf("data_migration %q (declared at %s): inserts into %s a row for each row of %s its pending predicate selects, in batches, while both releases run", m.Name, m.Pos, m.Table, m.From),
		Kind:  revision.Backfill,
		SQL:   sql,
		Table: from.Name,
		Key:   diff.BatchKey(from),
	}
	if st.Key == "" {
		st.Why += "; NOT BATCHED: " + from.Name + " has no single-column primary key, so this is one INSERT ... SELECT holding its row locks until it ends"
	}
	return Step{Phase: revision.Migrate, Stage: StageDataMigration, Statement: st}, nil
}
