package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/splitter"
)

// rcUsers is Roundcube 1.4's users table, trimmed: utf8 (utf8mb3) with
// utf8_general_ci, username BINARY (utf8mb3_bin), a unique key over
// username and mail_host.
func rcUsers(charset, collate, bin string) string {
	return `
table "users" {
  schema  = schema.app
  charset = "` + charset + `"
  collate = "` + collate + `"
  column "user_id" {
    type           = int
    unsigned       = true
    auto_increment = true
  }
  column "username" {
    type    = varchar(128)
    collate = "` + bin + `"
  }
  column "mail_host" {
    type = varchar(128)
  }
  column "language" {
    type = varchar(16)
    null = true
  }
  column "preferences" {
    type = longtext
    null = true
  }
  primary_key {
    columns = [column.user_id]
  }
  index "username" {
    unique  = true
    columns = [column.username, column.mail_host]
  }
}
`
}

// Roundcube 1.5 moved every table to utf8mb4_unicode_ci. In expand, one
// ALTER (NOCOPY: the unique key is sorted again under unicode_ci, nothing
// rebuilt) behind a gate counting the keys that collide under the new
// collation; after it the new release stores a 4-byte character, and the
// previous release keeps writing. The rollback is refused (utf8mb4 ->
// utf8mb3 would reject what the new release wrote).
func TestRuleConvertCharset(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:    rcUsers("utf8mb3", "utf8mb3_general_ci", "utf8mb3_bin"),
		after:     rcUsers("utf8mb4", "utf8mb4_unicode_ci", "utf8mb4_bin"),
		rules:     []string{"convert-charset"},
		seed:      []string{"INSERT INTO users (username, mail_host, preferences) VALUES ('ann', 'imap.example', 'a:0:{}'), ('Ann', 'imap.example', NULL)"},
		oldWrites: []string{"INSERT INTO users (username, mail_host) VALUES ('bob', 'imap.example')"},
		newWrites: []string{"INSERT INTO users (username, mail_host, preferences) VALUES ('cat', 'imap.example', 'signature: \U0001F600')"},
		checks: map[string]string{
			"SELECT username, preferences FROM users WHERE username = 'cat'": "cat|signature: \U0001F600",
			// username stays binary: 'ann' and 'Ann' are two users.
			"SELECT COUNT(*) FROM users WHERE username = 'ANN'": "0",
			"SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLLATION_NAME IS NOT NULL ORDER BY 1": "language|utf8mb4_unicode_ci;mail_host|utf8mb4_unicode_ci;preferences|utf8mb4_unicode_ci;username|utf8mb4_bin",
		},
	}.run(t)
}

// Keys that differ under the old collation and are one key under the new
// one ('a' and 'A ' under utf8mb4_unicode_ci) make the conversion fail
// halfway through the release: the gate finds them before expand changes
// anything, the applier lists the rows, and expand runs once they are
// resolved.
func TestRuleConvertCharsetCollisionGate(t *testing.T) {
	t.Parallel()
	col := func(collate string) string {
		return `
table "tags" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "name" {
    type    = varchar(40)
    collate = "` + collate + `"
  }
  primary_key {
    columns = [column.id]
  }
  index "ux_name" {
    unique  = true
    columns = [column.name]
  }
}
`
	}
	r := newRuleProject(t, col("utf8mb4_bin"), col("utf8mb4_unicode_ci"))
	r.usesRules([]string{"convert-charset"})
	r.must("before")
	execAll(t, r.db.DB, "seed", []string{"INSERT INTO tags VALUES (1, 'a'), (2, 'A '), (3, 'b')"})
	res, err := r.apply("expand")
	if err == nil {
		t.Fatal("expand ran although 'a' and 'A ' are one key under utf8mb4_unicode_ci")
	}
	closed := 0
	for _, g := range res.Gates {
		if !g.Open && g.Error == "" {
			closed++
			if g.Count != 2 {
				t.Errorf("the gate counts %d rows, want the 2 that collide", g.Count)
			}
		}
	}
	if closed != 1 || !strings.Contains(err.Error(), "ux_name") {
		t.Fatalf("expand was not refused by the collision gate: %v", err)
	}
	if got := rows(t, r.db.DB, "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'tags' AND COLUMN_NAME = 'name'"); got != "utf8mb4_bin" {
		t.Fatalf("a refused expand changed the column: %s", got)
	}
	execAll(t, r.db.DB, "fix", []string{"UPDATE tags SET name = 'a2' WHERE id = 2"})
	r.must("expand")
	r.must("migrate")
	r.must("contract")
	assertSchema(t, r.db, r.declared)
	if _, err := r.db.DB.Exec("INSERT INTO tags VALUES (4, 'B')"); err == nil || !strings.Contains(err.Error(), "Duplicate") {
		t.Errorf("'B' is 'b' under utf8mb4_unicode_ci, the unique key must refuse it: %v", err)
	}
}

