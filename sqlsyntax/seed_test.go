package sqlsyntax

import (
	"slices"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// TestSeedInsertKeepsEveryValue reads back the INSERT SeedInsert writes
// and finds each declared value, byte for byte, as the one literal of its
// column, in the values inserted and in the check for the row: no value
// ends its literal early or spills into the statement.
func TestSeedInsertKeepsEveryValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    Value
	}{
		{"plain", Value{Kind: ValueText, Text: "General"}},
		{"quote", Value{Kind: ValueText, Text: "it's"}},
		{"quote and paren", Value{Kind: ValueText, Text: "'); DROP TABLE t; --"}},
		{"backslash before quote", Value{Kind: ValueText, Text: `\'`}},
		{"trailing backslash", Value{Kind: ValueText, Text: `a\`}},
		{"NUL and control characters", Value{Kind: ValueText, Text: "a\x00b\x1a\r\n"}},
		{"unicode", Value{Kind: ValueText, Text: "⛄ é 𝄞"}},
		{"template characters", Value{Kind: ValueText, Text: "${x} %{y}"}},
		{"double quote and backtick", Value{Kind: ValueText, Text: "\"`"}},
		{"empty", Value{Kind: ValueText, Text: ""}},
		{"number", Value{Kind: ValueNumber, Text: "-12.50"}},
		{"bool", Value{Kind: ValueBool, Text: "true"}},
		{"null", Value{Kind: ValueNull}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sql, err := SeedInsert("t`x", []Cell{{Column: "id", Value: Value{Kind: ValueNumber, Text: "1"}}, {Column: "c`; --", Value: tc.v}})
			if err != nil {
				t.Fatal(err)
			}
			st, err := ReadStmt(sql)
			if err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			ins := st.Node.(*ast.InsertStmt)
			if len(ins.Columns) != 2 || ins.Columns[1].Name.O != "c`; --" || OneTable(ins.Table).Name.O != "t`x" {
				t.Fatalf("names changed: %s", sql)
			}
			sel := ins.Select.(*ast.SelectStmt)
			check := func(where string, e ast.ExprNode) {
				t.Helper()
				if u, ok := e.(*ast.UnaryOperationExpr); ok && tc.v.Kind == ValueNumber {
					e = u.V // -12.50: minus, then the number
				}
				v, ok := e.(*test_driver.ValueExpr)
				if !ok {
					t.Fatalf("%s: %T, not a literal: %s", where, e, sql)
				}
				switch tc.v.Kind {
				case ValueText:
					if got := v.GetString(); got != tc.v.Text {
						t.Errorf("%s: read back %q, want %q\n%s", where, got, tc.v.Text, sql)
					}
				case ValueNull:
					if v.GetValue() != nil {
						t.Errorf("%s: not NULL: %s", where, sql)
					}
				}
			}
			check("inserted", sel.Fields.Fields[1].Expr)
			var exists *ast.ExistsSubqueryExpr
			switch w := sel.Where.(type) {
			case *ast.ExistsSubqueryExpr:
				exists = w
			case *ast.UnaryOperationExpr:
				exists = w.V.(*ast.ExistsSubqueryExpr)
			}
			sub := exists.Sel.(*ast.SubqueryExpr).Query.(*ast.SelectStmt)
			check("compared", sub.Where.(*ast.BinaryOperationExpr).R.(*ast.BinaryOperationExpr).R)
			if strings.Count(sql, "\n") > 0 || strings.ContainsRune(sql, 0) {
				t.Errorf("a line break or NUL written raw into a plan statement: %q", sql)
			}
		})
	}
}

