package testserver

import (
	"testing"
	"time"
)

// A replica started beside a primary receives what the primary writes, and a
// database made with NewDB lives on the private server, not the shared one.
func TestReplicaFollowsPrimary(t *testing.T) {
	primary := Start(t, Options{ServerID: 1, LogBin: true})
	replica := Start(t, Options{ServerID: 2})
	replica.ReplicateFrom(t, primary)

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
