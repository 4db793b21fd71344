package apply

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// A routine body the reader cannot take is searched for a name as a word,
// written plain or quoted as the server quotes it (sqlsyntax.Ident: a
// backtick in the name doubled).
func TestMentionsInABodyTheReaderCannotTake(t *testing.T) {
	body := "BEGIN\n  UPDATE `odd``name` SET total = total + 1;\nEND"
	o := liveObject{kind: "procedure", name: "p", text: body, read: effect.Parse(body)}
	if o.read.Err == nil {
		t.Fatal("the reader took a BEGIN ... END block: this test needs one it cannot take")
	}
	for name, want := range map[string]bool{"odd`name": true, "total": true, "tot": false, "odd`nam": false} {
		if got := o.mentions(name); got != want {
			t.Errorf("mentions(%q) = %v, want %v", name, got, want)
		}
	}
}

// A body the reader cannot take names app.t, for an object of another
// database, where its text writes the two names as one qualified name:
// plain, between backticks or (created under ANSI_QUOTES) double quotes,
// blanks around the dot; not where both stand apart (its own t beside
// app.keep), nor app as a table (other.app.t is a column), nor APP where
// the server tells databases' names' case apart.
func TestNamesTableOfInABodyTheReaderCannotTake(t *testing.T) {
	for _, c := range []struct {
		body       string
		exact, any bool // the answer on servers telling case apart, and on others
	}{
		{"SELECT legacy FROM app.t", true, true},
		{"SELECT legacy FROM `app` . `t`", true, true},
		{"SELECT x FROM app.T WHERE app.t.legacy = 1", true, true},
		{`SELECT "legacy" FROM "app"."t"`, true, true},
		{"INSERT INTO t (id, legacy) SELECT id, 0 FROM app.keep", false, false},
		{"SELECT other.app.t FROM other.app", false, false},
		{"SELECT legacy FROM `APP`.t", false, true},
		{"SELECT legacy FROM app_x.t", false, false},
	} {
		body := "BEGIN " + c.body + "; END"
		for _, fold := range []bool{false, true} {
			o := liveObject{kind: "procedure", db: "other", name: "p", text: body, read: effect.Parse(body), foldDB: fold}
			if o.read.Err == nil {
				t.Fatal("the reader took a BEGIN ... END block: this test needs one it cannot take")
			}
			want := c.exact
			if fold {
				want = c.any
			}
			if got := o.namesTableOf("app", "t"); got != want {
				t.Errorf("%s (lower_case_table_names folding: %v): namesTableOf(app, t) = %v, want %v", body, fold, got, want)
			}
		}
	}
}

// A column added to t breaks an insert into t that gives a value for each
// column in order, not one naming its columns, nor one into another
// table whose name starts with t's; an object of another database only
// where it names app.t.
func TestInsertsWithoutColumns(t *testing.T) {
	for _, c := range []struct {
		body      string
		home, xdb bool
	}{
		{"BEGIN INSERT INTO t VALUES (1, 'a'); END", true, false},
		{"BEGIN INSERT INTO t PARTITION (p0, p1) VALUES (1, 'a'); END", true, false},
		{"BEGIN INSERT INTO app.t (SELECT * FROM t_staging); END", true, true},
		{"BEGIN INSERT INTO t (value, name) VALUES (1, 'a'); END", false, false},
		{"BEGIN insert ignore `t` select * from t_staging; END", true, false},
		{"BEGIN REPLACE app.t VALUE (1, 'a'); END", true, true},
		{"BEGIN INSERT INTO `app` . `t`\nSELECT 1, 'a'; END", true, true},
		{"BEGIN INSERT INTO t (id, name) VALUES (1, 'a'); END", false, false},
		{"BEGIN INSERT INTO t SET id = 1; END", false, false},
		{"BEGIN INSERT INTO t_archive VALUES (1, 'a'); END", false, false},
		{"BEGIN INSERT INTO other.t VALUES (1, 'a'); END", false, false},
		{"BEGIN SELECT 1 INTO @t; END", false, false},
	} {
		for _, db := range []string{"", "reports"} {
			o := liveObject{kind: "procedure", name: "p", db: db, text: c.body, read: effect.Parse(c.body)}
			want := c.home
			if db != "" {
				want = c.xdb
			}
			if got := o.insertsWithoutColumns("app", "t"); got != want {
				t.Errorf("%q (database %q): got %v, want %v", c.body, db, got, want)
			}
		}
	}
}