// A table renamed and converted in one release: the collision gate runs
// before the revision's first statement, the RENAME among them, and read
// the new name (Error 1146: expand could never run). It reads the old
// name, finds the keys that collide there, and expand runs once they are
// resolved.
func TestRuleConvertCharsetCollisionGateOfARenamedTable(t *testing.T) {
	t.Parallel()
	col := func(name, renamed, collate string) string {
		return `
table "` + name + `" {
  schema = schema.app` + renamed + `
  column "id" {
    type = int
  }
  column "name" {
    type    = varchar(40)
    collate = "` + collate + `"
  }
  primary_key {
    columns = [column.id]
  }
  index "ux_name" {
    unique  = true
    columns = [column.name]
  }
}
`
	}
	r := newRuleProject(t, col("tags", "", "utf8mb4_bin"), col("labels", "\n  renamed_from = \"tags\"", "utf8mb4_unicode_ci"))
	r.usesRules([]string{"convert-charset", "rename-table"})
	r.must("before")
	execAll(t, r.db.DB, "seed", []string{"INSERT INTO tags VALUES (1, 'a'), (2, 'A '), (3, 'b')"})
	res, err := r.apply("expand")
	if err == nil {
		t.Fatal("expand ran although 'a' and 'A ' are one key under utf8mb4_unicode_ci")
	}
	for _, g := range res.Gates {
		if g.Error != "" || g.Open || g.Count != 2 {
			t.Errorf("gate %s: open %v, %d rows, error %q; want it closed on the 2 rows that collide", g.At, g.Open, g.Count, g.Error)
		}
	}
	execAll(t, r.db.DB, "fix", []string{"UPDATE tags SET name = 'a2' WHERE id = 2"})
	r.must("expand")
	r.must("migrate")
	r.must("contract")
	assertSchema(t, r.db, r.declared)
}

// A conversion only a copy does (an ENUM changes its charset only so)
// is refused without allow_copy, and with it is ALGORITHM=COPY: the
// harness holds the plan's cost to the table's InnoDB id.
func TestRuleConvertCharsetCopy(t *testing.T) {
	t.Parallel()
	table := func(charset, collate, optIn string) string {
		return `
table "prefs" {
  schema  = schema.app
  charset = "` + charset + `"
  collate = "` + collate + `"
  column "id" {
    type = int
  }
  column "kind" {
    type = enum("mail", "news")` + optIn + `
  }
  column "value" {
    type = text
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`
	}
	ruleCase{
		before:    table("utf8mb3", "utf8mb3_general_ci", ""),
		after:     table("utf8mb4", "utf8mb4_general_ci", "\n    allow_copy = true"),
		rules:     []string{"convert-charset"},
		seed:      []string{"INSERT INTO prefs VALUES (1, 'mail', 'x')"},
		oldWrites: []string{"INSERT INTO prefs VALUES (2, 'news', 'y')"},
		newWrites: []string{"INSERT INTO prefs VALUES (3, 'news', '\U0001F600')"},
		checks:    map[string]string{"SELECT id, kind, value FROM prefs ORDER BY id": "1|mail|x;2|news|y;3|news|\U0001F600"},
	}.run(t)
}

