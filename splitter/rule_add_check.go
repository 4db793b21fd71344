package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A CHECK added to (or changed on) an existing table would reject writes
// the previous release may still make, so it waits for contract, behind a
// gate counting the rows it would reject. Neither server can add a CHECK
// online: MariaDB 10.11 answers "ALGORITHM=INPLACE is not supported for this
// operation. Try ALGORITHM=COPY" even with check_constraint_checks off, and
// MySQL validates it by copying. The copy blocks writes while it runs, so a
// column the check reads must say `allow_copy = true`.
//
// A changed check cannot stay as it is until contract: if the new
// expression is looser, the new release's writes would fail against the old
// one. Expand drops the old check (dropping only allows more, so both
// releases keep working; MariaDB 10.11 does it with ALGORITHM=INSTANT) and
// contract adds the new one behind the gate. emcee writes the drop itself:
// Atlas renders ModifyCheck as DROP CHECK, which MariaDB does not have.
func init() {
	register(&Rule{
		Name: "add-check",
		Doc: RuleDoc{
			Change:   "add or change a CHECK constraint on an existing table",
			Phases:   "changed check: expand drops the old one; contract adds the check (ALGORITHM=COPY: needs allow_copy = true on a column the check reads)",
			Gate:     "no row for which the check is false, less the rows a data_migration's delete removes first",
			Rollback: "added check: nothing to undo (contract only); changed check: cannot be undone online (expand dropped the old check, and neither server adds a CHECK without copying the table): the rollback is refused",
			Example: `check "ck_size" {
  expr = "size >= 0"
}`,
		},
		Match: func(c *Change) bool {
			return (is[*schema.AddCheck](c) || is[*schema.ModifyCheck](c)) && c.FromTable != nil
		},
		Split: func(c *Change) ([]Step, error) {
			var steps []Step
			ck, _ := c.Change.(*schema.AddCheck)
			if m, isModify := c.Change.(*schema.ModifyCheck); isModify {
				ck = &schema.AddCheck{C: m.To}
				steps = append(steps,
					stmt(revision.Expand, StageModifyColumn, fmt.Sprintf("check %s on %s changes: the old expression could reject writes of the new release, so it goes now (dropping a check only allows more); the new one is added in contract behind a gate", m.From.Name, c.Table.Name),
						c.ctx.dropCheck(c.Table.Name, m.From.Name)),
					refuseRollback(fmt.Sprintf("expand dropped check %s on %s (its new expression comes in contract), and adding it back needs a table copy on %s (neither server adds a CHECK online)", m.From.Name, c.Table.Name, c.ctx.Target)))
			}
			alter, err := c.Alter(ck)
			if err != nil {
				return nil, err
			}
			// diff parsed the declared expression when it loaded the release;
			// the gate is written from its tree, never around its text.
			expr, err := sqlsyntax.ParseExpr(ck.C.Expr, sqlsyntax.PerRow)
			if err != nil {
				return nil, fmt.Errorf("%s: check %s on %s: %v", c.ctx.Transition.To.Where(c.Table.Name, ""), ck.C.Name, c.Table.Name, err)
			}
			copyNote, err := c.requireOptIn(CostCopy, fmt.Sprintf("check %s (%s)", ck.C.Name, expr.SQL()), "", columnsIn(c.Table, expr)...)
			if err != nil {
				return nil, err
			}
			// MySQL's NOT ENFORCED check rejects nothing, so there is nothing to gate.
			// A row a data_migration's delete removes first is no row the
			// check must take.
			if e, ok := schemadef.Attr[*mysql.Enforced](ck.C.Attrs); !ok || e.V {
				steps = append(steps, gate(
					fmt.Sprintf("check %s on %s: the previous release could write rows it rejects; contract waits until there are none", ck.C.Name, c.Table.Name),
					c.ctx.countKept(c.Table.Name, "NOT ("+expr.SQL()+")"),
				))
			}
			return append(steps, stmt(revision.Contract, StageAddGatedConstraint, fmt.Sprintf("check %s on %s would reject writes of the previous release, so it comes after that release; %s", ck.C.Name, c.Table.Name, copyNote),
				Copy.With(alter))), nil
		},
	})
}
