package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A unique index on an existing table would reject writes the previous
// release may still make (a second row with the same key), so it waits for
// contract. The previous release may also have written duplicates already:
// the gate counts the rows holding them and keeps contract closed until they
// are resolved, instead of letting the ALTER fail halfway through the
// revision.
// The index is then built online (INPLACE, LOCK=NONE on both servers).
func init() {
	register(&Rule{
		Name: "add-unique-index",
		Doc: RuleDoc{
			Change:   "add unique index on an existing table",
			Phases:   "contract (ALGORITHM=INPLACE, LOCK=NONE); expand when a key column is new, nullable without a default and set by no declaration nor ON UPDATE (the previous release writes NULL there)",
			Rollback: "nothing to undo: contract only; in expand, drop the index",
			Gate:     "no row whose key another row holds too (rows with a NULL key part are never duplicates)",
			Example: `index "ux_name" {
  unique  = true
  columns = [column.name]
}`,
		},
		Match: matches(func(c *Change, add *schema.AddIndex) bool { return add.I.Unique && c.FromTable != nil }),
		Split: splits(func(c *Change, add *schema.AddIndex) ([]Step, error) {
			if col := uniqueInExpand(c, add.I); col != "" {
				// Built in expand, online: no write of the previous release
				// can violate it, so the new release's writes are checked
				// from its first one; the rollback drops it.
				return c.addedIndex(&schema.AddIndex{I: add.I}, "unique index", Inplace, fmt.Sprintf("unique index %s on %s rejects no write of the previous release: its column %s is new, and NULL in every row that release holds or writes (NULL keys never collide); built online, writes continue, so the new release's writes are checked from the first", add.I.Name, c.Table.Name, col))
			}
			g, err := c.duplicateGate(add.I)
			if err != nil {
				return nil, fmt.Errorf("%s: unique index %s on %s: %w", c.ctx.Transition.To.Where(c.Table.Name, ""), add.I.Name, c.Table.Name, err)
			}
			sql, err := c.Alter(add)
			if err != nil {
				return nil, err
			}
			why := fmt.Sprintf("unique index %s on %s would reject duplicates the previous release may still write, so it is built only after that release is gone; online, writes continue", add.I.Name, c.Table.Name)
			// fk_index.go: said, not left to the server.
			sql, why = tookOver(takenOver(c, add.I), sql, why)
			stage := StageAddGatedConstraint
			if old := renamedPredecessor(c, add.I); old != nil {
				stage = StageTakeOverRenamedKey
				why += fmt.Sprintf("; it takes over from unique index %s (the same key before the rename), before the copy triggers go", old.Name)
			}
			return []Step{
				gate(fmt.Sprintf("unique index %s on %s: the previous release could write duplicate keys; contract waits until there are none", add.I.Name, c.Table.Name), g),
				stmt(revision.Contract, stage, why, Inplace.With(sql)),
			}, nil
		}),
	})
}

// readdIndex writes an index that keeps its name (c's ModifyIndex) as one
// ALTER dropping and adding it, in contract at stage: Atlas writes a
// ModifyIndex as two statements, and one ALTER of both clauses keeps the
// name defined throughout. An index unique afterwards waits behind the
// duplicate gate of its new key (gateWhy), as a new unique index does.
func readdIndex(c *Change, stage Stage, why, gateWhy string) ([]Step, error) {
	m := c.Change.(*schema.ModifyIndex)
	if err := droppedClusterKey(c, m.From); err != nil {
		return nil, err
	}
	sql, err := c.Alter(&schema.DropIndex{I: m.From}, &schema.AddIndex{I: m.To})
	if err != nil {
		return nil, err
	}
	// fk_index.go: the old definition may be the last index a key the
	// table keeps can use (error 1553), the new one may serve a key whose
	// index the server made.
	sql, why = withKeyIndexes(givenBack(c, m.From), sql, why, "; index %s, which the server gives the foreign keys the index served, is added in the same statement")
	sql, why = tookOver(takenOver(c, m.To), sql, why)
	st := stmt(revision.Contract, stage, why, Inplace.With(sql))
	if !m.To.Unique {
		return []Step{st}, nil
	}
	g, err := c.duplicateGate(m.To)
	if err != nil {
		return nil, fmt.Errorf("%s: unique index %s on %s: %w", c.ctx.Transition.To.Where(c.Table.Name, ""), m.To.Name, c.Table.Name, err)
	}
	return []Step{gate(gateWhy, g), st}, nil
}

