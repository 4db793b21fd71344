package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Keycloak 4.0.0 renamed CLIENT_TEMPLATE to CLIENT_SCOPE and created
// DEFAULT_CLIENT_SCOPE with a foreign key to CLIENT_SCOPE. The expand
// created the new table before the rename: the server refused its key
// (errno 150) and expand stopped half-way. The rename runs first; the
// rollback returns to 3.4.2, and the upgrade then goes through.
func TestOutsideS31KeycloakRenamedTableReferencedByANewOne(t *testing.T) {
	t.Parallel()
	const v342 = "CREATE TABLE `CLIENT_TEMPLATE` (\n" +
		"  `ID` varchar(36) NOT NULL,\n" +
		"  `NAME` varchar(255) DEFAULT NULL,\n" +
		"  PRIMARY KEY (`ID`)\n" +
		") ENGINE=InnoDB;\n"
	const v400 = "CREATE TABLE `CLIENT_SCOPE` (\n" +
		"  `ID` varchar(36) NOT NULL,\n" +
		"  `NAME` varchar(255) DEFAULT NULL,\n" +
		"  PRIMARY KEY (`ID`)\n" +
		") ENGINE=InnoDB;\n" +
		"CREATE TABLE `DEFAULT_CLIENT_SCOPE` (\n" +
		"  `REALM_ID` varchar(36) NOT NULL,\n" +
		"  `SCOPE_ID` varchar(36) NOT NULL,\n" +
		"  `DEFAULT_SCOPE` bit(1) NOT NULL DEFAULT b'0',\n" +
		"  PRIMARY KEY (`REALM_ID`,`SCOPE_ID`),\n" +
		"  CONSTRAINT `FK_R_DEF_CLI_SCOPE_SCOPE` FOREIGN KEY (`SCOPE_ID`) REFERENCES `CLIENT_SCOPE` (`ID`)\n" +
		") ENGINE=InnoDB;\n"
	p := sqlReleasesProject(t, [2]string{"3_4_2", v342}, [2]string{"4_0_0", v400})
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "4_0_0.emcee.hcl"), []byte("table \"CLIENT_SCOPE\" {\n  renamed_from = \"CLIENT_TEMPLATE\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
	p.must("db", "sync", "3_4_2")
	p.exec("INSERT INTO CLIENT_TEMPLATE VALUES ('t1', 'roles'), ('t2', 'email')")
	p.must("db", "expand")
	// 3.4.2 writes through the view, 4.0.0 binds a scope to a realm.
	p.exec("INSERT INTO CLIENT_TEMPLATE VALUES ('t3', 'profile')")
	p.exec("INSERT INTO DEFAULT_CLIENT_SCOPE VALUES ('master', 't3', b'1')")
	p.must("db", "diff")
	p.must("db", "rollback", "--drop-new-data")
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*) FROM CLIENT_TEMPLATE"); got != "3" {
		t.Fatalf("templates after the rollback: %s", got)
	}
	p.must("db", "expand")
	p.exec("INSERT INTO DEFAULT_CLIENT_SCOPE VALUES ('master', 't1', b'1')")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*) FROM CLIENT_SCOPE JOIN DEFAULT_CLIENT_SCOPE ON SCOPE_ID = ID"); got != "1" {
		t.Fatalf("scopes bound after the upgrade: %s", got)
	}
}

