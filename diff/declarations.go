package diff

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Pos is a position in a release file (project.Pos).
type Pos = project.Pos

// Declarations are what a release's HCL says beyond the schema itself: the
// intent Atlas cannot see (renames, replacements, fill expressions, data
// migrations). Atlas drops these attributes silently; emcee reads them.
type Declarations struct {
	Columns map[ColumnRef]*ColumnDecl
	Tables  map[string]*TableDecl
	// Indexes are the indexes declared renamed_from an index of the
	// previous release, in the order of the file.
	Indexes        []*IndexDecl
	DataMigrations []*DataMigration
	Discards       []*Discard
	// StoredFunctions are the functions of the database (not the
	// server's built-ins) that the release's expressions may call.
	StoredFunctions []StoredFunction
	// positions of every table ("t"), column ("t.c") and named index,
	// foreign key and check ("t/name"), for errors;
	// placed holds those of the tables of a release assembled block by
	// block (chunk.go), by table, where positions does not.
	positions map[string]Pos
	placed    map[string]placement
	// where each parsed expression is declared, for errors (exprs.go)
	exprs *declared
	// columnBlocks is where a SQL release's declarations file has a block
	// of a column (both names lower case), whatever it declares: an empty
	// one, or one saying allow_copy = false, is in no other map, and
	// advice that pasted table and column blocks around it met the refusal
	// of the column declared twice (declBlock).
	columnBlocks map[ColumnRef]Pos
}

// PosOf returns where a table (column "") or column is declared.
func (d *Declarations) PosOf(table, column string) (Pos, bool) {
	key := table
	if column != "" {
		key += "." + column
	}
	return d.posOf(table, key)
}

// PartPos returns where an index, foreign key or check of a table is
// declared (its block, or its line in a SQL release's CREATE TABLE), else
// where the table is.
func (d *Declarations) PartPos(table, name string) (Pos, bool) {
	if p, ok := d.posOf(table, table+"/"+name); ok {
		return p, true
	}
	return d.PosOf(table, "")
}

func (d *Declarations) posOf(table, key string) (Pos, bool) {
	if at, ok := d.placed[table]; ok {
		if p, ok := at.positions[key]; ok {
			return at.place(p), true
		}
	}
	p, ok := d.positions[key]
	return p, ok
}

// positionMap is every position PosOf finds, in one map.
func (d *Declarations) positionMap() map[string]Pos {
	out := make(map[string]Pos, len(d.positions))
	maps.Copy(out, d.positions)
	for _, at := range d.placed {
		for k, p := range at.positions {
			out[k] = at.place(p)
		}
	}
	return out
}

// ColumnRef names a column of the release's schema.
type ColumnRef struct{ Table, Column string }

func (r ColumnRef) String() string { return r.Table + "." + r.Column }

func sortedRefs(m map[ColumnRef]*ColumnDecl) []ColumnRef {
	return slices.SortedFunc(maps.Keys(m), func(a, b ColumnRef) int {
		return cmp.Or(strings.Compare(a.Table, b.Table), strings.Compare(a.Column, b.Column))
	})
}

// ColumnDecl is emcee's intent for one column.
type ColumnDecl struct {
	Ref ColumnRef
	Pos Pos
	// RenamedFrom is a plain rename: same values, new name.
	RenamedFrom string
	// Replaces is a replacement with conversions in both directions.
	Replaces *Replacement
	// Fill computes the value of a new NOT NULL column for existing rows
	// and for rows written by the previous release.
	Fill     string
	FillPos  Pos
	FillExpr *sqlsyntax.Expr // Fill, parsed
	// AllowCopy accepts a change that makes the server rebuild the table
	// and block writes while it does.
	AllowCopy bool
}

// Replacement says the column takes over from a column of the previous release.
type Replacement struct {
	Pos      Pos
	Column   string // in the previous release
	Forward  string // SQL expression: new value from the old columns
	Backward string // SQL expression: old value from the new columns
	// Forward and Backward, parsed
	ForwardExpr, BackwardExpr *sqlsyntax.Expr
}

// Source is the column of the previous release this one takes over from,
// whether by rename or replacement.
func (d *ColumnDecl) Source() string {
	if d == nil {
		return ""
	}
	if d.Replaces != nil {
		return d.Replaces.Column
	}
	return d.RenamedFrom
}

