package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// GLPI, measured from outside: releases 9.5, 10.0, 10.0.17 and 11.0.1 of 15
// of its tables, each verbatim from install/mysql/glpi-X-empty.sql, with
// emcee's declarations where GLPI's own migrations (install/migrations)
// moved data. The fixtures under testdata/outside_s29 are trimmed to what
// each test needs.

// outsideS29Fixture is a file of testdata/outside_s29.
func outsideS29Fixture(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "outside_s29", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// GLPI 10.0 writes its booleans tinyint where 9.5 wrote tinyint(1), which
// Atlas reads as bool: rule widen-column, instant in expand. Its rollback
// was refused at plan time ("narrowing it back needs a table copy"),
// though tinyint -> tinyint(1) changes the display width alone, which
// MariaDB does instantly, keeping every value: a release whose other
// changes all undo online could not be rolled back. It is set back.
func TestOutsideS29BoolToTinyintRollsBack(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"9_5", outsideS29Fixture(t, "groups_users_95.sql")}, [2]string{"10_0", outsideS29Fixture(t, "groups_users_100.sql")})
	p.must("plan")
	if rb := p.read("plans/10_0/10_0_rollback01.sql"); strings.Contains(rb, "rollback refused") {
		t.Fatalf("the rollback of tinyint(1) -> tinyint is refused:\n%s", rb)
	}
	p.must("db", "sync", "9_5")
	p.exec("INSERT INTO glpi_groups_users (users_id, groups_id, is_dynamic, is_manager) VALUES (1, 1, 1, 0), (2, 1, 0, 1)")
	p.must("db", "expand")
	p.exec("INSERT INTO glpi_groups_users (users_id, groups_id, is_dynamic) VALUES (3, 1, 1)") // 9.5's code
	p.exec("INSERT INTO glpi_groups_users (users_id, groups_id, is_manager) VALUES (4, 1, 2)") // 10.0's code
	p.must("db", "rollback")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(COLUMN_TYPE ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'glpi_groups_users' AND COLUMN_NAME LIKE 'is%'"); got != "tinyint(1),tinyint(1),tinyint(1)" {
		t.Fatalf("columns after the rollback: %s", got)
	}
	if got := p.query("SELECT GROUP_CONCAT(users_id, ':', is_dynamic, is_manager ORDER BY users_id) FROM glpi_groups_users"); got != "1:10,2:01,3:10,4:02" {
		t.Fatalf("rows after the rollback: %s", got)
	}
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
}

// GLPI 10.0 renames glpi_knowbaseitems.date to date_creation, on a table
// with FULLTEXT indexes, so the new column needs allow_copy too. A
// declarations file generated from plan's refusals had two blocks for
// date_creation, one with renamed_from, one with allow_copy: the second
// replaced the first, and the release was refused as losing date although
// its rename was declared. The second block is refused at its position.
func TestOutsideS29DeclaredColumnTwice(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"9_5", outsideS29Fixture(t, "knowbaseitems_95.sql")}, [2]string{"10_0", outsideS29Fixture(t, "knowbaseitems_100.sql")})
	decl := filepath.Join(p.Dir, "schema", "10_0.emcee.hcl")
	opWrite(t, decl, []byte("table \"glpi_knowbaseitems\" {\n  column \"date_creation\" {\n    renamed_from = \"date\"\n  }\n  column \"date_creation\" {\n    allow_copy = true\n  }\n}\n"))
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("a column declared twice planned: %s", r)
	}
	opContains(t, r, `schema/10_0.emcee.hcl:5:10: column "date_creation" of table glpi_knowbaseitems is declared twice (first at schema/10_0.emcee.hcl:2:10)`)

	opWrite(t, decl, []byte("table \"glpi_knowbaseitems\" {\n  column \"date_creation\" {\n    renamed_from = \"date\"\n    allow_copy   = true\n  }\n}\n"))
	p.must("plan")
	p.must("db", "sync", "9_5")
	p.exec("INSERT INTO glpi_knowbaseitems (name, answer, date) VALUES ('a', 'b', '2020-01-02 03:04:05')")
	p.must("db", "expand")
	p.exec("INSERT INTO glpi_knowbaseitems (name, answer, date) VALUES ('9.5', 'c', '2021-01-02 03:04:05')")
	p.exec("INSERT INTO glpi_knowbaseitems (name, answer, date_creation) VALUES ('10.0', 'd', '2022-01-02 03:04:05')")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(name, ' ', date_creation ORDER BY id) FROM glpi_knowbaseitems"); got != "a 2020-01-02 03:04:05,9.5 2021-01-02 03:04:05,10.0 2022-01-02 03:04:05" {
		t.Fatalf("date_creation after contract: %s", got)
	}
}

