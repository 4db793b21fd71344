package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/revision"
)

func rec(name string, done bool) *Record {
	id, err := revision.ParseID(name)
	if err != nil {
		panic(err)
	}
	r := &Record{Name: name, ID: id}
	if done {
		r.FinishedAt = sql.NullTime{Time: time.Now(), Valid: true}
	}
	return r
}

func records(rs ...*Record) Records {
	out := Records{}
	for _, r := range rs {
		out[r.Name] = r
	}
	return out
}

// The progression of the seeds' table: the expand part moves first, the
// contract part once the release is finished; a half-applied revision
// does not count.
func TestVersion(t *testing.T) {
	releases := []string{"ocata", "pike"}
	for _, c := range []struct {
		rs   Records
		want string
	}{
		{records(), "none"},
		{records(rec("ocata_expand01", false)), "none"},
		{records(rec("ocata_expand01", true)), "ocata_expand01"},
		{records(rec("ocata_expand01", true), rec("ocata_migrate01", true), rec("ocata_contract01", true)), "ocata_expand01, ocata_contract01"},
		{records(rec("ocata_expand01", true), rec("ocata_contract01", true), rec("pike_expand01", true), rec("pike_expand02", false)), "pike_expand01, ocata_contract01"},
		{records(rec("ocata_contract01", true), rec("pike_expand01", true), rec("pike_expand02", true), rec("pike_migrate01", true), rec("pike_contract01", true)), "pike_expand02, pike_contract01"},
		{records(rec("ocata_contract01", true), rec("queens_expand01", true)), "queens_expand01, ocata_contract01"},
	} {
		if got := c.rs.Version(releases); got != c.want {
			t.Errorf("Version = %q, want %q", got, c.want)
		}
	}
}

// An expand undone by its rollback revision no longer counts: the version
// walks back with the rollback, one revision at a time.
func TestVersionDuringRollback(t *testing.T) {
	releases := []string{"ocata", "pike"}
	base := []*Record{rec("ocata_expand01", true), rec("ocata_contract01", true), rec("pike_expand01", true), rec("pike_expand02", true)}
	for _, c := range []struct {
		more []*Record
		want string
	}{
		{nil, "pike_expand02, ocata_contract01"},
		{[]*Record{rec("pike_rollback02", false)}, "pike_expand02, ocata_contract01"},
		{[]*Record{rec("pike_rollback02", true)}, "pike_expand01, ocata_contract01"},
		{[]*Record{rec("pike_rollback02", true), rec("pike_rollback01", true)}, "ocata_expand01, ocata_contract01"},
	} {
		if got := records(append(slices.Clone(base), c.more...)...).Version(releases); got != c.want {
			t.Errorf("%v: Version = %q, want %q", c.more, got, c.want)
		}
	}
	// A release's rollback lists after its other phases, newest first, as
	// it runs.
	var names []string
	for _, r := range records(append(slices.Clone(base), rec("pike_rollback01", false), rec("pike_rollback02", true), rec("pike_migrate01", true))...).Sorted(releases) {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, " "); got != "ocata_expand01 ocata_contract01 pike_expand01 pike_expand02 pike_migrate01 pike_rollback02 pike_rollback01" {
		t.Errorf("Sorted: %s", got)
	}
}

