package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

const copyOutA = `schema "app" {}

table "notes" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(64)
  }
  primary_key {
    columns = [column.id]
  }
}
`

var copyOutB = strings.Replace(copyOutA, `  primary_key {`, `  column "txt" {
    type    = varchar(100)
    null    = true
    default = "none"
  }
  column "raw" {
    type = varbinary(32)
    null = true
  }
  primary_key {`, 1)

// textLiteral is how a copy-out file writes a text value back.
func textLiteral(s string) string { return "_utf8mb4 X'" + fmt.Sprintf("%X", s) + "'" }

// oneUpdate reports a column's copy-out of one row: its first lines as
// start has them, then the check that the row holds the value, then the
// line that ends a whole copy-out.
func oneUpdate(file, start string) bool {
	return strings.HasPrefix(file, start) && strings.Count(file, "\n") == 3 && strings.HasSuffix(file, "); SELECT @emcee_stop FROM DUAL WHERE @emcee_stop IS NOT NULL; SET SESSION sql_mode = IF(@emcee_stop IS NULL, @@sql_mode, 'restore stopped: the line printed before this error says why');\n-- end of the copy-out\n")
}

// With: the table whose commands copy this one out and put it back
// (tables whose foreign keys form a cycle).
type copyOutLoss struct{ Table, Column, Save, Restore, With string }

// refusedLosses runs the rollback, which must refuse, and returns the
// losses of its JSON output.
func refusedLosses(t *testing.T, p *opProject) []copyOutLoss {
	t.Helper()
	js := p.run("db", "rollback", "--format", "json")
	doc := cliDoc(t, "json", js)
	if exitCodeOf(doc) != 1 {
		t.Fatalf("rollback with values only b wrote: want the refusal: %s", js)
	}
	var losses []copyOutLoss
	raw, _ := json.Marshal(doc["losses"])
	if err := json.Unmarshal(raw, &losses); err != nil {
		t.Fatalf("losses: %s (%v)", raw, err)
	}
	for _, l := range losses {
		if l.With != "" && l.Save == "" && l.Restore == "" {
			continue
		}
		if l.Save == "" || l.Restore == "" || !strings.Contains(doc["error"].(string), l.Save) || !strings.Contains(doc["error"].(string), l.Restore) {
			t.Fatalf("the refusal does not give the commands of %+v:\n%s", l, doc["error"])
		}
	}
	return losses
}

// copyOutAndRollBack runs the commands the rollback's refusal gives to
// copy out what it would drop, in a directory of their own, then rolls the
// release back dropping it: where every restore test starts.
func copyOutAndRollBack(t *testing.T, p *opProject) ([]copyOutLoss, string) {
	t.Helper()
	losses := refusedLosses(t, p)
	dir := t.TempDir()
	for _, l := range losses {
		if l.Save != "" {
			shellIn(t, dir, l.Save)
		}
	}
	p.must("db", "rollback", "--drop-new-data")
	return losses, dir
}

func shellIn(t *testing.T, dir, command string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME=/nonexistent", "LC_ALL=C", "LANG=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
}

