package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

const attack2S25Table = `schema "s" {}

table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`

// TestAttack2S25LeftScratchIsSaidBeforeItIsMarked: a killed run's scratch
// database the server cannot drop (a *.TRG- left in its directory) is
// marked emcee_scratch_left by the run that finds it, and later runs say
// nothing more of it. The run that marked it said nothing either when it
// could not go on to create its own scratch database (here: the account
// may not create one; the same for Ctrl-C in the middle of the cleanup):
// the notes of what opening found were dropped with the failure, so the
// database was hidden from every run, unsaid.
func TestAttack2S25LeftScratchIsSaidBeforeItIsMarked(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	root := srv.Open(t)
	db := *srv.NewDB(t)
	for _, q := range []string{
		"CREATE USER emcee@'%' IDENTIFIED BY 'pw'",
		"GRANT ALL ON `" + db.Name + "`.* TO emcee@'%'",
		"GRANT ALL ON `emcee\\_scratch\\_%`.* TO emcee@'%'",
	} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.URL = fmt.Sprintf("mysql://emcee:pw@127.0.0.1:%d/%s", srv.Port, db.Name)
	p := plannedProjectOn(t, &db, "mariadb 10.11", [2]string{"a", attack2S25Table})
	p.must("db", "sync", "a")

	// A killed run's scratch database, with a file the server left.
	const stale = "emcee_scratch_1000_1"
	if _, err := root.Exec("CREATE DATABASE " + stale); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(srv.Dir, "data", stale, "gone.TRG-"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The account may clean up that one, but not create its own.
	for _, q := range []string{
		"REVOKE ALL ON `emcee\\_scratch\\_%`.* FROM emcee@'%'",
		"GRANT ALL ON `emcee\\_scratch\\_1000\\_%`.* TO emcee@'%'",
	} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	first := p.run("db", "diff")
	if first.Code == 0 {
		t.Fatalf("db diff without a scratch database: %s", first)
	}
	if _, err := root.Exec("GRANT ALL ON `emcee\\_scratch\\_%`.* TO emcee@'%'"); err != nil {
		t.Fatal(err)
	}
	second := p.must("db", "diff")
	var marked int
	if err := root.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'emcee_scratch_left'", stale).Scan(&marked); err != nil {
		t.Fatal(err)
	}
	said := strings.Contains(first.Stdout+first.Stderr, "could not drop scratch database "+stale) ||
		strings.Contains(second.Stdout+second.Stderr, "could not drop scratch database "+stale)
	if marked == 1 && !said {
		t.Fatalf("%s is marked to be left alone, and no run said so:\nfirst %s\nsecond %s", stale, first, second)
	}
	if !strings.Contains(first.Stdout+first.Stderr, "could not drop scratch database "+stale) {
		t.Errorf("the run that met %s first did not say so: %s", stale, first)
	}
	if err := os.Remove(filepath.Join(srv.Dir, "data", stale, "gone.TRG-")); err != nil {
		t.Fatal(err)
	}
	if _, err := root.Exec("DROP DATABASE " + stale); err != nil {
		t.Fatal(err)
	}
}
