package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// A legacy database's columns are latin2, ucs2, utf16, utf32 and cp1250
// (MariaDB 10.11 has 40 charsets). emcee's SQL reader refused every
// statement naming a charset other than seven ("Unknown character set:
// 'latin2'"): a release declared as SQL was refused, and so was every
// plan writing such a column, by the applier and by lint (EM110), though
// the server has them; and a conversion from any of them was refused at
// plan time, as one emcee did not know to keep every character. Declared
// as HCL and as SQL (the first release as mariadb-dump writes it), the
// next release converts the table's default
// latin2 -> utf8mb4 (a unique key under it: a collision gate) and a
// cp1250 column to utf16, widens a ucs2 varchar and adds a latin2 column;
// both are planned, lint clean, applied phase by phase with the rows'
// characters kept, and the database has no drift.
func TestCharsetsS27LegacyCharsetsPlannedAndApplied(t *testing.T) {
	t.Parallel()
	// Release a is what mariadb-dump --no-data writes for the table.
	sqlA := "/*M!999999\\- enable the sandbox mode */ \n" +
		"/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n" +
		"/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;\n" +
		"/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;\n" +
		"/*!40101 SET NAMES utf8mb4 */;\n" +
		"/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;\n" +
		"/*!40103 SET TIME_ZONE='+00:00' */;\n" +
		"/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n" +
		"/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n" +
		"/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n" +
		"/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;\n" +
		"\n" +
		"--\n" +
		"-- Table structure for table `legacy`\n" +
		"--\n" +
		"\n" +
		"DROP TABLE IF EXISTS `legacy`;\n" +
		"/*!40101 SET @saved_cs_client     = @@character_set_client */;\n" +
		"/*!40101 SET character_set_client = utf8mb4 */;\n" +
		"CREATE TABLE `legacy` (\n" +
		"  `id` int(11) NOT NULL,\n" +
		"  `name` varchar(20) NOT NULL,\n" +
		"  `title` varchar(10) CHARACTER SET ucs2 COLLATE ucs2_general_ci DEFAULT NULL,\n" +
		"  `body` text CHARACTER SET utf16 COLLATE utf16_general_ci DEFAULT NULL,\n" +
		"  `wide` varchar(30) CHARACTER SET utf32 COLLATE utf32_unicode_ci DEFAULT NULL,\n" +
		"  `win` varchar(30) CHARACTER SET cp1250 COLLATE cp1250_polish_ci DEFAULT NULL,\n" +
		"  PRIMARY KEY (`id`),\n" +
		"  UNIQUE KEY `ux_name` (`name`)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=latin2 COLLATE=latin2_general_ci;\n" +
		"/*!40101 SET character_set_client = @saved_cs_client */;\n" +
		"/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;\n" +
		"\n" +
		"/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n" +
		"/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;\n" +
		"/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;\n" +
		"/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;\n" +
		"/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;\n" +
		"/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;\n" +
		"/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;\n" +
		"\n" +
		"-- Dump completed\n"
	sqlB := "CREATE TABLE legacy (\n  id int NOT NULL,\n  name varchar(20) NOT NULL,\n  title varchar(40) CHARACTER SET ucs2 NULL,\n  body text CHARACTER SET utf16 NULL,\n  wide varchar(30) CHARACTER SET utf32 COLLATE utf32_unicode_ci NULL,\n  win varchar(30) CHARACTER SET utf16 COLLATE utf16_polish_ci NULL,\n  note varchar(10) CHARACTER SET latin2 COLLATE latin2_nopad_bin NULL,\n  PRIMARY KEY (id),\n  UNIQUE KEY ux_name (name)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n"
	hcl := func(tableCS, tableColl, title, win, note string) string {
		copyName := ""
		if tableCS == "utf8mb4" {
			copyName = "    allow_copy = true\n"
		}
		return "schema \"app\" {}\n\ntable \"legacy\" {\n  schema  = schema.app\n  charset = \"" + tableCS + "\"\n  collate = \"" + tableColl + "\"\n" +
			"  column \"id\" {\n    type = int\n  }\n" +
			"  column \"name\" {\n    type = varchar(20)\n" + copyName + "  }\n" +
			"  column \"title\" {\n    type    = " + title + "\n    charset = \"ucs2\"\n    null    = true\n  }\n" +
			"  column \"body\" {\n    type    = text\n    charset = \"utf16\"\n    null    = true\n  }\n" +
			"  column \"wide\" {\n    type    = varchar(30)\n    collate = \"utf32_unicode_ci\"\n    null    = true\n  }\n" +
			"  column \"win\" {\n    type    = varchar(30)\n    collate = \"" + win + "\"\n    null    = true\n  }\n" + note +
			"  primary_key {\n    columns = [column.id]\n  }\n  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n}\n"
	}
	note := "  column \"note\" {\n    type    = varchar(10)\n    collate = \"latin2_nopad_bin\"\n    null    = true\n  }\n"
	for _, c := range []struct {
		name string
		p    func(*testing.T) *opProject
	}{
		{"hcl", func(t *testing.T) *opProject {
			return newSchemaProject(t, [2]string{"a", hcl("latin2", "latin2_general_ci", "varchar(10)", "cp1250_polish_ci", "")},
				[2]string{"b", hcl("utf8mb4", "utf8mb4_general_ci", "varchar(40)", "utf16_polish_ci", note)})
		}},
		{"sql", func(t *testing.T) *opProject {
			p := sqlReleasesProject(t, [2]string{"a", sqlA}, [2]string{"b", sqlB})
			opWrite(t, filepath.Join(p.Dir, "schema", "b.emcee.hcl"), []byte("table \"legacy\" {\n  column \"name\" {\n    allow_copy = true\n  }\n}\n"))
			return p
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := c.p(t)
			p.must("plan")
			expand := p.read("plans/b/b_expand01.sql")
			for _, want := range []string{"ALTER TABLE `legacy` CHARSET utf8mb4, COLLATE utf8mb4_general_ci", "MODIFY COLUMN `win` varchar(30) CHARSET utf16 NULL COLLATE utf16_polish_ci", "MODIFY COLUMN `title` varchar(40) CHARSET ucs2", "COLLATE latin2_nopad_bin", "CONVERT(`name` USING utf8mb4) COLLATE utf8mb4_general_ci", "ALGORITHM=COPY"} {
				if !strings.Contains(expand, want) {
					t.Errorf("b's expand lacks %q:\n%s", want, expand)
				}
			}
			dev := testdb.New(t)
			if r := p.run("lint", "--dev-url", dev.URL); r.Code != 0 {
				t.Fatalf("lint: %s", r)
			}
			p.must("db", "sync", "a")
			rows := [][]string{
				{"1", "Łódź", "Ωmega", "body 😀", "𝄞 clef", "Zażółć gęślą"},
				{"2", "Brno ščř", "ŝ", "€", "ǅ", "Łódź"},
			}
			for _, r := range rows {
				p.exec("INSERT INTO legacy (id, name, title, body, wide, win) VALUES (?, ?, ?, ?, ?, ?)", r[0], r[1], r[2], r[3], r[4], r[5])
			}
			if r := p.run("db", "diff"); r.Code != 0 {
				t.Fatalf("drift after a: %s", r)
			}
			for _, phase := range []string{"expand", "migrate", "contract"} {
				p.must("db", phase)
			}
			if r := p.run("db", "diff"); r.Code != 0 {
				t.Fatalf("drift after b: %s", r)
			}
			var want []string
			for _, r := range rows {
				want = append(want, strings.Join(r, " "))
			}
			if got := p.query("SELECT id, name, title, body, wide, win FROM legacy ORDER BY id"); got != strings.Join(want, "\n") {
				t.Errorf("the rows after b:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
			}
			got := p.query("SELECT COLUMN_NAME, COLLATION_NAME, CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'legacy' AND COLLATION_NAME IS NOT NULL ORDER BY ORDINAL_POSITION")
			if want := "name utf8mb4_general_ci 20\ntitle ucs2_general_ci 40\nbody utf16_general_ci 32767\nwide utf32_unicode_ci 30\nwin utf16_polish_ci 30\nnote latin2_nopad_bin 10"; got != want {
				t.Errorf("columns after b:\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// A team adopts a legacy database whose tables are latin2, cp1250, ucs2,
// utf16 and utf32: emcee init writes the project, the plans pass
// `plan --check` and lint, and the baseline has no drift.
func TestCharsetsS27InitFromALegacyDatabase(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	for _, q := range []string{
		"CREATE TABLE customers (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, city varchar(40) CHARACTER SET cp1250 COLLATE cp1250_czech_cs NULL, code char(4) CHARACTER SET ucs2 COLLATE ucs2_bin NULL, bio text CHARACTER SET utf16 NULL, sign varchar(8) CHARACTER SET utf32 NULL, kind enum('a','b') CHARACTER SET sjis NULL, UNIQUE KEY ux_name (name)) DEFAULT CHARSET=latin2 COLLATE=latin2_croatian_ci",
		"INSERT INTO customers VALUES (1, 'Łódź', 'Plzeň', 'Ωx', 'bio 😀', '𝄞', 'a')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	dir := t.TempDir()
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL)
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
	must("init", "--from", db.URL, "--release", "r1")
	src, err := os.ReadFile(filepath.Join(dir, "schema", "r1.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`charset = "latin2"`, `collate = "cp1250_czech_cs"`, `collate = "ucs2_bin"`, `charset = "utf16"`, `charset = "utf32"`, `charset = "sjis"`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("the adopted schema lacks %s:\n%s", want, src)
		}
	}
	must("plan", "--check")
	dev := testdb.New(t)
	must("lint", "--dev-url", dev.URL)
	must("db", "baseline", "r1", "--env", "live")
	if r := run("db", "diff", "--env", "live"); r.Code != 0 {
		t.Fatalf("drift right after baseline: %s", r)
	}
}
