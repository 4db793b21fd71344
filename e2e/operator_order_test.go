package e2e

import (
	"strings"
	"testing"
)

// opAddQueens appends a third release to the fixture, planned by `emcee
// plan`: queens adds a nullable column to image_members.
func opAddQueens(p *opProject) {
	t := p.t
	queens := replaceOnce(p.read("schema/pike.hcl"), `    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'shared' END"
      backward = "visibility = 'public'"
    }
`, "")
	queens = replaceOnce(queens, "  column \"member\" {\n    type = varchar(255)\n  }\n",
		"  column \"member\" {\n    type = varchar(255)\n  }\n  column \"role\" {\n    type = varchar(32)\n    null = true\n  }\n")
	p.addRelease("queens", queens)
	if r := p.plan(); r.Code != 0 || !strings.Contains(r.Stdout, "wrote plans/queens/queens_expand01.sql") {
		t.Fatalf("planning queens: %s", r)
	}
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
	opContains(t, r, "cannot expand queens: pike is expanded but not fully contracted (pending: pike_migrate01, pike_contract01)", "next: run `emcee db migrate --env test`")
	p.must("db", "migrate")
	r = p.run("db", "expand")
	opContains(t, r, "pending: pike_contract01", "next: once no ocata code is left, run `emcee db contract --env test`")
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
