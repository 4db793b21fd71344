package e2e

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// Keycloak keys its tables by varchar(36) UUIDs and its join tables by two
// of them (user_group_membership, whose membership_type Keycloak 25 adds):
// the simulator refused every one ("the simulator follows rows by a
// primary key of one integer column"), so it could rehearse none of
// Keycloak. Both tables are rehearsed now, through the upgrade and through
// the rollback, and the report counts the rows of each it read back.
func TestSimulateStringAndCompositeKeys(t *testing.T) {
	t.Parallel()
	const one = "CREATE TABLE user_entity (\n" +
		"  id varchar(36) NOT NULL,\n" +
		"  realm_id varchar(255) NULL,\n" +
		"  username varchar(255) NULL,\n" +
		"  email varchar(255) NULL,\n" +
		"  enabled bit(1) NOT NULL DEFAULT b'0',\n" +
		"  PRIMARY KEY (id),\n" +
		"  UNIQUE KEY uk_dykn684sl8up1crfei6eckhd7 (realm_id, username)\n" +
		");\n" +
		"CREATE TABLE user_group_membership (\n" +
		"  group_id varchar(36) NOT NULL,\n" +
		"  user_id varchar(36) NOT NULL,\n" +
		"  PRIMARY KEY (group_id, user_id),\n" +
		"  KEY idx_user_group_mapping (user_id)\n" +
		");\n"
	const two = "CREATE TABLE user_entity (\n" +
		"  id varchar(36) NOT NULL,\n" +
		"  realm_id varchar(255) NULL,\n" +
		"  username varchar(255) NULL,\n" +
		"  email varchar(255) NULL,\n" +
		"  enabled bit(1) NOT NULL DEFAULT b'0',\n" +
		"  not_before int NOT NULL DEFAULT 0,\n" +
		"  PRIMARY KEY (id),\n" +
		"  UNIQUE KEY uk_dykn684sl8up1crfei6eckhd7 (realm_id, username)\n" +
		");\n" +
		"CREATE TABLE user_group_membership (\n" +
		"  group_id varchar(36) NOT NULL,\n" +
		"  user_id varchar(36) NOT NULL,\n" +
		"  membership_type varchar(255) NOT NULL DEFAULT 'UNMANAGED',\n" +
		"  PRIMARY KEY (group_id, user_id),\n" +
		"  KEY idx_user_group_mapping (user_id)\n" +
		");\n"
	p := sqlReleasesProject(t, [2]string{"24", one}, [2]string{"25", two})
	p.must("plan")
	rows := regexp.MustCompile(`rows: \d+ checked \(user_entity (\d+), user_group_membership (\d+)\), 0 lost, 0 inconsistent`)
	for _, c := range []struct {
		name, url string
		args      []string
	}{
		{"upgrade", p.DB.URL, nil},
		{"rollback", testdb.New(t).URL, []string{"--rollback"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := p.run(append([]string{"simulate", "--url", c.url, "--rows", "500", "--baseline", "200ms", "--settle", "300ms", "--quiet"}, c.args...)...)
			if r.Code != 0 {
				t.Fatalf("simulate: %s", r)
			}
			m := rows.FindStringSubmatch(r.Stdout)
			if m == nil {
				t.Fatalf("no row count of both tables: %s", r)
			}
			// Every seeded row is read back at least once, in each table.
			for i, table := range []string{"user_entity", "user_group_membership"} {
				if n, _ := strconv.Atoi(m[i+1]); n < 500 {
					t.Errorf("%d rows of %s checked, want the 500 seeded at least: %s", n, table, r)
				}
			}
		})
	}
}
