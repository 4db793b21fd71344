package e2e

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// oscConstrained is a parent table and a child table with a foreign key
// and a named CHECK; v2 widens child.n from int to bigint (a table copy).
func oscConstrained(typ string) string {
	copyOK := ""
	if typ == "bigint" {
		copyOK = "\n    allow_copy = true"
	}
	return `schema "app" {}
table "parent" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
table "child" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "pid" {
    type = int
    null = true
  }
  column "n" {
    type = ` + typ + copyOK + `
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_pid" {
    columns = [column.pid]
  }
  foreign_key "fk_pid" {
    columns     = [column.pid]
    ref_columns = [table.parent.column.id]
  }
  check "ck_n" {
    expr = "n >= 0"
  }
}
`
}

// pt-online-schema-change creates its copy with every constraint renamed
// (fk_pid -> _fk_pid, ck_n -> _ck_n) and swaps it in under those names:
// expand said "applied", and from then on the database had drifted from
// its revisions (db diff exit 6: foreign key fk_pid missing). And a
// revision that drops a check while the table is copied (a changed check,
// in one ALTER with a widening) reached the tool as MySQL's DROP CHECK,
// a syntax error on MariaDB, and would not have found ck_n on the copy
// anyway. Each tool run here (expand's widening with the check dropped,
// contract's check added back) must leave the names the revisions say.
func TestAttackOSCKeepsConstraintNames(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	v2 := strings.Replace(oscConstrained("bigint"), "n >= 0", "n >= 1", 1)
	p := newSchemaProject(t, [2]string{"v1", oscConstrained("int")}, [2]string{"v2", v2})
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO parent VALUES (1), (2)")
	p.exec("INSERT INTO child SELECT seq, 1 + seq % 2, seq FROM seq_1_to_1000")
	constraints := func() string {
		return p.query("SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' AND CONSTRAINT_TYPE <> 'PRIMARY KEY' ORDER BY 1")
	}
	for _, phase := range []struct{ cmd, want, constraints string }{
		{"expand", "DROP CONSTRAINT `ck_n`", "fk_pid FOREIGN KEY"},
		{"migrate", "", "fk_pid FOREIGN KEY"},
		{"contract", "ADD CONSTRAINT `ck_n` CHECK", "ck_n CHECK\nfk_pid FOREIGN KEY"},
	} {
		r := p.run("db", phase.cmd, "--osc", "pt-osc")
		if r.Code != 0 {
			t.Fatalf("db %s through the tool: %s", phase.cmd, r)
		}
		if phase.want != "" {
			opContains(t, r, "handed to pt-online-schema-change", phase.want, "foreign keys of `child` get back the names")
		}
		if got := constraints(); got != phase.constraints {
			t.Fatalf("constraints of child after db %s: %q\n%s", phase.cmd, got, r)
		}
		if d := p.run("db", "diff"); d.Code != 0 {
			t.Fatalf("after db %s through the tool, the database has drifted: %s", phase.cmd, d)
		}
	}
	if got := p.query("SELECT COUNT(*), SUM(n) FROM child"); got != "1000 500500" {
		t.Fatalf("rows: %s", got)
	}
	if _, err := p.DB.Exec("INSERT INTO child VALUES (2000, 3, 1)"); err == nil {
		t.Fatal("the foreign key does not hold after the tool")
	}
	if _, err := p.DB.Exec("INSERT INTO child VALUES (2000, 1, 0)"); err == nil {
		t.Fatal("the check does not hold after the tool")
	}
}