// A version table created before rollback existed keeps working: read
// without the lock (status, version) it holds only records in force, and
// Ensure gives it the rollback columns and key with its rows in force. A
// rolled-back record then stays beside the record of the same revision run
// again, and nothing that moves records by name touches it.
func TestRolledBackRecordsStay(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	old := strings.Replace(strings.Replace(createTable, "  `rolled_back` int NOT NULL DEFAULT 0 COMMENT '0: in force; n: undone by the n-th rollback of its release',\n  `rolled_back_at` datetime(6) NULL,\n", "", 1), "PRIMARY KEY (`name`, `rolled_back`)", "PRIMARY KEY (`name`)", 1)
	if old == createTable || strings.Contains(old, "rolled_back") {
		t.Fatal("could not write the table of earlier versions")
	}
	if _, err := conn.ExecContext(ctx, old); err != nil {
		t.Fatal(err)
	}
	rev := func(name string) *revision.Revision {
		id, _ := revision.ParseID(name)
		return &revision.Revision{ID: id, Checksum: "h1:" + name, Statements: make([]revision.Statement, 2)}
	}
	if err := Baseline(ctx, conn, []*revision.Revision{rev("ocata_expand01")}, "t", "old"); err != nil {
		t.Fatal(err)
	}
	rs, err := Load(ctx, conn)
	if err != nil || len(rs) != 1 || !rs["ocata_expand01"].Done() {
		t.Fatalf("old table: %v %v", rs, err)
	}
	if list, err := RolledBackRecords(ctx, conn, nil); err != nil || len(list) != 0 {
		t.Fatalf("old table, rolled back: %v %v", list, err)
	}
	if err := Ensure(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if err := Ensure(ctx, conn); err != nil { // twice: already up to date
		t.Fatal(err)
	}
	first, err := Start(ctx, conn, rev("pike_expand01"), "t", "new")
	if err != nil {
		t.Fatal(err)
	}
	if err := Finish(ctx, conn, first); err != nil {
		t.Fatal(err)
	}
	n, err := RollBack(ctx, conn, "pike")
	if err != nil || n != 1 {
		t.Fatalf("RollBack = %d, %v", n, err)
	}
	again, err := Start(ctx, conn, rev("pike_expand01"), "t", "new")
	if err != nil {
		t.Fatalf("the revision cannot run again after its rollback: %v", err)
	}
	if err := Applied(ctx, conn, again); err != nil {
		t.Fatal(err)
	}
	if err := Forget(ctx, conn, "pike_expand01"); err != nil {
		t.Fatal(err)
	}
	if n, err := RollBack(ctx, conn, "pike"); err != nil || n != 2 {
		t.Fatalf("second RollBack = %d, %v", n, err)
	}
	rs, err = Load(ctx, conn)
	if err != nil || len(rs) != 1 || rs["ocata_expand01"] == nil {
		t.Fatalf("in force: %v %v", rs, err)
	}
	list, err := RolledBackRecords(ctx, conn, []string{"ocata", "pike"})
	if err != nil || len(list) != 1 {
		t.Fatalf("rolled back: %v %v", list, err)
	}
	if r := list[0]; r.Name != "pike_expand01" || r.RolledBack != 1 || !r.Done() || r.Applied != 2 || r.State() != "rolled back" || !r.RolledBackAt.Valid {
		t.Fatalf("the rolled-back record changed: %+v", r)
	}
}

// A record edited to rolled_back < 0 was neither in force nor undone: left
// out of both, its revision looked never applied, and the applier said
// its script was new in a release the database had finished.
func TestNegativeRolledBackIsRefused(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	if err := Ensure(ctx, db); err != nil {
		t.Fatal(err)
	}
	id, _ := revision.ParseID("ocata_expand01")
	if err := Baseline(ctx, db, []*revision.Revision{{ID: id, Checksum: "h1:x", Statements: make([]revision.Statement, 1)}}, "t", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "UPDATE emcee_revisions SET rolled_back = -3"); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, db); err == nil || !strings.Contains(err.Error(), "row ocata_expand01: rolled_back = -3 is negative") {
		t.Fatalf("got %v", err)
	}
}

