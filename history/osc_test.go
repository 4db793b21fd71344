package history

import (
	"context"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/revision"
)

// A version table an older emcee created has no osc column: Load reads it
// as it is, Ensure adds the column, and the tool of each statement is then
// recorded and read back.
func TestOSCColumnAddedToOldTable(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	old := strings.Replace(createTable, "  "+oscColumn+",\n", "", 1)
	if old == createTable {
		t.Fatal("the test no longer builds the old version table")
	}
	if _, err := db.ExecContext(ctx, old); err != nil {
		t.Fatal(err)
	}
	rev := &revision.Revision{ID: revision.ID{Release: "train", Phase: revision.Contract, Seq: 1}, Checksum: "h1:x", Statements: make([]revision.Statement, 2)}
	r, err := Start(ctx, db, rev, "test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Load(ctx, db)
	if err != nil || rs[r.Name] == nil || rs[r.Name].OSC != nil {
		t.Fatalf("loading the old table: %v %+v", err, rs)
	}
	for range 2 { // Ensure is idempotent
		if err := Ensure(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	if err := OSCStarted(ctx, db, r, OSCRun{OSCStatement: OSCStatement{Statement: 2, Tool: "pt-online-schema-change 3.2.1"}, Table: "t", Triggers: []OSCTrigger{{Name: "x", SQL: "CREATE TRIGGER x"}}}); err != nil {
		t.Fatal(err)
	}
	rs, _ = Load(ctx, db)
	if got := rs[r.Name].OSC; got == nil || got.Running == nil || got.Running.Table != "t" || got.Running.Triggers[0].SQL != "CREATE TRIGGER x" {
		t.Fatalf("running statement not read back: %+v", got)
	}
	if err := OSCFinished(ctx, db, r); err != nil {
		t.Fatal(err)
	}
	rs, _ = Load(ctx, db)
	if got := rs[r.Name]; got.ToolOf(2) != "pt-online-schema-change 3.2.1" || got.ToolOf(1) != "" || got.OSC.Running != nil {
		t.Fatalf("tool of statement 2 not recorded: %+v", got.OSC)
	}
}

// A version table from before backfill_base is read without it, and Ensure
// adds it: a backfill started after counts its own rows apart from the
// revision's earlier backfills.
func TestBackfillBaseAddedToOldTable(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	old := strings.Replace(createTable, "  "+baseColumn+",\n", "", 1)
	if old == createTable {
		t.Fatal("the test no longer builds the old version table")
	}
	if _, err := db.ExecContext(ctx, old); err != nil {
		t.Fatal(err)
	}
	rev := &revision.Revision{ID: revision.ID{Release: "train", Phase: revision.Migrate, Seq: 1}, Checksum: "h1:x", Statements: make([]revision.Statement, 2)}
	r, err := Start(ctx, db, rev, "test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if err := BackfillProgress(ctx, db, r, "30", 30); err != nil {
		t.Fatal(err)
	}
	if rs, err := Load(ctx, db); err != nil || rs[r.Name].RowsDone != 30 {
		t.Fatalf("loading the old table: %v %+v", err, rs)
	}
	if err := Ensure(ctx, db); err != nil {
		t.Fatal(err)
	}
	r.RowsDone = 30
	if err := Applied(ctx, db, r); err != nil {
		t.Fatal(err)
	}
	if err := BackfillBound(ctx, db, r, "40"); err != nil {
		t.Fatal(err)
	}
	if err := BackfillProgress(ctx, db, r, "20", 20); err != nil {
		t.Fatal(err)
	}
	rs, _ := Load(ctx, db)
	if got := rs[r.Name]; got.RowsDone != 50 || got.BackfillRows() != 20 {
		t.Fatalf("after 30 rows of one backfill and 20 of the next: rows_done %d, the backfill's own %d; want 50, 20", got.RowsDone, got.BackfillRows())
	}
}
