package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// Tables a release creates whose foreign keys form a cycle across tables
// (a -> b -> a), both holding rows, when the release is rolled back with
// its rows copied out and put back by a later expand. Each table had its
// own restore, run with the keys checked: the first stopped at its first
// row (error 1452, the other table still empty), in either order.

// cycleProject is a project whose release b adds tables (SQL, after
// keep), synced to a and expanded to b, with rows written by writes.
func cycleProject(t *testing.T, tables string, writes ...string) *opProject {
	t.Helper()
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + tables})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	for _, w := range writes {
		p.exec(w)
	}
	return p
}

// tablesState is every row of the tables, in key order.
func tablesState(p *opProject, tables ...string) string {
	var out []string
	for _, t := range tables {
		out = append(out, t+":\n"+p.query("SELECT * FROM "+quoteIdent(t)+" ORDER BY 1"))
	}
	return strings.Join(out, "\n")
}

func quoteIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// restoreCycle copies out the tables, rolls back, expands again and puts
// the rows back with the commands given, in their order; the rows must
// come back as they were. It returns the losses, whose tables in cycle
// name the first of them (With), which alone carries the commands, and
// the directory of the files.
func restoreCycle(t *testing.T, p *opProject, tables []string, cycle ...string) ([]copyOutLoss, string) {
	t.Helper()
	before := tablesState(p, tables...)
	losses, dir := copyOutAndRollBack(t, p)
	checkCycleLosses(t, losses, cycle...)
	p.must("db", "expand")
	for _, l := range losses {
		if l.Restore != "" {
			shellIn(t, dir, l.Restore)
		}
	}
	if after := tablesState(p, tables...); after != before {
		t.Fatalf("restored:\n%s\nwant:\n%s", after, before)
	}
	return losses, dir
}

// checkCycleLosses: the tables of cycle are one after the other in
// losses, the first with the commands, the others with none, naming it.
func checkCycleLosses(t *testing.T, losses []copyOutLoss, cycle ...string) {
	t.Helper()
	at := slices.IndexFunc(losses, func(l copyOutLoss) bool { return slices.Contains(cycle, l.Table) })
	if at < 0 || at+len(cycle) > len(losses) {
		t.Fatalf("losses: %+v, want the cycle %v together", losses, cycle)
	}
	first := losses[at]
	var got []string
	for i, l := range losses[at : at+len(cycle)] {
		got = append(got, l.Table)
		if i == 0 && (l.Save == "" || l.Restore == "" || l.With != "") || i > 0 && (l.Save != "" || l.Restore != "" || l.With != first.Table) {
			t.Fatalf("losses: %+v: want the first table of the cycle with the commands, the others with %q", losses, first.Table)
		}
	}
	for _, c := range cycle {
		if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+c+" ") {
			t.Fatalf("losses: %+v, want the cycle %v together", losses, cycle)
		}
	}
}

// The cases' keys from a cycle's table to keep, a table of the previous
// release, are ON DELETE SET NULL ON UPDATE CASCADE: a restricting one
// waits for contract (splitter/rule_create_table.go), so expand, and the
// restore after it, would not have it to check; and ON DELETE CASCADE
// would carry the previous release's deletes into the cycle, whose other
// key then waits too.
const mutualCycle = "CREATE TABLE a (id int NOT NULL PRIMARY KEY, b_id int NULL, KEY ix_b (b_id));\n" +
	"CREATE TABLE b (id int NOT NULL PRIMARY KEY, a_id int NOT NULL, KEY ix_a (a_id), CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES a (id));\n" +
	"ALTER TABLE a ADD CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES b (id);\n"

var mutualRows = []string{
	"INSERT INTO a (id, b_id) VALUES (1, NULL), (2, NULL), (3, NULL)",
	"INSERT INTO b (id, a_id) VALUES (10, 1), (20, 2)",
	"UPDATE a SET b_id = 20 WHERE id = 1",
	"UPDATE a SET b_id = 10 WHERE id = 2",
}

