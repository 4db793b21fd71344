package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// needPtOSC skips a test that needs pt-online-schema-change where it is
// not installed; in CI (.ci/run installs it) its absence fails the test.
func needPtOSC(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pt-online-schema-change"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pt-online-schema-change is not installed: apt-get install percona-toolkit (.ci/run does)")
		}
		t.Skip("pt-online-schema-change is not installed (apt-get install percona-toolkit)")
	}
}

// oscRelease is a release with one table: v2 widens col from int to
// bigint, which MariaDB can only do by copying the table.
func oscRelease(table, col, typ string) string {
	q := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) }
	return fmt.Sprintf(`schema "app" {}
table "%s" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "%s" {
    type = %s
  }
  column "label" {
    type = varchar(40)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`, q(table), q(col), typ)
}

// newOSCProject plans v1 -> v2 (int -> bigint, a table copy) for a table
// and column, syncs v1 and writes rows rows; user, when not "", is the
// account emcee connects as (with a password that needs quoting).
func newOSCProject(t *testing.T, table, col string, rows int, user bool, osc string) *opProject {
	t.Helper()
	v1 := oscRelease(table, col, "int")
	v2 := strings.Replace(oscRelease(table, col, "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1)
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
	if user {
		u := "osc_" + p.DB.Name[len(p.DB.Name)-8:]
		pass := `p"w#d x\y'z`
		p.exec("CREATE USER " + sqlsyntax.String(u) + "@'%' IDENTIFIED BY " + sqlsyntax.String(pass))
		t.Cleanup(func() { _, _ = p.DB.Exec("DROP USER " + sqlsyntax.String(u) + "@'%'") })
		p.exec("GRANT ALL ON " + sqlsyntax.Ident(p.DB.Name) + ".* TO " + sqlsyntax.String(u) + "@'%'")
		// pt-online-schema-change looks for replicas (SHOW PROCESSLIST,
		// SHOW SLAVE HOSTS) before it starts.
		p.exec("GRANT PROCESS, REPLICATION MASTER ADMIN ON *.* TO " + sqlsyntax.String(u) + "@'%'")
		// emcee's drift check compares with a scratch database.
		p.exec("GRANT CREATE, DROP, SELECT, INSERT, ALTER, INDEX, TRIGGER, REFERENCES, CREATE VIEW, SHOW VIEW ON `emcee\\_scratch\\_%`.* TO " + sqlsyntax.String(u) + "@'%'")
		u8 := strings.Replace(p.DB.URL, "mysql://root@", "mysql://"+url.UserPassword(u, pass).String()+"@", 1)
		if u8 == p.DB.URL {
			t.Fatalf("test database URL %s is not root's", p.DB.URL)
		}
		cfg := strings.Replace(p.read("atlas.hcl"), p.DB.URL, u8, 1)
		opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(cfg))
	}
	if osc != "" {
		cfg := strings.Replace(p.read("atlas.hcl"), "emcee {\n", "emcee {\n"+osc, 1)
		opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(cfg))
	}
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	p.must("db", "sync", "v1")
	if rows > 0 {
		p.exec(fmt.Sprintf("INSERT INTO %s (%s, label) SELECT seq, CONCAT('l', seq) FROM seq_1_to_%d", sqlsyntax.Ident(table), sqlsyntax.Ident(col), rows))
	}
	return p
}

// auditTrigger stands for a trigger that must survive the copy (emcee's
// sync triggers, an application's audit trigger). emcee's drift check
// reports it, hence --allow-drift in the tests that add it.
const auditTrigger = "CREATE TRIGGER `audit_bu` BEFORE UPDATE ON `events` FOR EACH ROW SET NEW.`label` = CONCAT('u', NEW.`hits`)"