// The tool refuses to add a unique index (--check-unique-key-change; it
// copies with INSERT IGNORE and would drop duplicates silently) and to copy
// a table other tables' foreign keys reference (it needs
// --alter-foreign-keys-method). emcee handed it such statements anyway,
// after the revision's gates and earlier statements had run; it must
// refuse them before the revision runs anything.
func TestAttackOSCRefusedBeforeTheRevisionRuns(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	v1 := oscConstrained("int")
	parentW := func(typ string) string {
		return strings.Replace(v1, "    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"child\"", "    type = int\n  }\n  column \"w\" {\n    type = "+typ+"\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"child\"", 1)
	}
	for _, c := range []struct{ name, v1, v2, cmd, refused string }{
		{"unique index", v1, strings.Replace(strings.Replace(v1, "  index \"ix_pid\" {", "  index \"ux_n\" {\n    unique  = true\n    columns = [column.n]\n  }\n  index \"ix_pid\" {", 1), "column \"n\" {\n    type = int", "column \"n\" {\n    type       = smallint\n    allow_copy = true", 1),
			"contract", "it adds a unique index `ux_n`, and pt-online-schema-change copies rows with INSERT IGNORE"},
		{"referenced table", parentW("int"), parentW("bigint\n    allow_copy = true"),
			"expand", "foreign keys of other tables reference `parent` (emcee_t_"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newSchemaProject(t, [2]string{"v1", c.v1}, [2]string{"v2", c.v2})
			if r := p.plan(); r.Code != 0 {
				t.Fatalf("plan: %s", r)
			}
			p.must("db", "sync", "v1")
			p.exec("INSERT INTO parent (id) VALUES (1), (2)")
			p.exec("INSERT INTO child SELECT seq, 1 + seq % 2, seq FROM seq_1_to_1000")
			if c.cmd == "contract" {
				p.must("db", "expand")
				p.must("db", "migrate")
			}
			r := p.run("db", c.cmd, "--osc", "pt-osc")
			if r.Code != 1 {
				t.Fatalf("want exit 1: %s", r)
			}
			opContains(t, r, "v2_"+c.cmd+"01 refused before it ran anything", c.refused, "run without --osc pt-osc")
			if strings.Contains(r.Stdout, "handed to") || strings.Contains(r.Stdout, "gate open") {
				t.Fatalf("the revision ran before it was refused: %s", r)
			}
			if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name = ?", "v2_"+c.cmd+"01"); got != "0" {
				t.Fatalf("a refused revision was started")
			}
			p.must("db", c.cmd)
		})
	}
}

// emcee's operator lock lives on its connection, idle while the tool
// copies: a connection the server drops (wait_timeout, shorter than a long
// copy; a KILL) let a second run in while the first run's tool was still
// copying, and the second run dropped that tool's copy and triggers as
// leftovers (reproduced; the first tool, failing, then drops triggers by
// the same names, which may by then be the second tool's). The first run
// must notice that it lost the lock and stop its tool before the swap.
func TestAttackOSCLockLostWhileTheToolCopies(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	const rows = 300000
	p := newOSCProject(t, "events", "hits", rows, false, "  osc            = \"pt-osc\"\n  osc_chunk_time = \"20ms\"\n")
	first := p.command("db", "expand")
	var stdout, stderr bytes.Buffer
	first.Stdout, first.Stderr = &stdout, &stderr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the tool to copy rows", func() bool {
		var n int
		err := p.DB.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM `_events_new` LIMIT 1) x").Scan(&n)
		return err == nil && n == 1
	})
	// The tool must still be copying when emcee next checks its lock (once
	// a second): on a quiet machine it copied all the rows within that
	// second. The last row, held from here (the copy has only begun: it
	// goes in key order), stops its last chunk (which waits, fails after
	// the tool's 1 s lock wait and is retried) until the end. Held from
	// before the tool starts, it would stop the tool's LOCK TABLES instead.
	ctx := context.Background()
	holder, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	var last int64
	if err := holder.QueryRowContext(ctx, "SELECT id FROM events ORDER BY id DESC LIMIT 1 FOR UPDATE").Scan(&last); err != nil {
		t.Fatal(err)
	}
	p.exec("KILL CONNECTION " + p.query("SELECT IS_USED_LOCK(?)", "emcee:"+p.DB.Name))
	r := opResult{Code: exitCode(t, first.Wait()), Stdout: stdout.String(), Stderr: stderr.String()}
	if _, err := holder.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if r.Code != 1 {
		t.Fatalf("want exit 1 from the run that lost its lock: %s", r)
	}
	opContains(t, r, "emcee lost its operator lock", "stopped the tool so that no second run meets it", "rerun `emcee db expand --env test`")
	if got := p.columns("events"); !strings.Contains(got, "hits int(11) NO") {
		t.Fatalf("the tool swapped the table in after emcee lost its lock:\n%s", got)
	}
	p.must("db", "expand")
	if got := p.query("SELECT COUNT(*), SUM(hits) FROM events"); got != "300000 45000150000" {
		t.Fatalf("rows after the rerun: %s", got)
	}
	if got := p.columns("events"); !strings.Contains(got, "hits bigint(20) NO") {
		t.Fatalf("hits not widened:\n%s", got)
	}
}

