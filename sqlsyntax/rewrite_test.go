package sqlsyntax

import (
	"strings"
	"testing"
)

func TestReadRewrite(t *testing.T) {
	for _, tc := range []struct{ in, table, pending, after string }{
		{
			in:    "UPDATE `images` SET `visibility` = CASE WHEN `is_public` THEN 'public' WHEN NOT `is_public` THEN 'shared' END WHERE `visibility` IS NULL",
			table: "images", pending: "`visibility` IS NULL",
			after: "(CASE WHEN `is_public` THEN 'public' WHEN NOT `is_public` THEN 'shared' END) IS NULL",
		},
		{ // left to right: m reads the n just set; n + 1 is substituted once
			in:    "UPDATE t SET n = n + 1, m = n * 2 WHERE (m < 10 OR n IS NULL)",
			table: "t", pending: "(`m` < 10 OR `n` IS NULL)",
			after: "(((`n` + 1) * 2) < 10 OR (`n` + 1) IS NULL)",
		},
		{ // a column the statement does not set is read as it is
			in:    "UPDATE `m` SET `status` = 'pending' WHERE (`status` IS NULL AND `member` != '')",
			table: "m", pending: "(`status` IS NULL AND `member` != '')",
			after: "(('pending') IS NULL AND `member` != '')",
		},
		{ // DEFAULT is the column's default
			in:    "UPDATE t SET a = DEFAULT WHERE a IS NULL",
			table: "t", pending: "`a` IS NULL", after: "(DEFAULT(`a`)) IS NULL",
		},
		{ // a set column named inside a subquery may be the other table's
			in:    "UPDATE t SET s = 'x' WHERE s IS NULL AND EXISTS (SELECT 1 FROM u WHERE u.id = t.id AND s = 1)",
			table: "t", pending: "`s` IS NULL AND EXISTS (SELECT 1 FROM `u` WHERE `u`.`id` = `t`.`id` AND `s` = 1)", after: "",
		},
		{ // a subquery that names no set column is kept
			in:    "UPDATE t SET s = 'x' WHERE s IS NULL AND EXISTS (SELECT 1 FROM u WHERE u.id = t.id)",
			table: "t", pending: "`s` IS NULL AND EXISTS (SELECT 1 FROM `u` WHERE `u`.`id` = `t`.`id`)",
			after: "('x') IS NULL AND EXISTS (SELECT 1 FROM `u` WHERE `u`.`id` = `t`.`id`)",
		},
	} {
		r, err := ReadRewrite(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if r.Table != tc.table || r.Pending != tc.pending || r.After != tc.after {
			t.Errorf("%s:\n got table %q pending %q after %q\nwant table %q pending %q after %q", tc.in, r.Table, r.Pending, r.After, tc.table, tc.pending, tc.after)
		}
	}
	for _, bad := range []string{"DELETE FROM t WHERE a", "UPDATE t SET a = 1", "UPDATE t, u SET t.a = 1 WHERE u.b", "UPDATE t SET a = 1 WHERE a IS NULL LIMIT 5", "SELECT 1"} {
		if _, err := ReadRewrite(bad); err == nil {
			t.Errorf("%s: read as a backfill", bad)
		}
	}
}

// db check asks a gate only whether it finds a row: the gate written as
// EXISTS stops at the first one.
func TestGateExists(t *testing.T) {
	for gate, want := range map[string]string{
		"SELECT COUNT(*) FROM `images` WHERE `slug` IS NULL":                                                     "SELECT EXISTS (SELECT 1 FROM `images` WHERE `slug` IS NULL)",
		"SELECT COUNT(*) FROM `child` AS child WHERE child.`pid` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `p`)": "SELECT EXISTS (SELECT 1 FROM `child` AS `child` WHERE `child`.`pid` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `p`))",
		"SELECT MAX(a) FROM t WHERE b":                                                                           "",
		"SELECT COUNT(a) FROM t WHERE b":                                                                         "",
		"SELECT COUNT(*) FROM t":                                                                                 "",
	} {
		g, err := ReadGate(gate)
		if err != nil {
			t.Fatalf("%s: %v", gate, err)
		}
		if got := g.Exists(); got != want {
			t.Errorf("%s:\n got %s\nwant %s", gate, got, want)
		}
	}
}

// Right after a foreign key is added with checks off, the applier counts
// its orphans again with the rows of the release's deletes that already
// ran, which the gate leaves out, counted too: written after the delete,
// nothing deletes them.
func TestGateCounting(t *testing.T) {
	const gate = "SELECT COUNT(*) FROM `image_tags` WHERE `image_tags`.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = `image_tags`.`image_id`) AND (NOT EXISTS (SELECT 1 FROM `images` WHERE `images`.`id` = `image_tags`.`image_id`)) IS NOT TRUE"
	const del = "DELETE FROM `image_tags` WHERE (NOT EXISTS (SELECT 1 FROM `images` WHERE `images`.`id` = `image_tags`.`image_id`))"
	g, err := ReadGate(gate)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		g    *Gate
		want string
	}{
		{g, "SELECT COUNT(1) FROM `image_tags` WHERE `image_tags`.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS `parent` WHERE `parent`.`id` = `image_tags`.`image_id`) AND (NOT EXISTS (SELECT 1 FROM `images` WHERE `images`.`id` = `image_tags`.`image_id`)) IS NOT TRUE"},
		{g.Counting(del), "SELECT COUNT(1) FROM `image_tags` WHERE `image_tags`.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS `parent` WHERE `parent`.`id` = `image_tags`.`image_id`)"},
		{g.Counting("DELETE FROM `image_tags` WHERE `tag` = ''"), ""},
	} {
		if tc.want == "" {
			tc.want = g.SQL() // a delete the gate does not leave out changes nothing
		}
		if got := tc.g.SQL(); got != tc.want {
			t.Errorf("\n got %s\nwant %s", got, tc.want)
		}
	}
	if got := g.Listing(); !strings.Contains(got, "IS NOT TRUE") {
		t.Errorf("the gate changed: %s", got)
	}
	if got := g.Counting(del).Listing(); strings.Contains(got, "IS NOT TRUE") {
		t.Errorf("the counting gate's listing: %s", got)
	}
	// The parents a delete of the parent table selects count as none in
	// the gate; once that delete has run, one it selects was written
	// after it and stays a parent: the lookup goes without the conjunct
	// (it read parent.legacy, which the revision dropped since).
	p, err := ReadGate("SELECT COUNT(*) FROM `child` AS child WHERE child.`pid` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `parent` AS parent_ WHERE parent_.`id` = child.`pid` AND NOT EXISTS (SELECT 1 FROM `parent` WHERE `parent`.`id` = parent_.`id` AND (`legacy` = 1)))")
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT COUNT(1) FROM `child` AS `child` WHERE `child`.`pid` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `parent` AS `parent_` WHERE `parent_`.`id` = `child`.`pid`)"
	if got := p.Counting("DELETE `parent` FROM `parent` JOIN (SELECT `id` FROM `parent` WHERE (`legacy` = 1)) AS `emcee_rows` USING (`id`)").SQL(); got != want {
		t.Errorf("the orphan gate counting after the parents' delete:\n got %s\nwant %s", got, want)
	}
	// A duplicate gate leaves the delete's rows out of the groups too:
	// counted in the rows alone, two rows the delete selects holding one
	// key made no group, and the gate passed over them.
	u, err := ReadGate("SELECT COUNT(*) FROM `t` WHERE (`name`) IN (SELECT `name` FROM `t` WHERE `name` IS NOT NULL AND (`legacy` = 1) IS NOT TRUE GROUP BY `name` HAVING COUNT(*) > 1) AND (`legacy` = 1) IS NOT TRUE")
	if err != nil {
		t.Fatal(err)
	}
	want = "SELECT COUNT(1) FROM `t` WHERE (`name`) IN (SELECT `name` FROM `t` WHERE `name` IS NOT NULL GROUP BY `name` HAVING COUNT(1) > 1)"
	if got := u.Counting("DELETE `t` FROM `t` JOIN (SELECT `id` FROM `t` WHERE (`legacy` = 1)) AS `emcee_rows` USING (`id`)").SQL(); got != want {
		t.Errorf("the duplicate gate counting after the delete:\n got %s\nwant %s", got, want)
	}
	// The gate that stops a delete emptying its table counts no row once
	// the delete has run: it guards a statement that will not run again.
	all, err := ReadGate("SELECT COUNT(*) FROM `t` WHERE NOT EXISTS (SELECT 1 FROM `t` WHERE (`legacy` = 1) IS NOT TRUE)")
	if err != nil {
		t.Fatal(err)
	}
	want = "SELECT COUNT(1) FROM `t` WHERE NOT EXISTS (SELECT 1 FROM `t`)"
	if got := all.Counting("DELETE `t` FROM `t` JOIN (SELECT `id` FROM `t` WHERE (`legacy` = 1)) AS `emcee_rows` USING (`id`)").SQL(); got != want {
		t.Errorf("the emptying gate counting after the delete:\n got %s\nwant %s", got, want)
	}
}
