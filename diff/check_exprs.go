package diff

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// checkExpressions validates what the declarations' SQL expressions use and
// where fill may appear, so that a mistake is reported at plan time with the
// position of the expression, never by a trigger that fails on a live
// server in the middle of expand.
//
//   - forward computes the new column while the previous release writes the
//     old table: it may use the columns of the previous release's table.
//   - backward computes the old column while the new release writes: it may
//     use the columns of this release's table.
//   - fill runs in triggers between expand and contract, when the table has
//     the columns of both releases; so do data_migration set and pending.
func (r *Release) checkExpressions(prev *Release) []string {
	var errs []string
	add := func(err error) { errs = append(errs, err.Error()) }
	replaced := map[ColumnRef]ColumnRef{} // old column -> the new column taking over
	for _, ref := range sortedRefs(r.Declarations.Columns) {
		decl := r.Declarations.Columns[ref]
		newT, _ := r.Schema.Table(ref.Table)
		var oldT *schema.Table
		if prev != nil {
			oldT, _ = prev.Schema.Table(r.oldName(ref.Table))
		}
		if newT == nil {
			continue // the schema itself is invalid; Atlas reports it
		}
		if src := decl.Source(); src != "" && oldT != nil {
			if _, ok := oldT.Column(src); ok {
				oldRef := ColumnRef{Table: ref.Table, Column: src}
				if other, dup := replaced[oldRef]; dup {
					add(decl.Pos.Errorf("%s and %s both take over from %s.%s: one column can take over from another only once (the old column is dropped in contract)", other, ref, oldT.Name, src))
				}
				replaced[oldRef] = ref
				if _, still := newT.Column(src); still {
					// A SQL release has no column block: the column is in
					// its CREATE TABLE (Keycloak 4.7.0's OFFLINE_USER_SESSION
					// renamed LAST_SESSION_REFRESH and added another).
					remove := "remove its column block"
					if r.DeclFile() != "" {
						remove = fmt.Sprintf("remove it from the CREATE TABLE of %s (%s)", ref.Table, r.Where(ref.Table, src))
					}
					add(decl.Pos.Errorf("%s takes over from %s, but release %s still declares %s.%s: a replaced or renamed column is dropped in contract, so %s; if the release gives the name to a new column (Zabbix 4.4 renamed media_type.description to name and added another description), split it over two releases, since both would be written under one name while the releases overlap: the rename in one, the new %s in the next", ref, src, r.Name, ref.Table, src, remove, src))
				}
			}
		}
		if rep := decl.Replaces; rep != nil && oldT != nil {
			if err := r.Declarations.resolve(rep.ForwardExpr, sqlsyntax.Scope{Table: oldT.Name, Columns: ColumnNames(oldT)}, "forward expression of %s", ref); err != nil {
				add(fmt.Errorf("%v; forward computes the new column from the previous release's columns of %s", err, oldT.Name))
			}
			if err := r.Declarations.resolve(rep.BackwardExpr, sqlsyntax.Scope{Table: newT.Name, Columns: ColumnNames(newT)}, "backward expression of %s", ref); err != nil {
				add(fmt.Errorf("%v; backward computes %s.%s from this release's columns of %s", err, oldT.Name, rep.Column, newT.Name))
			} else if t, c := autoIncrementIn(rep.BackwardExpr, "", newT); t != nil {
				// As for fill and forward, but for the rows this release inserts.
				add(rep.Pos.Errorf("%s.%s is computed back from %s.%s (backward of %s), an AUTO_INCREMENT column, by a trigger while both releases run: a BEFORE INSERT trigger sees 0 there in a row whose insert leaves %s to the server, which numbers the row only after the trigger has run, so every row this release inserted meanwhile would reach the previous release with the value computed from 0. Compute backward without %s, or keep %s under its name (this release writing it itself) and %s beside it without its replaces block", oldT.Name, rep.Column, t.Name, c, ref, c, c, rep.Column, ref.Column))
			}
		}
		if decl.Fill != "" {
			if err := r.checkFill(prev, decl, newT, oldT); err != nil {
				add(err)
			} else if err := r.autoIncrementRead(decl, decl.FillExpr, decl.Fill, newT, oldT); err != nil {
				add(err)
			}
		}
		if oldT != nil && (decl.RenamedFrom != "" || decl.Replaces != nil) {
			forward, src := (*sqlsyntax.Expr)(nil), decl.RenamedFrom
			if decl.Replaces != nil {
				forward, src = decl.Replaces.ForwardExpr, decl.Replaces.Forward
			}
			if err := r.autoIncrementRead(decl, forward, src, newT, oldT); err != nil {
				add(err)
			}
		}
	}
	for _, m := range r.Declarations.DataMigrations {
		if m.Seed != nil {
			continue // no expressions: its literals are checkSeed's
		}
		if m.From != "" {
			errs = append(errs, r.checkInsertExprs(prev, m)...)
			continue
		}
		cols, ok := r.tableColumns(prev)(m.Table)
		if !ok {
			continue // reported by check
		}
		scope := sqlsyntax.Scope{Table: m.Table, Columns: cols, Tables: r.readTables(prev), Absent: r.absentTable(prev)}
		if m.DeleteExpr != nil {
			// Contract deletes the rows while the table has both
			// releases' columns: it runs before contract's drops.
			if err := r.Declarations.resolve(m.DeleteExpr, scope, "delete of data_migration %q", m.Name); err != nil {
				add(err)
			} else if msg := unsteadyDelete(m, scope); msg != "" {
				add(r.Declarations.exprs.attrs[m.DeleteExpr].errorf(r.Declarations.exprs.src, &sqlsyntax.Error{Line: 1, Col: 1, Msg: msg}, "delete of data_migration %q", m.Name))
			}
			continue
		}
		if err := r.Declarations.resolveList(m.SetList, scope, "set of data_migration %q", m.Name); err != nil {
			add(err)
		}
		if err := r.Declarations.resolve(m.PendingExpr, scope, "pending of data_migration %q", m.Name); err != nil {
			add(err)
		}
		t, _ := r.Schema.Table(m.Table)
		if key := BatchKey(t); key != "" && m.SetList != nil {
			if at := m.SetList.Assigns(key); at != nil {
				at.Msg = fmt.Sprintf("%s, the primary key migrate runs the data migration in ranges of: a row moved to a range not done yet would be rewritten twice, one moved to a range done already skipped. Keep the key out of set: to change keys, fill a new column with the new ones and make it the key in a later release", at.Msg)
				add(r.Declarations.exprs.lists[m.SetList].errorf(r.Declarations.exprs.src, at, "set of data_migration %q", m.Name))
			}
		}
	}
	return errs
}

