package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

// utf8Release is a table whose name column declares the utf8 alias, a
// varchar of size characters.
func utf8Release(size string) string {
	return `schema "app" {}
table "t" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "name" {
    type    = varchar(` + size + `)
    charset = "utf8"
  }
  primary_key {
    columns = [column.id]
  }
}
`
}

// emcee plans utf8 as MariaDB prints it, utf8mb3 (three bytes a
// character). A server whose old_mode lacks UTF8_IS_UTF8MB3 (--old-mode=
// here; MariaDB's documentation says it is to be dropped from the
// default) reads utf8 as utf8mb4: sync created t.name utf8mb4, and the
// widening of varchar(60) to varchar(80), planned INSTANT for 180 to 240
// bytes (a one-byte length prefix both), was 240 to 320 bytes there:
// the server refused it half-way through expand (error 1846), after a
// preflight that found no drift (the dev database read utf8 the same
// way). emcee's sessions read utf8 as the plans do.
func TestUTF8IsUTF8MB3WhateverTheServersOldMode(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{Args: []string{"--old-mode="}})
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", utf8Release("60")}, [2]string{"b", utf8Release("80")})
	if got := p.query("SELECT @@global.old_mode"); got != "" {
		t.Fatalf("the server's old_mode is %q, want none", got)
	}
	p.must("db", "sync", "a")
	const column = "SELECT COLUMN_TYPE, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'"
	if got := p.query(column); got != "varchar(60) utf8mb3_general_ci" {
		t.Fatalf("t.name after sync a: %s, want utf8mb3 as planned", got)
	}
	r := p.must("db", "expand")
	if !strings.Contains(r.Stdout+r.Stderr, "INSTANT") {
		t.Logf("expand:\n%s", r)
	}
	if got := p.query(column); got != "varchar(80) utf8mb3_general_ci" {
		t.Fatalf("t.name after expand b: %s", got)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
}

// pt-online-schema-change's sessions read utf8 as emcee's do: the tool
// ran the copy's ALTER (latin1 to utf8, planned as utf8mb3) in sessions
// of the server's old_mode, and made the column utf8mb4.
func TestOSCReadsUTF8AsThePlans(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{Args: []string{"--old-mode=NO_PROGRESS_INFO"}})
	note := func(charset, extra string) string {
		return strings.Replace(oscRelease("events", "hits", "int"), "  primary_key {", "  column \"note\" {\n    type    = varchar(10)\n    null    = true\n    charset = \""+charset+"\"\n"+extra+"  }\n  primary_key {", 1)
	}
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"v1", note("latin1", "")}, [2]string{"v2", note("utf8", "    allow_copy = true\n")})
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO events (hits, note) SELECT seq, 'x' FROM seq_1_to_100")
	r := p.must("db", "expand", "--osc", "pt-osc")
	if !strings.Contains(r.Stdout, "Successfully altered") {
		t.Fatalf("expand did not run the tool: %s", r)
	}
	if got := p.query("SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events' AND COLUMN_NAME = 'note'"); got != "utf8mb3_general_ci" {
		t.Fatalf("events.note after the tool's copy: %s, want utf8mb3 as planned", got)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
}
