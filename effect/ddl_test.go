package effect

import (
	"fmt"
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
			"ALTER TABLE t algorithm= [MODIFY COLUMN e] [DROP CONSTRAINT ck] [DROP COLUMN x] [CHANGE COLUMN a b] [RENAME COLUMN c d]"},
		{"alter table db.t add unique key ux (a), add primary key (id), add check (a > 0), rename to u",
			"ALTER TABLE t algorithm= [ADD UNIQUE ux] [ADD PRIMARY KEY] [ADD CHECK] [RENAME TABLE u]"},
		{"CREATE UNIQUE INDEX `ux` ON `t` (`a`) ALGORITHM = INPLACE", "CREATE INDEX t algorithm=INPLACE unique index=ux"},
		{"DROP INDEX IF EXISTS ix ON t", "DROP INDEX t algorithm= index=ix"},
		{"DROP TABLE IF EXISTS `a`, b CASCADE", "DROP TABLE names=[a b]"},
		{"RENAME TABLE a TO b, c TO d", "RENAME TABLE renames=[[a b] [c d]]"},
		{"CREATE TRIGGER `tr` BEFORE UPDATE ON `images` FOR EACH ROW\nBEGIN\n  SET NEW.`slug` = LOWER(NEW.name); -- not `x`\nEND",
			"CREATE TRIGGER images trigger=tr body=[BEGIN SET NEW . slug = LOWER ( NEW . name ) ; END]"},
		{"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `pictures` AS SELECT `id` FROM `images`",
			"CREATE VIEW pictures body=[SELECT id FROM images]"},
		{"SELECT COUNT(*) FROM `images` WHERE `owner` IS NULL", ""},
	} {
		d := Parse(tc.sql)
		var got string
		switch d.Kind {
		case KindAlterTable:
			got = fmt.Sprintf("%s %s algorithm=%s", d.Kind, d.Name, d.Algorithm)
			for _, c := range d.Clauses {
				got += " [" + strings.Join(strings.Fields(c.Op+" "+c.Object+" "+c.Name+" "+c.To), " ") + "]"
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
			got = fmt.Sprintf("%s %s trigger=%s body=%v", d.Kind, d.Name, d.Trigger, texts(d.Body))
		case KindCreateView:
			got = fmt.Sprintf("%s %s body=%v", d.Kind, d.Name, texts(d.Body))
		}
		if got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.sql, got, tc.want)
		}
	}
}

func texts(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
	}
	return out
}
