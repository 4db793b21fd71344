package splitter

import (
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
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

// AlterCost classifies one ALTER TABLE (or CREATE/DROP INDEX) by its
// ALGORITHM clause and what its clauses do on the target. before, the
// schema before the statement, when not nil, tells a MODIFY that keeps
// the column's NULL-ness (a VARCHAR extension or a default: no rebuild)
// from one that changes it (a rebuild), and a unique key that moves the
// clustered index of a table without a primary key (reclusters: a
// rebuild) from another. "" when the statement names no algorithm (the
// server chooses, possibly a copy) or is of another kind.
func AlterCost(t project.Target, d *effect.DDL, before *schema.Schema) string {
	cost := alterCost(t, d, before)
	if cost == CostInPlace && reclusters(t, before, d) {
		return CostRebuild
	}
	return cost
}

func alterCost(t project.Target, d *effect.DDL, before *schema.Schema) string {
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
			if c.To == "" && keepsNull(schemadef.TableIn(before, d.Name), c.Name, c.NotNull) {
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
	if rebuilds || columns && builds {
		return CostRebuild
	}
	return CostInPlace
}

// Rebuilds tells whether a cost class rewrites every row of the table.
func Rebuilds(class string) bool { return class == CostRebuild || class == CostCopy }

// keepsNull reports a MODIFY whose NULL-ness is the column's in table
// before (nil: unknown).
func keepsNull(before *schema.Table, column string, notNull bool) bool {
	if before == nil {
		return false
	}
	col, ok := before.Column(column)
	return ok && notNull == !col.Type.Null
}

// costOf is the cost on the target of a statement emcee writes, with the
// columns as the previous release has them.
func (c *Context) costOf(sql string) string {
	return AlterCost(c.Target, c.parse(sql), c.Transition.From)
}

// reclusters reports an ALTER that may move the clustered index of a
// table without a primary key, which rebuilds the table as a primary key
// change does (MariaDB refuses NOCOPY: Kanboard 110 moving the unique key
// of user_has_notifications): it drops a unique key InnoDB may cluster
// the table by (clusterCandidate), or adds the table's first one (its
// parts whole columns NOT NULL as the statement leaves them). A candidate
// added beside another comes after it, in the server's order, and moves
// nothing (measured by the table's InnoDB id). Any candidate dropped
// counts: the server orders candidates as they were added, which a
// release's order of declaration need not follow, and INPLACE, which a
// rebuild writes, also takes a drop that moves nothing.
func reclusters(target project.Target, before *schema.Schema, d *effect.DDL) bool {
	t := schemadef.TableIn(before, d.Name)
	if t == nil || t.PrimaryKey != nil {
		return false
	}
	candidate := func(o *schema.Index) bool { return clusterCandidate(target, o) }
	if slices.ContainsFunc(t.Indexes, candidate) {
		return slices.ContainsFunc(d.Clauses, func(cl effect.Clause) bool {
			return cl.Op+" "+cl.Object == "DROP INDEX" && slices.ContainsFunc(t.Indexes, func(o *schema.Index) bool { return strings.EqualFold(o.Name, cl.Name) && candidate(o) })
		})
	}
	notNull := func(column string) bool {
		for _, cl := range d.Clauses {
			if (cl.Op == "ADD" || cl.Op == "MODIFY") && cl.Object == "COLUMN" && strings.EqualFold(cl.Name, column) ||
				cl.Op == "CHANGE" && strings.EqualFold(cl.To, column) {
				return cl.NotNull
			}
		}
		col, ok := t.Column(column)
		return ok && !col.Type.Null && !mayBeNull(target, col)
	}
	return slices.ContainsFunc(d.Clauses, func(cl effect.Clause) bool {
		return cl.Op+" "+cl.Object == "ADD UNIQUE" && cl.Whole && len(cl.Columns) > 0 && !slices.ContainsFunc(cl.Columns, func(c string) bool { return !notNull(c) })
	})
}

// clusterCandidate reports a unique index whose every part is a whole NOT
// NULL column: the indexes InnoDB may cluster a table without a primary
// key by. A part keeping a prefix of its column cannot stand for the row,
// and the server sorts such keys after the others (sort_keys): a table
// declaring a unique prefix key first is clustered by the next key, whose
// drop alone the server refuses online (error 1846). So is a generated
// column on MariaDB, which makes every one NULL whatever the release says
// (a virtual one on MySQL too): Atlas reads one declared without `null`
// as NOT NULL.
func clusterCandidate(t project.Target, idx *schema.Index) bool {
	return idx.Unique && !slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool {
		return p.C == nil || p.C.Type.Null || diff.Prefix(p) > 0 || mayBeNull(t, p.C)
	})
}

// mayBeNull reports a generated column the server makes NULL-able.
func mayBeNull(t project.Target, c *schema.Column) bool {
	stored, generated := generatedColumn(c)
	return generated && (t.MariaDB() || !stored)
}

// clusterKey is the index InnoDB clusters t by in place of the primary
// key t lacks: its first clusterCandidate (nil when t has a primary key or
// no candidate). The server drops it only by copying the table, unless the
// table keeps another candidate, which it clusters by instead.
func clusterKey(target project.Target, t *schema.Table) *schema.Index {
	i := slices.IndexFunc(t.Indexes, func(o *schema.Index) bool { return clusterCandidate(target, o) })
	if t.PrimaryKey != nil || i < 0 {
		return nil
	}
	return t.Indexes[i]
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
