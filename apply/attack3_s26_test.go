package apply

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// On a server telling names' case apart, a database APP beside app
// (and a table S beside s) is another, but KEY_COLUMN_USAGE compares
// names without case: the restore took app.x's key to APP.t for one to
// app.t (its rows' parents checked in app.t, the tables restored in the
// wrong order), and app.s's key to app.S for one to s itself. The tool's
// check of the keys referencing a table keeps comparing without case:
// the tool does (find_child_tables) and refuses app.t for APP's keys to
// APP.t.
func TestAttack3S26CaseTwinsInForeignKeys(t *testing.T) {
	db := testdb.New(t)
	var fold bool
	if err := db.QueryRow("SELECT @@lower_case_table_names <> 0").Scan(&fold); err != nil || fold {
		t.Skipf("the server does not tell names' case apart (%v)", err)
	}
	twin := sqlsyntax.Ident(strings.ToUpper(db.Name))
	t.Cleanup(func() {
		// x's key to the twin's t stops the twin's drop (1451), which left
		// the twin behind on every run.
		if _, err := db.Exec("DROP TABLE IF EXISTS x"); err != nil {
			t.Error(err)
		}
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + twin); err != nil {
			t.Error(err)
		}
	})
	for _, q := range []string{
		"CREATE DATABASE " + twin,
		"CREATE TABLE " + twin + ".t (id int NOT NULL PRIMARY KEY)",
		"CREATE TABLE " + twin + ".c (id int NOT NULL PRIMARY KEY, t_id int, CONSTRAINT fk_twin FOREIGN KEY (t_id) REFERENCES " + twin + ".t (id))",
		"CREATE TABLE t (id int NOT NULL PRIMARY KEY)",
		"CREATE TABLE x (id int NOT NULL PRIMARY KEY, p int, CONSTRAINT fk_x FOREIGN KEY (p) REFERENCES " + twin + ".t (id))",
		"CREATE TABLE S (id int NOT NULL PRIMARY KEY)",
		"CREATE TABLE s (id int NOT NULL PRIMARY KEY, p int, CONSTRAINT fk_s FOREIGN KEY (p) REFERENCES S (id))",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Cfg: cfg, Conn: conn}
	if err := s.oscNames(t.Context(), &sqlsyntax.OSCAlter{Table: "t"}); err == nil || !strings.Contains(err.Error(), "("+strings.ToUpper(db.Name)+".c (fk_twin), "+db.Name+".x (fk_x))") {
		t.Errorf("the tool's check of %s.t, which the tool takes %s.c's key for a child of: %v", db.Name, twin, err)
	}
	for table, want := range map[string]foreignKey{"x": {local: false, self: false}, "s": {local: true, self: false}} {
		fks, err := s.foreignKeys(t.Context(), table)
		if err != nil || len(fks) != 1 {
			t.Fatalf("foreign keys of %s: %v, %v", table, fks, err)
		}
		if fks[0].local != want.local || fks[0].self != want.self {
			t.Errorf("key %s of %s to %s.%s: local %v, self %v; want %v, %v", fks[0].name, table, fks[0].schema, fks[0].table, fks[0].local, fks[0].self, want.local, want.self)
		}
	}
}
