package diff

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Release is one declared release: its schema as Atlas reads it, and
// emcee's declarations from the same file.
type Release struct {
	Name         string
	File         string // path as given to the user
	Schema       *schema.Schema
	Declarations *Declarations
	// target is the server the release was evaluated for: the collations
	// and charsets its seed rows are checked under (checkSeed).
	target project.Target
	// blocks names, for a release assembled block by block, what each table
	// Atlas's diff leaves alone (leftAlone) was evaluated from (pieceKey):
	// two tables of the same key are the same evaluation (unchanged.go).
	blocks map[string][32]byte
}

// ParseRelease evaluates one release file.
func ParseRelease(name, file string, src []byte, t project.Target) (*Release, error) {
	parser := hclparse.NewParser()
	f, diags := parser.ParseHCL(src, file)
	if diags.HasErrors() {
		return nil, project.HCLError(diags)
	}
	body := f.Body.(*hclsyntax.Body)
	if err := validate(body, fileSpec, "the file"); err != nil {
		return nil, err
	}
	if err := JoinLines(checkStructure(body, t)); err != nil {
		return nil, err
	}
	decls, err := readDeclarations(body, src)
	if err != nil {
		return nil, err
	}
	if err := decls.checkCalls(t); err != nil {
		return nil, err
	}
	s, err := schemadef.Eval(parser, file, t)
	if err != nil {
		return nil, err
	}
	if err := checkSchemaExprs(body, src, s, decls.Functions(t)); err != nil {
		return nil, err
	}
	if err := checkSchema(newLocator(file, body), s, t); err != nil {
		return nil, err
	}
	return &Release{Name: name, File: file, Schema: s, Declarations: decls, target: t}, nil
}

// readDeclarations reads the declarations of a file's body, src, and
// parses their expressions.
func readDeclarations(body *hclsyntax.Body, src []byte) (*Declarations, error) {
	d := &Declarations{Columns: map[ColumnRef]*ColumnDecl{}, Tables: map[string]*TableDecl{}, positions: map[string]Pos{},
		exprs: &declared{src: src, attrs: map[*sqlsyntax.Expr]exprAttr{}, lists: map[*sqlsyntax.Assignments]exprAttr{}}}
	for _, b := range body.Blocks {
		switch b.Type {
		case "table":
			if err := d.readTable(b); err != nil {
				return nil, err
			}
		case "data_migration":
			m := &DataMigration{Name: b.Labels[0], Pos: project.PosOf(b.TypeRange)}
			if err := m.read(b.Body); err != nil {
				return nil, err
			}
			d.DataMigrations = append(d.DataMigrations, m)
			d.parseMigration(b, m)
		case "discard":
			if err := d.readDiscard(b); err != nil {
				return nil, err
			}
		case "stored_function":
			f := StoredFunction{Name: b.Labels[0], Pos: project.PosOf(b.LabelRanges[0])}
			for _, o := range d.StoredFunctions {
				if strings.EqualFold(o.Name, f.Name) {
					return nil, f.Pos.Errorf("stored_function %q is declared twice (first at %s); remove one", f.Name, o.Pos)
				}
			}
			d.StoredFunctions = append(d.StoredFunctions, f)
		}
	}
	return d, d.exprs.err
}

