package e2e

import (
	"testing"
)

// giteaUsers114 is Gitea 1.14's user and email_address, cut to the
// columns its 1.15 migration v181 reads and writes.
const giteaUsers114 = "schema \"gitea\" {}\n" +
	"table \"user\" {\n  schema = schema.gitea\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"email\" {\n    type = varchar(255)\n  }\n  column \"is_active\" {\n    type = bool\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
	"table \"email_address\" {\n  schema = schema.gitea\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"uid\" {\n    type = bigint\n  }\n  column \"email\" {\n    type = varchar(255)\n  }\n  column \"is_activated\" {\n    type = bool\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"UQE_email_address_email\" {\n    unique  = true\n    columns = [column.email]\n  }\n}\n"

// Gitea 1.15 (v181) keeps every user's primary email in email_address: a
// row for each user whose email the table lacked, inserted from user. The
// insert was refused at plan time, email_address being a table 1.14 has,
// and its way out sent the rows to the new release's code. Now migrate
// inserts them while both releases write, the 1.14 code's users added
// after migrate passed them are caught up by migrate again (contract's
// gate refuses until then), and nothing the 1.14 code wrote is touched.
func TestOutsideS32GiteaInsertsPrimaryEmailsIntoATableThePreviousReleaseHas(t *testing.T) {
	t.Parallel()
	v115 := replaceOnce(giteaUsers114,
		"  column \"is_activated\" {\n    type = bool\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"UQE_email_address_email\"",
		"  column \"is_activated\" {\n    type = bool\n    null = true\n  }\n  column \"lower_email\" {\n    type = varchar(255)\n    fill = \"LOWER(email)\"\n  }\n  column \"is_primary\" {\n    type    = bool\n    default = false\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"UQE_email_address_lower_email\" {\n    unique  = true\n    columns = [column.lower_email]\n  }\n  index \"UQE_email_address_email\"") +
		"data_migration \"insert_primary_email\" {\n  table   = \"email_address\"\n  from    = \"user\"\n  insert  = \"uid = id, email = email, lower_email = LOWER(email), is_activated = is_active, is_primary = true\"\n  pending = \"NOT EXISTS (SELECT 1 FROM email_address AS e WHERE e.email = `user`.email)\"\n}\n"
	p := newSchemaProject(t, [2]string{"1_14", giteaUsers114}, [2]string{"1_15", v115})
	p.must("plan")
	p.must("db", "sync", "1_14")
	p.exec("INSERT INTO `user` (id, email, is_active) VALUES (1, 'Ann@Example.com', 1), (2, 'bob@example.com', 1), (3, 'Cy@Example.com', 0)")
	p.exec("INSERT INTO email_address (uid, email, is_activated) VALUES (1, 'Ann@Example.com', 1), (1, 'ann.alt@example.com', 1)")
	p.must("db", "expand")
	// 1.14 code registers a user (no email_address row); 1.15 code one with its row
	p.exec("INSERT INTO `user` (id, email, is_active) VALUES (4, 'dee@example.com', 1)")
	p.exec("INSERT INTO `user` (id, email, is_active) VALUES (5, 'eve@example.com', 1)")
	p.exec("INSERT INTO email_address (uid, email, lower_email, is_activated, is_primary) VALUES (5, 'eve@example.com', 'eve@example.com', 1, 1)")
	opContains(t, p.must("db", "migrate"), "rows backfilled")
	// 1.14 code registers another user after migrate passed
	p.exec("INSERT INTO `user` (id, email, is_active) VALUES (6, 'Fay@Example.com', 1)")
	r := p.run("db", "contract")
	if r.Code == 0 {
		t.Fatalf("contract with a user whose primary email was not inserted: %s", r)
	}
	opContains(t, r, "insert_primary_email", "1 row", "emcee db migrate")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	got := p.query("SELECT GROUP_CONCAT(CONCAT(uid, ':', email, ':', lower_email, ':', is_primary, ':', IFNULL(is_activated, 'null')) ORDER BY uid, id SEPARATOR ' ') FROM email_address")
	want := "1:Ann@Example.com:ann@example.com:0:1 1:ann.alt@example.com:ann.alt@example.com:0:1 2:bob@example.com:bob@example.com:1:1 3:Cy@Example.com:cy@example.com:1:0 4:dee@example.com:dee@example.com:1:1 5:eve@example.com:eve@example.com:1:1 6:Fay@Example.com:fay@example.com:1:1"
	if got != want {
		t.Fatalf("email_address after the upgrade:\n got %s\nwant %s", got, want)
	}
}