// A dry run of contract counts the rows a data migration's DELETE would
// delete with the query DeletedCount writes from the DELETE's tree.
func TestDeletedCount(t *testing.T) {
	for _, tc := range []struct{ del, want string }{
		{"DELETE FROM `settings` WHERE (`name` = 'openid')", "SELECT COUNT(1) FROM `settings` WHERE (`name` = 'openid')"},
		{"DELETE FROM `cust``omers` WHERE (`id` NOT IN (SELECT `id` FROM `users`))", "SELECT COUNT(1) FROM `cust``omers` WHERE (`id` NOT IN (SELECT `id` FROM `users`))"},
		{"DELETE FROM `settings`", ""},
		{"DELETE FROM `settings` WHERE `id` > 1 LIMIT 5", ""},
		{"DELETE `a` FROM `a` JOIN `b` ON `a`.`id` = `b`.`id` WHERE `b`.`x` = 1", ""},
		{"ALTER TABLE `settings` DROP COLUMN `x`", ""},
	} {
		if got := DeletedCount(tc.del); got != tc.want {
			t.Errorf("DeletedCount(%s) = %q, want %q", tc.del, got, tc.want)
		}
	}
}

// A data migration's DELETE runs in ranges of its key as a backfill does:
// ReadDelete reads it, and each batch bounds the SELECT of the rows it
// deletes, not the rows they are joined back to.
func TestReadDeleteBatches(t *testing.T) {
	pred, err := ParseExpr("`id` NOT IN (SELECT MIN(`id`) FROM `category` GROUP BY `project_id`, `name`)", Statement)
	if err != nil {
		t.Fatal(err)
	}
	joined, err := DeleteRows("category", []string{"id"}, pred)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sql, key, first, next, count string
	}{
		{joined, "id",
			"DELETE `category` FROM `category` JOIN (SELECT `id` FROM `category` WHERE (`id` NOT IN (SELECT MIN(`id`) FROM `category` GROUP BY `project_id`,`name`)) AND `id` <= ?) AS `emcee_rows` USING (`id`) WHERE `id` <= ?",
			"DELETE `category` FROM `category` JOIN (SELECT `id` FROM `category` WHERE (`id` NOT IN (SELECT MIN(`id`) FROM `category` GROUP BY `project_id`,`name`)) AND `id` > ? AND `id` <= ?) AS `emcee_rows` USING (`id`) WHERE `id` > ? AND `id` <= ?",
			"SELECT COUNT(*) FROM `category` WHERE (`id` NOT IN (SELECT MIN(`id`) FROM `category` GROUP BY `project_id`,`name`)) AND `id` > ? AND `id` <= ?"},
		{"DELETE `t` FROM `t` JOIN (SELECT `a`, `b` FROM `t` WHERE (`x` = 1)) AS `emcee_rows` USING (`a`, `b`)", "", "", "", ""},
		{"DELETE FROM `settings` WHERE (`name` = 'openid')", "", "", "", ""},
	} {
		b, key, ok := ReadDelete(tc.sql)
		if !ok || key != tc.key {
			t.Fatalf("ReadDelete(%s) = key %q, ok %v; want key %q", tc.sql, key, ok, tc.key)
		}
		if b.SQL() != mustRestore(mustRead(t, tc.sql)) {
			t.Errorf("ReadDelete(%s).SQL() = %s", tc.sql, b.SQL())
		}
		if tc.key == "" {
			continue
		}
		if got := b.Batch(tc.key, false, false); got != tc.first {
			t.Errorf("first batch:\n got %s\nwant %s", got, tc.first)
		}
		if got := b.Batch(tc.key, false, true); got != tc.next {
			t.Errorf("next batch:\n got %s\nwant %s", got, tc.next)
		}
		if got := b.BatchArgs([]any{1, 2}); !slices.Equal(got, []any{1, 2, 1, 2}) {
			t.Errorf("a batch's arguments: %v, want the range's twice", got)
		}
		if got := b.Count(tc.key, false, true, true); got != tc.count {
			t.Errorf("count:\n got %s\nwant %s", got, tc.count)
		}
		if got, want := b.Keys(tc.key, "`id`", false, true, true), strings.Replace(tc.count, "COUNT(*)", "`id`", 1)+" ORDER BY `id`"; got != want {
			t.Errorf("keys:\n got %s\nwant %s", got, want)
		}
		if got, want := b.DeleteKeys(tc.key, 3), "DELETE FROM `category` WHERE `id` IN (?,?,?)"; got != want {
			t.Errorf("delete by keys:\n got %s\nwant %s", got, want)
		}
		// The tree read is not changed by a batch written from it.
		if b.SQL() != mustRestore(mustRead(t, tc.sql)) {
			t.Errorf("a batch changed the DELETE read: %s", b.SQL())
		}
	}
	for _, other := range []string{
		"DELETE FROM `settings`",
		"DELETE `a` FROM `a` JOIN `b` ON `a`.`id` = `b`.`id` WHERE `b`.`x` = 1",
		"UPDATE `t` SET `a` = 1 WHERE (`a` IS NULL)",
	} {
		if _, _, ok := ReadDelete(other); ok {
			t.Errorf("ReadDelete(%s) read it as a data migration's delete", other)
		}
	}
}