// checkInsertExprs checks the insert list and pending predicate of a
// data_migration that inserts rows: the list sets columns of the table the
// rows go into from the row of from; pending reads from's row and must
// read the table the rows go into, to see the rows already inserted:
// without that a rerun of migrate (its catch-up, a resume) inserts every
// row again.
func (r *Release) checkInsertExprs(prev *Release, m *DataMigration) []string {
	into, ok := r.Schema.Table(m.Table)
	cols, ok2 := r.readTables(prev)(m.From) // one the release drops: in contract, after the gate counting its pending rows
	if !ok || !ok2 {
		return nil // reported by check
	}
	from := sqlsyntax.Scope{Table: m.From, Columns: cols, Tables: r.readTables(prev), Absent: r.absentTable(prev)}
	var errs []string
	d := r.Declarations
	if m.InsertList != nil {
		if err := m.InsertList.ResolveInsert(sqlsyntax.Scope{Table: m.Table, Columns: ColumnNames(into)}, from); err != nil {
			errs = append(errs, d.exprs.lists[m.InsertList].errorf(d.exprs.src, err, "insert of data_migration %q", m.Name).Error())
		} else {
			unset, generated := insertGaps(into, m.InsertList)
			for _, at := range generated {
				errs = append(errs, d.exprs.lists[m.InsertList].errorf(d.exprs.src, at, "insert of data_migration %q", m.Name).Error())
			}
			if len(unset) > 0 {
				errs = append(errs, d.exprs.lists[m.InsertList].errorf(d.exprs.src, &sqlsyntax.Error{Line: 1, Col: 1, Msg: fmt.Sprintf("it sets no value for %s, NOT NULL without a default in %s: the server refuses every row migrate would insert (error 1364), after expand has run. Set %s in insert, or declare a default", strings.Join(unset, ", "), sqlsyntax.Ident(m.Table), sqlsyntax.OneOrMany(len(unset), "it", "them"))}, "insert of data_migration %q", m.Name).Error())
			}
		}
	}
	if err := d.resolve(m.PendingExpr, from, "pending of data_migration %q", m.Name); err != nil {
		errs = append(errs, err.Error())
	} else if m.PendingExpr != nil {
		if msg := unseenRows(m, m.PendingExpr.ReadOf(from, m.Table)); msg != "" {
			errs = append(errs, d.exprs.attrs[m.PendingExpr].errorf(d.exprs.src, &sqlsyntax.Error{Line: 1, Col: 1, Msg: msg}, "pending of data_migration %q", m.Name).Error())
		}
	}
	return errs
}