func TestRestoreS26MutualCycle(t *testing.T) {
	t.Parallel()
	p := cycleProject(t, mutualCycle, mutualRows...)
	r := p.run("db", "rollback")
	opContains(t, r, "copied out and put back with table")
	losses, dir := restoreCycle(t, p, []string{"a", "b"}, "a", "b")
	// Run again, it refuses before any row: the tables hold rows.
	before := tablesState(p, "a", "b")
	out, err := shellOut(dir, losses[0].Restore)
	if err == nil || !strings.Contains(out, "holds rows already") {
		t.Fatalf("the restore run twice: want its refusal: %v\n%s", err, out)
	}
	if after := tablesState(p, "a", "b"); after != before {
		t.Fatalf("the restore run twice changed the tables:\n%s\nwant:\n%s", after, before)
	}
}

// shellOut runs a command in dir, as shellIn does, for a test that
// expects it to fail.
func shellOut(dir, command string) (string, error) {
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME=/nonexistent", "LC_ALL=C", "LANG=C")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// a -> b -> c -> a: no table of the three can go back first.
func TestRestoreS26LongerCycle(t *testing.T) {
	t.Parallel()
	p := cycleProject(t, "CREATE TABLE a (id int NOT NULL PRIMARY KEY, b_id int NULL, KEY ix_b (b_id));\n"+
		"CREATE TABLE b (id int NOT NULL PRIMARY KEY, c_id int NULL, KEY ix_c (c_id));\n"+
		"CREATE TABLE c (id int NOT NULL PRIMARY KEY, a_id int NOT NULL, KEY ix_a (a_id), CONSTRAINT fk_c_a FOREIGN KEY (a_id) REFERENCES a (id));\n"+
		"ALTER TABLE a ADD CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES b (id);\n"+
		"ALTER TABLE b ADD CONSTRAINT fk_b_c FOREIGN KEY (c_id) REFERENCES c (id);\n",
		"INSERT INTO a VALUES (1, NULL), (2, NULL)",
		"INSERT INTO c VALUES (100, 1), (200, 2)",
		"INSERT INTO b VALUES (10, 100), (20, 200), (30, NULL)",
		"UPDATE a SET b_id = 10 WHERE id = 1",
		"UPDATE a SET b_id = 30 WHERE id = 2")
	restoreCycle(t, p, []string{"a", "b", "c"}, "a", "b", "c")
}

// A table of the cycle also references itself, its rows in a ring of
// their own (1 -> 2 -> 1) and in chains.
func TestRestoreS26CycleWithASelfReference(t *testing.T) {
	t.Parallel()
	p := cycleProject(t, mutualCycle+"ALTER TABLE b ADD COLUMN up int NULL, ADD KEY ix_up (up), ADD CONSTRAINT fk_b_up FOREIGN KEY (up) REFERENCES b (id);\n",
		append(clone(mutualRows),
			"INSERT INTO b VALUES (40, 3, NULL), (30, 3, 40), (50, 1, 30)",
			"UPDATE b SET up = 20 WHERE id = 10",
			"UPDATE b SET up = 10 WHERE id = 20",
			"UPDATE b SET up = 50 WHERE id = 40")...)
	restoreCycle(t, p, []string{"a", "b"}, "a", "b")
}

func clone(s []string) []string { return append([]string(nil), s...) }

// Tables outside the cycle: d references a table of it, and the cycle
// references e. Each goes back on its own, e before the cycle, d after.
func TestRestoreS26TablesBesideACycle(t *testing.T) {
	t.Parallel()
	p := cycleProject(t, "CREATE TABLE e (id int NOT NULL PRIMARY KEY);\n"+
		strings.Replace(mutualCycle, "b_id int NULL,", "b_id int NULL, e_id int NULL, KEY ix_e (e_id), CONSTRAINT fk_a_e FOREIGN KEY (e_id) REFERENCES e (id),", 1)+
		"CREATE TABLE d (id int NOT NULL PRIMARY KEY, a_id int NOT NULL, KEY ix_a (a_id), CONSTRAINT fk_d_a FOREIGN KEY (a_id) REFERENCES a (id));\n",
		"INSERT INTO e VALUES (7), (8)",
		"INSERT INTO a VALUES (1, NULL, 7), (2, NULL, 8), (3, NULL, NULL)",
		"INSERT INTO b VALUES (10, 1), (20, 2)",
		"UPDATE a SET b_id = 20 WHERE id = 1",
		"INSERT INTO d VALUES (1000, 1), (2000, 3)")
	losses, _ := restoreCycle(t, p, []string{"a", "b", "d", "e"}, "a", "b")
	var order []string
	for _, l := range losses {
		order = append(order, l.Table)
	}
	if got := strings.Join(order, " "); got != "e a b d" && got != "e b a d" {
		t.Fatalf("restore order %s, want e, then the cycle, then d", got)
	}
}

// A row of the cycle whose parent is missing stops the restore before
// its commit, naming the table, the row's key and the values that
// reference nothing, and leaves every table of the cycle empty: here a
// row written with the keys' checks off (copied out as it was), and a
// parent outside the cycle deleted after the rollback, which put back,
// lets the same file put every row back.
func TestRestoreS26CycleOrphanStopsTheRestore(t *testing.T) {
	t.Parallel()
	tables := strings.Replace(mutualCycle, "b_id int NULL,", "b_id int NULL, keep_id int NULL, KEY ix_keep (keep_id), CONSTRAINT fk_a_keep FOREIGN KEY (keep_id) REFERENCES keep (id) ON DELETE SET NULL ON UPDATE CASCADE,", 1)
	t.Run("written with the checks off", func(t *testing.T) {
		t.Parallel()
		p := cycleProject(t, tables, "INSERT INTO a VALUES (1, NULL, NULL)", "INSERT INTO b VALUES (10, 1)")
		ctx := context.Background()
		conn, err := p.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"SET SESSION foreign_key_checks = 0", "INSERT INTO a VALUES (2, 99, NULL)", "SET SESSION foreign_key_checks = 1"} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		conn.Close()
		losses, dir := copyOutAndRollBack(t, p)
		checkCycleLosses(t, losses, "a", "b")
		p.must("db", "expand")
		out, err := shellOut(dir, losses[0].Restore)
		if err == nil || !strings.Contains(out, "restore stopped: a row of a (`id` = 2) references no row of b by foreign key fk_a_b (`b_id` = 99); nothing was put back") {
			t.Fatalf("restore of a cycle with an orphan: want it stopped at the orphan: %v\n%s", err, out)
		}
		if got := p.query("SELECT (SELECT COUNT(*) FROM a) + (SELECT COUNT(*) FROM b)"); got != "0" {
			t.Fatalf("the stopped restore left %s row(s)", got)
		}
	})
	t.Run("a parent outside deleted since", func(t *testing.T) {
		t.Parallel()
		p := cycleProject(t, tables, "INSERT INTO keep VALUES (6), (7)", "INSERT INTO a VALUES (1, NULL, 6), (2, NULL, 7)", "INSERT INTO b VALUES (10, 1), (20, 2)", "UPDATE a SET b_id = 20")
		before := tablesState(p, "a", "b")
		losses, dir := copyOutAndRollBack(t, p)
		checkCycleLosses(t, losses, "a", "b")
		p.exec("DELETE FROM keep WHERE id = 7")
		p.must("db", "expand")
		out, err := shellOut(dir, losses[0].Restore)
		if err == nil || !strings.Contains(out, "restore stopped: a row of a (`id` = 2) references no row of keep by foreign key fk_a_keep (`keep_id` = 7)") {
			t.Fatalf("restore of a cycle whose parent outside is gone: want it stopped at the orphan: %v\n%s", err, out)
		}
		if got := p.query("SELECT (SELECT COUNT(*) FROM a) + (SELECT COUNT(*) FROM b)"); got != "0" {
			t.Fatalf("the stopped restore left %s row(s)", got)
		}
		p.exec("INSERT INTO keep VALUES (7)")
		shellIn(t, dir, losses[0].Restore)
		if after := tablesState(p, "a", "b"); after != before {
			t.Fatalf("restored:\n%s\nwant:\n%s", after, before)
		}
	})
}

