package splitter

import (
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestAutoIncrementRule: a kept column made AUTO_INCREMENT (LimeSurvey
// 1.92's survey_url_parameters.id) was planned as nothing, Atlas's differ
// not comparing the attribute, while the snapshot said AUTO_INCREMENT. It
// is made so in expand by a table copy the column opts in to, behind a
// gate for rows holding 0 (the copy numbers them anew), where a key of the
// previous release starts with it; the numbering is dropped in contract.
func TestAutoIncrementRule(t *testing.T) {
	const owners = "table \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n"
	numbered := func(extra string) []string {
		return []string{owners, "table \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n" + extra + "  }\n"}
	}
	cases := []tcCase{
		{name: "made AUTO_INCREMENT: expand, a copy behind a gate for 0", target: mariadb1011,
			edits: numbered("    allow_copy     = true\n"),
			want: []tcStep{
				{Rule: "auto-increment", Phase: revision.Expand, Stage: StageExpandGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `owners` WHERE `id` = 0"},
				{Rule: "auto-increment", Phase: revision.Expand, Stage: StageModifyColumn, SQL: "ALTER TABLE `owners` MODIFY COLUMN `id` bigint NOT NULL AUTO_INCREMENT, ALGORITHM=COPY, LOCK=SHARED"},
			},
			rollback: []tcStep{
				{Rule: "auto-increment", Phase: revision.Rollback, Stage: StageRollbackRestoreColumn, SQL: "ALTER TABLE `owners` MODIFY COLUMN `id` bigint NOT NULL, ALGORITHM=INSTANT"},
			}},
		{name: "made AUTO_INCREMENT without allow_copy: refused", target: mariadb1011,
			edits:  numbered(""),
			errHas: []string{"after.hcl:", "owners.id: this change (AUTO_INCREMENT added: MariaDB and MySQL do it only by copying the table) makes the server copy the whole table", "Add `allow_copy = true` to column \"id\""}},
		{name: "no key starts with it: refused", target: mariadb1011,
			before: []string{"  column \"note\" {", "  column \"n\" {\n    type = int\n  }\n  column \"note\" {"},
			edits:  []string{"  column \"n\" {\n    type = int\n", "  column \"n\" {\n    type           = int\n    auto_increment = true\n    allow_copy     = true\n"},
			errHas: []string{"after.hcl:", "images.n becomes AUTO_INCREMENT, but no key of the previous release starts with it", "Declare the key in this release and auto_increment = true in the next"}},
		{name: "changed otherwise too: refused", target: mariadb1011,
			edits:  []string{owners, "table \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type           = int\n    auto_increment = true\n    allow_copy     = true\n  }\n"},
			errHas: []string{"after.hcl:", "owners.id becomes AUTO_INCREMENT and changes otherwise too (type)", "Change the rest in one release and AUTO_INCREMENT in the next"}},
		{name: "no longer AUTO_INCREMENT: contract, metadata only", target: mariadb1011,
			edits: []string{"    type           = bigint\n    auto_increment = true\n", "    type = bigint\n"},
			want: []tcStep{
				{Rule: "auto-increment", Phase: revision.Contract, Stage: StageTighten, SQL: "ALTER TABLE `images` MODIFY COLUMN `id` bigint NOT NULL, ALGORITHM=INSTANT"},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
