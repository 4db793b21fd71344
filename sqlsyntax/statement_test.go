package sqlsyntax

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// What the parser refuses of the MariaDB statements plans hold, read
// narrowly: every form emcee writes, and the ones a hand may write.
func TestReadStmtMariaDB(t *testing.T) {
	for _, c := range []struct{ sql, want string }{
		// emcee writes these (splitter/column_sync.go, splitter/flavor.go).
		{"CREATE TRIGGER `emcee_images_train_25904f_bi` BEFORE INSERT ON `images` FOR EACH ROW\nBEGIN\n  IF `NEW`.`visibility` IS NULL THEN\n    SET `NEW`.`visibility` = (1);\n  END IF;\nEND",
			"*ast.ProcedureBlock trigger=emcee_images_train_25904f_bi BEFORE INSERT ON images"},
		{"DROP TRIGGER IF EXISTS `emcee_images_train_25904f_bi`", "<nil> drop trigger=emcee_images_train_25904f_bi"},
		{"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `t` ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`), ALGORITHM=INPLACE, LOCK=NONE",
			"*ast.AlterTableStmt settings=foreign_key_checks"},
		// A hand may write these.
		{"create definer=`root`@`%` trigger db.t_bu after update on `db`.`t` for each row set @x = 1", "*ast.SetStmt trigger=t_bu AFTER UPDATE ON t"},
		{"CREATE OR REPLACE TRIGGER `a``b` BEFORE DELETE ON t FOR EACH ROW FOLLOWS other DELETE FROM u WHERE id = OLD.id", "*ast.DeleteStmt trigger=a`b BEFORE DELETE ON t"},
		{"DROP TRIGGER db.tr", "<nil> drop trigger=tr"},
		{"SET STATEMENT sql_mode='a FOR b', max_statement_time=5 FOR DROP TABLE t", "*ast.DropTableStmt settings=sql_mode,max_statement_time"},
		{"ALTER TABLE t ADD COLUMN x int, ALGORITHM=NOCOPY", "*ast.AlterTableStmt nocopy"},
		{"ALTER TABLE t COMMENT 'ALGORITHM=NOCOPY', ALGORITHM=NOCOPY", "*ast.AlterTableStmt nocopy"},
		{"ALTER TABLE t COMMENT 'ALGORITHM=NOCOPY', ALGORITHM=INSTANT", "*ast.AlterTableStmt"},
		{"ALTER ONLINE TABLE t WAIT 5 ADD COLUMN IF NOT EXISTS x int", "*ast.AlterTableStmt online"},
		{"ALTER TABLE IF EXISTS t NOWAIT DROP FOREIGN KEY IF EXISTS fk", "*ast.AlterTableStmt"},
		{"DROP TABLE t wait 3", "*ast.DropTableStmt"},
		{"RENAME TABLE a TO b NOWAIT", "*ast.RenameTableStmt"},
		{"ALTER TABLE `wait` ADD COLUMN `nowait` int", "*ast.AlterTableStmt"},
	} {
		st, err := ReadStmt(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		got := fmt.Sprintf("%T", st.Node)
		if tr := st.Trigger; tr != nil && tr.Drop {
			got += " drop trigger=" + tr.Name
		} else if tr != nil {
			got += fmt.Sprintf(" trigger=%s %s %s ON %s", tr.Name, tr.Timing, tr.Event, tr.Table)
		}
		var set []string
		for _, v := range st.Settings {
			set = append(set, v.Name)
		}
		if set != nil {
			got += " settings=" + strings.Join(set, ",")
		}
		if st.Online {
			got += " online"
		}
		if st.NoCopy {
			got += " nocopy"
		}
		if got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
}

// What the reader cannot read is an error at its position, never a guess.
func TestReadStmtRefuses(t *testing.T) {
	for _, c := range []struct{ sql, at, msg string }{
		{"ALTER TABLE t ADD COLUMN x int INVISIBLE", "INVISIBLE", `from "INVISIBLE" on`},
		{"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SIGNAL SQLSTATE '45000'; END", "SQLSTATE", "trigger's body"},
		{"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN IF x THEN", "", "ends too early"},
		{"CREATE TRIGGER /* x */ tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1", "TRIGGER", "trigger's head"},
		{"CREATE TABLE t (a int) TRIGGER x", "TRIGGER", `from "TRIGGER x" on`},
		{"SET STATEMENT x = FOR ALTER TABLE t ADD COLUMN y int", "x =", "settings of SET STATEMENT"},
		{"SET STATEMENT x=1 FOR ALTER TABLE t ADD COLUMN y int INVISIBLE", "INVISIBLE", `from "INVISIBLE" on`},
		{"ALTER TABLE t ADD COLUMN a polygon NULL, ALGORITHM=INSTANT", "polygon", "polygon is a spatial type: emcee's SQL reader, TiDB's MySQL parser, cannot read spatial types"},
		{"CREATE TABLE t (`id` int NOT NULL, `loc` POINT NOT NULL, SPATIAL INDEX `sp` (`loc`))", "POINT", "POINT is a spatial type"},
		{"ALTER TABLE t ALGORITHM=FAST", "", "Unknown ALGORITHM"},
		{"DROP TABLE a; DROP TABLE b", "", "2 statements"},
		{"ALTER TABLE t /*!50000 DROP COLUMN a */ ADD COLUMN b int", "/*!", "executable comment"},
	} {
		_, err := ReadStmt(c.sql)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%s: %v, want an error saying %q", c.sql, err, c.msg)
			continue
		}
		if want := strings.Index(c.sql, c.at); c.at != "" && e.Offset != want {
			t.Errorf("%s: error at %d, want %d (%q): %v", c.sql, e.Offset, want, c.at, err)
		}
	}
}

// The listing of a closed gate is the gate selecting its rows, written from
// its tree; a gate that does not count the rows of one table has none.
func TestGateListing(t *testing.T) {
	for gate, want := range map[string]string{
		"SELECT COUNT(*) FROM `images` WHERE `owner` IS NULL": "SELECT * FROM `images` WHERE `owner` IS NULL LIMIT 100",
		"SELECT COUNT(*) FROM `images` WHERE (`slug`) IN (SELECT `slug` FROM `images` WHERE `slug` IS NOT NULL GROUP BY `slug` HAVING COUNT(*) > 1)":                       "SELECT * FROM `images` WHERE (`slug`) IN (SELECT `slug` FROM `images` WHERE `slug` IS NOT NULL GROUP BY `slug` HAVING COUNT(1) > 1) LIMIT 100",
		"SELECT COUNT(*) FROM `images` AS child WHERE child.`owner_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `owners` AS parent WHERE parent.`id` = child.`owner_id`)": "SELECT * FROM `images` AS `child` WHERE `child`.`owner_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `owners` AS `parent` WHERE `parent`.`id` = `child`.`owner_id`) LIMIT 100",
		// A name or string that looks like the gate's shape is only a name.
		"select count(*) from `SELECT COUNT(*) FROM ` where `x` = ' LIMIT 1'": "SELECT * FROM `SELECT COUNT(*) FROM ` WHERE `x` = ' LIMIT 1' LIMIT 100",
		// Counting keys, groups or values is not counting rows.
		"SELECT COUNT(*) FROM (SELECT `slug` FROM `images` GROUP BY `slug` HAVING COUNT(*) > 1) AS duplicate_keys": "",
		"SELECT COUNT(*) FROM `images` WHERE `a` IS NULL GROUP BY `b`":                                             "",
		"SELECT COUNT(`a`) FROM `images` WHERE `a` = 1":                                                            "",
		"SELECT COUNT(DISTINCT `a`) FROM `images` WHERE `a` = 1":                                                   "",
		"SELECT SUM(x) FROM t WHERE x > 0":                                                                         "",
		"SELECT COUNT(*) FROM `a` JOIN `b` ON `a`.`id` = `b`.`id` WHERE `b`.`x` IS NULL":                           "",
		"SELECT COUNT(*) FROM `images`":                                                                            "",
	} {
		g, err := ReadGate(gate)
		if err != nil {
			t.Errorf("%s: %v", gate, err)
			continue
		}
		if got := g.Listing(); got != want {
			t.Errorf("%s\n got %q\nwant %q", gate, got, want)
		}
	}
	for _, bad := range []string{"DELETE FROM t", "SET STATEMENT max_statement_time=1 FOR SELECT COUNT(*) FROM t WHERE a"} {
		if _, err := ReadGate(bad); err == nil {
			t.Errorf("%s read as a gate", bad)
		}
	}
}

// A backfill's pending rows and key ranges come from its tree: WHERE in a
// string, a name or a subquery is not the statement's WHERE.
func TestBackfill(t *testing.T) {
	for _, c := range []struct{ sql, pending, batch string }{
		{"UPDATE `t` SET `a` = 1 WHERE `a` IS NULL", "`a` IS NULL",
			"UPDATE `t` SET `a`=1 WHERE (`a` IS NULL) AND `k` > ? AND `k` <= ?"},
		{"UPDATE t SET a = (SELECT x FROM u WHERE u.id = t.id) WHERE a IS NULL", "`a` IS NULL",
			"UPDATE `t` SET `a`=(SELECT `x` FROM `u` WHERE `u`.`id` = `t`.`id`) WHERE (`a` IS NULL) AND `k` > ? AND `k` <= ?"},
		{"UPDATE t SET a = 'where' , b = \"WHERE\" where (a IS NULL OR b = 'x where y')", "(`a` IS NULL OR `b` = 'x where y')",
			"UPDATE `t` SET `a`='where', `b`='WHERE' WHERE (`a` IS NULL OR `b` = 'x where y') AND `k` > ? AND `k` <= ?"},
		{"UPDATE t SET nowhere = 1 WHERE somewhere IS NULL OR `where` = 2", "`somewhere` IS NULL OR `where` = 2",
			"UPDATE `t` SET `nowhere`=1 WHERE (`somewhere` IS NULL OR `where` = 2) AND `k` > ? AND `k` <= ?"},
	} {
		b, err := ReadBackfill(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if pending := b.Count("k", false, false, false); b.Table != "t" || pending != "SELECT COUNT(*) FROM `t` WHERE "+c.pending || b.Batch("k", false, true) != c.batch {
			t.Errorf("%s:\n got %s, %q, %q\nwant t, %q, %q", c.sql, b.Table, pending, b.Batch("k", false, true), c.pending, c.batch)
		}
	}
	b, _ := ReadBackfill("UPDATE `t` SET `a` = 1 WHERE `a` IS NULL OR `b` = 2")
	for got, want := range map[string]string{
		b.Batch("k", false, false):         "UPDATE `t` SET `a`=1 WHERE (`a` IS NULL OR `b` = 2) AND `k` <= ?",
		b.Count("k", false, false, false):  "SELECT COUNT(*) FROM `t` WHERE `a` IS NULL OR `b` = 2",
		b.Count("k`x", false, true, true):  "SELECT COUNT(*) FROM `t` WHERE (`a` IS NULL OR `b` = 2) AND `k``x` > ? AND `k``x` <= ?",
		b.Batch("k`) OR (1", false, false): "UPDATE `t` SET `a`=1 WHERE (`a` IS NULL OR `b` = 2) AND `k``) OR (1` <= ?",
		// A TIMESTAMP key: a range its index finds, and the instants exactly.
		b.Batch("k", true, true): "UPDATE `t` SET `a`=1 WHERE (`a` IS NULL OR `b` = 2) AND `k` >= ? AND UNIX_TIMESTAMP(`k`) > ? AND `k` <= ? AND UNIX_TIMESTAMP(`k`) <= ?",
	} {
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
	for sql, msg := range map[string]string{
		"UPDATE t SET a = 1":                                                          "needs a WHERE",
		"UPDATE t, u SET t.a = u.a WHERE t.a IS NULL":                                 "updates one table",
		"UPDATE db.t SET a = 1 WHERE a IS NULL":                                       "updates one table",
		"UPDATE t SET a = 1 WHERE a IS NULL LIMIT 10":                                 "no ORDER BY or LIMIT",
		"DELETE FROM t WHERE a IS NULL":                                               "a backfill statement starts with UPDATE (UPDATE <table> SET ... WHERE <pending rows>) or INSERT (INSERT INTO <table> (...) SELECT ... FROM <table> WHERE <pending rows>), but this one is",
		"INSERT INTO u (a) SELECT a FROM t":                                           "needs a WHERE",
		"INSERT INTO u (a) VALUES (1)":                                                "INSERT INTO <table> (<columns>) SELECT",
		"INSERT INTO u SELECT a FROM t WHERE a > 0":                                   "INSERT INTO <table> (<columns>) SELECT",
		"INSERT IGNORE INTO u (a) SELECT a FROM t WHERE a > 0":                        "no REPLACE, IGNORE or ON DUPLICATE KEY UPDATE",
		"REPLACE INTO u (a) SELECT a FROM t WHERE a > 0":                              "no REPLACE, IGNORE or ON DUPLICATE KEY UPDATE",
		"INSERT INTO u (a) SELECT a FROM t WHERE a > 0 ON DUPLICATE KEY UPDATE a = 1": "no REPLACE, IGNORE or ON DUPLICATE KEY UPDATE",
		"INSERT INTO u (a) SELECT t.a FROM t, v WHERE t.a > 0":                        "selects them from one table",
		"INSERT INTO u (a) SELECT a FROM t WHERE a > 0 LIMIT 5":                       "with a WHERE alone",
		"INSERT INTO u (a) SELECT DISTINCT a FROM t WHERE a > 0":                      "with a WHERE alone",
		"UPDATE t SET a = 1 WHERE a IS NULL; DROP TABLE t":                            "2 statements",
		"UPDATE t SET a = 1 WHERE a IS NULL -- \n OR 1 = 1)":                          "syntax error",
	} {
		if _, err := ReadBackfill(sql); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want an error saying %q", sql, err, msg)
		}
	}
}

// A data migration that moves values into rows of a new table is one
// INSERT ... SELECT written from the declared trees; it is read back as a
// backfill over the table it reads: its batches and counts bound that
// table's key, it keeps no column (it updates none), refills none, and is
// never merged with the table's other backfills.
func TestInsertBackfill(t *testing.T) {
	list, err := ParseAssignments("login = `login`, password = token_auth, description = 'migrated'")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := ParseExpr("token_auth <> '' AND NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login)", Statement)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := InsertBackfill("user_token_auth", "user", list, pending)
	if err != nil {
		t.Fatal(err)
	}
	const where = "(`token_auth` != '' AND NOT EXISTS (SELECT 1 FROM `user_token_auth` AS `t` WHERE `t`.`login` = `user`.`login`))"
	if want := "INSERT INTO `user_token_auth` (`login`,`password`,`description`) SELECT `login`,`token_auth`,'migrated' FROM `user` WHERE " + where; sql != want {
		t.Fatalf("insert backfill:\n%s\nwant\n%s", sql, want)
	}
	b, err := ReadBackfill(sql)
	if err != nil {
		t.Fatal(err)
	}
	if b.Table != "user" || b.Into != "user_token_auth" {
		t.Errorf("table %q into %q, want user into user_token_auth", b.Table, b.Into)
	}
	if got, want := b.Batch("login", false, true), "INSERT INTO `user_token_auth` (`login`,`password`,`description`) SELECT `login`,`token_auth`,'migrated' FROM `user` WHERE "+where+" AND `login` > ? AND `login` <= ?"; got != want {
		t.Errorf("batch:\n%s\nwant\n%s", got, want)
	}
	if got, want := b.Count("login", false, false, true), "SELECT COUNT(*) FROM `user` WHERE "+where+" AND `login` <= ?"; got != want {
		t.Errorf("count:\n%s\nwant\n%s", got, want)
	}
	if b.Keeping([]string{"changed"}).SQL() != sql {
		t.Errorf("an insert keeps no column: %s", b.Keeping([]string{"changed"}).SQL())
	}
	if len(Refills(b)) != 0 {
		t.Errorf("an insert refills no column: %v", Refills(b))
	}
	if r, err := ReadRewrite(sql); err != nil || r.Table != "user" || r.Pending != where || r.Stuck() != "" {
		t.Errorf("rewrite: %+v, %v", r, err)
	}
	if _, err := MergeBackfills("UPDATE `user` SET `token_auth` = '' WHERE `token_auth` IS NULL", sql); err == nil || !strings.Contains(err.Error(), "inserts rows into `user_token_auth`") {
		t.Errorf("merging an insert: %v", err)
	}
	if cols, vals, ok := b.Reinsert(); !ok || strings.Join(cols, ",") != "login,password,description" || strings.Join(vals, ",") != "`login`,`token_auth`,'migrated'" {
		t.Errorf("reinsert: %v %v %v", cols, vals, ok)
	}
	if now, err := ReadBackfill(strings.Replace(sql, "'migrated'", "NOW()", 1)); err != nil {
		t.Fatal(err)
	} else if _, _, ok := now.Reinsert(); ok {
		t.Errorf("a row inserted with NOW() is not inserted again the same")
	}
	if _, _, ok := (&Backfill{}).Reinsert(); ok {
		t.Errorf("an UPDATE inserts nothing again")
	}
}

// ReadOf tells whether a pending predicate reads the new table, and
// whether in a subquery that looks at the row: a bare name the subquery's
// table has too is that table's column there, as the server resolves it,
// so `t.login = login` compares t's login with itself.
func TestReadOf(t *testing.T) {
	tables := map[string][]string{"user": {"login", "token_auth"}, "user_token_auth": {"id", "login", "password"}, "other": {"id", "n"}}
	scope := Scope{Table: "user", Columns: tables["user"], Tables: func(name string) ([]string, bool) {
		cols, ok := tables[strings.ToLower(name)]
		return cols, ok
	}}
	for _, c := range []struct {
		pending, table string
		want           TableRead
	}{
		{"token_auth <> '' AND NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login)", "USER_TOKEN_AUTH", TableRead{Reads: true, Row: true, Guarded: true}},
		// Under an OR, a row the other side selects is selected whatever
		// the new table holds; parentheses and nested ANDs are looked through.
		{"token_auth <> '' OR NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true}},
		{"(login <> '' XOR NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login)) AND token_auth <> ''", "user_token_auth", TableRead{Reads: true, Row: true}},
		{"(login <> '' OR token_auth <> '') AND (token_auth <> 'x' AND ((NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login))))", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"token_auth <> '' AND NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login)", "user", TableRead{}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth WHERE user_token_auth.login = login)", "user_token_auth", TableRead{Reads: true, Shadowed: []string{"login"}}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.password = token_auth)", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"(SELECT COUNT(*) FROM user_token_auth) < 10", "user_token_auth", TableRead{Reads: true}},
		// The row is read in a subquery nested in the one reading the table.
		{"NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.id IN (SELECT o.id FROM other AS o WHERE o.n = user.login))", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		// ... and beside it, not inside it.
		{"NOT EXISTS (SELECT 1 FROM user_token_auth) AND EXISTS (SELECT 1 FROM other WHERE other.n = user.login)", "user_token_auth", TableRead{Reads: true}},
		{"token_auth <> ''", "user_token_auth", TableRead{}},
		// The row's column compared with the new table's through IN: the
		// row is outside the subquery. One NULL in the subquery's column
		// makes NOT IN NULL for every row (In: diff refuses it).
		{"login NOT IN (SELECT t.login FROM user_token_auth t)", "user_token_auth", TableRead{Reads: true, In: true}},
		{"`user`.login NOT IN (SELECT login FROM user_token_auth)", "user_token_auth", TableRead{Reads: true, In: true, Shadowed: []string{"login"}}},
		// IN over another table, inside the subquery reading this one.
		{"NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.login IN (SELECT o.n FROM other AS o WHERE o.id = `user`.token_auth))", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM other o JOIN user_token_auth t ON t.login = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM other o WHERE EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login))", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		// Compared with the row through another table of the SELECT
		// (OpenCart 3.0's affiliates moved to customer_affiliate, keyed by
		// the customer found by email), in ON or WHERE; not when a link of
		// the chain is missing or under an OR.
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t JOIN other o ON o.id = t.id WHERE o.n = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t, other o WHERE t.id = o.id AND (o.n = `user`.login))", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t JOIN other o ON o.n = `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t JOIN other o ON o.id > t.id - t.id WHERE o.n = `user`.login OR o.id = t.id)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t, other o, other p WHERE t.id = p.id AND o.n = `user`.login)", "user_token_auth", TableRead{Reads: true}},
		// An outer join's ON keeps every row of its other side: EXISTS
		// finds one whatever the row once the new table has rows.
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t LEFT JOIN other o ON t.login = `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t LEFT JOIN other o ON o.id = t.id AND o.n = `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM other o RIGHT JOIN user_token_auth t ON t.login = `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM other o LEFT JOIN user_token_auth t ON t.login = `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t JOIN other o ON o.id = t.id LEFT JOIN other p ON p.id = o.id WHERE o.n = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		// EXISTS, NOT forgotten: true once the row's rows are there.
		{"EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, Present: true}},
		{"EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login) AND NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.id = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		// Selecting a row only once its rows are there, however written.
		{"(SELECT COUNT(*) FROM user_token_auth t WHERE t.login = `user`.login) > 0", "user_token_auth", TableRead{Reads: true, Row: true, Present: true}},
		{"(SELECT COUNT(*) FROM user_token_auth t WHERE t.login = `user`.login) = 0", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"NOT ((SELECT COUNT(*) FROM user_token_auth t WHERE t.login = `user`.login) < 1)", "user_token_auth", TableRead{Reads: true, Row: true, Present: true}},
		{"(SELECT t.login FROM user_token_auth t WHERE t.login = `user`.login) IS NOT NULL", "user_token_auth", TableRead{Reads: true, Row: true, Present: true}},
		{"(SELECT MAX(t.login) FROM user_token_auth t WHERE t.login = `user`.login) IS NULL", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"(SELECT t.login FROM user_token_auth t WHERE t.login = `user`.login) = `user`.login", "user_token_auth", TableRead{Reads: true, Row: true, Present: true}},
		{"EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login) = 1", "user_token_auth", TableRead{Reads: true, Row: true, Present: true}},
		{"NOT NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, Present: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login) <=> TRUE", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		// Compared, but not by equality: the rows of other rows answer
		// too, so once migrate has inserted some, none is selected.
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login <> `user`.login)", "user_token_auth", TableRead{Reads: true, Apart: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login < `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE NOT (t.login = `user`.login))", "user_token_auth", TableRead{Reads: true, Apart: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login NOT IN (`user`.login))", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE STRCMP(t.login, `user`.login))", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE IF(t.login = `user`.login, 0, 1))", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login LIKE `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login OR t.login <> `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE NOT (t.login = `user`.login AND t.id = `user`.login))", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE NOT (t.login <> `user`.login OR t.id > 0))", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t JOIN other o ON o.id <> t.id WHERE o.n = `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login IN (`user`.login, `user`.token_auth))", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login <=> `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		// Rows that differ from the row, in nothing ordered: of two rows
		// alike, each finds the other (a delete of duplicates takes both).
		{"EXISTS (SELECT 1 FROM user_token_auth d WHERE d.login <> `user`.login AND (d.login = `user`.login))", "user_token_auth", TableRead{Reads: true, Row: true, Apart: true, Present: true}},
		{"EXISTS (SELECT 1 FROM user_token_auth d WHERE d.login <> `user`.login AND d.id > 0)", "user_token_auth", TableRead{Reads: true}},
		{"EXISTS (SELECT 1 FROM user_token_auth d WHERE d.password <> `user`.token_auth)", "user_token_auth", TableRead{Reads: true}},
		// The row named in the subquery, but never compared with the new
		// table's rows: the answer is the same for every row (any row
		// there or none), as when the row is not named at all.
		{"NOT EXISTS (SELECT `user`.login FROM user_token_auth t)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t ORDER BY `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE `user`.login = `user`.login)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.id > 0 AND `user`.login IS NOT NULL)", "user_token_auth", TableRead{Reads: true}},
		{"`user`.login NOT IN (SELECT `user`.login FROM user_token_auth)", "user_token_auth", TableRead{Reads: true}},
		// A comparison with the row under an OR whose other side does not
		// compare with it: any row of the table satisfying that side makes
		// EXISTS true for every row.
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login OR t.id > 0)", "user_token_auth", TableRead{Reads: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login OR t.password = `user`.token_auth)", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.id > 0 AND (t.login = `user`.login OR t.password = `user`.token_auth))", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE NOT (t.login <> `user`.login))", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
		// A UNION beside the branch reading the table answers for every
		// row once its other branch has a row: NOT EXISTS is then false
		// everywhere, whatever the branch compares.
		{"NOT EXISTS (SELECT 1 FROM other UNION SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, SetOp: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login UNION ALL SELECT 1 FROM other o WHERE o.n = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, SetOp: true, Guarded: true}},
		{"NOT EXISTS (SELECT 1 FROM other o WHERE o.n = `user`.login UNION SELECT 1 FROM other) AND NOT EXISTS (SELECT 1 FROM user_token_auth t WHERE t.login = `user`.login)", "user_token_auth", TableRead{Reads: true, Row: true, Guarded: true}},
	} {
		e, err := ParseExpr(c.pending, Statement)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Resolve(scope); err != nil {
			t.Fatalf("%s: %v", c.pending, err)
		}
		if got := e.ReadOf(scope, c.table); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s, reading %s: %+v, want %+v", c.pending, c.table, got, c.want)
		}
	}
}