// Names a copy-out must carry exactly, in a cycle: of the tables, their
// columns and keys, and text keys (quotes, a comma, a line break) that
// the message stopping at an orphan must show as literals. (A table
// named with a double quote or a backslash that a foreign key references
// is refused by emcee plan at the reference, which Atlas cannot resolve:
// TestReferencesToNamesAtlasCannotResolveRefused.)
func TestRestoreS26HostileNamesInACycle(t *testing.T) {
	t.Parallel()
	const ta, tb = "we'ird tab;le -- x", "--b ☃ x"
	p := cycleProject(t, "CREATE TABLE `we'ird tab;le -- x` (`i d` varchar(20) NOT NULL PRIMARY KEY, `select` varchar(20) NULL, `k;eep` int NULL, KEY `ix s` (`select`), KEY ix_k (`k;eep`),\n"+
		"  CONSTRAINT `f;k'\\x` FOREIGN KEY (`k;eep`) REFERENCES keep (id) ON DELETE SET NULL ON UPDATE CASCADE);\n"+
		"CREATE TABLE `--b ☃ x` (`i d` varchar(20) NOT NULL PRIMARY KEY, `we'ird` varchar(20) NOT NULL, KEY ix_w (`we'ird`),\n"+
		"  CONSTRAINT `fk b` FOREIGN KEY (`we'ird`) REFERENCES `we'ird tab;le -- x` (`i d`));\n"+
		"ALTER TABLE `we'ird tab;le -- x` ADD CONSTRAINT `fk a;` FOREIGN KEY (`select`) REFERENCES `--b ☃ x` (`i d`);\n",
		"INSERT INTO keep VALUES (5)",
		"INSERT INTO `we'ird tab;le -- x` VALUES ('it''s, a\nkey', NULL, 5), ('two', NULL, NULL)",
		"INSERT INTO `--b ☃ x` VALUES ('b\\\\1', 'it''s, a\nkey'), ('NULL', 'two')",
		"UPDATE `we'ird tab;le -- x` SET `select` = 'NULL' WHERE `i d` = 'two'",
		"UPDATE `we'ird tab;le -- x` SET `select` = 'b\\\\1' WHERE `i d` <> 'two'")
	before := tablesState(p, ta, tb)
	losses, dir := copyOutAndRollBack(t, p)
	checkCycleLosses(t, losses, ta, tb)
	p.exec("DELETE FROM keep")
	p.must("db", "expand")
	out, err := shellOut(dir, losses[0].Restore)
	want := "restore stopped: a row of " + ta + " (`i d` = _utf8mb4 X'697427732C20610A6B6579')"
	if err == nil || !strings.Contains(out, want) {
		t.Fatalf("restore with a parent gone: want it stopped with the row's key: %v\n%s", err, out)
	}
	if !strings.Contains(out, "references no row of keep by foreign key f;k'\\x (`k;eep` = 5)") {
		t.Fatalf("restore with a parent gone: want the key and its values: %s", out)
	}
	p.exec("INSERT INTO keep VALUES (5)")
	shellIn(t, dir, losses[0].Restore)
	if after := tablesState(p, ta, tb); after != before {
		t.Fatalf("restored:\n%s\nwant:\n%s", after, before)
	}
}

