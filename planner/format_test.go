package planner

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
)

// otherOutput makes a revision of release rel what another emcee might
// have written (its first rule comment worded otherwise), sets the plan
// format its snapshot records (format "" removes the line, as an emcee
// before plan formats wrote it), and recomputes the sum, as committing
// that emcee's plans did.
func otherOutput(t *testing.T, dir, rel, format string) {
	t.Helper()
	path := "plans/" + rel + "/" + rel + "_expand01.sql"
	data := string(read(t, dir, path))
	i := strings.Index(data, "\n-- rule ")
	if i < 0 {
		t.Fatalf("%s has no rule comment:\n%s", path, data)
	}
	write(t, dir, path, data[:i]+"\n-- rule (worded by another emcee)"+data[i+len("\n-- rule"):])
	setFormat(t, dir, rel, format)
	resum(t, dir)
}

// setFormat sets the plan format line of a release's latest snapshot;
// "" removes it.
func setFormat(t *testing.T, dir, rel, format string) {
	t.Helper()
	path := "plans/" + rel + "/" + rel + ".snapshot.hcl"
	data := string(read(t, dir, path))
	line := fmt.Sprintf("%s%d\n", formatPrefix, Format)
	if !strings.Contains(data, line) {
		t.Fatalf("%s records no plan format %d:\n%s", path, Format, data)
	}
	if format != "" {
		format = formatPrefix + format + "\n"
	}
	write(t, dir, path, strings.Replace(data, line, format, 1))
}

