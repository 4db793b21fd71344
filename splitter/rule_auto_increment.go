package splitter

import (
	"fmt"
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A kept column the server comes to number, or stops numbering
// (AUTO_INCREMENT). Atlas's differ sees neither (diff's
// withAutoIncrementChanges adds the change): LimeSurvey 1.92's DBVersion
// 156 gives survey_url_parameters an id the server numbers, which was
// planned as nothing while the snapshot said AUTO_INCREMENT.
//
// Made AUTO_INCREMENT, in expand: the previous release writes its own
// values, which the server keeps, and the new release's inserts without
// one are numbered from expand on. The server numbers a column only where
// a key starts with it (error 1075), so the previous release must have
// one; it does so by copying the table (MariaDB refuses INPLACE, 1846),
// which the column opts in to with allow_copy; and the copy numbers anew
// a row holding 0, as it numbers a NULL, so expand's gate waits until no
// row holds 0. Undone by dropping the attribute, metadata only.
//
// Made plain, in contract: the previous release's inserts without a value
// rely on the numbering until it is gone.
func init() {
	register(&Rule{
		Name:     "auto-increment",
		Priority: -60,
		Doc: RuleDoc{
			Change:   "a column the table keeps becomes AUTO_INCREMENT, or stops being it (its definition otherwise unchanged)",
			Phases:   "becoming AUTO_INCREMENT: expand (ALGORITHM=COPY: needs allow_copy = true on the column; a key of the previous release must start with it); no longer: contract (MariaDB: ALGORITHM=INSTANT; MySQL: ALGORITHM=COPY, with allow_copy = true)",
			Gate:     "becoming AUTO_INCREMENT, before expand: no row holds 0 in it (the copy would number it anew)",
			Rollback: "becoming AUTO_INCREMENT: the attribute dropped (MariaDB: INSTANT; MySQL: a table copy, run only with --osc pt-osc or --allow-copy); no longer: nothing to undo (contract only)",
			Example: `# was not AUTO_INCREMENT
column "id" {
  type           = int
  auto_increment = true
  allow_copy     = true
}`,
		},
		Match: matches(func(c *Change, m *schema.ModifyColumn) bool {
			return diff.AutoIncrement(m.From) != diff.AutoIncrement(m.To)
		}),
		Split: splits(func(c *Change, m *schema.ModifyColumn) ([]Step, error) {
			to := c.ctx.Transition.To
			table, col := c.Table.Name, m.To.Name
			name := table + "." + col
			adds := diff.AutoIncrement(m.To)
			what := "no longer AUTO_INCREMENT"
			if adds {
				what = "AUTO_INCREMENT"
			}
			if m.Change != schema.ChangeAttr {
				return nil, fmt.Errorf("%s: %s becomes %s and changes otherwise too (%s): emcee plans a change of AUTO_INCREMENT alone. Change the rest in one release and AUTO_INCREMENT in the next", to.Where(table, col), name, what, describeColumnChange(m.Change&^schema.ChangeAttr))
			}
			sql, err := c.Alter(m)
			if err != nil {
				return nil, err
			}
			mariadb := c.ctx.Target.MariaDB()
			if !adds {
				why := fmt.Sprintf("%s is no longer AUTO_INCREMENT: the previous release's inserts that leave it out rely on the numbering, so it stops after that release is gone", name)
				alg := Instant
				if !mariadb {
					alg = Copy
					note, err := c.requireOptIn(CostCopy, "this change (AUTO_INCREMENT dropped)", "or keep AUTO_INCREMENT", col)
					if err != nil {
						return nil, err
					}
					why += "; " + note
				}
				return []Step{stmt(revision.Contract, StageTighten, why, alg.With(sql))}, nil
			}
			if !keyLeads(c.ctx.Transition.From, c.Table, m.From.Name) {
				return nil, fmt.Errorf("%s: %s becomes AUTO_INCREMENT, but no key of the previous release starts with it: the server numbers a column only where its primary key or an index starts with it (error 1075), and a key this release adds comes in contract, after the new release has started inserting. Declare the key in this release and auto_increment = true in the next", to.Where(table, col), name)
			}
			note, err := c.requireOptIn(CostCopy, "this change (AUTO_INCREMENT added: MariaDB and MySQL do it only by copying the table)", "or keep the column as it is", col)
			if err != nil {
				return nil, err
			}
			ident := sqlsyntax.Ident(col)
			back, err := c.Alter(&schema.ModifyColumn{From: m.To, To: m.From, Change: schema.ChangeAttr})
			if err != nil {
				return nil, err
			}
			undoAlg, undoHow := Instant, "metadata only"
			if !mariadb {
				undoAlg, undoHow = Copy, "TABLE COPY: the server blocks writes while it runs, unless --osc pt-osc hands it to pt-online-schema-change; `emcee db rollback` runs it only with --osc pt-osc or --allow-copy"
			}
			return []Step{
				gateStmt(revision.Expand, StageExpandGate, fmt.Sprintf("rows whose %s is 0: the copy making it AUTO_INCREMENT would give them new numbers, as it numbers a NULL; give them other values first", name), countWhere(table, ident+" = 0")),
				stmt(revision.Expand, StageModifyColumn, fmt.Sprintf("%s becomes AUTO_INCREMENT: the previous release writes its own values, which stay, and the new release's inserts that leave it out are numbered; %s", name, note), Copy.With(sql)),
				undo(StageRollbackRestoreColumn, fmt.Sprintf("%s is no longer AUTO_INCREMENT, as in the previous release (undoes expand's); %s", name, undoHow), undoAlg.With(back)),
			}, nil
		}),
	})
}

// keyLeads tells whether the primary key or an index of the table as the
// previous release has it starts with column.
func keyLeads(prev *schema.Schema, t *schema.Table, column string) bool {
	old := schemadef.TableIn(prev, t.Name)
	return old != nil && slices.ContainsFunc(keysOf(old), func(idx *schema.Index) bool {
		return len(idx.Parts) > 0 && idx.Parts[0].C != nil && idx.Parts[0].C.Name == column
	})
}