// int -> bigint through pt-online-schema-change: the column is widened, no
// row is lost, the table's trigger survives, the password never shows,
// the tool's progress becomes emcee's, and the version table says which
// tool applied the statement.
func TestOSCAppliesTableCopy(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 20000, true, "")
	// The tool creates the trigger again as its definer, which takes
	// SUPER unless the definer is the account it connects as.
	p.exec(strings.Replace(auditTrigger, "CREATE TRIGGER", "CREATE DEFINER = "+sqlsyntax.String(p.query("SELECT User FROM mysql.user WHERE User LIKE 'osc\\_%' AND User LIKE ?", "%"+p.DB.Name[len(p.DB.Name)-8:]))+"@'%' TRIGGER", 1))
	r := p.must("db", "expand", "--allow-drift", "--osc", "pt-osc", "--osc-chunk-time", "100ms", "--osc-sleep", "1ms", "--osc-max-load", "Threads_running=50")
	opContains(t, r,
		"handed to pt-online-schema-change 3.2.1: ALTER TABLE `events` MODIFY COLUMN `hits` BIGINT NOT NULL",
		"Successfully altered",
		"v2_expand01 applied")
	// The tool counts the rows the server estimates.
	if !regexp.MustCompile(`pt-osc copy events: ([0-9]+) of ([0-9]+) rows \(100%\)`).MatchString(r.Stderr) {
		t.Errorf("the tool's progress is not emcee's:\n%s", r)
	}
	if strings.Contains(r.Stdout+r.Stderr, `p"w#d`) {
		t.Fatalf("the password shows in the output:\n%s", r)
	}
	if got := p.columns("events"); !strings.Contains(got, "hits bigint(20) NO") {
		t.Fatalf("hits not widened:\n%s", got)
	}
	if got := p.query("SELECT COUNT(*), SUM(hits) FROM events"); got != "20000 200010000" {
		t.Fatalf("rows after the copy: %s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = 'audit_bu' AND EVENT_OBJECT_TABLE = 'events'"); got != "1" {
		t.Fatalf("the table's trigger did not survive the copy")
	}
	p.exec("UPDATE events SET hits = 5000000000 WHERE id = 1")
	if got := p.query("SELECT hits, label FROM events WHERE id = 1"); got != "5000000000 u5000000000" {
		t.Fatalf("after the copy, the column and its trigger: %s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '\\_events\\_%'"); got != "0" {
		t.Fatalf("the tool's tables are left: %s", got)
	}
	if got := p.query("SELECT JSON_EXTRACT(osc, '$.applied[0].statement'), JSON_UNQUOTE(JSON_EXTRACT(osc, '$.applied[0].tool')), JSON_EXTRACT(osc, '$.running') IS NULL FROM emcee_revisions WHERE name = 'v2_expand01'"); got != "1 pt-online-schema-change 3.2.1 1" {
		t.Fatalf("the version table does not say which tool applied statement 1: %s", got)
	}
	opContains(t, p.must("db", "version", "-v"), "v2_expand01 statement 1: applied by pt-online-schema-change 3.2.1")
	if got := p.query("SELECT COALESCE(osc, 'none') FROM emcee_revisions WHERE name = 'v1_expand01'"); got != "none" {
		t.Fatalf("a revision the server applied names a tool: %s", got)
	}
}

// An account without the privileges the tool needs (LOCK TABLES for
// emcee's plugin, PROCESS for the tool's look for replicas) is refused
// before the revision starts, with the GRANT statements to run; granted
// them, the same run goes through. Without the check, the tool failed
// after it had created and altered its copy (LOCK TABLES missing).
func TestOSCMissingPrivileges(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 2000, true, "")
	account := sqlsyntax.String("osc_"+p.DB.Name[len(p.DB.Name)-8:]) + "@'%'"
	p.exec("REVOKE LOCK TABLES ON " + sqlsyntax.Ident(p.DB.Name) + ".* FROM " + account)
	p.exec("REVOKE PROCESS ON *.* FROM " + account)
	grantLock := "GRANT LOCK TABLES ON " + sqlsyntax.Ident(p.DB.Name) + ".* TO " + account
	grantProcess := "GRANT PROCESS ON *.* TO " + account
	r := p.run("db", "expand", "--osc", "pt-osc")
	if r.Code != 1 {
		t.Fatalf("want exit 1:\n%s", r)
	}
	opContains(t, r, "v2_expand01 refused before it ran anything: statement 1 at ",
		"copies its table (`events`), which emcee hands to pt-online-schema-change 3.2.1, and osc_",
		"- LOCK TABLES on database "+sqlsyntax.Ident(p.DB.Name)+", which emcee's plugin for the tool needs",
		"- PROCESS, without which the tool refuses to start",
		"next: as an administrator: "+grantLock+"; "+grantProcess+"; or run without --osc pt-osc")
	if strings.Contains(r.Stdout+r.Stderr, "SHOW SLAVE HOSTS needs") || strings.Contains(r.Stdout+r.Stderr, `p"w#d`) {
		t.Fatalf("a privilege the account has is listed as missing, or the password shows:\n%s", r)
	}
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name = 'v2_expand01'"); got != "0" {
		t.Fatalf("a refused revision was started")
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '\\_events\\_%'"); got != "0" {
		t.Fatalf("the tool ran: %s", got)
	}
	p.exec(grantLock)
	p.exec(grantProcess)
	opContains(t, p.must("db", "expand", "--osc", "pt-osc"), "Successfully altered", "v2_expand01 applied")
	if got := p.query("SELECT COUNT(*), SUM(hits) FROM events"); got != "2000 2001000" {
		t.Fatalf("rows after the copy: %s", got)
	}
}

