package splitter

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
)

// A CHECK added to (or changed on) an existing table would reject writes
// the previous release may still make, so it waits for contract, behind a
// gate counting the rows it would reject. Neither server can add a CHECK
// online: MariaDB 10.11 answers "ALGORITHM=INPLACE is not supported for this
// operation. Try ALGORITHM=COPY" even with check_constraint_checks off, and
// MySQL validates it by copying. The copy blocks writes while it runs, so a
// column the check reads must say `allow_copy = true`.
//
// A changed check is dropped and re-added in one ALTER written by emcee:
// Atlas writes ModifyCheck as DROP CHECK, which MariaDB does not have.
func init() {
	register(&Rule{
		Name:     "add-check",
		Priority: 100,
		Doc: RuleDoc{
			Change:  "add or change a CHECK constraint on an existing table",
			Phases:  "contract (ALGORITHM=COPY: needs allow_copy = true on a column the check reads)",
			Gate:    "no row for which the check is false",
			Example: `check "ck_size" { expr = "size >= 0" }`,
		},
		Match: func(c *Change) bool {
			switch c.Change.(type) {
			case *schema.AddCheck, *schema.ModifyCheck:
				return c.FromTable != nil
			}
			return false
		},
		Split: func(c *Change) ([]Step, error) {
			var (
				ck    *schema.Check
				alter string
				err   error
			)
			switch ch := c.Change.(type) {
			case *schema.AddCheck:
				ck = ch.C
				alter, err = c.Alter(ch)
			case *schema.ModifyCheck:
				ck = ch.To
				alter, err = c.Alter(&schema.AddCheck{C: ch.To})
				if err == nil {
					// ALTER TABLE `t` ADD ... -> ALTER TABLE `t` DROP ..., ADD ...
					prefix := "ALTER TABLE " + Quote(c.Table.Name) + " "
					if !strings.HasPrefix(alter, prefix) {
						return nil, fmt.Errorf("check %s on %s: unexpected ALTER from atlas: %s", ck.Name, c.Table.Name, alter)
					}
					alter = prefix + c.ctx.dropCheck(ch.From.Name) + ", " + strings.TrimPrefix(alter, prefix)
				}
			}
			if err != nil {
				return nil, err
			}
			copyNote, err := c.requireAllowCopy(fmt.Sprintf("check %s (%s)", ck.Name, ck.Expr), columnsIn(c.Table, ck.Expr)...)
			if err != nil {
				return nil, err
			}
			var steps []Step
			// MySQL's NOT ENFORCED check rejects nothing, so there is nothing to gate.
			if e := (&mysql.Enforced{V: true}); !hasAttr(ck.Attrs, &e) || e.V {
				steps = append(steps, gate(
					fmt.Sprintf("check %s on %s: the previous release could write rows it rejects; contract waits until there are none", ck.Name, c.Table.Name),
					countWhere(c.Table.Name, "NOT ("+ck.Expr+")"),
				))
			}
			return append(steps, Step{Phase: revision.Contract, Stage: StageAddGatedConstraint, Statement: revision.Statement{
				Why: fmt.Sprintf("check %s on %s would reject writes of the previous release, so it comes after that release; %s", ck.Name, c.Table.Name, copyNote),
				SQL: Copy.With(alter),
			}}), nil
		},
	})
}

// hasAttr finds an attribute of the same type as *target and copies it in.
func hasAttr[T schema.Attr](attrs []schema.Attr, target *T) bool {
	for _, a := range attrs {
		if v, ok := a.(T); ok {
			*target = v
			return true
		}
	}
	return false
}
