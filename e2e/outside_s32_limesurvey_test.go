package e2e

import (
	"strings"
	"testing"
)

// LimeSurvey 1.92's DBVersion 155 renames surveys.showXquestions to
// showxquestions, a change of letter case only. emcee refused it ("Keep
// the name showXquestions"), with or without renamed_from, though the
// server renames the column in place and finds it under either spelling.
// It is renamed in contract now: the previous release writes the column
// by its own spelling after expand, the new one by its own, the index
// holding the column stays, and every row keeps its value.
func TestOutsideS32LimeSurveyColumnRecasedInContract(t *testing.T) {
	t.Parallel()
	const v154 = "schema \"app\" {}\ntable \"lime_surveys\" {\n  schema = schema.app\n  column \"sid\" {\n    type = int\n  }\n  column \"showXquestions\" {\n    type    = varchar(1)\n    null    = true\n    default = \"Y\"\n  }\n  column \"faxto\" {\n    type = varchar(20)\n    null = true\n  }\n  primary_key {\n    columns = [column.sid]\n  }\n  index \"ix_fax\" {\n    columns = [column.faxto, column.showXquestions]\n  }\n}\n"
	v155 := strings.ReplaceAll(v154, "showXquestions", "showxquestions")
	p := newSchemaProject(t, [2]string{"r154", v154}, [2]string{"r155", v155})
	p.must("plan")
	if got := p.read("plans/r155/r155_contract01.sql"); !strings.Contains(got, "-- rule recase-column:") || !strings.Contains(got, "ALTER TABLE `lime_surveys` RENAME COLUMN `showXquestions` TO `showxquestions`, ALGORITHM=INSTANT;") {
		t.Fatalf("r155's contract does not rename the column in place:\n%s", got)
	}
	p.must("db", "sync", "r154")
	p.exec("INSERT INTO lime_surveys (sid, showXquestions, faxto) VALUES (1, 'N', 'f1'), (2, NULL, NULL)")
	p.must("db", "expand")
	// Both releases write, each by its own spelling.
	p.exec("INSERT INTO lime_surveys (sid, showXquestions) VALUES (3, 'N')")
	p.exec("INSERT INTO lime_surveys (sid, showxquestions) VALUES (4, 'X')")
	p.must("db", "migrate")
	opContains(t, p.must("db", "contract"), "recase-column: ALTER TABLE `lime_surveys` RENAME COLUMN `showXquestions` TO `showxquestions`")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'lime_surveys'"); got != "sid,showxquestions,faxto" {
		t.Fatalf("columns after contract: %s", got)
	}
	if got := p.query("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'lime_surveys' AND INDEX_NAME = 'ix_fax'"); got != "faxto,showxquestions" {
		t.Fatalf("ix_fax after contract: %s", got)
	}
	if got := p.query("SELECT GROUP_CONCAT(CONCAT(sid, ':', COALESCE(showxquestions, 'NULL')) ORDER BY sid) FROM lime_surveys"); got != "1:N,2:NULL,3:N,4:X" {
		t.Fatalf("rows after contract: %s", got)
	}
}
