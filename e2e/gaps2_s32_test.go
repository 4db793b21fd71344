package e2e

import (
	"context"
	"errors"
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