// The tool is looked for before anything runs: its absence says what is
// missing, how to install it and which flag to drop, and changes nothing.
func TestOSCMissingTool(t *testing.T) {
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 10, false, "  osc = \"pt-osc\"\n")
	before := p.query("SELECT name, applied FROM emcee_revisions ORDER BY name")
	cmd := p.command("db", "expand")
	cmd.Env = append(cmd.Env, "PATH="+t.TempDir())
	r := opRunCmd(t, cmd)
	if r.Code != 1 {
		t.Fatalf("want exit 1:\n%s", r)
	}
	opContains(t, r, `osc = "pt-osc" in the emcee block of`, "pt-online-schema-change, which is not installed", "apt-get install percona-toolkit", "pass --osc none, or remove osc from the emcee block", "ALGORITHM=COPY")
	cmd = p.command("db", "expand", "--osc", "pt-osc")
	cmd.Env = append(cmd.Env, "PATH="+t.TempDir())
	if r := opRunCmd(t, cmd); r.Code != 1 || !strings.Contains(r.Stderr, "--osc pt-osc hands statements that copy their table to pt-online-schema-change, which is not installed") || !strings.Contains(r.Stderr, "or drop --osc pt-osc to have the server copy") {
		t.Errorf("--osc pt-osc without the tool:\n%s", r)
	}
	if after := p.query("SELECT name, applied FROM emcee_revisions ORDER BY name"); after != before {
		t.Fatalf("a run without the tool changed the version table:\n%s\nwas\n%s", after, before)
	}
	// --osc none overrides the project: the server copies the table.
	cmd = p.command("db", "expand", "--osc", "none")
	cmd.Env = append(cmd.Env, "PATH="+t.TempDir())
	r = opRunCmd(t, cmd)
	if r.Code != 0 || strings.Contains(r.Stdout, "handed to") {
		t.Fatalf("--osc none:\n%s", r)
	}
	// review says which statements the db commands hand to the tool, and
	// what it gets; --osc none says the server copies.
	r = p.must("review", "v2", "--format", "text")
	opContains(t, r, "at plans/v2/v2_expand01.sql:5 (copy, through pt-online-schema-change)",
		"osc:     pt-online-schema-change --alter MODIFY COLUMN `hits` BIGINT NOT NULL")
	// (The rollback's why names the tool as a way out whatever --osc says:
	// it is the plan's text.)
	if r := p.must("review", "v2", "--format", "text", "--osc", "none"); strings.Contains(r.Stdout, "through pt-online-schema-change") || strings.Contains(r.Stdout, "osc:     pt-online-schema-change") || !strings.Contains(r.Stdout, "writes are blocked while it runs") {
		t.Errorf("review --osc none:\n%s", r)
	}
	for _, args := range [][]string{{"--osc", "gh-ost"}, {"--osc", "none", "--osc-max-load", "Threads_running=1"}, {"--osc", "pt-osc", "--osc-chunk-time", "-1s"}, {"--osc", "pt-osc", "--osc-max-load", "x;y"}, {"--osc", "none", "--osc-critical-load", "Threads_running=90"}, {"--osc", "pt-osc", "--osc-critical-load", "x;y"}, {"--osc", "pt-osc", "--osc-critical-load", "Threads_connected"}, {"--osc", "none", "--osc-sleep", "5ms"}, {"--osc", "pt-osc", "--osc-sleep", "-1ms"}} {
		r := p.run(append([]string{"db", "expand"}, args...)...)
		if r.Code != 2 {
			t.Errorf("%v: want a usage error (2):\n%s", args, r)
		}
	}
	// The tool's loads read as emcee's --max-load does: its own forms (no
	// threshold or 0, "the value at start" plus a margin; VAR:N) were
	// passed on, and meant something else than the same words for migrate.
	for _, c := range [][3]string{
		{"--osc-max-load", "Threads_connected", `--osc-max-load "Threads_connected": want VAR=N[,VAR=N], e.g. Threads_running=25`},
		{"--osc-max-load", "Threads_running:30", `--osc-max-load "Threads_running:30": want VAR=N`},
		{"--osc-critical-load", "Threads_running=0", "--osc-critical-load Threads_running=0: the limit must be a whole number of 1 or more"},
	} {
		r := p.run("db", "expand", "--osc", "pt-osc", c[0], c[1])
		if r.Code != 2 || !strings.Contains(r.Stderr, c[2]) {
			t.Errorf("%s %s: want a usage error saying %q:\n%s", c[0], c[1], c[2], r)
		}
	}
}

// childPIDs are the processes whose parent is pid.
func childPIDs(t *testing.T, pid int) []int {
	t.Helper()
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, ppid follows the last ')'.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) > 1 {
			if pp, _ := strconv.Atoi(f[1]); pp == pid {
				out = append(out, n)
			}
		}
	}
	return out
}

