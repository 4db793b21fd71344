package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
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
			Phases:   "migrate: batched UPDATE ... SET <set> WHERE (<pending>), or with from and insert INSERT INTO <table> (<columns>) SELECT <values> FROM <from> WHERE (<pending>) batched over from's key, or with row blocks one INSERT a row, unless a row with exactly its values is there (one holding its key with other values is refused, never overwritten); contract: gate; with delete, contract, first after the gates: DELETE <table> FROM <table> JOIN (SELECT <key> FROM <table> WHERE (<delete>)) AS emcee_rows USING (<key>), run as its keys read once by a SELECT, then deleted by key in batches as a backfill runs (one statement for a key of several columns; DELETE FROM <table> WHERE (<delete>) without a primary key kept from the previous release)",
			Gate:     "SELECT COUNT(*) FROM <table> (<from> for an insert) WHERE (<pending>) returns 0; for row blocks, no declared row's key missing from <table>; for delete, none of the table's rows kept while it has some, and no declared row deleted (the table's other gates leave out the rows it deletes: its new keys', checks', tightenings', fills' and other data migrations' pending rows)",
			Rollback: "nothing to undo: the rows it rewrote or declared in migrate stay, since it ran while the previous release served, which tolerates them; the rows it inserted into a table new in the release go with it, which the rollback drops, and into a table the previous release has they stay (the values of the release's new columns in them go with those columns, counted as the new release's data); a delete runs in contract, after which no rollback runs",
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

// leftOut are the data migrations deleting rows of table whose rows the
// gates of this transition leave out by their predicates (the delete runs
// after the gates, before the key they guard is added). A delete an
// earlier revision of the release ran has left none of its rows, and its
// predicate may read what that revision dropped after it: b_contract01
// deleting by legacy, then dropping it, made b_contract02's unique gate
// fail with 1054. Such a delete is left out only while every table and
// column it reads is still there when the gate runs (the state the
// earlier revisions left: the transition's From). Left out, its rows are
// those it will delete, for db check's answer before it runs; once it
// has run, a row it selects was written since and stays, and the
// applier counts them (sqlsyntax.Gate.Counting, apply's deletesRun).
func (c *Context) leftOut(table string) []*diff.DataMigration {
	var out []*diff.DataMigration
	cols := func(name string) ([]string, bool) {
		t := c.previousTable(name)
		return diff.ColumnNames(t), t != nil
	}
	for _, m := range c.Transition.To.Declarations.Deletes(table) {
		if c.Transition.DataMigrationsDone[m.Name] {
			own, ok := cols(table)
			if _, err := m.DeleteExpr.Resolve(sqlsyntax.Scope{Table: table, Columns: own, Tables: cols}); !ok || err != nil {
				continue
			}
		}
		out = append(out, m)
	}
	return out
}