func (d *Declarations) readTable(b *hclsyntax.Block) error {
	table := b.Labels[0]
	d.positions[table] = project.PosOf(b.TypeRange)
	if a, ok := b.Body.Attributes["renamed_from"]; ok {
		v, err := stringAttr(a)
		if err != nil {
			return err
		}
		d.Tables[table] = &TableDecl{Name: table, Pos: project.PosOf(a.NameRange), RenamedFrom: v}
	}
	for _, c := range b.Body.Blocks {
		if c.Type != "column" {
			if len(c.Labels) > 0 {
				d.positions[table+"/"+c.Labels[0]] = project.PosOf(c.TypeRange)
			}
			if a, ok := c.Body.Attributes["renamed_from"]; ok && c.Type == "index" {
				v, err := stringAttr(a)
				if err != nil {
					return err
				}
				d.Indexes = append(d.Indexes, &IndexDecl{Table: table, Name: c.Labels[0], Pos: project.PosOf(a.NameRange), RenamedFrom: v})
			}
			continue
		}
		ref := ColumnRef{Table: table, Column: c.Labels[0]}
		decl := &ColumnDecl{Ref: ref, Pos: project.PosOf(c.TypeRange)}
		d.positions[ref.String()] = decl.Pos
		if a, ok := c.Body.Attributes["allow_copy"]; ok {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() || !v.Type().Equals(cty.Bool) {
				return project.PosOf(a.NameRange).Errorf("allow_copy must be true or false")
			}
			decl.AllowCopy = v.True()
		}
		if a, ok := c.Body.Attributes["renamed_from"]; ok {
			v, err := stringAttr(a)
			if err != nil {
				return err
			}
			decl.RenamedFrom, decl.Pos = v, project.PosOf(a.NameRange)
		}
		if a, ok := c.Body.Attributes["fill"]; ok {
			v, err := stringAttr(a)
			if err != nil {
				return err
			}
			decl.Fill, decl.FillPos = v, project.PosOf(a.NameRange)
		}
		var replaces *hclsyntax.Body
		for _, r := range c.Body.Blocks {
			if r.Type != "replaces" {
				continue
			}
			if decl.Replaces != nil {
				return project.PosOf(r.TypeRange).Errorf("column %s has two replaces blocks; a column replaces one column", ref)
			}
			rep := &Replacement{Pos: project.PosOf(r.TypeRange)}
			if err := readStrings(r.Body, []string{"column", "forward", "backward"}, []*string{&rep.Column, &rep.Forward, &rep.Backward}, func(name string) error {
				return &Problem{Kind: IncompleteReplacement, Pos: rep.Pos, Msg: fmt.Sprintf("replaces block of %s needs %s = \"...\" (column: the old column; forward: SQL computing %s from the old columns; backward: SQL computing the old column from the new ones)", ref, name, ref.Column)}
			}); err != nil {
				return err
			}
			decl.Replaces, replaces = rep, r.Body
			decl.Pos = rep.Pos
		}
		if decl.RenamedFrom != "" && decl.Replaces != nil {
			return decl.Pos.Errorf("column %s has both renamed_from and replaces: use renamed_from for a plain rename, replaces when values change", ref)
		}
		if decl.RenamedFrom != "" || decl.Replaces != nil || decl.Fill != "" || decl.AllowCopy {
			d.Columns[ref] = decl
			if a, ok := c.Body.Attributes["fill"]; ok {
				decl.FillExpr = d.parse(a, sqlsyntax.PerRow, "fill of "+ref.String(), ref.Table, ref.Column)
			}
			if rep := decl.Replaces; rep != nil {
				rep.ForwardExpr = d.parse(replaces.Attributes["forward"], sqlsyntax.PerRow, "forward expression of "+ref.String(), ref.Table, ref.Column)
				rep.BackwardExpr = d.parse(replaces.Attributes["backward"], sqlsyntax.PerRow, "backward expression of "+ref.String(), ref.Table, rep.Column)
			}
		}
	}
	return nil
}

