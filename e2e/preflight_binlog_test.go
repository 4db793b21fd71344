package e2e

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

// The trigger-privilege preflight on a server with binary logging on, for
// a user without SUPER: with log_bin_trust_function_creators off the
// server would refuse CREATE TRIGGER, and expand refuses first, before
// the first trigger (nothing changed); once it is on, expand runs and
// creates them. The server's own refusal is checked too, so the test
// fails if the preflight's premise stops holding.
func TestTriggerPreflightWithBinaryLog(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{ServerID: 1, LogBin: true})
	root := srv.Open(t)
	db := srv.NewDB(t)
	for _, q := range []string{
		"CREATE USER 'deployer'@'%' IDENTIFIED BY 'pw-not-printed'",
		"CREATE USER 'deployer'@'localhost' IDENTIFIED BY 'pw-not-printed'",
		fmt.Sprintf("GRANT ALL ON `%s`.* TO 'deployer'@'%%'", db.Name),
		fmt.Sprintf("GRANT ALL ON `%s`.* TO 'deployer'@'localhost'", db.Name),
		// The drift check's scratch databases, as the error of a run
		// without it says.
		"GRANT ALL ON `emcee_scratch_%`.* TO 'deployer'@'%'",
		"GRANT ALL ON `emcee_scratch_%`.* TO 'deployer'@'localhost'",
		"SET GLOBAL log_bin_trust_function_creators = 0",
	} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	as := *db
	as.URL = fmt.Sprintf("mysql://deployer:pw-not-printed@127.0.0.1:%d/%s", srv.Port, db.Name)
	p := plannedProjectOn(t, &as, "mariadb 10.11", [2]string{"a", throttleA}, [2]string{"b", throttleB})
	if r := p.run("db", "sync", "a"); r.Code != 0 {
		t.Fatalf("sync a as deployer: %s", r)
	}
	triggers := func() int {
		var n int
		if err := root.QueryRow("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?", db.Name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	r := p.run("db", "expand")
	if r.Code != 1 || !strings.Contains(r.Stderr, "binary logging is on, and deployer has neither SUPER nor log_bin_trust_function_creators=1") ||
		strings.Contains(r.Stdout+r.Stderr, "pw-not-printed") || triggers() != 0 {
		t.Fatalf("expand as a user without SUPER, binary log on, trust off: want a refusal before any trigger; got %d triggers and %s", triggers(), r)
	}
	var cols int
	if err := root.QueryRow("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'items'", db.Name).Scan(&cols); err != nil || cols != 2 {
		t.Fatalf("the refused expand changed the table: %d columns (%v)", cols, err)
	}
	// The server agrees: it refuses this user a trigger.
	dep, err := sql.Open("mysql", fmt.Sprintf("deployer:pw-not-printed@tcp(127.0.0.1:%d)/%s", srv.Port, db.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer dep.Close()
	if _, err := dep.Exec("CREATE TRIGGER probe BEFORE INSERT ON items FOR EACH ROW SET NEW.name = NEW.name"); err == nil || !strings.Contains(err.Error(), "1419") {
		t.Fatalf("the server let a user without SUPER create a trigger with binary logging on (%v): the preflight's premise is wrong", err)
	}
	if _, err := root.Exec("SET GLOBAL log_bin_trust_function_creators = 1"); err != nil {
		t.Fatal(err)
	}
	r = p.run("db", "expand")
	if r.Code != 0 || !strings.Contains(r.Stdout, "binary logging is on and log_bin_trust_function_creators=1") || triggers() == 0 {
		t.Fatalf("expand with log_bin_trust_function_creators on: want triggers created; got %d and %s", triggers(), r)
	}
}
