package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// Attacks on what session 29 landed (advice to paste, rollback copies,
// SQL releases), each through the emcee binary on MariaDB.

// A release widening a column: its rollback narrows it back by a table
// copy, which the applier runs only with --allow-copy or --osc pt-osc.
// simulate --rollback had neither flag: it could only report the
// refusal, whose way out named flags it did not take. It takes them now,
// with db rollback's meaning.
func TestAttackS30SimulateRollbackOfAWidening(t *testing.T) {
	t.Parallel()
	v1 := "schema \"app\" {}\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type           = int\n    auto_increment = true\n  }\n  column \"name\" {\n    type = varchar(20)\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", replaceOnce(v1, "varchar(20)", "varchar(40)")})
	p.must("plan")
	sim := func(url string, args ...string) opResult {
		return p.run(append([]string{"simulate", "--rollback", "--url", url, "--rows", "200", "--baseline", "200ms", "--settle", "200ms", "--quiet"}, args...)...)
	}
	r := sim(p.DB.URL)
	if r.Code != 1 {
		t.Fatalf("simulate --rollback of a widening without an opt-in: %s", r)
	}
	opContains(t, r, "the rollback copies these tables", "or with --allow-copy to accept the blocking copy")
	scratch := testdb.New(t)
	r = sim(scratch.URL, "--allow-copy")
	if r.Code != 0 {
		t.Fatalf("simulate --rollback --allow-copy: %s", r)
	}
	opContains(t, r, "rollback: 0 failed statements of the old release", "result: no failed statement, no lost or inconsistent row")
	var typ string
	if err := scratch.QueryRow("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'").Scan(&typ); err != nil || typ != "varchar(20)" {
		t.Fatalf("t.name after the rehearsed rollback: %s (%v)", typ, err)
	}
	for _, args := range [][]string{{"--allow-copy"}, {"--naive", "--osc", "none"}, {"--osc", "gh-ost"}} {
		r := p.run(append([]string{"simulate", "--url", p.DB.URL}, args...)...)
		if r.Code != 2 {
			t.Errorf("simulate %s: %s", strings.Join(args, " "), r)
		}
	}
}