// Check validates declarations against the previous release (nil for the
// first): what they refer to must exist there, and must not be left over
// from an older one.
func (r *Release) Check(prev *Release) error {
	var errs []string
	for _, ref := range sortedRefs(r.Declarations.Columns) {
		decl := r.Declarations.Columns[ref]
		src := decl.Source()
		if src == "" {
			continue
		}
		if prev == nil {
			errs = append(errs, decl.Pos.Errorf("%s takes over from %q, but %s is the first release: there is nothing to take over from", ref, src, r.Name).Error())
			continue
		}
		oldTable := r.oldName(ref.Table)
		t, ok := prev.Schema.Table(oldTable)
		if !ok {
			errs = append(errs, decl.Pos.Errorf("%s takes over from %s.%s, but release %s has no table %q (%s); remove the declaration if it belongs to an older release", ref, oldTable, src, prev.Name, oldTable, prev.File).Error())
			continue
		}
		_, hasSrc := t.Column(src)
		if !hasSrc {
			errs = append(errs, decl.Pos.Errorf("%s takes over from %s.%s, but release %s has no such column (%s); remove the declaration if it belongs to an older release, or fix the column name", ref, oldTable, src, prev.Name, prev.File).Error())
		}
		// The server does not tell column names apart by letter case: a
		// column the previous release spells otherwise is the same one.
		had := columnFold(t, ref.Column)
		hasRef, recased := had != nil, had != nil && had.Name != ref.Column
		switch {
		case recased && strings.EqualFold(src, ref.Column) && decl.Replaces != nil:
			// recaseColumns renames the column in place: the conversion
			// would never run.
			errs = append(errs, decl.Pos.Errorf("%s replaces %s, which it differs from only in letter case: the server does not tell the two names apart, so they cannot stand side by side until contract, and the column would only be renamed, its values not converted. To keep the values, declare renamed_from = %s instead of the replaces block; to convert them, give the new column another name in this release, keeping this replaces block, and rename it to %s in a later release, once %s is dropped",
				ref, src, hclquote.Quote(src), ref.Column, src).Error())
		case recased && strings.EqualFold(src, ref.Column):
			// The column respelled: rule recase-column.
		case hasRef && oldTable == ref.Table && hasSrc:
			// Both columns are in the previous release: not a leftover,
			// but a name given to another column's values while its own
			// column still serves (Keycloak 3.4's RESOURCE_SERVER.ID,
			// re-keyed to the values of CLIENT_ID).
			same := ""
			if recased {
				same = fmt.Sprintf(" (%s is %s to the server, which does not tell column names apart by letter case)", ref.Column, had.Name)
			}
			errs = append(errs, decl.Pos.Errorf("%s takes over from %q, but release %s has both %s and %s%s: until contract the previous release still reads and writes its own %s, so the name cannot pass to %s's values in this release. Give them a new name here (a column with renamed_from = %s, and a discard of %s if its values may go), and rename that column back to %s in a later release, once %s is dropped",
				ref, src, prev.Name, had.Name, src, same, had.Name, src, hclquote.Quote(src), had.Name, ref.Column, had.Name).Error())
		case hasRef && oldTable == ref.Table:
			errs = append(errs, decl.Pos.Errorf("%s takes over from %q, but release %s already has %s: the declaration was consumed by an earlier release; remove it", ref, src, prev.Name, ref).Error())
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Declarations.Tables)) {
		td := r.Declarations.Tables[name]
		if prev == nil {
			errs = append(errs, td.Pos.Errorf("table %s is renamed_from %q, but %s is the first release", name, td.RenamedFrom, r.Name).Error())
			continue
		}
		if _, ok := prev.Schema.Table(td.RenamedFrom); !ok {
			errs = append(errs, td.Pos.Errorf("table %s is renamed_from %q, but release %s has no such table (%s); remove the declaration if it belongs to an older release, or fix the name%s", name, td.RenamedFrom, prev.Name, prev.File, project.Suggest(td.RenamedFrom, tableNames(prev.Schema))).Error())
		}
	}
	errs = append(errs, r.checkIndexRenames(prev)...)
	for _, m := range r.Declarations.DataMigrations {
		if m.Seed != nil {
			errs = append(errs, r.checkSeed(m)...)
			continue
		}
		if m.Delete != "" {
			if _, ok := r.Schema.Table(m.Table); !ok {
				errs = append(errs, m.Pos.Errorf("data_migration %q deletes rows of table %q, which release %s does not declare; fix the name%s", m.Name, m.Table, r.Name, project.Suggest(m.Table, tableNames(r.Schema))).Error())
			}
			continue
		}
		if m.From != "" {
			errs = append(errs, r.checkInsertTables(prev, m)...)
			continue
		}
		if _, ok := r.Schema.Table(m.Table); !ok {
			errs = append(errs, m.Pos.Errorf("data_migration %q updates table %q, which release %s does not declare", m.Name, m.Table, r.Name).Error())
		}
	}
	errs = append(errs, r.checkDiscards(prev)...)
	// expressions, fill and the use of each declaration (check_exprs.go)
	return JoinLines(append(errs, r.checkExpressions(prev)...))
}

