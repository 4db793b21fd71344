package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// InnoDB adds or drops no column of a table with a FULLTEXT index instantly
// or online: MariaDB 10.11 refuses INSTANT and NOCOPY ("not supported for
// this operation") and LOCK=NONE ("Fulltext index creation requires a
// lock"), and so does MySQL 8.0; it rebuilds the table with writes
// blocked, and so it builds a FULLTEXT index. Friendica 2024.03 adds
// post-content.sensitive while the table still has its FULLTEXT index (it
// goes in contract), and the INSTANT add failed in the dev database.

func isFulltext(idx *schema.Index) bool {
	it, ok := schemadef.Attr[*mysql.IndexType](idx.Attrs)
	return ok && strings.EqualFold(it.T, mysql.IndexTypeFullText)
}

// addColumnAlgorithm is how a column is added to the table in expand: the
// instant add, or a copy the column opts in to (the note says so in the
// statement's why) where the server adds none instantly or online: to a
// table with a FULLTEXT index; a STORED generated column, whose values the
// server computes into every row (both servers refuse INSTANT and INPLACE,
// error 1845); and, on MariaDB 10.11, any but a virtual column to a table
// with an index on a virtual column (INSTANT and NOCOPY refused, error
// 1845, and the rebuild in place only with writes blocked, error 1846
// "online rebuild with indexed virtual columns").
func (c *Change) addColumnAlgorithm(col string) (Algorithm, string, error) {
	stored, generated := false, false
	if added, ok := c.Table.Column(col); ok {
		stored, generated = generatedColumn(added)
	}
	var what string
	switch {
	case c.FromTable != nil && slices.ContainsFunc(c.FromTable.Indexes, isFulltext):
		what = "adding a column to a table with a FULLTEXT index (neither server adds one instantly or online there)"
	case stored:
		what = "adding a STORED generated column (the server computes it into every row; neither server adds one instantly or online)"
	case c.ctx.Target.MariaDB() && !generated && c.FromTable != nil && slices.ContainsFunc(c.FromTable.Indexes, onVirtualColumn):
		what = "adding a column to a table with an index on a virtual column (MariaDB adds none there instantly, and rebuilds the table only with writes blocked, error 1846)"
	default:
		return Instant, "", nil
	}
	note, err := c.requireOptIn(CostCopy, what, fulltextInstead, col)
	return Copy, note, err
}

// generatedColumn reports a column the server computes (generated), and
// whether it stores the values (STORED, MariaDB's PERSISTENT) rather than
// computing them as they are read (VIRTUAL, the default).
func generatedColumn(col *schema.Column) (stored, generated bool) {
	g, ok := schemadef.Attr[*schema.GeneratedExpr](col.Attrs)
	return ok && (strings.EqualFold(g.Type, "STORED") || strings.EqualFold(g.Type, "PERSISTENT")), ok
}

// onVirtualColumn reports an index with a part on a virtual generated
// column.
func onVirtualColumn(idx *schema.Index) bool {
	return slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool {
		if p.C == nil {
			return false
		}
		stored, generated := generatedColumn(p.C)
		return generated && !stored
	})
}

// dropColumn is contract's statement dropping a column: the instant drop,
// or, when the table keeps a FULLTEXT index after the release, a copy,
// opted in to by allow_copy on a column of that index: the dropped column
// has no block left to say it, and the index is what makes it a copy. (A
// FULLTEXT index the same contract drops is dropped with FORCE, and the
// table's ALTERs become that one rebuild in place, writes continuing.)
func (c *Change) dropColumn(d *schema.DropColumn, why string) (Step, error) {
	sql, err := c.Alter(d)
	if err != nil {
		return Step{}, err
	}
	alg := c.ctx.dropAlgorithm()
	cols, what := keptIndexColumns(c.Table, isFulltext), "a FULLTEXT index (neither server drops one instantly or online there; allow_copy goes on a column of the index)"
	if stored, generated := generatedColumn(d.C); cols == nil && c.ctx.Target.MariaDB() && (stored || !generated) {
		// MariaDB 10.11 refuses INSTANT there, for a stored column too
		// ("INPLACE ADD or DROP of virtual columns cannot be combined
		// with other ALTER TABLE actions", error 1846), and drops a
		// virtual column there instantly.
		cols, what = keptIndexColumns(c.Table, onVirtualColumn), "an index on a virtual column (MariaDB drops none there instantly or online, error 1846; allow_copy goes on a column of the index)"
	}
	if cols != nil {
		// The column that takes a replaced one over may opt in too.
		note, err := c.requireOptIn(CostCopy, fmt.Sprintf("dropping column %s from a table that keeps %s", d.C.Name, what), fulltextInstead, append(cols, c.ctx.replacers(c.Table, d.C.Name)...)...)
		if err != nil {
			return Step{}, err
		}
		alg, why = Copy, why+"; "+note
	}
	return stmt(revision.Contract, StageDropColumn, why, alg.With(sql)), nil
}