// A body the reader cannot take copies every column of t where a
// statement naming t (or a table made from every column of t) counts
// them: inserted, fetched from a cursor, selected into variables, set
// beside another SELECT or compared as a row; not rows sent to the
// client, a cursor read by a FOR loop, nor EXISTS (SELECT * ...).
func TestCopiesEveryColumnInABodyTheReaderCannotTake(t *testing.T) {
	for body, want := range map[string]bool{
		"BEGIN SELECT * FROM t; END": false,
		"BEGIN SELECT * FROM t WHERE id > 0 ORDER BY id; SELECT COUNT(*) FROM t; END":                                               false,
		"BEGIN IF EXISTS (SELECT * FROM t WHERE id = 1) THEN UPDATE t SET name = 'x'; END IF; END":                                  false,
		"BEGIN INSERT INTO a SELECT id, 'x;y' FROM u; SELECT * FROM t; END":                                                         false,
		"BEGIN INSERT INTO a SELECT * FROM u; SELECT id FROM t; END":                                                                false,
		"BEGIN INSERT INTO a SELECT id FROM (SELECT * FROM t) d; END":                                                               false,
		"BEGIN DECLARE c CURSOR FOR SELECT * FROM t; FOR r IN c DO SELECT r.id; END FOR; END":                                       false,
		"BEGIN CREATE TEMPORARY TABLE tmp AS SELECT * FROM t; SELECT * FROM tmp; END":                                               false,
		"BEGIN SELECT * FROM t INTO OUTFILE '/tmp/t.txt'; END":                                                                      false,
		"BEGIN DECLARE a, b INT; DECLARE c CURSOR FOR SELECT * FROM t; OPEN c; FETCH c INTO a, b; CLOSE c; END":                     true,
		"BEGIN DECLARE a, b INT; DECLARE `my c` CURSOR FOR (SELECT t.* FROM t); OPEN `my c`; FETCH NEXT FROM `my c` INTO a, b; END": true,
		"BEGIN INSERT INTO a (SELECT * FROM t); END":                                                                                true,
		"BEGIN INSERT INTO a PARTITION (p0) SELECT * FROM t; END":                                                                   true,
		"BEGIN REPLACE INTO a SELECT * FROM t; END":                                                                                 true,
		"BEGIN INSERT IGNORE a SELECT DISTINCT * FROM t; END":                                                                       true,
		"BEGIN SELECT * INTO @a, @b FROM t LIMIT 1; END":                                                                            true,
		"BEGIN SELECT * FROM t LIMIT 1 INTO @a, @b; END":                                                                            true,
		"BEGIN SELECT * FROM t UNION ALL SELECT 1, 'x'; END":                                                                        true,
		"BEGIN SET @n = COALESCE((SELECT * FROM t LIMIT 1), 0); END":                                                                true,
		"BEGIN RETURN (SELECT * FROM t LIMIT 1); END":                                                                               true,
		"BEGIN DECLARE a, b INT; DECLARE c CURSOR (k INT) FOR SELECT * FROM t WHERE id = k; OPEN c (1); FETCH c INTO a, b; END":     true,
		"BEGIN (SELECT * FROM t); END":                                                                                              false,
		"BEGIN IF 1 THEN (SELECT * FROM t); END IF; END":                                                                            false,
		"BEGIN SELECT COUNT(*) FROM (SELECT * FROM t) d; END":                                                                       false,
		"BEGIN SELECT id FROM u WHERE (id, name) IN (SELECT * FROM t); END":                                                         true,
		"BEGIN CREATE TEMPORARY TABLE tmp AS SELECT * FROM t; INSERT INTO a SELECT * FROM tmp; END":                                 true,
		"BEGIN IF 1 THEN CREATE TABLE IF NOT EXISTS `t copy` SELECT * FROM t; END IF; INSERT INTO a SELECT * FROM `t copy`; END":    true,
	} {
		o := liveObject{kind: "procedure", name: "p", text: body, read: effect.Parse(body)}
		if o.read.Err == nil {
			t.Fatalf("the reader took %q: this test needs bodies it cannot take", body)
		}
		if got := o.copiesEveryColumn("app", "t"); got != want {
			t.Errorf("%s: copiesEveryColumn(app, t) = %v, want %v", body, got, want)
		}
	}
	for body, want := range map[string]bool{
		"BEGIN SET @q = CONCAT('INSERT INTO a SELECT * FROM ', 't'); PREPARE s FROM @q; EXECUTE s; END": true,
		"BEGIN EXECUTE IMMEDIATE 'DELETE FROM t'; END":                                                  true,
		"BEGIN EXECUTE s; END": false,
	} {
		o := liveObject{kind: "procedure", name: "p", text: body, read: effect.Parse(body)}
		if got := o.dynamic(); got != want {
			t.Errorf("%s: dynamic = %v, want %v", body, got, want)
		}
	}
}

