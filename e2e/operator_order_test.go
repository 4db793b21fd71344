package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// opAddQueens appends a third release to the fixture: queens adds a
// nullable column to image_members.
func opAddQueens(p *opProject) {
	t := p.t
	releases := []string{"ocata", "pike", "queens"}
	for _, ph := range revision.Phases {
		s := revision.Script{ID: revision.ID{Release: "queens", Phase: ph, Seq: 1}, From: "pike", To: "queens"}
		if ph == revision.Expand {
			s.Statements = []revision.Statement{{Rule: "add-column", Why: "image_members.role is new and nullable; instant",
				SQL: "ALTER TABLE `image_members` ADD COLUMN `role` varchar(32) NULL, ALGORITHM=INSTANT"}}
		}
		opWrite(t, filepath.Join(p.Dir, "plans", s.ID.File()), s.Render())
	}
	pike, err := os.ReadFile(filepath.Join(p.Dir, "plans", revision.SnapshotFile("pike")))
	if err != nil {
		t.Fatal(err)
	}
	queens := replaceOnce(string(pike), "  column \"member\" {\n    null = false\n    type = varchar(255)\n  }\n",
		"  column \"member\" {\n    null = false\n    type = varchar(255)\n  }\n  column \"role\" {\n    null = true\n    type = varchar(32)\n  }\n")
	opWrite(t, filepath.Join(p.Dir, "plans", revision.SnapshotFile("queens")), []byte(queens))
	plans, err := revision.ReadPlans(filepath.Join(p.Dir, "plans"), releases)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := revision.Sum(plans.Order, plans.Files)
	if err != nil {
		t.Fatal(err)
	}
	opWrite(t, filepath.Join(p.Dir, "plans", revision.SumFile), sum)
	settings := strings.Replace(opSettings, `["ocata", "pike"]`, `["ocata", "pike", "queens"]`, 1)
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(fmt.Sprintf("env \"test\" {\n  url = %q\n}\n\n%s", p.DB.URL, settings)))
}

// The expand of a release needs the previous one fully contracted; each
// refusal names what is missing and the next command, and the composite
// version tracks every stage.
func TestOperatorExpandNeedsPreviousContracted(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	opAddQueens(p)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(20)
	p.must("db", "expand")
	if v := p.version(); v != "pike_expand01, ocata_contract01" {
		t.Fatalf("version %q", v)
	}
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expanding queens before pike is contracted: %s", r)
	}
	opContains(t, r, "cannot expand queens: pike is expanded but not fully contracted (pending: pike_migrate01, pike_contract01)", "next: run `emcee db migrate`")
	p.must("db", "migrate")
	r = p.run("db", "expand")
	opContains(t, r, "pending: pike_contract01", "next: once no ocata code is left, run `emcee db contract`")
	if r.Code != 1 || strings.Contains(p.columns("image_members"), "role") {
		t.Fatalf("queens was expanded before pike was contracted: %s", r)
	}
	if r := p.run("db", "migrate"); r.Code != 0 || !strings.Contains(r.Stdout, "migrate of pike is complete: nothing to migrate") {
		t.Fatalf("a second migrate is a no-op: %s", r)
	}
	p.must("db", "contract")
	if v := p.version(); v != "pike_expand01, pike_contract01" {
		t.Fatalf("version %q", v)
	}
	r = p.must("db", "expand")
	opContains(t, r, "preflight: live schema matches release pike", "applying queens_expand01")
	if v := p.version(); v != "queens_expand01, pike_contract01" {
		t.Fatalf("version %q", v)
	}
	if r := p.run("db", "check"); r.Code != 4 {
		t.Fatalf("queens has an (empty) migrate pending: %s", r)
	}
	p.must("db", "upgrade")
	if v := p.version(); v != "queens_expand01, queens_contract01" {
		t.Fatalf("version %q", v)
	}
	if !strings.Contains(p.columns("image_members"), "role varchar(32) YES") {
		t.Errorf("image_members: %s", p.columns("image_members"))
	}
}
