package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// db check is polled by orchestrators: while contract is next it runs the
// contract's gates, and used to count every row of every gate and of every
// backfill serving a closed one on each poll. It now only asks whether a
// gate finds a row (stopping at the first), stops at the first closed
// gate, and answers as db status does, which still counts everything.
func TestCheckStopsAtTheFirstRowAndAgreesWithStatus(t *testing.T) {
	t.Parallel()
	a := attackTable("")
	b := attackTable("") + `data_migration "dm" {
  table   = "t"
  set     = "o = 1"
  pending = "o IS NULL"
}
`
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("INSERT INTO t (id, o) VALUES (1, NULL), (2, NULL), (3, NULL), (4, 5)") // release a, after migrate

	type gate struct {
		Rule    string `json:"rule"`
		Count   int64  `json:"count"`
		Open    bool   `json:"open"`
		AtLeast bool   `json:"at_least"`
	}
	read := func(cmd string, wantCode int) []gate {
		t.Helper()
		r := p.run("db", cmd, "--format", "json")
		if r.Code != wantCode {
			t.Fatalf("db %s: %s", cmd, r)
		}
		var doc struct {
			Code  int    `json:"code"`
			Gates []gate `json:"gates"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || doc.Code != 4 {
			t.Fatalf("db %s: %v\n%s", cmd, err, r)
		}
		return doc.Gates
	}
	check := read("check", 4)
	if len(check) != 1 || check[0].Rule != "data-migration" || check[0].Count != 1 || !check[0].AtLeast || check[0].Open {
		t.Fatalf("db check's gates: %+v", check)
	}
	status := read("status", 0)
	if len(status) != 1 || status[0].Count != 3 || status[0].AtLeast {
		t.Fatalf("db status's gates: %+v", status)
	}
	if r := p.run("db", "check"); r.Code != 4 || !strings.Contains(r.Stdout, "migrate needed: gates of b_contract01 are closed") {
		t.Fatalf("db check: %s", r)
	}
	p.must("db", "migrate")
	if r := p.run("db", "check"); r.Code != 5 {
		t.Fatalf("db check after the catch-up: %s", r)
	}
}
