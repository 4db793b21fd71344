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

// An edit renaming the table a foreign key of the planned contract
// references is refused: the new expand renames tags before that contract
// adds the key (under foreign_key_checks=0), which then references the
// view left under the old name; contract02 drops the view, and every
// posts row naming a tag failed the key (error 1452), contract exit 0.
func TestEditRenamingATableAPlannedForeignKeyReferencesIsRefused(t *testing.T) {
	const tags = "table \"tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	key := "  column \"tag_id\" {\n    type = bigint\n    null = true\n  }\n  index \"by_tag\" {\n    columns = [column.tag_id]\n  }\n"
	dir := newProject(t, "")
	write(t, dir, "schema/ocata.hcl", pikeWith(key)+tags)
	write(t, dir, "schema/pike.hcl", pikeWith(key+"  foreign_key \"fk_tag\" {\n    columns = [column.tag_id]\n    ref_columns = [table.tags.column.id]\n  }\n")+tags)
	plan(t, dir, Options{})
	if c1 := string(read(t, dir, "plans/pike/pike_contract01.sql")); !strings.Contains(c1, "REFERENCES `tags`") {
		t.Fatalf("pike_contract01 should add a key referencing tags:\n%s", c1)
	}
	renamed := strings.Replace(string(read(t, dir, "schema/pike.hcl")), "table \"tags\" {\n", "table \"labels\" {\n  renamed_from = \"tags\"\n", 1)
	write(t, dir, "schema/pike.hcl", strings.Replace(renamed, "table.tags.column.id", "table.labels.column.id", 1))
	err := planErr(t, dir, Options{})
	for _, want := range []string{"schema/pike.hcl:", "pike_contract01.sql:", "REFERENCES `tags`", "table tags renamed to labels", "emcee plan --rewrite pike"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("renaming tags after pike_contract01 added a key referencing it: got %v, want it to say %q", err, want)
		}
	}
}
