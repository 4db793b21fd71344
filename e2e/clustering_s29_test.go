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

// Kanboard 96 with the new key declared: review names the key contract
// adds among the statement's changes and among the tightenings, guarded by
// the gate counting the pairs the previous release wrote twice, says the
// table is rebuilt and that id's values go; before, it listed only "drop
// primary key", and no tightening.
func TestReplacePrimaryKeyReviewed(t *testing.T) {
	t.Parallel()
	v95 := "schema \"app\" {\n}\n" + projectUsersV95
	v96 := strings.Replace(strings.Replace(v95, "  column \"id\" {\n    type           = int\n    auto_increment = true\n  }\n  column \"project_id\"", "  column \"project_id\"", 1),
		"  primary_key {\n    columns = [column.id]\n  }\n  foreign_key \"project_has_users_ibfk_1\"", "  primary_key {\n    columns = [column.project_id, column.user_id]\n  }\n  foreign_key \"project_has_users_ibfk_1\"", 1)
	p := newSchemaProject(t, [2]string{"v95", v95}, [2]string{"v96", v96})
	p.must("plan")
	r := p.must("review", "v96")
	opContains(t, r,
		"changes: drop column project_has_users.id; drop primary key project_has_users; add primary key project_has_users (project_id, user_id)",
		"primary key project_has_users (project_id, user_id): added to existing rows\n      at plans/v96/v96_contract01.sql:9, guarded by the gate at plans/v96/v96_contract01.sql:6",
		"column project_has_users.id: int NOT NULL\n      dropped at plans/v96/v96_contract01.sql:9 (rule replace-primary-key)",
		"contract rebuilds project_has_users at plans/v96/v96_contract01.sql:9 (rebuild)",
	)
}
