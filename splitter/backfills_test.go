package splitter

import (
	"reflect"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestMergeBackfills pins which backfills of a migrate phase become one
// pass: those of one table with the same key, not past a statement on
// that table, and not one the merge refuses.
func TestMergeBackfills(t *testing.T) {
	bf := func(table, key, sql string) Step {
		return Step{Statement: revision.Statement{Rule: "r-" + table, Kind: revision.Backfill, Table: table, Key: key, SQL: sql, Why: "w"}, on: table}
	}
	a := bf("t", "id", "UPDATE `t` SET `a` = 1 WHERE (`a` IS NULL)")
	b := bf("t", "id", "UPDATE `t` SET `b` = 2 WHERE (`b` IS NULL)")
	u := bf("u", "id", "UPDATE `u` SET `c` = 3 WHERE (`c` IS NULL)")
	multi := bf("t", "id", "UPDATE `t` SET `x` = 1, `y` = 2 WHERE (`x` IS NULL)")
	ddlT := Step{Statement: revision.Statement{Kind: revision.DDL, SQL: "ALTER TABLE `t` ADD COLUMN `z` int"}}
	ddlV := Step{Statement: revision.Statement{Kind: revision.DDL, SQL: "ALTER TABLE `v` ADD COLUMN `z` int"}}
	noKey := bf("t", "", "UPDATE `t` SET `b` = 2 WHERE (`b` IS NULL)")
	readsU := bf("t", "id", "UPDATE `t` SET `b` = (SELECT MAX(`c`) FROM `u`) WHERE (`b` IS NULL)")
	intoU := bf("w", "id", "INSERT INTO `u` (`c`) SELECT `x` FROM `w` WHERE (NOT EXISTS (SELECT 1 FROM `u` WHERE `u`.`c` = `w`.`x`))")
	ab := "UPDATE `t` SET `a`=CASE WHEN (`a` IS NULL) THEN 1 ELSE `a` END, `b`=CASE WHEN (`b` IS NULL) THEN 2 ELSE `b` END WHERE (`a` IS NULL) OR (`b` IS NULL)"
	for _, tc := range []struct {
		name string
		in   []Step
		want []string
	}{
		{"two of one table: one pass", []Step{a, b}, []string{ab}},
		{"across another table's backfill and DDL", []Step{a, u, ddlV, b}, []string{ab, u.SQL, ddlV.SQL}},
		{"not past a statement on the table", []Step{a, ddlT, b}, []string{a.SQL, ddlT.SQL, b.SQL}},
		// Order is kept: b is not moved before the one that cannot merge.
		{"a predicate reading a column set before it: a pass of its own", []Step{a, multi, b}, []string{a.SQL, multi.SQL, b.SQL}},
		{"merged before and after it", []Step{a, b, multi}, []string{ab, multi.SQL}},
		{"different keys (one unbatched): apart", []Step{a, noKey}, []string{a.SQL, noKey.SQL}},
		{"one alone is kept as written", []Step{a, u}, []string{a.SQL, u.SQL}},
		// reads u's c, which u's backfill writes between a and it: gathered
		// to a's place it would read u before u is filled.
		{"not past a backfill writing a table it reads", []Step{a, u, readsU}, []string{a.SQL, u.SQL, readsU.SQL}},
		{"not past an insert into a table it reads", []Step{a, intoU, readsU}, []string{a.SQL, intoU.SQL, readsU.SQL}},
	} {
		var got []string
		out := (&Context{}).mergeBackfills(tc.in)
		for _, s := range out {
			got = append(got, s.SQL)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		if tc.name == "two of one table: one pass" && (out[0].Rule != "r-t" || !strings.Contains(out[0].Why, "one pass over t for its 2 backfills")) {
			t.Errorf("merged step: rule %q why %q", out[0].Rule, out[0].Why)
		}
	}
}