// A crash in the middle of the copy, of emcee (the tool dies with it) or
// of the tool alone: the rerun finds the tool's copy and triggers, drops
// them, puts back a trigger of the table the tool had moved to its copy,
// and applies the statement again; no row is lost.
func TestOSCKilledMidCopy(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	for _, victim := range []string{"emcee", "pt-online-schema-change", "emcee after the swap"} {
		t.Run(victim, func(t *testing.T) {
			const rows = 300000
			p := newOSCProject(t, "events", "hits", rows, false, "  osc            = \"pt-osc\"\n  osc_chunk_time = \"20ms\"\n")
			p.exec(auditTrigger)
			run := p.command("db", "expand", "--allow-drift")
			var stdout, stderr bytes.Buffer
			run.Stdout, run.Stderr = &stdout, &stderr
			if err := run.Start(); err != nil {
				t.Fatal(err)
			}
			p.waitFor("the tool to copy rows", func() bool {
				var n int
				// The copy exists once the tool's triggers do; an error is
				// only "not yet".
				err := p.DB.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM `_events_new` LIMIT 1) x").Scan(&n)
				return err == nil && n == 1
			})
			tools := childPIDs(t, run.Process.Pid)
			if len(tools) != 1 {
				t.Fatalf("want one tool process under emcee, got %v", tools)
			}
			switch victim {
			case "emcee":
				_ = run.Process.Kill()
				_ = run.Wait()
				p.waitFor("the tool to die with emcee", func() bool { return syscall.Kill(tools[0], 0) != nil })
				// The tool moves the table's triggers to its copy just
				// before the swap; a crash there leaves them on the copy.
				p.exec("DROP TRIGGER audit_bu")
				p.exec(strings.Replace(auditTrigger, "ON `events`", "ON `_events_new`", 1))
			case "emcee after the swap":
				_ = run.Process.Kill()
				_ = run.Wait()
				p.waitFor("the tool to die with emcee", func() bool { return syscall.Kill(tools[0], 0) != nil })
				// What the tool leaves when it dies right after the swap:
				// the copy finished and renamed in, the old table beside it
				// with the tool's triggers (and here the table's own).
				p.exec("INSERT IGNORE INTO `_events_new` SELECT * FROM events")
				p.exec("RENAME TABLE events TO `_events_old`, `_events_new` TO events")
			default:
				if err := syscall.Kill(tools[0], syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				r := opResult{Code: exitCode(t, run.Wait()), Stdout: stdout.String(), Stderr: stderr.String()}
				if r.Code != 1 {
					t.Fatalf("emcee after its tool was killed: want exit 1:\n%s", r)
				}
				opContains(t, r, "pt-online-schema-change failed", "dropping what pt-online-schema-change 3.2.1 left behind", "fix the cause and rerun `emcee db expand --allow-drift --env test`")
			}
			if got := p.query("SELECT applied, in_flight, finished_at IS NULL FROM emcee_revisions WHERE name = 'v2_expand01'"); got != "0 "+map[string]string{"emcee": "1", "pt-online-schema-change": "0", "emcee after the swap": "1"}[victim]+" 1" {
				t.Fatalf("record after the crash: %s", got)
			}
			r := p.must("db", "expand", "--allow-drift")
			want := []string{"resuming v2_expand01 at statement 1 of 1", "handed to pt-online-schema-change", "Successfully altered", "v2_expand01 applied"}
			switch victim {
			case "emcee":
				want = append(want, "dropping what pt-online-schema-change 3.2.1 left behind: table `_events_new`, trigger `pt_osc_",
					"creating trigger `audit_bu` on `events` again", "which did not finish: starting it again")
			case "emcee after the swap":
				want = []string{"resuming v2_expand01 at statement 1 of 1", "dropping what pt-online-schema-change 3.2.1 left behind: table `_events_old`, trigger `pt_osc_",
					"creating trigger `audit_bu` on `events` again", "had swapped in the altered table before the run stopped: counted as applied", "v2_expand01 applied"}
				if strings.Contains(r.Stdout, "Successfully altered") {
					t.Errorf("the statement ran again after the swap:\n%s", r)
				}
			}
			opContains(t, r, want...)
			if got := p.columns("events"); !strings.Contains(got, "hits bigint(20) NO") {
				t.Fatalf("hits not widened:\n%s", got)
			}
			if got := p.query("SELECT COUNT(*), SUM(hits) = " + strconv.Itoa(rows*(rows+1)/2) + " FROM events"); got != strconv.Itoa(rows)+" 1" {
				t.Fatalf("rows after the rerun: %s", got)
			}
			if got := p.query("SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME NOT LIKE 'emcee\\_%' ORDER BY 1"); got != "audit_bu events" {
				t.Fatalf("triggers after the rerun: %q", got)
			}
			if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '\\_events\\_%'"); got != "0" {
				t.Fatalf("the tool's tables are left: %s", got)
			}
			if got := p.query("SELECT JSON_UNQUOTE(JSON_EXTRACT(osc, '$.applied[0].tool')), finished_at IS NOT NULL FROM emcee_revisions WHERE name = 'v2_expand01'"); got != "pt-online-schema-change 3.2.1 1" {
				t.Fatalf("record: %s", got)
			}
		})
	}
}

