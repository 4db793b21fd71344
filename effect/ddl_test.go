package effect

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// What lint reads of the statement forms emcee writes and of the ones a
// hand may write instead.
func TestParseDDL(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"ALTER TABLE `images` ADD COLUMN `owner` varchar(255) NULL, ALGORITHM=INSTANT",
			"ALTER TABLE images algorithm=INSTANT [ADD COLUMN owner] [ALGORITHM INSTANT]"},
		{"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `t` ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`), ALGORITHM=INPLACE, LOCK=NONE",
			"ALTER TABLE t algorithm=INPLACE [ADD FOREIGN KEY fk] [ALGORITHM INPLACE] [LOCK NONE]"},
		{"ALTER TABLE t MODIFY COLUMN e enum('a,b','c') NOT NULL DEFAULT 'a,b', DROP CONSTRAINT `ck`, DROP x, CHANGE a b int, RENAME COLUMN c TO d",
			"ALTER TABLE t algorithm= [MODIFY COLUMN e notnull] [DROP CHECK ck] [DROP COLUMN x] [CHANGE COLUMN a b] [RENAME COLUMN c d]"},
		{"alter table db.t add unique key ux (a), add primary key (id), add check (a > 0), rename to u",
			"ALTER TABLE t algorithm= [ADD UNIQUE ux] [ADD PRIMARY KEY] [ADD CHECK] [RENAME TABLE u]"},
		{"CREATE UNIQUE INDEX `ux` ON `t` (`a`) ALGORITHM = INPLACE", "CREATE INDEX t algorithm=INPLACE unique index=ux"},
		{"DROP INDEX IF EXISTS ix ON t", "DROP INDEX t algorithm= index=ix"},
		{"DROP TABLE IF EXISTS `a`, b CASCADE", "DROP TABLE names=[a b]"},
		{"RENAME TABLE a TO b, c TO d", "RENAME TABLE renames=[[a b] [c d]]"},
		{"CREATE TRIGGER `tr` BEFORE UPDATE ON `images` FOR EACH ROW\nBEGIN\n  SET NEW.`slug` = LOWER(NEW.name); -- not `x`\nEND",
			"CREATE TRIGGER images trigger=tr reads=[name new slug]"},
		{"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `pictures` AS SELECT `id` FROM `images`",
			"CREATE VIEW pictures reads=[id images]"},
		// MariaDB forms the parser does not have (sqlsyntax reads them).
		{"ALTER ONLINE TABLE t WAIT 5 ADD COLUMN IF NOT EXISTS x int, ALGORITHM=NOCOPY",
			"ALTER TABLE t algorithm=NOCOPY [LOCK NONE] [ADD COLUMN x] [ALGORITHM NOCOPY]"},
		{"ALTER TABLE IF EXISTS t NOWAIT DROP FOREIGN KEY IF EXISTS fk, DROP COLUMN IF EXISTS c",
			"ALTER TABLE t algorithm= [DROP FOREIGN KEY fk] [DROP COLUMN c]"},
		{"DROP TABLE t WAIT 3", "DROP TABLE names=[t]"},
		{"CREATE INDEX i ON t (a) ALGORITHM=NOCOPY LOCK=NONE", "CREATE INDEX t algorithm=NOCOPY index=i"},
		// Table options that rewrite the table, and what a column definition
		// says of NULL.
		{"ALTER TABLE t FORCE, ENGINE=InnoDB, ROW_FORMAT=DYNAMIC, KEY_BLOCK_SIZE=8, CONVERT TO CHARACTER SET utf8mb4, COMMENT 'c', ORDER BY a",
			"ALTER TABLE t algorithm= [FORCE] [ENGINE] [ROW_FORMAT] [KEY_BLOCK_SIZE] [CONVERT] [OPTION] [ORDER]"},
		{"ALTER TABLE t MODIFY a int NOT NULL, CHANGE b c int NULL, ADD d int NOT NULL DEFAULT 0, ALTER COLUMN e SET DEFAULT 1",
			"ALTER TABLE t algorithm= [MODIFY COLUMN a notnull] [CHANGE COLUMN b c] [ADD COLUMN d notnull] [ALTER COLUMN e]"},
		{"SELECT COUNT(*) FROM `images` WHERE `owner` IS NULL", ""},
	} {
		d := Parse(tc.sql)
		var got string
		switch d.Kind {
		case KindAlterTable:
			got = fmt.Sprintf("%s %s algorithm=%s", d.Kind, d.Name, d.Algorithm)
			for _, c := range d.Clauses {
				nn := ""
				if c.NotNull {
					nn = "notnull"
				}
				got += " [" + strings.Join(strings.Fields(c.Op+" "+c.Object+" "+c.Name+" "+c.To+" "+nn), " ") + "]"
			}
		case KindCreateIndex, KindDropIndex:
			got = fmt.Sprintf("%s %s algorithm=%s", d.Kind, d.Name, d.Algorithm)
			if d.Unique {
				got += " unique"
			}
			got += " index=" + d.Index
		case KindDropTable, KindDropView:
			got = fmt.Sprintf("%s names=%v", d.Kind, d.Names)
		case KindRenameTable:
			got = fmt.Sprintf("%s renames=%v", d.Kind, d.Renames)
		case KindCreateTrigger:
			got = fmt.Sprintf("%s %s trigger=%s reads=%v", d.Kind, d.Name, d.Trigger, slices.Sorted(maps.Keys(d.reads)))
		case KindCreateView:
			got = fmt.Sprintf("%s %s reads=%v", d.Kind, d.Name, slices.Sorted(maps.Keys(d.reads)))
		}
		if got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.sql, got, tc.want)
		}
	}
}

