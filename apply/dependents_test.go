package apply

import (
	"testing"

	"github.com/emcee-db/emcee/effect"
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
