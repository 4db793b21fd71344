package sqlsyntax

import (
	"errors"
	"strings"
	"testing"
)

func TestParseExprRefusesWhatIsNotOneExpression(t *testing.T) {
	for _, tc := range []struct {
		src       string
		use       Use
		line, col int
		msg       string
	}{
		// The hole: spliced into WHERE (...), this rewrote every row.
		{"1=1) OR (1=1", Statement, 1, 4, `syntax error at ") OR (1=1"`},
		{"LOWER(REPLACE(name, ' ', '-')", PerRow, 1, 30, "ends too early"},
		{"name; DROP TABLE images", Statement, 1, 5, "';' ends a statement"},
		{"owner IS NULL;", Statement, 1, 14, "';' ends a statement"},
		{"a := 1", PerRow, 1, 3, `syntax error at ":= 1"`},
		{"name owner", PerRow, 1, 6, `"owner" after the expression would be read as a name for it`},
		{"name FROM images", Statement, 1, 1, "not exactly one SQL expression"},
		{"1 /*!50000 + 2 */", PerRow, 1, 3, "executable comment"},
		{"1 /*M! ; DROP TABLE x */", PerRow, 1, 3, "executable comment"},
		{"\n  name +\n  )", PerRow, 3, 3, `syntax error at ")"`},
		{"'a\\0b'", PerRow, 1, 1, "control character"},
		{"", PerRow, 1, 1, "it is empty: it holds nothing but blanks or comments"},
		{" /* x */ ", Statement, 1, 1, "it is empty"},
		{"-- x", Statement, 1, 1, "it is empty"},
		{"# x\n", Statement, 1, 1, "it is empty"},
		// found by the fuzz test: written back as x'01', a string to MariaDB
		{"n + 0x01", PerRow, 1, 5, "a 0x... number"},
		// found by the fuzz test: the parser's literal driver panicked
		{"1" + strings.Repeat("0", 90), PerRow, 1, 1, "a numeric literal too long?"},
		// per-row: the true reasons
		{"(SELECT COUNT(*) FROM image_members)", PerRow, 1, 1, "a value read from other rows or tables is not recomputed when they change"},
		{"EXISTS (SELECT 1 FROM t)", PerRow, 1, 8, "a subquery"},
		{"name IN (SELECT name FROM t)", PerRow, 1, 9, "a subquery"},
		{"images.name", PerRow, 1, 1, "images.name: write the bare column name; a trigger sees only the row being written"},
		{"@x + 1", PerRow, 1, 1, "variable @x"},
		{"@@sql_mode", Statement, 1, 1, "variable @sql_mode"},
		{"@x := 1", Statement, 1, 1, "variable @x"},
		{"COUNT(*)", PerRow, 1, 1, "aggregate function COUNT"},
		{"SUM(size) > 0", Statement, 1, 1, "aggregate function SUM"},
		{"ROW_NUMBER() OVER ()", PerRow, 1, 1, "window function"},
		{"id > ?", Statement, 1, 6, "a ? placeholder"},
		{"VALUES(name)", PerRow, 1, 1, "VALUES(column)"},
		{"NEXTVAL(s)", PerRow, 1, 1, "a sequence"},
		{"CHAR(65 USING utf8mb4)", PerRow, 1, 1, "CHAR(...): emcee cannot write it back"},
		// the parser writes CHAR_FUNC and INSERT_FUNC back, which the server
		// has not: CHAR was refused as CHAR(... USING charset) without a
		// USING, INSERT as an unknown function to declare as insert_func
		{"CHAR(65)", PerRow, 1, 1, "CHAR(...): emcee cannot write it back"},
		{"owner = 'x' OR INSERT(name, 1, 2, 'x') = 'y'", PerRow, 1, 16, "INSERT(str, pos, len, newstr): emcee cannot write it back"},
		// MySQL 8 only; the hand reader took MEMBER and OF for column names
		{"'a' MEMBER OF (tags)", PerRow, 1, 1, "MEMBER OF: MariaDB has no such operator"},
		// MySQL 8 cast targets: MariaDB refused the trigger half-way through expand
		{"CAST(name AS JSON)", PerRow, 1, 1, "CAST or CONVERT to JSON"},
		{"CONVERT(name, JSON)", PerRow, 1, 1, "CAST or CONVERT to JSON"},
		{"CAST(n AS YEAR) + 1", PerRow, 1, 1, "CAST or CONVERT to YEAR"},
		{"CAST(name AS CHAR(3) ARRAY)", PerRow, 1, 1, "CAST(... ARRAY)"},
		// on emcee's connection these released the operator lock
		{"RELEASE_ALL_LOCKS() >= 0 AND owner IS NULL", Statement, 1, 1, "the operator lock"},
		{"owner IS NULL AND RELEASE_LOCK('emcee:db') IS NULL", Statement, 1, 19, "the operator lock"},
		{"GET_LOCK('x', 0)", PerRow, 1, 1, "takes a named lock"},
		{"db.images.name", Statement, 1, 1, "qualified by a database"},
		// statement: subqueries read tables by name
		{"EXISTS (SELECT 1 FROM (SELECT 1) AS d)", Statement, 1, 16, "derived table"},
		{"EXISTS (SELECT 1 FROM other.t)", Statement, 1, 16, "qualified by a database"},
		{"EXISTS (WITH c AS (SELECT 1) SELECT 1 FROM c)", Statement, 1, 8, "WITH in a subquery"},
		{"EXISTS (SELECT 1 FROM t FOR UPDATE)", Statement, 1, 8, "locking clause"},
		// one row whatever t holds: EXISTS is always true
		{"a = 1 AND NOT EXISTS (SELECT COUNT(*) FROM t WHERE t.k = 1)", Statement, 1, 15, "EXISTS of a SELECT that aggregates (COUNT, MAX ..., or HAVING) without GROUP BY"},
		{"NOT EXISTS (SELECT COUNT(*) + 1 FROM t WHERE t.k = 1)", Statement, 1, 5, "EXISTS of a SELECT that aggregates"},
		// one group: true where no row of t has k = 1
		{"NOT EXISTS (SELECT 1 FROM t WHERE t.k = 1 HAVING COUNT(*) = 0)", Statement, 1, 5, "EXISTS of a SELECT that aggregates (COUNT, MAX ..., or HAVING) without GROUP BY"},
		// always empty
		{"NOT EXISTS (SELECT 1 FROM t WHERE t.k = 1 LIMIT 0)", Statement, 1, 43, "LIMIT 0, or an offset past the one row of a SELECT that aggregates without GROUP BY: the subquery has no row"},
		{"(SELECT COUNT(*) FROM t LIMIT 0) = 0", Statement, 1, 25, "LIMIT 0"},
		{"(SELECT COUNT(*) FROM t WHERE t.k = 1 LIMIT 1, 1) = 0", Statement, 1, 39, "an offset past the one row of a SELECT that aggregates without GROUP BY"},
		// more than one row, not one
		{"EXISTS (SELECT 1 FROM t WHERE t.k = 1 LIMIT 1, 1)", Statement, 1, 1, "EXISTS of a SELECT with an offset"},
		{"EXISTS (SELECT 1 FROM t WHERE t.k = 1 LIMIT 1 OFFSET 2)", Statement, 1, 1, "EXISTS of a SELECT with an offset"},
	} {
		_, err := ParseExpr(tc.src, tc.use)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: got %v, want an *Error containing %q", tc.src, err, tc.msg)
			continue
		}
		if !strings.Contains(e.Msg, tc.msg) || e.Line != tc.line || e.Col != tc.col {
			t.Errorf("%q: got %d:%d %s\nwant %d:%d ...%s...", tc.src, e.Line, e.Col, e.Msg, tc.line, tc.col, tc.msg)
		}
	}
}

