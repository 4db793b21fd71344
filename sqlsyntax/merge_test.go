package sqlsyntax

import (
	"strings"
	"testing"
)

// Merged backfills set each column under its own pending predicate, and
// select the rows any of them selects; what cannot be merged is refused.
func TestMergeBackfills(t *testing.T) {
	got, err := MergeBackfills(
		"UPDATE `images` SET `visibility` = (COALESCE(CASE WHEN `is_public` THEN 'public' ELSE 'shared' END, 'shared')) WHERE (`visibility` IS NULL)",
		"UPDATE `images` SET `slug` = (LOWER(REPLACE(`name`, ' ', '-'))) WHERE (`slug` IS NULL)",
		"UPDATE images SET owner = DEFAULT WHERE owner = 'x' OR owner IS NULL",
	)
	want := "UPDATE `images` SET `visibility`=CASE WHEN (`visibility` IS NULL) THEN (COALESCE(CASE WHEN `is_public` THEN 'public' ELSE 'shared' END, 'shared')) ELSE `visibility` END, " +
		"`slug`=CASE WHEN (`slug` IS NULL) THEN (LOWER(REPLACE(`name`, ' ', '-'))) ELSE `slug` END, " +
		"`owner`=CASE WHEN (`owner` = 'x' OR `owner` IS NULL) THEN DEFAULT(`owner`) ELSE `owner` END " +
		"WHERE (`visibility` IS NULL) OR (`slug` IS NULL) OR (`owner` = 'x' OR `owner` IS NULL)"
	if err != nil || got != want {
		t.Fatalf("got  %s (%v)\nwant %s", got, err, want)
	}
	// What it writes is a backfill again, batched like any other.
	b, err := ReadBackfill(got)
	if err != nil || b.Table != "images" || !strings.HasSuffix(b.Batch("id", false, true), "WHERE ((`visibility` IS NULL) OR (`slug` IS NULL) OR (`owner` = 'x' OR `owner` IS NULL)) AND `id` > ? AND `id` <= ?") {
		t.Fatalf("merged backfill does not read back: %v %v", b, err)
	}
	// Names are written back quoted from the tree, whatever they hold.
	got, err = MergeBackfills("UPDATE `t` SET `a``) OR (1` = 1 WHERE `a``) OR (1` IS NULL", "UPDATE `t` SET `b` = 'x'' OR 1' WHERE `b` IS NULL")
	if err != nil || got != "UPDATE `t` SET `a``) OR (1`=CASE WHEN (`a``) OR (1` IS NULL) THEN 1 ELSE `a``) OR (1` END, `b`=CASE WHEN (`b` IS NULL) THEN 'x'' OR 1' ELSE `b` END WHERE (`a``) OR (1` IS NULL) OR (`b` IS NULL)" {
		t.Errorf("hostile names: %s (%v)", got, err)
	}
	// One backfill setting several columns is merged when its predicate
	// reads none it sets before its last assignment.
	if _, err := MergeBackfills("UPDATE t SET a = 1, b = 2 WHERE b IS NULL", "UPDATE t SET c = 3 WHERE c IS NULL"); err != nil {
		t.Errorf("predicate on the last column: %v", err)
	}
	for msg, sqls := range map[string][]string{
		"its pending predicate reads it": {"UPDATE t SET a = 1, b = 2 WHERE a IS NULL", "UPDATE t SET c = 3 WHERE c IS NULL"},
		"only one table's backfills":     {"UPDATE t SET a = 1 WHERE a IS NULL", "UPDATE u SET a = 1 WHERE a IS NULL"},
		"alias":                          {"UPDATE t AS x SET a = 1 WHERE x.a IS NULL", "UPDATE t SET b = 1 WHERE b IS NULL"},
		"IGNORE":                         {"UPDATE t SET a = 1 WHERE a IS NULL", "UPDATE IGNORE t SET b = 1 WHERE b IS NULL"},
		"qualified column":               {"UPDATE t SET t.a = 1 WHERE a IS NULL", "UPDATE t SET b = 1 WHERE b IS NULL"},
		"needs a WHERE":                  {"UPDATE t SET a = 1 WHERE a IS NULL", "UPDATE t SET b = 1"},
		// MariaDB assigns an UPDATE reading its own table from the row as
		// it was: the second would see position NULL, and leave it so.
		"reads `t` in a subquery": {"UPDATE t SET position = 0 WHERE position IS NULL", "UPDATE t SET position = (SELECT COUNT(*) FROM t AS o WHERE o.id < t.id) WHERE position <> (SELECT COUNT(*) FROM t AS o WHERE o.id < t.id)"},
	} {
		if _, err := MergeBackfills(sqls...); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want an error saying %q", sqls, err, msg)
		}
	}
}