// Roundcube 1.4 -> 1.5 declared as SQL (the releases' CREATE TABLEs,
// trimmed; releases "before" and "after" for the harness): planned by `emcee plan` from the two files, then applied
// through apply.Session. session's key sess_id moves from utf8_general_ci
// to utf8mb4_unicode_ci: the primary key sorted otherwise is a copy, which
// the release's declarations file accepts; users converts without one.
func TestRoundcube15Utf8mb4(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dir := t.TempDir()
	table := func(cs, coll string) string {
		return "CREATE TABLE `session` (\n `sess_id` varchar(128) NOT NULL,\n `changed` datetime NOT NULL DEFAULT '1000-01-01 00:00:00',\n `ip` varchar(40) NOT NULL,\n `vars` mediumtext NOT NULL,\n PRIMARY KEY(`sess_id`),\n INDEX `changed_index` (`changed`)\n) ENGINE=INNODB CHARACTER SET " + cs + " COLLATE " + coll + ";\n\n" +
			"CREATE TABLE `users` (\n `user_id` int(10) UNSIGNED NOT NULL AUTO_INCREMENT,\n `username` varchar(128) BINARY NOT NULL,\n `mail_host` varchar(128) NOT NULL,\n `language` varchar(16),\n `preferences` longtext,\n PRIMARY KEY(`user_id`),\n UNIQUE `username` (`username`, `mail_host`)\n) ENGINE=INNODB CHARACTER SET " + cs + " COLLATE " + coll + ";\n"
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"before\", \"after\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "before.sql"), []byte(table("utf8", "utf8_general_ci")))
	opWrite(t, filepath.Join(dir, "schema", "after.sql"), []byte(table("utf8mb4", "utf8mb4_unicode_ci")))
	plan := func() opResult {
		cmd := exec.Command(opBinary(t), "plan")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL, "EMCEE_DEV_URL=", "EMCEE_ENV=")
		return opRunCmd(t, cmd)
	}
	if r := plan(); r.Code == 0 || !strings.Contains(r.Stderr, "session.sess_id") || !strings.Contains(r.Stderr, "allow_copy = true") {
		t.Fatalf("emcee plan must refuse session's copy without allow_copy: %s", r)
	}
	opWrite(t, filepath.Join(dir, "schema", "after.emcee.hcl"), []byte("table \"session\" {\n  column \"sess_id\" {\n    allow_copy = true\n  }\n}\n"))
	if r := plan(); r.Code != 0 {
		t.Fatalf("emcee plan: %s", r)
	}
	// lint replays the conversion and does not call it a tightening;
	// review shows the gates expand runs first: users' unique key and
	// session's primary key under utf8mb4_unicode_ci.
	dev := testdb.New(t)
	for _, args := range [][]string{{"lint", "--dev-url", dev.URL}, {"review", "after"}} {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_DEV_URL=", "EMCEE_ENV=")
		r := opRunCmd(t, cmd)
		if r.Code != 0 || strings.Contains(r.Stdout+r.Stderr, "EM102") {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
		if args[0] == "review" && (!strings.Contains(r.Stdout, "after_expand01: 2 gates first (expand stops, changing nothing, unless each returns 0), then 2 statements") || !strings.Contains(r.Stdout, "Gates expand runs first")) {
			t.Errorf("review does not show the gate expand runs first:\n%s", r.Stdout)
		}
	}
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	r := &ruleProject{t: t, db: db, p: p, phases: splitter.Phases{}}
	for _, ph := range revision.Phases {
		for _, rev := range plans.Of("after", ph) {
			r.phases[ph] = append(r.phases[ph], rev.Statements...)
		}
	}
	if r.declared, err = schemadef.ReadSnapshot(filepath.Join(p.PlansDir, revision.SnapshotFile("after")), target); err != nil {
		t.Fatal(err)
	}
	r.usesRules([]string{"convert-charset"})
	expand := ""
	for _, s := range r.phases[revision.Expand] {
		expand += s.SQL + ";\n"
	}
	for _, want := range []string{"ALTER TABLE `session` CHARSET utf8mb4, COLLATE utf8mb4_unicode_ci", "ALGORITHM=COPY", "ALTER TABLE `users` CHARSET utf8mb4, COLLATE utf8mb4_unicode_ci", "ALGORITHM=NOCOPY, LOCK=NONE", "COLLATE utf8mb4_unicode_ci) IN (SELECT"} {
		if !strings.Contains(expand, want) {
			t.Errorf("expand lacks %q:\n%s", want, expand)
		}
	}
	r.must("before")
	execAll(t, db.DB, "1.4's rows", []string{"INSERT INTO users (username, mail_host, preferences) VALUES ('ann', 'imap.example', 'a:0:{}')", "INSERT INTO session VALUES ('s1', NOW(), '127.0.0.1', 'x')"})
	r.must("expand")
	execAll(t, db.DB, "1.5's rows", []string{"INSERT INTO users (username, mail_host, preferences) VALUES ('bob', 'imap.example', '\U0001F600')", "INSERT INTO session VALUES ('s2', NOW(), '127.0.0.1', '\U0001F600')"})
	r.must("migrate")
	r.must("contract")
	assertSchema(t, db, r.declared)
	if got := rows(t, db.DB, "SELECT preferences FROM users WHERE username = 'bob'"); got != "\U0001F600" {
		t.Errorf("users.preferences after 1.5: %q", got)
	}
}

// A table's default moves to utf8mb4 while its columns keep utf8mb3 (each
// declares it): the change is the default alone (INSTANT), and a column
// the same release adds takes the new default, since the default changes
// before the column is added.
func TestRuleConvertCharsetDefaultOnly(t *testing.T) {
	t.Parallel()
	table := func(charset, collate, pin, extra string) string {
		return `
table "notes" {
  schema  = schema.app
  charset = "` + charset + `"
  collate = "` + collate + `"
  column "id" {
    type           = int
    auto_increment = true
  }
  column "title" {
    type = varchar(100)` + pin + `
  }` + extra + `
  primary_key {
    columns = [column.id]
  }
}
`
	}
	ruleCase{
		before:    table("utf8mb3", "utf8mb3_general_ci", "", ""),
		after:     table("utf8mb4", "utf8mb4_unicode_ci", "\n    charset = \"utf8mb3\"", "\n  column \"body\" {\n    type = text\n    null = true\n  }"),
		rules:     []string{"convert-charset", "add-column"},
		seed:      []string{"INSERT INTO notes (title) VALUES ('one')"},
		oldWrites: []string{"INSERT INTO notes (title) VALUES ('two')"},
		newWrites: []string{"INSERT INTO notes (title, body) VALUES ('three', 'body \U0001F600')"},
		checks: map[string]string{
			"SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes' AND COLLATION_NAME IS NOT NULL ORDER BY 1": "body|utf8mb4_unicode_ci;title|utf8mb3_general_ci",
			"SELECT body FROM notes WHERE title = 'three'": "body \U0001F600",
		},
	}.run(t)
}

// prefsRelease is a table whose conversion only a copy does (an ENUM),
// with a unique key on name under collate.
func prefsRelease(charset, collate, nameCollate, optIn string) string {
	return `schema "app" {}
table "prefs" {
  schema  = schema.app
  charset = "` + charset + `"
  collate = "` + collate + `"
  column "id" {
    type           = int
    auto_increment = true
  }
  column "kind" {
    type = enum("mail", "news")` + optIn + `
  }
  column "name" {
    type    = varchar(40)
    collate = "` + nameCollate + `"
  }
  primary_key {
    columns = [column.id]
  }
  index "ux_name" {
    unique  = true
    columns = [column.name]
  }
}
`
}

// With osc = "pt-osc", a conversion that copies its table is handed to the
// tool like every copy: no row is lost and the new release then stores a
// 4-byte character. Where the new collation may make keys of a unique
// index collide, the tool is refused before the revision runs anything:
// it would silently keep one of two colliding rows (INSERT IGNORE,
// REPLACE), where the server's copy fails.
func TestOSCConvertsCharset(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	t.Run("order kept: handed to the tool", func(t *testing.T) {
		p := newSchemaProject(t, [2]string{"v1", prefsRelease("utf8mb3", "utf8mb3_general_ci", "utf8mb3_bin", "")}, [2]string{"v2", prefsRelease("utf8mb4", "utf8mb4_general_ci", "utf8mb4_bin", "\n    allow_copy = true")})
		if r := p.plan(); r.Code != 0 {
			t.Fatalf("plan: %s", r)
		}
		p.must("db", "sync", "v1")
		p.exec("INSERT INTO prefs (kind, name) SELECT IF(seq % 2, 'mail', 'news'), CONCAT('n', seq) FROM seq_1_to_5000")
		r := p.must("db", "expand", "--osc", "pt-osc", "--osc-chunk-time", "100ms", "--osc-sleep", "1ms")
		opContains(t, r, "handed to pt-online-schema-change 3.2.1: ALTER TABLE `prefs` DEFAULT CHARACTER SET = UTF8MB4, DEFAULT COLLATE = UTF8MB4_GENERAL_CI, MODIFY COLUMN `kind`", "v2_expand01 applied")
		if got := p.query("SELECT COUNT(*), SUM(kind = 'mail') FROM prefs"); got != "5000 2500" {
			t.Fatalf("rows after the tool's copy: %s", got)
		}
		p.exec("INSERT INTO prefs (kind, name) VALUES ('news', 'n\U0001F600')")
		if got := p.query("SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'prefs' AND COLLATION_NAME IS NOT NULL ORDER BY 1"); got != "kind utf8mb4_general_ci\nname utf8mb4_bin" {
			t.Fatalf("collations after the tool: %s", got)
		}
	})
	t.Run("a unique key under a coarser collation: refused", func(t *testing.T) {
		p := newSchemaProject(t, [2]string{"v1", prefsRelease("utf8mb3", "utf8mb3_general_ci", "utf8mb3_bin", "")}, [2]string{"v2", prefsRelease("utf8mb4", "utf8mb4_general_ci", "utf8mb4_unicode_ci", "\n    allow_copy = true")})
		if r := p.plan(); r.Code != 0 {
			t.Fatalf("plan: %s", r)
		}
		p.must("db", "sync", "v1")
		p.exec("INSERT INTO prefs (kind, name) VALUES ('mail', 'a'), ('news', 'b')")
		r := p.run("db", "expand", "--osc", "pt-osc")
		opContains(t, r, "v2_expand01 refused before it ran anything", "converts a unique key of `prefs` to a collation under which keys may collide", "run without --osc pt-osc")
		if got := p.query("SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'prefs' AND COLUMN_NAME = 'name'"); got != "utf8mb3_bin" {
			t.Fatalf("a refused expand changed the table: %s", got)
		}
		opContains(t, p.must("db", "expand"), "v2_expand01 applied")
	})
}

// A release that converts a table and widens one of its columns: the
// conversion keeps the column's type (INSTANT), the widening then runs on
// the converted column, under the table's new default.
func TestRuleConvertCharsetWithWidening(t *testing.T) {
	t.Parallel()
	table := func(charset, collate, size string) string {
		return `
table "notes" {
  schema  = schema.app
  charset = "` + charset + `"
  collate = "` + collate + `"
  column "id" {
    type           = int
    auto_increment = true
  }
  column "title" {
    type = varchar(` + size + `)
  }
  primary_key {
    columns = [column.id]
  }
}
`
	}
	ruleCase{
		before:    table("utf8mb3", "utf8mb3_general_ci", "100"),
		after:     table("utf8mb4", "utf8mb4_unicode_ci", "150"),
		rules:     []string{"convert-charset", "widen-column"},
		seed:      []string{"INSERT INTO notes (title) VALUES ('one')"},
		oldWrites: []string{"INSERT INTO notes (title) VALUES ('two')"},
		newWrites: []string{"INSERT INTO notes (title) VALUES (CONCAT(REPEAT('x', 140), '\U0001F600'))"},
		checks: map[string]string{
			"SELECT COLLATION_NAME, CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes' AND COLUMN_NAME = 'title'": "utf8mb4_unicode_ci|150",
			"SELECT CHAR_LENGTH(title) FROM notes ORDER BY id": "3;3;141",
		},
	}.run(t)
}

// A table an old server created in the COMPACT row format stores at most
// 767 bytes of an index column: its varchar(255) key grows from 765 to
// 1020 bytes under utf8mb4, which the server refuses. emcee cannot see the
// row format offline, so expand's gate reads it on the server and refuses
// before anything changes, saying what to do; after ROW_FORMAT=DYNAMIC,
// expand runs.
func TestRuleConvertCharsetCompactRowFormat(t *testing.T) {
	t.Parallel()
	table := func(charset string) string {
		return `
table "identities" {
  schema  = schema.app
  charset = "` + charset + `"
  column "id" {
    type = int
  }
  column "email" {
    type = varchar(255)
  }
  primary_key {
    columns = [column.id]
  }
  index "email" {
    columns = [column.email]
  }
}
`
	}
	r := newRuleProject(t, table("utf8mb3"), table("utf8mb4"))
	r.usesRules([]string{"convert-charset"})
	r.must("before")
	execAll(t, r.db.DB, "an old server's table", []string{"ALTER TABLE identities ROW_FORMAT=COMPACT", "INSERT INTO identities VALUES (1, 'ann@example.org')"})
	_, err := r.apply("expand")
	if err == nil || !strings.Contains(err.Error(), "identities.email in index email (255 characters x 4 bytes = 1020)") || !strings.Contains(err.Error(), "ROW_FORMAT=DYNAMIC") {
		t.Fatalf("expand on a COMPACT table must be refused by its gate, saying what to do: %v", err)
	}
	if got := rows(t, r.db.DB, "SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'identities' AND COLUMN_NAME = 'email'"); got != "utf8mb3" {
		t.Fatalf("a refused expand changed the column: %s", got)
	}
	execAll(t, r.db.DB, "the way out", []string{"ALTER TABLE identities ROW_FORMAT=DYNAMIC"})
	r.must("expand")
	r.must("migrate")
	r.must("contract")
	assertSchema(t, r.db, r.declared)
}

// A VARCHAR's bytes come from the charset its collation names: latin1 by
// the table's collation alone, 200 -> 300 is 200 -> 300 bytes, past the
// 255 bytes where MariaDB refuses to widen INSTANTly ("Cannot change column
// type"), so the plan copies, with the opt-in. (It was planned INSTANT, as
// if utf8mb4, and expand failed.) A column naming only its collation widens
// as the type it is (it was refused as a charset change).
func TestRuleWidenColumnCharsetByCollation(t *testing.T) {
	t.Parallel()
	table := func(name, code string) string {
		return `
table "people" {
  schema  = schema.app
  collate = "latin1_swedish_ci"
  column "id" {
    type = int
  }
  column "name" {
    type = ` + name + `
  }
  primary_key {
    columns = [column.id]
  }
}
table "codes" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "code" {
    type    = ` + code + `
    collate = "latin1_bin"
  }
  primary_key {
    columns = [column.id]
  }
}
`
	}
	ruleCase{
		before:    table("varchar(200)", "varchar(20)"),
		after:     table("varchar(300)\n    allow_copy = true", "varchar(30)"),
		rules:     []string{"widen-column"},
		seed:      []string{"INSERT INTO people VALUES (1, REPEAT('a', 200))", "INSERT INTO codes VALUES (1, 'x')"},
		oldWrites: []string{"INSERT INTO people VALUES (2, REPEAT('b', 200))", "INSERT INTO codes VALUES (2, REPEAT('y', 20))"},
		newWrites: []string{"INSERT INTO people VALUES (3, REPEAT('c', 300))", "INSERT INTO codes VALUES (3, REPEAT('z', 30))"},
		checks: map[string]string{
			"SELECT id, LENGTH(name) FROM people ORDER BY id": "1|200;2|200;3|300",
			"SELECT id, LENGTH(code) FROM codes ORDER BY id":  "1|1;2|20;3|30",
		},
	}.run(t)
}

// A column declaring only a collation of another charset than its table's
// (utf8mb4_general_ci in a latin1 table) is that charset: Atlas left the
// COLLATE out (it equals the server's default collation) and the column
// was created latin1, so the release's 4-byte characters were refused, and
// a widening planned for utf8mb4 bytes (800 -> 1200: INSTANT) met a latin1
// column (200 -> 300 bytes, past 255: "Cannot change column type") and
// failed expand. The CREATE TABLE now says CHARSET utf8mb4.
func TestRuleWidenColumnCollationOfAnotherCharset(t *testing.T) {
	t.Parallel()
	table := func(size string) string {
		return `
table "notes" {
  schema  = schema.app
  charset = "latin1"
  column "id" {
    type = int
  }
  column "body" {
    type    = varchar(` + size + `)
    collate = "utf8mb4_general_ci"
  }
  primary_key {
    columns = [column.id]
  }
}
`
	}
	ruleCase{
		before:    table("200"),
		after:     table("300"),
		rules:     []string{"widen-column"},
		seed:      []string{"INSERT INTO notes VALUES (1, '\U0001F600')"},
		oldWrites: []string{"INSERT INTO notes VALUES (2, REPEAT('b', 200))"},
		newWrites: []string{"INSERT INTO notes VALUES (3, REPEAT('\U0001F600', 300))"},
		checks: map[string]string{
			"SELECT id, CHAR_LENGTH(body) FROM notes ORDER BY id": "1|1;2|200;3|300",
			"SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes' AND COLUMN_NAME = 'body'": "utf8mb4_general_ci",
		},
	}.run(t)
}

// A column declaring only a charset has that charset's default collation,
// as `CHARACTER SET utf8mb4` alone gives on the server: a collation of it
// declared next (utf8mb4_unicode_ci) is a conversion, which was taken to be
// the same collation and not planned (tags.name), and in a utf8mb4_bin
// table the column is utf8mb4_general_ci (logins.email: Atlas left the
// CHARSET out, equal to the table's, and the column was created
// utf8mb4_bin, 'a' and 'A' two keys).
func TestRuleConvertCharsetFromCharsetAlone(t *testing.T) {
	t.Parallel()
	tables := func(attr string) string {
		return `
table "tags" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "name" {
    type = varchar(40)
    ` + attr + `
  }
  primary_key {
    columns = [column.id]
  }
  index "ux_name" {
    unique  = true
    columns = [column.name]
  }
}
table "logins" {
  schema  = schema.app
  charset = "utf8mb4"
  collate = "utf8mb4_bin"
  column "email" {
    type    = varchar(40)
    charset = "utf8mb4"
  }
  primary_key {
    columns = [column.email]
  }
}
`
	}
	r := newRuleProject(t, tables(`charset = "utf8mb4"`), tables(`collate = "utf8mb4_unicode_ci"`))
	r.usesRules([]string{"convert-charset"})
	r.must("before")
	execAll(t, r.db.DB, "seed", []string{"INSERT INTO tags VALUES (1, 'a'), (2, 'ß')", "INSERT INTO logins VALUES ('a')"})
	if _, err := r.db.DB.Exec("INSERT INTO logins VALUES ('A')"); err == nil {
		t.Error("'A' was stored beside 'a': logins.email is not utf8mb4_general_ci, as declared")
	}
	r.must("expand")
	if _, err := r.db.DB.Exec("INSERT INTO tags VALUES (4, 'ss')"); err == nil {
		t.Error("'ss' was stored beside 'ß': tags.name is not utf8mb4_unicode_ci, as declared")
	}
	r.must("migrate")
	r.must("contract")
	assertSchema(t, r.db, r.declared)
	if got := rows(t, r.db.DB, "SELECT TABLE_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('tags', 'logins') AND COLUMN_NAME IN ('name', 'email') ORDER BY 1"); got != "logins|utf8mb4_general_ci;tags|utf8mb4_unicode_ci" {
		t.Errorf("the columns' collations are %s, declared logins|utf8mb4_general_ci;tags|utf8mb4_unicode_ci", got)
	}
}