// TableDecl is emcee's intent for one table.
type TableDecl struct {
	Name        string
	Pos         Pos
	RenamedFrom string
}

// IndexDecl is an index renamed: `renamed_from` in its block names the
// index of the previous release it is, under another name (same table,
// same parts, same uniqueness). Atlas's differ never reports a rename of
// an index (it sees one dropped and one added, a full index build and,
// for a unique one, a duplicate scan), so emcee renames only what is
// declared.
type IndexDecl struct {
	Table, Name string // as this release names them
	Pos         Pos    // of the renamed_from attribute
	RenamedFrom string
}

// IndexRenamed is the declaration renaming an index to table's name, nil
// if none.
func (d *Declarations) IndexRenamed(table, name string) *IndexDecl {
	if i := slices.IndexFunc(d.Indexes, func(x *IndexDecl) bool { return x.Table == table && x.Name == name }); i >= 0 {
		return d.Indexes[i]
	}
	return nil
}

// DataMigration is a data-only change: batched in migrate, and its pending
// predicate gates contract. It updates the rows of Table (Set), or inserts
// into Table a row for each pending row of From (Insert: Matomo 4.0 moving
// user.token_auth into rows of the new user_token_auth), or inserts the
// rows it declares literally (Seed: MantisBT's default category, a
// Keycloak realm's new default role), each found again by its key.
type DataMigration struct {
	Name    string
	Pos     Pos
	Table   string
	Set     string // SQL assignment list, as after UPDATE t SET
	From    string // the table an insert reads ("" for an update)
	Insert  string // the new row's columns set from From's row: `col = expr, ...`
	Pending string // SQL predicate true for rows not yet migrated (of From, for an insert)
	// Set, Insert and Pending, parsed
	SetList     *sqlsyntax.Assignments
	InsertList  *sqlsyntax.Assignments
	PendingExpr *sqlsyntax.Expr
	// Delete is a predicate selecting rows of Table that contract
	// deletes (duplicates before a unique key), DeleteExpr parsed; "" for
	// the other forms.
	Delete     string
	DeleteExpr *sqlsyntax.Expr
	// Seed are the rows of `rows = [{ column = value, ... }, ...]`, in
	// the order declared (nil for the other forms, which have no pending
	// predicate instead: a seed row is pending while its key is missing).
	Seed []*SeedRow
}

// SeedRow is one row a data_migration declares: its columns' literal
// values, each where it is declared.
type SeedRow struct {
	Pos   Pos // the row's `{`
	N     int // 1 for the first row of its data_migration, for messages
	Cells []sqlsyntax.Cell
	At    []Pos // where Cells[i]'s value is
}

// Differs says what m declares otherwise than was ("" when nothing): the
// first of its attributes whose statement text differs, with both values
// (spacing, quoting and the case of keywords aside: they are compared as
// written back from their trees).
func (m *DataMigration) Differs(was *DataMigration) string {
	list := func(a *sqlsyntax.Assignments) string {
		if a == nil {
			return ""
		}
		return a.SQL()
	}
	expr := func(e *sqlsyntax.Expr) string {
		if e == nil {
			return ""
		}
		return e.SQL()
	}
	rows := func(rs []*SeedRow) string {
		var b strings.Builder
		for _, r := range rs {
			fmt.Fprintf(&b, "%v", r.Cells)
		}
		return b.String()
	}
	for _, a := range []struct{ name, now, was string }{
		{"table", strings.ToLower(m.Table), strings.ToLower(was.Table)},
		{"from", strings.ToLower(m.From), strings.ToLower(was.From)},
		{"set", list(m.SetList), list(was.SetList)},
		{"insert", list(m.InsertList), list(was.InsertList)},
		{"pending", expr(m.PendingExpr), expr(was.PendingExpr)},
		{"delete", expr(m.DeleteExpr), expr(was.DeleteExpr)},
		{"rows", rows(m.Seed), rows(was.Seed)},
	} {
		if a.now != a.was {
			return fmt.Sprintf("%s is %q, planned as %q", a.name, a.now, a.was)
		}
	}
	return ""
}

