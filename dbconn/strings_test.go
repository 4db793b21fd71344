package dbconn

import (
	"slices"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// What EXTRA says of a column, on MySQL 8 and MariaDB: only VIRTUAL and
// STORED GENERATED columns are left out. MySQL 8's DEFAULT_GENERATED (a
// default that is an expression) is a column a statement sets; the dev
// database's trigger probes left it out (EXTRA NOT LIKE '%GENERATED%').
// No MySQL 8 server here: the values are those its manual lists.
func TestGeneratedColumnsByExtra(t *testing.T) {
	for extra, want := range map[string]bool{
		"":                  false,
		"auto_increment":    false,
		"DEFAULT_GENERATED": false,
		"DEFAULT_GENERATED on update CURRENT_TIMESTAMP": false,
		"on update current_timestamp()":                 false, // MariaDB
		"DEFAULT_GENERATED INVISIBLE":                   false,
		"INVISIBLE":                                     false,
		"VIRTUAL GENERATED":                             true,
		"STORED GENERATED":                              true,
		"VIRTUAL GENERATED INVISIBLE":                   true,
		"STORED GENERATED INVISIBLE":                    true,
	} {
		if got := generated(extra); got != want {
			t.Errorf("generated(%q) = %v, want %v", extra, got, want)
		}
	}
}

// On MariaDB: a table's columns but its generated ones, in order, a column
// whose default is an expression among them.
func TestStoredColumns(t *testing.T) {
	db := testdb.New(t)
	if _, err := db.Exec("CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, n int, v int AS (n + 1) VIRTUAL, d datetime DEFAULT (NOW() + INTERVAL 1 DAY), s int AS (n * 2) STORED, u timestamp DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)"); err != nil {
		t.Fatal(err)
	}
	got, err := StoredColumns(t.Context(), db, "t")
	if want := []string{"id", "n", "d", "u"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("StoredColumns: %q, %v; want %q", got, err, want)
	}
}
