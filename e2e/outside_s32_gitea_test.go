package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// giteaUsers114 is Gitea 1.14's user and email_address, cut to the
// columns its 1.15 migration v181 reads and writes.
const giteaUsers114 = "schema \"gitea\" {}\n" +
	"table \"user\" {\n  schema = schema.gitea\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"email\" {\n    type = varchar(255)\n  }\n  column \"is_active\" {\n    type = bool\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
	"table \"email_address\" {\n  schema = schema.gitea\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"uid\" {\n    type = bigint\n  }\n  column \"email\" {\n    type = varchar(255)\n  }\n  column \"is_activated\" {\n    type = bool\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"UQE_email_address_email\" {\n    unique  = true\n    columns = [column.email]\n  }\n}\n"

// giteaUsers115 is 1.15's: email_address gains lower_email (filled, and
// unique in contract) and is_primary, and a row for each user whose email
// it lacks (v181).
func giteaUsers115() string {
	return replaceOnce(giteaUsers114,
		"  column \"is_activated\" {\n    type = bool\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"UQE_email_address_email\"",
		"  column \"is_activated\" {\n    type = bool\n    null = true\n  }\n  column \"lower_email\" {\n    type = varchar(255)\n    fill = \"LOWER(email)\"\n  }\n  column \"is_primary\" {\n    type    = bool\n    default = false\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"UQE_email_address_lower_email\" {\n    unique  = true\n    columns = [column.lower_email]\n  }\n  index \"UQE_email_address_email\"") +
		"data_migration \"insert_primary_email\" {\n  table   = \"email_address\"\n  from    = \"user\"\n  insert  = \"uid = id, email = email, lower_email = LOWER(email), is_activated = is_active, is_primary = true\"\n  pending = \"NOT EXISTS (SELECT 1 FROM email_address AS e WHERE e.email = `user`.email)\"\n}\n"
}

