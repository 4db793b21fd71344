package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// e2e/testdata/operator/project is the fixture as a project an operator
// can run emcee in; docs/operators.md was captured there. This keeps it
// identical to what the tests run (EMCEE_UPDATE_EXAMPLE=1 rewrites it).
func TestOperatorExampleProjectCurrent(t *testing.T) {
	dir := filepath.Join("testdata", "operator", "project")
	files := opPlans(t)
	files["../atlas.hcl"] = []byte("# The operator walkthrough (docs/operators.md) runs here:\n#   emcee db expand --env local\nenv \"local\" {\n  url = \"mysql://root@127.0.0.1:3306/glance\"\n}\n\n" + opSettings)
	for p, want := range files {
		path := filepath.Join(dir, "plans", p)
		if os.Getenv("EMCEE_UPDATE_EXAMPLE") != "" {
			opWrite(t, path, want)
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what the operator tests run (%v): rerun with EMCEE_UPDATE_EXAMPLE=1", path, err)
		}
	}
}
