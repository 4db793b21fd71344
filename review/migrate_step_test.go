package review

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// The migrate step counted every backfill as "in primary-key batches",
// those of a table without a single-column primary key too, which run as
// one statement holding their row locks to the end; and the lock of an
// unbatched data migration (INSERT ... SELECT) spoke of "the UPDATE".
func TestMigrateStepTellsUnbatchedBackfills(t *testing.T) {
	target := project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	update := revision.Statement{Kind: revision.Backfill, Table: "t", Key: "id", SQL: "UPDATE t SET a = b WHERE a IS NULL"}
	keyless := revision.Statement{Kind: revision.Backfill, Table: "k", SQL: "UPDATE k SET a = b WHERE a IS NULL"}
	insert := revision.Statement{Kind: revision.Backfill, Table: "old", SQL: "INSERT INTO new (id, v) SELECT id, v FROM old WHERE NOT EXISTS (SELECT 1 FROM new WHERE new.id = old.id)"}
	if l := LockOf(target, insert, nil); !l.Unbatched || !strings.Contains(l.Detail, "every row the INSERT ... SELECT reads from old and every row it inserts into new") {
		t.Errorf("unbatched INSERT ... SELECT: %+v", l)
	}
	if l := LockOf(target, keyless, nil); !l.Unbatched || !strings.Contains(l.Detail, "every row the UPDATE reads") {
		t.Errorf("unbatched UPDATE: %+v", l)
	}
	step := func(sts ...revision.Statement) string {
		rev := &Revision{ID: "two_migrate01", Phase: "migrate"}
		for _, st := range sts {
			rev.Statements = append(rev.Statements, &Statement{Kind: "backfill", Lock: LockOf(target, st, nil)})
		}
		for _, s := range order(&Release{Name: "two", Previous: "one", Revisions: []*Revision{rev}}) {
			if s.Command == "emcee db migrate" {
				return s.Text
			}
		}
		t.Fatal("no migrate step")
		return ""
	}
	for _, c := range []struct {
		got, want string
	}{
		{step(update, update), "two_migrate01: 2 backfills in primary-key batches, while both releases run."},
		{step(update, keyless), "two_migrate01: 1 backfill in primary-key batches, 1 backfill not batched (no single-column primary key to batch on: it holds its row locks until it ends), while both releases run."},
		{step(keyless, insert), "two_migrate01: 2 backfills not batched (no single-column primary key to batch on: each holds its row locks until it ends), while both releases run."},
	} {
		if c.got != c.want {
			t.Errorf("got  %s\nwant %s", c.got, c.want)
		}
	}
}
