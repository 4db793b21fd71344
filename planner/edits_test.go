package planner

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
)

// Every sentence of the refusal starts in upper case, whatever it joins:
// it began with a lower-case "release pike is released" (seen by the
// session 29 differential check, plan --check of plans an older emcee
// wrote).
func TestRefusalSentencesStartCapitalized(t *testing.T) {
	p, err := project.Load("../atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	stein := Planned{Release: "stein", Format: 0, Where: "plans/stein/stein.snapshot.hcl:3", Count: 2}
	train := Planned{Release: "train", Format: Format + 1, Where: "plans/train/train.snapshot.hcl:3", Count: 1}
	ussuri := Planned{Release: "ussuri", Format: unrecorded, Where: "plans/ussuri/ussuri.snapshot.hcl", Count: 1}
	for _, e := range []Edits{
		{Edited: []string{"pike"}},
		{Edited: []string{"ocata", "pike"}, Planned: []Planned{stein}},
		{Planned: []Planned{stein, train, ussuri}},
		{Edited: []string{"queens"}, Planned: []Planned{train}},
	} {
		msg := e.Refusal(p)
		for _, s := range strings.Split(msg, ". ")[1:] {
			if s == "" || strings.ToUpper(s[:1]) != s[:1] {
				t.Errorf("%+v: a sentence starts in lower case: %q\nin: %s", e, s, msg)
			}
		}
	}
}

// An edit renaming a table that the release's planned contract alters is
// refused: the new expand runs before that contract (phase by phase) and
// leaves only the compatibility view under the old name, which the server
// refuses to alter (MariaDB 1347, "not of type BASE TABLE").
func TestEditRenamingATablePlannedRevisionsAlterIsRefused(t *testing.T) {
	dir := newProject(t, "")
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "  column \"name\" {\n    type = varchar(100)\n  }\n", "", 1))
	plan(t, dir, Options{})
	if c1 := string(read(t, dir, "plans/pike/pike_contract01.sql")); !strings.Contains(c1, "ALTER TABLE `images` DROP COLUMN `name`") {
		t.Fatalf("pike_contract01 should drop images.name:\n%s", c1)
	}
	renamed := strings.Replace(ocata, "  column \"name\" {\n    type = varchar(100)\n  }\n", "", 1)
	renamed = strings.Replace(renamed, "table \"images\" {\n", "table \"photos\" {\n  renamed_from = \"images\"\n", 1)
	write(t, dir, "schema/pike.hcl", renamed)
	err := planErr(t, dir, Options{})
	for _, want := range []string{"schema/pike.hcl:2:", "pike_contract01.sql:", "ALTER TABLE `images` DROP COLUMN `name`", "emcee plan --rewrite pike", "next release"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("renaming images after pike_contract01 altered it: got %v, want it to say %q", err, want)
		}
	}
	if err := planErr(t, dir, Options{Rewrite: []string{"pike"}}); err != nil {
		t.Fatalf("--rewrite pike plans the rename with the drop: %v", err)
	}
	// A rename of a table the planned revisions only expanded stays an
	// appended revision: the view under the old name serves what remains.
	write(t, dir, "schema/pike.hcl", pikeWith("  column \"owner\" {\n    type = varchar(50)\n    null = true\n  }\n"))
	plan(t, dir, Options{Rewrite: []string{"pike"}})
	write(t, dir, "schema/pike.hcl", strings.Replace(pikeWith("  column \"owner\" {\n    type = varchar(50)\n    null = true\n  }\n"), "table \"images\" {\n", "table \"photos\" {\n  renamed_from = \"images\"\n", 1))
	if out := plan(t, dir, Options{}); len(out.New) != 4 || !strings.Contains(string(read(t, dir, "plans/pike/pike_expand02.sql")), "RENAME TABLE `images` TO `photos`") {
		t.Fatalf("renaming a table pike only added a column to: new %v", out.New)
	}
}

