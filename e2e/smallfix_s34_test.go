package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// A rehearsed upgrade whose contract its gates block: v2 drops an enum
// value that v1's workers write, so tighten-column's gate counts their
// rows once migrate is complete. emcee db contract exits 7 there
// (contract blocked by data); simulate exited 1, as if the rehearsal
// itself could not run, under a report saying "no failed statement, no
// lost or inconsistent row".
func TestSmallfixS34SimulateContractBlockedByData(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1", enumRelease(`"a", "b", "c"`, "")}, [2]string{"v2", enumRelease(`"a", "b"`, "    allow_copy = true\n")})
	p.must("plan")
	r := p.run("simulate", "--url", testdb.New(t).URL, "--rows", "200", "--baseline", "200ms", "--settle", "500ms", "--quiet")
	if r.Code != 7 {
		t.Fatalf("simulate whose contract its gate blocks: %s", r)
	}
	opContains(t, r, "contract blocked by data: v2_contract01 refused, nothing was changed", "gate tighten-column:", "list them: SELECT * FROM `t` WHERE `kind` NOT IN ('a','b')",
		"contract blocked by data: rows the workers wrote that its gates count:", "result: the contract was refused (above)")
	if strings.Contains(r.Stdout, "result: no failed statement") {
		t.Fatalf("the report of a blocked contract says the upgrade went through:\n%s", r)
	}
}