// insertGaps are what the server refuses of the rows an insert list
// writes into table into, after expand: unset, the columns a row needs a
// value for that the list does not set (NOT NULL, without a default,
// neither AUTO_INCREMENT nor generated: 1364); generated, where it sets a
// generated column, which the server computes (1906).
func insertGaps(into *schema.Table, list *sqlsyntax.Assignments) (unset []string, generated []*sqlsyntax.Error) {
	for _, c := range into.Columns {
		_, gen := schemadef.Attr[*schema.GeneratedExpr](c.Attrs)
		switch at := list.Assigns(c.Name); {
		case at != nil && gen:
			at.Msg = fmt.Sprintf("it sets %s, a generated column of %s: the server computes it and refuses a value for it (error 1906); remove it from insert", c.Name, sqlsyntax.Ident(into.Name))
			generated = append(generated, at)
		case at == nil && needsValue(c):
			unset = append(unset, c.Name)
		}
	}
	return unset, generated
}

// unseenRows is what is wrong with the way an insert's pending predicate
// reads the table the rows go into (read), "" when nothing: it must ask,
// for the row of from it is evaluated on, whether that row's row is there
// yet. Not reading the table, a selected row stays selected and every rerun
// inserts it again; reading it in a subquery that never compares its rows
// with the row (sqlsyntax.TableRead.Row: naming the row is not enough)
// (a bare name the subquery's own table has too is that table's column
// there, as the server resolves it), the answer is the same for every row:
// once the first batch has inserted rows it selects none, and the gate
// opens over rows never moved, whose values contract then drops; asking
// only under an OR, a row the other side selects stays selected, and is
// inserted again by every rerun (the gate never opens).
func unseenRows(m *DataMigration, read sqlsyntax.TableRead) string {
	into, from := sqlsyntax.Ident(m.Table), sqlsyntax.Ident(m.From)
	// The alias must not be from's name: `t`.<key> would then be the
	// alias's column, the very mistake the example is there to avoid.
	alias := "t"
	for i := 2; strings.EqualFold(alias, m.From); i++ {
		alias = fmt.Sprintf("t%d", i)
	}
	example := fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s AS %s WHERE %s.<column> = %s.<key>)", into, alias, alias, from)
	switch {
	case !read.Reads:
		return fmt.Sprintf("it does not read %s, the table the rows go into: a row of %s it selects stays selected after its row is inserted, and every rerun of migrate (the catch-up over rows written meanwhile, a resume) would insert it again. Add a condition on the rows already there, e.g. AND %s", into, from, example)
	case read.SetOp:
		return fmt.Sprintf("it reads %s in a UNION (or EXCEPT, INTERSECT) of SELECTs: once another of them has a row, the answer is the same for every row of %s, so it selects none, and contract's gate opens over rows never moved, whose values contract then drops. Read %s in one SELECT of its own, e.g. %s", into, from, into, example)
	case !read.Row && read.In:
		return fmt.Sprintf("it reads %s in an IN (SELECT ...): one NULL there makes NOT IN NULL for every row of %s, so it selects none, and contract's gate opens over rows never moved, whose values contract then drops. Write it with NOT EXISTS, e.g. %s", into, from, example)
	case !read.Row:
		shadowed := ""
		if len(read.Shadowed) > 0 {
			quals := make([]string, len(read.Shadowed))
			for i, c := range read.Shadowed {
				quals[i] = from + "." + sqlsyntax.Ident(c)
			}
			shadowed = fmt.Sprintf(" (%s there is a column of the subquery's table: write %s for the row's)", strings.Join(read.Shadowed, ", "), strings.Join(quals, ", "))
		}
		return fmt.Sprintf("it reads %s in a subquery that does not keep only its rows equal to the row of %s%s: other rows' rows answer it too (or none does), so once migrate's first batch has inserted rows it selects none (or every row, again), and contract's gate opens over rows never moved, whose values contract then drops. Compare the new table's rows with the row's columns by equality (=, <=> or IN; not <>, <, LIKE or a function's answer), written with the table's name, in its WHERE or an inner JOIN's ON (a LEFT or RIGHT JOIN's ON keeps every row of its other side), e.g. %s", into, from, shadowed, example)
	case read.Present:
		return fmt.Sprintf("it asks whether %s has the row's rows (EXISTS, a count above 0, a value not NULL): a row of %s is selected only once its row is there, so migrate inserts none, and contract's gate opens over rows never moved, whose values contract then drops. Ask whether they are missing, e.g. %s", into, from, example)
	case !read.Guarded:
		return fmt.Sprintf("it reads %s only under an OR (or XOR): a row of %s the other side selects stays selected after its row is inserted, and every rerun of migrate (the catch-up over rows written meanwhile, a resume) would insert it again, contract's gate never opening. Make the test of the new table's rows a term of its own, joined with AND, e.g. (...) AND %s", into, from, example)
	}
	return ""
}

