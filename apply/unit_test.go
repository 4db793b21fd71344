package apply

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/history"
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
// db contract` (Keycloak 2.5.0's usernames moving to utf8).
func TestExpandGateRefusalNamesExpand(t *testing.T) {
	closed := GateResult{Revision: "2_5_0_expand01", Rule: "convert-charset", Why: "unique index UK on USER_ENTITY under the new collation of USERNAME", At: "plans/2_5_0/2_5_0_expand01.sql:6", Count: 2}
	c := gateCheck{rev: &revision.Revision{ID: revision.ID{Release: "2_5_0", Phase: revision.Expand, Seq: 1}}, results: []GateResult{closed}, closed: []GateResult{closed}, cmd: "`emcee db expand --env prod`"}
	err := c.err()
	var blocked *Blocked
	if errors.As(err, &blocked) {
		t.Fatalf("an expand gate is reported as a contract blocked by data (exit 7): %v", err)
	}
	var ref *Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("not a refusal: %v", err)
	}
	if !strings.Contains(ref.Reason, "2_5_0_expand01 refused: 1 of 1 gate closed, nothing was changed") || strings.Contains(ref.Reason, "contract") || strings.Contains(ref.Reason, "igrate") {
		t.Errorf("reason: %s", ref.Reason)
	}
	if !strings.HasSuffix(ref.Next, "then rerun `emcee db expand --env prod`") {
		t.Errorf("next: %s", ref.Next)
	}
}

// A contract gate that a migrate run would still open names the contract
// to rerun as this run was given (its --env): it said `emcee db contract`
// alone, after a run with --env local (Keycloak 4.0.0's data migration,
// which a 3.4.2 client written after migrate left pending).
func TestCatchUpRefusalRerunsTheRun(t *testing.T) {
	closed := GateResult{Revision: "4_0_0_contract01", Rule: "data-migration", Why: "rows of CLIENT not inserted yet", At: "plans/4_0_0/4_0_0_contract01.sql:46", Count: 1}
	c := gateCheck{rev: &revision.Revision{ID: revision.ID{Release: "4_0_0", Phase: revision.Contract, Seq: 1}}, results: []GateResult{closed}, closed: []GateResult{closed}, catchUp: 1, cmd: "`emcee db contract --env local`"}
	var ref *Refusal
	if err := c.err(); !errors.As(err, &ref) {
		t.Fatalf("not a refusal: %v", err)
	}
	if !strings.HasPrefix(ref.Next, "run `emcee db migrate`") || !strings.HasSuffix(ref.Next, "then rerun `emcee db contract --env local`") {
		t.Errorf("next: %s", ref.Next)
	}
}
