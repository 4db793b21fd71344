package e2e

import (
	"strings"
	"testing"
)

// Pending predicates of Matomo's token move that select no user once
// migrate's first batch has inserted rows, or none at all: contract's gate
// opened and dropped the tokens of the users never moved (exit 0; 3 of 5
// lost under --batch-size 2 for the outer join, all 5 for the others).
// plan refuses each where it is declared.
func TestAttackS36PendingThatNeverSelectsTheRowsLeft(t *testing.T) {
	t.Parallel()
	for name, c := range map[string][2]string{
		// A LEFT JOIN's ON keeps every row of user_token_auth, whatever
		// the row.
		"outer join": {"NOT EXISTS (SELECT 1 FROM user_token_auth AS t LEFT JOIN user AS o ON o.login = t.login AND t.login = user.login)",
			"in its WHERE or an inner JOIN's ON (a LEFT or RIGHT JOIN's ON keeps every row of its other side)"},
		// COUNT(*) without GROUP BY is one row, whatever the table holds.
		"aggregate": {"NOT EXISTS (SELECT COUNT(*) FROM user_token_auth AS t WHERE t.login = user.login)",
			"EXISTS of a SELECT that aggregates (COUNT, MAX ..., or HAVING) without GROUP BY: its rows are one group whatever the table holds"},
		// NOT forgotten: a user is selected once moved, never before.
		"exists": {"EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.login = user.login)",
			"it asks whether `user_token_auth` has the row's rows (EXISTS"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			move := strings.Replace(matomoMove, "NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.login = user.login)", c[0], 1)
			p := newSchemaProject(t, [2]string{"m3", matomo3}, [2]string{"m4", matomo4Tables + move})
			r := p.plan()
			if r.Code == 0 {
				p.must("db", "sync", "m3")
				p.exec("INSERT INTO user VALUES ('a', 'ta'), ('b', 'tb'), ('c', 'tc'), ('d', 'td'), ('e', 'te')")
				p.must("db", "expand")
				p.must("db", "migrate", "--batch-size", "2")
				c := p.run("db", "contract")
				t.Fatalf("planned; contract exit %d, tokens moved: %s of 5", c.Code, p.query("SELECT COUNT(*) FROM user_token_auth"))
			}
			opContains(t, r, "schema/m4.hcl:", c[1])
		})
	}
}