// Gitea 1.15 (v181) keeps every user's primary email in email_address: a
// row for each user whose email the table lacked, inserted from user. The
// insert was refused at plan time, email_address being a table 1.14 has,
// and its way out sent the rows to the new release's code. Now migrate
// inserts them while both releases write, the 1.14 code's users added
// after migrate passed them are caught up by migrate again (contract's
// gate refuses until then), and nothing the 1.14 code wrote is touched.
func TestOutsideS32GiteaInsertsPrimaryEmailsIntoATableThePreviousReleaseHas(t *testing.T) {
	t.Parallel()
	v115 := giteaUsers115()
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

// giteaBranches120 is Gitea 1.20's deleted_branch, with the user table the
// 1.21 migration v264 reads for the pusher (the first admin).
const giteaBranches120 = "schema \"gitea\" {}\n" +
	"table \"user\" {\n  schema = schema.gitea\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"is_admin\" {\n    type = bool\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
	"table \"deleted_branch\" {\n  schema = schema.gitea\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"repo_id\" {\n    type = bigint\n  }\n  column \"name\" {\n    type = varchar(255)\n  }\n  column \"commit\" {\n    type = varchar(255)\n  }\n  column \"deleted_by_id\" {\n    type = bigint\n    null = true\n  }\n  column \"deleted_unix\" {\n    type = bigint\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"UQE_deleted_branch_s\" {\n    unique  = true\n    columns = [column.repo_id, column.name, column.commit]\n  }\n}\n"

// Gitea 1.21 moves deleted_branch's rows into the new branch table
// (is_deleted) and drops deleted_branch (v264, v269), in one release. The
// data migration reading a table its release drops was refused ("from
// names a table this release keeps"), the way out keeping it one release
// longer, where its drop then needed a discard. Now the rows move in
// migrate, contract's gate waits for those the 1.20 code deleted after
// migrate passed, and only then does contract drop deleted_branch.
func TestOutsideS32GiteaMovesDeletedBranchesAndDropsTheTableInOneRelease(t *testing.T) {
	t.Parallel()
	v121 := giteaBranches120[:strings.Index(giteaBranches120, "table \"deleted_branch\"")] +
		"table \"branch\" {\n  schema = schema.gitea\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"repo_id\" {\n    type = bigint\n    null = true\n  }\n  column \"name\" {\n    type = varchar(255)\n  }\n  column \"commit_id\" {\n    type = varchar(255)\n    null = true\n  }\n  column \"pusher_id\" {\n    type = bigint\n    null = true\n  }\n  column \"is_deleted\" {\n    type = bool\n    null = true\n  }\n  column \"deleted_by_id\" {\n    type = bigint\n    null = true\n  }\n  column \"deleted_unix\" {\n    type = bigint\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"UQE_branch_s\" {\n    unique  = true\n    columns = [column.repo_id, column.name]\n  }\n}\n" +
		"data_migration \"deleted_branches_into_branch\" {\n  table   = \"branch\"\n  from    = \"deleted_branch\"\n" +
		"  insert  = \"repo_id = repo_id, name = name, commit_id = `commit`, pusher_id = (SELECT MIN(u.id) FROM `user` u WHERE u.is_admin), is_deleted = true, deleted_by_id = deleted_by_id, deleted_unix = deleted_unix\"\n" +
		"  pending = \"NOT EXISTS (SELECT 1 FROM branch b WHERE b.repo_id = deleted_branch.repo_id AND b.name = deleted_branch.name)\"\n}\n"
	p := newSchemaProject(t, [2]string{"1_20", giteaBranches120}, [2]string{"1_21", v121})
	p.must("plan")
	contract := p.read("plans/1_21/1_21_contract01.sql")
	if g, d := strings.Index(contract, "FROM `deleted_branch` WHERE"), strings.Index(contract, "DROP TABLE `deleted_branch`"); g < 0 || d < g {
		t.Fatalf("contract does not count the rows left to move before it drops deleted_branch:\n%s", contract)
	}
	opContains(t, p.must("review", "1_21"), "moved first: data_migration \"deleted_branches_into_branch\" inserts its rows into branch; its gate runs before the drop")
	opContains(t, p.must("lint"), "the rows of deleted_branch move into rows of branch (data_migration \"deleted_branches_into_branch\" at schema/1_21.hcl:57:1, whose gate runs before the drop)")
	p.must("db", "sync", "1_20")
	p.exec("INSERT INTO `user` (id, is_admin) VALUES (1, 0), (3, 1), (5, 1)")
	p.exec("INSERT INTO deleted_branch (repo_id, name, `commit`, deleted_by_id, deleted_unix) VALUES (1, 'feature', 'aaa', 1, 100), (2, 'fix', 'bbb', 3, 200)")
	p.must("db", "expand")
	p.exec("INSERT INTO deleted_branch (repo_id, name, `commit`, deleted_by_id, deleted_unix) VALUES (1, 'during-expand', 'ccc', 1, 300)")
	p.must("db", "migrate")
	p.exec("INSERT INTO deleted_branch (repo_id, name, `commit`, deleted_by_id, deleted_unix) VALUES (2, 'after-migrate', 'ddd', 5, 400)")
	r := p.run("db", "contract")
	if r.Code == 0 {
		t.Fatalf("contract dropped deleted_branch with a row not moved: %s", r)
	}
	opContains(t, r, "deleted_branches_into_branch", "1 row", "emcee db migrate")
	if got := p.query("SELECT COUNT(*) FROM deleted_branch"); got != "4" {
		t.Fatalf("deleted_branch after the refused contract: %s rows", got)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'deleted_branch'"); got != "0" {
		t.Fatalf("deleted_branch is still there after contract")
	}
	got := p.query("SELECT GROUP_CONCAT(CONCAT(repo_id, ':', name, ':', commit_id, ':', pusher_id, ':', is_deleted, ':', deleted_by_id, ':', deleted_unix) ORDER BY deleted_unix SEPARATOR ' ') FROM branch")
	if want := "1:feature:aaa:3:1:1:100 2:fix:bbb:3:1:3:200 1:during-expand:ccc:3:1:1:300 2:after-migrate:ddd:3:1:5:400"; got != want {
		t.Fatalf("branch after the upgrade:\n got %s\nwant %s", got, want)
	}
}

// Two users sharing an email (Ann@Example.com and ANN@example.com, alike
// under the table's collation) each need their primary email row: the
// batch inserting both fails on email_address's unique email, and every
// rerun fails there again. migrate said only "Duplicate entry ... fix the
// cause and rerun"; it now names the backfill, the key, a query listing
// the values two pending rows give alike, and the ways out. Once the data
// is fixed the rerun completes.
func TestOutsideS32GiteaInsertCollisionNamesTheRows(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"1_14", giteaUsers114}, [2]string{"1_15", giteaUsers115()})
	p.must("plan")
	p.must("db", "sync", "1_14")
	p.exec("INSERT INTO `user` (id, email, is_active) VALUES (1, 'Ann@Example.com', 1), (2, 'bob@example.com', 1), (3, 'ANN@example.com', 1)")
	p.must("db", "expand")
	r := p.run("db", "migrate")
	if r.Code == 0 {
		t.Fatalf("migrate inserted two rows of one email: %s", r)
	}
	opContains(t, r, "Duplicate entry", "inserts into `email_address` a row for each pending row of `user`", "unique key UQE_email_address_email",
		"List the values two or more pending rows give alike: SELECT CONVERT(`email` USING 'utf8mb4') COLLATE utf8mb4_general_ci AS `email`,COUNT(1) AS `rows` FROM `user` WHERE",
		"GROUP BY 1 HAVING COUNT(1) > 1 LIMIT 100", "emcee plan --rewrite 1_15")
	out := r.Stderr + r.Stdout
	i := strings.Index(out, "List the values two or more pending rows give alike: ")
	q := out[i+len("List the values two or more pending rows give alike: "):]
	q = q[:strings.Index(q, " LIMIT 100")+len(" LIMIT 100")]
	if got := p.query("SELECT GROUP_CONCAT(CONCAT(LOWER(email), ':', `rows`)) FROM (" + q + ") AS c"); got != "ann@example.com:2" {
		t.Fatalf("the listing %s gives %q", q, got)
	}
	p.exec("UPDATE `user` SET email = 'ann.two@example.com' WHERE id = 3")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(email ORDER BY uid) FROM email_address WHERE is_primary"); got != "Ann@Example.com,bob@example.com,ann.two@example.com" {
		t.Fatalf("primary emails: %s", got)
	}
}