// duplicateGate counts the rows whose key another row holds too, comparing
// keys exactly as the index will: same collation, prefix lengths,
// expressions. A row with a NULL key part is never a duplicate: the
// subquery leaves it out, and (NULL, ...) IN (...) is not true. It counts
// rows, not keys, in the shape of every gate (SELECT COUNT(*) FROM t WHERE
// <predicate>), so the same statement with SELECT * lists them. MariaDB
// materialises the subquery once: one scan to group, one to probe
// (BENCHMARKS.md).
//
// Rows a data_migration of the release deletes (delete = "...", in
// contract after the gates, before the key is added) are left out, in the
// rows counted and in the groups: they will not be there when the key is
// built (leftOut). Each predicate reads the row of the table it is
// evaluated on, the subquery's own (it names the table, unaliased).
func (c *Change) duplicateGate(idx *schema.Index) (string, error) {
	table := c.Table.Name
	exprs, err := partExprs(idx)
	if err != nil {
		return "", err
	}
	return countDuplicates(table, exprs, exprs, c.ctx.keptRows(table)...), nil
}

// countDuplicates counts the rows whose keys (exprs) another row holds
// too, leaving out rows with a NULL in a stored key part (stored), and the
// rows that are not kept (kept: predicates each kept row meets).
func countDuplicates(table string, exprs, stored []string, kept ...string) string {
	keys := strings.Join(exprs, ", ")
	only := ""
	for _, k := range kept {
		only += " AND " + k
	}
	return countWhere(table, fmt.Sprintf("(%s) IN (SELECT %s FROM %s WHERE %s%s GROUP BY %s HAVING COUNT(*) > 1)%s",
		keys, keys, sqlsyntax.Ident(table), notNull(stored), only, keys, only))
}

// uniqueInExpand is the key column that lets the rule build a unique
// index in expand, "" when it waits for contract: a column of the key that
// is new in this release, nullable without a default and filled by
// nothing the release declares (no renamed_from, replaces, fill or
// data_migration) nor by the server (generated, ON UPDATE): every row the
// previous release holds or writes has NULL there, which never collides,
// so the index rejects no write of that release. Dolibarr 20's
// uk_ticket_barcode_barcode_type on its new barcode and fk_barcode_type
// waited for contract, letting 20's code write duplicate barcodes all
// through the rollout, which then kept contract closed. An index the table
// has under the name in another letter case (the server's names are
// case-insensitive; Atlas saw a drop and an add) is dropped in contract:
// adding this one in expand would fail on the name (1061). A key
// referencing the index comes after it (fk_ref_index.go).
func uniqueInExpand(c *Change, idx *schema.Index) string {
	if hasIndex(c.FromTable, idx.Name) {
		return ""
	}
	for _, p := range idx.Parts {
		col := p.C
		if col == nil || col.Default != nil || !col.Type.Null {
			continue
		}
		if !c.ctx.writtenMeanwhile(c.Table.Name, c.FromTable, col) {
			return col.Name
		}
	}
	return ""
}

// writtenMeanwhile reports that a column of table (from: the table as the
// previous release has it, nil when it is new) may change while the
// previous release runs: that release has it, or something fills it as
// that release writes (the trigger of a renamed_from, replaces or fill
// declaration; the server, for a generated column or one set on every
// update: two rows the previous release updates in one second would
// collide), or a data_migration of the release sets it in migrate.
func (c *Context) writtenMeanwhile(table string, from *schema.Table, col *schema.Column) bool {
	if _, generated := schemadef.Attr[*schema.GeneratedExpr](col.Attrs); generated {
		return true
	}
	if _, stamped := schemadef.Attr[*mysql.OnUpdate](col.Attrs); stamped {
		return true
	}
	if from != nil {
		if _, ok := from.Column(col.Name); ok {
			return true
		}
	}
	if d := c.Decl(table, col.Name); d.Source() != "" || d != nil && d.Fill != "" {
		return true
	}
	return slices.ContainsFunc(c.Transition.To.Declarations.DataMigrations, func(m *diff.DataMigration) bool {
		return strings.EqualFold(m.Table, table) && m.SetList != nil && m.SetList.Assigns(col.Name) != nil
	})
}