// checked is what `emcee plan --check` finds once plans/ is not stale.
func checked(t *testing.T, dir string) Edits {
	t.Helper()
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Plan(p, Options{Check: true, Reevaluate: true})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := out.Diff(); err != nil || d != "" {
		t.Fatalf("plans/ is stale (%v):\n%s", err, d)
	}
	e, err := out.Edited(p)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// After an emcee upgrade that writes a revision otherwise, plan --check
// passes a released release, verified by its sum, with a note naming the
// plan format that planned it, and refuses an open one with --rewrite as
// the way out; a revision of this emcee's own format that differs is a
// hand edit, refused as before.
func TestCheckTellsAnotherEmceesPlansFromHandEdits(t *testing.T) {
	newer := strconv.Itoa(Format + 1)
	for _, c := range []struct {
		rel, format string
		refusal     []string // in the refusal, nil when it passes
		note        []string // in its one note, nil when there is none
	}{
		{rel: "ocata", format: strconv.Itoa(Format), refusal: []string{"release ocata that differ", fmt.Sprintf("record plan format %d, the one this emcee writes: they were edited by hand", Format), "Restore them from version control"}},
		{rel: "ocata", format: "0", note: []string{"release ocata: 1 revision differs from what this emcee", "plans/ocata/ocata.snapshot.hcl:3 records plan format 0", "ocata is released, so it stays as the databases ran it, verified by plans/emcee.sum"}},
		{rel: "ocata", format: "", note: []string{"plans/ocata/ocata.snapshot.hcl records no plan format (planned by an emcee from before plan formats were recorded)", "ocata is released, so it stays"}},
		// A newer format than this emcee's is not kept: this emcee cannot
		// know what that emcee writes, so an edit claiming it would pass.
		{rel: "ocata", format: newer, refusal: []string{"Release ocata was planned by an emcee of plan format " + newer + " (plans/ocata/ocata.snapshot.hcl:3), newer than this one", "cannot tell that emcee's output from a hand edit: check it with that emcee or a newer one", "ocata is released"}},
		{rel: "ocata", format: "999999", refusal: []string{"plan format 999999", "check it with that emcee or a newer one"}},
		{rel: "pike", format: strconv.Itoa(Format), refusal: []string{"release pike that differ", "they were edited by hand"}},
		{rel: "pike", format: "0", refusal: []string{"Release pike: 1 revision differs", "plans/pike/pike.snapshot.hcl:3 records plan format 0", "cannot tell an older emcee's output from a hand edit", "`emcee plan --rewrite pike` plans pike again"}},
		{rel: "pike", format: "", refusal: []string{"plans/pike/pike.snapshot.hcl records no plan format", "`emcee plan --rewrite pike` plans pike again"}},
		{rel: "pike", format: newer, refusal: []string{"Release pike was planned by an emcee of plan format " + newer + " (plans/pike/pike.snapshot.hcl:3), newer than this one", "check it with that emcee or a newer one"}},
	} {
		t.Run(c.rel+"@"+cmpOr(c.format, "none"), func(t *testing.T) {
			dir := newProject(t, `released = ["ocata"]`)
			t.Chdir(dir) // messages name files relative to it
			plan(t, dir, Options{})
			otherOutput(t, dir, c.rel, c.format)
			p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			e := checked(t, dir)
			refusal := e.Refusal(p)
			if c.refusal == nil && refusal != "" {
				t.Fatalf("refused: %s", refusal)
			}
			for _, want := range c.refusal {
				if !strings.Contains(refusal, want) {
					t.Errorf("the refusal lacks %q:\n%s", want, refusal)
				}
			}
			if c.refusal != nil && !strings.Contains(e.Diff, "\n+-- rule ") {
				t.Errorf("the refusal's diff does not show the revision:\n%s", e.Diff)
			}
			notes := e.Notes()
			if (c.note == nil) != (len(notes) == 0) || len(notes) > 1 {
				t.Fatalf("notes %q", notes)
			}
			for _, want := range c.note {
				if !strings.Contains(notes[0], want) {
					t.Errorf("the note lacks %q:\n%s", want, notes[0])
				}
			}
			if c.rel == "pike" && c.format != strconv.Itoa(Format) {
				// The way out the refusal names.
				plan(t, dir, Options{Rewrite: []string{"pike"}})
				if e := checked(t, dir); e.Refusal(p) != "" || len(e.Notes()) > 0 {
					t.Fatalf("after --rewrite pike: %s %q", e.Refusal(p), e.Notes())
				}
			}
		})
	}
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// plan --check's note for a kept revision names every statement that
// differs, not only that the revision does: an edit behind a reworded
// rule comment, under a lowered plan format and a recomputed sum, passes
// the check, and the note is what a person reads.
func TestCheckNoteNamesTheStatementsThatDiffer(t *testing.T) {
	dir := newProject(t, `released = ["ocata"]`)
	t.Chdir(dir)
	plan(t, dir, Options{})
	path := "plans/ocata/ocata_expand01.sql"
	data := string(read(t, dir, path))
	i := strings.LastIndex(data, ";\n")
	write(t, dir, path, data[:i+2]+"\nDROP TABLE `audit`;\n")
	otherOutput(t, dir, "ocata", "0")
	notes := checked(t, dir).Notes()
	if len(notes) != 1 || !strings.Contains(notes[0], "read the statements that differ, each of which runs on every database not yet at ocata: plans/ocata/ocata_expand01.sql: line ") ||
		!strings.Contains(notes[0], "\"DROP TABLE `audit`\"") {
		t.Fatalf("notes %q", notes)
	}
}

// No emcee, of any plan format, writes a GRANT, a CREATE USER or a
// DELETE: a revision of a released release holding one was edited by hand
// whatever its snapshot's format line says, and plan --check refuses it
// (it passed with a note under plan format 0, and db expand ran the
// CREATE USER on every database not yet at the release).
func TestCheckRefusesAStatementNoEmceeWrites(t *testing.T) {
	// A gate or backfill the applier refuses (revision.Statement.Foreign)
	// passed with a note: only statements outside a directive were held to
	// what emcee writes.
	for _, stmt := range []string{"GRANT ALL ON *.* TO `evil`@`%`", "CREATE USER `evil`@`%`", "DELETE FROM `images`", "UPDATE `images` SET `name` = 'x'", "SET GLOBAL read_only = 1",
		"-- emcee:gate\nSELECT COUNT(*) FROM `images` WHERE `id` = 0 INTO OUTFILE '/tmp/evil'",
		"-- emcee:gate\nSELECT COUNT(*) FROM `images` WHERE `name` = (SELECT MAX(`User`) FROM `mysql`.`user`)",
		"-- emcee:backfill table=images key=id\nUPDATE `images` SET `name` = (SELECT MAX(`User`) FROM `mysql`.`user`) WHERE `id` > 0"} {
		dir := newProject(t, `released = ["ocata"]`)
		t.Chdir(dir)
		plan(t, dir, Options{})
		path := "plans/ocata/ocata_expand01.sql"
		data := string(read(t, dir, path))
		i := strings.LastIndex(data, ";\n")
		write(t, dir, path, data[:i+2]+"\n"+stmt+";\n")
		otherOutput(t, dir, "ocata", "0")
		p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		e := checked(t, dir)
		sql := stmt[strings.LastIndex(stmt, "\n")+1:] // after its directive
		line := strings.Count(data[:i+2]+"\n"+stmt[:len(stmt)-len(sql)], "\n") + 1
		if r := e.Refusal(p); !strings.Contains(r, fmt.Sprintf("plans/ocata/ocata_expand01.sql: line %d %q is no statement any emcee writes", line, sql)) ||
			!strings.Contains(r, "it was edited by hand, whatever plan format plans/ocata/ocata.snapshot.hcl:3 records: restore it from version control") || len(e.Notes()) > 0 {
			t.Errorf("%s: refusal %q, notes %q", stmt, r, e.Notes())
		}
	}
}

// A format line emcee did not write is refused at its line, quoted
// (a control character cannot reach the terminal), with the way out.
func TestGarbledPlanFormatIsRefused(t *testing.T) {
	for _, line := range []string{"one", "01", "-1", "1 ", "+1", "9999999", "1\x1b[2J", strings.Repeat("7", 100)} {
		dir := newProject(t, "")
		plan(t, dir, Options{})
		setFormat(t, dir, "ocata", line)
		resum(t, dir)
		err := planErr(t, dir, Options{Check: true})
		if err == nil || !strings.Contains(err.Error(), "plans/ocata/ocata.snapshot.hcl:3: the \"# plan format:\" line holds ") ||
			!strings.Contains(err.Error(), "restore the file from version control") || strings.ContainsAny(err.Error(), "\x1b") || len(err.Error()) > 400 {
			t.Errorf("format line %q: %v", line, err)
		}
	}
}

// Plans an emcee wrote before plan formats were recorded are not stale to
// plan --check; `emcee plan` records the format once, in each snapshot:
// this emcee's where it writes the step's revisions as they are (so an
// edit of them is found from then on), 0 where it does not.
func TestPlanRecordsTheFormatOfPlansWrittenBeforeFormats(t *testing.T) {
	dir := newProject(t, `released = ["ocata", "pike"]`)
	t.Chdir(dir)
	plan(t, dir, Options{})
	setFormat(t, dir, "ocata", "")
	otherOutput(t, dir, "pike", "")
	before := read(t, dir, "plans/emcee.sum")
	if e := checked(t, dir); len(e.Notes()) != 1 || !strings.Contains(e.Notes()[0], "release pike") {
		t.Fatalf("plan --check over plans without formats: notes %q", e.Notes())
	}
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := Plan(p, Options{Check: true}); err != nil || len(out.Notes) != 1 ||
		out.Notes[0] != "2 snapshots (plans/ocata/ocata.snapshot.hcl, plans/pike/pike.snapshot.hcl) record no plan format (written before emcee recorded it), so an edit of their revisions cannot be told from an older emcee's output: `emcee plan` records it; commit the result" {
		t.Fatalf("plan --check says of the snapshots without a format: %v %q", err, out.Notes)
	}

	out := plan(t, dir, Options{})
	if len(out.Notes) != 1 || !strings.Contains(out.Notes[0], "recorded the plan format that planned them in 2 snapshots written before emcee recorded it (plans/ocata/ocata.snapshot.hcl, plans/pike/pike.snapshot.hcl): commit them; plans/pike/pike.snapshot.hcl records 0, since this emcee writes the revisions of its step otherwise: `emcee plan --check` says what that means for its release") {
		t.Fatalf("notes %q", out.Notes)
	}
	if bytes.Equal(before, read(t, dir, "plans/emcee.sum")) {
		t.Fatal("the sum did not change with the snapshots")
	}
	for rel, format := range map[string]int{"ocata": Format, "pike": 0} {
		want := fmt.Sprintf("%s\n%s%d\n# base: ", strings.TrimSuffix(fmt.Sprintf(snapshotHeader, rel), "\n"), formatPrefix, format)
		if got := string(read(t, dir, "plans/"+rel+"/"+rel+".snapshot.hcl")); !strings.HasPrefix(got, want) {
			t.Errorf("%s's snapshot starts:\n%s\nwant:\n%s", rel, got[:min(len(got), 300)], want)
		}
	}
	if out := plan(t, dir, Options{}); len(out.New) > 0 || len(out.Notes) > 0 {
		t.Fatalf("planned again: new %v, notes %q", out.New, out.Notes)
	}
	if e := checked(t, dir); len(e.Notes()) != 1 || !strings.Contains(e.Notes()[0], "records plan format 0") {
		t.Fatalf("pike: notes %q", e.Notes())
	}

	// ocata now records this emcee's format: an edit of it is an edit.
	otherOutput(t, dir, "ocata", strconv.Itoa(Format))
	if r := checked(t, dir).Refusal(p); !strings.Contains(r, "release ocata that differ") || !strings.Contains(r, "edited by hand") {
		t.Fatalf("refusal %q", r)
	}
}

// Stamping 0 launders an edit into "another emcee's output": a revision
// of a released release edited, its snapshot's format line removed and the
// sum recomputed, the next `emcee plan` (run by someone else) records 0
// and says to commit. The note it prints names every statement that
// differs, for whoever commits it to read first.
func TestStampNamesTheStatementsThatDiffer(t *testing.T) {
	dir := newProject(t, `released = ["ocata", "pike"]`)
	t.Chdir(dir)
	plan(t, dir, Options{})
	path := "plans/pike/pike_expand01.sql"
	data := string(read(t, dir, path))
	i := strings.LastIndex(data, ";\n")
	write(t, dir, path, data[:i+2]+"\nDROP TABLE `audit`;\n")
	otherOutput(t, dir, "pike", "")
	out := plan(t, dir, Options{})
	if len(out.Notes) != 1 || !strings.Contains(out.Notes[0], "plans/pike/pike.snapshot.hcl records 0") ||
		!strings.Contains(out.Notes[0], "read the statements that differ before committing it: plans/pike/pike_expand01.sql: line ") ||
		!strings.Contains(out.Notes[0], "\"DROP TABLE `audit`\"") {
		t.Fatalf("notes %q", out.Notes)
	}
}

// planFormatFile records what the planner writes for each input of
// TestPlanFormat's corpus, at the plan format it records.
const planFormatFile = "testdata/planformat.txt"

// TestPlanFormat ties the planner's output to Format: plans committed at a
// format are refused as hand edits by plan --check when an emcee of the
// same format writes them otherwise, so a change of output must come with
// a new format. The corpus is the bundled example planned from scratch and
// then edited (a second planning step), the operator fixture, and every
// seed of FuzzPlan that plans (hostile names and values): each planned in
// a directory of its own, every file it writes hashed. When it fails: bump
// Format, then record the new output with
//
//	EMCEE_PLAN_FORMAT_UPDATE=1 go test ./planner -run TestPlanFormat
//
// which refuses to record other output under the same format (a new input
// is recorded under it).
func TestPlanFormat(t *testing.T) {
	got := planFormatCorpus(t)
	recorded, hashes := readPlanFormat(t)
	var changed []string
	for _, in := range slices.Sorted(maps.Keys(got)) {
		if h, ok := hashes[in]; ok && h != got[in] {
			changed = append(changed, in)
		}
	}
	if os.Getenv("EMCEE_PLAN_FORMAT_UPDATE") != "" {
		if recorded == Format && len(changed) > 0 {
			t.Fatalf("the planner writes other plans for %s, and planner.Format is still %d: bump it first (plans committed at format %d would be refused as hand edits)", strings.Join(changed, ", "), Format, Format)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# What the planner writes for each input of TestPlanFormat's corpus (planner/format_test.go),\n# at the plan format it records. Written by EMCEE_PLAN_FORMAT_UPDATE=1 go test ./planner -run TestPlanFormat.\nformat %d\n", Format)
		for _, in := range slices.Sorted(maps.Keys(got)) {
			fmt.Fprintf(&b, "%s %s\n", got[in], in)
		}
		write(t, ".", planFormatFile, b.String())
		return
	}
	if recorded != Format {
		t.Fatalf("planner.Format is %d, but %s records the output of format %d: record this format's with EMCEE_PLAN_FORMAT_UPDATE=1", Format, planFormatFile, recorded)
	}
	if len(changed) > 0 {
		t.Errorf("the planner writes other plans than plan format %d for %s: bump planner.Format (users' plans committed at format %d would be refused as hand edits by `emcee plan --check`), then record the output with EMCEE_PLAN_FORMAT_UPDATE=1", Format, strings.Join(changed, ", "), Format)
	}
	for _, in := range slices.Sorted(maps.Keys(got)) {
		if _, ok := hashes[in]; !ok {
			t.Errorf("%s does not record input %s: record it with EMCEE_PLAN_FORMAT_UPDATE=1", planFormatFile, in)
		}
	}
	for _, in := range slices.Sorted(maps.Keys(hashes)) {
		if _, ok := got[in]; !ok {
			t.Errorf("%s records input %s, which the corpus no longer has (or which no longer plans): record the corpus with EMCEE_PLAN_FORMAT_UPDATE=1", planFormatFile, in)
		}
	}
}

func readPlanFormat(t *testing.T) (int, map[string]string) {
	t.Helper()
	hashes := map[string]string{}
	f, err := os.Open(planFormatFile)
	if os.IsNotExist(err) {
		return 0, hashes
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	format := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "format "):
			if format, err = strconv.Atoi(strings.TrimPrefix(line, "format ")); err != nil {
				t.Fatalf("%s: %q", planFormatFile, line)
			}
		default:
			h, in, ok := strings.Cut(line, " ")
			if !ok {
				t.Fatalf("%s: %q", planFormatFile, line)
			}
			hashes[in] = h
		}
	}
	return format, hashes
}

// planFormatCorpus plans every input of the corpus and hashes what it
// writes: every file's name and content, in order.
func planFormatCorpus(t *testing.T) map[string]string {
	t.Helper()
	got := map[string]string{}
	hash := func(out *Output) string {
		h := sha256.New()
		for _, path := range slices.Sorted(maps.Keys(out.Files)) {
			fmt.Fprintf(h, "%s\n%d\n", path, len(out.Files[path]))
			h.Write(out.Files[path])
		}
		return "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	for name, out := range planCorpus(t) {
		got[name] = hash(out)
	}
	return got
}

// planCorpus plans every input of the corpus: the bundled example (and a
// second planning step of its release in progress), the operator fixture,
// real projects' releases the e2e tests plan, and the fuzz corpus.
func planCorpus(t *testing.T) map[string]*Output {
	t.Helper()
	got := map[string]*Output{}
	for _, fixture := range []string{"..", "../e2e/testdata/operator/project"} {
		dir := t.TempDir()
		copyFile(t, filepath.Join(fixture, "atlas.hcl"), filepath.Join(dir, "atlas.hcl"))
		entries, err := os.ReadDir(filepath.Join(fixture, "schema"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			copyFile(t, filepath.Join(fixture, "schema", e.Name()), filepath.Join(dir, "schema", e.Name()))
		}
		name := strings.TrimPrefix(fixture, "../")
		if fixture == ".." {
			name = "the bundled example"
		}
		got[name] = plan(t, dir, Options{})
		if fixture == ".." {
			// A second planning step of the release in progress.
			src := string(read(t, dir, "schema/ussuri.hcl"))
			edited := strings.Replace(src, `  column "checksum"`, "  column \"region\" {\n    type    = varchar(20)\n    default = \"eu\"\n  }\n  column \"checksum\"", 1)
			if edited == src {
				t.Fatal("schema/ussuri.hcl has no column checksum to add a column before")
			}
			write(t, dir, "schema/ussuri.hcl", edited)
			got[name+" (ussuri planned again)"] = plan(t, dir, Options{})
		}
	}
	// Real projects' releases (trimmed), as the e2e tests plan them.
	for _, pair := range [][2]string{
		{"outside2_s28/files_105.hcl", "outside2_s28/files_106.hcl"},
		{"outside2_s28/notifications_109.hcl", "outside2_s28/notifications_110.hcl"},
		{"outside_ps_s29/product_1_7_8.hcl", "outside_ps_s29/product_8_0.hcl"},
	} {
		prev, next := read(t, "../e2e/testdata", pair[0]), read(t, "../e2e/testdata", pair[1])
		if h := planPair(t, prev, next); h != nil {
			got["e2e/testdata/"+pair[0]+" -> "+filepath.Base(pair[1])] = h
		} else {
			t.Errorf("%s -> %s does not plan", pair[0], pair[1])
		}
	}
	seeds, err := filepath.Glob("testdata/fuzz/FuzzPlan/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range seeds {
		prev, next := readSeed(t, seed)
		if out := planPair(t, prev, next); out != nil {
			got[filepath.ToSlash(seed)] = out
		}
	}
	return got
}

// planPair plans release b after release a (none when prev is empty), as
// FuzzPlan does; nil when the planner refuses them.
func planPair(t *testing.T, prev, next []byte) *Output {
	t.Helper()
	out, err := Plan(pairProject(t, prev, next), Options{})
	if err != nil {
		return nil
	}
	return out
}

// readSeed reads a seed of the fuzz corpus: its two []byte values.
func readSeed(t *testing.T, path string) (prev, next []byte) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(read(t, ".", path))), "\n")
	if len(lines) != 3 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s is not a seed of two values", path)
	}
	var vals [2][]byte
	for i, l := range lines[1:] {
		q, ok := strings.CutPrefix(l, "[]byte(")
		q, ok2 := strings.CutSuffix(q, ")")
		s, err := strconv.Unquote(q)
		if !ok || !ok2 || err != nil {
			t.Fatalf("%s:%d is not a []byte value: %v", path, i+2, err)
		}
		vals[i] = []byte(s)
	}
	return vals[0], vals[1]
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	write(t, "/", to, string(data))
}