// A statement emcee cannot read says so and where, instead of being read
// as doing nothing: review and lint report it.
func TestUnreadable(t *testing.T) {
	for sql, want := range map[string]string{
		"ALTER TABLE t ADD COLUMN x int INVISIBLE":                                             `from "INVISIBLE" on`,
		"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SIGNAL SQLSTATE '45000'; END": `trigger's body from "SQLSTATE '45000'; END" on`,
		"DROP TABLE a; DROP TABLE b":                                                           "2 statements",
	} {
		d := Parse(sql)
		if d.Err == nil || !strings.Contains(d.Err.Error(), want) || d.Kind != "" {
			t.Errorf("%s: kind %q, err %v; want an error saying %q", sql, d.Kind, d.Err, want)
		}
	}
}

// Names inside strings and comments are not mentions; names in a
// trigger's nested blocks are.
func TestMentions(t *testing.T) {
	d := Parse("CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW BEGIN\n  IF NEW.a IS NULL THEN\n    IF OLD.`b` <=> 1 THEN SET NEW.c = 'd'; END IF; -- e\n  ELSE SET NEW.f = 2; END IF;\nEND")
	for name, want := range map[string]bool{"a": true, "B": true, "c": true, "f": true, "d": false, "e": false, "t": false} {
		if got := d.Mentions(name); got != want {
			t.Errorf("Mentions(%q) = %v, want %v (err %v)", name, got, want, d.Err)
		}
	}
}

func TestRounds(t *testing.T) {
	for _, tc := range []struct {
		sql, typ          string
		scale             int
		coll              string
		changes, collides bool
	}{
		{"ALTER TABLE t MODIFY COLUMN p decimal(10,2) NOT NULL", "decimal", 3, "", true, true},
		{"ALTER TABLE t MODIFY COLUMN p decimal(8,3) NOT NULL", "decimal", 3, "", false, false},
		{"ALTER TABLE t CHANGE COLUMN p q decimal(10,0)", "DECIMAL", 2, "", true, true},
		{"ALTER TABLE t MODIFY COLUMN s varchar(5) NOT NULL", "varchar", 0, "utf8mb4_general_ci", true, false},
		{"ALTER TABLE t MODIFY COLUMN s varchar(5) NOT NULL", "varchar", 0, "utf8mb4_nopad_bin", true, true},
		{"ALTER TABLE t MODIFY COLUMN s char(5) NOT NULL", "text", 0, "utf8mb4_0900_ai_ci", true, true},
		{"ALTER TABLE t MODIFY COLUMN n smallint NOT NULL", "int", 0, "", false, false},
	} {
		c := Parse(tc.sql).Clauses[0]
		if changes, collides := c.Rounds(tc.typ, tc.scale, tc.coll); changes != tc.changes || collides != tc.collides {
			t.Errorf("%s on %s(%d) %s: %v, %v; want %v, %v", tc.sql, tc.typ, tc.scale, tc.coll, changes, collides, tc.changes, tc.collides)
		}
	}
}

