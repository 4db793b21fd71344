package diff

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"ariga.io/atlas/sql/schema"
	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// readDiscard reads `discard { table = "t", column = "c" }`.
func (d *Declarations) readDiscard(b *hclsyntax.Block) error {
	x := &Discard{Pos: project.PosOf(b.TypeRange)}
	a, ok := b.Body.Attributes["table"]
	if !ok {
		return x.Pos.Errorf("discard needs table = \"...\" (the table of the previous release whose data, or whose column's data, this release drops) and, for a column, column = \"...\"")
	}
	var err error
	if x.Table, err = stringAttr(a); err != nil {
		return err
	}
	if a, ok := b.Body.Attributes["column"]; ok {
		if x.Column, err = stringAttr(a); err != nil {
			return err
		}
	}
	if first := d.Discarded(x.Table, x.Column); first != nil {
		return x.Pos.Errorf("%s is discarded twice (first at %s); remove one", x, first.Pos)
	}
	d.Discards = append(d.Discards, x)
	return nil
}

// checkDiscards validates discard declarations against the previous
// release: what they name must exist there and be gone in this release,
// and must not also be taken over by a replacement or rename.
func (r *Release) checkDiscards(prev *Release) []string {
	var errs []string
	add := func(err error) { errs = append(errs, err.Error()) }
	for _, x := range r.Declarations.Discards {
		if prev == nil {
			add(x.Pos.Errorf("discard of %s, but %s is the first release: there is nothing to discard", x, r.Name))
			continue
		}
		if x.Column == "" {
			if _, ok := prev.Schema.Table(x.Table); !ok {
				add(x.Pos.Errorf("discard of table %s, but release %s has no such table (%s); remove the declaration if it belongs to an older release", x.Table, prev.Name, prev.File))
				continue
			}
			if _, still := r.Schema.Table(x.Table); still {
				add(x.Pos.Errorf("discard of table %s, but release %s still declares it; remove its table block to drop it, or remove the declaration", x.Table, r.Name))
			}
			for _, name := range slices.Sorted(maps.Keys(r.Declarations.Tables)) {
				if r.Declarations.Tables[name].RenamedFrom == x.Table {
					add(x.Pos.Errorf("discard of table %s, but table %s is renamed_from it, which keeps its rows; remove one of the two", x.Table, name))
				}
			}
			continue
		}
		oldT, ok := prev.Schema.Table(r.oldName(x.Table))
		if !ok {
			add(x.Pos.Errorf("discard of %s, but release %s has no table %s (%s); remove the declaration if it belongs to an older release", x, prev.Name, r.oldName(x.Table), prev.File))
			continue
		}
		if _, ok := oldT.Column(x.Column); !ok {
			add(x.Pos.Errorf("discard of %s, but table %s of release %s has no such column (%s); remove the declaration if it belongs to an older release", x, oldT.Name, prev.Name, prev.File))
			continue
		}
		if t, ok := r.Schema.Table(x.Table); ok {
			if _, still := t.Column(x.Column); still {
				add(x.Pos.Errorf("discard of %s, but release %s still declares the column; remove its column block to drop it, or remove the declaration", x, r.Name))
			}
		} else {
			add(x.Pos.Errorf("discard of %s, but release %s has no table %s: to drop the whole table, declare this in its place:\n%s", x, r.Name, x.Table, discardBlock(r.oldName(x.Table), "")))
		}
		for _, ref := range sortedRefs(r.Declarations.Columns) {
			if ref.Table == x.Table && r.Declarations.Columns[ref].Source() == x.Column {
				add(x.Pos.Errorf("discard of %s, but %s takes over from it (replaces or renamed_from), which keeps its data; remove one of the two", x, ref))
			}
		}
	}
	return errs
}

