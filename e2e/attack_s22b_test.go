package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// The UPDATEs a rollback's copy-out writes to put lost values back named
// only the lost column: the server stamped every row put back with the
// time of the restore in its ON UPDATE CURRENT_TIMESTAMP column, the time
// the application last changed it lost.
func TestAttackCopyOutRestoreKeepsOnUpdateTimestamps(t *testing.T) {
	t.Parallel()
	a := `schema "app" {}

table "tags" {
  schema = schema.app
  column "tag" {
    type = varchar(64)
  }
  column "changed" {
    type      = timestamp
    default   = sql("CURRENT_TIMESTAMP")
    on_update = sql("CURRENT_TIMESTAMP")
  }
  primary_key {
    columns = [column.tag]
  }
}
`
	b := strings.Replace(a, "  column \"changed\" {", "  column \"colour\" {\n    type = varchar(16)\n    null = true\n  }\n  column \"size\" {\n    type = int\n    null = true\n  }\n  column \"changed\" {", 1)
	db := testdb.New(t)
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO tags (tag, colour, size, changed) VALUES ('one', 'red', 1, '2001-02-03 04:05:06'), ('two', 'blue', 2, '2002-03-04 05:06:07')")
	const state = "SELECT tag, colour, size, changed FROM tags ORDER BY tag"
	before := p.query(state)

	losses := refusedLosses(t, p)
	if len(losses) != 2 {
		t.Fatalf("losses: %+v", losses)
	}
	dir := t.TempDir()
	for _, l := range losses {
		shellIn(t, dir, l.Save)
	}
	p.must("db", "rollback", "--drop-new-data")
	p.must("db", "expand")
	for _, l := range losses {
		shellIn(t, dir, l.Restore)
	}
	if after := p.query(state); after != before {
		t.Fatalf("put back:\n%s\nwant\n%s", after, before)
	}
}

// The copy-out of a table a rollback drops is its rows only, to go back
// into the table a later expand creates again; the dump tool also wrote
// the table's triggers (--no-create-info leaves them in), so the restore
// created again, with the definer of whoever copied it out, a trigger the
// later release does not declare (here an audit trigger made by hand,
// dropped after the copy-out for the rollback to run), which every later
// drift check then refused as drift.
func TestAttackCopyOutOfATableLeavesItsTriggers(t *testing.T) {
	t.Parallel()
	a := `schema "app" {}

table "notes" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`
	b := a + `
table "extra" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`
	db := testdb.New(t)
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("CREATE TRIGGER extra_audit BEFORE INSERT ON extra FOR EACH ROW SET NEW.id = NEW.id + 1000")
	p.exec("INSERT INTO extra (id) VALUES (1), (2)")
	const state = "SELECT id FROM extra ORDER BY id"
	before := p.query(state)
	doc := cliDoc(t, "json", p.run("db", "rollback", "--allow-drift", "--format", "json"))
	var losses []copyOutLoss
	raw, _ := json.Marshal(doc["losses"])
	if err := json.Unmarshal(raw, &losses); err != nil || len(losses) != 1 || losses[0].Table != "extra" {
		t.Fatalf("losses: %s (%v)", raw, err)
	}
	dir := t.TempDir()
	shellIn(t, dir, losses[0].Save)
	// The rollback refuses to drop a table a trigger it does not manage
	// reads: the operator drops the trigger, having copied the rows out.
	p.exec("DROP TRIGGER extra_audit")
	p.must("db", "rollback", "--drop-new-data")
	p.must("db", "expand")
	shellIn(t, dir, losses[0].Restore)
	if got := p.triggers(); got != "" {
		t.Fatalf("the restore created triggers: %s", got)
	}
	if after := p.query(state); after != before {
		t.Fatalf("put back:\n%s\nwant\n%s", after, before)
	}
}

// The copy-out of a table was a dump, whose file turns foreign_key_checks
// off for the session that reads it back: rows of a child table the
// rollback dropped went back in after the previous release had deleted
// their parents meanwhile, orphans of a foreign key the table declares,
// the restore exiting 0. The restore now checks them, and stops on them.
func TestAttackCopyOutRestoreChecksForeignKeys(t *testing.T) {
	t.Parallel()
	a := `schema "app" {}

table "notes" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`
	b := a + `
table "members" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "note_id" {
    type = int
  }
  column "changed" {
    type = timestamp
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_note" {
    columns     = [column.note_id]
    ref_columns = [table.notes.column.id]
    on_delete   = CASCADE
    on_update   = CASCADE
  }
}
`
	// The key cascades, so expand creates it with the table (a
	// restricting one waits for contract: it would fail the previous
	// release's deletes of notes), and the restore after expand has it to
	// check.
	db := testdb.New(t)
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO notes (id) VALUES (1), (2)")
	p.must("db", "expand")
	p.exec("INSERT INTO members (id, note_id, changed) VALUES (1, 1, '2001-02-03 04:05:06'), (2, 2, NULL)")
	const state = "SELECT id, note_id, changed FROM members ORDER BY id"
	before := p.query(state)
	losses, dir := copyOutAndRollBack(t, p)
	if len(losses) != 1 || losses[0].Table != "members" {
		t.Fatalf("losses: %+v", losses)
	}
	p.exec("DELETE FROM notes WHERE id = 2")
	p.must("db", "expand")
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "foreign key constraint fails") {
		t.Fatalf("restore of members, whose note 2 is gone: want the foreign key's refusal: %v\n%s", err, out)
	}
	if got := p.query("SELECT COUNT(*) FROM members WHERE note_id NOT IN (SELECT id FROM notes)"); got != "0" {
		t.Fatalf("the restore left %s orphan member(s)", got)
	}
	// With the parent back, the same file puts every row back as it was
	// (the TIMESTAMP in the zone it was copied out in).
	p.exec("INSERT INTO notes (id) VALUES (2)")
	shellIn(t, dir, losses[0].Restore)
	if after := p.query(state); after != before {
		t.Fatalf("put back:\n%s\nwant\n%s", after, before)
	}
}