// The rollback rehearsal of Gitea 1.15: migrate inserts the users'
// primary emails into email_address, a table both releases' workers
// write, and the rollback keeps those rows. The verifier took each for a
// row no worker inserted ("an insert reported as failed that took
// effect?") and the rehearsal exited 6 (499 rows); the rows a data
// migration inserts are its, checked by contract's gate.
func TestOutsideS32GiteaSimulateRollbackKeepsInsertedRows(t *testing.T) {
	t.Parallel()
	v115 := replaceOnce(giteaUsers115(), "e.email = `user`.email)", "e.email = `user`.email) AND NOT EXISTS (SELECT 1 FROM `user` AS other WHERE other.email = `user`.email AND other.id < `user`.id)")
	p := newSchemaProject(t, [2]string{"1_14", giteaUsers114}, [2]string{"1_15", v115})
	p.must("plan")
	scratch := testdb.New(t)
	r := p.run("simulate", "--rollback", "--url", scratch.URL, "--rows", "200", "--baseline", "200ms", "--settle", "500ms", "--throttle", "5ms", "--table", "user", "--table", "email_address")
	if r.Code != 0 {
		t.Fatalf("rollback rehearsal of an insert into a table both releases write: %s", r)
	}
	opContains(t, r, "result: no failed statement", "0 inconsistent")
	var inserted int
	if err := scratch.QueryRow("SELECT COUNT(*) FROM email_address WHERE uid IN (SELECT id FROM `user`) AND email IN (SELECT email FROM `user`)").Scan(&inserted); err != nil || inserted == 0 {
		t.Fatalf("no primary email row kept by the rollback: %d (%v)\n%s", inserted, err, r)
	}
}

// The same two users, user.email of utf8mb4_bin (the two emails differ
// to it) and email_address.email of the default utf8mb4_general_ci (one
// key to it): the listing grouped the pending rows as user.email compares
// them and listed nothing, sending the operator after rows it said were
// there. It groups them as the key compares them.
func TestOutsideS32GiteaInsertCollisionListedUnderTheKeysCollation(t *testing.T) {
	t.Parallel()
	const plain = "column \"email\" {\n    type = varchar(255)\n  }\n  column \"is_active\""
	const bin = "column \"email\" {\n    type    = varchar(255)\n    collate = \"utf8mb4_bin\"\n  }\n  column \"is_active\""
	if strings.Count(giteaUsers114, plain) != 1 || strings.Count(giteaUsers115(), plain) != 1 {
		t.Fatal("user.email is not declared once in each release")
	}
	p := newSchemaProject(t, [2]string{"1_14", strings.Replace(giteaUsers114, plain, bin, 1)}, [2]string{"1_15", strings.Replace(giteaUsers115(), plain, bin, 1)})
	p.must("plan")
	p.must("db", "sync", "1_14")
	p.exec("INSERT INTO `user` (id, email, is_active) VALUES (1, 'Ann@Example.com', 1), (2, 'bob@example.com', 1), (3, 'ANN@example.com', 1)")
	p.must("db", "expand")
	r := p.run("db", "migrate")
	if r.Code == 0 {
		t.Fatalf("migrate inserted two rows of one email: %s", r)
	}
	const lead = "List the values two or more pending rows give alike: "
	out := r.Stderr + r.Stdout
	i := strings.Index(out, lead)
	if i < 0 {
		t.Fatalf("no listing: %s", r)
	}
	q := out[i+len(lead):]
	q = q[:strings.Index(q, " LIMIT 100")+len(" LIMIT 100")]
	if got := p.query("SELECT GROUP_CONCAT(CONCAT(LOWER(email), ':', `rows`)) FROM (" + q + ") AS c"); got != "ann@example.com:2" {
		t.Fatalf("the listing %s gives %q", q, got)
	}
}
