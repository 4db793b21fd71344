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

// A data migration the release's revisions carry, edited in the release
// file (Gitea 1.15's primary emails: pending made to select one user an
// email, after two users sharing one stopped migrate), was taken as
// planned already: `emcee plan` said the plans were up to date and the
// edit ran nowhere. It is refused, saying what differs and the ways out;
// --rewrite plans the release again with it.
func TestAnEditedDataMigrationIsRefused(t *testing.T) {
	dir := newProject(t, "")
	m1 := "data_migration \"m1\" {\n  table   = \"images\"\n  set     = \"name = TRIM(name)\"\n  pending = \"name <> TRIM(name)\"\n}\n"
	write(t, dir, "schema/pike.hcl", ocata+m1)
	plan(t, dir, Options{})
	// Spacing and case are no edit.
	write(t, dir, "schema/pike.hcl", ocata+strings.Replace(m1, "name <> TRIM(name)", "name  <>  trim(name)", 1))
	if again := plan(t, dir, Options{}); len(again.New) != 0 {
		t.Fatalf("a respaced predicate planned %v", again.New)
	}
	write(t, dir, "schema/pike.hcl", ocata+strings.Replace(m1, "name <> TRIM(name)", "name <> TRIM(name) AND id > 0", 1))
	err := planErr(t, dir, Options{})
	for _, want := range []string{
		`schema/pike.hcl:`, `data_migration "m1" is not what the revisions of release pike carry (pending is "`, "AND `id` > 0", `planned as "`,
		"`emcee plan --rewrite pike`", "declare the change as a data_migration of its own, under another name",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("plan of an edited data migration: %v\nwant it to contain %q", err, want)
		}
	}
	plan(t, dir, Options{Rewrite: []string{"pike"}})
	if c := string(read(t, dir, "plans/pike/pike_contract01.sql")); !strings.Contains(c, "AND `id` > 0") {
		t.Fatalf("the rewritten contract lacks the edited predicate:\n%s", c)
	}
}
