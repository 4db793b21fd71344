package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A table rename keeps both releases working with a view: expand renames
// the table and creates a view under the old name, selecting the old
// release's columns. A view over one table with plain column references is
// updatable and insertable in MySQL and MariaDB (MERGE algorithm), and the
// base table's triggers fire for writes through it, so the previous release
// keeps reading and writing under the old name while the new release uses
// the new one. Contract drops the view.
//
// The window: RENAME TABLE and CREATE VIEW are two statements, so for the
// moment between them (one metadata operation) a statement of the previous
// release naming the old table fails with "table doesn't exist" (1146).
// MySQL cannot create the view before the table it selects from exists, nor
// rename a table and create a view atomically.
func init() {
	register(&Rule{
		Name:     "rename-table",
		Priority: -50,
		Doc: RuleDoc{
			Change:   "rename a table (declared: renamed_from on the table)",
			Phases:   "expand: RENAME TABLE + updatable view under the old name; contract: drop the view",
			Rollback: "one RENAME TABLE moves the view aside and the table back under its old name (atomic: the old name never goes missing), then the view is dropped",
			Example: `# in table "images", which the previous release calls "pictures"
renamed_from = "pictures"`,
		},
		Match: is[*schema.RenameTable],
		Split: splits(func(c *Change, r *schema.RenameTable) ([]Step, error) {
			oldName, newName := r.From.Name, r.To.Name
			where := c.ctx.Transition.To.Where(newName, "")
			if _, clash := c.ctx.Transition.To.Schema.Table(oldName); clash {
				return nil, fmt.Errorf("%s: table %s is renamed from %s, but the release also declares a table %s: the old name is kept as a compatibility view until contract, so it cannot be reused in the same release", where, newName, oldName, oldName)
			}
			parked := parkedView(oldName, newName, c.ctx.Transition.To.Name)
			cols := joinEach(r.From.Columns, ", ", func(col *schema.Column) string { return sqlsyntax.Ident(col.Name) })
			return []Step{
				stmt(revision.Expand, StageRenameTable, fmt.Sprintf("%s is renamed to %s (declared at %s); metadata only, the view created next keeps the old name working", oldName, newName, where),
					fmt.Sprintf("RENAME TABLE %s TO %s", sqlsyntax.Ident(oldName), sqlsyntax.Ident(newName))),
				stmt(revision.Expand, StageRenameTable, fmt.Sprintf("the previous release still reads and writes %s: an updatable single-table view with its columns serves it until contract", oldName),
					fmt.Sprintf("CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW %s AS SELECT %s FROM %s", sqlsyntax.Ident(oldName), cols, sqlsyntax.Ident(newName))),
				stmt(revision.Contract, StageDropView, fmt.Sprintf("only the previous release used the name %s", oldName),
					"DROP VIEW IF EXISTS "+sqlsyntax.Ident(oldName)),
				undo(StageRollbackRenameTable, fmt.Sprintf("%s is %s again: one RENAME TABLE moves the compatibility view aside and the table back under its old name, so statements of the previous release never find the name missing", newName, oldName),
					fmt.Sprintf("RENAME TABLE %s TO %s, %s TO %s", sqlsyntax.Ident(oldName), sqlsyntax.Ident(parked), sqlsyntax.Ident(newName), sqlsyntax.Ident(oldName))),
				undo(StageRollbackRenameTable, fmt.Sprintf("the compatibility view of %s, moved aside, is no longer used", oldName),
					"DROP VIEW IF EXISTS "+sqlsyntax.Ident(parked)),
			}, nil
		}),
	})
}

// parkedView is the name the compatibility view takes for the moment a
// rollback swaps the table back under its old name: derived like the
// trigger names, a hash of the rename keeping it apart from any table.
func parkedView(oldName, newName, release string) string {
	return sqlname.Derive(sqlname.Table, sqlname.ParkedViewPrefix+oldName, "_"+shortHash(oldName, newName, release)+"_parked")
}
