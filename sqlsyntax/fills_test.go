package sqlsyntax

import (
	"reflect"
	"testing"
)

func TestFillsWhereNull(t *testing.T) {
	merged, err := MergeBackfills(
		"UPDATE `images` SET `visibility` = IF(`is_public`, 'public', 'shared') WHERE `visibility` IS NULL",
		"UPDATE `images` SET `slug` = LOWER(`name`) WHERE (`slug` IS NULL)",
		"UPDATE `images` SET `owner` = 'x' WHERE `owner` = ''",
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sql  string
		want map[string]string // column: value
	}{
		{"UPDATE `t` SET `a` = `b` + 1 WHERE `a` IS NULL", map[string]string{"a": "`b` + 1"}},
		{"UPDATE `t` SET `a` = `b` + 1 WHERE (`A` IS NULL)", map[string]string{"a": "`b` + 1"}},
		// Not the rows where the column is NULL: what a rerun writes is not known.
		{"UPDATE `t` SET `a` = 1 WHERE `a` IS NOT NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = 1 WHERE `b` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = 1 WHERE `a` IS NULL AND `b` = 2", map[string]string{}},
		{"UPDATE `t` SET `a` = 1, `b` = 2 WHERE `a` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = CASE WHEN `a` IS NULL THEN 1 ELSE `b` END, `c` = 1 WHERE `a` IS NULL", map[string]string{}},
		{merged, map[string]string{"visibility": "IF(`is_public`, 'public', 'shared')", "slug": "LOWER(`name`)"}},
	} {
		b, err := ReadBackfill(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for col, f := range b.FillsWhereNull() {
			got[col] = f.Value
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.sql, got, c.want)
		}
	}
	b, _ := ReadBackfill(merged)
	if r := b.FillsWhereNull()["visibility"].Reads; !r["is_public"] || len(r) != 1 {
		t.Errorf("visibility's value reads %v, want is_public", r)
	}
}
