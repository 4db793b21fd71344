package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
)

func init() {
	register(&Rule{
		Name:  "drop-index",
		Doc:   RuleDoc{Change: "drop index", Phases: "contract (a FULLTEXT index: with FORCE, a rebuild in place, unless the table keeps another FULLTEXT index; a unique index another one added in the release takes over, on the same columns or some of them: after that one is added; on a column the release renames: in the ALTER that adds it, before the copy triggers are dropped)", Rollback: "nothing to undo: contract only", Example: "# remove the index block"},
		Match: is[*schema.DropIndex],
		Split: splits(func(c *Change, d *schema.DropIndex) ([]Step, error) {
			if err := droppedClusterKey(c, d.I); err != nil {
				return nil, err
			}
			sql, err := c.Alter(d)
			if err != nil {
				return nil, err
			}
			why := fmt.Sprintf("queries of the previous release may rely on index %s of %s for speed (or uniqueness), so it goes after that release", d.I.Name, c.Table.Name)
			sql, why = dropFulltext(d.I, c.Table, sql, why)
			// fk_index.go: the server refuses to leave a key without an
			// index (error 1553).
			sql, why = withKeyIndexes(givenBack(c, d.I), sql, why, "; index %s, which the server gives the foreign keys the index served and the release keeps, is added in the same statement")
			st := stmt(revision.Contract, StageDropIndex, why, Inplace.With(sql))
			if next := successor(c, d.I, holdsKey); next != nil {
				st.Stage, st.replaced = StageDropReplacedIndex, true
				st.Why += fmt.Sprintf("; unique index %s, on its columns or some of them, takes over from it: it is dropped only once %s is there, so that the key is enforced throughout", next.Name, next.Name)
			} else if next := successor(c, d.I, func(next, old *schema.Index) bool { return holdsRenamedKey(c, next, old) }); next != nil {
				st.Stage, st.replaced = StageTakeOverRenamedKey, true
				st.Why += fmt.Sprintf("; unique index %s, on its columns under the names the release gives them (renamed_from), takes over from it: both change in one ALTER before the copy triggers are dropped, so that the key is enforced throughout", next.Name)
			}
			return []Step{st}, nil
		}),
	})
}

// successor is the unique index new in the release that takes over from
// the unique index idx, under another name: it holds idx's key, on the
// same columns or some of them (holdsKey), or on them under the names the
// release gives them (renamed_from: holdsRenamedKey). nil when idx is not
// unique or none does.
func successor(c *Change, idx *schema.Index, holds func(next, old *schema.Index) bool) *schema.Index {
	if !idx.Unique || c.FromTable == nil {
		return nil
	}
	for _, i := range c.Table.Indexes {
		if _, had := c.FromTable.Index(i.Name); !had && i.Unique && holds(i, idx) {
			return i
		}
	}
	return nil
}

// renamedPredecessor is the unique index of the previous release, gone
// from this one (or redefined under its name: a ModifyIndex), whose key
// unique index next holds on a column the release renames.
func renamedPredecessor(c *Change, next *schema.Index) *schema.Index {
	if !next.Unique || c.FromTable == nil {
		return nil
	}
	for _, i := range c.FromTable.Indexes {
		now, kept := c.Table.Index(i.Name)
		if i.Unique && (!kept || now == next) && holdsRenamedKey(c, next, i) {
			return i
		}
	}
	return nil
}

// holdsRenamedKey reports that unique index next holds the key of unique
// index old (holdsKey) once old's columns renamed in the release
// (renamed_from) are read under their new names, and that one of them
// is: a column renamed is the same column, its values copied unchanged.
func holdsRenamedKey(c *Change, next, old *schema.Index) bool {
	renamed := map[string]*schema.Column{}
	for _, col := range c.Table.Columns {
		if d := c.ctx.Decl(c.Table.Name, col.Name); d != nil && d.RenamedFrom != "" {
			renamed[strings.ToLower(d.RenamedFrom)] = col
		}
	}
	as := &schema.Index{Name: old.Name, Unique: old.Unique}
	moved := false
	for _, p := range old.Parts {
		q := *p
		if p.C != nil {
			if col, ok := renamed[strings.ToLower(p.C.Name)]; ok {
				q.C, moved = col, true
			}
		}
		as.Parts = append(as.Parts, &q)
	}
	return moved && holdsKey(next, as)
}

// droppedClusterKey refuses to drop idx when it is the key InnoDB
// clusters its table by (clusterKey; index names compared as the server
// does, without regard to case) and the release leaves the table no
// other candidate (clusterCandidate): one the table keeps, a new one, or
// idx itself re-added as one is there when contract's ALTER drops idx (the
// new ones land in that ALTER: readdIndex, combine.go), and the server
// clusters the table by it in place.
func droppedClusterKey(c *Change, idx *schema.Index) error {
	target := c.ctx.Target
	if k := clusterKey(target, c.FromTable); k == nil || !strings.EqualFold(k.Name, idx.Name) || slices.ContainsFunc(c.Table.Indexes, func(i *schema.Index) bool { return clusterCandidate(target, i) }) {
		return nil
	}
	return fmt.Errorf("%s: index %s of %s is the key InnoDB clusters the table by (the table has no primary key, and this is its first unique index on whole NOT NULL columns): dropping it drops that key, which the server does only by copying the table, blocking writes, so contract would fail. Keep the index, or keep or add another unique index on whole NOT NULL columns of %s in this release (the server clusters the table by it instead), or give %s a primary key in an earlier release (rule add-primary-key) and change the index after that",
		c.ctx.Transition.To.WherePart(c.Table.Name, idx.Name), idx.Name, c.Table.Name, c.Table.Name, c.Table.Name)
}

// holdsKey reports that unique index next enforces the key of unique
// index old: each of its parts is a whole column that old has whole, in
// any order (two rows alike in all of old's columns are alike in next's,
// which refuses them). Keycloak renames keys on the same columns; a key
// reordered, or narrowed to some of its columns, holds the old one too.
func holdsKey(next, old *schema.Index) bool {
	wholeCol := func(p *schema.IndexPart) string {
		if p.C == nil || slices.ContainsFunc(p.Attrs, func(a schema.Attr) bool { _, ok := a.(*mysql.SubPart); return ok }) {
			return ""
		}
		return strings.ToLower(p.C.Name)
	}
	var had []string
	for _, p := range old.Parts {
		if c := wholeCol(p); c != "" {
			had = append(had, c)
		}
	}
	return len(next.Parts) > 0 && !slices.ContainsFunc(next.Parts, func(p *schema.IndexPart) bool {
		c := wholeCol(p)
		return c == "" || !slices.Contains(had, c)
	})
}
