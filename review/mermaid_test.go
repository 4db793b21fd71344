package review

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The diagrams are checked by Mermaid's own parser, the one GitHub
// renders with, not only by a golden file: tools/mermaid holds it
// (`npm ci --prefix tools/mermaid`; .ci/run does that).
func parseMermaid(t *testing.T, markdown string) {
	t.Helper()
	var diagrams []string
	for _, block := range strings.Split(markdown, "```mermaid\n")[1:] {
		d, _, ok := strings.Cut(block, "```")
		if !ok {
			t.Fatalf("unterminated mermaid block:\n%s", block)
		}
		diagrams = append(diagrams, d)
	}
	if len(diagrams) == 0 {
		t.Fatal("no mermaid diagram in the review")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "tools", "mermaid"))
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(filepath.Join(dir, "node_modules", "mermaid")); err != nil || serr != nil {
		msg := "Mermaid's parser is not installed: run `npm ci --prefix tools/mermaid` (needs node)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(node, filepath.Join(dir, "check.mjs"))
	cmd.Stdin = strings.NewReader(strings.Join(diagrams, "\n%%--\n"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("Mermaid rejects a diagram of the review: %v\n%s", err, out.String())
	}
	if want := "ok " + strconv.Itoa(len(diagrams)); strings.TrimSpace(out.String()) != want {
		t.Fatalf("mermaid check: %q, want %q", out.String(), want)
	}
}

func TestMermaidOfTheExampleParses(t *testing.T) {
	var md bytes.Buffer
	WriteMarkdown(&md, goldenReport(t))
	parseMermaid(t, md.String())
}

// Names come from schema files: whatever they hold, the diagrams parse and
// no name breaks out of its place (a quote, a colon, a line break, a
// Mermaid comment or directive).
func TestMermaidWithHostileNames(t *testing.T) {
	hostile := []string{"x\"y", "a b", "9lives", "%%{init: {}}%%", "c:d", "e\nf", "é", "`t`", "g;h", "}", "{", "#x", ""}
	var tables []TouchedTable
	for i, n := range hostile {
		from := ""
		if i%4 == 0 {
			from = n
		}
		tables = append(tables, TouchedTable{Name: n, Change: []string{"added", "dropped", "changed"}[i%3], From: from,
			Columns: []TouchedColumn{
				{Name: n, Type: "varchar(255)", Key: "PK", Change: "replaced", Replaces: n},
				{Name: "ok", Type: n, Change: "dropped"},
			},
			References: []Reference{{Name: n, Table: hostile[(i+1)%len(hostile)]}}})
	}
	r := &Release{Name: "r1", Previous: "r0", Tables: tables, Revisions: []*Revision{
		{ID: "r1_contract01", Phase: "contract", Statements: []*Statement{{N: 1, At: "plans/r1/r1_contract01.sql:6", Rule: "x:y\n%%", Kind: "gate"}, {N: 2, Kind: "ddl"}}},
	}}
	var md bytes.Buffer
	WriteMarkdown(&md, &Report{Target: "mariadb 10.11", Releases: []*Release{r}})
	entities := map[string]bool{}
	for _, block := range strings.Split(md.String(), "```mermaid\n")[1:] {
		d, _, _ := strings.Cut(block, "```")
		for _, l := range strings.Split(strings.TrimSpace(d), "\n") {
			if strings.Contains(l, "%%") {
				t.Errorf("a name reached a diagram as a Mermaid comment or directive: %q", l)
			}
			if strings.HasSuffix(l, " {") {
				id, _, _ := strings.Cut(strings.TrimSpace(strings.TrimSuffix(l, " {")), "[")
				entities[id] = true
			}
		}
	}
	if len(entities) != len(hostile) {
		t.Errorf("%d tables became %d entities: two names were drawn as one table (%v)", len(hostile), len(entities), entities)
	}
	parseMermaid(t, md.String())
}

// A code span's fence is one backtick longer than the longest run inside,
// padded where the text starts or ends with a backtick or a blank.
func TestSpanFence(t *testing.T) {
	for in, want := range map[string]string{
		"x":       "`x`",
		"a`b":     "`` a`b ``",
		"a``b`":   "``` a``b` ```",
		"`x":      "`` `x ``",
		"":        "`  `",
		" x":      "`  x `",
		"a\nb":    "`a b`",
		"``` a b": "```` ``` a b ````",
	} {
		if got := span(in); got != want {
			t.Errorf("span(%q) = %q, want %q", in, got, want)
		}
	}
}
