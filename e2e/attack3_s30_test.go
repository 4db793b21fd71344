package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// The env's exclude leaves out tables no release declares. A table a
// later release creates is declared by one, yet before its expand it is
// not in the state the drift check expects, so a glob naming it left out a
// leftover of that name ("no release declares" said of the table the next
// release creates): the preflight passed and expand failed at its CREATE
// TABLE (1050) after the statements before it had run. It is compared, and
// the leftover refused before anything changes.
func TestAttack3S30ExcludeLeavesInWhatAReleaseCreates(t *testing.T) {
	t.Parallel()
	p := plannedProject(t, "mariadb 10.11", [2]string{"m3", matomo3}, [2]string{"m4", matomo4Tables + matomoMove})
	cfg := p.read("atlas.hcl")
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(cfg, "env \"test\" {\n", "env \"test\" {\n  exclude = [\"user_*\"]\n", 1)))
	p.must("db", "sync", "m3")
	p.exec("CREATE TABLE user_token_auth (id int PRIMARY KEY, leftover text)")
	p.exec("CREATE TABLE user_sessions (id int PRIMARY KEY)")
	r := p.run("db", "expand")
	if r.Code == 0 {
		t.Fatalf("expand over a leftover table the release creates: %s", r)
	}
	opContains(t, r, "table user_token_auth is unexpected", "nothing was changed")
	if strings.Contains(r.Stdout+r.Stderr, "1050") || strings.Contains(r.Stdout, "applying m4_expand01") {
		t.Fatalf("expand ran into the leftover instead of refusing it first: %s", r)
	}
	// The table no release declares is still left out.
	p.exec("DROP TABLE user_token_auth")
	opContains(t, p.must("db", "expand"), "apart from 1 table no release declares that the env's exclude leaves out (user_sessions)", "m4_expand01 applied")
}

// A data migration has no trigger: the rows the previous release writes
// after migrate passed them stay pending until migrate runs again once its
// code is gone (its catch-up), as the operator is told to. simulate went
// from migrate to contract with no catch-up, so every rehearsal of a
// release moving values into rows of a new table, the previous release's
// workers writing users with tokens, ended in contract's closed gate (exit
// 1, the rehearsal "could not run").
func TestAttack3S30SimulateCatchesUpADataMigration(t *testing.T) {
	t.Parallel()
	m3 := "schema \"app\" {}\ntable \"user\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"login\" {\n    type = varchar(100)\n  }\n  column \"token_auth\" {\n    type    = varchar(255)\n    default = \"\"\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	m4 := replaceOnce(m3, "  column \"token_auth\" {\n    type    = varchar(255)\n    default = \"\"\n  }\n", "") +
		"table \"user_token_auth\" {\n  schema = schema.app\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"user_id\" {\n    type = int\n  }\n  column \"password\" {\n    type = varchar(255)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
		"data_migration \"token_auth\" {\n  table   = \"user_token_auth\"\n  from    = \"user\"\n  insert  = \"user_id = id, password = token_auth\"\n  pending = \"token_auth <> '' AND NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.user_id = user.id)\"\n}\n"
	p := newSchemaProject(t, [2]string{"m3", m3}, [2]string{"m4", m4})
	p.must("plan")
	scratch := testdb.New(t)
	r := p.run("simulate", "--url", scratch.URL, "--rows", "300", "--baseline", "200ms", "--settle", "500ms")
	if r.Code != 0 {
		t.Fatalf("simulate of a data migration inserting rows: %s", r)
	}
	opContains(t, r, "catch-up", "emcee db migrate again", "result: no failed statement, no lost or inconsistent row")
	var pending int
	if err := scratch.QueryRow("SELECT COUNT(*) FROM user_token_auth").Scan(&pending); err != nil || pending == 0 {
		t.Fatalf("user_token_auth after the rehearsal: %d rows (%v)", pending, err)
	}
}
