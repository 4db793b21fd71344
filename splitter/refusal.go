package splitter

import (
	"cmp"
	"errors"
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
)

// refusal explains a change no rule claims: what it is, where it is
// declared, and what would let emcee plan it.
func refusal(tr *diff.Transition, ch *Change) error {
	t := ch.Table.Name
	if msg, ok := specificRefusal(tr, ch); ok {
		return errors.New(msg)
	}
	if c, ok := ch.Change.(*schema.AddColumn); ok {
		// The only AddColumn no rule claims: NOT NULL, no default, no fill.
		pos, _ := tr.To.Declarations.PosOf(t, c.C.Name)
		pos.File = cmp.Or(pos.File, tr.To.File)
		// A release declared as SQL gives the default in its SQL, and
		// fill in its declarations file.
		dflt := "Add `default = ...` to the column"
		if tr.To.DeclFile != "" {
			dflt = "Add `DEFAULT ...` to its definition in " + tr.To.File
		}
		return &diff.Problem{Kind: diff.NotNullWithoutDefault, Pos: pos, Msg: fmt.Sprintf("%s.%s is a new NOT NULL column without a default: the previous release's code would fail to insert rows. %s, or `fill = \"<SQL expression>\"`%s to compute it for existing rows and for rows the previous release writes (rule add-column-fill)", t, c.C.Name, dflt, tr.To.BlockIn(t, c.C.Name))}
	}
	return fmt.Errorf("%s: table %s: no rule for %s; emcee will not guess its phase. Split the change into supported steps (see the rule table in README.md)", tr.To.Where(t, ""), t, describe(ch.Change))
}

func describe(c schema.Change) string {
	name := changeName(c)
	switch c := c.(type) {
	case *schema.AddIndex:
		return fmt.Sprintf("%s %s", name, c.I.Name)
	case *schema.DropIndex:
		return fmt.Sprintf("%s %s", name, c.I.Name)
	case *schema.ModifyIndex:
		return fmt.Sprintf("%s %s", name, c.From.Name)
	case *schema.AddForeignKey:
		return fmt.Sprintf("%s %s", name, c.F.Symbol)
	case *schema.AddCheck:
		return fmt.Sprintf("%s %s", name, c.C.Name)
	case *schema.ModifyAttr, *schema.AddAttr, *schema.DropAttr:
		return fmt.Sprintf("%s (table option)", name)
	}
	return name
}

func describeColumnChange(k schema.ChangeKind) string {
	return describeKinds(k, []kindName{
		{schema.ChangeType, "type"}, {schema.ChangeNull, "nullability"}, {schema.ChangeDefault, "default"},
		{schema.ChangeComment, "comment"}, {schema.ChangeCharset, "charset"}, {schema.ChangeCollate, "collation"},
		{schema.ChangeAttr, "attributes"}, {schema.ChangeGenerated, "generated expression"},
	}, "")
}