// An object of another database reaches a table only by writing its
// database: NamesTableOf tells `app`.t from t and from `other`.t.
func TestNamesTableOf(t *testing.T) {
	for _, tc := range []struct {
		sql    string
		want   bool
		folded bool // where the database's name is read in any case only
	}{
		{sql: "CREATE VIEW v AS select `App`.`t`.`legacy` AS `legacy` from `app`.`t`", want: true},
		{sql: "CREATE TRIGGER tr AFTER INSERT ON audit FOR EACH ROW UPDATE app.T SET legacy = NEW.id", want: true},
		{sql: "UPDATE x JOIN (SELECT id FROM `app`.`t`) AS s ON s.id = x.id SET x.n = 1", want: true},
		{sql: "SELECT legacy FROM t", want: false},
		{sql: "SELECT legacy FROM other.t", want: false},
		{sql: "SELECT app FROM t", want: false},
		{sql: "SELECT legacy FROM `APP`.t", want: false, folded: true},
	} {
		for _, fold := range []bool{false, true} {
			want := tc.want || fold && tc.folded
			if got := Parse(tc.sql).NamesTableOf("app", "t", fold); got != want {
				t.Errorf("%s: NamesTableOf(app, t, %v) = %v, want %v", tc.sql, fold, got, want)
			}
		}
	}
}

