package apply

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

func TestTriggerPrivileges(t *testing.T) {
	ok := []struct {
		logBin, trust bool
		grants        []string
	}{
		{false, false, nil},
		{true, true, nil},
		{true, false, []string{"GRANT SUPER, TRIGGER ON *.* TO `deploy`@`%`"}},
		{true, false, []string{"GRANT USAGE ON *.* TO `deploy`@`%`", "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"}},
	}
	for _, c := range ok {
		if _, err := triggerPrivileges(2, c.logBin, c.trust, c.grants, "deploy"); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	// ALL on one schema is not SUPER.
	_, err := triggerPrivileges(2, true, false, []string{"GRANT USAGE ON *.* TO `deploy`@`%`", "GRANT ALL PRIVILEGES ON `glance`.* TO `deploy`@`%`"}, "deploy")
	if err == nil || !strings.Contains(err.Error(), "log_bin_trust_function_creators = 1") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("missing SUPER with binary logging on: %v", err)
	}
}

func TestSetsSession(t *testing.T) {
	for sql, want := range map[string]bool{
		"SET SESSION foreign_key_checks = 0":                      true,
		"set session foreign_key_checks=1":                        true,
		"SET foreign_key_checks = 0":                              true,
		"SET LOCAL sql_mode = ''":                                 true,
		"SET @batch = 10, NAMES utf8mb4":                          true,
		"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED":  true,
		"SET TRANSACTION READ ONLY":                               false,
		"SET foreign_key_checks = 0, GLOBAL max_connections = 10": false,
		"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `t` ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`)": false,
		"SET GLOBAL foreign_key_checks = 0":              false,
		"SET PASSWORD = 'x'":                             false,
		"SET TRANSACTION ISOLATION LEVEL READ COMMITTED": false,
		"ALTER TABLE `t` ADD COLUMN `set` int":           false,
		"UPDATE `t` SET `a` = 1 WHERE `a` IS NULL":       false,
	} {
		if got := setsSession(sql); got != want {
			t.Errorf("setsSession(%q) = %v, want %v", sql, got, want)
		}
	}
}

