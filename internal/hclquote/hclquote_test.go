package hclquote

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
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

// TestBlock: a block Block writes parses as HCL (a single-line block of
// several attributes does not), and its labels and attributes read back
// as given, whatever they hold.
func TestBlock(t *testing.T) {
	hostile := []string{"plain", "${x}", "%{ if true }a%{ endif }", "a\"b", `a\b`, "line\nbreak", "é中🙂", "`back`ticks`", "it's", ""}
	for _, s := range hostile {
		src := Block("", [][]string{{"data_migration", s}}, Attr{"table", s}, Attr{"set", "x = " + s}, Attr{"pending", s})
		f, diags := hclsyntax.ParseConfig([]byte(src+"\n"), "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Errorf("%q: does not parse: %v\n%s", s, diags, src)
			continue
		}
		blocks := f.Body.(*hclsyntax.Body).Blocks
		if len(blocks) != 1 || blocks[0].Type != "data_migration" || len(blocks[0].Labels) != 1 || blocks[0].Labels[0] != s {
			t.Errorf("%q: reads back as %#v:\n%s", s, blocks, src)
			continue
		}
		for name, want := range map[string]string{"table": s, "set": "x = " + s, "pending": s} {
			v, diags := blocks[0].Body.Attributes[name].Expr.Value(nil)
			if diags.HasErrors() || v.AsString() != want {
				t.Errorf("%q: %s reads %#v (%v):\n%s", s, name, v, diags, src)
			}
		}
	}
	want := "discard {\n  table  = \"t\"\n  column = \"c\"\n}"
	if got := Block("", [][]string{{"discard"}}, Attr{"table", "t"}, Attr{"column", "c"}); got != want {
		t.Errorf("Block wrote\n%s\nwant\n%s", got, want)
	}
	// Nested, indented, a bool: a SQL release's declarations file takes a
	// column's attributes inside its table and column blocks.
	got := Block("  ", [][]string{{"table", "images ${x}"}, {"column", "visibility"}}, Attr{"allow_copy", true}, Attr{"fill", "it's"})
	want = "  table \"images $${x}\" {\n    column \"visibility\" {\n      allow_copy = true\n      fill       = \"it's\"\n    }\n  }"
	if got != want {
		t.Fatalf("Block wrote\n%s\nwant\n%s", got, want)
	}
	f, diags := hclsyntax.ParseConfig([]byte(got), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("does not parse: %v\n%s", diags, got)
	}
	table := f.Body.(*hclsyntax.Body).Blocks[0]
	if table.Labels[0] != "images ${x}" {
		t.Errorf("table label reads back as %q", table.Labels[0])
	}
	if v, _ := table.Body.Blocks[0].Body.Attributes["allow_copy"].Expr.Value(nil); !v.True() {
		t.Errorf("allow_copy reads back as %#v", v)
	}
}

// TestRef: a reference Ref writes parses, and evaluates, among blocks of
// the kind, to the one of exactly the name, whatever it holds.
func TestRef(t *testing.T) {
	for _, name := range []string{"id", "order-id", "c d", "x%{y}", "${x}", "1abc", "é", "a\"b", "a.b", "line\nbreak"} {
		ref := Ref("column", name)
		expr, diags := hclsyntax.ParseExpression([]byte(ref), "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Errorf("%q: %s does not parse: %v", name, ref, diags)
			continue
		}
		ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"column": cty.ObjectVal(map[string]cty.Value{name: cty.StringVal("it"), name + "x": cty.StringVal("another")})}}
		if v, diags := expr.Value(ctx); diags.HasErrors() || v.AsString() != "it" {
			t.Errorf("%q: %s reads %#v (%v)", name, ref, v, diags)
		}
	}
}