// A record names its revision twice: name, and release_name, phase and
// seq. emcee reads the first and a rollback marks records by the second,
// so a row whose two disagree (edited by hand) was left in force by the
// rollback of its release: pike_expand01 stayed applied on a schema rolled
// back to ocata, and the next expand skipped it. emcee never writes such a
// row; it is refused.
func TestRecordNamedTwoWaysIsRefused(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	if err := Ensure(ctx, db); err != nil {
		t.Fatal(err)
	}
	id, _ := revision.ParseID("pike_expand01")
	if err := Baseline(ctx, db, []*revision.Revision{{ID: id, Checksum: "h1:x", Statements: make([]revision.Statement, 1)}}, "t", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	for _, edit := range []string{"release_name = 'ocata'", "phase = 'contract'", "seq = 2"} {
		if _, err := db.ExecContext(ctx, "UPDATE emcee_revisions SET "+edit); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(ctx, db); err == nil || !strings.Contains(err.Error(), "row pike_expand01") || !strings.Contains(err.Error(), "edited by hand") {
			t.Errorf("%s: got %v", edit, err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE emcee_revisions SET release_name = 'pike', phase = 'expand', seq = 1"); err != nil {
			t.Fatal(err)
		}
	}
}

// The backfill key columns of a version table an older emcee created are
// varchar(255): a BINARY(16) key (no text) and a key longer than 255
// characters were refused there on the first batch of every migrate run.
// Ensure widens them, keeping what they hold; then any key is recorded and
// read back byte for byte.
func TestResumeColumnsHoldAnyKey(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	old := strings.Replace(strings.Replace(createTable, resumeColumns[0], "`resume_key` varchar(255) NULL", 1), resumeColumns[1], "`resume_bound` varchar(255) NULL", 1)
	if old == createTable {
		t.Fatal("the test no longer builds the old version table")
	}
	if _, err := db.ExecContext(ctx, old); err != nil {
		t.Fatal(err)
	}
	rev := &revision.Revision{ID: revision.ID{Release: "pike", Phase: revision.Migrate, Seq: 1}, Checksum: "h1:x", Statements: make([]revision.Statement, 1)}
	r, err := Start(ctx, db, rev, "test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if err := BackfillBound(ctx, db, r, "café 42"); err != nil {
		t.Fatal(err)
	}
	binary := "\xf7\x17qc\xc8\x33\x00\xff"
	if err := BackfillBound(ctx, db, r, binary); err == nil {
		t.Fatal("the old table took a binary key: the test no longer shows what it fixes")
	}
	for range 2 { // Ensure is idempotent
		if err := Ensure(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := Load(ctx, db)
	if err != nil || rs[r.Name].ResumeBound.String != "café 42" {
		t.Fatalf("the bound recorded in the old table was not kept: %v %+v", err, rs[r.Name])
	}
	long := strings.Repeat("日本", 300)
	for _, key := range []string{binary, long} {
		if err := BackfillBound(ctx, db, r, key); err != nil {
			t.Fatalf("bound %q: %v", key, err)
		}
		if err := BackfillProgress(ctx, db, r, key, 1); err != nil {
			t.Fatalf("key %q: %v", key, err)
		}
		rs, err := Load(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if got := rs[r.Name]; got.ResumeKey.String != key || got.ResumeBound.String != key {
			t.Fatalf("recorded %q, read back key %q bound %q", key, got.ResumeKey.String, got.ResumeBound.String)
		}
	}
}

// A binary key is printed as the server's 0x literal, text as it is.
func TestShowKey(t *testing.T) {
	for in, want := range map[string]string{"42": "42", "café": "café", "\xf7\x17q\x00": "0xF7177100"} {
		if got := ShowKey(in); got != want {
			t.Errorf("ShowKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// A failed statement longer than its TEXT column (a plan's INSERT of many
// rows, a long trigger) made the strict server refuse the UPDATE of Fail:
// the record stayed "in flight" without the error. Both are cut to fit,
// on whole characters, saying how long they were.
func TestFailRecordsALongStatement(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET NAMES utf8mb4, SESSION sql_mode = 'STRICT_TRANS_TABLES'"); err != nil {
		t.Fatal(err)
	}
	if err := Ensure(ctx, conn); err != nil {
		t.Fatal(err)
	}
	rev := &revision.Revision{ID: revision.ID{Release: "pike", Phase: revision.Migrate, Seq: 1}, Checksum: "h1:x", Statements: make([]revision.Statement, 1)}
	r, err := Start(ctx, conn, rev, "test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if err := Sending(ctx, conn, r, ""); err != nil {
		t.Fatal(err)
	}
	stmt := "INSERT INTO t VALUES " + strings.Repeat("('日本'),", 10000) + "('x')"
	if err := Fail(ctx, conn, r, errors.New("boom: "+stmt), stmt); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	rs, err := Load(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	got := rs[r.Name]
	if got.InFlight || !strings.HasPrefix(got.Error, "boom: INSERT") || !strings.HasPrefix(got.FailedStatement, "INSERT INTO t VALUES ('日本'),") {
		t.Fatalf("record after Fail: in flight %v, error %.40q, statement %.40q", got.InFlight, got.Error, got.FailedStatement)
	}
	for _, v := range []string{got.Error, got.FailedStatement} {
		if len(v) > textBytes || !utf8.ValidString(v) || !strings.HasSuffix(v, " bytes in all]") {
			t.Errorf("recorded %d bytes, valid UTF-8 %v, ending %q", len(v), utf8.ValidString(v), v[max(0, len(v)-40):])
		}
	}
	if !strings.HasSuffix(got.FailedStatement, fmt.Sprintf("[cut: %d bytes in all]", len(stmt))) {
		t.Errorf("the statement does not say how long it was: %q", got.FailedStatement[len(got.FailedStatement)-40:])
	}
}

// A failed drop-again of a foreign key was recorded in two writes (Fail,
// then Sending): a run stopping between them left the record not in
// flight. FailSent writes the error, the undo and in flight at once.
func TestFailSentKeepsTheUndoInFlight(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := Ensure(ctx, conn); err != nil {
		t.Fatal(err)
	}
	rev := &revision.Revision{ID: revision.ID{Release: "pike", Phase: revision.Contract, Seq: 1}, Checksum: "h1:x", Statements: make([]revision.Statement, 1)}
	r, err := Start(ctx, conn, rev, "test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	undo := "ALTER TABLE `c` DROP FOREIGN KEY `fk`"
	if err := FailSent(ctx, conn, r, errors.New("boom"), undo); err != nil {
		t.Fatal(err)
	}
	rs, err := Load(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if got := rs[r.Name]; !got.InFlight || got.Error != "boom" || got.FailedStatement != undo || got.Applied != 0 {
		t.Fatalf("record after FailSent: in flight %v, applied %d, error %q, statement %q", got.InFlight, got.Applied, got.Error, got.FailedStatement)
	}
}
