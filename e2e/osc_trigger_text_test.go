package e2e

import (
	"database/sql"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// showCreateTrigger is SHOW CREATE TRIGGER's row without its Created, the
// statement as bytes.
func showCreateTrigger(t *testing.T, p *opProject, name string) string {
	t.Helper()
	var trigger, sqlMode, stmt, client, collation, dbCollation string
	var created sql.NullString
	if err := p.DB.QueryRow("SHOW CREATE TRIGGER `"+name+"`").Scan(&trigger, &sqlMode, &stmt, &client, &collation, &dbCollation, &created); err != nil {
		t.Fatalf("SHOW CREATE TRIGGER %s: %v", name, err)
	}
	return fmt.Sprintf("%s | %s | %X | %s | %s | %s", trigger, sqlMode, stmt, client, collation, dbCollation)
}

// --preserve-triggers moves a table's triggers to the tool's copy from
// information_schema.TRIGGERS, whose text is utf8mb3, and sends the body
// as UTF-8 under the trigger's own character_set_client: a character
// beyond the BMP in a trigger created in utf8mb4 came back as '?', and
// the é of a trigger created by a latin1 client as Ã©, and the triggers
// went on writing that. emcee's plugin gives the tool the body as SHOW
// CREATE TRIGGER prints it, sent in the trigger's character set: after
// the copy, SHOW CREATE TRIGGER prints the same bytes.
func TestOSCKeepsTriggerTextExactly(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 200, false, "")
	definer := p.query("SELECT CONCAT('`', REPLACE(CURRENT_USER(), '@', '`@`'), '`')")
	// Written as the tool writes them, so that the statement it creates
	// again can be compared byte for byte.
	header := func(name, when string) string {
		return "CREATE DEFINER=" + definer + " TRIGGER `" + p.DB.Name + "`.`" + name + "` " + when + " ON `events` FOR EACH ROW\n"
	}
	p.exec(header("app_bi", "BEFORE INSERT") + "SET NEW.`label` = CONCAT('né ☃ 😀 ', NEW.`hits`)")
	cfg, err := mysql.ParseDSN(p.DB.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = p.DB.Name
	cfg.Params = map[string]string{"charset": "latin1"}
	latin1, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer latin1.Close()
	if _, err := latin1.Exec(header("app_bu", "BEFORE UPDATE") + "SET NEW.`label` = CONCAT('n\xe9 ', NEW.`hits`)"); err != nil {
		t.Fatal(err)
	}
	before := showCreateTrigger(t, p, "app_bi") + "\n" + showCreateTrigger(t, p, "app_bu")
	if !strings.Contains(before, "| latin1 |") {
		t.Fatalf("the second trigger is not a latin1 client's: %s", before)
	}
	r := p.must("db", "expand", "--allow-drift", "--osc", "pt-osc")
	// The window in which the table is without them is said.
	opContains(t, r, "note: `events` has triggers (app_bi, app_bu): the tool moves them to its copy one at a time just before it swaps the tables")
	if after := showCreateTrigger(t, p, "app_bi") + "\n" + showCreateTrigger(t, p, "app_bu"); after != before {
		t.Fatalf("the triggers after the copy:\n%s\nbefore:\n%s", after, before)
	}
	p.exec("INSERT INTO events (hits) VALUES (7000)")
	p.exec("UPDATE events SET hits = 8000 WHERE id = 1")
	if got := p.query("SELECT label FROM events WHERE hits IN (7000, 8000) ORDER BY hits"); got != "né ☃ 😀 7000\nné 8000" {
		t.Fatalf("what the triggers write after the copy: %q", got)
	}
}

// After a crash between the tool's moving the table's triggers to its
// copy and its swap, the rerun creates them again on the table from the
// copy, as the server defines them: from information_schema, a 4-byte
// character of the body came back as '?', and a latin1 client's trigger
// was created again over emcee's utf8mb4 session as a utf8mb4 one. The
// body now comes from SHOW CREATE TRIGGER, sent in the trigger's
// character set.
func TestOSCCrashKeepsTriggerTextExactly(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 100000, false, "  osc            = \"pt-osc\"\n  osc_chunk_time = \"20ms\"\n")
	cfg, err := mysql.ParseDSN(p.DB.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = p.DB.Name
	cfg.Params = map[string]string{"charset": "latin1"}
	latin1, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer latin1.Close()
	bodies := map[string]string{"app_bi": "SET NEW.`label` = CONCAT('né ☃ 😀 ', NEW.`hits`)", "app_bu": "SET NEW.`label` = CONCAT('né ', NEW.`hits`)"}
	create := func(on string) {
		p.exec("CREATE TRIGGER `app_bi` BEFORE INSERT ON `" + on + "` FOR EACH ROW " + bodies["app_bi"])
		if _, err := latin1.Exec("CREATE TRIGGER `app_bu` BEFORE UPDATE ON `" + on + "` FOR EACH ROW SET NEW.`label` = CONCAT('n\xe9 ', NEW.`hits`)"); err != nil {
			t.Fatal(err)
		}
	}
	create("events")
	run := p.command("db", "expand", "--allow-drift")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the tool to copy rows", func() bool {
		var n int
		err := p.DB.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM `_events_new` LIMIT 1) x").Scan(&n)
		return err == nil && n == 1
	})
	tools := childPIDs(t, run.Process.Pid)
	_ = run.Process.Kill()
	_ = run.Wait()
	for _, pid := range tools {
		p.waitFor("the tool to die with emcee", func() bool { return syscall.Kill(pid, 0) != nil })
	}
	// Where the tool leaves them when it dies between moving them and
	// the swap.
	p.exec("DROP TRIGGER app_bi")
	p.exec("DROP TRIGGER app_bu")
	create("_events_new")
	r := p.must("db", "expand", "--allow-drift")
	opContains(t, r, "creating trigger `app_bi` on `events` again", "creating trigger `app_bu` on `events` again", "v2_expand01 applied")
	for name, client := range map[string]string{"app_bi": "utf8mb4", "app_bu": "latin1"} {
		var trigger, sqlMode, stmt, cs, collation, dbCollation string
		var created sql.NullString
		if err := p.DB.QueryRow("SHOW CREATE TRIGGER `"+name+"`").Scan(&trigger, &sqlMode, &stmt, &cs, &collation, &dbCollation, &created); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(stmt, bodies[name]) || cs != client {
			t.Errorf("%s after the crash and the rerun: %q, character_set_client %s; want the body %q, %s", name, stmt, cs, bodies[name], client)
		}
	}
	p.exec("INSERT INTO events (hits) VALUES (7000000)")
	p.exec("UPDATE events SET hits = 8000000 WHERE id = 1")
	if got := p.query("SELECT label FROM events WHERE hits IN (7000000, 8000000) ORDER BY hits"); got != "né ☃ 😀 7000000\nné 8000000" {
		t.Fatalf("what the triggers write after the rerun: %q", got)
	}
}
