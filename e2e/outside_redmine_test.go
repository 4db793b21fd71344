package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// Redmine 5.1 added journals.updated_on and set it from created_on in
// its migration (Journal.update_all('updated_on = created_on')): a
// data_migration on a column new in the release. simulate's verifier noted
// what every row must hold right after migrate, then ran migrate's
// catch-up, which rewrote the journals the previous release wrote after
// migrate passed them; after contract it reported each of those as
// inconsistent ("is not what the row held, or should hold, before the
// upgrade finished"), and the rehearsal exited 6 on an upgrade that did
// what was declared.
func TestOutsideRedmineSimulateNotesRowsAfterTheCatchUp(t *testing.T) {
	t.Parallel()
	v50 := "schema \"app\" {}\ntable \"journals\" {\n  schema = schema.app\n  column \"id\" {\n    type           = int\n    auto_increment = true\n  }\n  column \"notes\" {\n    type = varchar(255)\n    null = true\n  }\n  column \"created_on\" {\n    type = datetime\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	v51 := replaceOnce(v50, "  column \"created_on\" {\n    type = datetime\n  }\n", "  column \"created_on\" {\n    type = datetime\n  }\n  column \"updated_on\" {\n    type = datetime\n    null = true\n  }\n") +
		"data_migration \"journal_updated_on\" {\n  table   = \"journals\"\n  set     = \"updated_on = created_on\"\n  pending = \"updated_on IS NULL\"\n}\n"
	p := newSchemaProject(t, [2]string{"5_0", v50}, [2]string{"5_1", v51})
	p.must("plan")
	scratch := testdb.New(t)
	r := p.run("simulate", "--url", scratch.URL, "--rows", "300", "--baseline", "200ms", "--settle", "500ms")
	if r.Code != 0 {
		t.Fatalf("simulate of a data migration setting a new column: %s", r)
	}
	opContains(t, r, "catch-up", "emcee db migrate again", "result: no failed statement, no lost or inconsistent row")
	var pending int
	if err := scratch.QueryRow("SELECT COUNT(*) FROM journals WHERE updated_on IS NULL").Scan(&pending); err != nil || pending != 0 {
		t.Fatalf("journals left without updated_on after the rehearsal: %d (%v)", pending, err)
	}
}

// Redmine 3.4 widened issues.description (and journals.notes,
// journal_details.value, repositories.extra_info) from text to longtext:
// the rollback was refused at plan time ("longtext -> text is not a change
// emcee can check row by row"), though what a TEXT cannot hold is counted
// by its bytes. The new release writes a description of 70,000 bytes; the
// rollback's gate names it, and once it is cut the rollback narrows the
// column back (a copy the operator accepts with --allow-copy), the rows of
// both releases kept.
func TestOutsideRedmineLongtextRollsBackBehindAGate(t *testing.T) {
	t.Parallel()
	const v33 = "CREATE TABLE `issues` (\n" +
		"  `id` int(11) NOT NULL AUTO_INCREMENT,\n" +
		"  `subject` varchar(255) NOT NULL DEFAULT '',\n" +
		"  `description` text DEFAULT NULL,\n" +
		"  PRIMARY KEY (`id`)\n" +
		") ENGINE=InnoDB;\n"
	v34 := replaceOnce(v33, "`description` text", "`description` longtext")
	p := sqlReleasesProject(t, [2]string{"3_3", v33}, [2]string{"3_4", v34})
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "3_4.emcee.hcl"), []byte("table \"issues\" {\n  column \"description\" {\n    allow_copy = true\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
	p.must("db", "sync", "3_3")
	p.exec("INSERT INTO issues (subject, description) VALUES ('crash', 'boom')")
	p.must("db", "expand")
	p.exec("INSERT INTO issues (subject, description) VALUES ('log', REPEAT('x', 70000))")
	r := p.run("db", "rollback", "--allow-copy")
	if r.Code == 0 {
		t.Fatalf("rollback over a description a TEXT cannot hold: %s", r)
	}
	opContains(t, r, "OCTET_LENGTH(`description`) > 65535", "1 row")
	p.exec("UPDATE issues SET description = LEFT(description, 60000) WHERE OCTET_LENGTH(description) > 65535")
	p.must("db", "rollback", "--allow-copy")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(CONCAT(subject, ':', LENGTH(description)) ORDER BY id) FROM issues"); got != "crash:4,log:60000" {
		t.Fatalf("issues after the rollback: %s", got)
	}
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
}

// Redmine 5.0 deletes its bcc_recipients and openid settings: declared as
// data_migration deletes, they run in contract. Neither the dry run nor the
// run said how many rows they destroy; the dry run counts them now (from
// the DELETE's own tree), and the run says how many it deleted.
func TestOutsideRedmineContractCountsTheRowsADeleteDestroys(t *testing.T) {
	t.Parallel()
	const v42 = "CREATE TABLE `settings` (\n" +
		"  `id` int(11) NOT NULL AUTO_INCREMENT,\n" +
		"  `name` varchar(255) NOT NULL DEFAULT '',\n" +
		"  `value` text DEFAULT NULL,\n" +
		"  PRIMARY KEY (`id`)\n" +
		") ENGINE=InnoDB;\n"
	p := sqlReleasesProject(t, [2]string{"4_2", v42}, [2]string{"5_0", v42})
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "5_0.emcee.hcl"), []byte("data_migration \"remove_bcc_recipients_setting\" {\n  table  = \"settings\"\n  delete = \"name = 'bcc_recipients'\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
	p.must("db", "sync", "4_2")
	p.exec("INSERT INTO settings (name, value) VALUES ('bcc_recipients', '1'), ('app_title', 'Redmine'), ('bcc_recipients', '0')")
	p.must("db", "expand")
	p.must("db", "migrate")
	opContains(t, p.must("db", "contract", "--dry-run"), "-- deletes 2 rows now (SELECT COUNT(1) FROM `settings` WHERE (`name` = 'bcc_recipients'))")
	opContains(t, p.must("db", "contract"), "    deleted 2 rows")
	if got := p.query("SELECT GROUP_CONCAT(name) FROM settings"); got != "app_title" {
		t.Fatalf("settings after contract: %s", got)
	}
	p.must("db", "diff")
}