// keptIndexColumns lists the columns of table's indexes of one kind.
func keptIndexColumns(table *schema.Table, kind func(*schema.Index) bool) []string {
	var cols []string
	for _, idx := range table.Indexes {
		if kind(idx) {
			cols = append(cols, diff.PartColumns(idx)...)
		}
	}
	return cols
}

// fulltextDropNote is why a FULLTEXT index is dropped with FORCE: InnoDB
// keeps the hidden FTS_DOC_ID column the index added until the table is
// rebuilt, and while it is there no column is added or dropped instantly
// (MariaDB 10.11 refused the INSTANT DROP COLUMN after a plain DROP INDEX).
const fulltextDropNote = "FORCE rebuilds the table in place (writes continue) to remove the hidden FTS_DOC_ID column the FULLTEXT index added, which keeps columns from being added or dropped instantly later"

// dropFulltext is the DROP INDEX sql of idx, and its reason, for a table
// that has after's indexes once it has run: a FULLTEXT index goes with
// FORCE, unless the table keeps another one, whose FTS_DOC_ID stays
// anyway and which makes that rebuild refused with LOCK=NONE (MariaDB
// 10.11: "Fulltext index creation requires a lock").
func dropFulltext(idx *schema.Index, after *schema.Table, sql, why string) (string, string) {
	if !isFulltext(idx) {
		return sql, why
	}
	if after != nil {
		for _, o := range after.Indexes {
			if o.Name != idx.Name && isFulltext(o) {
				return sql, fmt.Sprintf("%s; no FORCE: the table keeps FULLTEXT index %s, and with it the hidden FTS_DOC_ID column, and InnoDB rebuilds it in place only with writes blocked", why, o.Name)
			}
		}
	}
	return withForce(sql), why + "; " + fulltextDropNote
}

// fulltextKept lists the columns of the FULLTEXT indexes table has when
// the ALTER d of phase runs, less those d drops. In expand and a rollback
// that is the previous release's and the ones expand builds (one may not be
// built yet when the statement runs: counting it errs on the side the
// server accepts); in contract, the new release's: one only the previous
// release has is dropped in contract, with FORCE, and combine makes the
// table's contract ALTERs that one statement.
func (c *Context) fulltextKept(phase revision.Phase, table string, d *effect.DDL) []string {
	dropped := map[string]bool{}
	for _, cl := range d.Clauses {
		if cl.Op == "DROP" && cl.Object == "INDEX" {
			dropped[cl.Name] = true
		}
	}
	var states []*schema.Schema
	if phase != revision.Contract {
		states = append(states, c.Transition.From)
	}
	if c.Transition.To != nil {
		states = append(states, c.Transition.To.Schema)
	}
	seen := map[string]bool{}
	var cols []string
	for _, r := range states {
		t := schemadef.TableIn(r, table)
		if t == nil {
			continue
		}
		for _, idx := range t.Indexes {
			if isFulltext(idx) && !dropped[idx.Name] && !seen[idx.Name] {
				seen[idx.Name] = true
				cols = diff.Union(cols, diff.PartColumns(idx))
			}
		}
	}
	return cols
}