// A cycle's file cut short (a full disk, a lost connection) is not put
// back, cut between the tables' rows or inside a row; with its last line
// forged, what it holds is not committed either.
func TestRestoreS26CutShortCycleFile(t *testing.T) {
	t.Parallel()
	p := cycleProject(t, mutualCycle, mutualRows...)
	before := tablesState(p, "a", "b")
	losses, dir := copyOutAndRollBack(t, p)
	checkCycleLosses(t, losses, "a", "b")
	p.must("db", "expand")
	files, _ := filepath.Glob(filepath.Join(dir, "*cycle*.sql"))
	if len(files) != 1 {
		t.Fatalf("files of the cycle: %v", files)
	}
	whole, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(whole), "\n")
	between := strings.Join(lines[:1+2], "")                           // the head and the first table's rows
	inside := strings.Join(lines[:4], "") + lines[4][:len(lines[4])/2] // half a row of the second table
	forged := strings.Join(lines[:5], "") + "-- end of the copy-out\n" // every row, no checks, no commit
	for _, cut := range []string{between, inside, forged} {
		if err := os.WriteFile(files[0], []byte(cut), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := shellOut(dir, losses[0].Restore)
		if cut != forged && (err == nil || !strings.Contains(out, "does not end with the line -- end of the copy-out")) {
			t.Fatalf("restore of a file cut short: want the refusal: %v\n%s", err, out)
		}
		if got := p.query("SELECT (SELECT COUNT(*) FROM a) + (SELECT COUNT(*) FROM b)"); got != "0" {
			t.Fatalf("the restore of a file cut short (%q) put back %s row(s)", cut, got)
		}
	}
	if err := os.WriteFile(files[0], whole, 0o600); err != nil {
		t.Fatal(err)
	}
	shellIn(t, dir, losses[0].Restore)
	if after := tablesState(p, "a", "b"); after != before {
		t.Fatalf("restored:\n%s\nwant:\n%s", after, before)
	}
}