// Leftovers of a tool run emcee did not start are not emcee's to drop.
func TestOSCForeignLeftovers(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 10, false, "")
	p.exec("CREATE TABLE `_events_new` LIKE events")
	r := p.run("db", "expand", "--osc", "pt-osc", "--allow-drift")
	if r.Code != 1 {
		t.Fatalf("want exit 1:\n%s", r)
	}
	opContains(t, r, "holds what a pt-online-schema-change run leaves behind (table `_events_new`)", "another run of the tool may be altering events", "DROP TABLE IF EXISTS `_events_new`")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_events_new'"); got != "1" {
		t.Fatal("emcee dropped a table it did not create")
	}
	p.exec("DROP TABLE `_events_new`")
	p.must("db", "expand", "--osc", "pt-osc")
}

// Hostile names reach the tool quoted from the statement's tree; names the
// tool itself cannot handle are refused before anything runs.
func TestOSCHostileNames(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	for _, c := range []struct{ table, col, setup, refused string }{
		{table: "we \"tab,le\" x=1 -- y", col: "o'c \"ol\" , x"},
		{table: "o'brien", col: "hits", refused: "the tool cannot find a table whose name holds a quote"},
		// A column emcee does not manage (the drift emcee is told to allow).
		{table: "events", col: "hits", setup: "ALTER TABLE events ADD COLUMN `co``l` int NULL", refused: "does not alter a table with a backtick or a line break in a column name"},
		{table: "my events", col: "hits", setup: "CREATE TRIGGER t_bi BEFORE INSERT ON `my events` FOR EACH ROW SET NEW.label = 'x'", refused: "the tool moves them to its copy with the copy's name unquoted"},
	} {
		t.Run(c.table+"."+c.col, func(t *testing.T) {
			t.Parallel()
			p := newOSCProject(t, c.table, c.col, 5000, false, "")
			args := []string{"db", "expand", "--osc", "pt-osc"}
			if c.setup != "" {
				p.exec(c.setup)
				args = append(args, "--allow-drift")
			}
			r := p.run(args...)
			if c.refused != "" {
				if r.Code != 1 {
					t.Fatalf("want exit 1:\n%s", r)
				}
				opContains(t, r, "v2_expand01 refused before it ran anything", c.refused, "run without --osc pt-osc")
				if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name = 'v2_expand01'"); got != "0" {
					t.Fatalf("a refused revision was started")
				}
				return
			}
			if r.Code != 0 {
				t.Fatalf("%s", r)
			}
			opContains(t, r, "handed to pt-online-schema-change", "Successfully altered")
			if got := p.query("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?", c.table, c.col); got != "bigint" {
				t.Fatalf("column type after the tool: %q", got)
			}
			if got := p.query("SELECT COUNT(*), SUM(" + sqlsyntax.Ident(c.col) + ") FROM " + sqlsyntax.Ident(c.table)); got != "5000 12502500" {
				t.Fatalf("rows: %s", got)
			}
		})
	}
}

// A database name the tool's connection string reads as it is reaches the
// tool (D=, a comma escaped), and the tool alters the table in that
// database; one it would split or read as a connection option (; : [ ] =
// ' \) is refused before anything runs. pt-online-schema-change 3.2.1 on
// its own, given "a;b", connects to database "a" (here: Unknown database).
func TestOSCHostileDatabaseNames(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	for _, c := range []struct{ name, refused string }{
		{name: "we`ird, \"db\" x"},
		{name: "a;b", refused: "the tool passes the database name to its driver's connection string"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v2 := strings.Replace(oscRelease("events", "hits", "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1)
			p := newSchemaProject(t, [2]string{"v1", oscRelease("events", "hits", "int")}, [2]string{"v2", v2})
			name := p.DB.Name + " " + c.name
			db := sqlsyntax.Ident(name)
			p.exec("CREATE DATABASE " + db)
			t.Cleanup(func() { _, _ = p.DB.Exec("DROP DATABASE IF EXISTS " + db) })
			u := strings.TrimSuffix(p.DB.URL, p.DB.Name) + url.PathEscape(name)
			opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(p.read("atlas.hcl"), p.DB.URL, u, 1)))
			if r := p.plan(); r.Code != 0 {
				t.Fatalf("plan: %s", r)
			}
			p.must("db", "sync", "v1")
			p.exec("INSERT INTO " + db + ".events (hits, label) SELECT seq, CONCAT('l', seq) FROM seq_1_to_3000")
			r := p.run("db", "expand", "--osc", "pt-osc")
			if c.refused != "" {
				if r.Code != 1 {
					t.Fatalf("want exit 1:\n%s", r)
				}
				opContains(t, r, "v2_expand01 refused before it ran anything", c.refused, "run without --osc pt-osc")
				if got := p.query("SELECT COUNT(*) FROM " + db + ".emcee_revisions WHERE name = 'v2_expand01'"); got != "0" {
					t.Fatalf("a refused revision was started")
				}
				return
			}
			if r.Code != 0 {
				t.Fatalf("%s", r)
			}
			opContains(t, r, "handed to pt-online-schema-change", "Successfully altered "+sqlsyntax.Ident(name)+".`events`", "v2_expand01 applied")
			if got := p.query("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'events' AND COLUMN_NAME = 'hits'", name); got != "bigint" {
				t.Fatalf("column type after the tool: %q", got)
			}
			if got := p.query("SELECT COUNT(*), SUM(hits) FROM " + db + ".events"); got != "3000 4501500" {
				t.Fatalf("rows: %s", got)
			}
		})
	}
}

