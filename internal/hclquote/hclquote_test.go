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

// TestBlock: a block of more than one attribute, or nested, parses as HCL
// and holds exactly the values given, which the one-line form could not.
func TestBlock(t *testing.T) {
	got := Block("  ", [][]string{{"table", "images ${x}"}, {"column", "visibility"}, {"replaces"}}, "column", "is_public", "forward", "CASE WHEN is_public THEN 'public' END", "backward", "visibility = \"public\"")
	want := `  table "images $${x}" {
    column "visibility" {
      replaces {
        column   = "is_public"
        forward  = "CASE WHEN is_public THEN 'public' END"
        backward = "visibility = \"public\""
      }
    }
  }
`
	if got != want {
		t.Fatalf("Block wrote\n%s\nwant\n%s", got, want)
	}
	f, diags := hclsyntax.ParseConfig([]byte(got), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("does not parse: %v", diags)
	}
	table := f.Body.(*hclsyntax.Body).Blocks[0]
	if table.Labels[0] != "images ${x}" {
		t.Errorf("table label reads back as %q", table.Labels[0])
	}
	v, _ := table.Body.Blocks[0].Body.Blocks[0].Body.Attributes["backward"].Expr.Value(nil)
	if v.AsString() != `visibility = "public"` {
		t.Errorf("backward reads back as %q", v.AsString())
	}
	if got := Block("", [][]string{{"discard"}}, "table", "images", "column", "is_public"); got != "discard {\n  table  = \"images\"\n  column = \"is_public\"\n}\n" {
		t.Errorf("discard: %q", got)
	}
}