// A grant on one database to a role whose name holds " ON *.* TO " is no
// global grant: its privileges were counted as held on every database,
// and the note saying other databases' objects go unchecked was not
// given.
func TestGlobalGrant(t *testing.T) {
	for line, want := range map[string]string{
		"GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON *.* TO `deploy`@`%`":        "SELECT, SHOW VIEW, TRIGGER, EVENT",
		"GRANT USAGE ON *.* TO `deploy`@`%` IDENTIFIED BY PASSWORD '*AB'":       "USAGE",
		"GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION":   "ALL PRIVILEGES",
		"GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `app`.* TO `x ON *.* TO y`": "",
		"GRANT SELECT, SHOW VIEW ON `a ON *.* TO `.* TO `r`":                    "",
		"GRANT `reader ON *.* TO ` TO `deploy`@`%`":                             "",
		"GRANT SELECT (`c ON *.* TO `) ON `app`.`t` TO `deploy`@`%`":            "",
	} {
		got := ""
		if m := globalGrant.FindStringSubmatch(line); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("%s: global privileges %q, want %q", line, got, want)
		}
	}
}

// What the statements of a run do to the triggers and views, in order:
// one made and dropped again is gone, a table dropped takes the triggers
// made on it along, a table renamed moves them, one made in place of a
// live one stands for it, and one made stands with where it is made.
func TestRunObjects(t *testing.T) {
	s := &Session{Project: &project.Project{PlansDir: "plans"}}
	rev := &revision.Revision{ID: revision.ID{Release: "b", Phase: revision.Contract, Seq: 1}, Path: "b/b_contract01.sql"}
	for i, sql := range []string{
		"CREATE SQL SECURITY INVOKER VIEW gone AS SELECT id, a FROM t",
		"CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.a = NEW.b",
		"CREATE TRIGGER u_bi BEFORE INSERT ON u FOR EACH ROW SET NEW.a = NEW.b",
		"DROP VIEW `GONE`",
		"DROP TABLE u",
		"CREATE SQL SECURITY INVOKER VIEW v AS SELECT id, c FROM t",
		"RENAME TABLE t TO t2",
	} {
		rev.Statements = append(rev.Statements, revision.Statement{SQL: sql, Line: 4 + 3*i})
	}
	run := runObjects{objs: []liveObject{{kind: "view", name: "v"}, {kind: "view", name: "w"}, {kind: "trigger", name: "u_bu", table: "u"}}}
	for j := range rev.Statements {
		run.ran(s, rev, j)
	}
	var got []string
	for _, o := range run.objs {
		got = append(got, o.String())
	}
	want := "view w; trigger t_bi (BEFORE INSERT on t2, created by b_contract01 statement 2 at plans/b/b_contract01.sql:7); view v (created by b_contract01 statement 6 at plans/b/b_contract01.sql:19)"
	if strings.Join(got, "; ") != want {
		t.Errorf("objects after the run:\n got %s\nwant %s", strings.Join(got, "; "), want)
	}
	if o := run.objs[2]; !o.readsColumn("app", "t", "c") || o.readsColumn("app", "t", "a") {
		t.Errorf("%s read from its statement: reads t.c %v, t.a %v", o, o.readsColumn("app", "t", "c"), o.readsColumn("app", "t", "a"))
	}
}
