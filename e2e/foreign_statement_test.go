package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// opInsert puts statement sql into revision id at index at, as a hand
// would (opPlans recomputes the sum file after it).
func opInsert(id revision.ID, at int, sql string) opOption {
	return func(m map[revision.ID][]revision.Statement) {
		m[id] = slices.Insert(slices.Clone(m[id]), at, revision.Statement{Rule: "add-column", Why: "looks like the others", SQL: sql})
	}
}

// rewritePlans writes the fixture's plans again with the options' edits
// and a sum file recomputed for them: what plans/emcee.sum cannot tell
// from emcee's own output.
func (p *opProject) rewritePlans(opts ...opOption) {
	p.t.Helper()
	for path, data := range opPlans(p.t, opts...) {
		opWrite(p.t, filepath.Join(p.Dir, "plans", path), data)
	}
}

// lineOf is the line statement sql starts at in the project's revision id.
func (p *opProject) lineOf(id revision.ID, sql string) int {
	p.t.Helper()
	data, err := os.ReadFile(filepath.Join(p.Dir, "plans", id.File()))
	if err != nil {
		p.t.Fatal(err)
	}
	stmts, err := revision.Parse(id.File(), data)
	if err != nil {
		p.t.Fatal(err)
	}
	for _, st := range stmts {
		if st.SQL == sql {
			return st.Line
		}
	}
	p.t.Fatalf("%s holds no %s", id.File(), sql)
	return 0
}

