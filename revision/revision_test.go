package revision

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/emcee-db/emcee/sqlsyntax"
)

func TestParseID(t *testing.T) {
	id, err := ParseID("pike_contract12")
	if err != nil || id != (ID{Release: "pike", Phase: Contract, Seq: 12}) || id.String() != "pike_contract12" || id.File() != "pike/pike_contract12.sql" {
		t.Fatalf("ParseID: %+v, %v", id, err)
	}
	for _, bad := range []string{"pike_expand1", "pike_shrink01", "Pike_expand01", "pike-expand01"} {
		if _, err := ParseID(bad); err == nil || !strings.Contains(err.Error(), "not a revision name") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// What Render writes, Parse reads back: rule, reason, kind, backfill
// options and SQL, including a trigger body with semicolons inside.
func TestRenderParseRoundTrip(t *testing.T) {
	s := &Script{ID: ID{Release: "train", Phase: Migrate, Seq: 1}, From: "stein", To: "train", Statements: []Statement{
		{Rule: "create-table", Why: "new\n table", SQL: "CREATE TABLE `t` (`id` int)"},
		{Rule: "replace-column", Why: "sync", SQL: "CREATE TRIGGER `x` BEFORE INSERT ON `t` FOR EACH ROW\nBEGIN\n  SET NEW.a = 1;\n  SET NEW.b = 2;\nEND"},
		{Rule: "replace-column", Why: "fill", Kind: Backfill, Table: "t", Key: "id", SQL: "UPDATE `t` SET `a` = 1 WHERE (`a` IS NULL);"},
		{Rule: "add-unique-index", Why: "no duplicates", Kind: Gate, SQL: "SELECT COUNT(*) FROM `t`"},
		// A name with a space, a quote, an = or a line break stays one value
		// of one directive line.
		{Rule: "data-migration", Why: "a table \n named\r\nbadly", Kind: Backfill, Table: "image tags \"x\" key=y\nDROP TABLE z", Key: "my id", SQL: "UPDATE `image tags \"x\" key=y\nDROP TABLE z` SET `a` = 1 WHERE (`a` IS NULL)"},
	}}
	data := s.Render()
	if !strings.Contains(string(data), "-- rule create-table: new table\n") {
		t.Errorf("a reason must stay on one comment line:\n%s", data)
	}
	got, err := Parse("x.sql", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(s.Statements) {
		t.Fatalf("parsed %d statements, want %d:\n%s", len(got), len(s.Statements), data)
	}
	lines := []int{5, 8, 16, 20, 24} // where each statement's SQL starts, below its comments
	for i, want := range s.Statements {
		want.Line = lines[i]
		want.SQL = strings.TrimSuffix(want.SQL, ";")
		want.Why = strings.Join(strings.Fields(want.Why), " ")
		if got[i] != want {
			t.Errorf("statement %d:\n got %+v\nwant %+v", i, got[i], want)
		}
	}
	empty := (&Script{ID: ID{Release: "queens", Phase: Expand, Seq: 1}, From: "pike", To: "queens"}).Render()
	if st, err := Parse("e.sql", empty); err != nil || len(st) != 0 || !strings.Contains(string(empty), "No expand step is needed") {
		t.Fatalf("empty revision: %v %v\n%s", st, err, empty)
	}
}

// A backfill directive carries names the user chose. Before names were
// quoted, a table called "a key=b" read back as table "a" with key "b",
// and a newline in a name ended the comment, leaving the rest as SQL.
func TestBackfillDirectiveNamesRoundTrip(t *testing.T) {
	for _, name := range []string{"images", "a key=b", "two words", "line\nbreak; DROP TABLE x", "it's", `back\slash`, "`tick`", "x key=", "émoji_表"} {
		s := &Script{ID: ID{Release: "train", Phase: Migrate, Seq: 1}, From: "stein", To: "train", Statements: []Statement{
			{Rule: "data-migration", Why: "w", Kind: Backfill, Table: name, Key: name + "_id", SQL: "UPDATE " + sqlsyntax.Ident(name) + " SET `a` = 1 WHERE (`a` IS NULL)"},
		}}
		data := s.Render()
		got, err := Parse("x.sql", data)
		if err != nil {
			t.Fatalf("%q: %v\n%s", name, err, data)
		}
		if len(got) != 1 || got[0].Table != name || got[0].Key != name+"_id" || got[0].SQL != s.Statements[0].SQL {
			t.Errorf("%q read back as %+v\n%s", name, got, data)
		}
	}
	// A table without a single-column primary key has no key to batch on:
	// the directive still names the table, whose pending rows it rewrites.
	un := &Script{ID: ID{Release: "train", Phase: Migrate, Seq: 1}, From: "stein", To: "train", Statements: []Statement{
		{Rule: "data-migration", Why: "w", Kind: Backfill, Table: "m", SQL: "UPDATE `m` SET `a` = 1 WHERE (`a` IS NULL)"},
	}}
	if data := un.Render(); !strings.Contains(string(data), "-- emcee:backfill table=m\nUPDATE") {
		t.Fatalf("unbatched backfill rendered as:\n%s", data)
	} else if got, err := Parse("x.sql", data); err != nil || got[0].Kind != Backfill || got[0].Table != "m" || got[0].Key != "" {
		t.Fatalf("unbatched backfill read back as %+v %v", got, err)
	}
	// What plans have always held still reads.
	got, err := Parse("x.sql", []byte("-- emcee:backfill table=images key=id\nUPDATE `images` SET `a` = 1 WHERE (`a` IS NULL);\n"))
	if err != nil || got[0].Table != "images" || got[0].Key != "id" {
		t.Fatalf("plain directive: %+v %v", got, err)
	}
}

func TestParseRejectsUnknownDirectives(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"-- emcee:gat\nSELECT 1;\n", `x.sql:2: unknown emcee directive "gat"`},
		{"-- emcee:backfill key=id\nUPDATE t SET a = 1 WHERE a IS NULL;\n", "needs table="},
		{"\n-- emcee:backfill table=t key=id batch=5\nUPDATE t SET a = 1 WHERE a IS NULL;\n", `x.sql:3: unknown backfill option "batch"`},
		{"-- emcee:backfill table='a key=id\nUPDATE t SET a = 1 WHERE a IS NULL;\n", "unterminated string"},
		{"-- emcee:backfill table=a'b key=id\nUPDATE t SET a = 1 WHERE a IS NULL;\n", "neither a plain word nor a quoted string"},
		// The applier runs a backfill in key ranges of the table its UPDATE
		// updates, written from its tree: the directive must name that
		// table, and the statement must be one it can read.
		{"-- emcee:backfill table=images key=id\nUPDATE `image_tags` SET `a` = 1 WHERE `a` IS NULL;\n", "x.sql:2: backfill directive says table=images, but its UPDATE updates image_tags"},
		{"-- emcee:backfill table=t key=id\nUPDATE t SET a = 1;\n", "x.sql:2: a backfill needs a WHERE"},
		{"-- emcee:gate\nSELECT COUNT(*) FROM t WHERE a IS NULL AND;\n", "x.sql:2: a gate statement starts with SELECT, but emcee cannot read this one: the statement ends too early"},
		// A gate runs in db check and --dry-run too: a directive moved onto
		// another statement would have them run it.
		{"\n-- emcee:gate\nDROP TABLE `parent`;\n", "x.sql:3: a gate statement starts with SELECT, but this one is \"DROP TABLE `parent`\""},
		{"-- emcee:gate\nSELECTED_ROWS();\n", "a gate statement starts with SELECT"},
		{"-- emcee:backfill table=t key=id\nDELETE FROM t WHERE a IS NULL;\n", "a backfill statement starts with UPDATE"},
	} {
		if _, err := Parse("x.sql", []byte(tc.src)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestVerifyNamesTheFile(t *testing.T) {
	files := map[string][]byte{"a/a_expand01.sql": []byte("x"), "a/a_migrate01.sql": []byte("y")}
	order := []string{"a/a_expand01.sql", "a/a_migrate01.sql"}
	sum, err := Sum(order, files)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(order, files, sum); err != nil {
		t.Fatalf("unchanged files: %v", err)
	}
	files["a/a_migrate01.sql"] = []byte("edited")
	if err := Verify(order, files, sum); err == nil || !strings.Contains(err.Error(), "plans/a/a_migrate01.sql: checksum mismatch") {
		t.Errorf("edited file: %v", err)
	}
	if err := Verify(order[:1], files, sum); err == nil || !strings.Contains(err.Error(), "a_migrate01.sql is listed in plans/emcee.sum but missing") {
		t.Errorf("missing file: %v", err)
	}
	damaged := append([]byte("h1:AAAA\n"), sum[strings.Index(string(sum), "\n")+1:]...)
	if err := Verify(order, files, damaged); err == nil || !strings.Contains(err.Error(), "emcee.sum is damaged") {
		t.Errorf("damaged sum: %v", err)
	}
}

// lint reads past files out of place (ScanPlans); the applier stops at them
// in a release it plans for, and ignores directories of other releases.
func TestScanAndReadPlans(t *testing.T) {
	dir := t.TempDir()
	write := func(path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pike/pike_expand01.sql", "SELECT 1;\n")
	write("old/old_expand01.sql", "SELECT 1;\n")
	write("old/notes.txt", "x")
	p, err := ScanPlans(dir, []string{"pike"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Revisions) != 1 || fmt.Sprint(p.Unlisted, p.Stray, p.Misnamed) != "[old/old_expand01.sql] [old/notes.txt] []" || len(p.Files) != 3 {
		t.Fatalf("ScanPlans: %d revisions, unlisted %v, stray %v, misnamed %v, %d files", len(p.Revisions), p.Unlisted, p.Stray, p.Misnamed, len(p.Files))
	}
	r, err := ReadPlans(dir, []string{"pike"})
	if err != nil || len(r.Revisions) != 1 || len(r.Files) != 1 || r.Order[0] != "pike/pike_expand01.sql" {
		t.Fatalf("ReadPlans must ignore other releases' directories: %v %+v", err, r)
	}
	write("pike/pike_expand1.sql", "SELECT 1;\n")
	if _, err := ReadPlans(dir, []string{"pike"}); err == nil || !strings.Contains(err.Error(), "pike_expand1.sql: file name is not a revision of release pike") {
		t.Fatalf("a misnamed file of a listed release: %v", err)
	}
}

// Plans are read concurrently (the applier, lint and review read many
// files; tests read fixtures in parallel): each read must see only its own
// script.
func TestParseConcurrently(t *testing.T) {
	scripts := make([]string, 8)
	for i := range scripts {
		var b strings.Builder
		for j := 0; j <= i; j++ {
			fmt.Fprintf(&b, "-- rule r%d: why\nCREATE TRIGGER `t%d_%d` BEFORE INSERT ON `t` FOR EACH ROW\nBEGIN\n  SET NEW.`a` = 'x;y(';\nEND;\n\n", j, i, j)
		}
		scripts[i] = b.String()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 8 {
		for i, src := range scripts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 50 {
					sts, err := Parse("s.sql", []byte(src))
					if err != nil || len(sts) != i+1 {
						errs <- fmt.Errorf("script %d: %d statements, %v", i, len(sts), err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Rollback revisions are read apart from the upgrade's: no forward path
// (sync, expand, status) may take one for a step of the upgrade. They
// come in the order they run, newest first.
func TestRollbacksAreKeptApart(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"pike/pike_expand01.sql", "pike/pike_rollback01.sql", "pike/pike_migrate01.sql", "pike/pike_contract01.sql", "pike/pike_rollback02.sql", "pike/pike_expand02.sql"} {
		if err := os.MkdirAll(filepath.Join(dir, "pike"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte("-- emcee revision\nSELECT 1;\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := ScanPlans(dir, []string{"pike"})
	if err != nil {
		t.Fatal(err)
	}
	var fwd, back []string
	for _, r := range p.Revisions {
		fwd = append(fwd, r.ID.String())
	}
	for _, r := range p.Of("pike", Rollback) {
		back = append(back, r.ID.String())
	}
	if strings.Join(fwd, " ") != "pike_expand01 pike_expand02 pike_migrate01 pike_contract01" || strings.Join(back, " ") != "pike_rollback02 pike_rollback01" {
		t.Fatalf("upgrade: %v, rollbacks: %v", fwd, back)
	}
	if id, err := ParseID("2024_1_rollback03"); err != nil || id.Phase != Rollback || id.Release != "2024_1" {
		t.Fatalf("ParseID: %v %v", id, err)
	}
}

// Plans and records share one order, the order they are applied. The
// plans' order once put a rollback before the expand it undoes and a
// release the project does not list before the listed ones, and db forget
// called the expand of a stopped rollback "a later revision".
func TestCompare(t *testing.T) {
	releases := []string{"ocata", "pike"}
	order := []string{"ocata_contract01", "pike_expand01", "pike_expand02", "pike_migrate01", "pike_contract01", "pike_rollback02", "pike_rollback01", "queens_expand01", "rocky_expand01"}
	for i := range order {
		for j := range order {
			a, _ := ParseID(order[i])
			b, _ := ParseID(order[j])
			if got := Compare(releases, a, b); (got < 0) != (i < j) || (got == 0) != (i == j) {
				t.Errorf("Compare(%s, %s) = %d", a, b, got)
			}
		}
	}
}

// A rollback revision is a script like the others: a refused one (its
// closed gate) and one with a gate before its DDL read back as written,
// and an empty one says there is nothing to undo.
func TestRollbackScripts(t *testing.T) {
	refused := &Script{ID: ID{Release: "pike", Phase: Rollback, Seq: 1}, From: "ocata", To: "pike", Statements: []Statement{
		{Rule: "widen-column", Why: RefusedRollback + "images.name was widened", Kind: Gate, SQL: "SELECT 1"},
	}}
	gated := &Script{ID: ID{Release: "pike", Phase: Rollback, Seq: 2}, From: "pike as of pike_contract01", To: "pike", Statements: []Statement{
		{Rule: "widen-column", Why: "rows left NULL", Kind: Gate, SQL: "SELECT COUNT(*) FROM `img 'r'` WHERE `na\"me` IS NULL"},
		{Rule: "rename-table", Why: "swapped back", SQL: "RENAME TABLE `a` TO `emcee_a_123456_parked`, `b` TO `a`"},
	}}
	for _, s := range []*Script{refused, gated} {
		got, err := Parse(s.ID.String(), s.Render())
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i].Line = 0
		}
		if !slices.Equal(got, s.Statements) {
			t.Errorf("%s read back as %+v, want %+v", s.ID, got, s.Statements)
		}
	}
	empty := (&Script{ID: ID{Release: "queens", Phase: Rollback, Seq: 1}, From: "pike", To: "queens"}).Render()
	if !strings.Contains(string(empty), "queens_expand01 changes nothing, so there is nothing to undo") {
		t.Errorf("empty rollback:\n%s", empty)
	}
	if st, err := Parse("queens_rollback01", empty); err != nil || len(st) != 0 {
		t.Errorf("empty rollback read back as %v, %v", st, err)
	}
}

// A file where the plans directory should be, and a dangling link in it,
// were "open plans: not a directory" and "open ...: no such file or
// directory": no word of what the path is for or what to do.
func TestReadPlansSaysWhatThePathIsFor(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plans")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPlans(file, []string{"a"}); err == nil || !strings.Contains(err.Error(), "plans is a file, not the plans directory") || !strings.Contains(err.Error(), "move it away") {
		t.Errorf("plans is a file: %v", err)
	}
	plans := filepath.Join(dir, "p")
	if err := os.MkdirAll(filepath.Join(plans, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(plans, "a", "a_expand01.sql")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPlans(plans, []string{"a"}); err == nil || !strings.Contains(err.Error(), "a_expand01.sql") || !strings.Contains(err.Error(), "remove it or restore it") {
		t.Errorf("dangling link: %v", err)
	}
}

// A named pipe among the plans (left by a tool, or made on purpose) held
// every command that reads the plans in its read forever: lint, plan
// --check and every db command.
func TestReadPlansRefusesANamedPipe(t *testing.T) {
	plans := t.TempDir()
	if err := os.MkdirAll(filepath.Join(plans, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(plans, "a", "a_expand01.sql")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// Before the fix this test hung in the read (go test's -timeout ends it).
	for name, read := range map[string]func(string, []string) (*Plans, error){"ReadPlans": ReadPlans, "ScanPlans": ScanPlans} {
		_, err := read(plans, []string{"a"})
		if err == nil || !strings.Contains(err.Error(), fifo+" is a named pipe, not a file") || !strings.Contains(err.Error(), "remove it") {
			t.Errorf("%s with a named pipe: %v", name, err)
		}
	}
}

// TestHashFileIsAtlasHashFile holds the sum's chain to Atlas's own, on
// files with and without a sum directive, on the first line and later.
func TestHashFileIsAtlasHashFile(t *testing.T) {
	files := map[string][]byte{
		"a/a_expand01.sql":   []byte("-- emcee expand\nALTER TABLE `t` ADD COLUMN `c` int;\n"),
		"a/a_migrate01.sql":  []byte("-- atlas:sum ignore\nUPDATE t SET c = 1;\n"),
		"a/a_contract01.sql": []byte("-- emcee contract\n-- atlas:sum ignore\nSELECT 1;\n"),
		"a/skipped.sql":      []byte("-- atlas:sum ignore"),
		"a/a.snapshot.hcl":   []byte("# emcee snapshot\nschema \"app\" {}\n"),
		"b/empty.sql":        nil,
		"b/kept.sql":         []byte("-- atlas:sum   ignore all\nSELECT 2;\n"),
	}
	order := []string{"a/a_expand01.sql", "a/a_migrate01.sql", "a/a_contract01.sql", "a/skipped.sql", "a/a.snapshot.hcl", "b/empty.sql", "b/kept.sql"}
	got, err := hashFile(order, files)
	if err != nil {
		t.Fatal(err)
	}
	var atlas []migrate.File
	for _, p := range order {
		atlas = append(atlas, migrate.NewLocalFile(p, files[p]))
	}
	want, err := migrate.NewHashFile(atlas)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 5 || !slices.Equal(got, want) {
		t.Fatalf("hashFile:\n%v\nmigrate.NewHashFile (5 files, two ignored):\n%v", got, want)
	}
}