// GLPI 10.0.12 adds glpi_users.user_dn_hash, nullable, and computes it for
// the existing rows (UPDATE ... SET user_dn_hash = MD5(user_dn)). fill
// refuses a nullable column, and the refusal's way out was "declare
// `null = false`": an attribute the declarations file of a SQL release
// refuses, and a column GLPI keeps nullable. It names the data migration
// that computes the rows and keeps the column as declared, and that
// declaration runs as it says.
func TestOutsideS29NullableComputedColumn(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"10_0", outsideS29Fixture(t, "users_100.sql")}, [2]string{"10_0_17", outsideS29Fixture(t, "users_10017.sql")})
	decl := filepath.Join(p.Dir, "schema", "10_0_17.emcee.hcl")
	entities := "table \"glpi_users\" {\n  column \"entities_id\" {\n    allow_copy = true\n  }\n"
	opWrite(t, decl, []byte(entities+"  column \"user_dn_hash\" {\n    fill = \"MD5(user_dn)\"\n  }\n}\n"))
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("fill on a nullable column planned: %s", r)
	}
	opContains(t, r, "schema/10_0_17.emcee.hcl:6:5: glpi_users.user_dn_hash has fill, but the column is nullable",
		"data_migration \"user_dn_hash\" {\n  table   = \"glpi_users\"\n  set     = \"`user_dn_hash` = MD5(user_dn)\"\n  pending = \"`user_dn_hash` IS NULL AND (MD5(user_dn)) IS NOT NULL\"\n}\n", "NOT NULL in SQL")

	opWrite(t, decl, []byte(entities+"}\ndata_migration \"user_dn_hash\" {\n  table   = \"glpi_users\"\n  set     = \"user_dn_hash = MD5(user_dn)\"\n  pending = \"user_dn_hash IS NULL AND (MD5(user_dn)) IS NOT NULL\"\n}\n"))
	p.must("plan")
	p.must("db", "sync", "10_0")
	p.exec("INSERT INTO glpi_users (name, user_dn) VALUES ('ldap', 'uid=ldap,dc=example,dc=org'), ('local', NULL)")
	p.must("db", "expand")
	p.exec("INSERT INTO glpi_users (name, user_dn) VALUES ('ldap2', 'uid=ldap2,dc=example,dc=org')")                          // 10.0's code
	p.exec("INSERT INTO glpi_users (name, user_dn, user_dn_hash, entities_id) VALUES ('ldap3', 'uid=x', MD5('uid=x'), NULL)") // 10.0.17's
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*) FROM glpi_users WHERE NOT (user_dn_hash <=> MD5(user_dn))"); got != "0" {
		t.Fatalf("rows whose user_dn_hash is not MD5(user_dn): %s", got)
	}
}

