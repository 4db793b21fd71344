package e2e

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/internal/testdb"
)

// A rehearsed upgrade whose contract its gates block: v2 drops an enum
// value that v1's workers write, so tighten-column's gate counts their
// rows once migrate is complete. emcee db contract exits 7 there
// (contract blocked by data); simulate exited 1, as if the rehearsal
// itself could not run, under a report saying "no failed statement, no
// lost or inconsistent row".
func TestSmallfixS34SimulateContractBlockedByData(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1", enumRelease(`"a", "b", "c"`, "")}, [2]string{"v2", enumRelease(`"a", "b"`, "    allow_copy = true\n")})
	p.must("plan")
	r := p.run("simulate", "--url", testdb.New(t).URL, "--rows", "200", "--baseline", "200ms", "--settle", "500ms", "--quiet")
	if r.Code != 7 {
		t.Fatalf("simulate whose contract its gate blocks: %s", r)
	}
	opContains(t, r, "contract blocked by data: v2_contract01 refused, nothing was changed", "gate tighten-column:", "list them: SELECT * FROM `t` WHERE `kind` NOT IN ('a','b')",
		"contract blocked by data: rows the workers wrote that its gates count:", "result: the contract was refused (above)")
	if strings.Contains(r.Stdout, "result: no failed statement") {
		t.Fatalf("the report of a blocked contract says the upgrade went through:\n%s", r)
	}
}

// Joomla's user_keys declares three unique keys on series (series,
// series_2, series_3), which emcee planned without a word: lint notes the
// second and the third in the newest release (EM116), naming the first,
// and nothing else (idx_link_old and idx_old_url index old_url on prefixes
// of other lengths).
func TestSmallfixS34JoomlaDuplicateKeysNoted(t *testing.T) {
	t.Parallel()
	var rel [][2]string
	for _, v := range joomlaReleases {
		rel = append(rel, [2]string{v, joomlaRelease(v)})
	}
	p := newSchemaProject(t, rel...)
	p.must("plan")
	r := p.must("lint", "--offline")
	var got []string
	for _, l := range strings.Split(r.Stdout, "\n") {
		if strings.Contains(l, " EM116 ") {
			got = append(got, l)
		}
	}
	src := p.read("schema/4_0.hcl")
	line := func(name string) string {
		before, _, _ := strings.Cut(src, "index \""+name+"\"")
		return "schema/4_0.hcl:" + strconv.Itoa(strings.Count(before, "\n")+1) + ":3: EM116 note: unique index " + name + " of table jos_user_keys is over the columns of unique index series (schema/4_0.hcl:"
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], line("series_2")) || !strings.HasPrefix(got[1], line("series_3")) {
		t.Fatalf("EM116 findings %q, want series_2 and series_3:\n%s", got, r)
	}
}

// simulate --format json of a rehearsal its gates refused: the document
// said ok: false, and the gates that refused were only on stderr. It has
// them (gates, with where each is, its count and the query listing the
// rows), and which phase they refused (gates_of).
func TestSmallfixS34SimulateJSONHasTheRefusingGates(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1", enumRelease(`"a", "b"`, "")}, [2]string{"v2", enumRelease(`"a", "b", "c"`, "")})
	p.must("plan")
	r := p.run("simulate", "--rollback", "--allow-copy", "--url", testdb.New(t).URL, "--rows", "200", "--baseline", "200ms", "--settle", "500ms", "--quiet", "--format", "json")
	if r.Code != 7 {
		t.Fatalf("simulate --rollback --format json refused by the rollback's gate: %s", r)
	}
	var doc struct {
		OK      bool               `json:"ok"`
		GatesOf string             `json:"gates_of"`
		Gates   []apply.GateResult `json:"gates"`
		Code    int                `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, r)
	}
	if doc.OK || doc.Code != 7 || doc.GatesOf != "rollback" || len(doc.Gates) != 1 {
		t.Fatalf("document of a rollback its gate refused:\n%s", r)
	}
	g := doc.Gates[0]
	if g.Rule != "widen-column" || g.Revision != "v2_rollback01" || !strings.HasPrefix(g.At, "plans/v2/v2_rollback01.sql:") || g.Count < 1 || g.Open ||
		!strings.Contains(g.Why, "t.kind is enum('a','b') again") || !strings.HasPrefix(g.ListSQL, "SELECT * FROM `t` WHERE ") {
		t.Fatalf("the refusing gate: %+v", g)
	}
}