// CheckLateDataMigrations checks the data migrations declared after the
// release was planned (asOf: the release as of its last revision; done: the
// ones its revisions carry). A new revision's gate runs after the contract
// of the earlier ones, and its migrate may too: set and pending may read
// only the columns both states have, not a column of the previous release
// that contract dropped already (Mattermost 6.0's RootId = ParentId, declared
// after v6_0 was planned: contract01 dropped ParentId, then contract02's gate
// failed with 1054 and could never pass).
func (r *Release) CheckLateDataMigrations(asOf *Release, done map[string]bool) error {
	tables := func(name string) ([]string, bool) {
		t, ok := r.Schema.Table(name)
		if !ok {
			return nil, false
		}
		was, _ := asOf.Schema.Table(name)
		return Union(ColumnNames(t), ColumnNames(was)), true
	}
	var errs []string
	for _, m := range r.Declarations.DataMigrations {
		if done[m.Name] || m.Seed != nil {
			continue
		}
		cols, ok := tables(m.Rows())
		if !ok && m.From != "" {
			// A table the release drops (movedAway): there while the
			// release as of its last revision still has it, its drop then
			// planned with this revision, after the gate.
			was, had := asOf.Schema.Table(m.From)
			if !had {
				errs = append(errs, m.Pos.Errorf("data_migration %q reads table %q (from), which release %s as planned before it was declared drops in a contract that has run or runs before this one's gate; run `emcee plan --rewrite %s` to plan the release again with the gate before the drop, while no database has applied its revisions", m.Name, m.From, r.Name, r.Name).Error())
				continue
			}
			cols, ok = ColumnNames(was), true
		}
		if !ok {
			continue
		}
		scope := sqlsyntax.Scope{Table: m.Rows(), Columns: cols, Tables: tables}
		why := fmt.Sprintf("release %s was planned before data_migration %q was declared, and its contract as planned then has run or runs before this one's gate: only the columns left after it can be read. Run `emcee plan --rewrite %s` to plan the release again with the gate before the drop, while no database has applied its revisions (refused once it is released; a database that has applied one refuses the rewritten files: their checksums differ, the comments naming declarations' lines too)", r.Name, m.Name, r.Name)
		if m.InsertList != nil {
			if into, ok := r.Schema.Table(m.Table); ok {
				if err := m.InsertList.ResolveInsert(sqlsyntax.Scope{Table: m.Table, Columns: ColumnNames(into)}, scope); err != nil {
					errs = append(errs, fmt.Sprintf("%v; %s", r.Declarations.exprs.lists[m.InsertList].errorf(r.Declarations.exprs.src, err, "insert of data_migration %q", m.Name), why))
					continue
				}
			}
		}
		if err := r.Declarations.resolve(m.DeleteExpr, scope, "delete of data_migration %q", m.Name); err != nil {
			errs = append(errs, fmt.Sprintf("%v; %s", err, why))
		} else if err := r.Declarations.resolveList(m.SetList, scope, "set of data_migration %q", m.Name); err != nil {
			errs = append(errs, fmt.Sprintf("%v; %s", err, why))
		} else if err := r.Declarations.resolve(m.PendingExpr, scope, "pending of data_migration %q", m.Name); err != nil {
			errs = append(errs, fmt.Sprintf("%v; %s", err, why))
		}
	}
	return JoinLines(errs)
}

