package splitter

import (
	"cmp"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// Tightening a column (shorter, smaller, NOT NULL, fewer enum values) would
// reject or truncate writes and rows of the previous release, so the final
// column is reached only in contract, behind a gate counting the rows it
// would truncate or reject. Until then the column must accept the writes of
// both releases, so expand moves it to the join of both types (see
// columnTightening). NOT NULL is set in place on both servers; every type change
// rebuilds the table (MariaDB 10.11: "Cannot change column type. Try
// ALGORITHM=COPY"), so it needs `allow_copy = true` on the column.
func init() {
	register(&Rule{
		Name: "tighten-column",
		Doc: RuleDoc{
			Change:   "tighten a column: shorter CHAR/VARCHAR, VARCHAR -> CHAR (trailing spaces), CHAR -> shorter VARCHAR, a smaller TEXT or TEXT -> CHAR/VARCHAR, smaller or re-signed integer (BOOL -> unsigned too), narrower DECIMAL, enum values removed, CHAR/VARCHAR/TEXT -> JSON (through LONGTEXT), NULL -> NOT NULL, default removed from a NOT NULL column",
			Phases:   "expand: widen to accept both releases' writes (if needed); contract: tighten (NOT NULL in place, on a table with a FULLTEXT index ALGORITHM=COPY with allow_copy = true; type changes ALGORITHM=COPY with allow_copy = true)",
			Gate:     "no row the new column would truncate or reject (NULL, too long (characters; bytes for a TEXT), out of range, removed enum value, lost decimals, trailing spaces CHAR drops, not JSON), less the rows a data_migration's delete removes first",
			Rollback: "undo expand's widening for both releases: default and comment set back (INSTANT), NOT NULL again in place behind a gate counting the rows left NULL; a type widened for both releases is narrowed back by a table copy behind a gate counting the rows the old type cannot hold, run only with --osc pt-osc or --allow-copy",
			Example: `# was varchar(30) NULL
column "name" {
  type       = varchar(20)
  allow_copy = true
}`,
		},
		Match: matches(func(c *Change, m *schema.ModifyColumn) bool {
			if _, ok := widening(m.From, m.To, m.Change); ok || c.FromTable == nil {
				return false
			}
			_, err := planTightening(m.From, m.To, m.Change)
			return err == nil
		}),
		Split: splits(func(c *Change, m *schema.ModifyColumn) ([]Step, error) {
			tg, err := planTightening(m.From, m.To, m.Change)
			if err != nil {
				return nil, err
			}
			// Expand's widening for both releases, under every key of the
			// previous release; contract's change, under those kept.
			if err := cmp.Or(c.typeUnderForeignKey(m.From, tg.mid, false), c.typeUnderForeignKey(tg.mid, m.To, true)); err != nil {
				return nil, err
			}
			name := c.Table.Name + "." + m.To.Name
			if lob := strings.ToLower(schemadef.TypeName(tg.mid.Type)); !c.ctx.Target.MariaDB() && tg.contract.Is(schema.ChangeDefault) && (strings.HasSuffix(lob, "text") || strings.HasSuffix(lob, "blob")) {
				// MySQL 8.0 takes only an expression default on TEXT and BLOB
				// (error 1101), so the column both releases write cannot
				// keep the default the previous release's INSERTs rely on.
				// A SQL release's default is its CREATE TABLE's: its
				// declarations file refuses `default = ...`.
				keep := "`default = ...` on the column"
				if to := c.ctx.Transition.To; to.DeclFile() != "" {
					keep = "a DEFAULT on the column in its CREATE TABLE in " + to.File
				}
				return nil, fmt.Errorf("%s: %s: the previous release's INSERTs leave the column to its default, which MySQL 8.0 does not take on a %s column, so both releases cannot share it until contract. Keep a default (%s), or add a new column that `replaces` it", c.ctx.Transition.To.Where(c.Table.Name, m.To.Name), name, lob, keep)
			}
			if _, json := m.To.Type.Type.(*schema.JSONType); json {
				if cs, _ := schemadef.Effective(c.ctx.Target, c.FromTable, m.From); cs != "utf8mb4" {
					// JSON is utf8mb4: the new release's documents would be
					// rejected (or lose characters) in the column both
					// releases write until contract.
					return nil, fmt.Errorf("%s: %s: a %s column cannot hold the JSON documents the new release writes until contract (JSON is utf8mb4): declare a new JSON column that `replaces` it", c.ctx.Transition.To.Where(c.Table.Name, m.To.Name), name, cs)
				}
			}
			var steps []Step
			if tg.midKind != schema.NoChange {
				why := fmt.Sprintf("%s is tightened in contract; until then it must accept the writes of both releases (%s)", name, describeColumnChange(tg.midKind))
				widen, err := c.widenSteps(&schema.ModifyColumn{From: m.From, To: tg.mid, Change: tg.midKind}, why, "the widening for both releases", func(cost string) (string, error) {
					return c.requireOptIn(cost, "widening "+name+" for both releases", "", m.To.Name)
				})
				if err != nil {
					return nil, err
				}
				steps = append(steps, widen...)
			}
			if tg.contract == schema.NoChange {
				return steps, nil
			}
			if len(tg.preds) > 0 {
				// A row a data_migration's delete removes first is no row
				// the tightened column must hold.
				where := strings.Join(tg.preds, " OR ")
				if kept := c.ctx.keptRows(c.Table.Name); len(kept) > 0 {
					where = "(" + where + ") AND " + strings.Join(kept, " AND ")
				}
				steps = append(steps, gate(
					fmt.Sprintf("tightening %s (%s): contract waits until no row would be truncated or rejected", name, describeColumnChange(tg.contract)),
					countWhere(c.Table.Name, where),
				))
			}
			alg := Inplace
			why := fmt.Sprintf("tightening %s (%s) would reject writes of the previous release, so it comes after that release", name, describeColumnChange(tg.contract))
			switch {
			case len(tg.preds) == 0 && tg.contract.Is(schema.ChangeType):
				// An ENUM's values only reordered (PrestaShop 8.0 puts '410'
				// among the redirect types): no row is rejected, so there is
				// no gate; expand appended the new values without a copy.
				why = fmt.Sprintf("%s takes its declared order of values (%s); every stored value is kept, so no gate counts rows; the new order needs a table copy, which runs once the previous release is gone", name, describeColumnChange(tg.contract))
			case len(tg.preds) == 0:
				// Only the default goes (MantisBT 1.2.0a1's possible_values,
				// VARCHAR DEFAULT '' -> TEXT): this is no reordering, and no
				// table copy.
				why = fmt.Sprintf("%s loses its default (%s): the previous release's INSERTs that leave the column out would fail, so it comes after that release; no stored value changes, so no gate counts rows", name, describeColumnChange(tg.contract))
			}
			if tg.contract.Is(schema.ChangeType) {
				note, err := c.requireOptIn(CostCopy, "tightening the type of "+name, "", m.To.Name)
				if err != nil {
					return nil, err
				}
				alg, why = Copy, why+"; "+note
			} else if tg.contract.Is(schema.ChangeNull) {
				why += "; in place, but the table is rebuilt (every row rewritten) while writes continue"
			} else {
				// Only the default goes: metadata on both servers.
				alg, why = Instant, why+"; metadata only"
			}
			sql, err := c.Alter(&schema.ModifyColumn{From: tg.mid, To: m.To, Change: tg.contract})
			if err != nil {
				return nil, err
			}
			return append(steps, stmt(revision.Contract, StageTighten, why, alg.With(sql))), nil
		}),
	})
}
