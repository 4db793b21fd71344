package hclquote

import (
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Attr is one string attribute of a Block.
type Attr struct {
	Name, Value string
}

// Block is a block of string attributes for a person to paste into a
// release file (`replaces { ... }`, `discard { ... }`, `data_migration
// "x" { ... }`), as hclwrite formats it: one attribute a line, since HCL
// refuses a single-line block of more than one ("Single-line block syntax
// can include only one argument definition"), labels and values quoted as
// Quote quotes them. It ends without a newline.
func Block(typ string, labels []string, attrs ...Attr) string {
	f := hclwrite.NewEmptyFile()
	b := f.Body().AppendNewBlock(typ, labels).Body()
	for _, a := range attrs {
		b.SetAttributeValue(a.Name, cty.StringVal(a.Value))
	}
	return strings.TrimSuffix(string(hclwrite.Format(f.Bytes())), "\n")
}
