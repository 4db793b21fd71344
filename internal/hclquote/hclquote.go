// Package hclquote writes a value as an HCL quoted string for a person to
// paste into a release file: the advice of a refusal (`renamed_from =
// "..."`, `discard { table = "..." }`) and a block's label. Go's %q is not
// that: HCL reads `${` and `%{` in a quoted string as a template (a name
// holding them is refused, or read as another name), and spells other
// characters otherwise.
package hclquote

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Quote is s as an HCL quoted string that evaluates to exactly s, written
// by hclwrite as emcee writes release files (schemadef.Marshal).
func Quote(s string) string {
	return string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
}

// Block is a block for a person to paste into a release file, as hclwrite
// formats it (one attribute a line, the = aligned), every line after
// indent and ending in a newline. HCL's one-line form takes one attribute
// at most and no nested block: advice written `discard { table = "t",
// column = "c" }` or `replaces { column = "a", forward = ... }` was
// refused when pasted ("Invalid single-argument block definition"). path
// are the blocks, outermost first, each its type then its labels; attrs
// are the innermost block's attributes, name then value (a string or a
// bool), in order.
func Block(indent string, path [][]string, attrs ...any) string {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	for _, b := range path {
		body = body.AppendNewBlock(b[0], b[1:]).Body()
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		name, _ := attrs[i].(string)
		switch v := attrs[i+1].(type) {
		case bool:
			body.SetAttributeValue(name, cty.BoolVal(v))
		default:
			body.SetAttributeValue(name, cty.StringVal(fmt.Sprint(v)))
		}
	}
	var out strings.Builder
	for line := range strings.Lines(string(hclwrite.Format(f.Bytes()))) {
		out.WriteString(indent + line)
	}
	return out.String()
}
