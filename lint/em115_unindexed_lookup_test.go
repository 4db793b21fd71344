package lint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

func TestEM115UnindexedLookup(t *testing.T) {
	const pikeFile = "schema/pike.hcl"
	const lastCheck = "  check \"ck_size\" {\n    expr = \"size >= 0\"\n  }\n}\n"
	// Gitea's deduplication of user.email before its unique key.
	deletes := []string{lastCheck, lastCheck + "data_migration \"dedupe_names\" {\n  table  = \"images\"\n  delete = \"EXISTS (SELECT 1 FROM images other WHERE other.name = images.name AND other.id < images.id)\"\n}\n"}
	index := func(name string, unique bool) []string {
		u := ""
		if unique {
			u = "    unique  = true\n"
		}
		return []string{"  index \"ix_owner\" {", "  index \"" + name + "\" {\n" + u + "    columns = [column.name]\n  }\n  index \"ix_owner\" {"}
	}
	at := func(f *fixture) string { return f.lineOf(pikeFile, "other.name =", true) }
	atText := func(text string) func(f *fixture) string {
		return func(f *fixture) string { return f.lineOf(pikeFile, text, true) }
	}
	// migration is a data_migration of images with one predicate.
	migration := func(attr, pred string) string {
		set := ""
		if attr == "pending" {
			set = "  set     = \"size = 0\"\n"
		}
		return "data_migration \"m\" {\n  table   = \"images\"\n" + set + "  " + attr + " = \"" + pred + "\"\n}\n"
	}
	// ownerLower adds images.owner_lower, generated as LOWER(owner).
	ownerLower := []string{"  column \"size\" {", "  column \"owner_lower\" {\n    type = varchar(50)\n    null = true\n    as {\n      expr = \"LOWER(owner)\"\n      type = VIRTUAL\n    }\n  }\n  column \"size\" {"}
	// tags is a table beside images; its index on name when indexed.
	tags := func(indexed bool, rest string) []string {
		idx := ""
		if indexed {
			idx = "  index \"ix_tag_name\" {\n    columns = [column.name]\n  }\n"
		}
		return []string{lastCheck, lastCheck + "table \"tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"name\" {\n    type = varchar(100)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n" + idx + "}\n" + rest}
	}
	withMigration := func(attr, pred string, edits ...string) string {
		return pike(append([]string{lastCheck, lastCheck + migration(attr, pred)}, edits...)...)
	}
	check(t, "EM115", []lintCase{
		{name: "delete looking up name, no index on it", pike: pike(deletes...), setup: at},
		// The unique index the delete makes way for is built in contract,
		// after the delete: it serves no lookup of it.
		{name: "delete before a unique index on name, new in this release", pike: pike(append(deletes, index("ux_name", true)...)...), setup: at},
		{name: "a plain index on name, new in this release: built in expand", pike: pike(append(deletes, index("ix_name", false)...)...)},
		{name: "pending looking up owner, which ix_owner serves", pike: pike(lastCheck, lastCheck+"data_migration \"sizes\" {\n  table   = \"images\"\n  set     = \"size = 0\"\n  pending = \"size IS NULL AND EXISTS (SELECT 1 FROM images o WHERE o.owner = images.owner AND o.id <> images.id)\"\n}\n")},
		{name: "pending comparing only a range", pike: pike(lastCheck, lastCheck+"data_migration \"sizes\" {\n  table   = \"images\"\n  set     = \"size = 0\"\n  pending = \"size IS NULL AND NOT EXISTS (SELECT 1 FROM images o WHERE o.size > images.size)\"\n}\n"),
			setup: func(f *fixture) string { return f.lineOf(pikeFile, "o.size >", true) }},
		// A function around the table's column: ix_owner serves no
		// lookup of LOWER(owner), nor does an index of a generated column
		// holding it (MariaDB 10.11 reads the table for each row: 15.2
		// million rows read at 4,000, four times those at 2,000).
		{name: "delete comparing LOWER(owner), which ix_owner does not serve", pike: withMigration("delete", "EXISTS (SELECT 1 FROM images other WHERE LOWER(other.owner) = LOWER(images.owner) AND other.id < images.id)"),
			setup: atText("other.owner) =")},
		{name: "delete comparing LOWER(owner) beside an indexed generated column holding it", pike: withMigration("delete", "EXISTS (SELECT 1 FROM images other WHERE LOWER(other.owner) = LOWER(images.owner) AND other.id < images.id)", append(ownerLower, index("ix_owner_lower", false)[0], strings.Replace(index("ix_owner_lower", false)[1], "column.name", "column.owner_lower", 1))...),
			setup: atText("other.owner) =")},
		{name: "delete comparing that generated column by name", pike: withMigration("delete", "EXISTS (SELECT 1 FROM images other WHERE other.owner_lower = LOWER(images.owner) AND other.id < images.id)", append(ownerLower, index("ix_owner_lower", false)[0], strings.Replace(index("ix_owner_lower", false)[1], "column.name", "column.owner_lower", 1))...)},
		{name: "pending comparing LOWER(tags.name) alone, tags.name indexed", pike: pike(tags(true, migration("pending", "size IS NULL AND EXISTS (SELECT 1 FROM tags t WHERE LOWER(t.name) = LOWER(images.name))"))...),
			setup: atText("t.name) =")},
		// Under OR the table is read for each row, its branches indexed
		// or not; an equality beside the OR that an index serves is enough.
		{name: "pending comparing owner or name", pike: withMigration("pending", "size IS NULL AND EXISTS (SELECT 1 FROM images o WHERE (o.owner = images.owner OR o.name = images.name) AND o.id <> images.id)"),
			setup: atText("o.owner = images.owner OR")},
		{name: "pending comparing owner or name, each indexed", pike: withMigration("pending", "size IS NULL AND EXISTS (SELECT 1 FROM images o WHERE (o.owner = images.owner OR o.name = images.name) AND o.id <> images.id)", index("ix_name", false)...),
			setup: atText("o.owner = images.owner OR")},
		{name: "pending comparing tags by name or id alone, each indexed", pike: pike(tags(true, migration("pending", "size IS NULL AND EXISTS (SELECT 1 FROM tags t WHERE t.name = images.name OR t.id = images.id)"))...),
			setup: atText("t.name = images.name OR")},
		{name: "pending comparing tags.name with IN (name, owner), indexed", pike: pike(tags(true, migration("pending", "size IS NULL AND EXISTS (SELECT 1 FROM tags t WHERE t.name IN (images.name, images.owner))"))...),
			setup: atText("t.name IN")},
		{name: "pending comparing owner or a NULL owner, which ix_owner serves", pike: withMigration("pending", "size IS NULL AND EXISTS (SELECT 1 FROM images o WHERE (o.owner = images.owner OR o.owner IS NULL) AND o.id <> images.id)")},
		{name: "pending comparing owner, and name or size", pike: withMigration("pending", "size IS NULL AND EXISTS (SELECT 1 FROM images o WHERE o.owner = images.owner AND (o.name = images.name OR o.size = images.size))")},
		// A correlated IN is looked up by its own value too.
		{name: "delete by an IN of owner, which ix_owner serves", pike: withMigration("delete", "images.owner IN (SELECT o.owner FROM images o WHERE o.name = images.name AND o.id < images.id)")},
		{name: "delete by an IN of size, unindexed", pike: withMigration("delete", "images.size IN (SELECT o.size FROM images o WHERE o.name = images.name AND o.id < images.id)"),
			setup: atText("o.size FROM")},
		// An uncorrelated IN: materialised once by a SELECT and by an
		// UPDATE of its own table, run for each row by an UPDATE of
		// another: only migrate's batches of a set, on another table, with
		// the column unindexed.
		{name: "pending by an IN of tags.name, unindexed", pike: pike(tags(false, migration("pending", "size IS NULL AND name IN (SELECT t.name FROM tags t)"))...),
			setup: atText("t.name FROM")},
		{name: "pending by an IN of tags.name, indexed", pike: pike(tags(true, migration("pending", "size IS NULL AND name IN (SELECT t.name FROM tags t)"))...)},
		{name: "delete by an IN of tags.name, unindexed", pike: pike(tags(false, migration("delete", "name IN (SELECT t.name FROM tags t)"))...)},
		{name: "pending by an IN of images itself", pike: withMigration("pending", "size IS NULL AND name IN (SELECT o.name FROM images o WHERE o.size IS NOT NULL)")},
	})
}