// Respelled is r with each column or index of release prev its
// declarations name (renamed_from, a replaces block's column, a discard)
// spelled as prev spells it: the server compares these names without regard to
// letter case, so renamed_from = "DEPT_ID" is prev's dept_id, while the
// checks, the splitter and the simulator compare names exactly. Table
// names keep their case: the server compares them exactly
// (lower_case_table_names = 0). r is shared (Load memoizes it), so what
// changes is copied, and only when a name is respelled.
func (r *Release) Respelled(prev *Release) *Release {
	if prev == nil {
		return r
	}
	d := *r.Declarations
	copied := false
	spell := func(table, name string, names func(*schema.Table) []string) string {
		t, ok := prev.Schema.Table(r.oldName(table))
		if !ok || name == "" {
			return ""
		}
		all := names(t)
		if i := slices.IndexFunc(all, func(n string) bool { return strings.EqualFold(n, name) }); i >= 0 && !slices.Contains(all, name) {
			if !copied {
				d.Columns, d.Indexes, d.Discards, copied = maps.Clone(d.Columns), slices.Clone(d.Indexes), slices.Clone(d.Discards), true
			}
			return all[i]
		}
		return ""
	}
	columnNames := func(t *schema.Table) []string { return Names(t.Columns) }
	for ref, c := range r.Declarations.Columns {
		if old := spell(ref.Table, c.Source(), columnNames); old != "" {
			nc := *c
			if c.Replaces != nil {
				rep := *c.Replaces
				rep.Column, nc.Replaces = old, &rep
			} else {
				nc.RenamedFrom = old
			}
			d.Columns[ref] = &nc
		}
	}
	for i, x := range r.Declarations.Indexes {
		if old := spell(x.Table, x.RenamedFrom, indexNamesOf); old != "" {
			nx := *x
			nx.RenamedFrom, d.Indexes[i] = old, &nx
		}
	}
	for i, x := range r.Declarations.Discards {
		if old := spell(x.Table, x.Column, columnNames); old != "" {
			nx := *x
			nx.Column, d.Discards[i] = old, &nx
		}
	}
	if !copied {
		return r
	}
	cp := *r
	cp.Declarations = &d
	return &cp
}

// DeclFile is the declarations file of a release declared as SQL, named as
// its SQL file is in messages (schema/<release>.emcee.hcl, the project's
// DeclFile), where what its CREATE TABLEs cannot say goes; "" for a release
// declared in HCL, whose own blocks take it.
func (r *Release) DeclFile() string {
	if strings.HasSuffix(r.File, ".sql") {
		return project.DeclFileOf(r.File)
	}
	return ""
}

// InDeclFile is what a message that tells the user to declare attrs on
// column table.column adds for a release declared as SQL, whose CREATE
// TABLE has no place for them: the declarations file, and the table and
// column blocks to paste there, on lines of their own after the message
// (`allow_copy = true` "to column key" named no file, and HCL's one-line
// form takes no nested block); the attributes alone, for the column's
// block, where the file has one already (a second block of the column is
// refused). "" for an HCL release, where the column's own block takes the
// attribute, and where no column is named.
func (r *Release) InDeclFile(table, column string, attrs ...hclquote.Attr) string {
	f := r.DeclFile()
	if f == "" || column == "" {
		return ""
	}
	where, path := r.declBlock(table, column, nil)
	return fmt.Sprintf(" (a release declared as SQL declares it in %s%s, as below):\n%s", f, where, hclquote.Block("    ", path, attrs...))
}

// declBlock is where in a SQL release's declarations file what is
// declared on column table.column goes, and the blocks (outermost first)
// to write around it: inside the column's block, said where, when the file
// has one, whatever it declares (two blocks of a column are refused as
// the second replacing the first's declarations, so pasting table and
// column blocks around the attribute met that refusal: Matomo's renamed
// and widened column, given renamed_from and then told to paste
// allow_copy; and an empty block, or one with allow_copy = false, which
// declares nothing, met it too), else table and column blocks of their
// own; inner are the blocks inside the column's.
func (r *Release) declBlock(table, column string, inner [][]string) (where string, path [][]string) {
	if d := r.Declarations.Columns[ColumnRef{Table: table, Column: column}]; d != nil {
		return fmt.Sprintf(", in its block of column %s.%s (at %s)", table, column, d.Pos), inner
	}
	if p, ok := r.Declarations.columnBlocks[ColumnRef{Table: strings.ToLower(table), Column: strings.ToLower(column)}]; ok {
		return fmt.Sprintf(", in its block of column %s.%s (at %s)", table, column, p), inner
	}
	return "", append([][]string{{"table", table}, {"column", column}}, inner...)
}

