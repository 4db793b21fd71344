package splitter

import (
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
)

// What an ALTER costs the live table on the target server. The ALGORITHM
// clause is enforced by the server (it refuses rather than do worse), but
// INPLACE covers both "in place, nothing rebuilt" and "in place, every row
// rewritten", which differ by the table's size in time and I/O. Which
// operations rebuild is the servers' documented online DDL behaviour,
// checked on MariaDB 10.11 through the table's InnoDB id (a rebuilt table
// gets a new one; e2e/online_ddl_test.go):
//
//   - MariaDB 10.11 picks the cheapest algorithm the whole statement allows
//     and treats the clause as the worst it may use. Adding or dropping a
//     column is INSTANT alone, and so are ALTER COLUMN ... SET/DROP DEFAULT
//     and DROP CONSTRAINT; dropping indexes and foreign keys, building an
//     index or (with foreign_key_checks off) a foreign key are NOCOPY. But a
//     column added or dropped in the same statement as an index built is a
//     rebuild (NOCOPY refused), and so is every MODIFY that is not instant
//     (NULL <-> NOT NULL: INSTANT and NOCOPY refused).
//   - MySQL 8.0 runs exactly the algorithm named. Its online DDL tables:
//     INPLACE rebuilds for adding, dropping or reordering a column, making a
//     column NULL or NOT NULL, and primary key changes; extending a VARCHAR
//     within its length byte, defaults, secondary indexes and foreign keys
//     (checks off) are in place without a rebuild. MySQL has no NOCOPY.

// Cost classes, cheapest first.
const (
	CostInstant = "instant"  // metadata only
	CostInPlace = "in-place" // in place, no table rebuild
	CostRebuild = "rebuild"  // in place, every row rewritten; reads and writes continue
	CostCopy    = "copy"     // table copy; writes blocked while it runs
)

// Releases are the schemas a statement's cost is read against: Prev, the
// previous release's, which the statement finds (a column's NULL-ness, the
// key the table is clustered by), and Next, the one its release declares
// (an index it adds). Either may be nil: unknown.
type Releases struct{ Prev, Next *schema.Schema }

// column is a column as the previous release has it (nil: unknown).
func (r Releases) column(table, column string) *schema.Column {
	t := tableIn(r.Prev, table)
	if t == nil {
		return nil
	}
	col, _ := t.Column(column)
	return col
}

func tableIn(s *schema.Schema, name string) *schema.Table {
	if s == nil {
		return nil
	}
	t, _ := s.Table(name)
	return t
}

// AlterCost classifies one ALTER TABLE (or CREATE/DROP INDEX) by its
// ALGORITHM clause and what its clauses do on the target. in tells a
// MODIFY that keeps the column's NULL-ness (a VARCHAR extension or a
// default: no rebuild) from one that changes it (a rebuild), and an index
// change that moves the key InnoDB clusters a table without a primary key
// by (a rebuild, reclusters) from one beside the rows. "" when the
// statement names no algorithm (the server chooses, possibly a copy) or is
// of another kind.
func AlterCost(t project.Target, d *effect.DDL, in Releases) string {
	switch d.Algorithm {
	case "INSTANT":
		return CostInstant
	case "NOCOPY":
		return CostInPlace
	case "COPY":
		return CostCopy
	case "INPLACE":
	default:
		return ""
	}
	var columns, builds, rebuilds bool
	for _, c := range d.Clauses {
		switch c.Op + " " + c.Object {
		case "MODIFY COLUMN", "CHANGE COLUMN":
			if c.To == "" && keepsNull(in.column(d.Name, c.Name), c.NotNull) {
				// MySQL extends a VARCHAR or changes a default in place;
				// MariaDB does what INSTANT can and refuses the rest.
				continue
			}
			rebuilds = true
		case "ADD PRIMARY KEY", "DROP PRIMARY KEY":
			rebuilds = true
		case "ADD COLUMN", "DROP COLUMN":
			columns = true
			rebuilds = rebuilds || !t.MariaDB()
		case "ADD INDEX", "ADD UNIQUE", "ADD FOREIGN KEY":
			builds = true
		}
		switch c.Op {
		case "FORCE", "ENGINE", "CONVERT", "ROW_FORMAT", "KEY_BLOCK_SIZE", "ORDER":
			rebuilds = true
		}
	}
	if rebuilds || columns && builds || reclusters(d, in) {
		return CostRebuild
	}
	return CostInPlace
}

