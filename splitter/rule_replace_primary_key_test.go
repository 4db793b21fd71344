package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// The key of images moves from its AUTO_INCREMENT id, as Kanboard 96 moved
// project_has_users' from id to (project_id, user_id).
const (
	tcImagesID  = "  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"name\""
	tcImagesPK  = "  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_owner\""
	tcNameNote  = "  index \"ux_name_note\" {\n    unique  = true\n    columns = [column.name, column.note]\n  }\n"
	tcIDDropped = "  column \"name\""
)

// tcMovePK edits images' key to the columns, dropping id.
func tcMovePK(columns string) []string {
	return []string{tcImagesID, tcIDDropped, tcImagesPK, "  primary_key {\n    columns = [" + columns + "]\n  }\n  index \"ix_owner\""}
}

// TestReplacePrimaryKeyRule pins where a moved primary key goes: contract,
// one ALTER dropping the old key (and the old key's columns the release
// drops) and adding the new one, behind a gate counting the rows that
// would collide under it unless a unique index already rules them out;
// and the refusals, each with its way out.
func TestReplacePrimaryKeyRule(t *testing.T) {
	const alter = "ALTER TABLE `images` DROP COLUMN `id`, DROP PRIMARY KEY, ADD PRIMARY KEY (`name`, `note`), ALGORITHM=INPLACE, LOCK=NONE"
	gated := []tcStep{
		{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`name`, `note`) IN (SELECT `name`, `note` FROM `images` WHERE `name` IS NOT NULL AND `note` IS NOT NULL GROUP BY `name`, `note` HAVING COUNT(*) > 1)"},
		{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: alter},
	}
	cases := []tcCase{
		{name: "a new key on existing columns, id dropped: gated, one ALTER in contract", target: mariadb1011,
			edits: tcMovePK("column.name, column.note"), want: gated},
		{name: "the same on MySQL 8.0", target: mysql80, edits: tcMovePK("column.name, column.note"), want: gated},
		// Kanboard 96 as a declared key: the unique index kept the pairs
		// apart, and the gate finds none (review lists the key among the
		// tightenings, guarded by it).
		{name: "a unique index of the previous release over the key's columns: gated all the same", target: mariadb1011,
			before: []string{"  index \"ix_owner\" {\n", tcNameNote + "  index \"ix_owner\" {\n"},
			edits:  []string{tcImagesID, tcIDDropped, "  primary_key {\n    columns = [column.id]\n  }\n  index \"ux_name_note\"", "  primary_key {\n    columns = [column.name, column.note]\n  }\n  index \"ux_name_note\""},
			want:   gated},
		// Kanboard 96 exactly: DROP COLUMN id; the unique key on NOT NULL
		// columns is what InnoDB clusters the table by from then on.
		{name: "no primary key left, a unique index on NOT NULL columns takes its place", target: mariadb1011,
			before: []string{"  index \"ix_owner\" {\n", tcNameNote + "  index \"ix_owner\" {\n"},
			edits:  []string{tcImagesID, tcIDDropped, "  primary_key {\n    columns = [column.id]\n  }\n  index \"ux_name_note\"", "  index \"ux_name_note\""},
			want:   []tcStep{{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `id`, DROP PRIMARY KEY, ALGORITHM=INPLACE, LOCK=NONE"}}},
		// id stays, numbered by the server: an index built in expand keys
		// it before contract moves the key off it.
		{name: "id kept, indexed in expand", target: mariadb1011,
			edits: []string{tcImagesPK, "  primary_key {\n    columns = [column.name, column.note]\n  }\n  index \"ix_id\" {\n    columns = [column.id]\n  }\n  index \"ix_owner\""},
			want: []tcStep{
				{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: gated[0].SQL},
				{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP PRIMARY KEY, ADD PRIMARY KEY (`name`, `note`), ALGORITHM=INPLACE, LOCK=NONE"},
				{Rule: "add-index", Phase: revision.Expand, Stage: StageAddIndex, Kind: "", SQL: "ALTER TABLE `images` ADD INDEX `ix_id` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "id kept AUTO_INCREMENT with no index: refused", target: mariadb1011,
			edits:  []string{tcImagesPK, "  primary_key {\n    columns = [column.name, column.note]\n  }\n  index \"ix_owner\""},
			errHas: []string{"after.hcl:", "images.id, an AUTO_INCREMENT column, needs an index leading with (id), and the primary key of images, which gives it one, moves to (name, note): the server refuses the statement (1075)", "Declare an index on (id) in an earlier release, or in this one without unique"}},
		{name: "nothing in the old key's place: refused", target: mariadb1011,
			edits:  []string{tcImagesID, tcIDDropped, "  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_owner\"", "  index \"ix_owner\""},
			errHas: []string{"after.hcl:", "the primary key of images (id) is dropped and nothing takes its place", "which the server does only by copying the table", "Keep the primary key, or declare the key the table moves to"}},
		{name: "the unique index that takes the key's place is new: refused", target: mariadb1011,
			edits:  []string{tcImagesID, tcIDDropped, "  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_owner\"", tcNameNote + "  index \"ix_owner\""},
			errHas: []string{"after.hcl:", "unique index ux_name_note (name, note), the key InnoDB clusters images by once it has no primary key", "is new in this release", "primary_key { columns = [column.name, column.note] }"}},
		// The advice named the column as column.no%{te}, which HCL does not
		// read: a name other than an identifier is an index, as Atlas
		// writes it.
		{name: "the new unique index on a column named otherwise than an identifier: refused", target: mariadb1011,
			before: []string{"  column \"note\" {", "  column \"no%%{te}\" {"},
			edits:  []string{tcImagesID, tcIDDropped, "  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_owner\"", strings.Replace(tcNameNote, "column.note", "column[\"no%%{te}\"]", 1) + "  index \"ix_owner\""},
			errHas: []string{"after.hcl:", "is new in this release", "primary_key { columns = [column.name, column[\"no%%{te}\"]] }"}},
		{name: "a key column NULL in the previous release and in this one: refused", target: mariadb1011,
			edits:  tcMovePK("column.name, column.size"),
			errHas: []string{"after.hcl:", "column size is NULL in the previous release and in this one", "declare it NOT NULL in this release (remove `null = true`): contract tightens it behind a gate counting the rows NULL in it (rule tighten-column), then moves the key"}},
		// Drupal 7.50 moves openid_association's key from assoc_handle to
		// idp_endpoint_uri, NULL in 7.44 and NOT NULL in 7.50: it was
		// refused, the way out a release of its own for the NOT NULL.
		// Contract tightens the column behind its gate (StageTighten comes
		// before StageAddGatedConstraint), then moves the key.
		{name: "a key column NULL in the previous release that the release makes NOT NULL: tightened, then the key moves, in contract", target: mariadb1011,
			edits: append(tcMovePK("column.name, column.size"), "  column \"size\" {\n    type = int\n    null = true\n  }", "  column \"size\" {\n    type = int\n  }"),
			want: []tcStep{
				{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`name`, `size`) IN (SELECT `name`, `size` FROM `images` WHERE `name` IS NOT NULL AND `size` IS NOT NULL GROUP BY `name`, `size` HAVING COUNT(*) > 1)"},
				{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `id`, DROP PRIMARY KEY, ADD PRIMARY KEY (`name`, `size`), ALGORITHM=INPLACE, LOCK=NONE"},
				{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` IS NULL"},
				{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "a key column new in the release: refused", target: mariadb1011,
			edits:  append(tcMovePK("column.name, column.code"), "  column \"note\" {", "  column \"code\" {\n    type    = int\n    default = 0\n  }\n  column \"note\" {"),
			errHas: []string{"after.hcl:", "column code is new in this release", "add the column in one release and move the key in the next"}},
		// code is note renamed: it said code was new in the release, the
		// previous release writing no value in it.
		{name: "a key column renamed in the release: refused, said so", target: mariadb1011,
			edits:  append(tcMovePK("column.name, column.code"), "  column \"note\" {\n    type = varchar(60)\n  }\n", "  column \"code\" {\n    type = varchar(60)\n    renamed_from = \"note\"\n  }\n"),
			errHas: []string{"after.hcl:", "column code takes over from note in this release: it is added NULL in expand", "keep the key on (id) in this release and move it to code in the next"}},
		// Keycloak 4.0.0: CLIENT_SCOPE_ATTRIBUTES, keyed on (TEMPLATE_ID,
		// NAME), renamed TEMPLATE_ID to SCOPE_ID. The way out said "keep
		// the key on (id, code) in this release", which the rename
		// cannot: code goes with its contract.
		{name: "a key column renamed from a column of the old key: refused, with the way through", target: mariadb1011,
			before: []string{"  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]", "  column \"id\" {\n    type = bigint\n  }\n  column \"code\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id, column.code]"},
			edits:  []string{"  column \"code\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id, column.code]", "  column \"scope\" {\n    type         = int\n    renamed_from = \"code\"\n  }\n  primary_key {\n    columns = [column.id, column.scope]"},
			errHas: []string{"after.hcl:", "column scope takes over from code in this release: it is added NULL in expand", "the key on (id, code) cannot stay either, since code goes with this release's contract", "Keep code, and the key on it, in this release, with scope beside it computed from it (`fill = \"code\"` on scope, in place of its renamed_from; the new release writes both); move the key to (id, scope) in the next release, and drop code in the one after"}},
		// owners.id is no AUTO_INCREMENT: the new release's inserts omit
		// it until contract.
		{name: "a dropped key column the server does not fill: refused", target: mariadb1011,
			before: []string{"  column \"id\" {\n    type = bigint\n  }\n  primary_key", "  column \"id\" {\n    type = bigint\n  }\n  column \"code\" {\n    type = int\n  }\n  primary_key"},
			edits:  []string{"  column \"id\" {\n    type = bigint\n  }\n  column \"code\"", "  column \"code\"", "  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"", "  primary_key {\n    columns = [column.code]\n  }\n}\ntable \"images\""},
			errHas: []string{"after.hcl:", "owners.id, a column of the primary key of owners, is dropped in this release, but the server does not fill it", "Keep id in this release, written by the new release's code, and drop it in the next one"}},
		// A foreign key of images references owners.id, which only the
		// key indexes.
		{name: "a foreign key referencing the old key: refused", target: mariadb1011,
			before: append([]string{"  column \"id\" {\n    type = bigint\n  }\n  primary_key", "  column \"id\" {\n    type = bigint\n  }\n  column \"code\" {\n    type = int\n  }\n  primary_key"}, tcBlock(tcOwnerFK)...),
			edits:  []string{"  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"", "  primary_key {\n    columns = [column.code]\n  }\n}\ntable \"images\""},
			errHas: []string{"after.hcl:", "foreign key fk_owner of images, which references owners, needs an index leading with (id), and the primary key of owners, which gives it one, moves to (code): the server would move the key all the same and leave the foreign key without one, rejecting every insert into images (1452)"}},
		// The same key new in the release: added before the key moves
		// (add-foreign-key puts it first in contract), it was left without
		// an index all the same, and every insert into images failed.
		{name: "a foreign key new in the release referencing the old key: refused", target: mariadb1011,
			before: []string{"  column \"id\" {\n    type = bigint\n  }\n  primary_key", "  column \"id\" {\n    type = bigint\n  }\n  column \"code\" {\n    type = int\n  }\n  primary_key"},
			edits:  append([]string{"  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\"", "  primary_key {\n    columns = [column.code]\n  }\n}\ntable \"images\""}, tcBlock(tcOwnerFK)...),
			errHas: []string{"after.hcl:", "foreign key fk_owner of images, which references owners, needs an index leading with (id), and the primary key of owners, which gives it one, moves to (code)", "rejecting every insert into images (1452)"}},
	}
	// The server made fk_owner an index of its own (no index leads with
	// owner_id); the new key leads with it, and a table built from the
	// release has none, so it goes in the statement moving the key.
	ownerFK := []string{"  column \"owner_id\" {\n    type = bigint\n    null = true\n  }", "  column \"owner_id\" {\n    type = bigint\n  }", "  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", tcOwnerFK + "\n"}
	cases = append(cases, tcCase{name: "the index the server made for a foreign key the new key serves goes with the old key", target: mariadb1011,
		before: ownerFK,
		edits:  []string{tcImagesID, tcIDDropped, "  primary_key {\n    columns = [column.id]\n  }\n  foreign_key", "  primary_key {\n    columns = [column.owner_id, column.name]\n  }\n  foreign_key"},
		want: []tcStep{
			{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`owner_id`, `name`) IN (SELECT `owner_id`, `name` FROM `images` WHERE `owner_id` IS NOT NULL AND `name` IS NOT NULL GROUP BY `owner_id`, `name` HAVING COUNT(*) > 1)"},
			{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `id`, DROP PRIMARY KEY, ADD PRIMARY KEY (`owner_id`, `name`), DROP INDEX `fk_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
		}})
	// The old key (owner_id, id) is the index fk_owner uses; the new one
	// does not lead with owner_id, and no index does. Moved alone, the key
	// left fk_owner with no index, and MariaDB then refused every delete
	// of an owner (1451); a table built from the release has the index the
	// server makes for the key, which the statement adds.
	cases = append(cases, tcCase{name: "a foreign key of the table the old key serves gets its index back", target: mariadb1011,
		before: []string{tcImagesID, "  column \"id\" {\n    type = bigint\n  }\n  column \"name\"", ownerFK[0], ownerFK[1], tcImagesPK, "  primary_key {\n    columns = [column.owner_id, column.id]\n  }\n  index \"ix_owner\"", ownerFK[2], ownerFK[3]},
		edits:  []string{"columns = [column.owner_id, column.id]", "columns = [column.id, column.owner_id]"},
		want: []tcStep{
			{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`id`, `owner_id`) IN (SELECT `id`, `owner_id` FROM `images` WHERE `id` IS NOT NULL AND `owner_id` IS NOT NULL GROUP BY `id`, `owner_id` HAVING COUNT(*) > 1)"},
			{Rule: "replace-primary-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP PRIMARY KEY, ADD PRIMARY KEY (`id`, `owner_id`), ADD INDEX `fk_owner` (`owner_id`), ALGORITHM=INPLACE, LOCK=NONE"},
		}})
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
