package e2e

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// A unique key on a column the release renames (renamed_from name ->
// title, ux_name on name -> ux_title on title): contract dropped ux_name
// with the column and added ux_title in a second ALTER, after the copy
// triggers were gone. In between nothing refused a duplicate title the
// new release wrote, and the ADD failed half-way through contract, its
// gate passed. The new key is added in the ALTER that drops the old one,
// before the triggers go: while they copy title to name, ux_name refuses
// the duplicate, so the new release's duplicate insert fails throughout
// and contract completes.
func TestS32RenamedUniqueColumnKeyEnforcedThroughContract(t *testing.T) {
	t.Parallel()
	before := replaceOnce(replaceOnce(imagesV1, "  column \"name\" {\n    type = varchar(30)\n  }\n", "  column \"name\" {\n    type = varchar(30)\n    null = true\n  }\n"),
		"  index \"ix_name\" {\n    columns = [column.name]\n  }\n", "  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n")
	after := replaceOnce(replaceOnce(before, "  column \"name\" {\n    type = varchar(30)\n    null = true\n  }\n", "  column \"title\" {\n    type         = varchar(30)\n    null         = true\n    renamed_from = \"name\"\n  }\n"),
		"  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n", "  index \"ux_title\" {\n    unique  = true\n    columns = [column.title]\n  }\n")
	r := newRuleProject(t, before, after)
	r.usesRules([]string{"rename-column", "drop-index", "add-unique-index"})
	r.must("before")
	if _, err := r.db.Exec("INSERT INTO images (name, kind, note) VALUES ('one', 'a', 'x')"); err != nil {
		t.Fatal(err)
	}
	r.must("expand")
	r.must("migrate")
	// Rows enough that building ux_title takes the server a moment, as
	// the new release writes them (both names, as its triggers would).
	if _, err := r.db.Exec("INSERT INTO images (name, title, kind, note) SELECT CONCAT('r', seq), CONCAT('r', seq), 'a', 'x' FROM seq_1_to_200000"); err != nil {
		t.Fatal(err)
	}
	// The new release writes a duplicate title all through contract.
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var accepted, refused atomic.Int64
	var other atomic.Value
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			_, err := r.db.ExecContext(ctx, "INSERT INTO images (title, kind, note) VALUES ('one', 'b', 'dup')")
			var me *mysql.MySQLError
			switch {
			case err == nil:
				accepted.Add(1)
			case errors.As(err, &me) && me.Number == 1062:
				refused.Add(1)
			case ctx.Err() == nil:
				other.Store(err.Error())
			}
		}
	}()
	_, err := r.apply("contract")
	stop()
	wg.Wait()
	if err != nil {
		t.Fatalf("contract failed while the new release wrote a duplicate title (%d accepted, %d refused): %v", accepted.Load(), refused.Load(), err)
	}
	if e := other.Load(); e != nil {
		t.Fatalf("the writer's insert failed otherwise than on the key: %v", e)
	}
	if accepted.Load() != 0 || refused.Load() == 0 {
		t.Fatalf("duplicate inserts: %d accepted, %d refused; want none accepted", accepted.Load(), refused.Load())
	}
	if got := rows(t, r.db.DB, "SELECT COUNT(*) FROM images WHERE title = 'one'"); got != "1" {
		t.Fatalf("rows titled one: %s", got)
	}
	if got := rows(t, r.db.DB, "SELECT GROUP_CONCAT(INDEX_NAME, ':', COLUMN_NAME, ':', NON_UNIQUE) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND INDEX_NAME <> 'PRIMARY'"); got != "ux_title:title:0" {
		t.Fatalf("indexes after contract: %s", got)
	}
}

// A release with no trigger, backfill or gate whose expand the server
// refuses half-way (a foreign key from an int column to a bigint key:
// errno 150): the preflight built expand in the dev database only for
// releases with triggers, backfills or gates, so expand created parents on
// the live database and then failed on kids. Every expand is built in the
// dev database first now, and the failing statement refuses the run
// before anything changes.
func TestS32ExpandBuiltInTheDevDatabaseWithoutTriggers(t *testing.T) {
	t.Parallel()
	after := imagesV1 + `
table "parents" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  primary_key {
    columns = [column.id]
  }
}
table "kids" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "parent_id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_kid_parent" {
    columns     = [column.parent_id]
    ref_columns = [table.parents.column.id]
  }
}
`
	r := newRuleProject(t, imagesV1, after)
	r.must("before")
	_, err := r.apply("expand")
	if err == nil {
		t.Fatal("expand of a foreign key the server refuses succeeded")
	}
	for _, want := range []string{"preflight: ", "plans/after/after_expand01.sql:8, nothing was changed: after_expand01 fails when after's expand is built in dev database", "errno: 150", "fix the release's schema and re-plan"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal lacks %q:\n%v", want, err)
		}
	}
	if got := rows(t, r.db.DB, "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); got != "emcee_revisions,images" {
		t.Fatalf("tables after the refused expand: %s", got)
	}
	if got := rows(t, r.db.DB, "SELECT COUNT(*) FROM emcee_revisions WHERE name LIKE 'after%'"); got != "0" {
		t.Fatalf("records of after's revisions: %s", got)
	}
}
