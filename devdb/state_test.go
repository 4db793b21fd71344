package devdb

import (
	"context"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// State and Since tell what changed in the dev database between two
// moments, tables, triggers and views alike, in the report every drift
// check prints; undoing the change leaves none.
func TestStateSince(t *testing.T) {
	ctx := context.Background()
	dev := testdb.New(t)
	d, err := Open(ctx, Spec{URL: dev.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	if err := d.Exec(ctx, []string{"CREATE TABLE `t 'x'` (id int PRIMARY KEY, `n\"m` varchar(10) NOT NULL)"}); err != nil {
		t.Fatal(err)
	}
	before, err := d.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	change := []string{
		"ALTER TABLE `t 'x'` ADD COLUMN c int NULL, ALTER COLUMN `n\"m` SET DEFAULT ''",
		"CREATE TRIGGER tr BEFORE INSERT ON `t 'x'` FOR EACH ROW SET NEW.c = 1",
		"CREATE VIEW `v 'x'` AS SELECT id FROM `t 'x'`",
	}
	if err := d.Exec(ctx, change); err != nil {
		t.Fatal(err)
	}
	rep, err := d.Since(ctx, before, "the state before")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"column c is unexpected", `column n"m`, "trigger tr is unexpected", "view v 'x'"} {
		if !strings.Contains(rep.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, rep)
		}
	}
	undo := []string{"DROP VIEW `v 'x'`", "DROP TRIGGER tr", "ALTER TABLE `t 'x'` DROP COLUMN c, ALTER COLUMN `n\"m` DROP DEFAULT"}
	if err := d.Exec(ctx, undo); err != nil {
		t.Fatal(err)
	}
	if rep, err := d.Since(ctx, before, "the state before"); err != nil || !rep.Clean() {
		t.Fatalf("after undoing the change: %v\n%s", err, rep)
	}
}