// Rows is the table whose rows the migration runs over, batches on and
// gates on: From for an insert, Table for an update.
func (m *DataMigration) Rows() string {
	if m.From != "" {
		return m.From
	}
	return m.Table
}

// Deletes is the data migration deleting rows of table (delete = "..."),
// nil if none: the rows it selects are gone before contract adds a key.
func (d *Declarations) Deletes(table string) []*DataMigration {
	var out []*DataMigration
	for _, m := range d.DataMigrations {
		if m.DeleteExpr != nil && strings.EqualFold(m.Table, table) {
			out = append(out, m)
		}
	}
	return out
}

// StoredFunction is `stored_function "name" {}`: a function created in the
// database outside emcee, which the expressions may call by name. emcee
// checks every other call against the target server's built-ins, and the
// expand preflight checks that the database has each declared one.
type StoredFunction struct {
	Name string
	Pos  Pos
}

// Functions is what the release's expressions may call on target t.
func (d *Declarations) Functions(t project.Target) sqlsyntax.Functions {
	f := sqlsyntax.Functions{Server: sqlsyntax.MariaDB}
	if !t.MariaDB() {
		f.Server = sqlsyntax.MySQL
	}
	for _, s := range d.StoredFunctions {
		f.Stored = append(f.Stored, s.Name)
	}
	return f
}

// Discard acknowledges that a release drops data on purpose: a column of
// the previous release (Column set) or a whole table, while the release
// also adds a column to that table or creates a table. Without it emcee
// cannot tell a forgotten replaces or renamed_from from an intended loss.
type Discard struct {
	Pos    Pos
	Table  string // as the previous release names it
	Column string // "" for the whole table
}

func (d *Discard) String() string {
	if d.Column == "" {
		return "table " + d.Table
	}
	return d.Table + "." + d.Column
}

// Discarded reports whether the release declares that a column (column "")
// or table of the previous release is dropped with its data. The discard
// may spell the column in another letter case (column names are
// case-insensitive), as TakenOver's declaration may.
func (d *Declarations) Discarded(table, column string) *Discard {
	if i := slices.IndexFunc(d.Discards, func(x *Discard) bool { return x.Table == table && strings.EqualFold(x.Column, column) }); i >= 0 {
		return d.Discards[i]
	}
	return nil
}

// TakenOver is the declaration of the new column of the table that
// replaces or renames a column of the previous release (nil if none):
// the column's values live on there. The declaration may spell column in
// another letter case (Respelled).
func (d *Declarations) TakenOver(table, column string) *ColumnDecl {
	for _, ref := range sortedRefs(d.Columns) {
		if decl := d.Columns[ref]; ref.Table == table && strings.EqualFold(decl.Source(), column) {
			return decl
		}
	}
	return nil
}

// RowsMovedBy are the data migrations that insert rows into another table
// from the rows of table, in declared order: a table the release drops
// whose rows live on in those rows, and whose drop waits for their gates
// (Gitea 1.21's deleted_branch, moved into branch; LimeSurvey 1.92's
// surveys_rights, a migration a permission).
func (d *Declarations) RowsMovedBy(table string) []*DataMigration {
	var out []*DataMigration
	for _, m := range d.DataMigrations {
		if m.InsertList != nil && m.From == table {
			out = append(out, m)
		}
	}
	return out
}

// setFrom is the first data_migration updating table whose set assigns
// one of the columns adds and reads column, and that column: a column the
// release drops whose values it moves into the added one (nil if none).
func (d *Declarations) setFrom(table, column string, adds []string) (*DataMigration, string) {
	for _, m := range d.DataMigrations {
		if m.SetList == nil || !strings.EqualFold(m.Table, table) || !m.SetList.ReadsColumn(table, column) {
			continue
		}
		for _, a := range adds {
			if m.SetList.Assigns(a) != nil {
				return m, a
			}
		}
	}
	return nil, ""
}

// MovedBy is the data migration that inserts rows into another table from
// the rows of table, reading column (nil if none): a column the release
// drops whose values live on in those rows, and whose drop waits for the
// migration's gate.
func (d *Declarations) MovedBy(table, column string) *DataMigration {
	for _, m := range d.DataMigrations {
		if m.InsertList != nil && m.From == table && m.InsertList.ReadsColumn(table, column) {
			return m
		}
	}
	return nil
}
