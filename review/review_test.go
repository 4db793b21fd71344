package review

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

func TestLock(t *testing.T) {
	for _, tc := range []struct {
		st   revision.Statement
		want string
	}{
		{revision.Statement{Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM t"}, "read only"},
		{revision.Statement{Kind: revision.Backfill, SQL: "UPDATE t SET a = 1 WHERE a IS NULL"}, "row locks"},
		{revision.Statement{SQL: "ALTER TABLE `t` ADD COLUMN `a` int NULL, ALGORITHM=INSTANT"}, "INSTANT"},
		{revision.Statement{SQL: "ALTER TABLE `t` ADD INDEX `i` (`a`), ALGORITHM=INPLACE, LOCK=NONE"}, "reads and writes continue"},
		{revision.Statement{SQL: "ALTER TABLE `t` MODIFY COLUMN `a` bigint, ALGORITHM=COPY, LOCK=SHARED"}, "writes blocked"},
		{revision.Statement{SQL: "ALTER TABLE `t` DROP FOREIGN KEY `f`"}, "no ALGORITHM clause"},
		{revision.Statement{SQL: "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN END"}, "metadata lock"},
	} {
		if got := Lock(tc.st); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want it to mention %q", tc.st.SQL, got, tc.want)
		}
	}
}

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	Write(&b, []*revision.Revision{
		{ID: revision.ID{Release: "pike", Phase: revision.Contract, Seq: 1}, Path: "pike/pike_contract01.sql", Statements: []revision.Statement{
			{Rule: "add-unique-index", Why: "no duplicates", Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM (SELECT 1 FROM t GROUP BY a HAVING COUNT(*) > 1) d"},
		}},
		{ID: revision.ID{Release: "pike", Phase: revision.Migrate, Seq: 1}, Path: "pike/pike_migrate01.sql"},
	})
	out := b.String()
	for _, want := range []string{"pike_contract01  (plans/pike/pike_contract01.sql)", "1. rule add-unique-index (GATE: contract stops unless this returns 0)", "locks: read only", "no statements: records that release pike reached migrate"} {
		if !strings.Contains(out, want) {
			t.Errorf("review lacks %q:\n%s", want, out)
		}
	}
}
