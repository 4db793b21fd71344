package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Moodle's grade_categories.hidden, int(1) in XMLDB (TINYINT(1), which
// Atlas reads as bool) until 3.7 made it int(10) (BIGINT(10)): a widening
// copied with the opt-in. Its rollback was refused at plan time ("bigint
// -> bool is not a change emcee can check row by row"), so the whole
// release could not be rolled back. A BOOL is a signed TINYINT: the
// rollback narrows it back by a copy, behind a gate counting what the
// TINYINT cannot hold.
func TestOutsideS30MoodleBoolWidenedToBigintRollsBack(t *testing.T) {
	t.Parallel()
	const v35 = "CREATE TABLE `mdl_grade_categories` (\n" +
		"  `id` BIGINT(10) NOT NULL AUTO_INCREMENT,\n" +
		"  `courseid` BIGINT(10) NOT NULL,\n" +
		"  `hidden` TINYINT(1) NOT NULL DEFAULT 0,\n" +
		"  PRIMARY KEY (`id`)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n"
	v41 := strings.Replace(v35, "`hidden` TINYINT(1)", "`hidden` BIGINT(10)", 1)
	p := sqlReleasesProject(t, [2]string{"3_5", v35}, [2]string{"4_1", v41})
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "4_1.emcee.hcl"), []byte("table \"mdl_grade_categories\" {\n  column \"hidden\" {\n    allow_copy = true\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
	rb := p.read("plans/4_1/4_1_rollback01.sql")
	if strings.Contains(rb, "rollback refused") || !strings.Contains(rb, "WHERE `hidden` NOT BETWEEN -128 AND 127") || !strings.Contains(rb, "MODIFY COLUMN `hidden` bool NOT NULL DEFAULT false, ALGORITHM=COPY") {
		t.Fatalf("the rollback of bool -> bigint does not narrow it back behind a gate:\n%s", rb)
	}
	p.must("db", "sync", "3_5")
	p.exec("INSERT INTO mdl_grade_categories (courseid, hidden) SELECT seq, seq % 2 FROM seq_1_to_20")
	p.must("db", "expand")
	// 4.1's code stores a timestamp in hidden: "hidden until".
	p.exec("INSERT INTO mdl_grade_categories (courseid, hidden) VALUES (21, 1700000000)")
	r := p.run("db", "rollback", "--allow-copy")
	if r.Code != 7 {
		t.Fatalf("rollback with a value 3.5 cannot hold: %s", r)
	}
	opContains(t, r, "gate widen-column: 1 row", "mdl_grade_categories.hidden is bool again in the previous release", "list them: SELECT * FROM `mdl_grade_categories` WHERE `hidden` NOT BETWEEN -128 AND 127")
	p.exec("UPDATE mdl_grade_categories SET hidden = 1 WHERE hidden > 1")
	p.must("db", "rollback", "--allow-copy")
	p.must("db", "diff")
	if got := p.query("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'mdl_grade_categories' AND COLUMN_NAME = 'hidden'"); got != "tinyint(1)" {
		t.Fatalf("hidden after the rollback: %s", got)
	}
	if got := p.query("SELECT COUNT(*), SUM(hidden) FROM mdl_grade_categories"); got != "21 11" {
		t.Fatalf("rows after the rollback: %s", got)
	}
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
}

