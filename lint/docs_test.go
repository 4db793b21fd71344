package lint

import (
	"os"
	"strings"
	"testing"
)

// docs/lint.md has a section for every code, and no section for a code
// that does not exist.
func TestDocsCoverEveryCode(t *testing.T) {
	doc, err := os.ReadFile("../docs/lint.md")
	if err != nil {
		t.Fatal(err)
	}
	var sections []string
	for _, l := range strings.Split(string(doc), "\n") {
		if code, ok := strings.CutPrefix(l, "### "); ok {
			sections = append(sections, strings.Fields(code)[0])
		}
	}
	var codes []string
	for _, a := range Analyzers() {
		codes = append(codes, a.Code+":")
	}
	if strings.Join(sections, " ") != strings.Join(codes, " ") {
		t.Errorf("docs/lint.md sections %v, want one per code in order: %v", sections, codes)
	}
}