// Planned tells the statements an emcee writes outside a directive,
// MySQL 8's SET SESSION foreign_key_checks around an in-place foreign key
// among them, from those none writes (the applier refuses a revision
// holding one).
func TestPlanned(t *testing.T) {
	for sql, want := range map[string]bool{
		"ALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=INSTANT":                                                                                       true,
		"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `t` ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`), ALGORITHM=INPLACE, LOCK=NONE": true,
		"SET SESSION foreign_key_checks = 0": true,
		"SET foreign_key_checks = 1":         true,
		// the session's named locks: on emcee's connection, the operator lock
		"SET foreign_key_checks = RELEASE_ALL_LOCKS()":                                                  false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.`a` = GET_LOCK('x', 0)":        false,
		"ALTER TABLE `t` ADD COLUMN `c` int NULL DEFAULT (RELEASE_LOCK('emcee:db')), ALGORITHM=INSTANT": false,
		"DELETE FROM `t` WHERE (`a` = RELEASE_ALL_LOCKS())":                                             false,
		// a view that reads with its definer's privileges
		// emcee's own tables: no release declares them, no plan names them
		"DELETE FROM `emcee_revisions` WHERE (`name` LIKE 'a%')":                                                false,
		"INSERT INTO `Emcee_Revisions` (`name`) SELECT 'x' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `t`)":      false,
		"CREATE TRIGGER `t_bu` BEFORE UPDATE ON `emcee_revisions` FOR EACH ROW SET NEW.`applied` = NEW.`total`": false,
		"DROP TABLE `emcee_accepted_drift`":                                                                     false,
		"ALTER TABLE `t` ADD COLUMN `emcee_revisions` int NULL, ALGORITHM=INSTANT":                              true,
		"CREATE VIEW `v` AS SELECT LOAD_FILE('/etc/passwd') AS `f`":                                             false,
		"CREATE ALGORITHM=MERGE SQL SECURITY DEFINER VIEW `a` AS SELECT `id` FROM `b`":                          false,
		"CREATE DEFINER=`root`@`localhost` SQL SECURITY INVOKER VIEW `a` AS SELECT `id` FROM `b`":               true,
		// a table's data kept outside the database
		"CREATE TABLE `t` (`id` int NOT NULL, PRIMARY KEY (`id`)) DATA DIRECTORY = '/tmp'":                                           false,
		"CREATE TABLE `t` (`id` int NOT NULL, PRIMARY KEY (`id`)) INDEX DIRECTORY = '/tmp'":                                          false,
		"CREATE TABLE `t` (`id` int NOT NULL, PRIMARY KEY (`id`)) ENGINE=FEDERATED CONNECTION='mysql://u@evil/db/t'":                 false,
		"CREATE TABLE `t` (`id` int NOT NULL, PRIMARY KEY (`id`)) PARTITION BY HASH (`id`) (PARTITION `p0` DATA DIRECTORY = '/tmp')": false,
		"CREATE TABLE `t` (`id` int NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='DATA DIRECTORY'":    true,
		// session settings emcee never writes: how the server reads what
		// follows, what reaches the replicas, a variable for later statements
		"SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')": false,
		"SET SESSION sql_mode = 'ANSI_QUOTES'":                               false,
		"SET NAMES gbk":                                                      false,
		"SET SESSION character_set_client = sjis":                            false,
		"SET SESSION sql_log_bin = 0":                                        false,
		"SET @x = 1":                                                         false,
		"SET SESSION foreign_key_checks = 0, sql_log_bin = 0":                false,
		"SET STATEMENT sql_log_bin=0 FOR ALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=INSTANT": false,
		"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `a` AS SELECT `id` FROM `b`":               true,
		"DROP TRIGGER IF EXISTS `t_bi`":  true,
		"RENAME TABLE `a` TO `b`":        true,
		"GRANT ALL ON *.* TO `evil`@`%`": false,
		"CREATE USER `evil`@`%`":         false,
		"DELETE FROM `t`":                false,
		// a data_migration's row block and its delete predicate
		"INSERT INTO `t` (`id`, `a`) SELECT 1, 'x' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `t` WHERE `id` <=> 1 AND `a` <=> 'x')": true,
		"DELETE FROM `t` WHERE (`a` IS NULL)":                                                              true,
		"DELETE FROM `mysql`.`user` WHERE (`User` = 'x')":                                                  false,
		"DELETE FROM `t` WHERE `a` = 1 LIMIT 1":                                                            false,
		"INSERT INTO `mysql`.`user` (`User`) SELECT 'evil' FROM DUAL":                                      false,
		"INSERT INTO `t` (`id`) VALUES (1)":                                                                false,
		"REPLACE INTO `t` (`id`) SELECT 1 FROM DUAL":                                                       false,
		"INSERT INTO `t` (`id`) SELECT 1 FROM DUAL ON DUPLICATE KEY UPDATE `id` = 2":                       false,
		"CREATE TABLE `t` (`id` int NOT NULL, PRIMARY KEY (`id`))":                                         true,
		"CREATE TABLE `t` SELECT * FROM `mysql`.`user`":                                                    false,
		"CREATE TABLE `t` AS SELECT 1 AS `a`":                                                              false,
		"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `v` AS SELECT `User` FROM `mysql`.`user`":        false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW INSERT INTO `mysql`.`x` VALUES (NEW.`a`)": false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.`a` = NEW.`b`":                    true,
		// a trigger's body as emcee writes it (splitter/column_sync.go), and
		// bodies it never writes, which run in the application's sessions
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW\nBEGIN\n  IF `NEW`.`a` IS NULL THEN\n    SET `NEW`.`a` = (`NEW`.`b`);\n  ELSEIF NOT (`NEW`.`a` <=> `NEW`.`b`) THEN\n    SET `NEW`.`b` = (`NEW`.`a`);\n  ELSE\n    SET `new`.`b` = 1;\n  END IF;\nEND": true,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.`a` = (SELECT MAX(`password`) FROM `users`)":                                                                                                                                                  false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SET GLOBAL read_only = 1":                                                                                                                                                                             false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW BEGIN IF 1 THEN SET GLOBAL read_only = 1; END IF; END":                                                                                                                                                false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SELECT NEW.`a` INTO OUTFILE '/tmp/x'":                                                                                                                                                                 false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SET @seen = NEW.`a`":                                                                                                                                                                                  false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SET sql_log_bin = 0":                                                                                                                                                                                  false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.`a` = 1, @x = 2":                                                                                                                                                                              false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW UPDATE `u` SET `admin` = 1":                                                                                                                                                                           false,
		"CREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW BEGIN DECLARE x INT; SET NEW.`a` = 1; END":                                                                                                                                                            false,
		"ALTER TABLE `other`.`t` ADD COLUMN `c` int NULL, ALGORITHM=INSTANT":                                                                                                                                                                                           false,
		"DROP TABLE `mysql`.`user`": false,
		"DO SLEEP(1)":               false,
		"TRUNCATE TABLE `t`":        false,
		"UPDATE `t` SET `a` = 1":    false,
		"SET GLOBAL read_only = 1":  false,
		"DO 1":                      false,
	} {
		if got := Parse(sql).Planned(); got != want {
			t.Errorf("Planned(%s) = %v, want %v", sql, got, want)
		}
	}
}
