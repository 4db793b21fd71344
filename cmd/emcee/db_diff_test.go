package main

import (
	"bytes"
	"testing"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/devdb"
)

func TestPrintDiff(t *testing.T) {
	var b bytes.Buffer
	printDiff(&b, &apply.DiffResult{Database: "mysql://app:****@db1:3306/glance", Version: "ocata_expand01, ocata_contract01", ComparedWith: "ocata_expand01 ... ocata_contract01", Base: "plans/ocata/ocata.snapshot.hcl", Clean: true})
	if want := "mysql://app:****@db1:3306/glance (version ocata_expand01, ocata_contract01) matches what its recorded revisions ocata_expand01 ... ocata_contract01 produce\n"; b.String() != want {
		t.Errorf("clean:\n%s\nwant\n%s", b.String(), want)
	}

	b.Reset()
	printDiff(&b, &apply.DiffResult{
		Database: "mysql://app:****@db1:3306/glance", Version: "pike_expand01, ocata_contract01",
		ComparedWith: "ocata_expand01 ... pike_expand01 (3 of 5 statements)", Replayed: []string{"ocata_expand01", "pike_expand01 (3 of 5 statements)"},
		InFlight: "statement 4 of pike_expand01 was sent ...",
		Report: devdb.Report{Tables: []devdb.Object{
			{Table: "images", Differences: []devdb.Difference{{Kind: "column", Detail: "column a is unexpected"}, {Kind: "trigger", Detail: "trigger b is missing"}}},
			{Table: "members", Differences: []devdb.Difference{{Kind: "view", Detail: "view members is missing"}}},
		}},
	})
	want := `emcee db diff on mysql://app:****@db1:3306/glance, version pike_expand01, ocata_contract01
compared with what ocata_expand01 ... pike_expand01 (3 of 5 statements) produce: an empty schema, then ocata_expand01, pike_expand01 (3 of 5 statements) replayed in a scratch database

table images:
  - column a is unexpected
  - trigger b is missing
view members:
  - view members is missing

note: statement 4 of pike_expand01 was sent ...

3 differences in 1 table and 1 view: the database has drifted from its recorded revisions.
Undo changes made by hand (create what is missing, drop what is unexpected). If a change is intended, declare it in the schema of the release being developed and run ` + "`emcee plan`" + `, so that a revision makes it; undo the hand-made change before that revision runs.
`
	if b.String() != want {
		t.Errorf("drift:\n%s\nwant\n%s", b.String(), want)
	}
}
