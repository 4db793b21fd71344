package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A release's rollback revision (<release>_rollbackNN) undoes what its
// expand revision NN did, so that the previous release, which kept serving
// throughout, finds its own schema again. Each rule writes the undoing of
// its own expand statements beside them (Phase revision.Rollback); Split
// orders them by the rollback stages, the reverse of expand's.
//
// What a rollback may do is what expand may: only statements the servers
// run online (INSTANT, or INPLACE with LOCK=NONE), and anything that could
// fail on a row behind a gate written like contract's, which the applier
// runs before the revision's first statement, on every run and resume.
// An expand statement whose undoing the server can only run by copying the
// table (narrowing a column's type, adding a CHECK back) makes the whole
// revision a refusal: its rollback holds one closed gate per such
// statement, saying why, and nothing else, so that the applier stops
// before changing anything and the operator reads the reason (restore
// from backup, or finish the release). A half-undone expand would leave a
// schema that is neither release's.
//
// What the rollback cannot give back is what only the new release wrote:
// values in the columns and rows in the tables it drops. Data migrations
// that ran in migrate stay: they ran while the previous release served,
// which it tolerates by construction.

func undo(stage Stage, why, sql string) Step {
	return stmt(revision.Rollback, stage, why, sql)
}

// rollbackGate is a gate of the rollback revision: the rows that would
// make one of its statements fail.
func rollbackGate(why, sql string) Step {
	return gateStmt(revision.Rollback, StageRollbackGate, why, sql)
}

// refusedGate is the gate of a refused rollback: it counts 1 whatever the
// data, so the gate is always closed.
const refusedGate = "SELECT 1"

// refuseRollback stands for an expand statement emcee cannot undo online.
func refuseRollback(why string) Step {
	st := rollbackGate(revision.RefusedRollback+why+"; the rollback changes nothing: the way back is a backup, or finishing the release", refusedGate)
	st.refusal = true
	return st
}

// onlyRefusals keeps a refused rollback's refusals (see above), each
// reason once.
func onlyRefusals(steps []Step) []Step {
	var out []Step
	for _, s := range steps {
		if s.refusal && !slices.ContainsFunc(out, func(o Step) bool { return o.Why == s.Why }) {
			out = append(out, s)
		}
	}
	if out == nil {
		return steps
	}
	return out
}

// The drops a rollback writes name only the table and what goes, so
// they are written here rather than planned by Atlas: Atlas plans a drop
// with its reverse, reading the whole table or column, whose schema
// objects other transitions planned at the same time may be normalizing.

func dropTable(table string) string { return "DROP TABLE " + sqlsyntax.Ident(table) }

// dropAdded is the rollback's drop of column name, new in the release,
// which expand added with alg: a column added by a copy (FULLTEXT:
// fulltext.go) is dropped by one. lost says what goes with it.
func (c *Change) dropAdded(name string, alg Algorithm, lost string) Step {
	if alg != Copy {
		alg = c.ctx.dropAlgorithm()
	}
	return undo(StageRollbackDropColumn, fmt.Sprintf("%s.%s is new in this release and the previous release never reads it; %s", c.Table.Name, name, lost),
		alg.With(fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", sqlsyntax.Ident(c.Table.Name), sqlsyntax.Ident(name))))
}

// restoreColumn undoes an expand MODIFY that took a column of the previous
// release from was to is. Narrowing a type back copies the table on both
// servers (MariaDB 10.11 and MySQL 8.0 narrow a VARCHAR, an integer, a
// DECIMAL or an ENUM only with ALGORITHM=COPY: "Cannot change column type.
// Try ALGORITHM=COPY"), unless only the display width changed (BOOL <->
// TINYINT: displayOnly). It runs behind a gate counting the rows the
// narrow column cannot hold exactly, the predicates contract's tightening
// counts (planTightening from is to was); the applier runs the copy only
// where the operator accepts it (--osc pt-osc, or --allow-copy). A change
// planTightening cannot check row by row (a TEXT back to a VARCHAR, a
// charset) stays refused. NOT NULL comes back in place (the table is
// rebuilt while writes continue, which expand's relaxation needed
// allow_copy for already) behind a gate counting the rows the new release
// left NULL; a default or a comment is metadata only.
func (c *Change) restoreColumn(was, is *schema.Column, kind schema.ChangeKind, what string, keys ...schema.Change) ([]Step, error) {
	table := c.Table.Name
	name := table + "." + was.Name
	if kind&(schema.ChangeCharset|schema.ChangeCollate) != schema.NoChange {
		return []Step{refuseRollback(fmt.Sprintf("%s moved %s to another charset, and moving it back copies the table and rejects the characters only the new one stores, which the new release may have written", what, name))}, nil
	}
	var narrow *columnTightening
	if kind.Is(schema.ChangeType) && !displayOnly(was.Type.Type, is.Type.Type) {
		tg, err := planTightening(is, was, kind)
		if err != nil {
			// No position in the reason: the revision is the same whether
			// the release is declared in HCL or as SQL.
			return []Step{refuseRollback(fmt.Sprintf("%s changed %s from %s to %s, and narrowing it back cannot be checked row by row (%v)", what, name, schemadef.TypeName(was.Type), schemadef.TypeName(is.Type), err))}, nil
		}
		narrow = tg
	}
	sql, err := c.Alter(append([]schema.Change{&schema.ModifyColumn{From: is, To: was, Change: kind}}, keys...)...)
	if err != nil {
		return nil, err
	}
	if narrow != nil {
		old := schemadef.TypeName(was.Type)
		if kind.Is(schema.ChangeNull) && !was.Type.Null {
			old += " NOT NULL"
		}
		var steps []Step
		if len(narrow.preds) > 0 {
			steps = append(steps, rollbackGate(fmt.Sprintf("%s is %s again in the previous release: rows the new release wrote that it cannot hold exactly must be changed first", name, old),
				countWhere(table, strings.Join(narrow.preds, " OR "))))
		}
		return append(steps, undo(StageRollbackRestoreColumn, fmt.Sprintf("%s gets back its definition of the previous release (undoes %s, %s -> %s); TABLE COPY: the server blocks writes while it runs, unless --osc pt-osc hands it to pt-online-schema-change; `emcee db rollback` runs it only with --osc pt-osc or --allow-copy", name, what, schemadef.TypeName(is.Type), schemadef.TypeName(was.Type)), Copy.With(sql))), nil
	}
	if kind.Is(schema.ChangeNull) && !was.Type.Null {
		return []Step{
			rollbackGate(fmt.Sprintf("%s is NOT NULL again in the previous release: rows the new release left NULL in it must get a value first", name),
				countWhere(table, sqlsyntax.Ident(was.Name)+" IS NULL")),
			undo(StageRollbackRestoreColumn, fmt.Sprintf("%s gets back its definition of the previous release (undoes %s); NOT NULL is set in place, the table rebuilt while writes continue", name, what), Inplace.With(sql)),
		}, nil
	}
	return []Step{undo(StageRollbackRestoreColumn, fmt.Sprintf("%s gets back its definition of the previous release (undoes %s); metadata only", name, what), Instant.With(sql))}, nil
}