// A backfill keeps the columns the server stamps on every UPDATE by
// assigning them to themselves, unless it assigns them itself; a name that
// needs quoting stays one name.
func TestBackfillKeeping(t *testing.T) {
	b, err := ReadBackfill("UPDATE `t` SET `a` = 1, `Changed` = NOW() WHERE `a` IS NULL")
	if err != nil {
		t.Fatal(err)
	}
	k := b.Keeping([]string{"updated_at", "changed", "x` = 1, `y"})
	for got, want := range map[string]string{
		k.SQL():                    "UPDATE `t` SET `a`=1, `Changed`=NOW(), `updated_at`=`updated_at`, `x`` = 1, ``y`=`x`` = 1, ``y` WHERE `a` IS NULL",
		k.Batch("k", false, false): "UPDATE `t` SET `a`=1, `Changed`=NOW(), `updated_at`=`updated_at`, `x`` = 1, ``y`=`x`` = 1, ``y` WHERE (`a` IS NULL) AND `k` <= ?",
		b.SQL():                    "UPDATE `t` SET `a`=1, `Changed`=NOW() WHERE `a` IS NULL",
	} {
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}

// FuzzStmt feeds hostile and careless plan statements to the reader. For
// every input: no panic, and an error is positioned inside the input. For
// a backfill it reads: each batch it writes reads back as an UPDATE of the
// same table whose WHERE is the pending predicate and the key range. For a
// gate it reads: its listing reads back as a SELECT of the same table.
func FuzzStmt(f *testing.F) {
	for _, s := range []string{
		"UPDATE `images` SET `visibility` = (COALESCE(CASE WHEN `is_public` THEN 'public' ELSE 'shared' END, 'shared')) WHERE (`visibility` IS NULL)",
		"UPDATE t SET a = 'where' WHERE a IS NULL OR b = 0 -- tail",
		"SELECT COUNT(*) FROM `images` WHERE (`slug`) IN (SELECT `slug` FROM `images` WHERE `slug` IS NOT NULL GROUP BY `slug` HAVING COUNT(*) > 1)",
		"CREATE TRIGGER `t` BEFORE INSERT ON `x` FOR EACH ROW\nBEGIN\n  IF `NEW`.`a` IS NULL THEN SET `NEW`.`a` = 1; END IF;\nEND",
		"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `t` ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`), ALGORITHM=INPLACE, LOCK=NONE",
		"ALTER ONLINE TABLE t WAIT 5 ADD COLUMN x int, ALGORITHM=NOCOPY",
		"DROP TRIGGER IF EXISTS `a``b`",
		"SET STATEMENT x='FOR' FOR SET STATEMENT y=1 FOR DROP TABLE t",
		"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		_, err := ReadStmt(sql)
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Offset < 0 || e.Offset > len(sql)) {
			t.Fatalf("%q: error without a position inside the input: %v", sql, err)
		}
		if b, err := ReadBackfill(sql); err == nil {
			for _, after := range []bool{false, true} {
				batch := b.Batch("k", false, after)
				back, err := ReadBackfill(batch)
				if err != nil || back.Table != b.Table || !strings.Contains(back.Count("k", false, false, false), " WHERE (") {
					t.Fatalf("%q: batch %q does not read back as an UPDATE of %s with a bounded WHERE: %v", sql, batch, b.Table, err)
				}
			}
		}
		if g, err := ReadGate(sql); err == nil && g.Listing() != "" {
			back, err := ReadGate(g.Listing())
			if err != nil || back.Table != g.Table {
				t.Fatalf("%q: listing %q does not read back as a SELECT of %s: %v", sql, g.Listing(), g.Table, err)
			}
		}
	})
}