// Where returns "file:line:col" of a table or column for messages, or the
// file alone when the position is unknown.
func (r *Release) Where(table, column string) string { return posOrFile(r, table, column).String() }

// TopLevel is where a top-level declaration (discard, data_migration)
// goes, for messages: the release file, or a SQL release's declarations
// file (the SQL file, which a refusal points into, takes none).
func (r *Release) TopLevel() string {
	if f := r.DeclFile(); f != "" {
		return fmt.Sprintf("at the top level of %s (the declarations file beside %s)", f, r.File)
	}
	return "at the top level of the file"
}

// WherePart is where an index, foreign key or check of a table is
// declared, for messages; where the table is when that is not known.
func (r *Release) WherePart(table, name string) string {
	if p, ok := r.Declarations.PartPos(table, name); ok {
		return p.String()
	}
	return Pos{File: r.File}.String()
}

// checkInsertTables checks the tables of a data_migration that inserts
// rows: into a table of this release, new in it (its rows are all the
// migration's and the new release's; a rollback drops it) or one the
// previous release has too (Gitea 1.15 added each user's primary email to
// email_address: the rows inserted in migrate stay on a rollback, as the
// rows a set rewrites or a seed row do, since the previous release served
// beside them), from a table of the previous release that this one keeps,
// or drops once contract's gate has seen its rows moved (the rows the
// previous release wrote, and writes until contract).
func (r *Release) checkInsertTables(prev *Release, m *DataMigration) []string {
	var errs []string
	if _, ok := r.Schema.Table(m.Table); !ok {
		errs = append(errs, m.Pos.Errorf("data_migration %q inserts rows into table %q, which release %s does not declare; declare the table, or fix the name", m.Name, m.Table, r.Name).Error())
	}
	switch _, ok := r.Schema.Table(m.From); {
	case strings.EqualFold(m.From, m.Table):
		errs = append(errs, m.Pos.Errorf("data_migration %q inserts into %q rows read from the same table: from names the table read, table the new one the rows go into", m.Name, m.Table).Error())
	case prev == nil:
		errs = append(errs, m.Pos.Errorf("data_migration %q reads table %q, but %s is the first release: there are no rows to move; remove the data_migration", m.Name, m.From, r.Name).Error())
	case !ok:
		if r.movedAway(prev, m.From) != nil {
			// MantisBT 1.2.0a1 moves project_category's rows into the new
			// category table and drops project_category in the same
			// release, Gitea 1.21 deleted_branch's into branch: the table
			// is there while migrate runs, and contract's gate counts its
			// pending rows before its drop.
			break
		}
		errs = append(errs, m.Pos.Errorf("data_migration %q reads table %q (from), which release %s does not declare: from names a table this release keeps (contract's gate counts its pending rows), as this release names it; fix the name", m.Name, m.From, r.Name).Error())
	default:
		if _, ok := prev.Schema.Table(r.oldName(m.From)); !ok {
			errs = append(errs, m.Pos.Errorf("data_migration %q reads table %q (from), which is new in release %s: the previous release wrote no rows of it to move; remove the data_migration, or fix the name", m.Name, m.From, r.Name).Error())
		}
	}
	return errs
}

// movedAway is the previous release's table of that name when this
// release drops it (neither declares nor renames it): a table whose rows a
// data_migration may move (from) before contract drops it. Nil otherwise.
func (r *Release) movedAway(prev *Release, name string) *schema.Table {
	if prev == nil {
		return nil
	}
	if _, ok := r.Schema.Table(name); ok || r.renamedTo(name) != "" {
		return nil
	}
	t, _ := prev.Schema.Table(name)
	return t
}