// The finding names the predicate, the table, the column no index starts
// with, the unique index that comes too late, and both ways out.
func TestEM115Message(t *testing.T) {
	const lastCheck = "  check \"ck_size\" {\n    expr = \"size >= 0\"\n  }\n}\n"
	f := planned(t, pike(lastCheck, lastCheck+"data_migration \"dedupe_names\" {\n  table  = \"images\"\n  delete = \"EXISTS (SELECT 1 FROM images other WHERE other.name = images.name AND other.id < images.id)\"\n}\n",
		"  index \"ix_owner\" {", "  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n  index \"ix_owner\" {"))
	var got []Finding
	for _, fd := range f.lint(false).Findings {
		if fd.Code == "EM115" {
			got = append(got, fd)
		}
	}
	if len(got) != 1 {
		t.Fatalf("want one EM115, got %v", got)
	}
	for _, want := range []string{"the delete predicate of data_migration \"dedupe_names\" runs its subquery on images once for each row of images (`other`.`name` = `images`.`name`)", "no index of images starts with name", "unique index ux_name, new in this release, is built only in contract", "costs the square of the rows"} {
		if !strings.Contains(got[0].Message, want) {
			t.Errorf("message lacks %q:\n%s", want, got[0].Message)
		}
	}
	for _, want := range []string{"declare an index on images(name)", "name IS NOT NULL AND id NOT IN (SELECT MIN(id) FROM images GROUP BY name)"} {
		if !strings.Contains(got[0].Fix, want) {
			t.Errorf("fix lacks %q:\n%s", want, got[0].Fix)
		}
	}
}