// Two databases of one server widened through the tool at once (a fleet
// with --parallel 2), each under its own application writers: two tools
// copy side by side, each holding its table locked 0.1 s while it creates
// its triggers (emcee's plugin). Both finish, no write fails, and every
// row of both tables holds what the writes the server acknowledged say.
func TestOSCFleetTwoAtOnce(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 0, false, "")
	other := testdb.New(t)
	f := &fleetProject{t: t, Dir: p.Dir, Targets: filepath.Join(p.Dir, "targets.txt"), DBs: []*testdb.DB{p.DB, other}}
	opWrite(t, f.Targets, []byte(p.DB.URL+"\n"+other.URL+"\n"))
	if doc, r := f.runJSON("db", "sync", "v1", "--parallel", "2"); r.Code != 0 || doc.Outcomes["ok"] != 2 {
		t.Fatalf("sync v1 on both: %s", r)
	}
	var writers []*oscWriters
	for _, db := range f.DBs {
		if _, err := db.Exec("INSERT INTO events (hits, label) SELECT seq, CONCAT('l', seq) FROM seq_1_to_30000"); err != nil {
			t.Fatal(err)
		}
		w := startWriters(t, db, 4, time.Millisecond)
		w.phase.Store(1)
		writers = append(writers, w)
	}
	// Whether the two copies overlapped: both tools' copies exist at once.
	var both atomic.Bool
	done := make(chan struct{})
	var polled sync.WaitGroup
	polled.Add(1)
	go func() {
		defer polled.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			var n int
			if err := p.DB.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?, ?) AND TABLE_NAME = '_events_new'", p.DB.Name, other.Name).Scan(&n); err == nil && n == 2 {
				both.Store(true)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	doc, r := f.runJSON("db", "expand", "--osc", "pt-osc", "--parallel", "2")
	close(done)
	polled.Wait()
	for _, w := range writers {
		w.stop()
	}
	if r.Code != 0 || doc.Outcomes["ok"] != 2 {
		t.Fatalf("expand --osc pt-osc --parallel 2: %s", r)
	}
	for i, db := range f.DBs {
		if got := p.query("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'events' AND COLUMN_NAME = 'hits'", db.Name); got != "bigint" {
			t.Fatalf("%s: hits after the tool: %q", db.Name, got)
		}
		if got := p.query("SELECT JSON_UNQUOTE(JSON_EXTRACT(osc, '$.applied[0].tool')) FROM " + sqlsyntax.Ident(db.Name) + ".emcee_revisions WHERE name = 'v2_expand01'"); got != "pt-online-schema-change 3.2.1" {
			t.Fatalf("%s: the version table says %q applied v2_expand01", db.Name, got)
		}
		w := writers[i]
		if f := w.failed.Load(); f > 0 {
			t.Fatalf("%s: %d of the application's writes failed (%s):\n%s", db.Name, f, w.failures(db.DB), r)
		}
		n := w.compare(t, db.DB)
		t.Logf("%s: %d writes while emcee ran, none failed; %d rows compared with the ledger", db.Name, len(w.lat[1]), n)
	}
	t.Logf("both tools' copies existed at once: %v", both.Load())
}