// A gate that an earlier run passed and that reads a column a later,
// applied statement of the same revision dropped is not rerun; any other
// reason it cannot run still refuses.
func TestDroppedBy(t *testing.T) {
	rev := &revision.Revision{ID: revision.ID{Release: "two", Phase: revision.Contract, Seq: 1}, Statements: []revision.Statement{
		{Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `images` WHERE `visibility` IS NULL AND (CASE WHEN `is_public` THEN 'public' ELSE 'private' END) IS NOT NULL"},
		{SQL: "DROP TRIGGER `tr`"},
		{SQL: "ALTER TABLE `images` DROP COLUMN `is_public`, ALGORITHM=INSTANT"},
		{SQL: "ALTER TABLE `images` MODIFY COLUMN `visibility` varchar(20) NOT NULL"},
	}}
	unknown := &mysql.MySQLError{Number: 1054, Message: "Unknown column 'is_public' in 'where clause'"}
	for _, c := range []struct {
		name     string
		rec      *history.Record
		err      error
		contains string
	}{
		{"dropped by an applied statement", &history.Record{Applied: 3}, unknown, "it reads images.is_public, which statement 3 of this revision dropped (applied by an earlier run)"},
		{"dropped by the statement in flight", &history.Record{Applied: 2, InFlight: true}, unknown, "statement 3 of this revision dropped (sent by an earlier run)"},
		{"the drop was not sent yet", &history.Record{Applied: 2}, unknown, ""},
		{"first run", nil, unknown, ""},
		{"another error", &history.Record{Applied: 3}, &mysql.MySQLError{Number: 1142, Message: "SELECT command denied"}, ""},
		{"not a server error", &history.Record{Applied: 3}, errors.New("connection lost"), ""},
	} {
		got := droppedBy(rev, c.rec, 0, c.err)
		if (c.contains == "") != (got == "") || !strings.Contains(got, c.contains) {
			t.Errorf("%s: %q, want %q", c.name, got, c.contains)
		}
	}
	// Contract changes a table in one ALTER: the column the gate reads may
	// be the second of several that statement drops.
	combined := &revision.Revision{ID: rev.ID, Statements: []revision.Statement{
		rev.Statements[0], rev.Statements[1],
		{SQL: "ALTER TABLE `images` DROP INDEX `ix_a`, DROP COLUMN `legacy`, DROP COLUMN `is_public`, MODIFY COLUMN `visibility` varchar(20) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
	}}
	if got := droppedBy(combined, &history.Record{Applied: 2, InFlight: true}, 0, unknown); !strings.Contains(got, "it reads images.is_public, which statement 3 of this revision dropped (sent by an earlier run)") {
		t.Errorf("a gate reading the second column a combined ALTER drops: %q", got)
	}
}

func TestTransient(t *testing.T) {
	for err, want := range map[error]bool{
		&mysql.MySQLError{Number: 1205}:                          true,
		&mysql.MySQLError{Number: 1213}:                          true,
		fmt.Errorf("batch: %w", &mysql.MySQLError{Number: 1213}): true,
		&mysql.MySQLError{Number: 1062}:                          false,
		errors.New("Error 1205"):                                 false,
	} {
		if got := transient(err); got != want {
			t.Errorf("transient(%v) = %v, want %v", err, got, want)
		}
	}
}

// A closed gate of an expand revision (a conversion's collision count)
// is refused as expand's: its rows were written before the release
// started, no migrate rewrites them and contract is not near. It said
// "contract blocked by data ... Migrate is complete" and to rerun `emcee
// db contract` (Keycloak 2.5.0's usernames moving to utf8). Blocked by
// data all the same (exit 7): only a person fixing the rows opens it; it
// exited 1.
func TestExpandGateRefusalNamesExpand(t *testing.T) {
	closed := GateResult{Revision: "2_5_0_expand01", Rule: "convert-charset", Why: "unique index UK on USER_ENTITY under the new collation of USERNAME", At: "plans/2_5_0/2_5_0_expand01.sql:6", Count: 2}
	c := gateCheck{rev: &revision.Revision{ID: revision.ID{Release: "2_5_0", Phase: revision.Expand, Seq: 1}}, results: []GateResult{closed}, closed: []GateResult{closed}, cmd: "`emcee db expand --env prod`"}
	err := c.err()
	blocked, ok := errors.AsType[*Blocked](err)
	if !ok || len(blocked.Gates) != 1 {
		t.Fatalf("an expand gate's refusal is not blocked by data (exit 7): %v", err)
	}
	ref := &blocked.Refusal
	if !strings.Contains(ref.Reason, "2_5_0_expand01 refused: 1 of 1 gate closed, nothing was changed") || strings.Contains(ref.Reason, "contract") || strings.Contains(ref.Reason, "igrate") {
		t.Errorf("reason: %s", ref.Reason)
	}
	if !strings.HasSuffix(ref.Next, "then rerun `emcee db expand --env prod`") {
		t.Errorf("next: %s", ref.Next)
	}
}

// A closed gate's way out names the command to run with the run's flags
// that command has (Options.Rerun): migrate, meeting contract's gates,
// said "then rerun `emcee db contract`" without its --env (the rerun
// worked on another database); expand, meeting its own gate (colliding
// keys of a conversion), said "contract blocked by data" and sent the
// operator to contract, which cannot run before migrate.
func TestGateWayOutCarriesTheRunsFlags(t *testing.T) {
	flags := func(cmd string) ([]string, []string) {
		if cmd == "migrate" {
			return []string{"--batch-size", "500", "--env", "prod"}, []string{"--url"}
		}
		return []string{"--env", "prod"}, []string{"--url"}
	}
	closed := []GateResult{{Revision: "two_x", Rule: "r", Why: "why", At: "plans/x.sql:3", Count: 2, ListSQL: "SELECT 1"}}
	check := func(cmd string, phase revision.Phase, catchUp int64) error {
		s := &Session{cmd: cmd, opts: Options{Rerun: flags}}
		c := s.gateCheck(&revision.Revision{ID: revision.ID{Release: "two", Phase: phase, Seq: 1}})
		c.results, c.closed, c.catchUp = closed, closed, catchUp
		return c.err()
	}
	const add = " (with this run's --url, left out here: it may hold a password)"
	for _, c := range []struct {
		cmd     string
		phase   revision.Phase
		catchUp int64
		want    string
		blocked bool // exit 7; said as a contract's when the phase is contract
	}{
		{"migrate", revision.Contract, 0, "then rerun `emcee db contract --env prod`" + add, true},
		{"contract", revision.Contract, 0, "then rerun `emcee db contract --env prod`" + add, true},
		{"contract", revision.Contract, 5, "run `emcee db migrate --batch-size 500 --env prod`" + add + " to finish the backfill (`emcee db status --env prod`" + add + " counts the rows left) or fix the rows the gate reports, then rerun `emcee db contract --env prod`" + add, false},
		{"expand", revision.Expand, -1, "then rerun `emcee db expand --env prod`" + add, true},
	} {
		err := check(c.cmd, c.phase, c.catchUp)
		var r *Refusal
		if !errors.As(err, &r) || !strings.HasSuffix(r.Next, c.want) {
			t.Errorf("%s meeting a %s gate: next %q, want it to end %q", c.cmd, c.phase, r.Next, c.want)
		}
		if _, blocked := errors.AsType[*Blocked](err); blocked != c.blocked || strings.Contains(err.Error(), "contract blocked") != (c.blocked && c.phase == revision.Contract) {
			t.Errorf("%s meeting a %s gate: %v, blocked %v", c.cmd, c.phase, err, blocked)
		}
	}
}

// The way out for tables no release declares counts them with the
// project's plural (sqlsyntax.Plural), where a map[bool]string picked "that
// table"/"those tables" and "it"/"them", and it is a sentence of its own:
// it followed "rerun with --allow-drift" without a full stop.
func TestExcludeWayOut(t *testing.T) {
	unexpected := func(names ...string) *devdb.Report {
		r := &devdb.Report{}
		for _, n := range names {
			r.Tables = append(r.Tables, devdb.Object{Table: n, Differences: []devdb.Difference{{Kind: "table", Name: n, State: devdb.Unexpected}}})
		}
		return r
	}
	s := &Session{Plans: &revision.Plans{}}
	for _, c := range []struct {
		rep  *devdb.Report
		want string
	}{
		{unexpected("archive_2020_01"), `nothing was changed. If these differences are intended (e.g. a hotfix made by hand), rerun with --allow-drift. If the application creates tables as it runs (1 table that no release declares here), name them in the env's exclude instead (exclude = ["archive_2020_01"] in its env block`},
		{unexpected("a_1", "a_2"), `rerun with --allow-drift. If the application creates tables as it runs (2 tables that no release declares here), name them in the env's exclude instead (exclude = ["a_1", "a_2"] in its env block`},
	} {
		err := s.driftAccepted(t.Context(), &Result{Drift: c.rep}, "found\n", nil, "If these differences are intended (e.g. a hotfix made by hand), rerun with --allow-drift")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("drift refusal:\n%v\nwant it to hold\n%s", err, c.want)
		}
	}
	if got := excludeWayOut(&devdb.Report{}); got != "" {
		t.Errorf("no unexpected table: %q", got)
	}
}

// A revision holding a statement no emcee writes (effect's DDL.Planned),
// its sum recomputed after the edit, is refused with the statement's
// file:line, what it is and the ways out; the statements emcee writes,
// directives' gates and backfills included, pass. readable is what Open
// asks of every revision before any path runs one.
func TestReadableRefusesStatementsNoEmceeWrites(t *testing.T) {
	s := &Session{Project: &project.Project{PlansDir: "plans"}}
	id := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	planned := []revision.Statement{
		{Rule: "add-column", SQL: "ALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=INSTANT"},
		{Rule: "replace-column", SQL: "CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.`c` = NEW.`b`"},
		{Rule: "data-migration", SQL: "INSERT INTO `t` (`id`) SELECT 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `t` WHERE `id` <=> 1)"},
		{Rule: "data-migration", SQL: "DELETE FROM `t` WHERE (`c` IS NULL)"},
		{Rule: "tighten-column", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `t` WHERE `c` IS NULL"},
		{Rule: "add-column", Kind: revision.Backfill, Table: "t", Key: "id", SQL: "UPDATE `t` SET `c` = `b` WHERE `c` IS NULL"},
		{Rule: "convert-charset", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND ROW_FORMAT IN ('Compact', 'Redundant')"},
	}
	read := func(stmts []revision.Statement) *revision.Revision {
		t.Helper()
		data := (&revision.Script{ID: id, From: "ocata", To: "pike", Statements: stmts}).Render()
		parsed, err := revision.Parse(id.File(), data)
		if err != nil {
			t.Fatal(err)
		}
		return &revision.Revision{ID: id, Path: id.File(), Statements: parsed}
	}
	if err := s.readable(read(planned)); err != nil {
		t.Fatalf("statements emcee writes refused: %v", err)
	}
	for _, foreign := range []string{
		"GRANT ALL ON *.* TO `evil`@`%`",
		"CREATE USER `evil`@`%` IDENTIFIED BY 'x'",
		"SET GLOBAL read_only = 1",
		"UPDATE `t` SET `c` = 1",
		"DELETE FROM `t`",
		"DO SLEEP(2)",
		"SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')",
		"SET SESSION sql_log_bin = 0",
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SET GLOBAL max_connect_errors = 1",
		"CREATE TRIGGER `t_bu` BEFORE UPDATE ON `t` FOR EACH ROW BEGIN IF 1 THEN SELECT NEW.`c` INTO OUTFILE '/tmp/x'; END IF; END",
	} {
		rev := read(append(slices.Clone(planned[:2]), append([]revision.Statement{{Rule: "add-column", SQL: foreign}}, planned[2:]...)...))
		err := s.readable(rev)
		var r *Refusal
		if !errors.As(err, &r) {
			t.Errorf("%s: not refused: %v", foreign, err)
			continue
		}
		at := fmt.Sprintf("plans/pike/pike_expand01.sql:%d", rev.Statements[2].Line)
		for _, want := range []string{"pike_expand01 refused before emcee ran anything: statement 3 at " + at + ", " + fmt.Sprintf("%q", foreign), "a statement no emcee writes"} {
			if !strings.Contains(r.Reason, want) {
				t.Errorf("%s: reason %q lacks %q", foreign, r.Reason, want)
			}
		}
		if !strings.Contains(r.Next, "restore plans from version control") || !strings.Contains(r.Next, "`emcee plan --check` says what differs") {
			t.Errorf("%s: next %q", foreign, r.Next)
		}
	}
	// A gate is a SELECT, and emcee writes it plain: one that writes its
	// answer to a file (INTO OUTFILE, with the operator's FILE privilege)
	// or locks the rows it reads ran, the guard checking DDL alone.
	// A backfill naming a table of another database ran: its UPDATE copied
	// mysql.user's accounts into the table it updated.
	for _, backfill := range []string{
		"UPDATE `t` SET `c` = (SELECT MAX(`User`) FROM `mysql`.`user`) WHERE `c` IS NULL",
		"UPDATE `t` SET `c` = `b` WHERE `c` IS NULL AND EXISTS (SELECT 1 FROM `other`.`t`)",
		"UPDATE `t` SET `c` = `b` WHERE `c` IS NULL AND RELEASE_ALL_LOCKS() >= 0",
		"UPDATE `t` SET `c` = `b` WHERE `c` IS NULL AND EXISTS (SELECT 1 FROM `emcee_revisions`)",
	} {
		rev := read(append(slices.Clone(planned[:2]), append([]revision.Statement{{Rule: "add-column", Kind: revision.Backfill, Table: "t", Key: "id", SQL: backfill}}, planned[2:]...)...))
		var r *Refusal
		if err := s.readable(rev); !errors.As(err, &r) || !strings.Contains(r.Reason, "pike_expand01 refused before emcee ran anything: statement 3 at plans/pike/pike_expand01.sql:") || !strings.Contains(r.Reason, "is no backfill emcee writes: it ") {
			t.Errorf("%s: %v", backfill, err)
		}
	}
	for gate, effect := range map[string]string{
		"SELECT COUNT(*) FROM `t` WHERE `c` IS NULL INTO OUTFILE '/tmp/x'":                                          "it writes its answer out (SELECT ... INTO)",
		"SELECT COUNT(*) FROM `t` WHERE `c` IS NULL FOR UPDATE":                                                     "it locks the rows it reads",
		"SELECT COUNT(*) FROM `t` WHERE NOT EXISTS (SELECT 1 FROM `u` WHERE `u`.`id` = `t`.`c` LOCK IN SHARE MODE)": "it locks the rows it reads",
		"SELECT COUNT(*) FROM `t` WHERE `c` = (SELECT MAX(`User`) FROM `mysql`.`user`)":                             "it names `mysql`.`user`, a table of another database",
		"SELECT COUNT(*) * RELEASE_ALL_LOCKS() FROM `t` WHERE `c` IS NULL":                                          "it calls RELEASE_ALL_LOCKS(...): it releases every named lock",
	} {
		rev := read(append(slices.Clone(planned[:2]), append([]revision.Statement{{Rule: "tighten-column", Kind: revision.Gate, SQL: gate}}, planned[2:]...)...))
		var r *Refusal
		if err := s.readable(rev); !errors.As(err, &r) || !strings.Contains(r.Reason, "pike_expand01 refused before emcee ran anything: gate 3 at plans/pike/pike_expand01.sql:") || !strings.Contains(r.Reason, "is no gate emcee writes: "+effect) {
			t.Errorf("%s: %v", gate, err)
		}
	}
}

// A gate of a later revision waits for an earlier pending one only where a
// statement still to run there changes what it reads: a column it names
// (dropped, converted), rows of its table a delete it does not leave out
// removes, a table it reads. What it does not read, and a delete whose
// rows it leaves out by the delete's predicate, change nothing it counts.
func TestWaitsForEarlierRevisions(t *testing.T) {
	const unique = "SELECT COUNT(*) FROM `t` WHERE (`name`) IN (SELECT `name` FROM `t` WHERE `name` IS NOT NULL AND (`legacy` = 1) IS NOT TRUE GROUP BY `name` HAVING COUNT(*) > 1) AND (`legacy` = 1) IS NOT TRUE"
	s := &Session{Records: history.Records{}}
	earlier := func(sql ...string) []*revision.Revision {
		rev := &revision.Revision{ID: revision.ID{Release: "b", Phase: revision.Contract, Seq: 1}}
		for _, q := range sql {
			rev.Statements = append(rev.Statements, revision.Statement{SQL: q})
		}
		return []*revision.Revision{rev}
	}
	for _, c := range []struct {
		earlier []string
		want    string
	}{
		{[]string{"ALTER TABLE `t` DROP COLUMN `legacy`, ALGORITHM=INSTANT"}, "it reads t.legacy, which b_contract01 changes first (statement 1: drop column)"},
		{[]string{"ALTER TABLE `t` DROP COLUMN `other`", "ALTER TABLE `u` DROP COLUMN `name`"}, ""},
		{[]string{"DELETE `t` FROM `t` JOIN (SELECT `id` FROM `t` WHERE (`legacy` = 1)) AS `emcee_rows` USING (`id`)"}, ""},
		{[]string{"DELETE `t` FROM `t` JOIN (SELECT `id` FROM `t` WHERE (`name` = '')) AS `emcee_rows` USING (`id`)"}, "it reads t, which b_contract01 changes first (statement 1: delete rows)"},
		{[]string{"ALTER TABLE `t` MODIFY COLUMN `name` varchar(50) NULL"}, "it reads t.name, which b_contract01 changes first (statement 1: modify column)"},
		{[]string{"DROP TABLE `t`"}, "it reads t, which b_contract01 changes first (statement 1: drop table)"},
	} {
		if got := s.waitsFor(earlier(c.earlier...), unique); got != c.want {
			t.Errorf("after %q:\ngot  %q\nwant %q", c.earlier, got, c.want)
		}
	}
}
