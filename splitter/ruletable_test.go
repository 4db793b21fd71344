package splitter

import (
	"os"
	"strings"
	"testing"
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