func TestExprIsWrittenFromTheTree(t *testing.T) {
	for _, tc := range []struct{ src, sql, row string }{
		{"CASE WHEN is_public THEN 'public' ELSE 'shared' END", "CASE WHEN `is_public` THEN 'public' ELSE 'shared' END", "CASE WHEN `NEW`.`is_public` THEN 'public' ELSE 'shared' END"},
		{"LOWER(REPLACE(name, ' ', '-'))", "LOWER(REPLACE(`name`, ' ', '-'))", "LOWER(REPLACE(`NEW`.`name`, ' ', '-'))"},
		// literals are not columns: the hand reader took the x, N and b of these for names
		{"X'41' = name", "x'41' = `name`", "x'41' = `NEW`.`name`"},
		{"name = N'a'", "`name` = _UTF8'a'", "`NEW`.`name` = _UTF8'a'"},
		{"flags = b'1'", "`flags` = b'1'", "`NEW`.`flags` = b'1'"},
		{"_utf8mb4'x' = name", "'x' = `name`", "'x' = `NEW`.`name`"},
		// comments go; quotes and backslashes are escaped for the pinned sql_mode
		{"owner IS NULL -- not yet given", "`owner` IS NULL", "`NEW`.`owner` IS NULL"},
		{"name = 'it''s' /* c */ OR name = \"a\\\\b\"", "`name` = 'it''s' OR `name` = 'a\\\\b'", "`NEW`.`name` = 'it''s' OR `NEW`.`name` = 'a\\\\b'"},
		{"`we``ird` + 1", "`we``ird` + 1", "`NEW`.`we``ird` + 1"},
	} {
		e, err := ParseExpr(tc.src, PerRow)
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if e.SQL() != tc.sql || e.RowSQL("NEW") != tc.row {
			t.Errorf("%q:\n got %s | %s\nwant %s | %s", tc.src, e.SQL(), e.RowSQL("NEW"), tc.sql, tc.row)
		}
		if e.Source() != tc.src {
			t.Errorf("Source() = %q", e.Source())
		}
	}
}

