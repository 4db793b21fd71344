package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/revision"
)

// The first release of this project is a mysqldump --no-data, the next
// one what an ORM prints, with its declarations beside it.
const (
	sqlRelease1 = "/*M!999999\\- enable the sandbox mode */ \n" +
		"-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB\n\n" +
		"/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n" +
		"/*!40101 SET NAMES utf8mb4 */;\n" +
		"/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n" +
		"/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n\n" +
		"--\n-- Table structure for table `images`\n--\n\n" +
		"DROP TABLE IF EXISTS `images`;\n" +
		"/*!40101 SET @saved_cs_client     = @@character_set_client */;\n" +
		"/*!40101 SET character_set_client = utf8mb4 */;\n" +
		"CREATE TABLE `images` (\n" +
		"  `id` bigint(20) NOT NULL AUTO_INCREMENT,\n" +
		"  `owner_id` int(10) unsigned DEFAULT NULL,\n" +
		"  `name` varchar(255) NOT NULL,\n" +
		"  `status` enum('queued','active') NOT NULL DEFAULT 'queued',\n" +
		"  `is_public` tinyint(1) NOT NULL DEFAULT 0,\n" +
		"  `created_at` datetime NOT NULL DEFAULT current_timestamp(),\n" +
		"  PRIMARY KEY (`id`),\n" +
		"  KEY `ix_images_status` (`status`),\n" +
		"  KEY `fk_images_owner` (`owner_id`),\n" +
		"  CONSTRAINT `fk_images_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`) ON DELETE SET NULL\n" +
		") ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n" +
		"/*!40101 SET character_set_client = @saved_cs_client */;\n\n" +
		"DROP TABLE IF EXISTS `owners`;\n" +
		"CREATE TABLE `owners` (\n" +
		"  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,\n" +
		"  `name` varchar(100) NOT NULL,\n" +
		"  PRIMARY KEY (`id`),\n" +
		"  UNIQUE KEY `ux_owners_name` (`name`)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n" +
		"/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n" +
		"/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;\n"

	sqlRelease2 = "-- What the ORM prints for release 2025_1.\n" +
		"CREATE TABLE owners (\n" +
		"  id INTEGER UNSIGNED NOT NULL AUTO_INCREMENT,\n" +
		"  name VARCHAR(100) NOT NULL,\n" +
		"  PRIMARY KEY (id),\n" +
		"  CONSTRAINT ux_owners_name UNIQUE (name)\n" +
		");\n" +
		"CREATE TABLE images (\n" +
		"  id BIGINT NOT NULL AUTO_INCREMENT,\n" +
		"  owner_id INTEGER UNSIGNED,\n" +
		"  name VARCHAR(255) NOT NULL,\n" +
		"  status ENUM('queued','active') NOT NULL DEFAULT 'queued',\n" +
		"  visibility ENUM('private','public') NOT NULL DEFAULT 'private',\n" +
		"  slug VARCHAR(255) NOT NULL,\n" +
		"  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,\n" +
		"  PRIMARY KEY (id)\n" +
		");\n" +
		"CREATE INDEX ix_images_status ON images (status);\n" +
		"ALTER TABLE images ADD CONSTRAINT fk_images_owner FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE SET NULL;\n"

	sqlDecl2 = `# What the SQL cannot say: where visibility's values come from, and
# how slug is computed for the rows that exist.
table "images" {
  column "visibility" {
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }
  column "slug" {
    fill = "LOWER(REPLACE(name, ' ', '-'))"
  }
}
`
)