// Rebuilds tells whether a cost class rewrites every row of the table.
func Rebuilds(class string) bool { return class == CostRebuild || class == CostCopy }

// keepsNull reports a MODIFY whose NULL-ness is the column's before.
func keepsNull(before *schema.Column, notNull bool) bool {
	return before != nil && notNull == !before.Type.Null
}

// costOf is the cost on the target of a statement emcee writes, with the
// columns as the previous release has them.
func (c *Context) costOf(sql string) string {
	return AlterCost(c.Target, c.parse(sql), Releases{Prev: c.Transition.From, Next: c.Transition.To.Schema})
}

// reclusters reports an ALTER that changes the key InnoDB clusters a table
// without a primary key by, which rebuilds the table as a primary key
// change does (MariaDB refuses NOCOPY: Kanboard 110 moving the unique key
// of user_has_notifications): a drop of that key (clusters), or a unique
// index added to a table that has none (clusterCandidate). A candidate the
// table has besides it, dropped or added, changes nothing: the server keeps
// clustering by the first (keys added go after the table's own), and does
// both NOCOPY (measured on MariaDB 10.11: the table's InnoDB id stays).
func reclusters(d *effect.DDL, in Releases) bool {
	t := tableIn(in.Prev, d.Name)
	if t == nil || t.PrimaryKey != nil {
		return false
	}
	for _, cl := range d.Clauses {
		switch cl.Op + " " + cl.Object {
		case "DROP INDEX":
			if clusters(t, &schema.Index{Name: cl.Name}) {
				return true
			}
		case "ADD UNIQUE":
			if to := tableIn(in.Next, d.Name); to != nil && clusterKey(t) == nil {
				if idx, ok := to.Index(cl.Name); ok && clusterCandidate(idx) {
					return true
				}
			}
		}
	}
	return false
}

// clusterCandidate reports a unique index whose every part is a whole NOT
// NULL column: the indexes InnoDB may cluster a table without a primary
// key by. A part keeping a prefix of its column cannot stand for the row,
// and the server sorts such keys after the others (sort_keys): a table
// declaring a unique prefix key first is clustered by the next key, whose
// drop alone the server refuses online (error 1846).
func clusterCandidate(idx *schema.Index) bool {
	return idx.Unique && !slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return p.C == nil || p.C.Type.Null || diff.Prefix(p) > 0 })
}

// clusters reports the index InnoDB clusters t by in place of the primary
// key t lacks: its first clusterCandidate. The server drops it only by
// copying the table, unless the table keeps another candidate, which it
// clusters by instead. Index names are compared as the server does,
// without regard to case.
func clusters(t *schema.Table, idx *schema.Index) bool {
	if t.PrimaryKey != nil {
		return false
	}
	i := slices.IndexFunc(t.Indexes, clusterCandidate)
	return i >= 0 && strings.EqualFold(t.Indexes[i].Name, idx.Name)
}

// weakest is the cheapest algorithm clause a statement combining clauses
// of these costs can name on the target: the server then refuses rather
// than do worse than the parts promised.
func (c *Context) weakest(costs []string) Algorithm {
	worst := CostInstant
	rank := map[string]int{CostInstant: 0, CostInPlace: 1, CostRebuild: 2, CostCopy: 3}
	for _, k := range costs {
		if rank[k] > rank[worst] {
			worst = k
		}
	}
	switch worst {
	case CostInstant:
		return Instant
	case CostInPlace:
		if c.Target.MariaDB() {
			return NoCopy
		}
		return Inplace
	case CostRebuild:
		return Inplace
	}
	return Copy
}
