package testserver

import (
	"strings"
	"testing"
	"time"
)

// A replica started beside a primary receives what the primary writes, and a
// database made with NewDB lives on the private server, not the shared one.
func TestReplicaFollowsPrimary(t *testing.T) {
	primary := Start(t, Options{ServerID: 1, LogBin: true})
	replica := Start(t, Options{ServerID: 2})
	replica.ReplicateFrom(t, primary)

	// A starting server deletes the #sql files in its tmpdir: a shared one
	// would take the running queries' temporary tables from the other servers.
	for _, s := range []*Server{primary, replica} {
		var tmp string
		if err := s.Open(t).QueryRow("SELECT @@tmpdir").Scan(&tmp); err != nil || !strings.HasPrefix(tmp, s.Dir) {
			t.Fatalf("server on port %d uses tmpdir %q, not one in %s (%v)", s.Port, tmp, s.Dir, err)
		}
	}

	db := primary.NewDB(t)
	if _, err := db.Exec("CREATE TABLE t (id int primary key)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO t VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	r := replica.Open(t)
	var n int
	deadline := time.Now().Add(time.Minute)
	for {
		err := r.QueryRow("SELECT COUNT(*) FROM `" + db.Name + "`.t").Scan(&n)
		if err == nil && n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica has %d rows of 3 (%v)", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	primary.Stop()
	if err := primary.Open(t).Ping(); err == nil {
		t.Fatal("a stopped server still answers")
	}
}