// fulltextLock corrects a statement a rule wrote for the FULLTEXT index
// its table keeps: InnoDB rebuilds no table with a FULLTEXT index in place
// with LOCK=NONE ("Fulltext index creation requires a lock. Try
// LOCK=SHARED", MariaDB 10.11; MySQL 8.0 runs the same InnoDB check, which
// its manual documents only in part: no INSTANT ADD COLUMN beside a
// FULLTEXT index, no concurrent DML while one is built; no MySQL server
// here to run it on). That is every ALGORITHM=INPLACE that rewrites
// the rows (AlterCost's rebuild): a column made NULL in expand, NOT NULL
// in contract or a rollback, a primary key, FORCE, and on MySQL a column
// added or dropped. Such a statement becomes a copy (writes blocked), which
// a column it changes, or one of the index, opts in to with allow_copy.
// Statements that rebuild nothing (an index built, a VARCHAR extended,
// defaults) stay online: the server accepts them there.
func (c *Change) fulltextLock(s Step) (Step, error) {
	body, ok := Inplace.Off(s.SQL)
	if s.Kind != revision.DDL || !ok {
		return s, nil
	}
	d := c.ctx.parse(s.SQL)
	if d.Kind != effect.KindAlterTable {
		return s, nil
	}
	// A rollback's MODIFY starts from the new release's column.
	state := c.ctx.Transition.From
	if s.Phase == revision.Rollback && c.ctx.Transition.To != nil {
		state = c.ctx.Transition.To.Schema
	}
	if AlterCost(c.ctx.Target, d, state) != CostRebuild {
		return s, nil
	}
	kept := c.ctx.fulltextKept(s.Phase, d.Name, d)
	if kept == nil {
		return s, nil
	}
	var cols []string
	for _, cl := range d.Clauses {
		switch {
		case cl.Object == "COLUMN":
			cols = append(cols, c.ctx.optInFor(d.Name, cl.Name)...)
		case cl.Op == "ADD":
			// A key's columns (a primary key) may opt in to its copy.
			cols = append(cols, cl.Columns...)
		}
	}
	what := fmt.Sprintf("%s rebuilds table %s, which keeps a FULLTEXT index on %s: neither server rebuilds such a table in place while writes continue (LOCK=NONE is refused: \"Fulltext index creation requires a lock\"), so the statement is a table copy, which",
		fulltextWhat(d), d.Name, strings.Join(kept, ", "))
	instead := fulltextInstead
	if cols != nil {
		instead = fmt.Sprintf("or on %s (a column of the index); %s", strings.Join(kept, ", "), fulltextInstead)
	}
	note, err := c.requireOptIn(CostCopy, what, instead, append(cols, kept...)...)
	if err != nil {
		return s, err
	}
	s.SQL = Copy.With(body)
	s.Why += "; not in place after all: " + note + ", because the table's FULLTEXT index refuses a rebuild in place with writes continuing"
	return s, nil
}

// optInFor lists the columns of the new release that may opt in to a
// copy changing column col of table: col itself; for a column the release
// replaces or renames, the columns that take it over; for one it drops,
// any of the table's (the dropped column has no block left to say it).
func (c *Context) optInFor(table, col string) []string {
	t, ok := c.Transition.To.Schema.Table(table)
	if !ok {
		return nil
	}
	if _, ok := t.Column(col); ok {
		return []string{col}
	}
	if by := c.replacers(t, col); by != nil {
		return by
	}
	return diff.ColumnNames(t)
}

// replacers lists the columns of table t of the new release declared to
// replace or rename column col.
func (c *Context) replacers(t *schema.Table, col string) []string {
	var by []string
	for _, tc := range t.Columns {
		if d := c.Decl(t.Name, tc.Name); d != nil && (d.RenamedFrom == col || d.Replaces != nil && d.Replaces.Column == col) {
			by = append(by, tc.Name)
		}
	}
	return by
}

// fulltextInstead is the way around a copy the FULLTEXT index forces: a
// new column replacing the old one is added beside the index too.
const fulltextInstead = "and set `osc = \"pt-osc\"` in atlas.hcl's emcee block to have pt-online-schema-change copy the table while writes continue"

// fulltextWhat names what an ALTER does, for the refusal.
func fulltextWhat(d *effect.DDL) string {
	var parts []string
	for _, cl := range d.Clauses {
		switch {
		case cl.Object == "COLUMN" && (cl.Op == "MODIFY" || cl.Op == "CHANGE"):
			parts = append(parts, "changing column "+cl.Name)
		case cl.Object != "":
			parts = append(parts, strings.TrimSpace(strings.ToLower(cl.Op+" "+cl.Object)+" "+cl.Name))
		case cl.Op == "FORCE":
			parts = append(parts, "FORCE")
		}
	}
	if parts == nil {
		return "the ALTER"
	}
	return strings.Join(parts, ", ")
}
