package planner

import (
	"strings"
	"testing"
)

// A data-only release still gets its migration, and a later revision of
// the same release (append-only) carries only the data migrations added
// since: the earlier ones are already in the earlier revision.
func TestDataMigrationsArePlannedOnce(t *testing.T) {
	dir := newProject(t, "")
	m1 := "data_migration \"m1\" {\n  table   = \"images\"\n  set     = \"name = TRIM(name)\"\n  pending = \"name <> TRIM(name)\"\n}\n"
	m2 := "data_migration \"m2\" {\n  table   = \"images\"\n  set     = \"name = LOWER(name)\"\n  pending = \"BINARY name <> LOWER(name)\"\n}\n"
	// pike changes no table at all: only data.
	write(t, dir, "schema/pike.hcl", ocata+m1)
	plan(t, dir, Options{})
	m := string(read(t, dir, "plans/pike/pike_migrate01.sql"))
	c := string(read(t, dir, "plans/pike/pike_contract01.sql"))
	if !strings.Contains(m, "-- emcee:backfill table=images key=id\nUPDATE `images` SET `name` = TRIM(`name`) WHERE (`name` != TRIM(`name`));") {
		t.Fatalf("pike_migrate01 lacks data migration m1:\n%s", m)
	}
	if !strings.Contains(c, "-- emcee:gate\nSELECT COUNT(*) FROM `images` WHERE (`name` != TRIM(`name`));") {
		t.Fatalf("pike_contract01 lacks the gate of m1:\n%s", c)
	}

	// A schema edit in the same release: revision 02 must not rerun m1.
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1)+m1)
	plan(t, dir, Options{})
	if m := string(read(t, dir, "plans/pike/pike_migrate02.sql")); strings.Contains(m, "TRIM") {
		t.Fatalf("pike_migrate02 runs m1 again:\n%s", m)
	}

	// A new data migration: revision 03 holds it, and only it.
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1)+m1+m2)
	out := plan(t, dir, Options{})
	if len(out.New) != 4 || out.New[1].String() != "pike_migrate03" {
		t.Fatalf("new revisions %v, want pike_*03", out.New)
	}
	m3 := string(read(t, dir, "plans/pike/pike_migrate03.sql"))
	if !strings.Contains(m3, "SET `name` = LOWER(`name`)") || strings.Contains(m3, "TRIM") {
		t.Fatalf("pike_migrate03 should hold m2 only:\n%s", m3)
	}
	if again := plan(t, dir, Options{}); len(again.New) != 0 {
		t.Fatalf("rerun planned %v; want nothing", again.New)
	}
}