// The restore killed (kill -9) while it puts a cycle's rows back, all of
// them in, before its commit: nothing is left of it, and the same
// command run again puts every row back. A row of keep, which a
// references, locked by another transaction stops the restore at the
// check of a's key to keep until the test has killed it.
func TestRestoreS26KilledDuringACycleRestore(t *testing.T) {
	t.Parallel()
	p := cycleProject(t, strings.Replace(mutualCycle, "b_id int NULL,", "b_id int NULL, keep_id int NULL, KEY ix_keep (keep_id), CONSTRAINT fk_a_keep FOREIGN KEY (keep_id) REFERENCES keep (id) ON DELETE SET NULL ON UPDATE CASCADE,", 1),
		"INSERT INTO keep VALUES (6)", "INSERT INTO a VALUES (1, NULL, 6), (2, NULL, NULL)", "INSERT INTO b VALUES (10, 1), (20, 2)", "UPDATE a SET b_id = 20")
	before := tablesState(p, "a", "b")
	losses, dir := copyOutAndRollBack(t, p)
	checkCycleLosses(t, losses, "a", "b")
	p.must("db", "expand")
	ctx := context.Background()
	hold, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	for _, q := range []string{"START TRANSACTION", "SELECT id FROM keep WHERE id = 6 FOR UPDATE"} {
		if _, err := hold.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var id string
	p.waitFor("the restore to wait for the row of keep", func() bool {
		id = p.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SET @emcee_stop = (SELECT %FROM `keep`%'", p.DB.Name)
		return id != ""
	})
	if got := p.query("SELECT (SELECT COUNT(*) FROM a) + (SELECT COUNT(*) FROM b)"); got != "0" {
		t.Fatalf("the restore's rows are seen before its commit: %s", got)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if _, err := hold.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the killed restore's connection to end", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = "+id) == "0"
	})
	if got := p.query("SELECT (SELECT COUNT(*) FROM a) + (SELECT COUNT(*) FROM b)"); got != "0" {
		t.Fatalf("the killed restore left %s row(s)", got)
	}
	shellIn(t, dir, losses[0].Restore)
	if after := tablesState(p, "a", "b"); after != before {
		t.Fatalf("restored:\n%s\nwant:\n%s", after, before)
	}
}