// A project whose releases are declared as SQL: planned in a dev database
// beside the database, then without any database while the SQL is
// unchanged; applied, upgraded by expand, migrate and contract through the
// real binary on MariaDB, with no drift at any step.
func TestSQLReleaseUpgrade(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dir := t.TempDir()
	run := func(withDB bool, args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_DEV_URL=", "EMCEE_ENV=")
		if withDB {
			cmd.Env = append(cmd.Env, "EMCEE_URL="+db.URL)
		}
		return opRunCmd(t, cmd)
	}
	must := func(withDB bool, args ...string) opResult {
		t.Helper()
		r := run(withDB, args...)
		if r.Code != 0 {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
		return r
	}
	project := func(releases string) {
		opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(`env "live" {
  url = getenv("EMCEE_URL")
}

emcee {
  target   = "mariadb 10.11"
  releases = [`+releases+`]
}
`))
	}
	project(`"2024_1"`)
	opWrite(t, filepath.Join(dir, "schema", "2024_1.sql"), []byte(sqlRelease1))

	// No database: the error names the file and the ways to give one.
	if r := run(false, "plan"); r.Code != 1 || !strings.Contains(r.Stderr, "schema/2024_1.sql has not been planned yet") || !strings.Contains(r.Stderr, "--dev-url") {
		t.Fatalf("plan without a database: %s", r)
	}
	// Scratch databases the plan leaves unlocked: ones another run (of
	// this server's other tests) left are there before it started.
	unlocked := func() []string {
		t.Helper()
		var names string
		if err := db.QueryRow("SELECT COALESCE(GROUP_CONCAT(SCHEMA_NAME), '') FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'emcee\\_scratch\\_%' AND IS_USED_LOCK(SCHEMA_NAME) IS NULL").Scan(&names); err != nil {
			t.Fatal(err)
		}
		return strings.Split(names, ",")
	}
	before := unlocked()
	r := must(true, "plan")
	if !strings.Contains(r.Stdout, "wrote plans/2024_1/2024_1_expand01.sql") {
		t.Fatalf("plan: %s", r)
	}
	// Unchanged SQL plans and checks without a database.
	must(false, "plan", "--check")
	for _, name := range unlocked() {
		if name != "" && !slices.Contains(before, name) {
			t.Fatalf("plan left scratch database %s behind", name)
		}
	}

	must(true, "db", "sync", "--env", "live")
	if r := run(true, "db", "diff", "--env", "live"); r.Code != 0 {
		t.Fatalf("drift after sync: %s", r)
	}
	for _, q := range []string{
		"INSERT INTO owners (name) VALUES ('alice')",
		"INSERT INTO images (owner_id, name, is_public) VALUES (1, 'My Cat', 1), (NULL, 'Dog Two', 0)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	// The next release, as an ORM prints it, with declarations beside it.
	project(`"2024_1", "2025_1"`)
	opWrite(t, filepath.Join(dir, "schema", "2025_1.sql"), []byte(sqlRelease2))
	opWrite(t, filepath.Join(dir, "schema", "2025_1.emcee.hcl"), []byte(sqlDecl2))
	if r := run(false, "plan", "--check"); r.Code != 1 || !strings.Contains(r.Stderr, "schema/2025_1.sql has not been planned yet") {
		t.Fatalf("plan --check of a changed SQL release without a database: %s", r)
	}
	must(true, "plan")
	must(false, "plan", "--check")
	expand, err := os.ReadFile(filepath.Join(dir, "plans", "2025_1", "2025_1_expand01.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"images.visibility replaces is_public (declared at schema/2025_1.emcee.hcl:5:5)", "filled by LOWER(REPLACE(name, ' ', '-')) (declared at schema/2025_1.emcee.hcl:12:5)"} {
		if !strings.Contains(string(expand), want) {
			t.Fatalf("expand lacks %q:\n%s", want, expand)
		}
	}
	// Lint and review read the SQL releases as they read HCL ones.
	if r := run(true, "lint"); r.Code != 0 {
		t.Fatalf("lint: %s", r)
	}
	if r := must(false, "review", "2025_1"); !strings.Contains(r.Stdout, "replace-column") {
		t.Fatalf("review: %s", r)
	}

	for _, phase := range []string{"expand", "migrate", "contract"} {
		must(true, "db", phase, "--env", "live")
		if r := run(true, "db", "diff", "--env", "live"); r.Code != 0 {
			t.Fatalf("drift after %s: %s", phase, r)
		}
	}
	var got string
	if err := db.QueryRow("SELECT GROUP_CONCAT(CONCAT(visibility, ':', slug) ORDER BY id) FROM images").Scan(&got); err != nil || got != "public:my-cat,private:dog-two" {
		t.Fatalf("rows after the upgrade: %q %v", got, err)
	}

	// A comment changes the file but nothing Atlas sees: planned again in
	// a dev database, no revision is added, and the snapshot records the
	// new file, so CI checks it without a database.
	opWrite(t, filepath.Join(dir, "schema", "2025_1.sql"), []byte("-- reviewed\n"+sqlRelease2))
	if r := run(false, "plan", "--check"); r.Code != 1 || !strings.Contains(r.Stderr, "schema/2025_1.sql changed since its last plan") {
		t.Fatalf("plan --check of an edited SQL release without a database: %s", r)
	}
	if r := must(true, "plan"); strings.Contains(r.Stdout, "wrote") {
		t.Fatalf("a comment added revisions: %s", r)
	}
	must(false, "plan", "--check")
}

// The snapshot of a release declared as SQL stands for its SQL while the
// files have the hash it records: offline, plan --check can only check
// the revisions against the snapshot. Given a database, it evaluates the
// SQL again, so a snapshot edited to say something else than the SQL
// (and its sum recomputed, as anyone can) fails CI's check.
func TestSQLReleaseCheckEvaluatesTheSQL(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dir := t.TempDir()
	run := func(withDB bool, args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_DEV_URL=", "EMCEE_ENV=")
		if withDB {
			cmd.Env = append(cmd.Env, "EMCEE_URL="+db.URL)
		}
		return opRunCmd(t, cmd)
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"2024_1\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "2024_1.sql"), []byte(sqlRelease1))
	if r := run(true, "plan"); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	if r := run(true, "plan", "--check"); r.Code != 0 {
		t.Fatalf("plan --check with a database, nothing changed: %s", r)
	}

	// The forger: the snapshot and the revisions say owners.name is
	// varchar(20), the SQL says varchar(100); the sum is recomputed over
	// the edits.
	files, _ := filepath.Glob(filepath.Join(dir, "plans", "2024_1", "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		opWrite(t, f, []byte(strings.ReplaceAll(string(data), "varchar(100)", "varchar(20)")))
	}
	sumPath := filepath.Join(dir, "plans", revision.SumFile)
	var hf migrate.HashFile
	sum, err := os.ReadFile(sumPath)
	if err == nil {
		err = hf.UnmarshalText(sum)
	}
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	content := map[string][]byte{}
	for _, f := range hf {
		paths = append(paths, f.N)
		if content[f.N], err = os.ReadFile(filepath.Join(dir, "plans", f.N)); err != nil {
			t.Fatal(err)
		}
	}
	if sum, err = revision.Sum(paths, content); err != nil {
		t.Fatal(err)
	}
	opWrite(t, sumPath, sum)

	// Offline, the forged snapshot is checked against its revisions only.
	if r := run(false, "plan", "--check"); r.Code != 0 {
		t.Fatalf("offline plan --check of a consistent forgery: %s", r)
	}
	if r := run(true, "plan", "--check"); r.Code != 6 || !strings.Contains(r.Stdout, "2024_1.snapshot.hcl") {
		t.Fatalf("plan --check with a database passed a snapshot that is not what the SQL evaluates to: %s", r)
	}
}

// Piwigo's piwigo_structure-mysql.sql declares no table charset and gives
// columns their own: `varchar(100) binary` (utf8mb4_bin on a utf8mb4
// server), a CHARACTER SET. The release planned from that SQL must keep
// them: a database the same SQL created baselines at it with no
// difference (the columns were planned with the default collation, and
// baseline refused nine tables of Piwigo 2.9).
func TestSQLReleaseKeepsColumnCharsets(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dir := t.TempDir()
	const release = "CREATE TABLE `piwigo_users` (\n" +
		"  `id` mediumint(8) unsigned NOT NULL auto_increment,\n" +
		"  `username` varchar(100) binary NOT NULL default '',\n" +
		"  `legacy` varchar(20) CHARACTER SET latin1 default NULL,\n" +
		"  `mail_address` varchar(255) default NULL,\n" +
		"  PRIMARY KEY  (`id`),\n" +
		"  UNIQUE KEY `users_ui1` (`username`)\n" +
		") ENGINE=InnoDB;\n" +
		"CREATE TABLE `session` (\n" +
		"  `sess_id` varchar(128) NOT NULL,\n" +
		"  `user` varchar(128) BINARY NOT NULL,\n" +
		"  PRIMARY KEY (`sess_id`)\n" +
		") ENGINE=INNODB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n"
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"p2_9\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "p2_9.sql"), []byte(release))
	run := func(args ...string) opResult {
		t.Helper()
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL, "EMCEE_DEV_URL=", "EMCEE_ENV=")
		r := opRunCmd(t, cmd)
		if r.Code != 0 {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
		return r
	}
	run("plan")
	snap, err := os.ReadFile(filepath.Join(dir, "plans", "p2_9", "p2_9.snapshot.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`collate = "utf8mb4_bin"`, `charset = "latin1"`} {
		if !strings.Contains(string(snap), want) {
			t.Errorf("snapshot lacks %s:\n%s", want, snap)
		}
	}
	for _, stmt := range strings.SplitAfter(strings.TrimSpace(release), ";\n") {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	run("db", "baseline", "p2_9")
	run("db", "diff")
}

// A plan cites the opt-in to a table copy where it is declared: in the
// declarations file of a release declared as SQL, not at the CREATE TABLE
// (Roundcube 1.1's users.preferences text -> longtext).
func TestSQLReleaseCitesAllowCopyDeclaration(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dir := t.TempDir()
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"r1_0\", \"r1_1\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "r1_0.sql"), []byte("CREATE TABLE users (user_id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, preferences text);\n"))
	opWrite(t, filepath.Join(dir, "schema", "r1_1.sql"), []byte("CREATE TABLE users (user_id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, preferences longtext);\n"))
	opWrite(t, filepath.Join(dir, "schema", "r1_1.emcee.hcl"), []byte("table \"users\" {\n  column \"preferences\" {\n    allow_copy = true\n  }\n}\n"))
	cmd := exec.Command(opBinary(t), "plan")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL, "EMCEE_DEV_URL=", "EMCEE_ENV=")
	if r := opRunCmd(t, cmd); r.Code != 0 {
		t.Fatalf("emcee plan: %s", r)
	}
	expand, err := os.ReadFile(filepath.Join(dir, "plans", "r1_1", "r1_1_expand01.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(expand), "(allow_copy = true at schema/r1_1.emcee.hcl:2:3)") || !strings.Contains(string(expand), "MODIFY COLUMN `preferences` longtext NULL, ALGORITHM=COPY, LOCK=SHARED") {
		t.Errorf("expand does not cite the declaration:\n%s", expand)
	}
}

// Roundcube 1.3 gives dictionary, which had no primary key, a new
// AUTO_INCREMENT id as its key. The plan adds both in expand, and lint,
// replaying it in a dev database, does not call it a tightening: the
// server numbers every row, old and new.
func TestLintAcceptsNewAutoIncrementKey(t *testing.T) {
	t.Parallel()
	dev := testdb.New(t)
	dir := t.TempDir()
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"r1_2\", \"r1_3\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "r1_2.sql"), []byte("CREATE TABLE dictionary (user_id int unsigned, language varchar(16) NOT NULL, data longtext NOT NULL, UNIQUE KEY uniqueness (user_id, language));\n"))
	opWrite(t, filepath.Join(dir, "schema", "r1_3.sql"), []byte("CREATE TABLE dictionary (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id int unsigned, language varchar(16) NOT NULL, data longtext NOT NULL, UNIQUE KEY uniqueness (user_id, language));\n"))
	opWrite(t, filepath.Join(dir, "schema", "r1_3.emcee.hcl"), []byte("table \"dictionary\" {\n  column \"id\" {\n    allow_copy = true\n  }\n}\n"))
	for _, args := range [][]string{{"plan", "--dev-url", dev.URL}, {"lint", "--dev-url", dev.URL}} {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_DEV_URL=", "EMCEE_ENV=")
		if r := opRunCmd(t, cmd); r.Code != 0 || strings.Contains(r.Stdout+r.Stderr, "EM102") {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
	}
}

// MediaWiki's `user_touched binary(14) NOT NULL` with an empty default: MariaDB
// reports the default padded with NUL bytes to the column's length, which
// the release's HCL cannot carry; read back as declared, the release plans,
// the applier creates the column as the file does, and the database the
// file itself created is at that release.
func TestSQLReleaseBinaryDefault(t *testing.T) {
	t.Parallel()
	synced, direct := testdb.New(t), testdb.New(t)
	dir := t.TempDir()
	const create = "CREATE TABLE `user` (\n" +
		"  user_id int unsigned NOT NULL PRIMARY KEY AUTO_INCREMENT,\n" +
		"  user_touched binary(14) NOT NULL default '',\n" +
		"  user_token binary(4) NOT NULL default 'ab',\n" +
		"  user_name varbinary(255) NOT NULL default ''\n" +
		") ENGINE=InnoDB, DEFAULT CHARSET=binary"
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"1_27\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "1_27.sql"), []byte(create+";\n"))
	run := func(url string, args ...string) {
		t.Helper()
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+url, "EMCEE_DEV_URL=", "EMCEE_ENV=")
		if r := opRunCmd(t, cmd); r.Code != 0 {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
	}
	run(synced.URL, "plan")
	run(synced.URL, "db", "sync")
	run(synced.URL, "db", "diff")
	if _, err := direct.Exec(create); err != nil {
		t.Fatal(err)
	}
	run(direct.URL, "db", "baseline", "1_27")
	for _, d := range []*testdb.DB{synced, direct} {
		if _, err := d.Exec("INSERT INTO `user` (user_id) VALUES (1)"); err != nil {
			t.Fatal(err)
		}
	}
	var a, b string
	if err := synced.QueryRow("SELECT HEX(CONCAT(user_touched, user_token, user_name)) FROM `user`").Scan(&a); err != nil {
		t.Fatal(err)
	}
	if err := direct.QueryRow("SELECT HEX(CONCAT(user_touched, user_token, user_name)) FROM `user`").Scan(&b); err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("a row inserted without values: %s through the plans, %s through the file", a, b)
	}
}

// A release declared as SQL, mysqldump --databases of a latin1 database,
// declares that default (CREATE DATABASE ... CHARACTER SET latin1, read
// and never run): its plans are computed for latin1 and the applier runs
// them on the latin1 database. The CREATE DATABASE was refused, and
// without it the plans were computed for utf8mb4_general_ci, which every
// db command refused on this database.
func TestSQLReleaseDeclaresItsDatabaseDefault(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	if _, err := db.Exec("ALTER DATABASE `" + db.Name + "` CHARACTER SET latin1"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dump := func(size string) string {
		return "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET latin1 COLLATE latin1_swedish_ci */;\n\nUSE `shop`;\n\n" +
			"CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `name` varchar(" + size + ") NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;\n"
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "a.sql"), []byte(dump("200")))
	run := func(args ...string) opResult {
		t.Helper()
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL, "EMCEE_DEV_URL=", "EMCEE_ENV=")
		return opRunCmd(t, cmd)
	}
	must := func(args ...string) opResult {
		t.Helper()
		r := run(args...)
		if r.Code != 0 {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
		return r
	}
	must("plan")
	if snap, err := os.ReadFile(filepath.Join(dir, "plans", "a", "a.snapshot.hcl")); err != nil || !strings.Contains(string(snap), `collate = "latin1_swedish_ci"`) {
		t.Fatalf("the snapshot does not record the declared default (%v):\n%s", err, snap)
	}
	if _, err := db.Exec("CREATE TABLE t (id int NOT NULL, name varchar(200) NOT NULL, PRIMARY KEY (id))"); err != nil {
		t.Fatal(err)
	}
	must("db", "baseline", "a")

	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\", \"b\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "b.sql"), []byte(dump("300")))
	opWrite(t, filepath.Join(dir, "schema", "b.emcee.hcl"), []byte("table \"t\" {\n  column \"name\" {\n    allow_copy = true\n  }\n}\n"))
	must("plan")
	if r := run("db", "check"); r.Code != 3 || strings.Contains(r.Stdout+r.Stderr, "default collation") {
		t.Fatalf("db check: want 3, expand needed, and nothing of the database default: %s", r)
	}
	// latin1: 200 -> 300 bytes crosses 255, a copy (INSTANT for utf8mb4).
	opContains(t, must("db", "sync"), "ALTER TABLE `t` MODIFY COLUMN `name` varchar(300) NOT NULL, ALGORITHM=COPY", "b_expand01 applied")
	var got string
	if err := db.QueryRow("SELECT CONCAT(COLUMN_TYPE, ' ', COLLATION_NAME) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'").Scan(&got); err != nil || got != "varchar(300) latin1_swedish_ci" {
		t.Fatalf("t.name after the upgrade: %q (%v)", got, err)
	}
}

// A data migration added to the declarations of a planned SQL release is
// that release's business (its migrate runs it, its contract gates on
// it): plan adds its revisions and keeps the next release's, which are
// byte-identical on top of it, instead of demanding --rewrite of it.
func TestSQLReleaseDeclarationLeavesLaterReleasePlanned(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dir := t.TempDir()
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL, "EMCEE_DEV_URL=", "EMCEE_ENV=")
		return opRunCmd(t, cmd)
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"2024_1\", \"2025_1\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "2024_1.sql"), []byte(sqlRelease1))
	opWrite(t, filepath.Join(dir, "schema", "2025_1.sql"), []byte(sqlRelease2))
	opWrite(t, filepath.Join(dir, "schema", "2025_1.emcee.hcl"), []byte(sqlDecl2))
	if r := run("plan"); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	later, _ := filepath.Glob(filepath.Join(dir, "plans", "2025_1", "*.sql"))
	before := map[string][]byte{}
	for _, f := range later {
		before[f], _ = os.ReadFile(f)
	}
	opWrite(t, filepath.Join(dir, "schema", "2024_1.emcee.hcl"), []byte("data_migration \"trim_names\" {\n  table   = \"images\"\n  set     = \"name = TRIM(name)\"\n  pending = \"name <> TRIM(name)\"\n}\n"))
	if r := run("plan"); r.Code != 0 || !strings.Contains(r.Stdout+r.Stderr, "2024_1_migrate02") {
		t.Fatalf("plan after a data migration was added to 2024_1: %s", r)
	}
	if m, _ := os.ReadFile(filepath.Join(dir, "plans", "2024_1", "2024_1_migrate02.sql")); !strings.Contains(string(m), "TRIM(`name`)") {
		t.Fatalf("2024_1_migrate02 lacks the data migration:\n%s", m)
	}
	if now, _ := filepath.Glob(filepath.Join(dir, "plans", "2025_1", "*.sql")); !slices.Equal(now, later) {
		t.Fatalf("2025_1's revisions are now %v, were %v", now, later)
	}
	for f, data := range before {
		if now, _ := os.ReadFile(f); string(now) != string(data) {
			t.Errorf("%s was rewritten", f)
		}
	}
	if r := run("plan", "--check"); r.Code != 0 {
		t.Fatalf("plan --check after the re-base: %s", r)
	}
}