// A lookup through an expression names the generated column holding it;
// one under OR, the index its unindexed branch lacks; an uncorrelated IN,
// the UPDATE that runs it for each row.
func TestEM115Reasons(t *testing.T) {
	const lastCheck = "  check \"ck_size\" {\n    expr = \"size >= 0\"\n  }\n}\n"
	tags := "table \"tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"name\" {\n    type = varchar(100)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	for _, tc := range []struct {
		name, pike string
		msg, fix   []string
	}{
		{"LOWER beside a generated column", pike("  column \"size\" {", "  column \"owner_lower\" {\n    type = varchar(50)\n    null = true\n    as {\n      expr = \"LOWER(owner)\"\n      type = VIRTUAL\n    }\n  }\n  column \"size\" {",
			lastCheck, lastCheck+"data_migration \"m\" {\n  table  = \"images\"\n  delete = \"EXISTS (SELECT 1 FROM images other WHERE LOWER(other.owner) = LOWER(images.owner))\"\n}\n"),
			[]string{"runs its subquery on images once for each row of images (LOWER(`other`.`owner`) = LOWER(`images`.`owner`))", "it compares LOWER(`owner`), an expression of columns of images, with the row", "not even the index of a generated column holding it"},
			[]string{"declare an index on images(owner_lower) (a plain one", "compare that generated column, which holds LOWER(`owner`), by name in its place"}},
		{"LOWER alone", pike(lastCheck, lastCheck+"data_migration \"m\" {\n  table  = \"images\"\n  delete = \"EXISTS (SELECT 1 FROM images other WHERE LOWER(other.owner) = LOWER(images.owner))\"\n}\n"),
			nil, []string{"declare a generated column of images holding LOWER(`owner`) (as { expr = \"LOWER(`owner`)\" }) and an index on it"}},
		{"OR", pike(lastCheck, lastCheck+"data_migration \"m\" {\n  table   = \"images\"\n  set     = \"size = 0\"\n  pending = \"size IS NULL AND EXISTS (SELECT 1 FROM images o WHERE (o.owner = images.owner OR o.name = images.name) AND o.id <> images.id)\"\n}\n"),
			[]string{"(`o`.`owner` = `images`.`owner` OR `o`.`name` = `images`.`name`): it compares the row under OR or IN (a list of values), and a subquery run once per row merges no indexes", "reads its table whole, each branch indexed or not"},
			[]string{"write each branch of the OR (each value of the IN) as an EXISTS of its own", "(declare an index on images(name) (a plain one"}},
		{"uncorrelated IN", pike(lastCheck, lastCheck+tags+"data_migration \"m\" {\n  table   = \"images\"\n  set     = \"size = 0\"\n  pending = \"size IS NULL AND name NOT IN (SELECT t.name FROM tags t)\"\n}\n"),
			[]string{"runs its subquery on tags once for each row of images (`name` NOT IN (SELECT `t`.`name` FROM `tags` AS `t`))", "no index of tags starts with name", "migrate's batches: an UPDATE of images runs an IN (SELECT ...) of another table once for each row"},
			[]string{"declare an index on tags(name)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []Finding
			for _, fd := range planned(t, tc.pike).lint(false).Findings {
				if fd.Code == "EM115" {
					got = append(got, fd)
				}
			}
			if len(got) != 1 {
				t.Fatalf("want one EM115, got %v", got)
			}
			t.Log(got[0])
			for _, want := range tc.msg {
				if !strings.Contains(got[0].Message, want) {
					t.Errorf("message lacks %q:\n%s", want, got[0].Message)
				}
			}
			for _, want := range tc.fix {
				if !strings.Contains(got[0].Fix, want) {
					t.Errorf("fix lacks %q:\n%s", want, got[0].Fix)
				}
			}
			// The MIN/GROUP BY form groups the row's own table by a column.
			if strings.Contains(got[0].Fix, "MIN(") {
				t.Errorf("fix offers the MIN/GROUP BY form for another table, an expression or an OR:\n%s", got[0].Fix)
			}
		})
	}
}

