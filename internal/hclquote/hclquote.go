// Package hclquote writes a value as an HCL quoted string for a person to
// paste into a release file: the advice of a refusal (`renamed_from =
// "..."`, `discard { table = "..." }`) and a block's label. Go's %q is not
// that: HCL reads `${` and `%{` in a quoted string as a template (a name
// holding them is refused, or read as another name), and spells other
// characters otherwise.
package hclquote

import (
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Quote is s as an HCL quoted string that evaluates to exactly s, written
// by hclwrite as emcee writes release files (schemadef.Marshal).
func Quote(s string) string {
	return string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
}
