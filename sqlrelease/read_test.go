package sqlrelease

import (
	"maps"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
)

// What dumps and ORMs write around their CREATE TABLEs is read: session
// settings run, the rest is skipped, and every table and column is placed
// at the statement defining it.
func TestReadDumpForms(t *testing.T) {
	src := "/*M!999999\\- enable the sandbox mode */ \n" +
		"-- MariaDB dump 10.19\n" +
		"/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n" +
		"/*!40101 SET NAMES utf8mb4 */;\n" +
		"/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n" +
		"/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n" +
		"\n" +
		"DROP TABLE IF EXISTS `images`;\n" +
		"/*!40101 SET character_set_client = utf8mb4 */;\n" +
		"CREATE TABLE `images` (\n" +
		"  `id` bigint(20) NOT NULL AUTO_INCREMENT,\n" +
		"  PRIMARY KEY (`id`)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n" +
		"LOCK TABLES `images` WRITE;\n" +
		"UNLOCK TABLES;\n" +
		"BEGIN;\n" +
		"CREATE INDEX ix_id ON images (id);\n" +
		"ALTER TABLE images ADD COLUMN owner varchar(10) NULL, ADD CONSTRAINT fk_self FOREIGN KEY (id) REFERENCES images (id);\n" +
		"COMMIT;\n" +
		"/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n" +
		"-- Dump completed\n"
	s, err := Read("schema/x.sql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range s.Run {
		got = append(got, st.Pos.String()+" "+strings.Fields(st.Exec)[0])
	}
	want := []string{
		"schema/x.sql:3:1 SET", "schema/x.sql:4:1 SET", "schema/x.sql:5:1 SET", "schema/x.sql:6:1 SET",
		"schema/x.sql:9:1 SET", "schema/x.sql:10:1 CREATE", "schema/x.sql:17:1 CREATE", "schema/x.sql:18:1 ALTER", "schema/x.sql:20:1 SET",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("statements run:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A statement in an executable comment runs as the reader read it: the
	// server never sees the comment.
	if e := s.Run[1].Exec; strings.Contains(e, "/*") || !strings.Contains(strings.ToUpper(e), "NAMES") {
		t.Errorf("SET NAMES is sent as %q", e)
	}
	// A column, key or index of CREATE TABLE at its own line.
	for k, want := range map[string]string{"images": "schema/x.sql:10:1", "images.id": "schema/x.sql:11:3", "images.owner": "schema/x.sql:18:1", "images/ix_id": "schema/x.sql:17:1", "images/fk_self": "schema/x.sql:18:1"} {
		if got := s.At[k].String(); got != want {
			t.Errorf("%s is defined at %s, want %s", k, got, want)
		}
	}
}

// Every statement that would reach another database, touch data, or
// create something other than tables is refused at its line, before
// anything runs.
func TestReadRefuses(t *testing.T) {
	for _, c := range []struct{ name, sql, want string }{
		{"use", "USE other_db;", "USE:"},
		{"qualified create", "CREATE TABLE other_db.t (id int);", "names other_db.t, a table of another database"},
		{"qualified fk", "CREATE TABLE t (id int, CONSTRAINT f FOREIGN KEY (id) REFERENCES mysql.user (id));", "names mysql.user"},
		{"qualified column reference", "CREATE TABLE t (id int REFERENCES other.p (id));", "names other.p"},
		{"qualified index", "CREATE INDEX i ON other.t (a);", "names other.t"},
		{"qualified alter", "ALTER TABLE other.t ADD COLUMN b int;", "names other.t"},
		{"qualified drop", "DROP TABLE IF EXISTS other.t;", "names other.t"},
		{"qualified lock", "LOCK TABLES other.t WRITE;", "names other.t"},
		{"like other", "CREATE TABLE t LIKE other.t;", "names other.t"},
		{"drop database", "DROP DATABASE emcee_example;", "DROP DATABASE:"},
		{"create database", "CREATE DATABASE x;", "CREATE DATABASE:"},
		// What declares the database's default is read, not run: the
		// rest of what CREATE and ALTER DATABASE do is refused.
		{"database option", "CREATE DATABASE x CHARACTER SET latin1 ENCRYPTION = 'Y';", "x.sql:1:1: CREATE DATABASE: ENCRYPTION = 'Y': a SQL release declares the database's default CHARACTER SET and COLLATE only"},
		{"alter database without a default", "ALTER DATABASE x ENCRYPTION = 'N';", "x.sql:1:1: ALTER DATABASE: it gives no CHARACTER SET or COLLATE"},
		// What MySQL 8.0's mysqldump writes on a server with GTIDs on.
		{"gtid_purged", "SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5';", "x.sql:1:1: SET GLOBAL gtid_purged: a SQL release sets up its own session only; remove it (mysqldump --set-gtid-purged=OFF leaves it out)"},
		{"sql_log_bin", "SET @@SESSION.SQL_LOG_BIN= 0;", "remove it (mysqldump --set-gtid-purged=OFF leaves it out)"},
		{"encrypted", "CREATE DATABASE x CHARACTER SET latin1 /*!80016 DEFAULT ENCRYPTION='Y' */;", "x.sql:1:1: CREATE DATABASE: ENCRYPTION = 'Y': a SQL release declares the database's default CHARACTER SET and COLLATE only"},
		{"default after a table", "CREATE TABLE t (id int);\nALTER DATABASE CHARACTER SET latin1;", "x.sql:2:1: ALTER DATABASE: the database's default is declared after a CREATE TABLE, which took the default before it"},
		{"two databases", "CREATE DATABASE a CHARACTER SET latin1;\nCREATE DATABASE b CHARACTER SET latin1;", "x.sql:2:1: CREATE DATABASE b: schema/x.sql already creates database a"},
		{"use of another database", "CREATE DATABASE a CHARACTER SET latin1;\nUSE b;", "x.sql:2:1: USE:"},
		{"alter of another database", "CREATE DATABASE a CHARACTER SET latin1;\nALTER DATABASE b COLLATE latin1_bin;", "x.sql:2:1: ALTER DATABASE b: schema/x.sql creates database a"},
		{"insert", "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);", "x.sql:2:1: INSERT:"},
		{"replace", "REPLACE INTO t VALUES (1);", "REPLACE:"},
		{"update", "UPDATE t SET a = 1;", "UPDATE:"},
		{"delete", "DELETE FROM t;", "DELETE:"},
		{"select into outfile", "SELECT 1 INTO OUTFILE '/tmp/x';", "SELECT:"},
		{"load data", "LOAD DATA INFILE '/etc/passwd' INTO TABLE t;", "LOAD DATA:"},
		{"grant", "GRANT ALL ON *.* TO 'x'@'%';", "GRANT:"},
		{"create user", "CREATE USER 'x'@'%' IDENTIFIED BY 'y';", "CREATE USER:"},
		{"view", "CREATE VIEW v AS SELECT 1;", "CREATE VIEW:"},
		{"procedure", "CREATE PROCEDURE p() SELECT 1;", "CREATE PROCEDURE:"},
		{"trigger", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;", "CREATE TRIGGER:"},
		{"truncate", "TRUNCATE TABLE t;", "TRUNCATE:"},
		{"rename", "RENAME TABLE t TO u;", "RENAME TABLE:"},
		{"call", "CALL p();", "CALL:"},
		{"do", "DO SLEEP(10);", "DO:"},
		{"set global", "SET GLOBAL max_connections = 1;", "SET GLOBAL max_connections"},
		{"set log bin", "SET SESSION sql_log_bin = 0;", "SET sql_log_bin"},
		{"set password", "SET PASSWORD = 'x';", "SET PASSWORD:"},
		{"set from subquery", "SET @x = (SELECT authentication_string FROM mysql.user LIMIT 1);", "names mysql.user"},
		{"set to function", "SET @x = SLEEP(5);", "to an expression"},
		// MariaDB's SET STATEMENT ... FOR sets variables for one statement:
		// the reader reads the statement after FOR, and the settings must not
		// pass unchecked (sql_log_bin = 0 would keep the table from the
		// binary log, and the dev server's replicas would break on its DROP).
		{"set statement", "SET STATEMENT sql_log_bin = 0 FOR CREATE TABLE t (id int);", "SET STATEMENT"},
		{"set statement of a session variable", "SET STATEMENT foreign_key_checks = 0 FOR CREATE TABLE t (id int);", "SET STATEMENT"},
		{"temporary", "CREATE TEMPORARY TABLE t (id int);", "CREATE TEMPORARY TABLE t"},
		{"create select", "CREATE TABLE t AS SELECT 1 AS a;", "CREATE TABLE t ... SELECT"},
		{"partition", "CREATE TABLE t (id int) PARTITION BY HASH (id) PARTITIONS 2;", "PARTITION BY"},
		{"data directory", "CREATE TABLE t (id int) DATA DIRECTORY = '/tmp';", "table option"},
		{"federated", "CREATE TABLE t (id int) ENGINE=FEDERATED CONNECTION='mysql://u@remote/db/t';", "table t:"},
		{"myisam", "CREATE TABLE t (id int) ENGINE=MyISAM;", "ENGINE=MyISAM"},
		{"alter rename", "CREATE TABLE t (id int);\nALTER TABLE t RENAME TO u;", "x.sql:2:1: ALTER TABLE t: this change is not allowed"},
		{"drop uncreated", "DROP TABLE t;", "no statement before it creates that table"},
		{"dropped twice", "CREATE TABLE t (id int);\nDROP TABLE t;\nDROP TABLE t;", "x.sql:3:1: DROP TABLE t: no statement before it creates that table"},
		// Atlas read the second table from information_schema as a table
		// of no columns: `table "users" has no columns`, at no line.
		{"tables differing in case", "CREATE TABLE Users (id int);\n\nCREATE TABLE users (id int, name int);", "schema/x.sql:3:1: CREATE TABLE users: the file creates table Users at schema/x.sql:1:1, a name differing from users only in letter case"},
		{"drop view", "DROP VIEW v;", "DROP VIEW"},
		{"emcee's table", "CREATE TABLE emcee_revisions (id int);", "emcee reserves it"},
		{"emcee's dev marker", "DROP TABLE IF EXISTS EMCEE_DEV_IN_USE;", "emcee reserves it"},
		{"rollback", "ROLLBACK;", "ROLLBACK:"},
		// Directives in comments: executable ones are read as the code
		// they are, and refused like it; emcee's and Atlas's are refused.
		{"executable drop", "/*!50000 DROP DATABASE emcee_example */;", "DROP DATABASE:"},
		{"executable drop in a statement", "CREATE TABLE t (id int) /*!50000 ; DROP DATABASE x */;", "statements where one was expected"},
		{"executable drop after a statement", "CREATE TABLE t (id int) /*!50000 , DROP DATABASE x */;", "x.sql:1:"},
		{"mariadb executable comment", "CREATE TABLE t (id int /*M!100301 , b int */);", "MariaDB executable comment"},
		{"emcee directive", "-- emcee:replaces images.is_public\nCREATE TABLE t (id int);", "reads as a directive"},
		{"atlas import", "-- atlas:import other.sql\nCREATE TABLE t (id int);", "reads as a directive"},
		{"nul", "CREATE TABLE t (id int);\x00", "NUL byte"},
		{"not utf8", "CREATE TABLE t (id int) COMMENT '\xff';", "not valid UTF-8"},
		{"unreadable", "CREATE TABLE t (id int) FOO;", "x.sql:1:"},
		{"spatial column", "CREATE TABLE t (\n  id int,\n  loc point NOT NULL, SPATIAL INDEX (loc));", "x.sql:3:7: point is a spatial type: emcee's SQL reader, TiDB's MySQL parser, cannot read spatial types"},
		{"delimiter trigger", "DELIMITER ;;\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END ;;\nDELIMITER ;\n", "x.sql:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read("schema/x.sql", []byte(c.sql))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "schema/x.sql:") {
				t.Fatalf("Read(%q) = %v, want an error at schema/x.sql: containing %q", c.sql, err, c.want)
			}
		})
	}
}

// A table dropped may be created again in another letter case: the file
// then creates one table.
func TestReadRecreatedInAnotherCase(t *testing.T) {
	s, err := Read("schema/x.sql", []byte("CREATE TABLE Users (id int);\nDROP TABLE Users;\nCREATE TABLE users (id int);"))
	if err != nil || len(s.Run) != 3 {
		t.Fatalf("Read = %v, %v", s, err)
	}
}

// A table created again after its DROP TABLE is where the second CREATE
// TABLE defines it, and so are its columns and keys: the snapshot's
// positions, its errors and the plans' notes pointed at the CREATE TABLE
// dropped. A table dropped and created in another case is gone under its
// old name.
func TestReadRecreatedIsWhereCreatedAgain(t *testing.T) {
	s, err := Read("schema/x.sql", []byte("CREATE TABLE t (id int, v int, KEY k (v));\nCREATE TABLE Users (id int);\nDROP TABLE t, Users;\nCREATE TABLE t (id int,\n  v int,\n  KEY k (v));\nALTER TABLE t MODIFY v bigint;\nCREATE TABLE users (id int);"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"t": "schema/x.sql:4:1", "t.id": "schema/x.sql:4:17", "t.v": "schema/x.sql:7:1", "t/k": "schema/x.sql:6:3", "users": "schema/x.sql:8:1", "users.id": "schema/x.sql:8:21"}
	got := map[string]string{}
	for k, p := range s.At {
		got[k] = p.String()
	}
	if !maps.Equal(got, want) {
		t.Errorf("positions %v, want %v", got, want)
	}
}

// A file over the size limit is refused before it is read; a large legit
// one is read in one pass.
func TestReadHugeFile(t *testing.T) {
	huge := strings.Repeat("-- padding to make a file larger than emcee reads\n", MaxSize/50+1)
	if _, err := Read("schema/x.sql", []byte(huge)); err == nil || !strings.Contains(err.Error(), "emcee reads SQL releases of up to 64 MiB") {
		t.Fatalf("a %d-byte file: %v", len(huge), err)
	}
	var b strings.Builder
	for i := range 5000 {
		b.WriteString("CREATE TABLE t" + strconv.Itoa(i) + " (id int NOT NULL, name varchar(20), PRIMARY KEY (id));\n")
	}
	s, err := Read("schema/x.sql", []byte(b.String()))
	if err != nil || len(s.Run) != 5000 || s.At["t4999"].Line != 5000 {
		t.Fatalf("5000 tables: %v (%d statements)", err, len(s.Run))
	}
}

// DELIMITER is read as the mysql client reads it: statements between
// DELIMITER lines end at the delimiter set, and a mysqldump with triggers
// (DELIMITER ;; around each) is refused at its trigger.
func TestReadDelimiter(t *testing.T) {
	s, err := Read("schema/x.sql", []byte("DELIMITER ;;\nCREATE TABLE t (id int);;\nCREATE TABLE v (id int)\n;;\nDELIMITER ;\nCREATE TABLE u (id int);\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range s.Run {
		got = append(got, st.Pos.String()+" "+strings.Join(strings.Fields(st.Exec), " "))
	}
	if want := "schema/x.sql:2:1 CREATE TABLE t (id int)\nschema/x.sql:3:1 CREATE TABLE v (id int)\nschema/x.sql:6:1 CREATE TABLE u (id int);"; strings.Join(got, "\n") != want {
		t.Fatalf("statements run:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	dump := "CREATE TABLE `t` (\n  `id` int(11) NOT NULL\n) ENGINE=InnoDB;\n" +
		"/*!50003 SET @saved_cs_client      = @@character_set_client */ ;\n" +
		"DELIMITER ;;\n" +
		"/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.id = 1 */;;\n" +
		"DELIMITER ;\n" +
		"/*!50003 SET character_set_client  = @saved_cs_client */ ;\n"
	// Refused at the word TRIGGER, saying it is a trigger as mysqldump
	// writes it and what to do, not that emcee "cannot read" it.
	_, err = Read("schema/x.sql", []byte(dump))
	if err == nil || !strings.HasPrefix(err.Error(), "schema/x.sql:6:66: ") {
		t.Fatalf("a dump with a trigger: %v", err)
	}
	for _, want := range []string{"a trigger", "mysqldump", "--skip-triggers"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("a dump with a trigger: the refusal lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "cannot read") {
		t.Errorf("a dump with a trigger: the refusal says emcee cannot read it: %v", err)
	}
	// A file whose last statement ends at a custom delimiter, the DELIMITER
	// back to ';' after it: the delimiter and the command were read as a
	// statement ("cannot read the statement from \"// DELIMITER ;\"").
	for _, tail := range []string{"DELIMITER ;\n", "DELIMITER ;", "DELIMITER ;\n\n-- end\n"} {
		s, err = Read("schema/x.sql", []byte("CREATE TABLE t (id int);\nDELIMITER //\nCREATE TABLE u (id int)\n//\n"+tail))
		if err != nil || len(s.Run) != 2 || strings.Join(strings.Fields(s.Run[1].Exec), " ") != "CREATE TABLE u (id int)" {
			t.Errorf("a last statement ended by // then %q: %v", tail, err)
		}
	}
	// The same with Windows line ends, which the mysql client reads: the
	// DELIMITER commands, their \r left out of the pattern, were read as
	// SQL ("cannot read the statement from \"DELIMITER // CREATE ...\"").
	s, err = Read("schema/x.sql", []byte("DELIMITER //\r\nCREATE TABLE t (id int)//\r\nDELIMITER ;\r\nCREATE TABLE u (id int);\r\nDELIMITER //\r\nCREATE TABLE v (id int)//\r\nDELIMITER ;\r\n"))
	if err != nil || len(s.Run) != 3 || strings.Join(strings.Fields(s.Run[2].Exec), " ") != "CREATE TABLE v (id int)" {
		t.Errorf("DELIMITER with \\r\\n line ends: %v", err)
	}
	// Written plainly, a trigger is refused with the same way out.
	_, err = Read("schema/x.sql", []byte("CREATE TABLE t (id int);\nCREATE DEFINER=`root`@`localhost` TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.id = 1;\n"))
	if err == nil || !strings.Contains(err.Error(), "--skip-triggers") {
		t.Errorf("a plain trigger: %v", err)
	}
}

// The database's default a file declares the way SQL does, in CREATE
// DATABASE (as mysqldump --databases writes it, with the USE after it)
// or ALTER DATABASE, is read and never run; the last one holds, with what
// it gives (the server completes the rest).
func TestReadDatabaseDefault(t *testing.T) {
	for _, c := range []struct {
		name, sql string
		want      *Default
		run       int
	}{
		{"mysqldump --databases", "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET latin1 COLLATE latin1_bin */;\n\nUSE `shop`;\nCREATE TABLE t (id int);\n",
			&Default{Charset: "latin1", Collation: "latin1_bin", Pos: diff.Pos{File: "schema/x.sql", Line: 1, Col: 1}}, 1},
		{"alter database, charset alone", "SET NAMES utf8mb4;\nALTER DATABASE CHARACTER SET = ascii;\nCREATE TABLE t (id int);",
			&Default{Charset: "ascii", Pos: diff.Pos{File: "schema/x.sql", Line: 2, Col: 1}}, 2},
		{"the last holds", "CREATE DATABASE app CHARACTER SET utf8mb4;\nALTER DATABASE app COLLATE utf8mb4_bin;\nCREATE TABLE t (id int);",
			&Default{Collation: "utf8mb4_bin", Pos: diff.Pos{File: "schema/x.sql", Line: 2, Col: 1}}, 1},
		// MySQL 8.0's mysqldump --databases writes DEFAULT ENCRYPTION='N'
		// (unencrypted, as emcee creates every table) after the default:
		// the release was refused, every such dump edited by hand.
		{"mysqldump --databases of MySQL 8.0", "CREATE DATABASE  IF NOT EXISTS `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci */ /*!80016 DEFAULT ENCRYPTION='N' */;\nUSE `shop`;\nCREATE TABLE t (id int);\n",
			&Default{Charset: "utf8mb4", Collation: "utf8mb4_0900_ai_ci", Pos: diff.Pos{File: "schema/x.sql", Line: 1, Col: 1}}, 1},
		{"none", "CREATE TABLE t (id int);", nil, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Read("schema/x.sql", []byte(c.sql))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Default, c.want) || len(s.Run) != c.run {
				t.Fatalf("default %+v, %d statements to run; want %+v, %d", s.Default, len(s.Run), c.want, c.run)
			}
		})
	}
}

// Each column, index, key and check of a CREATE TABLE is defined at its
// own line:col (the first word of its definition), named or as the
// server names it: a word of a definition before it (an inline UNIQUE
// KEY, a name in a CHECK's string, a key's own FOREIGN KEY) is not taken
// for the start of the next.
func TestReadPlacesTheParts(t *testing.T) {
	src := "CREATE TABLE `t` (\n" +
		"  id int NOT NULL,\n" +
		"  `key` varchar(10) UNIQUE KEY,\n" +
		"  p int CHECK (p > 0),\n" +
		"  PRIMARY KEY (id),\n" +
		"  KEY (p), KEY (p, id),\n" +
		"  CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES u (id),\n" +
		"  FOREIGN KEY (id) REFERENCES u (id),\n" +
		"  CONSTRAINT ck CHECK (`key` <> ', KEY')\n" +
		");\n"
	s, err := Read("schema/x.sql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"t.id": "2:3", "t.key": "3:3", "t.p": "4:3", "t/p": "6:3", "t/p_2": "6:12", "t/fk_p": "7:3", "t/t_ibfk_1": "8:3", "t/ck": "9:3"} {
		if got := s.At[k].String(); got != "schema/x.sql:"+want {
			t.Errorf("%s is defined at %s, want schema/x.sql:%s", k, got, want)
		}
	}
}

// A comment's or a string's comma and words are no definition, a
// character whose lower case is longer (İ) moves nothing, nor does a key
// written between columns: the parts were placed inside a comment or a
// string, or at the statement's start.
func TestReadPlacesThePartsPastCommentsAndStrings(t *testing.T) {
	for _, src := range []string{
		"CREATE TABLE `t` (\r\n  id int NOT NULL,\r\n\tname varchar(10) COMMENT 'İİİİ',\r\n  b int,\r\n  KEY ix (b)\r\n);\r\n",
		"CREATE TABLE `t` (\n  id int NOT NULL, -- name, b\n  name varchar(10),\n  b int,\n  KEY ix (b)\n);\n",
		"CREATE TABLE `t` (\n  id int NOT NULL COMMENT 'KKKK, b',\n  name varchar(10) DEFAULT ',b',\n  b int,\n  KEY ix (b)\n);\n",
		"CREATE TABLE `t` (\n  id int NOT NULL, PRIMARY KEY (id),\n  name varchar(10),\n  `b` /* x, y */ int,\n  KEY ix (b)\n);\n",
	} {
		s, err := Read("x.sql", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{"t.id": "2:3", "t.b": "4:3", "t/ix": "5:3"} {
			if got := s.At[k].String(); got != "x.sql:"+want {
				t.Errorf("%q: %s is defined at %s, want x.sql:%s", src, k, got, want)
			}
		}
	}
}