// keptRows is the predicates each row of table meets that no
// data_migration of the release deletes (delete = "...", run in contract
// first after the gates, before the schema changes): every gate of the
// table's rows leaves the other rows out, as they will not be there when
// its change runs (a key, a check, a tightening, NOT NULL after a fill,
// the drop a data migration's pending rows hold back). Each reads the row
// of the table unaliased.
func (c *Context) keptRows(table string) []string {
	var kept []string
	for _, m := range c.leftOut(table) {
		kept = append(kept, "("+m.DeleteExpr.SQL()+") IS NOT TRUE")
	}
	return kept
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
		if !ok && m.InsertList != nil && ctx.Transition.From != nil {
			// from is a table the release drops: there until contract
			// drops it, after the gate counting its pending rows (Gitea
			// 1.21's deleted_branch, moved into branch).
			t, ok = ctx.Transition.From.Table(m.From)
		}
		if ok && m.DeleteExpr != nil {
			sql, err := sqlsyntax.DeleteRows(t.Name, deleteKey(ctx.Transition.From, t), m.DeleteExpr)
			if err != nil {
				return nil, m.Pos.Errorf("data_migration %q: %v", m.Name, err)
			}
			// A predicate may read the row and still select every one (id >
			// 0, id IS NOT NULL): no statement deletes a table's rows at
			// scale unseen, so contract stops before such a delete empties
			// a table holding rows. The uncorrelated NOT EXISTS is read
			// once, and stops at the first row kept (a group's first, for
			// duplicates); the predicate's table names there are the
			// subquery's, as in the duplicate gates. The rows the
			// release's other deletes of the table remove are no row kept
			// (keptRows holds this one's too): two deletes that each keep
			// some rows, none the same, empty the table together.
			var others []string
			for _, o := range ctx.leftOut(t.Name) {
				if o != m {
					others = append(others, fmt.Sprintf("data_migration %q", o.Name))
				}
			}
			every := "every row of " + t.Name
			if len(others) > 0 {
				every = fmt.Sprintf("every row of %s that %s %s", t.Name, sqlsyntax.Series(others, "and"), sqlsyntax.OneOrMany(len(others), "keeps", "keep"))
			}
			steps = append(steps, gate(fmt.Sprintf("the delete of data_migration %q selects %s: the gate counts the rows it would delete when it keeps none, which a delete of duplicates never does (it keeps one row of each). Fix the predicate (emcee plan --rewrite %s, while the release is not released), then rerun; if emptying %s is meant, empty it yourself (DELETE FROM %s), then rerun: the gate opens on an empty table",
				m.Name, every, ctx.Transition.To.Name, t.Name, sqlsyntax.Ident(t.Name)),
				countWhere(t.Name, fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s WHERE %s)", sqlsyntax.Ident(t.Name), strings.Join(ctx.keptRows(t.Name), " AND ")))))
			// A row the release declares (row blocks) is there for the new
			// release to rely on: contract stops before the delete takes one.
			if keys, shown := declaredKeys(to, t); len(keys) > 0 {
				steps = append(steps, gate(fmt.Sprintf("the delete of data_migration %q selects rows the release declares (%s): the gate counts them. Fix the predicate so that it keeps them (emcee plan --rewrite %s, while the release is not released), then rerun",
					m.Name, seedList(shown), to.Name), countWhere(t.Name, fmt.Sprintf("(%s) AND (%s)", m.DeleteExpr.SQL(), sqlsyntax.SeedKeys(keys)))))
			}
			steps = append(steps, stmt(revision.Contract, StageDeleteRows, fmt.Sprintf("data_migration %q (declared at %s): DELETES the rows of %s its delete predicate selects: data destroyed on purpose, in contract, once the previous release is gone (until then it could write such rows again), before contract changes the schema; the duplicate gates of the table's new keys leave those rows out", m.Name, m.Pos, t.Name), sql))
			continue
		}
		if ok && m.Seed != nil {
			seed, err := seedSteps(ctx.Target, t, m)
			if err != nil {
				return nil, err
			}
			steps = append(steps, seed...)
			continue
		}
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
		// A row another data migration deletes needs no rewrite.
		steps = append(steps, step,
			gate(fmt.Sprintf("rows data_migration %q has not rewritten yet (its pending predicate): run migrate to the end, or fix the rows it cannot rewrite", m.Name),
				ctx.countKept(m.Table, "("+m.PendingExpr.SQL()+")")),
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
	return backfill(from, StageDataMigration, fmt.Sprintf("data_migration %q (declared at %s): inserts into %s a row for each row of %s its pending predicate selects, in batches, while both releases run", m.Name, m.Pos, m.Table, m.From),
		sql, from.Name+" has no single-column primary key, so this is one INSERT ... SELECT holding its row locks until it ends"), nil
}

// seedSteps are the statements of a data migration that declares its rows
// (rows = [...]): in migrate, one INSERT a row, which inserts it unless a
// row with exactly its values is there (a resume that sends it again
// inserts nothing), and fails on a row holding its key with other values,
// which it neither overwrites nor skips (the applier names the row and the
// ways out); in contract, a gate counting the declared rows whose key the
// table lacks, since what contract and the new release do next may rely
// on them. Nothing in the rollback: the rows stay (see the rule's doc).
func seedSteps(target project.Target, t *schema.Table, m *diff.DataMigration) ([]Step, error) {
	var steps []Step
	keys := make([][]sqlsyntax.Cell, len(m.Seed))
	shown := make([]string, len(m.Seed))
	for i, row := range m.Seed {
		// MySQL's JSON type compares with a string as with a JSON string
		// (MariaDB's is text): sqlsyntax.Cell.JSON, on a copy (the release
		// is the loader's).
		cells := slices.Clone(row.Cells)
		for j := range cells {
			if c, ok := t.Column(cells[j].Column); ok && !target.MariaDB() {
				_, cells[j].JSON = c.Type.Type.(*schema.JSONType)
			}
		}
		var what string
		keys[i], what = diff.SeedKey(t, row)
		if keys[i] == nil {
			return nil, row.Pos.Errorf("internal: row %d of data_migration %q was not validated when the release was loaded", row.N, m.Name)
		}
		shown[i] = diff.SeedKeyText(keys[i])
		sql, err := sqlsyntax.SeedInsert(t.Name, cells)
		if err != nil {
			return nil, row.Pos.Errorf("data_migration %q, row %d: %v", m.Name, row.N, err)
		}
		steps = append(steps, stmt(revision.Migrate, StageDataMigration, fmt.Sprintf("data_migration %q (row %d, declared at %s): inserts into %s the row %s, keyed by %s (%s), unless a row with exactly these values is there (a rerun inserts nothing); a row holding that key with other values is neither overwritten nor skipped: the server refuses this INSERT (duplicate key)",
			m.Name, row.N, row.Pos, t.Name, seedRowText(row), what, shown[i]), sql))
	}
	sql, err := sqlsyntax.SeedMissing(t.Name, keys)
	if err != nil {
		return nil, m.Pos.Errorf("data_migration %q: %v", m.Name, err)
	}
	return append(steps, gate(fmt.Sprintf("rows data_migration %q declares (%s) that %s lacks: the gate counts the missing ones. Migrate inserted them; one missing now was deleted since, or had its key changed: insert it again as migrate's INSERT of data_migration %q does, then rerun",
		m.Name, seedList(shown), t.Name, m.Name), sql)), nil
}

// deleteKey is the key a delete joins its selected rows back by
// (sqlsyntax.DeleteRows): the primary key of whole columns the table has
// in both releases (the DELETE runs first in contract, before a new
// primary key), nil when there is none.
func deleteKey(from *schema.Schema, t *schema.Table) []string {
	whole := func(pk *schema.Index) []string {
		if pk == nil || slices.ContainsFunc(pk.Parts, func(p *schema.IndexPart) bool { return p.C == nil || diff.Prefix(p) > 0 }) {
			return nil
		}
		return diff.PartColumns(pk)
	}
	old := schemadef.TableIn(from, t.Name)
	if old == nil {
		return nil
	}
	key := whole(t.PrimaryKey)
	if !slices.EqualFunc(key, whole(old.PrimaryKey), strings.EqualFold) {
		return nil
	}
	return key
}

// declaredKeys are the keys of the rows every data_migration of release
// to declares into table t (row blocks), those planned by an earlier
// revision of the release too, and each as messages show it.
func declaredKeys(to *diff.Release, t *schema.Table) (keys [][]sqlsyntax.Cell, shown []string) {
	for _, m := range to.Declarations.DataMigrations {
		if m.Seed == nil || !strings.EqualFold(m.Table, t.Name) {
			continue
		}
		for _, row := range m.Seed {
			if k, _ := diff.SeedKey(t, row); k != nil {
				keys, shown = append(keys, k), append(shown, diff.SeedKeyText(k))
			}
		}
	}
	return keys, shown
}

// seedRowText shows a declared row's values, as the plan's comment and
// review show them: (id = 1, name = 'General').
func seedRowText(row *diff.SeedRow) string {
	return "(" + joinEach(row.Cells, ", ", func(c sqlsyntax.Cell) string { return c.Column + " = " + c.Value.SQL() }) + ")"
}

// seedList shows the keys of a seed's rows, the first few of many.
func seedList(keys []string) string {
	const most = 5
	if len(keys) <= most {
		return strings.Join(keys, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(keys[:most], "; "), len(keys)-most)
}