// GLPI 10.0 renames glpi_users.layout to page_layout. Lint's EM108 note on
// contract's drop of layout read "data at risk" with the fix "move the
// data (a data_migration in this release)", as if its values were lost,
// though the rename had copied them: it says where they live on.
func TestOutsideS29DataAtRiskNamesTheRename(t *testing.T) {
	t.Parallel()
	users := "CREATE TABLE `glpi_users` (\n  `id` int unsigned NOT NULL AUTO_INCREMENT,\n  `name` varchar(255) DEFAULT NULL,\n  `layout` char(20) DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n"
	p := sqlReleasesProject(t, [2]string{"9_5", users}, [2]string{"10_0", strings.Replace(users, "`layout` char(20) DEFAULT NULL,\n", "`page_layout` char(20) DEFAULT NULL,\n  `fold_menu` tinyint DEFAULT NULL,\n", 1)})
	opWrite(t, filepath.Join(p.Dir, "schema", "10_0.emcee.hcl"), []byte("table \"glpi_users\" {\n  column \"page_layout\" {\n    renamed_from = \"layout\"\n  }\n}\n"))
	p.must("plan")
	r := p.must("lint")
	opContains(t, r, `EM108 note: data at risk: Dropping non-virtual column "layout" (Atlas DS103); glpi_users.layout lives on in glpi_users.page_layout (renamed_from at schema/10_0.emcee.hcl:3:5)`)
	p.must("db", "sync", "9_5")
	p.exec("INSERT INTO glpi_users (name, layout) VALUES ('a', 'vsplit')")
	p.must("db", "expand")
	p.exec("INSERT INTO glpi_users (name, layout) VALUES ('9.5', 'lefttab')")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(name, ' ', page_layout ORDER BY id) FROM glpi_users"); got != "a vsplit,9.5 lefttab" {
		t.Fatalf("page_layout after contract: %s", got)
	}
}

// GLPI 9.5 turns every datetime into a timestamp, under the same name
// (glpi_events.date). emcee cannot gate that change row by row, and its
// refusal said to declare a column that replaces it "or split the change
// over two releases", while a column of the same name cannot replace it.
// The refusal says how to keep the name: a replacement under another
// name, renamed back a release later; done so, the end schema is 9.5's.
func TestOutsideS29DatetimeToTimestampKeepsTheName(t *testing.T) {
	t.Parallel()
	events := "CREATE TABLE `glpi_events` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `type` varchar(255) DEFAULT NULL,\n  `date` datetime DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  KEY `date` (`date`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n"
	v95 := strings.Replace(events, "`date` datetime DEFAULT NULL", "`date` timestamp NULL DEFAULT NULL", 1)
	p := sqlReleasesProject(t, [2]string{"9_4", events}, [2]string{"9_5", v95})
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("datetime -> timestamp planned: %s", r)
	}
	opContains(t, r, "schema/9_5.sql:4:3: column glpi_events.date changes (type): datetime -> timestamp is not a change emcee can check row by row",
		"declare a new column, under another name, with the replaces block below in schema/9_5.emcee.hcl", "    table \"glpi_events\" {\n      column \"<new column>\" {\n        replaces {\n          column   = \"date\"\n", "to keep the name date, declare in the next release a column date with `renamed_from` the new one")
	// The blocks it prints, pasted, the new column named and its two
	// expressions written.
	decl := strings.NewReplacer(`"<new column>"`, `"date_ts"`, `"<new from old>"`, "\"`date`\"", `"<old from new>"`, `"date_ts"`).Replace(pasted(t, r, `table "glpi_events" {`))

	// The way it says: 9_5a replaces date by date_ts, 9_5 renames it back.
	opWrite(t, filepath.Join(p.Dir, "schema", "9_5a.sql"), []byte(strings.ReplaceAll(v95, "`date`", "`date_ts`")))
	opWrite(t, filepath.Join(p.Dir, "schema", "9_5a.emcee.hcl"), []byte(decl))
	opWrite(t, filepath.Join(p.Dir, "schema", "9_5.emcee.hcl"), []byte("table \"glpi_events\" {\n  column \"date\" {\n    renamed_from = \"date_ts\"\n  }\n}\n"))
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(p.read("atlas.hcl"), `"9_4", "9_5"`, `"9_4", "9_5a", "9_5"`, 1)))
	p.must("plan")
	p.must("db", "sync", "9_4")
	p.exec("INSERT INTO glpi_events (type, date) VALUES ('system', '2019-05-06 07:08:09')")
	p.must("db", "expand")
	p.exec("INSERT INTO glpi_events (type, date) VALUES ('9.4', '2019-06-07 08:09:10')")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "sync")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(type, ' ', date ORDER BY id) FROM glpi_events"); got != "system 2019-05-06 07:08:09,9.4 2019-06-07 08:09:10" {
		t.Fatalf("glpi_events after 9_5: %s", got)
	}
	if got := p.query("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'glpi_events' AND COLUMN_NAME = 'date'"); got != "timestamp" {
		t.Fatalf("glpi_events.date is %s", got)
	}
}
