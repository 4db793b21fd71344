package e2e

import (
	"os"
	"path/filepath"
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