// Keycloak 2.5.0 moved names from latin1 to utf8 (NVARCHAR) and added the
// unique SIBLING_NAMES on KEYCLOAK_GROUP. The conversion's collision gate
// counted duplicates under SIBLING_NAMES, which only contract builds:
// duplicate sibling names held up expand, whose conversion they cannot
// break. A unique key that exists, USER_ENTITY's (REALM_ID, USERNAME),
// does stop expand ('müller' and 'muller' are one key under
// utf8mb3_general_ci, two under latin1_swedish_ci); its refusal said
// "contract blocked by data ... Migrate is complete" and to rerun `emcee
// db contract`, which has nothing to run before expand.
func TestOutsideS31KeycloakUnicodeNames(t *testing.T) {
	t.Parallel()
	const v240 = "CREATE TABLE `USER_ENTITY` (\n" +
		"  `ID` varchar(36) NOT NULL,\n" +
		"  `REALM_ID` varchar(255) DEFAULT NULL,\n" +
		"  `USERNAME` varchar(255) CHARACTER SET latin1 DEFAULT NULL,\n" +
		"  PRIMARY KEY (`ID`),\n" +
		"  UNIQUE KEY `UK_RU8TT6T700S9V50BU18WS5HA6` (`REALM_ID`,`USERNAME`)\n" +
		") ENGINE=InnoDB;\n" +
		"CREATE TABLE `KEYCLOAK_GROUP` (\n" +
		"  `ID` varchar(36) NOT NULL,\n" +
		"  `NAME` varchar(255) CHARACTER SET latin1 DEFAULT NULL,\n" +
		"  `PARENT_GROUP` varchar(36) DEFAULT NULL,\n" +
		"  `REALM_ID` varchar(36) DEFAULT NULL,\n" +
		"  PRIMARY KEY (`ID`)\n" +
		") ENGINE=InnoDB;\n"
	v250 := strings.ReplaceAll(v240, "CHARACTER SET latin1", "CHARACTER SET utf8")
	v250 = strings.Replace(v250, "  PRIMARY KEY (`ID`)\n) ENGINE=InnoDB;\n", "  PRIMARY KEY (`ID`),\n  UNIQUE KEY `SIBLING_NAMES` (`REALM_ID`,`PARENT_GROUP`,`NAME`)\n) ENGINE=InnoDB;\n", 1)
	p := sqlReleasesProject(t, [2]string{"2_4_0", v240}, [2]string{"2_5_0", v250})
	decl := "table \"USER_ENTITY\" {\n  column \"USERNAME\" {\n    allow_copy = true\n  }\n}\ntable \"KEYCLOAK_GROUP\" {\n  column \"NAME\" {\n    allow_copy = true\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "2_5_0.emcee.hcl"), []byte(decl), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
	if strings.Contains(p.read("plans/2_5_0/2_5_0_expand01.sql"), "SIBLING_NAMES") {
		t.Fatalf("expand gates SIBLING_NAMES, which only contract builds:\n%s", p.read("plans/2_5_0/2_5_0_expand01.sql"))
	}
	p.must("db", "sync", "2_4_0")
	p.exec("INSERT INTO USER_ENTITY VALUES ('u1', 'master', 'müller'), ('u2', 'master', 'muller')")
	p.exec("INSERT INTO KEYCLOAK_GROUP VALUES ('g1', 'admins', NULL, 'master'), ('g2', 'devs', 'g1', 'master'), ('g3', 'devs', 'g1', 'master')")
	// Rows only a person fixes: blocked by data (7), as db check says
	// first (it said "expand needed", 3, and expand then exited 1).
	r := p.run("db", "check")
	if r.Code != 7 {
		t.Fatalf("check with usernames the new collation makes equal: %s", r)
	}
	opContains(t, r, "expand blocked by data: 1 gate of 2_5_0_expand01 counts rows written before the release started", "UK_RU8TT6T700S9V50BU18WS5HA6", "then rerun `emcee db expand")
	r = p.run("db", "expand")
	if r.Code != 7 {
		t.Fatalf("expand with usernames the new collation makes equal: %s", r)
	}
	opContains(t, r, "2_5_0_expand01 refused: 1 of 1 gate closed, nothing was changed", "UK_RU8TT6T700S9V50BU18WS5HA6", "then rerun `emcee db expand")
	if strings.Contains(r.Stderr, "contract") {
		t.Errorf("an expand gate's refusal speaks of contract:\n%s", r)
	}
	p.exec("UPDATE USER_ENTITY SET USERNAME = 'muller2' WHERE ID = 'u2'")
	p.must("db", "expand")
	p.must("db", "migrate")
	r = p.run("db", "contract")
	if r.Code != 7 {
		t.Fatalf("contract with duplicate sibling names: %s", r)
	}
	opContains(t, r, "SIBLING_NAMES")
	p.exec("UPDATE KEYCLOAK_GROUP SET NAME = 'devs-2' WHERE ID = 'g3'")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT USERNAME FROM USER_ENTITY WHERE ID = 'u1'"); got != "müller" {
		t.Fatalf("username after the conversion: %s", got)
	}
}