func (r *Release) checkFill(prev *Release, decl *ColumnDecl, newT, oldT *schema.Table) error {
	ref := decl.Ref
	col, _ := newT.Column(ref.Column)
	switch {
	case decl.Source() != "":
		return decl.FillPos.Errorf("%s has fill and also takes over from %q: the forward expression (or the renamed column) already computes its value; remove fill", ref, decl.Source())
	case prev == nil || oldT == nil:
		return decl.FillPos.Errorf("%s has fill, but table %s is new in release %s: there are no existing rows and the previous release writes none, so nothing needs filling; remove fill", ref, ref.Table, r.Name)
	case col == nil:
		return decl.FillPos.Errorf("%s has fill but is not a column", ref)
	}
	if _, ok := oldT.Column(ref.Column); ok {
		return decl.FillPos.Errorf("%s has fill, but the column is not new: release %s already has it. fill only computes a NOT NULL column added by this release; remove it (to change existing values, declare a data_migration)", ref, prev.Name)
	}
	if col.Type.Null {
		// A nullable column computed from the others (GLPI 10.0.12's
		// glpi_users.user_dn_hash = MD5(user_dn)) is a data migration.
		col := sqlsyntax.Ident(ref.Column)
		block := hclquote.Block("", [][]string{{"data_migration", ref.Column}}, hclquote.Attr{Name: "table", Value: ref.Table},
			hclquote.Attr{Name: "set", Value: col + " = " + decl.Fill}, hclquote.Attr{Name: "pending", Value: col + " IS NULL AND (" + decl.Fill + ") IS NOT NULL"})
		return decl.FillPos.Errorf("%s has fill, but the column is nullable: fill computes a NOT NULL column, and NULL is a value a nullable one may keep. To compute the existing rows and keep the column nullable, remove fill and declare, at the top level of the file:\n%s\nTo have every row computed, make the column NOT NULL (`null = false` in HCL, NOT NULL in SQL) and keep fill", ref, block)
	}
	if col.Default != nil {
		return decl.FillPos.Errorf("%s has fill and a default: the previous release's inserts already get the default. Remove one of them (keep fill to compute existing rows from other columns, default for a constant)", ref)
	}
	return r.Declarations.resolve(decl.FillExpr, sqlsyntax.Scope{Table: newT.Name, Columns: Union(ColumnNames(newT), ColumnNames(oldT))}, "fill of %s", ref)
}

// autoIncrementRead refuses a column computed by a sync trigger (fill,
// forward: expr; the copy of a renamed column: src alone) from an
// AUTO_INCREMENT column of its table: a BEFORE INSERT trigger sees 0
// there in a row whose insert leaves the column to the server, which
// numbers the row only after the trigger has run (MariaDB 10.11,
// measured), so every row a release inserted while both ran got the
// value computed from 0, and contract's gate, which counts NULLs, passed
// (osTicket 1.10 renames department.dept_id id; the key-move refusal's
// advice, `fill = "dept_id"` on id, gave its rows id 0). Computed in
// migrate from the rows as inserted, the value is right.
func (r *Release) autoIncrementRead(decl *ColumnDecl, expr *sqlsyntax.Expr, src string, newT, oldT *schema.Table) error {
	ref := decl.Ref
	if t, c := autoIncrementIn(expr, src, oldT, newT); t != nil {
		name := sqlsyntax.Ident(ref.Column)
		block := hclquote.Block("", [][]string{{"data_migration", ref.Column}}, hclquote.Attr{Name: "table", Value: ref.Table},
			hclquote.Attr{Name: "set", Value: name + " = " + src}, hclquote.Attr{Name: "pending", Value: name + " IS NULL"})
		keep := "remove fill"
		if s := decl.Source(); s != "" {
			how := "renamed_from"
			if decl.Replaces != nil {
				how = "replaces block"
			}
			keep = fmt.Sprintf("keep %s under its name (no trigger can copy the number the server gives a row) and %s beside it without its %s", s, ref.Column, how)
		}
		return decl.Pos.Errorf("%s is computed from %s.%s, an AUTO_INCREMENT column, by a trigger while both releases run: a BEFORE INSERT trigger sees 0 there in a row whose insert leaves %s to the server, which numbers the row only after the trigger has run, so every row inserted meanwhile would get the value computed from 0. Compute it in migrate, from the rows as inserted: %s, declare %s `null = true` in this release, and, at the top level of the file:\n%s\nthen make it NOT NULL in the next release (contract tightens it behind a gate counting the rows still NULL)", ref, t.Name, c, c, keep, ref.Column, block)
	}
	return nil
}