// An edit widening a column the planned contract tightens is refused: the
// widening, planned from the state after that contract, restates the column
// NOT NULL in expand, before the contract's gate and while the previous
// release still writes NULL. Adding a column to the table stays an
// appended revision: it restates nothing the contract changes.
func TestEditRestatingAColumnPlannedContractTightensIsRefused(t *testing.T) {
	dir := newProject(t, "")
	write(t, dir, "schema/ocata.hcl", strings.Replace(ocata, "type = varchar(100)\n", "type = varchar(100)\n    null = true\n", 1))
	write(t, dir, "schema/pike.hcl", ocata)
	plan(t, dir, Options{})
	if c1 := string(read(t, dir, "plans/pike/pike_contract01.sql")); !strings.Contains(c1, "MODIFY COLUMN `name` varchar(100) NOT NULL") {
		t.Fatalf("pike_contract01 should tighten images.name:\n%s", c1)
	}
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1))
	err := planErr(t, dir, Options{})
	for _, want := range []string{"schema/pike.hcl:7:", "pike_contract01.sql:", "modify column images.name", "emcee plan --rewrite pike"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("widening images.name after pike_contract01 tightened it: got %v, want it to say %q", err, want)
		}
	}
	write(t, dir, "schema/pike.hcl", pikeWith("  column \"owner\" {\n    type = varchar(50)\n    null = true\n  }\n"))
	if out := plan(t, dir, Options{}); len(out.New) != 4 {
		t.Fatalf("adding a column to images after pike_contract01: new %v", out.New)
	}
}

// An edit renaming a table that a foreign key the planned contract adds
// references is refused: the key, added after the rename's expand,
// references the old name, the view's, and once contract drops the view,
// no table (every write of a tag with a picture then failed with 1452).
func TestEditRenamingATablePlannedForeignKeyReferencesIsRefused(t *testing.T) {
	dir := newProject(t, "")
	tags := "table \"tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"image_id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n%s}\n"
	fk := "  foreign_key \"tags_image\" {\n    columns = [column.image_id]\n    ref_columns = [table.images.column.id]\n  }\n"
	write(t, dir, "schema/ocata.hcl", ocata+strings.Replace(tags, "%s", "", 1))
	pike := ocata + strings.Replace(tags, "%s", fk, 1)
	write(t, dir, "schema/pike.hcl", pike)
	plan(t, dir, Options{})
	if c1 := string(read(t, dir, "plans/pike/pike_contract01.sql")); !strings.Contains(c1, "ADD CONSTRAINT `tags_image` FOREIGN KEY (`image_id`) REFERENCES `images`") {
		t.Fatalf("pike_contract01 should add tags_image referencing images:\n%s", c1)
	}
	write(t, dir, "schema/pike.hcl", strings.ReplaceAll(strings.Replace(pike, "table \"images\" {\n", "table \"photos\" {\n  renamed_from = \"images\"\n", 1), "table.images", "table.photos"))
	err := planErr(t, dir, Options{})
	for _, want := range []string{"schema/pike.hcl:2:", "pike_contract01.sql:", "still changes tags, adding a foreign key that references images", "table images renamed to photos", "emcee plan --rewrite pike", "next release"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("renaming images after pike_contract01 added a key referencing it: got %v, want it to say %q", err, want)
		}
	}
	plan(t, dir, Options{Rewrite: []string{"pike"}})
	if c1 := string(read(t, dir, "plans/pike/pike_contract01.sql")); !strings.Contains(c1, "REFERENCES `photos`") {
		t.Fatalf("--rewrite pike should add tags_image referencing photos:\n%s", c1)
	}
}

// An edit declaring renamed_from a column the release's planned contract
// drops says so, and the ways out: it said the previous release did not
// have the column, which it has (the edit is planned from the state after
// the planned contract).
func TestEditRenamingAColumnPlannedContractDropsSaysSo(t *testing.T) {
	dir := newProject(t, "")
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "  column \"name\" {\n    type = varchar(100)\n  }\n", "", 1))
	plan(t, dir, Options{})
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "  column \"name\" {\n", "  column \"title\" {\n    renamed_from = \"name\"\n", 1))
	err := planErr(t, dir, Options{})
	for _, want := range []string{"schema/pike.hcl:7:3: images.title takes over from column name (renamed_from), but release pike was planned before this edit, and its planned contract drops images.name", "`emcee plan --rewrite pike`", "declare title without renamed_from, a new column"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("renaming images.name after pike_contract01 dropped it: got %v, want it to say %q", err, want)
		}
	}
	plan(t, dir, Options{Rewrite: []string{"pike"}})
	if e1 := string(read(t, dir, "plans/pike/pike_expand01.sql")); !strings.Contains(e1, "ADD COLUMN `title`") {
		t.Fatalf("--rewrite pike should plan the rename:\n%s", e1)
	}
}
