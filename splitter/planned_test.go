package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// Every statement a whole transition writes outside a directive (the
// per-transition data migrations and the rollback included, which rule
// cases through tcSteps do not reach) is one effect's DDL.Planned knows:
// the applier refuses a revision holding any other (apply's
// Session.readable), so a form the planner writes and Planned does not
// know would make emcee refuse its own plans. Each case also names the
// kind of statement it is there for, and fails when the transition no
// longer writes one, so that it keeps proving what it says.
func TestEveryStatementSplitWritesIsPlanned(t *testing.T) {
	const tags = "table \"img tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n    auto_increment = true\n  }\n  column \"image id\" {\n    type = bigint\n  }\n  column \"label\" {\n    type = varchar(30)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const insert = "data_migration \"tags\" {\n  table   = \"img tags\"\n  from    = \"images\"\n  insert  = \"`image id` = id, label = name\"\n  pending = \"name <> '' AND NOT EXISTS (SELECT 1 FROM `img tags` AS t WHERE t.`image id` = images.id)\"\n}\n"
	const seed = "data_migration \"default_category\" {\n  table = \"category\"\n  row {\n    id = 1\n    project_id = 0\n    name = \"it's \\\\ General\"\n  }\n  row {\n    project_id = 2\n    name = \"Ops\"\n    label = null\n  }\n}\n"
	const uq = "  index \"uq_category\" {\n    unique  = true\n    columns = [column.project_id, column.name]\n  }\n"
	const dedupe = "data_migration \"dedupe\" {\n  table  = \"category\"\n  delete = \"EXISTS (SELECT 1 FROM category AS d WHERE d.project_id = category.project_id AND d.name = category.name AND d.id < category.id)\"\n}\n"
	fk := tcEdit(t, tcImages, "  index \"ix_owner\" {", "  foreign_key \"fk_owner\" {\n    columns     = [column.owner_id]\n    ref_columns = [table.owners.column.id]\n  }\n  index \"ix_owner\" {")
	for _, c := range []struct {
		name          string
		target        project.Target
		before, after string
		phase         revision.Phase
		kind          revision.Kind
		has           string // what the statement of phase and kind it is there for starts with
	}{
		{"data_migration set: its backfill", mariadb1011, tcImages, tcImages + tcDataMigration, revision.Migrate, revision.Backfill, "UPDATE "},
		{"data_migration set: its gate", mariadb1011, tcImages, tcImages + tcDataMigration, revision.Contract, revision.Gate, "SELECT COUNT(*) "},
		{"data_migration insert: INSERT ... SELECT", mariadb1011, tcImages, tcImages + tags + insert, revision.Migrate, revision.Backfill, "INSERT INTO `img tags` "},
		{"data_migration insert: its new table", mariadb1011, tcImages, tcImages + tags + insert, revision.Expand, revision.DDL, "CREATE TABLE `img tags`"},
		{"data_migration insert: its table dropped by the rollback", mariadb1011, tcImages, tcImages + tags + insert, revision.Rollback, revision.DDL, "DROP TABLE `img tags`"},
		{"data_migration rows: INSERT ... FROM DUAL WHERE NOT EXISTS", mariadb1011, tcCategory, tcCategory + seed, revision.Migrate, revision.DDL, "INSERT INTO `category` "},
		{"data_migration rows: the gate of the rows missing", mariadb1011, tcCategory, tcCategory + seed, revision.Contract, revision.Gate, "SELECT 2 - COUNT(*) "},
		{"data_migration delete: DELETE in contract", mariadb1011, tcEdit(t, tcCategory, uq, ""), tcCategory + dedupe, revision.Contract, revision.DDL, "DELETE `category` FROM `category` JOIN (SELECT `id` FROM `category` WHERE "},
		{"data_migration delete: the unique key it clears the way for", mariadb1011, tcEdit(t, tcCategory, uq, ""), tcCategory + dedupe, revision.Contract, revision.DDL, "ALTER TABLE `category` ADD UNIQUE INDEX"},
		{"rename-table: the rename", mariadb1011, tcEdit(t, tcImages, "table \"images\" {", "table \"pictures\" {"), tcEdit(t, tcImages, "table \"images\" {", "table \"images\" {\n  renamed_from = \"pictures\""), revision.Expand, revision.DDL, "RENAME TABLE "},
		{"rename-table: the view under the old name", mariadb1011, tcEdit(t, tcImages, "table \"images\" {", "table \"pictures\" {"), tcEdit(t, tcImages, "table \"images\" {", "table \"images\" {\n  renamed_from = \"pictures\""), revision.Expand, revision.DDL, "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW "},
		{"rename-table: the view dropped", mariadb1011, tcEdit(t, tcImages, "table \"images\" {", "table \"pictures\" {"), tcEdit(t, tcImages, "table \"images\" {", "table \"images\" {\n  renamed_from = \"pictures\""), revision.Contract, revision.DDL, "DROP VIEW "},
		{"rename-table: the rollback's rename back", mariadb1011, tcEdit(t, tcImages, "table \"images\" {", "table \"pictures\" {"), tcEdit(t, tcImages, "table \"images\" {", "table \"images\" {\n  renamed_from = \"pictures\""), revision.Rollback, revision.DDL, "RENAME TABLE "},
		{"replace-column: the sync triggers", mariadb1011, tcImages, tcEdit(t, tcImages, tcReplaceNote...), revision.Expand, revision.DDL, "CREATE TRIGGER "},
		{"replace-column: the triggers dropped", mariadb1011, tcImages, tcEdit(t, tcImages, tcReplaceNote...), revision.Contract, revision.DDL, "DROP TRIGGER "},
		{"add-foreign-key on MySQL 8: the session's foreign_key_checks", mysql80, tcImages, fk, revision.Contract, revision.DDL, "SET SESSION foreign_key_checks = 0"},
		{"drop-table", mariadb1011, tcImages + tags, tcImages, revision.Contract, revision.DDL, "DROP TABLE "},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, ctx := tcTransition(t, c.target, c.before, c.after)
			ph, err := Split(tr, c.target, ctx.drv)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for phase, stmts := range ph {
				for _, st := range stmts {
					tcPlanned(t, st.Rule, st.Kind, st.SQL)
					found = found || phase == c.phase && st.Kind == c.kind && strings.HasPrefix(st.SQL, c.has)
				}
			}
			if !found {
				t.Errorf("no %s statement of kind %q starting %q: the case no longer proves what it is for; phases:\n%v", c.phase, c.kind, c.has, ph)
			}
		})
	}
	// The forms Planned must refuse stay refused: a test that passed
	// everything would prove nothing.
	for _, sql := range []string{"GRANT ALL ON *.* TO `evil`@`%`", "DO SLEEP(1)", "UPDATE `images` SET `note` = ''"} {
		if effect.Parse(sql).Planned() {
			t.Errorf("Planned(%s) = true", sql)
		}
	}
}