// The values a rollback would drop, copied out with the command its
// refusal gives and put back with the one it gives after a later expand,
// come back exactly: NULL and the text 'NULL' apart, tabs, line breaks,
// backslashes, quotes, utf8mb4 beyond the BMP, any byte of a binary
// column, found by a BIGINT key past 2^53 (where a comparison through a
// double would find its neighbour). `mariadb --batch` printed NULL and
// 'NULL' alike and escaped the rest its own way: no file it wrote could
// be put back.
func TestRollbackCopyOutRestoresExactly(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", copyOutA}, [2]string{"b", copyOutB})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO notes (id, name) VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four'), (5, 'five'), (6, 'six'), (9007199254740992, 'big'), (9007199254740993, 'big+1')")
	p.must("db", "expand")
	for _, u := range []struct {
		id  string
		txt any
		raw any
	}{
		{"1", nil, []byte("NULL")},
		{"2", "NULL", []byte{0x00, 0xff, '\n', '\t', '\\', '\'', 0x80, 'N'}},
		{"3", "tab\there\nline two\r\n", []byte{}},
		{"4", `back\slash \N \\ 'quote' "dq"`, nil},
		{"5", "né ☃ 😀 𝄞", []byte("\\N")},
		{"6", "", []byte{0x5c, 0x00}},
		{"9007199254740993", "the odd one", []byte{0x01}},
	} {
		p.exec("UPDATE notes SET txt = ?, raw = ? WHERE id = "+u.id, u.txt, u.raw)
	}
	const state = "SELECT id, name, HEX(txt), txt IS NULL, HEX(raw), raw IS NULL FROM notes ORDER BY id"
	before := p.query(state)

	losses := refusedLosses(t, p)
	if len(losses) != 2 {
		t.Fatalf("losses: %+v", losses)
	}
	dir := t.TempDir()
	for _, l := range losses {
		if !strings.Contains(l.Save, "--quick") {
			t.Fatalf("the copy-out of %s.%s does not stream (the client holds a result without --quick in memory): %s", l.Table, l.Column, l.Save)
		}
		shellIn(t, dir, l.Save)
	}
	p.must("db", "rollback", "--drop-new-data")
	if cols := p.columns("notes"); strings.Contains(cols, "txt") || strings.Contains(cols, "raw") {
		t.Fatalf("rolled back, the columns stay:\n%s", cols)
	}
	p.must("db", "expand")
	for _, l := range losses {
		shellIn(t, dir, l.Restore)
	}
	if after := p.query(state); after != before {
		t.Fatalf("put back:\n%s\nwant\n%s", after, before)
	}
}

// The counts and the copy-out are of one moment, and the new release's
// code may still be writing: --drop-new-data counts again just before
// each drop, and stops before a drop whose count grew since the counts it
// printed (and the operator copied), rather than lose what was written
// since. Here a member is added to image_members while the rollback's
// DROP TRIGGER on images waits for its lock, after the counts: DROP TABLE
// image_members is not run, the statements before it stay applied, and
// the rerun, once the writes stop, resumes with both members counted.
func TestRollbackDropNewDataRecountsBeforeEachDrop(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(20)
	p.must("db", "expand")
	p.pikeWritesNewData()
	p.must("db", "migrate")
	img := p.query("SELECT id FROM images WHERE name = 'img-7'")

	release := p.holdMDL("images")
	run := p.start("db", "rollback", "--drop-new-data", "--lock-timeout", "60s")
	p.waitFor("the rollback to wait for the metadata lock of images", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE 'DROP TRIGGER%'", p.DB.Name) != "0"
	})
	p.exec("INSERT INTO image_members (image_id, member) VALUES (" + img + ", 'tenant-late')")
	release()
	r := run.wait(t)
	if r.Code != 1 {
		t.Fatalf("a drop whose count grew after the counts were printed: want the refusal: %s", r)
	}
	opContains(t, r, pikeLosses[1], "rollback of pike stopped before statement 4 of pike_rollback01",
		"table image_members: 2 row(s) (1 when the run began)", "is still writing", "3 of 4 statements of pike_rollback01 are applied; nothing of this statement ran",
		"stop pike's writes")
	if got := p.query("SELECT COUNT(*) FROM image_members"); got != "2" {
		t.Fatalf("image_members after the refusal: %s rows", got)
	}
	if got := p.query("SELECT applied FROM emcee_revisions WHERE name = 'pike_rollback01'"); got != "3" {
		t.Fatalf("record after the refusal: applied %s", got)
	}
	r = p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("the rerun without --drop-new-data: %s", r)
	}
	opContains(t, r, "table image_members: 2 row(s)", "copy them out first, with pike's writes stopped")
	r = p.must("db", "rollback", "--drop-new-data")
	opContains(t, r, "resuming pike_rollback01 at statement 4 of 4", "table image_members: 2 row(s)", "rollback of pike complete")
}
