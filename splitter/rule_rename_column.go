package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A rename is a replacement whose conversions are the identity. RENAME
// COLUMN itself would break the previous release at once, so the new name
// is added beside the old one and triggers copy each write across until
// contract drops the old name.
func init() {
	register(&Rule{
		Name:     "rename-column",
		Priority: -50,
		Doc: RuleDoc{
			Change:   "rename a column (declared: renamed_from)",
			Phases:   "expand: add new column NULL, placeholder default on the old one if NOT NULL without default (instant), a new type or charset the old one's values fit (a widening) given to the old column too, its name, nullability, default and comment kept (instant where the server can; a copy requires allow_copy = true; bool -> int, an old column under a foreign key or read by a generated column, refused), copy triggers; migrate: batched copy; contract: drop triggers, drop old column, tighten new",
			Gate:     "no row with the new column NULL (NOT NULL columns), or none the copy has not reached",
			Rollback: "drop the triggers, then the new column (INSTANT; the triggers kept the old one in step); the old column's placeholder default goes (INSTANT), or, made NULL instead, it is NOT NULL again in place behind a gate counting the rows left NULL; an old column widened gets its type back by a table copy behind a gate counting the rows it cannot hold (as widen-column's rollback), a charset conversion refuses the rollback",
			Example: `column "display_name" {
  type         = varchar(100)
  renamed_from = "name"
}`,
		},
		Match: func(c *Change) bool { d := syncDecl(c); return d != nil && d.RenamedFrom != "" },
		Split: splits(func(c *Change, add *schema.AddColumn) ([]Step, error) {
			d := c.ctx.Decl(c.Table.Name, add.C.Name)
			claimOldDrop(c, d.RenamedFrom)
			// The copy trigger stores what the previous release writes in
			// the new column from expand on: a type that does not hold each
			// such value fails that release's insert (error 1406 under the
			// strict mode the trigger was created in), and migrate's copy
			// of the rows holding one (osTicket 1.10's ticket_event.staff,
			// varchar(255), renamed username, varchar(128)).
			if old, ok := c.FromTable.Column(d.RenamedFrom); ok && !sameType(old.Type.Type, add.C.Type.Type) && !Widens(c.ctx.Target, old, add.C, schema.ChangeType) {
				from, to := schemadef.TypeName(old.Type), schemadef.TypeName(add.C.Type)
				return nil, fmt.Errorf("%s: %s.%s is %s renamed, and its type changes from %s to %s, which does not hold every value of %s: from expand on, the trigger copying the previous release's writes into %s would refuse such a value, failing that release's insert or update, and migrate's copy would stop at the rows holding one. Rename it in this release keeping type = %s, and change the type in the next release (rule tighten-column: contract checks the rows first, behind a gate)",
					d.Pos, c.Table.Name, add.C.Name, d.RenamedFrom, from, to, from, add.C.Name, from)
			}
			// So does a charset that lacks a character of the old one's
			// (error 1366): utf8mb4 renamed into latin1 fails the previous
			// release's insert of a CJK name or an emoji.
			if old, ok := c.FromTable.Column(d.RenamedFrom); ok && schemadef.Textual(old.Type.Type) && schemadef.Textual(add.C.Type.Type) {
				from, _ := schemadef.Effective(c.ctx.Target, c.FromTable, old)
				to, _ := schemadef.Effective(c.ctx.Target, c.Table, add.C)
				if from != to && !slices.Contains(lossless[from], to) {
					return nil, fmt.Errorf("%s: %s.%s is %s renamed, and its charset changes from %s to %s, which lacks characters of %s: from expand on, the trigger copying the previous release's writes into %s would refuse a value holding one (error 1366), failing that release's insert or update, and migrate's copy would stop at the rows holding one. Rename it keeping its charset (charset = %q on it), or declare %s with a replaces block (column = %q) whose forward converts the values as you choose",
						d.Pos, c.Table.Name, add.C.Name, d.RenamedFrom, from, to, from, add.C.Name, from, add.C.Name, d.RenamedFrom)
				}
			}
			return syncSteps(c, fmt.Sprintf("%s.%s is %s renamed (declared at %s)", c.Table.Name, add.C.Name, d.RenamedFrom, d.Pos))
		}),
	})
}