func mustRead(t *testing.T, sql string) ast.Node {
	t.Helper()
	st, err := ReadStmt(sql)
	if err != nil {
		t.Fatal(err)
	}
	return st.Node
}

// The derived table of the rows to delete is named apart from the table:
// a table named emcee_rows met the alias, and the server refused the
// DELETE (1066) at every run of contract.
func TestDeleteRowsAliasIsNotTheTable(t *testing.T) {
	pred, err := ParseExpr("`n` IS NULL", Statement)
	if err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]string{
		"t":          "DELETE `t` FROM `t` JOIN (SELECT `id` FROM `t` WHERE (`n` IS NULL)) AS `emcee_rows` USING (`id`)",
		"emcee_rows": "DELETE `emcee_rows` FROM `emcee_rows` JOIN (SELECT `id` FROM `emcee_rows` WHERE (`n` IS NULL)) AS `emcee_rows_` USING (`id`)",
		"Emcee_Rows": "DELETE `Emcee_Rows` FROM `Emcee_Rows` JOIN (SELECT `id` FROM `Emcee_Rows` WHERE (`n` IS NULL)) AS `emcee_rows_` USING (`id`)",
	} {
		got, err := DeleteRows(table, []string{"id"}, pred)
		if err != nil || got != want {
			t.Errorf("DeleteRows(%s) = %q, %v; want %q", table, got, err, want)
		}
		if DeletedCount(got) == "" {
			t.Errorf("DeletedCount cannot read %s", got)
		}
	}
}

// ReadSeedInsert reads back what SeedInsert writes as the row a later
// migrate inserts again (a rollback counted MyBB's declared question as
// data only the new release wrote), and nothing else.
func TestReadSeedInsert(t *testing.T) {
	sql, err := SeedInsert("mybb_questions", []Cell{{Column: "qid", Value: Value{Kind: ValueNumber, Text: "1"}}, {Column: "Answer", Value: Value{Kind: ValueText, Text: "4\nFour"}}})
	if err != nil {
		t.Fatal(err)
	}
	b, ok := ReadSeedInsert(sql)
	if !ok || b.Into != "mybb_questions" || b.Table != "" {
		t.Fatalf("%s: %+v %v", sql, b, ok)
	}
	if cols, vals, ok := b.Reinsert(); !ok || strings.Join(cols, ",") != "qid,answer" || strings.Join(vals, ",") != "1,'4\nFour'" {
		t.Errorf("reinsert: %q %q %v", cols, vals, ok)
	}
	for _, other := range []string{
		"INSERT INTO `t` (`a`) SELECT `b` FROM `u` WHERE (`b` IS NOT NULL)",
		"INSERT INTO `t` (`a`) VALUES (1)",
		"UPDATE `t` SET `a` = 1 WHERE (`a` = 0)",
		"ALTER TABLE `t` ADD COLUMN `a` int NULL",
	} {
		if _, ok := ReadSeedInsert(other); ok {
			t.Errorf("%s read as a declared row", other)
		}
	}
}
