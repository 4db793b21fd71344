// Package hclquote writes a value as an HCL quoted string for a person to
// paste into a release file: the advice of a refusal (`renamed_from =
// "..."`, `discard { table = "..." }`) and a block's label. Go's %q is not
// that: HCL reads `${` and `%{` in a quoted string as a template (a name
// holding them is refused, or read as another name), and spells other
// characters otherwise.
package hclquote

import (
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Quote is s as an HCL quoted string that evaluates to exactly s, written
// by hclwrite as emcee writes release files (schemadef.Marshal).
func Quote(s string) string {
	return string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
}

// Ref is a reference to a block of the release file, kind.name (kind
// "column": column.id), as HCL reads it back: name after a dot when it is
// an HCL identifier, else as an index, kind["name"], as Atlas writes it (a
// column named `c d` or `x%{y}`: column["c d"], column["x%%{y}"]).
func Ref(kind, name string) string {
	if hclsyntax.ValidIdentifier(name) {
		return kind + "." + name
	}
	return kind + "[" + Quote(name) + "]"
}
