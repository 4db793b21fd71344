package schemadef

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Unreferable says why Atlas cannot resolve an HCL reference to a schema,
// table or column of this name (`column["a\"b"]` in a key's columns,
// `table["a\"b"].column.id` in a foreign key's ref_columns), "" when it
// can. Atlas (measured on v1.3.0, schemahcl.addr and Ref.Path) keeps a
// reference as text, the name written with strconv.Quote between
// brackets, and reads the name back from that text without unquoting it:
// it then looks for a column named `a\"b`, which does not exist, and a
// reference it wrote itself (mysql.MarshalHCL) is quoted a second time,
// which HCL evaluation fails on ("Invalid index"). Every character Go's
// strconv.Quote escapes is lost so: the double quote, the backslash and
// the characters it does not print as they are (U+00A0, U+200B ...).
// Names that are HCL identifiers or print unescaped (spaces, dots, `${`,
// `%{`, letters of any script) are resolved.
func Unreferable(name string) string {
	for _, r := range name {
		switch {
		case r == '"':
			return "a double quote"
		case r == '\\':
			return "a backslash"
		case !strconv.IsPrint(r):
			q := strconv.QuoteRune(r)
			return fmt.Sprintf("%U, which Atlas writes as %s", r, q[1:len(q)-1])
		}
	}
	return ""
}

// unquoteReferences undoes the second quoting mysql.MarshalHCL gives the
// name in a reference (`column["a\\\"b"]` for the column a"b: the text
// Ref.Path read out of strconv.Quote's output, quoted again by hclwrite),
// so that the file names what the server has; Unreferable names are
// refused when the file is loaded, at that reference, with the name as it
// is. Every bracketed string after a name in the file is such a reference.
func unquoteReferences(body *hclwrite.Body) {
	for name, a := range body.Attributes() {
		toks := a.Expr().BuildTokens(nil)
		changed := false
		var out hclwrite.Tokens
		for i := 0; i < len(toks); i++ {
			if i+4 < len(toks) && toks[i].Type == hclsyntax.TokenIdent && toks[i+1].Type == hclsyntax.TokenOBrack &&
				toks[i+2].Type == hclsyntax.TokenOQuote && toks[i+3].Type == hclsyntax.TokenQuotedLit && toks[i+4].Type == hclsyntax.TokenCQuote {
				if name, ok := atlasRefName(toks[i+3].Bytes); ok {
					out = append(out, toks[i], toks[i+1])
					out = append(out, hclwrite.TokensForValue(cty.StringVal(name))...)
					i += 4
					changed = true
					continue
				}
			}
			out = append(out, toks[i])
		}
		if changed {
			body.SetAttributeRaw(name, out)
		}
	}
	for _, b := range body.Blocks() {
		unquoteReferences(b.Body())
	}
}

// atlasRefName is the name a reference's quoted text stands for: the HCL
// string, then the Go quoting Atlas put inside it.
func atlasRefName(lit []byte) (string, bool) {
	e, diags := hclsyntax.ParseExpression([]byte(`"`+string(lit)+`"`), "", hcl.InitialPos)
	if diags.HasErrors() {
		return "", false
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.Type().Equals(cty.String) || !v.IsKnown() || v.IsNull() {
		return "", false
	}
	name, err := strconv.Unquote(`"` + v.AsString() + `"`)
	return name, err == nil
}
