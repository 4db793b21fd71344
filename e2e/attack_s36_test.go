package e2e

import (
	"strings"
	"testing"
)

// A pending predicate comparing the new table's rows with the row only in
// a LEFT JOIN's ON: the join keeps every row of user_token_auth whatever
// the row, so once migrate's first batch had inserted rows, NOT EXISTS
// selected no user, contract's gate opened and dropped the tokens of the
// users never moved (3 of 5 under --batch-size 2). plan refuses it.
func TestAttackS36PendingComparedOnlyInAnOuterJoin(t *testing.T) {
	t.Parallel()
	move := strings.Replace(matomoMove, "NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.login = user.login)", "NOT EXISTS (SELECT 1 FROM user_token_auth AS t LEFT JOIN user AS o ON o.login = t.login AND t.login = user.login)", 1)
	p := newSchemaProject(t, [2]string{"m3", matomo3}, [2]string{"m4", matomo4Tables + move})
	r := p.plan()
	if r.Code == 0 {
		p.must("db", "sync", "m3")
		p.exec("INSERT INTO user VALUES ('a', 'ta'), ('b', 'tb'), ('c', 'tc'), ('d', 'td'), ('e', 'te')")
		p.must("db", "expand")
		p.must("db", "migrate", "--batch-size", "2")
		c := p.run("db", "contract")
		t.Fatalf("planned; contract exit %d, tokens moved: %s", c.Code, p.query("SELECT COUNT(*) FROM user_token_auth"))
	}
	opContains(t, r, "schema/m4.hcl:", "does not compare its rows with the row of `user`", "in its WHERE or an inner JOIN's ON (a LEFT or RIGHT JOIN's ON keeps every row of its other side)")
}