// A released release another plan format planned that this emcee refuses
// to recompute (a newer emcee refusing what an older one accepted: here a
// NOT NULL column without a default) keeps its revisions, verified by its
// sum, with a note saying why; of this emcee's own format it is an error.
func TestCheckKeepsAReleasedReleaseThisEmceeCannotRecompute(t *testing.T) {
	dir := newProject(t, `released = ["ocata", "pike"]`)
	t.Chdir(dir)
	plan(t, dir, Options{})
	refused := pikeWith("  column \"region\" {\n    type = varchar(20)\n  }\n")
	write(t, dir, "schema/pike.hcl", refused)
	const snap = "plans/pike/pike.snapshot.hcl"
	data := string(read(t, dir, snap))
	at := strings.Index(data, "\n"+basePrefix)
	end := at + 1 + strings.Index(data[at+1:], "\n") + 1
	write(t, dir, snap, data[:end]+refused)
	setFormat(t, dir, "pike", "0")
	resum(t, dir)
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	e := checked(t, dir)
	if r, notes := e.Refusal(p), e.Notes(); r != "" || len(notes) != 1 ||
		!strings.Contains(notes[0], "release pike: this emcee (plan format "+strconv.Itoa(Format)+") cannot recompute its revisions (") ||
		!strings.Contains(notes[0], "images.region is a new NOT NULL column without a default") ||
		!strings.Contains(notes[0], "plans/pike/pike.snapshot.hcl:3 records plan format 0") || !strings.Contains(notes[0], "pike is released, so they stay") {
		t.Fatalf("refusal %q, notes %q", r, notes)
	}

	write(t, dir, snap, strings.Replace(string(read(t, dir, snap)), formatPrefix+"0\n", fmt.Sprintf("%s%d\n", formatPrefix, Format), 1))
	resum(t, dir)
	out, err := Plan(p, Options{Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.Edited(p); err == nil || !strings.Contains(err.Error(), "the planner cannot recompute release pike") {
		t.Fatalf("of this emcee's format: %v", err)
	}
}

// Edit.SQL names every statement a kept revision holds that the planner
// does not write, and every one it lacks, read as the applier reads them:
// a reworded comment is no statement, and a directive taken off a gate
// (which would then run as a statement) is.
func TestEditNamesEveryDifferingStatement(t *testing.T) {
	const planned = "-- rule a: why\nALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=INSTANT;\n\n-- rule b: why\n-- emcee:gate\nSELECT COUNT(*) FROM `t` WHERE `c` IS NULL;\n\n-- rule c: why\nALTER TABLE `t` DROP COLUMN `d`, ALGORITHM=INSTANT;\n"
	for _, c := range []struct {
		name, got string
		want      []string
	}{
		{"reworded comments", strings.ReplaceAll(planned, ": why", ": worded otherwise"), nil},
		{"a statement added after a reworded comment", strings.Replace(strings.Replace(planned, "rule a: why", "rule a: other", 1), "INSTANT;\n\n", "INSTANT;\nGRANT ALL ON *.* TO `evil`@`%`;\n\n", 1),
			[]string{"line 3 \"GRANT ALL ON *.* TO `evil`@`%`\""}},
		{"a gate taken out", strings.Replace(planned, "-- emcee:gate\nSELECT COUNT(*) FROM `t` WHERE `c` IS NULL;\n", "", 1),
			[]string{"no gate \"SELECT COUNT(*) FROM `t` WHERE `c` IS NULL\", which the planner writes"}},
		{"an executable comment", strings.Replace(planned, "`d`, ALGORITHM=INSTANT;", "`d`, ALGORITHM=INSTANT /*!99999 , DROP COLUMN `e` */;", 1),
			[]string{"line 9 \"ALTER TABLE `t` DROP COLUMN `d`, ALGORITHM=INSTANT /*!99999 , DROP COLUMN `e` */\"", "no \"ALTER TABLE `t` DROP COLUMN `d`, ALGORITHM=INSTANT\", which the planner writes"}},
	} {
		got := Edit{Path: "x/x_expand01.sql", got: []byte(c.got), want: []byte(planned)}.SQL()
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