// A CHECK added to an existing table (contract, after its gate) goes to
// the tool as the clause the server reads: MariaDB refuses the ENFORCED
// the SQL parser writes back, so the check is written without it.
func TestOSCAddsCheck(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 0, false, "")
	p.addRelease("v3", strings.Replace(strings.Replace(oscRelease("events", "hits", "bigint"),
		"    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1),
		"  primary_key {", "  check \"ck_hits\" {\n    expr = \"hits >= 0\"\n  }\n  primary_key {", 1))
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	p.exec("INSERT INTO events (hits, label) SELECT seq, CONCAT('l', seq) FROM seq_1_to_20000")
	r := p.must("db", "sync", "--osc", "pt-osc")
	opContains(t, r, "handed to pt-online-schema-change 3.2.1: ALTER TABLE `events` MODIFY COLUMN `hits` BIGINT NOT NULL",
		"handed to pt-online-schema-change 3.2.1: ALTER TABLE `events` ADD CONSTRAINT `ck_hits` CHECK(`hits` >= 0)",
		"v3_contract01 applied")
	if got := p.query("SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'events'"); got != "ck_hits `hits` >= 0" {
		t.Fatalf("check after the tool: %q", got)
	}
	if _, err := p.DB.Exec("INSERT INTO events (hits) VALUES (-1)"); err == nil {
		t.Fatal("the check does not hold after the tool added it")
	}
	if got := p.query("SELECT COUNT(*) FROM events"); got != "20000" {
		t.Fatalf("rows: %s", got)
	}
	if got := p.query("SELECT JSON_LENGTH(osc, '$.applied') FROM emcee_revisions WHERE name IN ('v2_expand01', 'v3_contract01') ORDER BY name"); got != "1\n1" {
		t.Fatalf("records: %s", got)
	}
}

// A table of the schema named as the tool names its copy (_events_new for
// events) is not a leftover: emcee must neither advise dropping it nor
// hand the table beside it to the tool, whose copy would then be named
// otherwise and whose leftovers emcee could not tell from the table.
func TestOSCDeclaredTableNamedLikeTheCopy(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	extra := "table \"_events_new\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	v1 := oscRelease("events", "hits", "int") + extra
	v2 := strings.Replace(oscRelease("events", "hits", "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1) + extra
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO `_events_new` (id) VALUES (1), (2), (3)")
	r := p.run("db", "expand", "--osc", "pt-osc")
	if r.Code != 1 {
		t.Fatalf("want exit 1:\n%s", r)
	}
	opContains(t, r, "v2_expand01 refused before it ran anything", "release v1 declares table `_events_new`", "run without --osc pt-osc")
	if strings.Contains(r.Stdout+r.Stderr, "DROP TABLE") {
		t.Fatalf("emcee advises dropping a table of the schema:\n%s", r)
	}
	if got := p.query("SELECT COUNT(*) FROM `_events_new`"); got != "3" {
		t.Fatalf("rows of _events_new: %s", got)
	}
}

// The application keeps writing while the tool copies the table, with
// prepared statements (the binary protocol most drivers use for a query
// with parameters), none of its writes fails, and every row holds what the
// writes the server acknowledged say. Before emcee had the tool create its
// triggers under LOCK TABLES, MariaDB failed 3 to 8 of these writes in each
// of 5 runs with Error 1146 "Table '<db>._events_new' doesn't exist"
// (MDEV-26048; TestMariaDBTriggerCreationRace shows it without the tool).
// Before emcee had the tool buffer each chunk (sql_buffer_result), InnoDB
// rolled back 6 to 9 of them in each of 3 runs with Error 1213 (deadlock)
// on a server with innodb_autoinc_lock_mode 1, MariaDB's default
// (TestMariaDBCopyAutoIncDeadlock shows why without the tool).
func TestOSCWritesContinue(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 20000, false, "")
	w := startWriters(t, p.DB, 8, 0)
	w.phase.Store(1)
	r := p.run("db", "expand", "--osc", "pt-osc", "--osc-chunk-time", "20ms")
	w.stop()
	if r.Code != 0 {
		t.Fatalf("expand: %s", r)
	}
	if got := p.columns("events"); !strings.Contains(got, "hits bigint(20) NO") {
		t.Fatalf("hits not widened:\n%s", got)
	}
	mode := p.query("SELECT @@innodb_autoinc_lock_mode")
	if f := w.failed.Load(); f > 0 {
		t.Fatalf("%d of the application's writes failed while the tool ran (%s; innodb_autoinc_lock_mode %s):\n%s", f, w.failures(p.DB.DB), mode, r)
	}
	n := w.compare(t, p.DB.DB)
	if note := "note: innodb_autoinc_lock_mode is " + mode + " and `events` has an AUTO_INCREMENT column"; (mode != "2") != strings.Contains(r.Stdout, note) {
		t.Errorf("innodb_autoinc_lock_mode is %s; the note about it:\n%s", mode, r)
	}
	t.Logf("%d writes while emcee ran (innodb_autoinc_lock_mode %s), none failed, none lost; %d rows compared with the ledger", len(w.lat[1]), mode, n)
}

// The tool's connection lost while it copies a chunk stops the tool: it
// does not copy on in a session that neither emcee's plugin nor the tool
// set up. Perl's DBD::mysql reconnects and runs the statement again on
// its own when GATEWAY_INTERFACE or MOD_PERL is in the environment (a CGI
// or mod_perl host); the chunk then ran again without sql_buffer_result
// (so it could deadlock the application's writes again), without the
// tool's 1 s innodb_lock_wait_timeout and without emcee's sql_mode. The
// last row is held once the copy has begun, so that the chunk copying it
// waits, and the connection running that chunk is killed.
func TestOSCCopyConnectionLostStopsTheTool(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	const rows = 300000
	p := newOSCProject(t, "events", "hits", rows, false, "  osc            = \"pt-osc\"\n  osc_chunk_time = \"20ms\"\n")
	run := p.command("db", "expand")
	run.Env = append(run.Env, "GATEWAY_INTERFACE=CGI/1.1", "MOD_PERL=mod_perl/2.0.12")
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	p.waitFor("the tool to copy rows", func() bool {
		var n int
		err := p.DB.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM `_events_new` LIMIT 1) x").Scan(&n)
		return err == nil && n == 1
	})
	ctx := context.Background()
	holder, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, "SELECT id FROM events ORDER BY id DESC LIMIT 1 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	const copying = "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'INSERT LOW_PRIORITY IGNORE INTO%' AND TIME_MS > 100"
	var victim int64
	p.waitFor("the tool's chunk to wait for the held row", func() bool {
		return p.DB.QueryRow(copying, p.DB.Name).Scan(&victim) == nil
	})
	p.exec(fmt.Sprintf("KILL CONNECTION %d", victim))
	var again int64
	var code int
	for done := false; !done; {
		select {
		case err := <-exited:
			code, done = exitCode(t, err), true
		case <-time.After(50 * time.Millisecond):
			if p.DB.QueryRow(copying+" AND ID <> ?", p.DB.Name, victim).Scan(&again) == nil {
				done = true
			}
		}
	}
	if _, err := holder.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if again != 0 {
		<-exited
		t.Fatalf("the tool copied the chunk again on a new connection (%d) after its connection (%d) was lost:\n%s%s", again, victim, stdout.String(), stderr.String())
	}
	r := opResult{Code: code, Stdout: stdout.String(), Stderr: stderr.String()}
	if r.Code != 1 {
		t.Fatalf("want exit 1 from the run whose copy lost its connection: %s", r)
	}
	opContains(t, r, "pt-online-schema-change failed", "Lost connection")
	if got := p.columns("events"); !strings.Contains(got, "hits int(11) NO") {
		t.Fatalf("the tool swapped the table in:\n%s", got)
	}
	p.must("db", "expand")
	if got := p.query("SELECT COUNT(*), SUM(hits) FROM events"); got != "300000 45000150000" {
		t.Fatalf("rows after the rerun: %s", got)
	}
	if got := p.columns("events"); !strings.Contains(got, "hits bigint(20) NO") {
		t.Fatalf("hits not widened:\n%s", got)
	}
}