// A CREATE USER and a GRANT added to a revision the database ran long
// ago, the sum file recomputed after the edit, were run by the applier
// (plan --check and lint refuse them, but operators do not always run
// them before applying): the user was created on the server. Every db
// command that runs or replays revisions now refuses the plans before it
// runs anything, naming the statement's file:line, what it is and the
// ways out; no user is created.
func TestAppliedRevisionWithAGrantAddedIsRefused(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	user := "agd_" + p.DB.Name
	create := fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY 'x'", user)
	grant := fmt.Sprintf("GRANT ALL ON *.* TO '%s'@'%%'", user)
	t.Cleanup(func() { p.exec(fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", user)) })
	ocata := revision.ID{Release: "ocata", Phase: revision.Expand, Seq: 1}
	p.rewritePlans(opInsert(ocata, 1, create), opInsert(ocata, 2, grant))
	if r := p.run("plan", "--check"); r.Code == 0 {
		t.Fatalf("plan --check passed the edit:\n%s", r)
	}
	at := fmt.Sprintf("plans/ocata/ocata_expand01.sql:%d", p.lineOf(ocata, create))
	p.refusedBefore("ran plans holding a CREATE USER", [][]string{{"db", "expand"}, {"db", "sync"}, {"db", "upgrade"}, {"db", "migrate"}, {"db", "contract"}, {"db", "rollback"}, {"db", "diff"}, {"db", "status"}, {"db", "check"}}, "ocata_expand01 refused before emcee ran anything: statement 2 at "+at+", "+fmt.Sprintf("%q", create)+", is a statement no emcee writes",
		"restore plans from version control; `emcee plan --check` says what differs from what emcee writes")
	if got := p.query("SELECT COUNT(*) FROM mysql.user WHERE User = ?", user); got != "0" {
		t.Fatalf("the refused runs created user %s", user)
	}
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("a refused run changed the version: %q", v)
	}
}

// An expand stopped half-way (killed while its second statement ran),
// its revision then edited to hold a GRANT among the statements already
// applied, which the resumed run's drift check replays in a scratch
// database, and a CREATE USER among those still to run: the resume is
// refused before the drift check, so neither runs; then a rollback is
// refused the same way. With the plans restored, the resume finishes.
func TestResumeOfAnEditedRevisionHoldingAGrantIsRefused(t *testing.T) {
	t.Parallel()
	p := expandKilledHalfWay(t, 20)
	user := "agd_" + p.DB.Name
	create := fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY 'x'", user)
	grant := fmt.Sprintf("GRANT ALL ON *.* TO '%s'@'%%'", user)
	t.Cleanup(func() { p.exec(fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", user)) })
	pike := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	p.rewritePlans(opInsert(pike, 0, create), opInsert(pike, 3, grant))
	at := fmt.Sprintf("plans/pike/pike_expand01.sql:%d", p.lineOf(pike, create))
	for _, args := range [][]string{{"db", "expand"}, {"db", "rollback"}, {"db", "expand", "--dry-run"}} {
		r := p.run(args...)
		if r.Code == 0 {
			t.Errorf("%s ran an edited revision:\n%s", strings.Join(args, " "), r)
			continue
		}
		opContains(t, r, "pike_expand01 refused before emcee ran anything: statement 1 at "+at+", "+fmt.Sprintf("%q", create)+", is a statement no emcee writes")
		if strings.Contains(r.Stdout, "resuming") {
			t.Errorf("%s resumed before refusing:\n%s", strings.Join(args, " "), r)
		}
	}
	if got := p.query("SELECT COUNT(*) FROM mysql.user WHERE User = ?", user); got != "0" {
		t.Fatalf("the refused runs created user %s", user)
	}
	if got := p.query("SELECT applied, total, in_flight FROM emcee_revisions WHERE name = 'pike_expand01'"); got != "1 4 1" {
		t.Fatalf("a refused run changed the record: %s", got)
	}
	p.rewritePlans()
	r := p.must("db", "expand")
	opContains(t, r, "resuming pike_expand01 at statement 2 of 4", "pike_expand01 applied")
}

// A trigger is a statement emcee writes, and a hand edit can put anything
// in its body: a SET GLOBAL (the server let a trigger created by root
// change a global variable at every row the application inserted), a
// SELECT ... INTO OUTFILE. The applier created such a trigger; its body
// runs in the application's sessions with the privileges of the operator
// who created it. emcee's triggers only set columns of the row written,
// so any other body is refused before anything runs, and no trigger is
// created.
func TestEditedRevisionWithATriggerBodyEmceeNeverWritesIsRefused(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	trigger := "CREATE TRIGGER `emcee_images_bi` BEFORE INSERT ON `images` FOR EACH ROW SET GLOBAL max_connect_errors = @@GLOBAL.max_connect_errors"
	pike := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	p.rewritePlans(opInsert(pike, 0, trigger))
	at := fmt.Sprintf("plans/pike/pike_expand01.sql:%d", p.lineOf(pike, trigger))
	p.refusedBefore("ran a trigger setting a global variable", [][]string{{"db", "expand"}, {"db", "upgrade"}, {"db", "sync"}}, "pike_expand01 refused before emcee ran anything: statement 1 at "+at+", "+fmt.Sprintf("%q", trigger)+
		", is a statement no emcee writes: a trigger whose body does more than set columns of the row written")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got != "0" {
		t.Fatalf("the refused runs created %s triggers", got)
	}
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("a refused run changed the version: %q", v)
	}
}

// A session setting is a statement emcee writes (SET SESSION
// foreign_key_checks), and the guard took any: a SET SESSION sql_mode
// adding NO_BACKSLASH_ESCAPES made the server read the next statement
// otherwise than the guard had. The guard read the INSERT below as one
// string in CONCAT, a data migration's row; the server ended the string
// at its backslash and ran the rest, a subquery of mysql.user (a table of
// another database, which the guard refuses where it sees one), its
// comment hiding the quote: a row of images held the server's account
// names. A SET of any variable but foreign_key_checks is refused now,
// before anything runs.
func TestEditedRevisionSettingSQLModeCannotSmuggleAStatement(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	set := "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')"
	insert := "INSERT INTO `images` (`name`) SELECT CONCAT('\\', (SELECT MAX(`User`) FROM `mysql`.`user`)) -- ')\nFROM DUAL"
	if why := (revision.Statement{SQL: insert}).Foreign(nil); why != "" {
		t.Fatalf("the guard reads the smuggling INSERT as what it hides: %s", why)
	}
	pike := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	p.rewritePlans(opInsert(pike, 0, set), opInsert(pike, 1, insert))
	at := fmt.Sprintf("plans/pike/pike_expand01.sql:%d", p.lineOf(pike, set))
	p.refusedBefore("ran a SET of sql_mode", [][]string{{"db", "expand"}, {"db", "sync"}}, "pike_expand01 refused before emcee ran anything: statement 1 at "+at+", "+fmt.Sprintf("%q", set)+
		", is a statement no emcee writes: it sets sql_mode, and emcee's plans set no session variable but foreign_key_checks")
	if got := p.query("SELECT COUNT(*) FROM `images`"); got != "0" {
		t.Fatalf("the refused runs inserted %s rows into images: %s", got, p.query("SELECT GROUP_CONCAT(`name`) FROM `images`"))
	}
}

// A backfill (and a gate) is read under its directive, and the guard held
// the statements outside a directive alone to naming no table of another
// database: migrate's backfill edited to set images.name from mysql.user
// (the sum recomputed) copied the server's account names into every row
// it updated. Now refused before anything runs, as a view or trigger
// reading mysql.user is.
func TestEditedBackfillReadingAnotherDatabaseIsRefused(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.exec("INSERT INTO images (name) VALUES ('a'), ('b')")
	migrate := revision.ID{Release: "pike", Phase: revision.Migrate, Seq: 1}
	var backfill string
	p.rewritePlans(func(m map[revision.ID][]revision.Statement) {
		stmts := slices.Clone(m[migrate])
		if len(stmts) != 1 || stmts[0].Kind != revision.Backfill {
			t.Fatalf("pike_migrate01 is no longer one backfill: %v", stmts)
		}
		stmts[0].SQL = strings.Replace(stmts[0].SQL, " WHERE ", ", `name` = (SELECT MAX(`User`) FROM `mysql`.`user`) WHERE ", 1)
		backfill = stmts[0].SQL
		m[migrate] = stmts
	})
	at := fmt.Sprintf("plans/pike/pike_migrate01.sql:%d", p.lineOf(migrate, backfill))
	p.refusedBefore("ran a backfill reading mysql.user", [][]string{{"db", "upgrade"}, {"db", "expand"}, {"db", "migrate"}}, "pike_migrate01 refused before emcee ran anything: statement 1 at "+at+", "+fmt.Sprintf("%q", backfill)+
		", is no backfill emcee writes: it names `mysql`.`user`, a table of another database")
	if got := p.query("SELECT GROUP_CONCAT(name ORDER BY id) FROM images"); got != "a,b" {
		t.Fatalf("the refused runs rewrote images.name: %s", got)
	}
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("a refused run changed the version: %q", v)
	}
}

// The operator lock keeps a second run out while one changes the schema;
// it is a named lock of the run's connection, on which gates and
// backfills run too. A gate edited to call RELEASE_ALL_LOCKS() (open: 0
// times what it released) released it, and the run went on changing the
// schema with the lock free for a second run to take. A declared
// expression may call no session-lock function, so emcee writes none: a
// statement calling one, gate or backfill included, is refused before
// anything runs.
func TestEditedGateReleasingTheOperatorLockIsRefused(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	gate := "SELECT COUNT(*) * RELEASE_ALL_LOCKS() FROM `images` WHERE `id` < 0"
	pike := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	p.rewritePlans(func(m map[revision.ID][]revision.Statement) {
		m[pike] = slices.Insert(slices.Clone(m[pike]), 0, revision.Statement{Rule: "add-column", Kind: revision.Gate, Why: "looks like the others", SQL: gate})
	})
	at := fmt.Sprintf("plans/pike/pike_expand01.sql:%d", p.lineOf(pike, gate))
	// Were the gate run, expand's ALTER TABLE images would wait for the
	// test's lock, the run's lock released.
	release := p.holdImages()
	defer release()
	run := p.start("db", "expand", "--url", p.heldURL())
	done := make(chan struct{})
	go func() { _ = run.cmd.Wait(); close(done) }()
	lock := "emcee:" + p.DB.Name
	p.waitFor("expand to be refused, or to wait in its ALTER", func() bool {
		select {
		case <-done:
			return true
		default:
			return p.waitingAlter() != ""
		}
	})
	select {
	case <-done:
	default:
		free := p.query("SELECT IS_USED_LOCK(?) IS NULL", lock)
		release()
		<-done
		t.Fatalf("expand ran a gate calling RELEASE_ALL_LOCKS() (operator lock free while it altered images: %s):\n%s", free, run.out.String())
	}
	out := run.out.String()
	for _, want := range []string{"pike_expand01 refused before emcee ran anything: gate 1 at " + at + ", " + fmt.Sprintf("%q", gate) + ", is no gate emcee writes: it calls RELEASE_ALL_LOCKS(...): it releases every named lock",
		"that includes the operator lock"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("a refused run changed the version: %q", v)
	}
}

// A CREATE TABLE is a statement emcee writes, and the guard took one with
// any table option: DATA DIRECTORY put image_members' data file in a
// directory of the server's choosing (outside the data directory, where
// backups of it do not look), as CONNECTION puts a table on another
// server. A SQL release may give no such option, nor does Atlas write one:
// refused before anything runs.
func TestEditedCreateTableStoringItsDataElsewhereIsRefused(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	dir, err := os.MkdirTemp("", "emcee-elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil { // the server's own user writes there
		t.Fatal(err)
	}
	pike := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	var create string
	p.rewritePlans(func(m map[revision.ID][]revision.Statement) {
		stmts := slices.Clone(m[pike])
		if !strings.HasPrefix(stmts[0].SQL, "CREATE TABLE `image_members`") {
			t.Fatalf("pike_expand01 no longer starts with image_members: %s", stmts[0].SQL)
		}
		stmts[0].SQL += " DATA DIRECTORY = '" + dir + "'"
		create = stmts[0].SQL
		m[pike] = stmts
	})
	at := fmt.Sprintf("plans/pike/pike_expand01.sql:%d", p.lineOf(pike, create))
	p.refusedBefore("created a table with DATA DIRECTORY", [][]string{{"db", "expand"}, {"db", "sync"}}, "pike_expand01 refused before emcee ran anything: statement 1 at "+at+", "+fmt.Sprintf("%q", create)+
		", is a statement no emcee writes: DATA DIRECTORY = '"+dir+"': it keeps the table's data outside the database")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'image_members'"); got != "0" {
		t.Fatal("the refused runs created image_members")
	}
}

// A view is a statement emcee writes, and the guard took one of any
// security: a view edited in (SQL SECURITY DEFINER, the default) selecting
// LOAD_FILE ran as the operator who created it for whoever queried it, the
// application's account reading the server's files with the operator's
// FILE privilege. emcee's views are SQL SECURITY INVOKER: any other is
// refused before anything runs.
func TestEditedRevisionWithADefinerViewIsRefused(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	view := "CREATE VIEW `image_files` AS SELECT LOAD_FILE('/etc/hostname') AS `f`"
	pike := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	p.rewritePlans(opInsert(pike, 0, view))
	at := fmt.Sprintf("plans/pike/pike_expand01.sql:%d", p.lineOf(pike, view))
	p.refusedBefore("created a view running with the operator's privileges", [][]string{{"db", "expand"}, {"db", "sync"}}, "pike_expand01 refused before emcee ran anything: statement 1 at "+at+", "+fmt.Sprintf("%q", view)+
		", is a statement no emcee writes: a view that runs with its definer's privileges")
	if got := p.query("SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"); got != "0" {
		t.Fatalf("the refused runs created %s views", got)
	}
}

// The version table is emcee's record of what ran; a DELETE of the form a
// data_migration's delete is planned as, edited into pike's contract (which
// no preflight builds in a dev database, where the table is not), erased
// ocata's records (and a backfill or trigger could rewrite them: a forged
// record skips a revision's statements and gates). emcee's own tables
// are no release's to declare, so no plan names them: refused before
// anything runs.
func TestEditedRevisionWritingTheVersionTableIsRefused(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	erase := "DELETE FROM `emcee_revisions` WHERE (`name` LIKE 'ocata%')"
	pike := revision.ID{Release: "pike", Phase: revision.Contract, Seq: 1}
	p.rewritePlans(opInsert(pike, 1, erase))
	at := fmt.Sprintf("plans/pike/pike_contract01.sql:%d", p.lineOf(pike, erase))
	p.refusedBefore("ran a DELETE of the version table", [][]string{{"db", "sync"}, {"db", "upgrade"}}, "pike_contract01 refused before emcee ran anything: statement 2 at "+at+", "+fmt.Sprintf("%q", erase)+
		", is a statement no emcee writes: it names `emcee_revisions`, one of emcee's own tables")
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name LIKE 'ocata%'"); got == "0" {
		t.Fatal("the refused runs erased ocata's records")
	}
}

// A trigger setting the row's column from a subquery: its body runs with
// the privileges of the operator who created it, so whoever writes a row
// of images reads image_properties through it, whatever that account may
// read itself. emcee's triggers compute a column from the row's own
// columns (a trigger's expression may read no other row): refused before
// anything runs.
func TestEditedRevisionWithATriggerReadingATableIsRefused(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	trigger := "CREATE TRIGGER `emcee_images_bi` BEFORE INSERT ON `images` FOR EACH ROW SET NEW.`name` = (SELECT MAX(`value`) FROM `image_properties`)"
	pike := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	p.rewritePlans(opInsert(pike, 0, trigger))
	at := fmt.Sprintf("plans/pike/pike_expand01.sql:%d", p.lineOf(pike, trigger))
	r := p.run("db", "expand")
	if r.Code == 0 {
		t.Fatalf("db expand created a trigger reading image_properties:\n%s", r)
	}
	opContains(t, r, "pike_expand01 refused before emcee ran anything: statement 1 at "+at+", "+fmt.Sprintf("%q", trigger)+
		", is a statement no emcee writes: a trigger whose body does more than set columns of the row written from its own columns")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got != "0" {
		t.Fatalf("the refused run created %s triggers", got)
	}
}

// refusedBefore runs each command, which the guard must refuse before
// anything runs, saying each of want; what is what a run that was not
// refused did.
func (p *opProject) refusedBefore(what string, commands [][]string, want ...string) {
	p.t.Helper()
	for _, args := range commands {
		r := p.run(args...)
		if r.Code == 0 {
			p.t.Errorf("%s %s:\n%s", strings.Join(args, " "), what, r)
			continue
		}
		opContains(p.t, r, want...)
	}
}
