package e2e

import (
	"strings"
	"testing"
)

// Kanboard 110 moves the unique key of user_has_notifications, a table
// without a primary key: contract's ALTER changes the key InnoDB clusters
// the table by, and the server rebuilds it (the splitter writes
// ALGORITHM=INPLACE for that). Review read the ALTER's clauses alone and
// said "[in-place]", "no table rebuild" and "no statement rewrites a
// table", which hid a pass over every row from the release manager.
func TestClusteringKeyMoveReviewedAsRebuild(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v109", outside2S28Fixture(t, "notifications_109.hcl")}, [2]string{"v110", outside2S28Fixture(t, "notifications_110.hcl")})
	p.must("plan")
	r := p.must("review", "v110")
	opContains(t, r,
		"2. line 9  rule drop-index, add-unique-index  [rebuild]",
		"lock:    in place, but REBUILDS user_has_notifications: every row is rewritten",
		"Table rebuilds (every row rewritten)\n  contract rebuilds user_has_notifications at plans/v110/v110_contract01.sql:9 (rebuild)",
	)
	if strings.Contains(r.Stdout, "no statement rewrites a table") {
		t.Fatalf("review says nothing is rebuilt:\n%s", r.Stdout)
	}
}