// --osc-critical-load reaches the tool, and stops it even for a variable
// that --max-load does not name: pt-online-schema-change 3.2.1 checks its
// --critical-load only for the variables of its --max-load, and copied
// the whole table under --critical-load Threads_connected=1 (its own
// connections are two). A variable the server does not have is refused
// before anything runs.
func TestOSCCriticalLoad(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 20000, false, "  osc = \"pt-osc\"\n")
	r := p.run("db", "expand", "--osc-critical-load", "Threads_conected=500")
	if r.Code != 1 || strings.Contains(r.Stdout, "handed to") {
		t.Fatalf("an unknown status variable: want exit 1 before the tool runs: %s", r)
	}
	opContains(t, r, "critical load Threads_conected=500: the server has no global status variable \"Threads_conected\"")
	r = p.run("db", "expand", "--osc-critical-load", "Threads_connected=1")
	if r.Code != 1 {
		t.Fatalf("want exit 1 from the run the tool stopped: %s", r)
	}
	opContains(t, r, "handed to pt-online-schema-change", "Threads_connected=", "exceeds its critical threshold 1", "rerun `emcee db expand --env test --osc-critical-load Threads_connected=1`")
	if got := p.columns("events"); !strings.Contains(got, "hits int(11) NO") {
		t.Fatalf("the tool swapped the table in:\n%s", got)
	}
	p.must("db", "expand", "--osc-critical-load", "Threads_running=1000,Threads_connected=100000")
	if got := p.query("SELECT COUNT(*), SUM(hits) FROM events"); got != "20000 200010000" {
		t.Fatalf("rows after the rerun: %s", got)
	}
	if got := p.columns("events"); !strings.Contains(got, "hits bigint(20) NO") {
		t.Fatalf("hits not widened:\n%s", got)
	}
}
