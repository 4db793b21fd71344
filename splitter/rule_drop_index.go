package splitter

import (
	"fmt"
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

func init() {
	register(&Rule{
		Name:  "drop-index",
		Doc:   RuleDoc{Change: "drop index", Phases: "contract (a FULLTEXT index: with FORCE, a rebuild in place, unless the table keeps another FULLTEXT index; a unique index another one added in the release takes over, on the same columns: after that one is added)", Rollback: "nothing to undo: contract only", Example: "# remove the index block"},
		Match: is[*schema.DropIndex],
		Split: func(c *Change) ([]Step, error) {
			d := c.Change.(*schema.DropIndex)
			if err := droppedClusterKey(c, d.I); err != nil {
				return nil, err
			}
			sql, err := c.Alter(d)
			if err != nil {
				return nil, err
			}
			why := fmt.Sprintf("queries of the previous release may rely on index %s of %s for speed (or uniqueness), so it goes after that release", d.I.Name, c.Table.Name)
			sql, why = dropFulltext(d.I, c.Table, sql, why)
			if fks := givenBack(c, d.I); len(fks) > 0 {
				// fk_index.go: the server refuses to leave a key without
				// an index (error 1553).
				sql += addKeyIndexes(fks)
				why += fmt.Sprintf("; index %s, which the server gives the foreign keys the index served and the release keeps, is added in the same statement", indexNames(fks))
			}
			st := stmt(revision.Contract, StageDropIndex, why, Inplace.With(sql))
			if next := successor(c, d.I); next != nil {
				st.Stage, st.replaced = StageDropReplacedIndex, true
				st.Why += fmt.Sprintf("; unique index %s, on the same columns, takes over from it: it is dropped only once %s is there, so that the key is enforced throughout", next.Name, next.Name)
			}
			return []Step{st}, nil
		},
	})
}

// successor is the unique index new in the release that takes over from
// the unique index idx: another name, the same parts. nil when idx is not
// unique or none does.
func successor(c *Change, idx *schema.Index) *schema.Index {
	if !idx.Unique || c.FromTable == nil {
		return nil
	}
	for _, i := range c.Table.Indexes {
		if _, had := c.FromTable.Index(i.Name); !had && i.Unique && sameParts(i, idx) {
			return i
		}
	}
	return nil
}

// droppedClusterKey refuses to drop idx when it is the key InnoDB
// clusters its table by (clusters) and the release leaves the table no
// other candidate (clusterCandidate): one the table keeps, a new one, or
// idx itself re-added as one is there when contract's ALTER drops idx (the
// new ones land in that ALTER: readdIndex, combine.go), and the server
// clusters the table by it in place.
func droppedClusterKey(c *Change, idx *schema.Index) error {
	target := c.ctx.Target
	if !clusters(target, c.FromTable, idx) || slices.ContainsFunc(c.Table.Indexes, func(i *schema.Index) bool { return clusterCandidate(target, i) }) {
		return nil
	}
	return fmt.Errorf("%s: index %s of %s is the key InnoDB clusters the table by (the table has no primary key, and this is its first unique index on whole NOT NULL columns): dropping it drops that key, which the server does only by copying the table, blocking writes, so contract would fail. Keep the index, or keep or add another unique index on whole NOT NULL columns of %s in this release (the server clusters the table by it instead), or give %s a primary key in an earlier release (rule add-primary-key) and change the index after that",
		c.ctx.Transition.To.WherePart(c.Table.Name, idx.Name), idx.Name, c.Table.Name, c.Table.Name, c.Table.Name)
}

// sameParts reports two indexes on the same whole columns, in order
// (schemadef.Leads both ways), none of them an expression.
func sameParts(a, b *schema.Index) bool {
	whole := func(idx *schema.Index) bool {
		return !slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return p.C == nil })
	}
	return len(a.Parts) == len(b.Parts) && whole(a) && whole(b) &&
		schemadef.Leads(a, schemadef.PartColumns(b)) && schemadef.Leads(b, schemadef.PartColumns(a))
}
