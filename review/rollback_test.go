package review

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// The rollback section of a release planned by `emcee plan`, with names
// holding quotes: the gate it runs first, what it undoes and how it locks,
// the columns and tables only the new release wrote (lost), and what stays.
func TestRollbackSection(t *testing.T) {
	dir := t.TempDir()
	write := func(path, data string) {
		t.Helper()
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const a = `schema "app" {}
table "img 'r'" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "na\"me" {
    type = varchar(20)
  }
  column "no'te" {
    type = varchar(20)
  }
  primary_key {
    columns = [column.id]
  }
}
`
	b := strings.Replace(strings.Replace(a, "  column \"no'te\" {\n    type = varchar(20)\n  }\n", "  column \"own\\\"er\" {\n    type = varchar(20)\n    null = true\n  }\n", 1),
		"    type = varchar(20)\n  }\n", "    type       = varchar(20)\n    null       = true\n    allow_copy = true\n  }\n", 1) + `table "ta\"gs" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
discard {
  table  = "img 'r'"
  column = "no'te"
}
data_migration "trim" {
  table   = "img 'r'"
  set     = "` + "`na\\\"me` = TRIM(`na\\\"me`)" + `"
  pending = "` + "`na\\\"me` <> TRIM(`na\\\"me`)" + `"
}
`
	write("atlas.hcl", "emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\", \"b\"]\n}\n")
	write("schema/a.hcl", a)
	write("schema/b.hcl", b)
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := planner.Plan(p, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(); err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Build(p, plans, []string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	WriteText(&text, rep)
	for _, want := range []string{
		"Rollback before contract (emcee db rollback runs b_rollback01, until b's contract starts; back to release a)",
		"SELECT COUNT(*) FROM `img 'r'` WHERE `na\"me` IS NULL",
		"non-zero: img 'r'.na\"me is NOT NULL again in the previous release",
		"rule add-column: drop column img 'r'.own\"er",
		"column img 'r'.own\"er: the values the new release wrote in it",
		"table ta\"gs: the rows the new release wrote in it",
		"data migration trim: the rows of img 'r' it rewrote in migrate stay as they are",
		"img 'r'.no'te in the rows the new release inserted: the placeholder default expand gave it",
		"rule widen-column  [rebuild]",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("review lacks %q:\n%s", want, text.String())
		}
	}
	// The upgrade's sections do not count the rollback's drops and gates.
	for _, d := range rep.Releases[0].DataAtRisk {
		if strings.Contains(d.At, "rollback") {
			t.Errorf("the upgrade's data at risk holds the rollback's drop: %+v", d)
		}
	}
	for _, g := range rep.Releases[0].Gates {
		if strings.Contains(g.At, "rollback") {
			t.Errorf("contract's gates hold the rollback's: %+v", g)
		}
	}
	var md bytes.Buffer
	WriteMarkdown(&md, rep)
	if !strings.Contains(md.String(), "| column | `img 'r'.own\"er` | the values the new release wrote in it |") {
		t.Errorf("markdown review lacks the lost column:\n%s", md.String())
	}
	doc, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Releases []struct {
			Rollback struct {
				Revisions []string                `json:"revisions"`
				Lost      []struct{ Name string } `json:"lost"`
				Gates     []struct{ SQL string }  `json:"gates"`
			} `json:"rollback"`
		} `json:"releases"`
	}
	if err := json.Unmarshal(doc, &back); err != nil {
		t.Fatal(err)
	}
	rb := back.Releases[0].Rollback
	if strings.Join(rb.Revisions, " ") != "b_rollback01" || len(rb.Lost) != 2 || len(rb.Gates) != 1 {
		t.Errorf("json rollback: %+v", rb)
	}
}

// Gitea 1.15 inserts into email_address, which 1.14 has, a row for each
// user whose primary email it lacks: the rollback leaves those rows, and
// review says so (it said nothing of them, an insert being taken for one
// into a table new in the release).
func TestRollbackKeepsRowsInsertedIntoATableThePreviousReleaseHas(t *testing.T) {
	dir := t.TempDir()
	write := func(path, data string) {
		t.Helper()
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const a = "schema \"app\" {}\n" +
		"table \"user\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"email\" {\n    type = varchar(255)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
		"table \"email_address\" {\n  schema = schema.app\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"uid\" {\n    type = bigint\n  }\n  column \"email\" {\n    type = varchar(255)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	b := a + "data_migration \"primary_email\" {\n  table   = \"email_address\"\n  from    = \"user\"\n  insert  = \"uid = id, email = email\"\n  pending = \"NOT EXISTS (SELECT 1 FROM email_address AS e WHERE e.email = `user`.email)\"\n}\n"
	write("atlas.hcl", "emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"1_14\", \"1_15\"]\n}\n")
	write("schema/1_14.hcl", a)
	write("schema/1_15.hcl", b)
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := planner.Plan(p, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(); err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Build(p, plans, []string{"1_15"})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	WriteText(&text, rep)
	if want := "data migration primary_email: the rows of email_address it inserted in migrate stay; it ran while release 1_14 served"; !strings.Contains(text.String(), want) {
		t.Errorf("review lacks %q:\n%s", want, text.String())
	}
}
