package sqlsyntax

import (
	"reflect"
	"testing"
)

func TestRefills(t *testing.T) {
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
		want map[string]string // column: value, then the rows it is written in
	}{
		{"UPDATE `t` SET `a` = `b` + 1 WHERE `a` IS NULL", map[string]string{"a": "`b` + 1 WHERE DEFAULT(`a`) IS NULL"}},
		{"UPDATE `t` SET `a` = `b` + 1 WHERE (`A` IS NULL)", map[string]string{"a": "`b` + 1 WHERE (DEFAULT(`a`) IS NULL)"}},
		// A data migration: the rows its predicate selects once the
		// column is back at its default (Apollo 2.0's DeletedAt).
		{"UPDATE `App` SET `DeletedAt` = -`Id` WHERE (`IsDeleted` = 1 AND `DeletedAt` = 0)", map[string]string{"deletedat": "-`Id` WHERE (`IsDeleted` = 1 AND DEFAULT(`DeletedAt`) = 0)"}},
		{"UPDATE `t` SET `a` = `a` + 1 WHERE `b` IS NULL", map[string]string{"a": "DEFAULT(`a`) + 1 WHERE `b` IS NULL"}},
		// The column read in a subquery may be another table's.
		{"UPDATE `t` SET `a` = 1 WHERE `b` IN (SELECT `a` FROM `u`)", map[string]string{}},
		// Several assignments none of whose values reads a column the
		// statement sets (LimeSurvey 1.92's admin notification texts):
		// each with all of them at their defaults (Fill.Assigns).
		{"UPDATE `t` SET `a` = 1, `b` = 2 WHERE `a` IS NULL", map[string]string{"a": "1 WHERE DEFAULT(`a`) IS NULL", "b": "2 WHERE DEFAULT(`a`) IS NULL"}},
		// Several assignments, one reading another's value, which the
		// server computes left to right (LimeSurvey 1.92's
		// emailnotificationto, computed from the adminemail the next
		// assignment rewrites): none.
		{"UPDATE `t` SET `b` = CONCAT(`a`, ';'), `a` = SUBSTRING_INDEX(`a`, ';', 1) WHERE `b` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = 1, `b` = `a` + 1 WHERE `a` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = CASE WHEN `a` IS NULL THEN 1 ELSE `b` END, `c` = 1 WHERE `a` IS NULL", map[string]string{}},
		// Computed again later, the value is not the one written.
		{"UPDATE `t` SET `a` = UTC_DATE() WHERE `a` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = CURRENT_TIMESTAMP WHERE `a` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = 1 WHERE `a` IS NULL AND RAND() < 0.5", map[string]string{}},
		{"UPDATE `t` SET `a` = NEXT VALUE FOR `s` WHERE `a` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = UNIX_TIMESTAMP() WHERE `a` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = @n WHERE `a` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = `f`(`b`) WHERE `a` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = `d`.`lower`(`b`) WHERE `a` IS NULL", map[string]string{}},
		{"UPDATE `t` SET `a` = UNIX_TIMESTAMP(`b`) WHERE `a` IS NULL", map[string]string{"a": "UNIX_TIMESTAMP(`b`) WHERE DEFAULT(`a`) IS NULL"}},
		{"UPDATE `t` SET `a` = DATE '2024-01-01' WHERE `a` IS NULL", map[string]string{"a": "DATE '2024-01-01' WHERE DEFAULT(`a`) IS NULL"}},
		// The column qualified by its table's name or alias is the column.
		{"UPDATE `t` SET `a` = GREATEST(`t`.`a`, 5) WHERE `b` = 1", map[string]string{"a": "GREATEST(DEFAULT(`a`), 5) WHERE `b` = 1"}},
		{"UPDATE `t` AS `x` SET `a` = 5 WHERE `x`.`a` = 0", map[string]string{"a": "5 WHERE DEFAULT(`a`) = 0"}},
		// The WHERE keeps the CASEs to the rows of one region.
		{"UPDATE `t` SET `a` = CASE WHEN `a` = 0 THEN 5 ELSE `a` END, `b` = CASE WHEN `b` = 0 THEN 6 ELSE `b` END WHERE `r` = 'eu'", map[string]string{}},
		{merged, map[string]string{
			"visibility": "IF(`is_public`, 'public', 'shared') WHERE (DEFAULT(`visibility`) IS NULL)",
			"slug":       "LOWER(`name`) WHERE (DEFAULT(`slug`) IS NULL)",
			"owner":      "'x' WHERE (DEFAULT(`owner`) = '')",
		}},
	} {
		b, err := ReadBackfill(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for col, f := range Refills(b) {
			if f != nil {
				got[col] = f.Value + " WHERE " + f.When
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.sql, got, c.want)
		}
	}
	// A column set twice in one pass, as merged backfills of one column
	// write it, or by two passes: what the second leaves, reading the
	// column as the first left it (counted against neither alone, every
	// row the other wrote read as the new release's data).
	twice, err := MergeBackfills("UPDATE `t` SET `c` = 0 WHERE `c` IS NULL", "UPDATE `t` SET `c` = IFNULL(`c`, 7), `f` = 1 WHERE `r` = 'eu' AND `f` = 0")
	if err != nil {
		t.Fatal(err)
	}
	const first = "CASE WHEN (DEFAULT(`c`) IS NULL) THEN 0 ELSE DEFAULT(`c`) END"
	for _, c := range []struct {
		sqls []string
		want string
	}{
		{[]string{twice}, "CASE WHEN (`r` = 'eu' AND `f` = 0) THEN IFNULL(" + first + ", 7) ELSE " + first + " END WHERE (DEFAULT(`c`) IS NULL) OR (`r` = 'eu' AND `f` = 0)"},
		{[]string{"UPDATE `t` SET `c` = 0 WHERE (`c` IS NULL)", "UPDATE `t` SET `c` = `b` WHERE (`b` > 5 AND `c` = 0)"},
			"CASE WHEN (`b` > 5 AND " + first + " = 0) THEN `b` ELSE " + first + " END WHERE (DEFAULT(`c`) IS NULL) OR (`b` > 5 AND " + first + " = 0)"},
	} {
		var bs []*Backfill
		for _, sql := range c.sqls {
			b, err := ReadBackfill(sql)
			if err != nil {
				t.Fatal(err)
			}
			bs = append(bs, b)
		}
		if f := Refills(bs...)["c"]; f == nil || f.Value+" WHERE "+f.When != c.want || !reflect.DeepEqual(f.Assigns, []string{"c"}) {
			t.Errorf("%v: c's refill is %+v, want %s", c.sqls, f, c.want)
		}
	}
	// What a backfill sets but cannot be told is there as nil, for
	// another backfill's fill of the column not to count alone.
	for _, sqls := range [][]string{
		{"UPDATE `t` SET `a` = 1, `b` = `a` + 1 WHERE `a` IS NULL"},
		{"UPDATE `t` SET `a` = 1 WHERE `a` IS NULL", "UPDATE `t` SET `b` = RAND(), `a` = 2 WHERE `b` IS NULL", "UPDATE `t` SET `a` = 3, `b` = 1 WHERE `a` = 2"},
	} {
		var bs []*Backfill
		for _, sql := range sqls {
			b, err := ReadBackfill(sql)
			if err != nil {
				t.Fatal(err)
			}
			bs = append(bs, b)
		}
		fills := Refills(bs...)
		for _, col := range []string{"a", "b"} {
			if f, ok := fills[col]; !ok || f != nil {
				t.Errorf("%v: %s is %v (there: %v), want nil", sqls, col, f, ok)
			}
		}
	}
	b, _ := ReadBackfill("UPDATE `t` SET `a` = 1, `b` = 2 WHERE `a` IS NULL")
	if f := Refills(b)["b"]; f == nil || !reflect.DeepEqual(f.Assigns, []string{"a", "b"}) {
		t.Errorf("b's refill takes %v at their defaults, want a and b", f)
	}
	b, _ = ReadBackfill(merged)
	if r := Refills(b)["visibility"].Reads; !r["is_public"] || len(r) != 1 {
		t.Errorf("visibility's value reads %v, want is_public", r)
	}
	b, _ = ReadBackfill("UPDATE `App` SET `DeletedAt` = -`Id` WHERE (`IsDeleted` = 1 AND `DeletedAt` = 0)")
	if r := Refills(b)["deletedat"].Reads; !reflect.DeepEqual(r, map[string]bool{"id": true, "isdeleted": true}) {
		t.Errorf("DeletedAt's refill reads %v, want Id and IsDeleted", r)
	}
}