// widenRenamed widens the column a rename takes over to the new column's
// type and charset, its name, nullability, default and comment kept, in
// expand before the triggers exist (with the placeholder default or NULL
// keepOptional would give it). Until contract the trigger copies each
// write of the new release into it, and a value only the new type holds (a
// longer string, a bigger number, a character of the new charset) failed
// that write (error 1406, 1264 or 1366 under strict mode) or was cut
// without one. The previous release then reads the new release's values
// as written. The rollback narrows it back behind a gate counting the
// rows that no longer fit (restoreColumn); a charset is not moved back
// (refused).
func (c *Change) widenRenamed(s *syncCol) ([]Step, error) {
	d := c.ctx.Decl(c.Table.Name, s.col.Name)
	if s.old == nil || d.RenamedFrom == "" {
		return nil, nil
	}
	w, kind := *s.old, schema.NoChange
	fromCS, _ := schemadef.Effective(c.ctx.Target, c.FromTable, s.old)
	if toCS, _ := schemadef.Effective(c.ctx.Target, c.Table, s.col); schemadef.Textual(s.old.Type.Type) && fromCS != toCS {
		w, kind = *converted(s.old, s.col), schema.ChangeCharset|schema.ChangeCollate
	}
	t := *s.old.Type
	if !sameType(t.Type, s.col.Type.Type) && !displayOnly(t.Type, s.col.Type.Type) {
		if _, ok := t.Type.(*schema.BoolType); ok {
			// Drivers read TINYINT(1) as a boolean, and any other
			// integer as a number.
			return nil, fmt.Errorf("%s: %s.%s is %s renamed, and its type changes from bool to %s: until contract the trigger copies the new release's writes into %s, which would have to become %s to hold them, and code of the previous release reading it as a boolean would read numbers. Rename it keeping type = bool in this release and widen it in the next (rule widen-column), or declare %s with a replaces block (column = %q) whose backward gives %s a boolean",
				d.Pos, c.Table.Name, s.col.Name, s.old.Name, schemadef.TypeName(s.col.Type), s.old.Name, schemadef.TypeName(s.col.Type), s.col.Name, s.old.Name, s.old.Name)
		}
		t.Type, t.Raw, kind = s.col.Type.Type, s.col.Type.Raw, kind|schema.ChangeType
	}
	if kind == schema.NoChange {
		return nil, nil
	}
	widens := describeColumnChange(kind)
	why := fmt.Sprintf("%s.%s is %s renamed (declared at %s) and widens (%s): the triggers copy each write of the new release into %s, which the previous release reads until contract, so %s takes the new %s first, keeping its name, nullability, default and comment", c.Table.Name, s.col.Name, s.old.Name, d.Pos, widens, s.old.Name, s.old.Name, widens)
	switch {
	case s.relaxedOld:
		t.Null, kind = true, kind|schema.ChangeNull
		why += "; it accepts NULL too, for the rows the new release inserts without it (no placeholder default can mark them)"
	case s.placeholder != "":
		w.Default, kind = c.ctx.placeholderDefault(t.Type, s.placeholder), kind|schema.ChangeDefault
		why += fmt.Sprintf("; it gets the placeholder default %s until contract drops it, for the rows the new release inserts without it%s", s.placeholder, s.marksWhy())
	}
	w.Type = &t
	for _, g := range c.FromTable.Columns {
		gen, ok := schemadef.Attr[*schema.GeneratedExpr](g.Attrs)
		if !ok {
			continue
		}
		// An expression emcee cannot read counts as reading it.
		if e, err := sqlsyntax.ParseExpr(gen.Expr, sqlsyntax.PerRow); err != nil || slices.Contains(columnsIn(c.FromTable, e), s.old.Name) {
			return nil, fmt.Errorf("%s: %s.%s is %s renamed and widens (%s), which %s must do too until contract, and generated column %s of the previous release, of type %s, reads it (%s): the server computes %s from each value the triggers copy into %s, and refuses the new release's write of one it does not hold (error 1406), from expand until contract drops %s. Rename it keeping its type and charset in this release and widen it in the next (rule widen-column)",
				d.Pos, c.Table.Name, s.col.Name, s.old.Name, widens, s.old.Name, g.Name, schemadef.TypeName(g.Type), gen.Expr, g.Name, s.old.Name, g.Name)
		}
	}
	if keys := c.foreignKeysUsing(s.old.Name, false); len(keys) > 0 && c.ctx.Target.MariaDB() && !enumAppended(s.old.Type.Type, t.Type) {
		return nil, fmt.Errorf("%s: %s.%s is %s renamed and widens (%s), which %s must do too until contract, and it is a column of foreign key %s in the previous release: %s; or rename it keeping its type and charset",
			d.Pos, c.Table.Name, s.col.Name, s.old.Name, widens, s.old.Name, strings.Join(keys, ", "), underForeignKey)
	}
	return c.widenSteps(&schema.ModifyColumn{From: s.old, To: &w, Change: kind}, why, "the widening for the new release's writes", func(cost string) (string, error) {
		return c.requireOptIn(cost, fmt.Sprintf("the widening of %s (its name in the previous release) to hold the new release's writes", s.old.Name),
			"or rename it keeping its type and charset in this release and change them in the next", s.col.Name)
	})
}