// autoIncrementIn is the first AUTO_INCREMENT column of tables (nil ones
// left out) that expr reads (src alone when expr is nil), and its table.
func autoIncrementIn(expr *sqlsyntax.Expr, src string, tables ...*schema.Table) (*schema.Table, string) {
	read := []string{src}
	var cols []string
	for _, t := range tables {
		if t != nil {
			cols = Union(cols, ColumnNames(t))
		}
	}
	if expr != nil {
		var err error
		if read, err = expr.Resolve(sqlsyntax.Scope{Table: tables[len(tables)-1].Name, Columns: cols}); err != nil {
			return nil, "" // reported where the expression is resolved
		}
	}
	for _, c := range read {
		for _, t := range tables {
			if t == nil {
				continue
			}
			if col, ok := t.Column(c); ok && AutoIncrement(col) {
				return t, c
			}
		}
	}
	return nil, ""
}

// BatchKey is the column a backfill of the table runs in ranges of: its
// single-column primary key ("" when it has none, and the backfill is one
// UPDATE).
func BatchKey(t *schema.Table) string {
	if t.PrimaryKey == nil || len(t.PrimaryKey.Parts) != 1 || t.PrimaryKey.Parts[0].C == nil {
		return ""
	}
	return t.PrimaryKey.Parts[0].C.Name
}

// tableColumns gives the tables a data migration's subqueries may read:
// those of this release, with the columns they have while migrate runs
// and when contract's gates run (both releases' columns).
func (r *Release) tableColumns(prev *Release) func(string) ([]string, bool) {
	return func(name string) ([]string, bool) {
		t, ok := r.Schema.Table(name)
		if !ok {
			return nil, false
		}
		cols := ColumnNames(t)
		if prev != nil {
			if old, ok := prev.Schema.Table(r.oldName(name)); ok {
				cols = Union(cols, ColumnNames(old))
			}
		}
		return cols, true
	}
}

// readTables gives the tables a data migration's subqueries may read:
// tableColumns', and a table the release drops, as the previous release
// has it: it is there while migrate runs, contract's gates count before
// contract drops it, and a delete runs before the drops (osTicket 1.10's
// staff.timezone, an Olson name looked up in the timezone table the same
// upgrade drops, was refused with the table kept one release longer; a
// from naming such a table was allowed already: checkInsertTables).
func (r *Release) readTables(prev *Release) func(string) ([]string, bool) {
	kept := r.tableColumns(prev)
	return func(name string) ([]string, bool) {
		if cols, ok := kept(name); ok {
			return cols, true
		}
		if t := r.movedAway(prev, name); t != nil {
			return ColumnNames(t), true
		}
		return nil, false
	}
}

// absentTable says, for a refusal of an expression reading a table the
// release does not declare (nor drops: readTables), why and the way out:
// one it renames is named as it names it, any other name is fixed.
func (r *Release) absentTable(prev *Release) func(string) string {
	return func(name string) string {
		if to := r.renamedTo(name); prev != nil && to != "" {
			return fmt.Sprintf(": release %s renames it to %s; name it as this release does", r.Name, to)
		}
		return "; fix the name"
	}
}

// oldName is the name the previous release gives a table of this release.
func (r *Release) oldName(table string) string {
	if td, ok := r.Declarations.Tables[table]; ok {
		return td.RenamedFrom
	}
	return table
}

// ColumnNames lists a table's columns in declaration order (none for nil):
// the names an expression on that table may use.
func ColumnNames(t *schema.Table) []string {
	if t == nil {
		return nil
	}
	return Names(t.Columns)
}