// CheckLosses refuses a transition that drops a column of a table and adds
// a column to it, or drops a table and creates one, unless each drop is
// declared: taken over (replaces, renamed_from) or discarded. A forgotten
// replaces would otherwise plan as drop + add: every row would get the
// new column's default, and rows the new release writes would leave the
// old column empty for the previous release. So is a column dropped while
// another table gains a column of the same name (a new table, or a column
// added): the values probably move there, and contract would drop them
// before anything copied them. A drop alone is not refused: there is
// nothing it could have been meant to become.
func CheckLosses(tr *Transition) error {
	to := tr.To
	errs := recased(tr)
	var created, dropped []*schema.Table
	var lost []ColumnRef                // dropped columns nothing declares
	var reported = map[ColumnRef]bool{} // lost columns refused as drop + add already
	gained := map[string][]ColumnRef{}  // lower-cased column name -> new columns of that name
	for _, c := range tr.Changes {
		switch c := c.(type) {
		case *schema.AddTable:
			created = append(created, c.T)
			for _, col := range c.T.Columns {
				gained[strings.ToLower(col.Name)] = append(gained[strings.ToLower(col.Name)], ColumnRef{Table: c.T.Name, Column: col.Name})
			}
		case *schema.DropTable:
			dropped = append(dropped, c.T)
		case *schema.ModifyTable:
			var adds, drops []string
			for _, cc := range c.Changes {
				switch cc := cc.(type) {
				case *schema.AddColumn:
					if to.Declarations.Columns[ColumnRef{Table: c.T.Name, Column: cc.C.Name}].Source() == "" {
						adds = append(adds, cc.C.Name)
						gained[strings.ToLower(cc.C.Name)] = append(gained[strings.ToLower(cc.C.Name)], ColumnRef{Table: c.T.Name, Column: cc.C.Name})
					}
				case *schema.DropColumn:
					if to.Declarations.TakenOver(c.T.Name, cc.C.Name) == nil && to.Declarations.Discarded(c.T.Name, cc.C.Name) == nil && to.Declarations.MovedBy(c.T.Name, cc.C.Name) == nil {
						drops = append(drops, cc.C.Name)
						lost = append(lost, ColumnRef{Table: c.T.Name, Column: cc.C.Name})
					}
				}
			}
			if len(adds) == 0 {
				continue
			}
			for _, d := range drops {
				reported[ColumnRef{Table: c.T.Name, Column: d}] = true
				if sqlname.IsOneOf(d, adds...) {
					continue // re-cased: recased refuses it
				}
				succ, moved := likeliestSuccessor(d, adds), ""
				if m, col := to.Declarations.setFrom(c.T.Name, d, adds); m != nil {
					// LimeSurvey 1.92's DBVersion 145 drops surveys.notification
					// and sets emailnotificationto from it (a data_migration):
					// the refusal named savetimings, the first added column.
					succ, moved = col, fmt.Sprintf("data_migration %q (at %s) sets %s from %s: if that is how its values move, or", m.Name, m.Pos, col, d)
				}
				errs = append(errs, &Problem{Kind: UndeclaredLoss, Pos: posOrFile(to, c.T.Name, succ), Msg: to.lossAdvice(c.T.Name, d, succ, moved, adds)})
			}
		}
	}
	for _, l := range lost {
		var gs []ColumnRef
		for _, g := range gained[strings.ToLower(l.Column)] {
			if g.Table != l.Table {
				gs = append(gs, g)
			}
		}
		if len(gs) > 0 && !reported[l] {
			g, others := likeliestMove(l, gs)
			also := ""
			if len(others) > 0 {
				also = " (also gained: " + joinRefs(others) + ")"
			}
			if slices.ContainsFunc(created, func(t *schema.Table) bool { return t.Name == g.Table }) {
				errs = append(errs, &Problem{Kind: UndeclaredLoss, Pos: posOrFile(to, g.Table, g.Column), Msg: to.movedAdvice(l, g, also)})
				continue
			}
			errs = append(errs, &Problem{Kind: UndeclaredLoss, Pos: posOrFile(to, g.Table, g.Column), Msg: fmt.Sprintf(
				"release %s drops %s and gives %s a column of the same name, %s%s: its values probably move there, but contract drops %s and nothing copies them. If they move, copy them before contract (a data_migration on %s whose set reads %s, e.g. `set = %s`, for rows that exist by then) and declare the discard below, %s, to say the old column may go; if they may be lost, declare the discard alone:\n%s",
				to.Name, l, g.Table, g, also, l, g.Table, l, hclquote.Quote(sqlsyntax.Ident(g.Column)+" = (SELECT ... FROM "+sqlsyntax.Ident(l.Table)+" WHERE ...)"), to.TopLevel(), discardBlock(l.Table, l.Column))})
		}
	}
	if len(created) > 0 {
		names := make([]string, len(created))
		columns := make([]map[string]bool, len(created))
		for i, c := range created {
			names[i] = c.Name
			columns[i] = map[string]bool{}
			for _, col := range c.Columns {
				columns[i][strings.ToLower(col.Name)] = true
			}
		}
		// A release that renames every table (a new prefix) is refused
		// once per table: each refusal names a few of the created ones.
		names = sqlsyntax.Some(names, 5)
		for _, d := range dropped {
			if to.Declarations.Discarded(d.Name, "") == nil && len(to.Declarations.RowsMovedBy(d.Name)) == 0 {
				like := likeliestRename(d, created, columns)
				rename := fmt.Sprintf("declare `renamed_from = %s` in table %s", hclquote.Quote(d.Name), like)
				if f := to.DeclFile(); f != "" {
					// A SQL release's CREATE TABLE has no place for it: the
					// table's block in the declarations file has.
					rename = fmt.Sprintf("declare in %s the table block below (its renamed_from)", f)
				}
				msg := fmt.Sprintf("release %s drops table %s and creates %s: emcee cannot tell a rename from a loss. If %s carries %s's rows, %s; if their values move into rows of another shape (LimeSurvey 1.92's surveys_rights, a row of survey_permissions for each permission), declare a data_migration with from = %s and insert, which moves them in migrate and says that %s goes; if %s's data may be lost, declare the discard below, %s:\n",
					to.Name, d.Name, strings.Join(names, ", "), like, d.Name, rename, hclquote.Quote(d.Name), d.Name, d.Name, to.TopLevel())
				if to.DeclFile() != "" {
					msg += hclquote.Block("    ", [][]string{{"table", like}}, hclquote.Attr{Name: "renamed_from", Value: d.Name}) + "\n"
				}
				errs = append(errs, &Problem{Kind: UndeclaredLoss, Pos: posOrFile(to, like, ""), Msg: msg + discardBlock(d.Name, "")})
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &Refusals{Release: to.Name, Errs: errs}
}

// lossAdvice is the refusal of column dropped from table while the table
// gains the columns added: the ways out as blocks to paste, for the added
// column to, the likeliest successor of the dropped one (Matomo 4.0's
// log_conversion loses visitor_days_since_first and gains
// revenue_shipping, ..., visitor_seconds_since_first: the refusal offered
// the first of them). A release declared as SQL has no column block: the
// replacement goes in its declarations file, inside the table and column
// blocks that file holds.
//
// moved, when a data_migration of the release sets the added column from
// the dropped one, says so, and that the discard then declares the drop.
func (r *Release) lossAdvice(table, dropped, to, moved string, adds []string) string {
	where, path := fmt.Sprintf("in %s's column block", to), [][]string{{"replaces"}}
	if f := r.DeclFile(); f != "" {
		in, p := r.declBlock(table, to, [][]string{{"replaces"}})
		where, path = "in "+f+in, p
	}
	lost := "if"
	if moved != "" {
		lost = moved + " if"
	}
	return fmt.Sprintf("table %s loses column %s and gains %s in release %s: emcee cannot tell a replacement from a loss. If %s carries %s's data, declare it %s, as below when the values change (with the same values, `renamed_from = %s` in place of the replaces block); %s %s's data may be lost, declare the discard below, %s, instead:\n%s\n%s",
		table, dropped, strings.Join(adds, ", "), r.Name, to, dropped, where, hclquote.Quote(dropped), lost, dropped, r.TopLevel(),
		hclquote.Block("    ", path, hclquote.Attr{Name: "column", Value: dropped}, hclquote.Attr{Name: "forward", Value: "..."}, hclquote.Attr{Name: "backward", Value: "..."}),
		discardBlock(table, dropped))
}

// likeliestSuccessor is the added column sharing most words with the
// dropped one, the first added on a tie: visitor_seconds_since_first for
// visitor_days_since_first, and visitorSecondsSinceFirst for
// visitorDaysSinceFirst (an ORM's camelCase names: split at underscores
// alone, the whole name was one word, and the first added was named).
func likeliestSuccessor(dropped string, adds []string) string {
	words := nameWords(dropped)
	best, most := adds[0], 0
	for _, a := range adds {
		n := 0
		for _, w := range nameWords(a) {
			if slices.Contains(words, w) {
				n++
			}
		}
		if n > most {
			best, most = a, n
		}
	}
	return best
}

// nameWords are the words of a column's name, lower-cased: the runs of
// letters and digits between other characters (visitor_days, "visitor
// days"), a camelCase name cut before each capital that follows a small
// letter or a digit, or that starts a word after capitals (HTMLBody: html,
// body).
func nameWords(name string) []string {
	var words []string
	var word []rune
	flush := func() {
		if len(word) > 0 {
			words = append(words, strings.ToLower(string(word)))
			word = word[:0]
		}
	}
	runes := []rune(name)
	for i, r := range runes {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if i > 0 && unicode.IsUpper(r) {
			prev := runes[i-1]
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && i+1 < len(runes) && unicode.IsLower(runes[i+1]) {
				flush()
			}
		}
		word = append(word, r)
	}
	flush()
	return words
}

// likeliestMove is, of the columns of a dropped column's name that other
// tables gain, the one whose table's name shares the longest beginning
// with the dropped column's table (the first of those in the release),
// and the others: Moodle 4.0 drops mdl_question.version while
// mdl_badge gains a version and mdl_question_versions is created with
// one, and the refusal named mdl_badge, the first in the release.
func likeliestMove(lost ColumnRef, gained []ColumnRef) (ColumnRef, []ColumnRef) {
	shared := func(g ColumnRef) int {
		a, b := strings.ToLower(lost.Table), strings.ToLower(g.Table)
		n := 0
		for n < len(a) && n < len(b) && a[n] == b[n] {
			n++
		}
		return n
	}
	best := 0
	for i, g := range gained {
		if shared(g) > shared(gained[best]) {
			best = i
		}
	}
	return gained[best], slices.Delete(slices.Clone(gained), best, best+1)
}

func joinRefs(refs []ColumnRef) string {
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.String()
	}
	return strings.Join(names, ", ")
}

// discardBlock is the discard declaration of a table's column (of the
// whole table when column is ""), as a person pastes it, indented under
// the message.
func discardBlock(table, column string) string {
	attrs := []hclquote.Attr{{Name: "table", Value: table}}
	if column != "" {
		attrs = append(attrs, hclquote.Attr{Name: "column", Value: column})
	}
	return hclquote.Block("    ", [][]string{{"discard"}}, attrs...)
}

// likeliestRename is the created table that has most of the dropped
// table's column names (the first of those in the release), the one the
// refusal names as the rename: Dolibarr 17 renames llx_prelevement_facture
// to llx_prelevement and creates llx_bank_extrafields beside it. columns
// are each created table's column names, lower-cased, built once: a
// release renaming its 600 tables took 10s comparing names pair by pair.
func likeliestRename(gone *schema.Table, created []*schema.Table, columns []map[string]bool) string {
	names := make([]string, len(gone.Columns))
	for i, col := range gone.Columns {
		names[i] = strings.ToLower(col.Name)
	}
	best, most := created[0].Name, -1
	for i, c := range created {
		n := 0
		for _, name := range names {
			if columns[i][name] {
				n++
			}
		}
		if n > most {
			best, most = c.Name, n
		}
	}
	return best
}

func posOrFile(r *Release, table, column string) Pos {
	if p, ok := r.Declarations.PosOf(table, column); ok {
		return p
	}
	return Pos{File: r.File}
}

// movedAdvice is the refusal of a column dropped while a table new in the
// release gains a column of its name: a new table has no rows for a
// data_migration's set to update, so the values move with one that inserts
// its rows from the old table's (which also declares the drop), or are
// discarded.
func (r *Release) movedAdvice(l, g ColumnRef, also string) string {
	col, tbl := sqlsyntax.Ident(l.Column), sqlsyntax.Ident(l.Table)
	move := hclquote.Block("    ", [][]string{{"data_migration", g.Table}},
		hclquote.Attr{Name: "table", Value: g.Table},
		hclquote.Attr{Name: "from", Value: l.Table},
		hclquote.Attr{Name: "insert", Value: sqlsyntax.Ident(g.Column) + " = " + col + ", ..."},
		hclquote.Attr{Name: "pending", Value: col + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + sqlsyntax.Ident(g.Table) + " AS t WHERE t.... = " + tbl + "....)"})
	return fmt.Sprintf("release %s drops %s and creates %s with a column of the same name, %s%s: its values probably move there, but contract drops %s and nothing copies them. If they move, declare %s a data_migration that inserts a row of %s for each row of %s before contract (the other columns in insert, and in pending how a row already moved is found), as below; it also declares that the old column goes. If they may be lost, declare the discard instead:\n%s\n%s",
		r.Name, l, g.Table, g, also, l, r.TopLevel(), g.Table, l.Table, move, discardBlock(l.Table, l.Column))
}