// Keycloak 4.0.0 renamed CLIENT_TEMPLATE_ATTRIBUTES.TEMPLATE_ID, a column
// of its primary key, to SCOPE_ID. The refusal said to keep the key on
// (TEMPLATE_ID, NAME) in this release, which the rename drops: pasted as
// said, the release was refused again. It says how: TEMPLATE_ID kept
// with SCOPE_ID filled from it, the key moved in the next release and
// TEMPLATE_ID dropped in the one after; each release applies while both
// releases' code writes.
func TestOutsideS31KeycloakKeyColumnRenamed(t *testing.T) {
	t.Parallel()
	const v342 = "CREATE TABLE `CLIENT_SCOPE_ATTRIBUTES` (\n" +
		"  `TEMPLATE_ID` varchar(36) NOT NULL,\n" +
		"  `VALUE` varchar(2048) DEFAULT NULL,\n" +
		"  `NAME` varchar(255) NOT NULL,\n" +
		"  PRIMARY KEY (`TEMPLATE_ID`,`NAME`)\n" +
		") ENGINE=InnoDB;\n"
	v400 := strings.NewReplacer("`TEMPLATE_ID` varchar(36)", "`SCOPE_ID` varchar(36)", "(`TEMPLATE_ID`,`NAME`)", "(`SCOPE_ID`,`NAME`)").Replace(v342)
	p := sqlReleasesProject(t, [2]string{"3_4_2", v342}, [2]string{"4_0_0", v400})
	decl := func(release, s string) {
		if err := os.WriteFile(filepath.Join(p.Dir, "schema", release+".emcee.hcl"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	decl("4_0_0", "table \"CLIENT_SCOPE_ATTRIBUTES\" {\n  column \"SCOPE_ID\" {\n    renamed_from = \"TEMPLATE_ID\"\n  }\n}\n")
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan of a key column renamed: %s", r)
	}
	opContains(t, r, "schema/4_0_0.sql:", "Keep TEMPLATE_ID, and the key on it, in this release, with SCOPE_ID beside it computed from it (`fill = \"TEMPLATE_ID\"` on SCOPE_ID, in place of its renamed_from; the new release writes both); move the key to (SCOPE_ID, NAME) in the next release, and drop TEMPLATE_ID in the one after")
	// What it says, release by release.
	both := strings.Replace(v342, "  `VALUE`", "  `SCOPE_ID` varchar(36) NOT NULL,\n  `VALUE`", 1)
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "4_0_0.sql"), []byte(both), 0o644); err != nil {
		t.Fatal(err)
	}
	decl("4_0_0", "table \"CLIENT_SCOPE_ATTRIBUTES\" {\n  column \"SCOPE_ID\" {\n    fill = \"TEMPLATE_ID\"\n  }\n}\n")
	p.addRelease("4_0_1", strings.Replace(both, "(`TEMPLATE_ID`,`NAME`)", "(`SCOPE_ID`,`NAME`)", 1))
	p.addRelease("4_0_2", v400)
	for _, r := range []string{"4_0_1", "4_0_2"} {
		if err := os.Rename(filepath.Join(p.Dir, "schema", r+".hcl"), filepath.Join(p.Dir, "schema", r+".sql")); err != nil {
			t.Fatal(err)
		}
	}
	p.must("plan")
	p.must("db", "sync", "3_4_2")
	p.exec("INSERT INTO CLIENT_SCOPE_ATTRIBUTES VALUES ('t1', 'v1', 'a1'), ('t1', 'v2', 'a2')")
	p.must("db", "expand")
	p.exec("INSERT INTO CLIENT_SCOPE_ATTRIBUTES (TEMPLATE_ID, VALUE, NAME) VALUES ('t2', 'old', 'a1')")                 // 3.4.2's code
	p.exec("INSERT INTO CLIENT_SCOPE_ATTRIBUTES (TEMPLATE_ID, SCOPE_ID, VALUE, NAME) VALUES ('s1', 's1', 'new', 'a1')") // 4.0.0's
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "expand")
	p.exec("INSERT INTO CLIENT_SCOPE_ATTRIBUTES (TEMPLATE_ID, SCOPE_ID, VALUE, NAME) VALUES ('s2', 's2', 'x', 'a1')")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "sync", "4_0_2")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(SCOPE_ID, ':', NAME, '=', VALUE ORDER BY SCOPE_ID, NAME) FROM CLIENT_SCOPE_ATTRIBUTES"); got != "s1:a1=new,s2:a1=x,t1:a1=v1,t1:a2=v2,t2:a1=old" {
		t.Fatalf("attributes after 4_0_2: %s", got)
	}
}

