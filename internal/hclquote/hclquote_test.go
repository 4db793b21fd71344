package hclquote

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestQuote: what Quote writes evaluates, as an attribute's value and as a
// block's label, to the string it was given, whatever that holds.
func TestQuote(t *testing.T) {
	for _, s := range []string{"plain", "${x}", "%{ if true }a%{ endif }", "$${x}", "a\"b", `a\b`, "line\nbreak", "tab\there", "é中🙂", "\u200b", "\x01", "`back`ticks`", "it's", ""} {
		q := Quote(s)
		src := "a = " + q + "\nb " + q + " {\n}\n"
		f, diags := hclsyntax.ParseConfig([]byte(src), "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Errorf("%q: %s does not parse: %v", s, q, diags)
			continue
		}
		body := f.Body.(*hclsyntax.Body)
		v, diags := body.Attributes["a"].Expr.Value(nil)
		if diags.HasErrors() || v.AsString() != s {
			t.Errorf("%q: %s evaluates to %#v (%v)", s, q, v, diags)
		}
		if got := body.Blocks[0].Labels[0]; got != s {
			t.Errorf("%q: %s as a label reads %q", s, q, got)
		}
	}
}