// renamedTo is the table of the release renamed_from the previous
// release's table of that name; "" when none is.
func (r *Release) renamedTo(old string) string {
	for name, td := range r.Declarations.Tables {
		if td.RenamedFrom == old {
			return name
		}
	}
	return ""
}

// read reads a data_migration block: table, pending, and either set (the
// rows of table are updated) or from and insert (table gets a row for each
// pending row of from).
func (m *DataMigration) read(body *hclsyntax.Body) error {
	missing := func(name string) error {
		return m.Pos.Errorf("data_migration %q needs %s = \"...\" (table: the table to update, or to insert rows into; set: the SET list, e.g. \"meta = JSON_REMOVE(meta, '$.old')\"; or from and insert: the table read and the new row's columns set from its row, e.g. from = \"user\", insert = \"login = login, password = token_auth\"; pending: a predicate true for rows not yet migrated; or, for rows declared as they are, table and a row block for each, its attributes the row's columns: row { id = 1 }; or, to delete rows (duplicates before a unique key), table and delete = \"<predicate>\" alone)", m.Name, name)
	}
	if a, ok := body.Attributes["rows"]; ok {
		// The list form reads well, but Atlas's HCL, which evaluates every
		// attribute of the file, refuses a list whose rows give other
		// columns, or null where another row has a string.
		return project.PosOf(a.NameRange).Errorf("data_migration %q: rows are declared as row blocks, one a row, the row's columns its attributes (a list, rows = [...], is refused by Atlas's HCL as soon as two rows differ in their columns or in a value's type), e.g.\n  row {\n    id   = 1\n    name = \"General\"\n  }", m.Name)
	}
	if len(body.Blocks) > 0 {
		return m.readSeed(body, missing)
	}
	if a, ok := body.Attributes["delete"]; ok {
		for _, other := range []string{"set", "from", "insert", "pending"} {
			if o, ok := body.Attributes[other]; ok {
				return project.PosOf(o.NameRange).Errorf("data_migration %q has delete and also %s: delete removes the rows its predicate selects, in contract (its predicate is what is pending), while set updates rows and from and insert copy them; keep one form (a second data_migration takes the other)", m.Name, other)
			}
		}
		if err := readStrings(body, []string{"table"}, []*string{&m.Table}, missing); err != nil {
			return err
		}
		v, err := stringAttr(a)
		if err == nil && sqlsyntax.Blank(v) {
			// Read as no delete at all, the block went on as a set form
			// with no set, and planning crashed; a comment alone said the
			// expression ended too early.
			err = project.PosOf(a.Expr.Range()).Errorf("data_migration %q: delete is empty (nothing but blanks or comments): give the predicate selecting the rows to delete, e.g. delete = \"id NOT IN (SELECT MIN(id) FROM t GROUP BY k)\", or remove the data_migration", m.Name)
		}
		m.Delete = v
		return err
	}
	if err := readStrings(body, []string{"table", "pending"}, []*string{&m.Table, &m.Pending}, missing); err != nil {
		return err
	}
	_, set := body.Attributes["set"]
	_, from := body.Attributes["from"]
	_, insert := body.Attributes["insert"]
	switch {
	case set && (from || insert):
		return m.Pos.Errorf("data_migration %q has set and also from or insert: set updates the rows of its table, from and insert add rows to it from another table's; keep one form", m.Name)
	case set:
		return readStrings(body, []string{"set"}, []*string{&m.Set}, missing)
	case from || insert:
		return readStrings(body, []string{"from", "insert"}, []*string{&m.From, &m.Insert}, missing)
	}
	return missing("set")
}

// readStrings reads the string attributes a block must have, names[i]
// into dst[i]; missing is the error for the first one it lacks.
func readStrings(body *hclsyntax.Body, names []string, dst []*string, missing func(name string) error) error {
	for i, name := range names {
		a, ok := body.Attributes[name]
		if !ok {
			return missing(name)
		}
		v, err := stringAttr(a)
		if err != nil {
			return err
		}
		*dst[i] = v
	}
	return nil
}
