package diff

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/emcee-db/emcee/project"
)

// blockSpec lists what a block may hold. Atlas accepts any attribute and
// drops the ones it does not know, so a typo such as `nul = true` would
// silently change the schema; emcee checks every name against this table.
type blockSpec struct {
	attrs  []string
	blocks map[string]*blockSpec
	labels int
	// columns marks a block whose attributes are the columns of a table
	// (a data_migration's row): any name, checked against the table later.
	columns bool
}

var (
	replacesSpec = &blockSpec{attrs: []string{"column", "forward", "backward"}}
	asSpec       = &blockSpec{attrs: []string{"expr", "type"}}
	columnSpec   = &blockSpec{
		labels: 1,
		attrs:  []string{"type", "null", "default", "comment", "charset", "collate", "collation", "auto_increment", "on_update", "unsigned", "as", "renamed_from", "fill", "allow_copy"},
		blocks: map[string]*blockSpec{"as": asSpec, "replaces": replacesSpec},
	}
	partSpec  = &blockSpec{attrs: []string{"column", "expr", "desc", "prefix"}}
	tableSpec = &blockSpec{
		labels: 1,
		attrs:  []string{"schema", "comment", "charset", "collate", "collation", "engine", "auto_increment", "renamed_from"},
		blocks: map[string]*blockSpec{
			"column":      columnSpec,
			"primary_key": {attrs: []string{"columns", "type", "comment"}, blocks: map[string]*blockSpec{"on": partSpec}},
			"index":       {labels: 1, attrs: []string{"columns", "unique", "type", "comment", "parser", "renamed_from"}, blocks: map[string]*blockSpec{"on": partSpec}},
			"foreign_key": {labels: 1, attrs: []string{"columns", "ref_columns", "on_update", "on_delete"}},
			"check":       {labels: 1, attrs: []string{"expr", "enforced", "comment"}},
		},
	}
	fileSpec = &blockSpec{blocks: map[string]*blockSpec{
		"schema":         {labels: 1, attrs: []string{"charset", "collate", "collation", "comment"}},
		"table":          tableSpec,
		"data_migration": {labels: 1, attrs: []string{"table", "set", "from", "insert", "pending", "delete", "rows"}, blocks: map[string]*blockSpec{"row": {columns: true}}},
		"discard":        {attrs: []string{"table", "column"}},
		// A stored function of the database that expressions may call.
		"stored_function": {labels: 1},
	}}
)

// TopLevel tells a block a release file holds at its top level (a
// table, a data_migration, a discard) from one that belongs in a table
// block (a column, an index): the rule table says where each example goes.
func TopLevel(blockType string) bool {
	_, ok := fileSpec.blocks[blockType]
	return ok
}

// validate walks the syntax tree and rejects any attribute or block the
// spec does not know, with its position and the closest known name.
func validate(body *hclsyntax.Body, spec *blockSpec, where string) error {
	var errs []string
	if !spec.columns {
		errs = project.UnknownAttrs(body, spec.attrs, where)
	}
	for _, b := range body.Blocks {
		sub, ok := spec.blocks[b.Type]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: unknown block %q in %s%s", project.PosOf(b.TypeRange), b.Type, where, project.Suggest(b.Type, slices.Sorted(maps.Keys(spec.blocks)))))
			continue
		}
		if len(b.Labels) != sub.labels {
			errs = append(errs, fmt.Sprintf("%s: block %q takes %d label(s), got %d", project.PosOf(b.TypeRange), b.Type, sub.labels, len(b.Labels)))
			continue
		}
		name := b.Type
		if len(b.Labels) > 0 {
			name += " " + strconv.Quote(b.Labels[0])
		}
		if err := validate(b.Body, sub, name); err != nil {
			errs = append(errs, err.Error())
		}
	}
	return JoinLines(errs)
}

// stringAttr reads an attribute that must be a literal string.
func stringAttr(a *hclsyntax.Attribute) (string, error) {
	ea, ok := stringOf(a)
	if t, tmpl := a.Expr.(*hclsyntax.TemplateExpr); !ok && tmpl && !t.IsStringLiteral() {
		// A name holding ${ or %{, written as Go or SQL quotes it.
		return "", fmt.Errorf("%s: %s must be a quoted string, and HCL reads ${ and %%{ in one as a template: write $${ and %%%%{ for the characters themselves", project.PosOf(a.Expr.Range()), a.Name)
	}
	if !ok {
		return "", fmt.Errorf("%s: %s must be a quoted string", project.PosOf(a.Expr.Range()), a.Name)
	}
	return ea.val, nil
}
