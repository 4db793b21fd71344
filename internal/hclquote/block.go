package hclquote

import (
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Attr is one attribute of a Block: its value a string or a bool.
type Attr struct {
	Name  string
	Value any
}

// Block is a block for a person to paste into a release file (`replaces {
// ... }`, `discard { ... }`, `data_migration "x" { ... }`, a column's
// `allow_copy` inside its table and column blocks), as hclwrite formats
// it: one attribute a line, since HCL refuses a single-line block of more
// than one ("Single-line block syntax can include only one argument
// definition") or a nested one, labels and values quoted as Quote quotes
// them. path are the blocks, outermost first, each its type then its
// labels; attrs go in the innermost. Every line starts with indent; the
// last ends without a newline.
func Block(indent string, path [][]string, attrs ...Attr) string {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	for _, b := range path {
		body = body.AppendNewBlock(b[0], b[1:]).Body()
	}
	for _, a := range attrs {
		switch v := a.Value.(type) {
		case bool:
			body.SetAttributeValue(a.Name, cty.BoolVal(v))
		case string:
			body.SetAttributeValue(a.Name, cty.StringVal(v))
		default:
			panic("hclquote.Block: attribute " + a.Name + " is neither a string nor a bool")
		}
	}
	var out strings.Builder
	for line := range strings.Lines(string(hclwrite.Format(f.Bytes()))) {
		out.WriteString(indent + line)
	}
	return strings.TrimSuffix(out.String(), "\n")
}