// Moodle 4.5 drops task_adhoc.blocking and adds attemptsavailable; 4.1
// widens grade_categories.hidden, which copies the table. Declared as
// SQL, each refusal told the user to declare "at the top level of the
// file" and "to the column", while its position was the SQL file: the
// pasted block was a syntax error there. The refusals name the
// declarations file, and the blocks pasted into it plan the release.
func TestOutsideS30MoodleSQLAdviceNamesTheDeclarationsFile(t *testing.T) {
	t.Parallel()
	const v43 = "CREATE TABLE `mdl_task_adhoc` (\n" +
		"  `id` BIGINT(10) NOT NULL AUTO_INCREMENT,\n" +
		"  `classname` VARCHAR(255) NOT NULL,\n" +
		"  `blocking` TINYINT(2) NOT NULL DEFAULT 0,\n" +
		"  `hidden` TINYINT(1) NOT NULL DEFAULT 0,\n" +
		"  PRIMARY KEY (`id`)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n"
	v45 := strings.NewReplacer("  `blocking` TINYINT(2) NOT NULL DEFAULT 0,\n", "  `attemptsavailable` TINYINT(2) DEFAULT NULL,\n", "`hidden` TINYINT(1)", "`hidden` BIGINT(10)").Replace(v43)
	p := sqlReleasesProject(t, [2]string{"4_3", v43}, [2]string{"4_5", v45})
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan of a column dropped and one added: %s", r)
	}
	const decl = "schema/4_5.emcee.hcl (the declarations file beside schema/4_5.sql)"
	opContains(t, r, "If attemptsavailable carries blocking's data, declare it in schema/4_5.emcee.hcl, as below",
		"declare the discard below, at the top level of "+decl+", instead:\n")
	discard := pasted(t, r, "discard {")
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "4_5.emcee.hcl"), []byte(discard), 0o644); err != nil {
		t.Fatal(err)
	}
	r = p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan of a widening that copies the table: %s", r)
	}
	opContains(t, r, "Add `allow_copy = true` to the column to accept that, or add a new column that `replaces` it to change it online (a release declared as SQL declares it in schema/4_5.emcee.hcl, as below):")
	allow := pasted(t, r, `table "mdl_task_adhoc" {`)
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "4_5.emcee.hcl"), []byte(discard+allow), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
	p.must("db", "sync")
	p.must("db", "diff")

	// Moodle 4.1's analytics_models_log.evaluationmode: NOT NULL, no
	// default. The refusal said "Add `default = ...` to the column", HCL
	// a SQL file cannot hold.
	p.addRelease("4_6", strings.Replace(v45, "  `attemptsavailable` TINYINT(2) DEFAULT NULL,\n", "  `attemptsavailable` TINYINT(2) DEFAULT NULL,\n  `evaluationmode` VARCHAR(50) NOT NULL,\n", 1))
	if err := os.Rename(filepath.Join(p.Dir, "schema", "4_6.hcl"), filepath.Join(p.Dir, "schema", "4_6.sql")); err != nil {
		t.Fatal(err)
	}
	r = p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan of a NOT NULL column without a default: %s", r)
	}
	opContains(t, r, "schema/4_6.sql:5:3: mdl_task_adhoc.evaluationmode is a new NOT NULL column without a default",
		"Give the column a DEFAULT in its CREATE TABLE, or `fill = \"<SQL expression>\"`", "(a release declared as SQL declares it in schema/4_6.emcee.hcl, as below):")
	fill := strings.Replace(pasted(t, r, `table "mdl_task_adhoc" {`), `"<SQL expression>"`, `"'prediction'"`, 1)
	// lint says the same, with the fix a SQL release takes.
	opContains(t, p.run("lint"), "schema/4_6.sql:5:3: EM105 error: mdl_task_adhoc.evaluationmode is a new NOT NULL column without a default",
		"fix: give the column a `DEFAULT ...` in schema/4_6.sql, or let it be NULL there, or give it a `fill` expression in schema/4_6.emcee.hcl (rule add-column-fill)")
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "4_6.emcee.hcl"), []byte(fill), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
}

// Moodle 3.5's mdl_message_conversations is unique on convhash, which 4.1
// makes NULL and a plain index, and mdl_course_modules_completion on
// (userid, coursemoduleid): the simulator seeded random values, and
// seeding stopped on the server's duplicate key ("Duplicate entry 'l' for
// key 'mdl_messconv_con_uix'") before anything was rehearsed. A column of
// each unique key gets a value of its own in every row.
func TestOutsideS30MoodleSimulateUniqueKeys(t *testing.T) {
	t.Parallel()
	const v35 = "CREATE TABLE `mdl_message_conversations` (\n" +
		"  `id` BIGINT(10) NOT NULL AUTO_INCREMENT,\n" +
		"  `convhash` VARCHAR(40) NOT NULL,\n" +
		"  PRIMARY KEY (`id`),\n" +
		"  UNIQUE KEY `mdl_messconv_con_uix` (`convhash`)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n" +
		"CREATE TABLE `mdl_course_modules_completion` (\n" +
		"  `id` BIGINT(10) NOT NULL AUTO_INCREMENT,\n" +
		"  `coursemoduleid` BIGINT(10) NOT NULL,\n" +
		"  `userid` BIGINT(10) NOT NULL,\n" +
		"  `completionstate` TINYINT(1) NOT NULL,\n" +
		"  `viewed` TINYINT(1) DEFAULT NULL,\n" +
		"  PRIMARY KEY (`id`),\n" +
		"  UNIQUE KEY `mdl_courmoducomp_usecou_uix` (`userid`, `coursemoduleid`)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n"
	v41 := strings.NewReplacer("`convhash` VARCHAR(40) NOT NULL,", "`convhash` VARCHAR(40) DEFAULT NULL,\n  `name` VARCHAR(255) DEFAULT NULL,",
		"UNIQUE KEY `mdl_messconv_con_uix`", "KEY `mdl_messconv_con_ix`", "  `viewed` TINYINT(1) DEFAULT NULL,\n", "").Replace(v35)
	p := sqlReleasesProject(t, [2]string{"3_5", v35}, [2]string{"4_1", v41})
	if err := os.WriteFile(filepath.Join(p.Dir, "schema", "4_1.emcee.hcl"), []byte("table \"mdl_message_conversations\" {\n  column \"convhash\" {\n    allow_copy = true\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("plan")
	r := p.run("simulate", "--url", p.DB.URL, "--rows", "2000", "--baseline", "300ms", "--settle", "300ms", "--quiet")
	if r.Code != 0 {
		t.Fatalf("simulate: %s", r)
	}
	opContains(t, r, "0 lost, 0 inconsistent")
}
