package e2e

import (
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// A rehearsed rollback that its own gates refuse: v2 appends an enum value
// that its workers write, which v1's type cannot hold, so the rollback's
// gate counts those rows. That is what the rehearsal found about the
// release (exit 6, "the check ran and found a problem"), with the gate's
// count and where it is; simulate exited 1 as if the rehearsal itself
// could not run.
func TestFixesS33SimulateRollbackRefusedByItsGate(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1", enumRelease(`"a", "b"`, "")}, [2]string{"v2", enumRelease(`"a", "b", "c"`, "")})
	p.must("plan")
	r := p.run("simulate", "--rollback", "--allow-copy", "--url", testdb.New(t).URL, "--rows", "200", "--baseline", "200ms", "--settle", "500ms", "--quiet")
	if r.Code != 6 {
		t.Fatalf("simulate --rollback refused by the rollback's gate: %s", r)
	}
	opContains(t, r, "rollback refused at v2_rollback01", "gate widen-column:", "result: the rollback was refused (above)")
}