// Keycloak 4.0.0 let USER_CONSENT.CLIENT_ID be NULL (a consent to a client
// of a storage provider, named by EXTERNAL_CLIENT_ID). Rolled back before
// contract with such a consent written, the refusal named the new column's
// values alone: copied out and rerun with --drop-new-data, the rollback
// was refused again, by its gate on CLIENT_ID. It names both at once.
func TestOutsideS31KeycloakRollbackNamesItsGatesWithTheLosses(t *testing.T) {
	t.Parallel()
	const v342 = "CREATE TABLE `USER_CONSENT` (\n" +
		"  `ID` varchar(36) NOT NULL,\n" +
		"  `CLIENT_ID` varchar(36) NOT NULL,\n" +
		"  `USER_ID` varchar(36) NOT NULL,\n" +
		"  PRIMARY KEY (`ID`)\n" +
		") ENGINE=InnoDB;\n"
	v400 := strings.Replace(v342, "`CLIENT_ID` varchar(36) NOT NULL,\n", "`CLIENT_ID` varchar(36) DEFAULT NULL,\n  `EXTERNAL_CLIENT_ID` varchar(255) DEFAULT NULL,\n", 1)
	p := sqlReleasesProject(t, [2]string{"3_4_2", v342}, [2]string{"4_0_0", v400})
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "4_0_0.emcee.hcl"), []byte("table \"USER_CONSENT\" {\n  column \"CLIENT_ID\" {\n    allow_copy = true\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
	p.must("db", "sync", "3_4_2")
	p.exec("INSERT INTO USER_CONSENT VALUES ('uc1', 'c1', 'u1')")
	p.must("db", "expand")
	p.exec("INSERT INTO USER_CONSENT (ID, CLIENT_ID, USER_ID, EXTERNAL_CLIENT_ID) VALUES ('uc2', NULL, 'u2', 'ldap-client')")
	r := p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("rollback with a consent only 4.0.0 can hold: %s", r)
	}
	opContains(t, r, "column USER_CONSENT.EXTERNAL_CLIENT_ID: 1 row(s) hold a value only the new release wrote",
		"whichever way, the rollback's gates count rows the previous release's schema cannot hold; fix or remove them first",
		"gate widen-column: 1 row", "USER_CONSENT.CLIENT_ID is NOT NULL again in the previous release",
		"list them: SELECT * FROM `USER_CONSENT` WHERE `CLIENT_ID` IS NULL LIMIT 100")
	p.exec("DELETE FROM USER_CONSENT WHERE CLIENT_ID IS NULL")
	p.must("db", "rollback")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(ID) FROM USER_CONSENT"); got != "uc1" {
		t.Fatalf("consents after the rollback: %s", got)
	}
}