// A run that finds the tool's copy and triggers of a stopped run must not
// drop them while that tool is still alive (a tool started by a run that
// lost its lock, or whose emcee died another way than the tool did): it
// holds its own lock for as long as it runs, and the rerun says so.
func TestAttackOSCLeftoversOfALiveToolKept(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 300000, false, "  osc            = \"pt-osc\"\n  osc_chunk_time = \"20ms\"\n")
	run := p.command("db", "expand")
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
	// What a tool still copying holds.
	conn, err := p.DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var id int64
	if err := conn.QueryRowContext(context.Background(), "SELECT CONNECTION_ID() FROM (SELECT GET_LOCK(?, 0)) x", "emcee:osc:"+p.DB.Name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("want exit 1 while the tool lives: %s", r)
	}
	opContains(t, r, "pt-online-schema-change that an earlier emcee run started", fmt.Sprintf("is still running (its connection %d", id), fmt.Sprintf("KILL %d", id))
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_events_new'"); got != "1" {
		t.Fatal("the copy of a live tool was dropped")
	}
	// The revision is not untouched: a rollback must not take it for one
	// that never ran (and leave the tool's triggers on the table).
	rb := p.run("db", "rollback")
	if rb.Code != 1 {
		t.Fatalf("rollback over the tool's leftovers: %s", rb)
	}
	opContains(t, rb, "v2_expand01 stopped half-way (statement 1 handed to pt-online-schema-change 3.2.1, which may have left its copy and triggers)", "finish it with `emcee db expand --env test`")
	// The tool ends.
	if _, err := conn.ExecContext(context.Background(), "DO RELEASE_LOCK(?)", "emcee:osc:"+p.DB.Name); err != nil {
		t.Fatal(err)
	}
	opContains(t, p.must("db", "expand"), "dropping what pt-online-schema-change 3.2.1 left behind", "v2_expand01 applied")
	if got := p.query("SELECT COUNT(*), SUM(hits) FROM events"); got != "300000 45000150000" {
		t.Fatalf("rows after the rerun: %s", got)
	}
}