func TestResolveChecksColumnsAndTables(t *testing.T) {
	tables := func(name string) ([]string, bool) {
		switch name {
		case "images":
			return []string{"id", "name", "visibility"}, true
		case "image_members":
			return []string{"id", "image_id", "status"}, true
		}
		return nil, false
	}
	row := Scope{Table: "images", Columns: []string{"id", "name", "visibility"}, Tables: tables}
	for _, tc := range []struct {
		src, err string
		cols     []string
	}{
		{src: "visibility = 'private' AND EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.status = 'accepted')", cols: []string{"visibility", "id"}},
		// unqualified inside the subquery: the subquery's table first, as the server does
		{src: "EXISTS (SELECT 1 FROM image_members WHERE image_id = id)", cols: nil},
		{src: "EXISTS (SELECT 1 FROM image_members WHERE image_id = NAME)", cols: []string{"name"}},
		{src: "id IN (SELECT image_id FROM image_members GROUP BY image_id HAVING COUNT(*) > 1)", cols: []string{"id"}},
		{src: "nme IS NULL", err: `unknown column "nme" (it can use: id, name, visibility)`},
		{src: "EXISTS (SELECT 1 FROM members)", err: `table "members": the release declares no such table`},
		{src: "EXISTS (SELECT 1 FROM image_members m WHERE m.state = 'x')", err: "unknown column m.state (m has: id, image_id, status)"},
		{src: "EXISTS (SELECT 1 FROM image_members WHERE x.id = 1)", err: `x.id: no table or alias "x" is in scope here`},
		{src: "EXISTS (SELECT 1 FROM image_members WHERE owner = 1)", err: `unknown column "owner": none of images, image_members has it`},
	} {
		e, err := ParseExpr(tc.src, Statement)
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		cols, err := e.Resolve(row)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: got %v, want %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(cols, ",") != strings.Join(tc.cols, ",") {
			t.Errorf("%q: got %v %v, want %v", tc.src, cols, err, tc.cols)
		}
	}
	// Per-row expressions have no subqueries: no table lookup is needed.
	e, _ := ParseExpr("COALESCE(Name, '')", PerRow)
	if cols, err := e.Resolve(Scope{Table: "images", Columns: []string{"name"}}); err != nil || len(cols) != 1 || cols[0] != "name" {
		t.Errorf("per-row resolve: %v %v", cols, err)
	}
}

func TestAssignments(t *testing.T) {
	a, err := ParseAssignments("owner = 'admin', visibility = CASE WHEN EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id) THEN 'shared' ELSE visibility END")
	if err != nil {
		t.Fatal(err)
	}
	want := "`owner` = 'admin', `visibility` = CASE WHEN EXISTS (SELECT 1 FROM `image_members` AS `m` WHERE `m`.`image_id` = `images`.`id`) THEN 'shared' ELSE `visibility` END"
	if a.SQL() != want {
		t.Errorf("got  %s\nwant %s", a.SQL(), want)
	}
	scope := Scope{Table: "images", Columns: []string{"id", "owner", "visibility"}, Tables: func(n string) ([]string, bool) {
		return []string{"image_id"}, n == "image_members"
	}}
	if err := a.Resolve(scope); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ src, err string }{
		{"owner = 'a' WHERE id = 1", "not exactly one assignment list"},
		{"owner = 'a'; DELETE FROM images", "';' ends a statement"},
		{"images.owner = 'a'", "write the bare column name"},
		{"owner = @x", "variable @x"},
		{"owner 'a'", "syntax error"},
	} {
		if _, err := ParseAssignments(tc.src); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.err)
		}
	}
	b, err := ParseAssignments("owner = 'x', titel = owner")
	if err != nil {
		t.Fatal(err)
	}
	var e *Error
	if err := b.Resolve(scope); !errors.As(err, &e) || e.Col != 14 || !strings.Contains(e.Msg, `unknown column "titel"`) {
		t.Errorf("unknown target: %v (%+v)", err, e)
	}
}

func TestQuoting(t *testing.T) {
	for in, want := range map[string]string{"images": "`images`", "x` (id int); DROP TABLE y; --": "`x`` (id int); DROP TABLE y; --`"} {
		if got := Ident(in); got != want {
			t.Errorf("Ident(%q) = %s, want %s", in, got, want)
		}
		if back := UnquoteIdent(want); back != in {
			t.Errorf("UnquoteIdent(%s) = %q, want %q", want, back, in)
		}
	}
	if got := UnquoteIdent("bare"); got != "bare" {
		t.Errorf("UnquoteIdent(bare) = %q", got)
	}
	for _, s := range []string{"", "plain", "it's", `back\slash`, "line\nbreak\r\x00\x1a", "'; DROP TABLE x; --", "é表"} {
		q := String(s)
		if strings.ContainsAny(q, "\n\r\x00\x1a") {
			t.Errorf("String(%q) = %q holds a control character", s, q)
		}
		v, rest, err := Unquote(q + " key=x")
		if err != nil || v != s || rest != " key=x" {
			t.Errorf("Unquote(String(%q)) = %q, %q, %v", s, v, rest, err)
		}
	}
	for _, bad := range []string{"plain", "'open", `'a\q'`, "'a\nb'"} {
		if _, _, err := Unquote(bad); err == nil {
			t.Errorf("Unquote(%q) accepted", bad)
		}
	}
}