// Keycloak 3.4.0 dropped RESOURCE_SERVER.ID and renamed CLIENT_ID to ID.
// Declared so (renamed_from on ID), the release was told the declaration
// "was consumed by an earlier release; remove it". It is told to take
// CLIENT_ID's values under a new name, and to rename that back to ID once
// the old ID is gone; the two releases apply while both releases write,
// and ID ends up holding the client ids.
func TestOutsideS31KeycloakNameStillInUse(t *testing.T) {
	t.Parallel()
	const v330 = "CREATE TABLE `RESOURCE_SERVER` (\n" +
		"  `PK` int NOT NULL AUTO_INCREMENT PRIMARY KEY,\n" +
		"  `ID` varchar(36) NOT NULL,\n" +
		"  `CLIENT_ID` varchar(36) NOT NULL,\n" +
		"  `POLICY_ENFORCE_MODE` varchar(15) NOT NULL\n" +
		") ENGINE=InnoDB;\n"
	v340 := strings.Replace(v330, "  `CLIENT_ID` varchar(36) NOT NULL,\n", "", 1)
	p := sqlReleasesProject(t, [2]string{"3_3_0", v330}, [2]string{"3_4_0", v340})
	decl := func(release, s string) {
		if err := os.WriteFile(filepath.Join(p.Dir, "schema", release+".emcee.hcl"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	decl("3_4_0", "table \"RESOURCE_SERVER\" {\n  column \"ID\" {\n    renamed_from = \"CLIENT_ID\"\n  }\n}\n")
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan of ID taking over CLIENT_ID: %s", r)
	}
	opContains(t, r, "schema/3_4_0.emcee.hcl:3:5: RESOURCE_SERVER.ID takes over from \"CLIENT_ID\", but release 3_3_0 has both ID and CLIENT_ID",
		"Give them a new name here (a column with renamed_from = \"CLIENT_ID\", and a discard of ID if its values may go), and rename that column back to ID in a later release, once ID is dropped")
	if strings.Contains(r.Stderr, "consumed") {
		t.Errorf("the refusal still calls the declaration a leftover:\n%s", r)
	}
	// As it says: RS_CLIENT_ID in 3_4_0, ID again in 3_4_1.
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "3_4_0.sql"), []byte(strings.Replace(v340, "`ID` varchar(36)", "`RS_CLIENT_ID` varchar(36)", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	decl("3_4_0", "table \"RESOURCE_SERVER\" {\n  column \"RS_CLIENT_ID\" {\n    renamed_from = \"CLIENT_ID\"\n  }\n}\ndiscard {\n  table  = \"RESOURCE_SERVER\"\n  column = \"ID\"\n}\n")
	p.addRelease("3_4_1", v340)
	if err := os.Rename(filepath.Join(p.Dir, "schema", "3_4_1.hcl"), filepath.Join(p.Dir, "schema", "3_4_1.sql")); err != nil {
		t.Fatal(err)
	}
	decl("3_4_1", "table \"RESOURCE_SERVER\" {\n  column \"ID\" {\n    renamed_from = \"RS_CLIENT_ID\"\n  }\n}\n")
	p.must("plan")
	p.must("db", "sync", "3_3_0")
	p.exec("INSERT INTO RESOURCE_SERVER (ID, CLIENT_ID, POLICY_ENFORCE_MODE) VALUES ('rs-1', 'c1', 'ENFORCING')")
	p.must("db", "expand")
	p.exec("INSERT INTO RESOURCE_SERVER (ID, CLIENT_ID, POLICY_ENFORCE_MODE) VALUES ('rs-2', 'c2', 'ENFORCING')") // 3.3.0's code
	p.exec("INSERT INTO RESOURCE_SERVER (RS_CLIENT_ID, POLICY_ENFORCE_MODE) VALUES ('c3', 'PERMISSIVE')")         // 3.4.0's
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "expand")
	p.exec("INSERT INTO RESOURCE_SERVER (RS_CLIENT_ID, POLICY_ENFORCE_MODE) VALUES ('c4', 'ENFORCING')")
	p.exec("INSERT INTO RESOURCE_SERVER (ID, POLICY_ENFORCE_MODE) VALUES ('c5', 'ENFORCING')")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(ID ORDER BY PK) FROM RESOURCE_SERVER"); got != "c1,c2,c3,c4,c5" {
		t.Fatalf("ID after 3_4_1: %s", got)
	}
}

// Keycloak 4.0.0 renamed PROTOCOL_MAPPER.CLIENT_TEMPLATE_ID, NULL for a
// mapper of a client rather than a template. After migrate, db status
// listed such a row as pending (the rename's backfill leaves it NULL,
// matching its WHERE), while db check said contract was next and migrate
// had nothing to do. It counts what a migrate run would still rewrite.
func TestOutsideS31KeycloakStatusCountsWhatMigrateWouldRewrite(t *testing.T) {
	t.Parallel()
	const v342 = "CREATE TABLE `PROTOCOL_MAPPER` (\n" +
		"  `ID` varchar(36) NOT NULL,\n" +
		"  `NAME` varchar(255) NOT NULL,\n" +
		"  `CLIENT_TEMPLATE_ID` varchar(36) DEFAULT NULL,\n" +
		"  PRIMARY KEY (`ID`)\n" +
		") ENGINE=InnoDB;\n"
	v400 := strings.Replace(v342, "CLIENT_TEMPLATE_ID", "CLIENT_SCOPE_ID", 1)
	p := sqlReleasesProject(t, [2]string{"3_4_2", v342}, [2]string{"4_0_0", v400})
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "4_0_0.emcee.hcl"), []byte("table \"PROTOCOL_MAPPER\" {\n  column \"CLIENT_SCOPE_ID\" {\n    renamed_from = \"CLIENT_TEMPLATE_ID\"\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
	p.must("db", "sync", "3_4_2")
	p.exec("INSERT INTO PROTOCOL_MAPPER VALUES ('pm1', 'email', 't1'), ('pm2', 'name', NULL)")
	p.must("db", "expand")
	p.must("db", "migrate")
	if r := p.run("db", "check"); r.Code != 5 {
		t.Fatalf("db check after migrate: %s", r)
	}
	r := p.must("db", "status")
	for _, line := range strings.Split(r.Stdout, "\n") {
		if strings.HasPrefix(line, "4_0_0_migrate01") && strings.TrimSpace(strings.TrimPrefix(line, "4_0_0_migrate01")) != "applied  1/1" {
			t.Errorf("migrate is complete, its row reads %q:\n%s", line, r)
		}
	}
	p.must("db", "contract")
	p.must("db", "diff")
}

// Keycloak 4.0.0 renamed CLIENT_TEMPLATE's unique key UK_CLI_TEMPLATE
// (REALM_ID, NAME) to UK_CLI_SCOPE and dropped nine of its columns. The
// contract dropped UK_CLI_TEMPLATE with the columns, then added
// UK_CLI_SCOPE in a later statement: in between, a duplicate scope the new
// release wrote went in, and the addition failed half-way through
// contract. The old key goes in the statement that adds the new one.
func TestOutsideS31KeycloakRenamedUniqueKeyIsNeverMissing(t *testing.T) {
	t.Parallel()
	const v342 = "CREATE TABLE `CLIENT_SCOPE` (\n" +
		"  `ID` varchar(36) NOT NULL,\n" +
		"  `NAME` varchar(255) DEFAULT NULL,\n" +
		"  `REALM_ID` varchar(36) DEFAULT NULL,\n" +
		"  `CONSENT_REQUIRED` bit(1) NOT NULL DEFAULT b'0',\n" +
		"  PRIMARY KEY (`ID`),\n" +
		"  UNIQUE KEY `UK_CLI_TEMPLATE` (`REALM_ID`,`NAME`)\n" +
		") ENGINE=InnoDB;\n"
	v400 := strings.NewReplacer("  `CONSENT_REQUIRED` bit(1) NOT NULL DEFAULT b'0',\n", "", "UK_CLI_TEMPLATE", "UK_CLI_SCOPE").Replace(v342)
	p := sqlReleasesProject(t, [2]string{"3_4_2", v342}, [2]string{"4_0_0", v400})
	p.must("plan")
	var add, drop int
	for i, line := range strings.Split(p.read("plans/4_0_0/4_0_0_contract01.sql"), "\n") {
		if strings.Contains(line, "ADD UNIQUE INDEX `UK_CLI_SCOPE`") {
			add = i + 1
		}
		if strings.Contains(line, "DROP INDEX `UK_CLI_TEMPLATE`") {
			drop = i + 1
		}
	}
	if add == 0 || drop == 0 || drop < add {
		t.Fatalf("UK_CLI_TEMPLATE is dropped (line %d) before UK_CLI_SCOPE is added (line %d):\n%s", drop, add, p.read("plans/4_0_0/4_0_0_contract01.sql"))
	}
	p.must("db", "sync", "3_4_2")
	p.exec("INSERT INTO CLIENT_SCOPE (ID, NAME, REALM_ID) VALUES ('t1', 'roles', 'master'), ('t2', 'email', 'master')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if _, err := p.DB.Exec("INSERT INTO CLIENT_SCOPE (ID, NAME, REALM_ID) VALUES ('t3', 'roles', 'master')"); err == nil || !strings.Contains(err.Error(), "Duplicate") {
		t.Fatalf("UK_CLI_SCOPE must refuse a second scope named roles in master: %v", err)
	}
}
