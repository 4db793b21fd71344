package splitter

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/emcee-db/emcee/diff"
)

// README.md must carry the rule table exactly as the code describes it;
// regenerate it with `go run ./cmd/emcee rules`.
func TestReadmeDocumentsEveryRule(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), RuleTable()) {
		t.Fatalf("README.md's rule table is out of date; replace it with the output of `go run ./cmd/emcee rules`:\n%s", RuleTable())
	}
	for _, r := range rules {
		if r.Doc.Change == "" || r.Doc.Phases == "" || r.Doc.Rollback == "" || r.Doc.Example == "" {
			t.Errorf("rule %s lacks documentation (change, phases, rollback and example are required)", r.Name)
		}
	}
}

// Every rule's example is pasteable: placed where the rule table says
// (ExampleWhere), in a release file that declares the columns and tables
// it names, emcee's release loader takes it. An example written on one
// line with several attributes (`column "owner" { type = varchar(255),
// null = true }`, which HCL refuses) fails here.
func TestRuleExamplesArePasteable(t *testing.T) {
	for _, r := range rules {
		t.Run(r.Name, func(t *testing.T) {
			src := exampleRelease(r.Doc)
			if _, err := diff.Load(diff.Source{Release: "example", File: "schema/example.hcl", Src: []byte(src)}, mariadb1011); err != nil {
				t.Fatalf("the example of rule %s, %s, is refused by the release loader: %v\nthe release file:\n%s", r.Name, r.Doc.ExampleWhere(), err, src)
			}
			formatted := string(hclwrite.Format([]byte(r.Doc.Example)))
			if formatted != r.Doc.Example {
				t.Errorf("the example of rule %s is not laid out as HCL's formatter lays it out; write it as:\n%s", r.Name, formatted)
			}
		})
	}
	// The harness places what it is given: a one-line block of two
	// attributes is refused.
	oneLine := RuleDoc{Example: `column "owner" { type = varchar(255), null = true }`}
	if _, err := diff.Load(diff.Source{Release: "example", File: "schema/example.hcl", Src: []byte(exampleRelease(oneLine))}, mariadb1011); err == nil {
		t.Error("a one-line column block of two attributes was taken: the harness does not place the examples where the loader reads them")
	}
}

// exampleRelease is a release file holding an example where it goes:
// inside table "images" (its columns, primary key and charset those of
// the examples, without the ones the example declares), or after it, with
// table "owners" that a foreign key example references.
func exampleRelease(d RuleDoc) string {
	// An example HCL does not parse declares nothing: the loader names
	// what is wrong with it.
	declared := map[string]bool{}
	if f, diags := hclsyntax.ParseConfig([]byte(d.Example), "example", hcl.InitialPos); !diags.HasErrors() {
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			declared[b.Type+" "+strings.Join(b.Labels, " ")] = true
		}
	}
	columns := []struct{ name, typ string }{
		{"id", "int"}, {"name", "varchar(255)"}, {"owner", "varchar(255)"}, {"owner_id", "int"},
		{"user_id", "int"}, {"cache_key", "varchar(64)"}, {"project_id", "int"},
		{"meta_key", "varchar(255)"}, {"auth_option", "varchar(255)"}, {"is_public", "bool"}, {"meta", "json"}, {"size", "bigint"},
	}
	var b strings.Builder
	b.WriteString("schema \"glance\" {}\n\ntable \"owners\" {\n  schema = schema.glance\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n\ntable \"images\" {\n  schema = schema.glance\n")
	for _, c := range columns {
		if !declared["column "+c.name] {
			fmt.Fprintf(&b, "  column %q {\n    type = %s\n  }\n", c.name, c.typ)
		}
	}
	if !declared["primary_key "] {
		b.WriteString("  primary_key {\n    columns = [column.id]\n  }\n")
	}
	if d.ExampleInTable() {
		for line := range strings.Lines(d.Example + "\n") {
			b.WriteString("  " + line)
		}
		b.WriteString("}\n")
	} else {
		b.WriteString("}\n\n" + d.Example + "\n")
	}
	return b.String()
}