// A run that stops after its tool finished and before it recorded so
// (killed in between; its connection lost; a step after the tool refused)
// leaves the state below: the statement in flight, the tool running, and
// nothing of the tool's left, the table altered. The rerun handed the
// statement to the tool again, which failed on every rerun for good on the
// clause it had already applied ("Duplicate column name 'note'"). It must
// find that the tool had finished.
func TestAttackOSCFinishedBeforeTheRunRecordedIt(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	v1 := oscRelease("events", "hits", "int")
	v2 := strings.Replace(strings.Replace(oscRelease("events", "hits", "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1),
		"  primary_key {", "  column \"note\" {\n    type = varchar(10)\n    null = true\n  }\n  primary_key {", 1)
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	if got := p.read("plans/v2/v2_expand01.sql"); !strings.Contains(got, "ADD COLUMN `note`") || strings.Count(got, "ALTER TABLE") != 1 {
		t.Fatalf("want one ALTER that copies the table and adds note:\n%s", got)
	}
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO events (hits, label) SELECT seq, 'x' FROM seq_1_to_5000")
	p.must("db", "expand", "--osc", "pt-osc")
	// What the record held between the tool's exit and its record.
	p.exec(`UPDATE emcee_revisions SET applied = 0, in_flight = 1, finished_at = NULL, osc = '{"running":{"statement":1,"tool":"pt-online-schema-change 3.2.1","table":"events"}}' WHERE name = 'v2_expand01'`)
	r := p.run("db", "expand", "--osc", "pt-osc")
	if r.Code != 0 {
		t.Fatalf("rerun after the tool had finished: %s", r)
	}
	opContains(t, r, "had swapped in the altered table before the run stopped: counted as applied", "v2_expand01 applied")
	if strings.Contains(r.Stdout, "Successfully altered") {
		t.Fatalf("the tool copied the table again:\n%s", r)
	}
	if got := p.query("SELECT COUNT(*), SUM(hits) FROM events"); got != "5000 12502500" {
		t.Fatalf("rows: %s", got)
	}
	p.must("db", "diff")
}

// A contract that drops a foreign key in the ALTER that copies the table
// handed the tool DROP FOREIGN KEY `fk_pid`, which its copy holds as
// _fk_pid: "Can't DROP FOREIGN KEY `fk_pid`", halfway through contract.
// And a table without a primary key or a unique NOT NULL key was refused
// by the tool only after it had created its copy, mid-revision.
func TestAttackOSCDropsForeignKeyAndNeedsAKey(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	t.Run("drop foreign key", func(t *testing.T) {
		t.Parallel()
		v2 := strings.Replace(strings.Replace(oscConstrained("int"), "  foreign_key \"fk_pid\" {\n    columns     = [column.pid]\n    ref_columns = [table.parent.column.id]\n  }\n", "", 1),
			"type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index", "type = int\n    allow_copy = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index", 1)
		p := newSchemaProject(t, [2]string{"v1", oscConstrained("bigint")}, [2]string{"v2", v2})
		if r := p.plan(); r.Code != 0 {
			t.Fatalf("plan: %s", r)
		}
		if got := p.read("plans/v2/v2_contract01.sql"); !strings.Contains(got, "DROP FOREIGN KEY `fk_pid`, MODIFY COLUMN `n` int NOT NULL, ALGORITHM=COPY") {
			t.Fatalf("want the foreign key dropped in the ALTER that copies the table:\n%s", got)
		}
		p.must("db", "sync", "v1")
		p.exec("INSERT INTO parent VALUES (1), (2)")
		p.exec("INSERT INTO child SELECT seq, 1 + seq % 2, seq FROM seq_1_to_1000")
		p.must("db", "expand")
		p.must("db", "migrate")
		r := p.run("db", "contract", "--osc", "pt-osc")
		if r.Code != 0 {
			t.Fatalf("contract through the tool: %s", r)
		}
		opContains(t, r, "handed to pt-online-schema-change 3.2.1: ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`", "Successfully altered")
		if got := p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"); got != "0" {
			t.Fatalf("foreign keys left: %s", got)
		}
		p.must("db", "diff")
		if got := p.query("SELECT COUNT(*), SUM(n) FROM child"); got != "1000 500500" {
			t.Fatalf("rows: %s", got)
		}
	})
	t.Run("no key", func(t *testing.T) {
		t.Parallel()
		v1 := "schema \"app\" {}\ntable \"logs\" {\n  schema = schema.app\n  column \"n\" {\n    type = int\n  }\n  column \"m\" {\n    type = int\n    null = true\n  }\n}\n"
		v2 := strings.Replace(v1, "type = int\n  }\n  column \"m\"", "type = bigint\n    allow_copy = true\n  }\n  column \"m\"", 1)
		p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
		if r := p.plan(); r.Code != 0 {
			t.Fatalf("plan: %s", r)
		}
		p.must("db", "sync", "v1")
		p.exec("INSERT INTO logs SELECT seq, seq FROM seq_1_to_100")
		r := p.run("db", "expand", "--osc", "pt-osc")
		if r.Code != 1 {
			t.Fatalf("want exit 1: %s", r)
		}
		opContains(t, r, "v2_expand01 refused before it ran anything", "table `logs` has no primary key and no unique index over NOT NULL columns", "run without --osc pt-osc")
		if strings.Contains(r.Stdout, "handed to") {
			t.Fatalf("the tool ran: %s", r)
		}
		p.must("db", "expand")
	})
}

// pt-online-schema-change looks for an added unique key in --alter with a
// regular expression (\sUNIQUE\s+...\(): a column named "my unique code"
// whose VARCHAR(100) follows made it refuse the statement ("You are trying
// to add an unique key"), halfway through the revision. emcee refuses a
// real unique key itself, from the statement's tree.
func TestAttackOSCColumnNamedUnique(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	v1 := oscRelease("events", "my unique code", "varchar(60)")
	v2 := strings.Replace(oscRelease("events", "my unique code", "varchar(100)"), "    type = varchar(100)\n", "    type       = varchar(100)\n    allow_copy = true\n", 1)
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	if got := p.read("plans/v2/v2_expand01.sql"); !strings.Contains(got, "ALGORITHM=COPY") {
		t.Fatalf("want a table copy:\n%s", got)
	}
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO events (`my unique code`, label) SELECT CONCAT('c', seq), 'x' FROM seq_1_to_1000")
	r := p.run("db", "expand", "--osc", "pt-osc")
	if r.Code != 0 {
		t.Fatalf("expand through the tool: %s", r)
	}
	opContains(t, r, "Successfully altered")
	if got := p.query("SELECT COUNT(DISTINCT `my unique code`) FROM events"); got != "1000" {
		t.Fatalf("rows: %s", got)
	}
}

// Every trigger whose name started with pt_osc_ was taken for the tool's:
// an application's trigger pt_osc_audit on the table made emcee refuse to
// run, telling the operator to drop it (and a rerun after a crash would
// have dropped it). Only the tool's own three names are its.
func TestAttackOSCApplicationTriggerNamedLikeTheTools(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 1000, false, "")
	p.exec("CREATE TRIGGER pt_osc_audit BEFORE UPDATE ON events FOR EACH ROW SET NEW.label = 'audited'")
	r := p.run("db", "expand", "--osc", "pt-osc", "--allow-drift")
	if r.Code != 0 {
		t.Fatalf("expand with the application's trigger pt_osc_audit: %s", r)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = 'pt_osc_audit' AND EVENT_OBJECT_TABLE = 'events'"); got != "1" {
		t.Fatal("the application's trigger pt_osc_audit is gone")
	}
	if got := p.columns("events"); !strings.Contains(got, "hits bigint(20) NO") {
		t.Fatalf("hits not widened:\n%s", got)
	}
}

// The names given back are written by emcee (the foreign keys) and by the
// plugin (the checks): quotes, spaces and letters outside ASCII stay one
// name each way.
func TestAttackOSCKeepsHostileConstraintNames(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	q := strings.NewReplacer(`"ck_n"`, `"ck 'n\" x"`, `"fk_pid"`, `"fk 'p\" 中"`).Replace
	p := newSchemaProject(t, [2]string{"v1", q(oscConstrained("int"))}, [2]string{"v2", q(oscConstrained("bigint"))})
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO parent VALUES (1), (2)")
	p.exec("INSERT INTO child SELECT seq, 1 + seq % 2, seq FROM seq_1_to_1000")
	opContains(t, p.must("db", "expand", "--osc", "pt-osc"), "Successfully altered", "get back the names")
	if got := p.query("SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' AND CONSTRAINT_TYPE <> 'PRIMARY KEY' ORDER BY 1"); got != "ck 'n\" x CHECK\nfk 'p\" 中 FOREIGN KEY" {
		t.Fatalf("constraints of child: %q", got)
	}
	p.must("db", "diff")
}
