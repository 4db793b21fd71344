package lint

import "testing"

func TestEM110Unreadable(t *testing.T) {
	const expand = "plans/pike/pike_expand01.sql"
	check(t, "EM110", []lintCase{
		// MariaDB's INVISIBLE is a column attribute the parser does not have.
		{name: "a form the parser does not have", pike: ocata, setup: func(f *fixture) string {
			f.appendStatement(expand, "ALTER TABLE `images` ADD COLUMN `caption` varchar(50) NULL\n  INVISIBLE, ALGORITHM=INSTANT")
			return f.lineOf(expand, "INVISIBLE", true)
		}},
		{name: "a trigger body the parser does not read", pike: ocata, setup: func(f *fixture) string {
			f.appendStatement(expand, "CREATE TRIGGER `tr` BEFORE INSERT ON `images` FOR EACH ROW BEGIN SIGNAL SQLSTATE '45000'; END")
			return f.lineOf(expand, "SQLSTATE", true)
		}},
		// What MariaDB accepts and the parser has not, read narrowly.
		{name: "MariaDB forms emcee reads", pike: ocata, setup: func(f *fixture) string {
			f.appendStatement(expand, "ALTER ONLINE TABLE `images` WAIT 5 ADD COLUMN IF NOT EXISTS `caption` varchar(50) NULL, ALGORITHM=NOCOPY")
			f.appendStatement(expand, "SET STATEMENT max_statement_time=60 FOR ALTER TABLE `images` ADD INDEX `ix_caption` (`caption`), ALGORITHM=INPLACE, LOCK=NONE")
			f.appendStatement(expand, "CREATE DEFINER=CURRENT_USER TRIGGER `tr` BEFORE INSERT ON `images` FOR EACH ROW SET NEW.`caption` = ''")
			return ""
		}},
		{name: "every statement emcee writes reads", pike: pike("varchar(100)", "varchar(200)", "    type    = bool\n    default = false\n", "    type    = bool\n    default = true\n")},
	})
}