// Names lists the columns' names.
func Names(cols []*schema.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// PartColumns lists the columns an index's parts are on (expressions left
// out).
func PartColumns(idx *schema.Index) []string {
	var out []string
	for _, p := range idx.Parts {
		if p.C != nil {
			out = append(out, p.C.Name)
		}
	}
	return out
}

// Union merges column lists, keeping the first occurrence's order and
// leaving out "": between expand and contract a table has the columns of
// both releases.
func Union(lists ...[]string) []string {
	var out []string
	for _, s := range slices.Concat(lists...) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// unsteadyDelete is what is wrong with a delete predicate that reads no
// column of the row it is evaluated on ("" when it reads one): its answer
// is the same for every row (TRUE, 1 = 1, a subquery that never refers to
// the row), so contract would delete every row of the table, or none.
// Emptying a table on purpose is not declared either: contract deletes
// while the new release serves, which has written rows into it since
// expand, and a delete of every row takes those too, past any rollback; a
// table the release drops goes with its rows without one.
//
// Or one whose answer is not the same when computed again (RAND(),
// UUID()): contract's gates read the predicate (the duplicate gates leave
// out the rows it selects), then the DELETE reads it again, and a resume
// again, each time selecting other rows.
func unsteadyDelete(m *DataMigration, scope sqlsyntax.Scope) string {
	if f := m.DeleteExpr.Unrepeatable(); f != "" {
		return fmt.Sprintf("it calls %s, whose answer is not the same when computed again: contract's gates read the predicate (a new unique key's duplicate gate leaves out the rows it selects), then the DELETE reads it again, and a resume again, each time selecting other rows. Select the rows to delete by their values", f)
	}
	tables := false
	reading := scope
	reading.Tables = func(name string) ([]string, bool) {
		tables = true
		return scope.Tables(name)
	}
	row, err := m.DeleteExpr.Resolve(reading)
	t := sqlsyntax.Ident(m.Table)
	if err == nil && len(row) > 0 && m.DeleteExpr.ReadOf(scope, m.Table).Apart {
		// Only the other rows of the table ungated: the rows of a pair each
		// find the other, contract deleted both, and the unique key's gate,
		// seeing no duplicate left, opened (MantisBT's categories: 2 of 2
		// 'General' gone).
		return fmt.Sprintf("it selects a row of %s when another row differs from it: a subquery reading %s compares its columns only with the row's same ones, one at least by <>, so of two rows alike each finds the other, and contract deletes both, the one to keep too. Say which one stays, e.g. EXISTS (SELECT 1 FROM %s AS d WHERE d.<key> = %s.<key> AND d.id < %s.id) keeps the first of each group", t, t, t, t, t)
	}
	if err != nil || len(row) > 0 {
		return ""
	}
	if !tables {
		return fmt.Sprintf("it reads no column and no table: it is true for every row of %s or for none. emcee does not empty a table: contract deletes while the new release serves, which has written rows into %s since expand, and a delete of every row deletes those too, after which no rollback runs. If only the rows from before this release should go, select them by a value the previous release wrote, e.g. delete = \"<column> < '<date of the release>'\"; to empty a table whose rows both releases can lose (a cache), run TRUNCATE TABLE %s yourself once contract has run; to start from an empty table, create one under a new name in this release, leave this one out of it and declare its drop (contract drops it with its rows) at the top level of the file:\n%s",
			t, t, t, hclquote.Block("", [][]string{{"discard"}}, hclquote.Attr{Name: "table", Value: m.Table}))
	}
	shadowed := ""
	if s := m.DeleteExpr.ReadOf(scope, m.Table).Shadowed; len(s) > 0 {
		quals := make([]string, len(s))
		for i, c := range s {
			quals[i] = m.Table + "." + c
		}
		shadowed = fmt.Sprintf(" (%s there is a column of the subquery's table, as the server reads it: write %s for the row's; generally, write %s.<column> for the row's)", strings.Join(s, ", "), strings.Join(quals, ", "), m.Table)
	}
	return fmt.Sprintf("it reads no column of the row of %s%s: its answer is the same for every row, so it selects every row of %s or none, and contract would delete them all. Select the rows to delete by their columns, e.g. for duplicates: EXISTS (SELECT 1 FROM %s AS d WHERE d.<key> = %s.<key> AND d.id < %s.id)",
		m.Table, shadowed, m.Table, t, t, t)
}
