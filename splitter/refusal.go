package splitter

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/internal/hclquote"
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
		// A SQL release's default is the SQL's: its declarations file
		// refuses `default = ...`.
		def := "Add `default = ...` to the column"
		if tr.To.DeclFile() != "" {
			def = "Give the column a DEFAULT in its CREATE TABLE"
		}
		return &diff.Problem{Kind: diff.NotNullWithoutDefault, Pos: pos, Msg: fmt.Sprintf("%s.%s is a new NOT NULL column without a default: the previous release's code would fail to insert rows. %s, or `fill = \"<SQL expression>\"` to compute it for existing rows and for rows the previous release writes (rule add-column-fill)%s", t, c.C.Name, def, tr.To.InDeclFile(t, c.C.Name, hclquote.Attr{Name: "fill", Value: "<SQL expression>"}))}
	}
	return fmt.Errorf("%s: %s, and no rule plans that; emcee will not guess its phase. Split the change into supported steps (see the rule table in README.md)", tr.To.Where(t, ""), changeWords(t, ch.Change))
}

func describeColumnChange(k schema.ChangeKind) string {
	return describeKinds(k, []kindName{
		{schema.ChangeType, "type"}, {schema.ChangeNull, "nullability"}, {schema.ChangeDefault, "default"},
		{schema.ChangeComment, "comment"}, {schema.ChangeCharset, "charset"}, {schema.ChangeCollate, "collation"},
		{schema.ChangeAttr, "attributes"}, {schema.ChangeGenerated, "generated expression"},
	}, "")
}

// refused is a change's refusal and the line of the file that declares
// what it changes (math.MaxInt: unknown, after the table's others).
type refused struct {
	err  error
	seq  int
	line int
	// table is the change's table ("" for a change of no table).
	table string
}

func refusedAt(tr *diff.Transition, ch *Change, err error) refused {
	t := ch.Table.Name
	var p diff.Pos
	switch c := ch.Change.(type) {
	case *schema.AddColumn:
		p, _ = tr.To.Declarations.PosOf(t, c.C.Name)
	case *schema.ModifyColumn:
		p, _ = tr.To.Declarations.PosOf(t, c.To.Name)
	case *schema.RenameColumn:
		p, _ = tr.To.Declarations.PosOf(t, c.To.Name)
	case *schema.AddIndex:
		p, _ = tr.To.Declarations.PartPos(t, c.I.Name)
	case *schema.ModifyIndex:
		p, _ = tr.To.Declarations.PartPos(t, c.To.Name)
	case *schema.RenameIndex:
		p, _ = tr.To.Declarations.PartPos(t, c.To.Name)
	case *schema.AddForeignKey:
		p, _ = tr.To.Declarations.PartPos(t, c.F.Symbol)
	case *schema.ModifyForeignKey:
		p, _ = tr.To.Declarations.PartPos(t, c.To.Symbol)
	case *schema.AddCheck:
		p, _ = tr.To.Declarations.PartPos(t, c.C.Name)
	default:
		p, _ = tr.To.Declarations.PosOf(t, "")
	}
	return refused{err: err, seq: ch.seq, line: cmp.Or(p.Line, math.MaxInt), table: t}
}

// inOrder lists the refusals table by table as the changes come, and
// those of one table by the line that declares what each changes: the
// rules' own refusals came first and the changes no rule claims after
// them, so a table's refusals jumped up and down its block (Atlas lists
// a table's changes by kind, not by line). A refusal without a line
// follows the table's others.
func inOrder(changes []*Change, rs []refused) []error {
	first := map[string]int{}
	for _, ch := range changes {
		if _, ok := first[ch.Table.Name]; !ok {
			first[ch.Table.Name] = ch.seq
		}
	}
	slices.SortStableFunc(rs, func(a, b refused) int {
		return cmp.Or(cmp.Compare(first[a.table], first[b.table]), cmp.Compare(a.line, b.line), cmp.Compare(a.seq, b.seq))
	})
	errs := make([]error, len(rs))
	for i, r := range rs {
		errs[i] = r.err
	}
	return errs
}