// MySQL looks LOWER(owner) up by the index of a generated column holding
// it (its manual's "Optimizer Use of Generated Column Indexes") or by a
// functional index of it; MariaDB does not, and the note stands there.
func TestEM115ExpressionOnMySQL(t *testing.T) {
	const lastCheck = "  check \"ck_size\" {\n    expr = \"size >= 0\"\n  }\n}\n"
	migration := "data_migration \"m\" {\n  table  = \"images\"\n  delete = \"EXISTS (SELECT 1 FROM images other WHERE LOWER(other.owner) = LOWER(images.owner) AND other.id < images.id)\"\n}\n"
	generated := "  column \"owner_lower\" {\n    type = varchar(50)\n    null = true\n    as {\n      expr = \"LOWER(owner)\"\n      type = VIRTUAL\n    }\n  }\n  index \"ix_owner_lower\" {\n    columns = [column.owner_lower]\n  }\n  index \"ix_owner\" {"
	for _, tc := range []struct {
		target, pike string
		want         int
	}{
		{"mysql 8.0", pike(lastCheck, lastCheck+migration, "  index \"ix_owner\" {", generated), 0},
		{"mysql 8.0", pike(lastCheck, lastCheck+migration), 1},
		{"mysql 8.0", pike(lastCheck, lastCheck+migration, "  index \"ix_owner\" {", "  index \"ix_lower\" {\n    on {\n      expr = \"(LOWER(owner))\"\n    }\n  }\n  index \"ix_owner\" {"), 0},
		{"mariadb 10.11", pike(lastCheck, lastCheck+migration, "  index \"ix_owner\" {", generated), 1},
	} {
		n := 0
		for _, fd := range plannedOn(t, tc.target, tc.pike).lint(false).Findings {
			if fd.Code == "EM115" {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("%s, generated column %v: %d EM115, want %d", tc.target, strings.Contains(tc.pike, "owner_lower"), n, tc.want)
		}
	}
}

// The shapes of TestEM115UnindexedLookup's cases, run on the server as
// migrate runs a pending predicate (its count, a SELECT, and its UPDATE):
// the rows the server reads grow as the square of the table's where
// EM115 notes the shape (four times for twice the rows), and in step with
// it where it does not. Rows read are InnoDB's handler reads, which the
// machine's load does not change.
func TestEM115HoldsToServer(t *testing.T) {
	db := testdb.New(t)
	ctx := t.Context()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil || !strings.Contains(version, "MariaDB") {
		t.Skipf("EM115's measurements are MariaDB's; the server is %s (%v)", version, err)
	}
	for _, q := range []string{
		"CREATE TABLE images (id BIGINT PRIMARY KEY, name VARCHAR(100), owner VARCHAR(50), label VARCHAR(50), size INT, owner_lower VARCHAR(50) AS (LOWER(owner)) VIRTUAL, KEY ix_owner (owner), KEY ix_label (label), KEY ix_owner_lower (owner_lower))",
		"CREATE TABLE tags (id BIGINT PRIMARY KEY, name VARCHAR(100), tag VARCHAR(100), KEY ix_tag (tag))",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// fill gives each table n rows whose values are unique but for one
	// row in ten, which repeats the row before's: most lookups find no row.
	fill := func(n int) {
		for _, q := range []string{
			"TRUNCATE images", "TRUNCATE tags",
			fmt.Sprintf("INSERT INTO images (id, name, owner, label, size) SELECT seq, CONCAT('n', k), CONCAT(IF(seq %% 2, 'O', 'o'), k), CONCAT('l', k * 7 %% %d), k * 13 %% %d FROM (SELECT seq, IF(seq %% 10 = 0, seq - 1, seq) AS k FROM seq_1_to_%d) s", n, n, n),
			"INSERT INTO tags (id, name, tag) SELECT id, CONCAT('t', name), CONCAT('t', owner) FROM images",
			"ANALYZE TABLE images, tags",
		} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
	reads := func(q string) int64 {
		sum := func() (n int64) {
			if err := conn.QueryRowContext(ctx, "SELECT CAST(SUM(VARIABLE_VALUE) AS UNSIGNED) FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME LIKE 'HANDLER_READ%'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := sum()
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return sum() - before
	}
	cases := []struct {
		pred                 string
		squareSelect, square bool // the count's cost, the UPDATE's
	}{
		{"EXISTS (SELECT 1 FROM images other WHERE LOWER(other.owner) = LOWER(images.owner) AND other.id < images.id)", true, true},
		{"EXISTS (SELECT 1 FROM images other WHERE other.owner_lower = LOWER(images.owner) AND other.id < images.id)", false, false},
		{"EXISTS (SELECT 1 FROM images o WHERE (o.owner = images.owner OR o.label = images.label) AND o.id <> images.id)", true, true},
		{"EXISTS (SELECT 1 FROM images o WHERE o.owner = images.owner AND (o.name = images.name OR o.size = images.size))", false, false},
		{"EXISTS (SELECT 1 FROM images o WHERE (o.owner = images.owner OR o.owner IS NULL) AND o.id <> images.id)", false, false},
		{"EXISTS (SELECT 1 FROM images o WHERE o.owner IN (images.owner, images.label) AND o.id <> images.id)", true, true},
		{"images.owner IN (SELECT o.owner FROM images o WHERE o.name = images.name AND o.id < images.id)", false, false},
		{"images.size IN (SELECT o.size FROM images o WHERE o.name = images.name AND o.id < images.id)", true, true},
		{"name IN (SELECT t.name FROM tags t)", false, true},
		{"owner IN (SELECT t.tag FROM tags t)", false, false},
	}
	const n = 600
	got := map[string][2]int64{} // pred and statement -> rows read at n and 2n
	for i, size := range []int{n, 2 * n} {
		fill(size)
		for _, c := range cases {
			for _, q := range []string{
				fmt.Sprintf("SELECT COUNT(*) FROM images WHERE (%s) AND id <= %d", c.pred, size),
				fmt.Sprintf("UPDATE images SET size = -size WHERE (%s) AND id > 0 AND id <= %d", c.pred, size),
			} {
				r := got[q[:6]+c.pred]
				r[i] = reads(q)
				got[q[:6]+c.pred] = r
			}
		}
	}
	for _, c := range cases {
		for _, st := range []struct {
			stmt   string
			square bool
		}{{"SELECT", c.squareSelect}, {"UPDATE", c.square}} {
			r := got[st.stmt+c.pred]
			ratio := float64(r[1]) / float64(r[0])
			t.Logf("%s WHERE %s: %d, %d rows read (x%.2f)", st.stmt, c.pred, r[0], r[1], ratio)
			if st.square && ratio < 3.3 || !st.square && ratio > 2.7 {
				t.Errorf("%s WHERE %s: %d rows read at %d rows, %d at %d (x%.2f), want the square: %v", st.stmt, c.pred, r[0], n, r[1], 2*n, ratio, st.square)
			}
		}
	}
}
