package e2e

import (
	"strings"
	"testing"
)

// Release files written as an application's own schema history declares
// its tables (the outside tests of Joomla, osTicket and OpenCart): one helper a
// block, so that a release reads as the application's install script does.

// hcol is one column of a release's table.
func hcol(name, typ string, attrs ...string) string {
	s := "  column \"" + name + "\" {\n    type = " + typ + "\n"
	for _, a := range attrs {
		if a != "" {
			s += "    " + a + "\n"
		}
	}
	return s + "  }\n"
}

// htable is a table of schema app.
func htable(name string, body ...string) string {
	return "table \"" + name + "\" {\n  schema = schema.app\n" + strings.Join(body, "") + "}\n"
}

func hpk(cols ...string) string {
	return "  primary_key {\n    columns = [column." + strings.Join(cols, ", column.") + "]\n  }\n"
}

func hindex(name string, unique bool, cols ...string) string {
	u := ""
	if unique {
		u = "    unique  = true\n"
	}
	return "  index \"" + name + "\" {\n" + u + "    columns = [column." + strings.Join(cols, ", column.") + "]\n  }\n"
}

// hprefix is an index on the first n characters of a column.
func hprefix(name string, unique bool, parts ...string) string {
	s := "  index \"" + name + "\" {\n"
	if unique {
		s += "    unique = true\n"
	}
	for _, p := range parts {
		col, n, _ := strings.Cut(p, ":")
		s += "    on {\n      column = column." + col + "\n"
		if n != "" {
			s += "      prefix = " + n + "\n"
		}
		s += "    }\n"
	}
	return s + "  }\n"
}

// hfill is the fill of a NOT NULL column without a default, in the release
// that adds it: an application script's ADD COLUMN would fail the previous release's
// inserts, which emcee refuses (rule add-column-fill), and fill is refused
// on a column that is not new.
func hfill(v, added string) string { return hin(v, added, `fill = "''"`) }

// hin is attr in release rel only: fill, allow_copy and renamed_from speak
// of the change a release makes.
func hin(v, rel, attr string) string {
	if v == rel {
		return attr
	}
	return ""
}

// hdiscard declares the columns a release's script drops, whose data the
// application lets go.
func hdiscard(table string, cols ...string) string {
	s := ""
	for _, c := range cols {
		s += "discard {\n  table  = \"" + table + "\"\n  column = \"" + c + "\"\n}\n"
	}
	return s
}

// plannedPhase is the statements of one phase of a release's plan, its
// comments left out.
func plannedPhase(p *opProject, v, phase string) string {
	var out []string
	for _, l := range strings.Split(p.read("plans/"+v+"/"+v+"_"+phase+"01.sql"), "\n") {
		if !strings.HasPrefix(l, "--") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// phaseCase is a statement the plan of release holds in phase and in no
// other phase of that release.
type phaseCase struct{ release, phase, stmt string }

// wantPhases checks each statement stands in its own phase's script only.
func wantPhases(t *testing.T, p *opProject, cases []phaseCase) {
	t.Helper()
	for _, c := range cases {
		for _, ph := range []string{"expand", "migrate", "contract"} {
			if got := strings.Contains(plannedPhase(p, c.release, ph), c.stmt); got != (ph == c.phase) {
				t.Errorf("%s %s holds %q: %v, want it in %s only", c.release, ph, c.stmt, got, c.phase)
			}
		}
	}
}

// rollOut applies each release after the first through expand, migrate and
// contract, the previous release's code writing oldWrites[v] between expand
// and migrate, and stops at the first release that leaves drift.
func rollOut(t *testing.T, p *opProject, releases []string, oldWrites map[string][]string) {
	t.Helper()
	for _, v := range releases[1:] {
		p.must("db", "expand")
		for _, q := range oldWrites[v] {
			p.exec(q)
		}
		p.must("db", "migrate")
		p.must("db", "contract")
		if r := p.must("db", "diff"); !strings.Contains(r.Stdout, "matches what its recorded revisions") || !strings.Contains(r.Stdout, v+"_contract01") {
			t.Fatalf("drift after %s: %s", v, r)
		}
	}
}

// wantAnswers checks each query's answer.
func wantAnswers(t *testing.T, p *opProject, answers map[string]string) {
	t.Helper()
	for q, want := range answers {
		if got := p.query(q); got != want {
			t.Errorf("%s: %s, want %s", q, got, want)
		}
	}
}

// releasesUpTo is an application's releases (names, each file by src) up
// to last, whose file edit changes: what its script declared, which emcee
// refuses, planned after the releases before it.
func releasesUpTo(names []string, src func(string) string, last string, edit func(string) string) [][2]string {
	var rel [][2]string
	for _, v := range names {
		if v == last {
			return append(rel, [2]string{v, edit(src(v))})
		}
		rel = append(rel, [2]string{v, src(v)})
	}
	return rel
}