// A quoted value Atlas writes as it is reads as the server reads it: one
// string literal, its escapes as the pinned sql_mode has them, or nothing.
func TestLiteral(t *testing.T) {
	for s, want := range map[string]string{
		`'it''s'`: "it's", `"a\"b"`: `a"b`, `'\%\_'`: `\%\_`, `'a\nb\0'`: "a\nb\x00", `''`: "", `'é'`: "é",
		`'a', 'b'`: "!", `'a' COLLATE utf8mb4_bin`: "!", `'x`: "!", `x'41'`: "!", `'a' = 'a'`: "!", `'a'; DROP TABLE t; -- '`: "!",
	} {
		got, ok := Literal(s)
		if !ok {
			got = "!"
		}
		if got != want {
			t.Errorf("Literal(%s) = %q, want %q", s, got, want)
		}
	}
}

// A statement selecting every column of a table (SELECT *, t.*) breaks
// when the table gains or loses one only where their number counts.
func TestCopiesEveryColumn(t *testing.T) {
	for sql, want := range map[string]bool{
		"INSERT INTO a SELECT * FROM t":                                                true,
		"INSERT INTO a (SELECT * FROM t)":                                              true,
		"INSERT INTO a PARTITION (p0) SELECT t.* FROM t":                               true,
		"REPLACE INTO a SELECT * FROM t":                                               true,
		"INSERT INTO a (id, name) SELECT * FROM t WHERE id > 1":                        true,
		"SELECT * FROM t UNION SELECT 1, 2":                                            true,
		"SELECT id FROM u WHERE (id, name) IN (SELECT * FROM t)":                       true,
		"SELECT id FROM u WHERE id = (SELECT * FROM t LIMIT 1)":                        true,
		"CREATE PROCEDURE p() BEGIN DECLARE c CURSOR FOR SELECT * FROM t; OPEN c; END": true,
		"SELECT * FROM t":                                 false,
		"SELECT * FROM t WHERE id > 1 ORDER BY id":        false,
		"SELECT id FROM u WHERE EXISTS (SELECT * FROM t)": false,
		"INSERT INTO a SELECT id, 1 FROM u WHERE NOT EXISTS (SELECT * FROM t WHERE t.id = u.id)":   false,
		"SELECT id FROM (SELECT * FROM t) d":                                                       false,
		"WITH d AS (SELECT * FROM t) SELECT id FROM d":                                             false,
		"CREATE TABLE a AS SELECT * FROM t":                                                        false,
		"SELECT COUNT(*) FROM t":                                                                   false,
		"CREATE PROCEDURE p() BEGIN IF EXISTS (SELECT * FROM t) THEN SELECT * FROM t; END IF; END": false,
	} {
		stmts, err := parse(sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if got := CopiesEveryColumn(stmts[0]); got != want {
			t.Errorf("%s: CopiesEveryColumn = %v, want %v", sql, got, want)
		}
	}
}

// A backfill that fills a column is an UPDATE built as a tree from the
// column's name and the declared expressions, never spliced from text: a
// table and a column named to end the statement (a backtick, a quote, a
// `;` and a comment) stay one name each, the statement reads back as an
// UPDATE of that table setting that column where it is NULL, and it is
// written as plans have always written it (`col` = (value)), so released
// revisions plan again byte for byte.
func TestUpdateBackfillOfHostileNames(t *testing.T) {
	const table, column = "t`; DROP TABLE x; -- '", "c` = 1, `d\" /*"
	fwd, err := ParseExpr("CONCAT(`old``col`, ';'' -- ')", PerRow)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := UpdateBackfill(table, Assign(column, fwd), IsNull(column))
	if err != nil {
		t.Fatal(err)
	}
	want := "UPDATE `t``; DROP TABLE x; -- '` SET `c`` = 1, ``d\" /*` = (CONCAT(`old``col`, ';'' -- ')) WHERE (`c`` = 1, ``d\" /*` IS NULL)"
	if sql != want {
		t.Fatalf("backfill:\n%s\nwant\n%s", sql, want)
	}
	b, err := ReadBackfill(sql)
	if err != nil {
		t.Fatal(err)
	}
	if b.Table != table {
		t.Errorf("reads back as an UPDATE of %q, want %q", b.Table, table)
	}
	if f := Refills(b); len(f) != 1 || f[column] == nil {
		t.Errorf("reads back as filling %v, want %q alone", f, column)
	}

	// A declared list and predicate keep their form: `col` = value WHERE (pending).
	list, err := ParseAssignments("`na``me` = TRIM(`na``me`)")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := ParseExpr("(`na``me` != TRIM(`na``me`))", Statement)
	if err != nil {
		t.Fatal(err)
	}
	sql, err = UpdateBackfill("images", list, pending)
	if want := "UPDATE `images` SET `na``me` = TRIM(`na``me`) WHERE ((`na``me` != TRIM(`na``me`)))"; err != nil || sql != want {
		t.Errorf("data migration backfill:\n%s (%v)\nwant\n%s", sql, err, want)
	}
}

// A backfill inserting rows whose batch the server refused with a
// duplicate key (Gitea 1.15: two users sharing an email, each given its
// primary email row) lists the key values two pending rows give alike.
func TestBackfillCollisions(t *testing.T) {
	b, err := ReadBackfill("INSERT INTO `email_address` (`uid`,`email`,`lower_email`,`is_primary`) SELECT `id`,`email`,LOWER(`email`),TRUE FROM `user` WHERE (NOT EXISTS (SELECT 1 FROM `email_address` AS `e` WHERE `e`.`email` = `user`.`email`))")
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT LOWER(`email`) AS `lower_email`,COUNT(1) AS `rows` FROM `user` WHERE (NOT EXISTS (SELECT 1 FROM `email_address` AS `e` WHERE `e`.`email` = `user`.`email`)) GROUP BY 1 HAVING COUNT(1) > 1 LIMIT 100"
	if got := b.Collisions([]string{"LOWER_EMAIL"}, nil); got != want {
		t.Errorf("one column:\n got %s\nwant %s", got, want)
	}
	if got := b.Collisions([]string{"uid", "email"}, nil); !strings.Contains(got, "SELECT `id` AS `uid`,`email` AS `email`,COUNT(1) AS `rows` FROM `user` WHERE") || !strings.Contains(got, "GROUP BY 1,2 HAVING") {
		t.Errorf("two columns: %s", got)
	}
	if got := b.Collisions([]string{"id"}, nil); got != "" {
		t.Errorf("a key column the INSERT does not set (the server fills it): %s", got)
	}
	// Compared as the key compares them: a _bin email of user, a _ci
	// one of email_address (utf8 spelt utf8mb3).
	want = "SELECT `id` AS `uid`,CONVERT(`email` USING 'utf8mb3') COLLATE utf8mb3_general_ci AS `email`,COUNT(1) AS `rows` FROM `user` WHERE"
	if got := b.Collisions([]string{"uid", "email"}, []string{"", "utf8_general_ci"}); !strings.HasPrefix(got, want) {
		t.Errorf("under the key's collation:\n got %s\nwant %s...", got, want)
	}
	u, err := ReadBackfill("UPDATE `t` SET `a` = 1 WHERE `a` IS NULL")
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Collisions([]string{"a"}, nil); got != "" {
		t.Errorf("an UPDATE inserts no row: %s", got)
	}
}
