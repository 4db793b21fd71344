package splitter

import "fmt"

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
			Phases:   "migrate: batched UPDATE ... SET <set> WHERE (<pending>); contract: gate",
			Gate:     "SELECT COUNT(*) FROM <table> WHERE (<pending>) returns 0",
			Rollback: "nothing to undo: the rows it rewrote in migrate stay, since it ran while the previous release served, which tolerates them",
			Example:  `data_migration "meta_v2" { table = "images", set = "meta = JSON_REMOVE(meta, '$.old')", pending = "JSON_CONTAINS_PATH(meta, 'one', '$.old')" }`,
		},
		// Declared intent, not an Atlas change: it runs once per transition.
		Match:         func(*Change) bool { return false },
		PerTransition: dataMigrationSteps,
	})
}

func dataMigrationSteps(ctx *Context) ([]Step, error) {
	to := ctx.Transition.To
	var steps []Step
	for _, m := range to.Declarations.DataMigrations {
		if ctx.Transition.DataMigrationsDone[m.Name] {
			continue // planned by an earlier revision of this release
		}
		// (*diff.Release).Check refused a migration of a table the release
		// does not declare, and one whose expressions do not parse.
		t, ok := to.Schema.Table(m.Table)
		if !ok || m.SetList == nil || m.PendingExpr == nil {
			return nil, m.Pos.Errorf("internal: data_migration %q was not validated when the release was loaded", m.Name)
		}
		steps = append(steps,
			backfillStep(t, StageDataMigration,
				fmt.Sprintf("data_migration %q (declared at %s): rewrites the rows its pending predicate selects, in batches, while both releases run", m.Name, m.Pos),
				m.SetList.SQL(), m.PendingExpr.SQL()),
			gate(fmt.Sprintf("rows data_migration %q has not rewritten yet (its pending predicate): run migrate to the end, or fix the rows it cannot rewrite", m.Name),
				countWhere(m.Table, "("+m.PendingExpr.SQL()+")")),
		)
	}
	return steps, nil
}
