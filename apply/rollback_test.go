package apply

import (
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The commands a refused rollback prints to copy data out connect as the
// URL's tls= asks (clientTLS), for each flavour's client: the data must
// not cross the network in the clear because the copy-out command forgot
// TLS.
func TestCopyOutCommandKeepsTLS(t *testing.T) {
	t.Setenv("SSL_CERT_FILE", "/etc/my certs/ca.pem")
	for _, c := range []struct{ target, tls, want string }{
		{"mariadb 10.11", "", "mariadb --no-defaults -h db -P 3306 -u app --default-character-set=utf8mb4"},
		{"mariadb 10.11", "true", "mariadb --no-defaults -h db -P 3306 -u app --default-character-set=utf8mb4 --ssl-ca='/etc/my certs/ca.pem' --ssl-verify-server-cert"},
		{"mariadb 10.11", "skip-verify", "mariadb --no-defaults -h db -P 3306 -u app --default-character-set=utf8mb4 --ssl"},
		{"mysql 8.0", "true", "mysql --no-defaults -h db -P 3306 -u app --default-character-set=utf8mb4 --ssl-ca='/etc/my certs/ca.pem' --ssl-mode=VERIFY_IDENTITY"},
		{"mysql 8.0", "skip-verify", "mysql --no-defaults -h db -P 3306 -u app --default-character-set=utf8mb4 --ssl-mode=REQUIRED"},
	} {
		target, err := project.ParseTarget(c.target)
		if err != nil {
			t.Fatal(err)
		}
		s := &Session{Cfg: &dbconn.Config{Addr: "db:3306", User: "app", TLS: c.tls}, Project: &project.Project{Target: target}}
		if got, err := s.client(t.Context()); err != nil || got != c.want {
			t.Errorf("%s, tls=%s:\n got %s (%v)\nwant %s", c.target, c.tls, got, err, c.want)
		}
	}
}

// A URL without a user: emcee's driver logs in as the anonymous account,
// the client as the login name of whoever pastes the command (an empty -u
// connected as root), which no option can change. No command is given,
// and the refusal says why.
func TestCopyOutCommandNeedsAUser(t *testing.T) {
	cfg, err := dbconn.Parse("mysql://@db:3306/glance")
	if err != nil {
		t.Fatal(err)
	}
	target, _ := project.ParseTarget("mariadb 10.11")
	s := &Session{Cfg: cfg, Project: &project.Project{Target: target}}
	if got, err := s.client(t.Context()); err == nil || got != "" || !strings.Contains(err.Error(), "name the account in the URL") {
		t.Errorf("client() for a URL without a user: %q, %v", got, err)
	}
}

// The run's log quotes what the database holds (a history record's error
// as an editor of the table wrote it, the lock holder's statement): an
// escape sequence in it reaches the terminal as text, line breaks stay.
func TestLogIsDisplayable(t *testing.T) {
	var b strings.Builder
	s := &Session{opts: Options{Log: &b}}
	s.say("  the earlier run stopped on: %s", "Error 1146\x1b[1A\x1b[2Kforged line\nsecond")
	if got, want := b.String(), "  the earlier run stopped on: Error 1146\\x1b[1A\\x1b[2Kforged line\nsecond\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// The files the copy-out commands write are one per server, database,
// table and column, so that a fleet's commands run in one directory keep
// everything: names that become alike as file names (a blank and an
// underscore, case alone, a dot inside a name) stay apart.
func TestSaveFilesAreDistinct(t *testing.T) {
	on := func(addr, db string) *Session {
		return &Session{Cfg: &dbconn.Config{Addr: addr, Database: db}}
	}
	if got, want := on("db1:3306", "glance").saveFile("images", "visibility"), "db1_3306.glance.images.visibility.sql"; got != want {
		t.Errorf("plain names: %s, want %s", got, want)
	}
	files := map[string]string{}
	for _, c := range []struct {
		addr, db string
		names    []string
	}{
		{"db1:3306", "glance", []string{"images", "visibility"}},
		{"db2:3306", "glance", []string{"images", "visibility"}},
		{"db1:3307", "glance", []string{"images", "visibility"}},
		{"db1:3306", "glance2", []string{"images", "visibility"}},
		{"db1:3306", "glance", []string{"Images", "visibility"}},
		{"db1:3306", "glance", []string{"x y"}},
		{"db1:3306", "glance", []string{"x_y"}},
		{"db1:3306", "glance", []string{"a.b", "c"}},
		{"db1:3306", "glance", []string{"a", "b.c"}},
		{"db1:3306", "glance", []string{"café"}},
		{"db1:3306", "glance", []string{"cafè"}},
		{"db1:3306", "glance", []string{strings.Repeat("t", 64), strings.Repeat("c", 64)}},
		{strings.Repeat("h", 60) + ".example:3306", strings.Repeat("d", 64), []string{strings.Repeat("t", 64), strings.Repeat("c", 64)}},
	} {
		f := on(c.addr, c.db).saveFile(c.names...)
		what := c.addr + " " + c.db + " " + strings.Join(c.names, " ")
		if other, ok := files[strings.ToLower(f)]; ok {
			t.Errorf("%s and %s both copy into %s", other, what, f)
		}
		files[strings.ToLower(f)] = what
		if len(f) > 255 || strings.ContainsAny(f, "/ ") {
			t.Errorf("%s: %q is no file name", what, f)
		}
	}
}

// Restores run in the order given, each table after the tables its keys
// reference: a cycle (a <-> b) goes back together, after what it
// references (e) and before what references it (c), even where the
// rollback's drops put c between a and b; a column keeps its place
// after what was given before it. Without commands (no account to
// copy out as), the cycle's tables name none.
func TestRestoreOrderPutsACycleTogether(t *testing.T) {
	table := func(name string, refs ...string) Loss {
		r := &tableRows{}
		for _, to := range refs {
			r.fks = append(r.fks, foreignKey{name: "fk_" + name + "_" + to, table: to, local: true, self: to == name})
		}
		return Loss{Table: name, Rows: 1, rows: r}
	}
	losses := []Loss{table("a", "b", "e"), table("c", "a"), {Table: "keep", Column: "x", Rows: 1}, table("b", "a", "b"), table("e"), table("d")}
	got, err := (&Session{}).restoreOrder(t.Context(), losses)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, l := range got {
		order = append(order, strings.TrimSuffix(l.Table+"."+l.Column, "."))
		if l.With != "" {
			t.Errorf("%s is copied out with %s, though no table has commands", l.Table, l.With)
		}
	}
	if want := "e a b c keep.x d"; strings.Join(order, " ") != want {
		t.Fatalf("restore order %s, want %s", strings.Join(order, " "), want)
	}
}

// Cycles are the strongly connected components, each named by its
// smallest vertex: 0 -> 1 -> 2 -> 0 and 3 <-> 4, 5 referencing 3, 6
// referencing itself.
func TestCycles(t *testing.T) {
	got := schemadef.Cycles([][]int{{1}, {2}, {0, 3}, {4}, {3}, {3}, {6}})
	if want := []int{0, 0, 0, 3, 3, 5, 6}; !slices.Equal(got, want) {
		t.Fatalf("cycles: %v, want %v", got, want)
	}
}

// A table of a cycle that gets no commands (a line longer than a packet)
// leaves the whole cycle without: its tables go back together or not at
// all, each saying why.
func TestCycleWithoutCommandsForOneTable(t *testing.T) {
	a := Loss{Table: "a", Rows: 1, Save: "save a", Restore: "restore a", rows: &tableRows{fks: []foreignKey{{table: "b", local: true}}}}
	b := Loss{Table: "b", Rows: 1, Unsaved: "1 of its rows hold a value whose line ...", rows: &tableRows{fks: []foreignKey{{table: "a", local: true}}}}
	got, err := (&Session{}).restoreOrder(t.Context(), []Loss{a, b})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range got {
		if l.Save != "" || l.Restore != "" || l.With != "" || l.Unsaved == "" {
			t.Errorf("%+v: want no commands, and why", l)
		}
	}
	if !strings.Contains(got[0].Unsaved, "form a cycle with table b") {
		t.Errorf("a: %s", got[0].Unsaved)
	}
}

// A restore stops by statements both flavours run outside a stored
// program (MySQL runs SIGNAL only inside one): a user variable set by a
// query, a SELECT of it FROM DUAL, and a SET of a sql_mode the server
// refuses. They read as MySQL's grammar (TiDB's parser), three statements
// a client splits at their semicolons; the message goes in the variable
// whole, and the value the server refuses has no comma (it shows it up to
// its first) and fits its 200 characters.
func TestStopIfReadsAsMySQL(t *testing.T) {
	why := "IF(EXISTS(SELECT 1 FROM `t, x`), " + sqlsyntax.String(heldMsg("t, x")) + ", NULL)"
	stmts, err := sqlsyntax.ReadScript(stopIf(why))
	if err != nil || len(stmts) != 3 {
		t.Fatalf("read %d statements, %v", len(stmts), err)
	}
	for _, st := range stmts {
		if st.Node == nil {
			t.Errorf("%s: not a statement", st.Exec)
		}
	}
	const refused = "restore stopped: the line printed before this error says why"
	if !strings.Contains(stopEnd, sqlsyntax.String(refused)) || strings.Contains(refused, ",") || len(refused) > 200 {
		t.Fatalf("the value refused: %s", stopEnd)
	}
}
