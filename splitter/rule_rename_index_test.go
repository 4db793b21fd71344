package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestRenameIndexRule: an index declared renamed_from one of the previous
// release is renamed in contract, metadata only, with no gate and no
// build; a declaration that is not a rename is refused where it is
// declared, naming the rules that plan what it is instead.
func TestRenameIndexRule(t *testing.T) {
	const owner = "  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n"
	const renamed = "  index \"ix_images_owner\" {\n    columns      = [column.owner_id]\n    renamed_from = \"ix_owner\"\n  }\n"
	const ux = "  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n"
	const uxRenamed = "  index \"ux_images_name\" {\n    unique       = true\n    columns      = [column.name]\n    renamed_from = \"ux_name\"\n  }\n"
	withUx := []string{owner, owner + ux}
	cases := []tcCase{
		{name: "an index on MariaDB: instant, in contract", target: mariadb1011,
			edits: []string{owner, renamed},
			want: []tcStep{
				{Rule: "rename-index", Phase: revision.Contract, Stage: StageDropIndex, SQL: "ALTER TABLE `images` RENAME INDEX `ix_owner` TO `ix_images_owner`, ALGORITHM=INSTANT"},
			}},
		{name: "an index on MySQL: in place, metadata only", target: mysql80,
			edits: []string{owner, renamed},
			want: []tcStep{
				{Rule: "rename-index", Phase: revision.Contract, Stage: StageDropIndex, SQL: "ALTER TABLE `images` RENAME INDEX `ix_owner` TO `ix_images_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		// Keycloak 4.0.0's UK_CLI_TEMPLATE -> UK_CLI_SCOPE: without the
		// declaration, a new unique index behind a duplicate gate and a drop.
		{name: "a unique index: no gate, no build", target: mariadb1011,
			before: withUx,
			edits:  []string{ux, uxRenamed},
			want: []tcStep{
				{Rule: "rename-index", Phase: revision.Contract, Stage: StageDropIndex, SQL: "ALTER TABLE `images` RENAME INDEX `ux_name` TO `ux_images_name`, ALGORITHM=INSTANT"},
			}},
		{name: "on a table renamed in the release: under the new table name", target: mariadb1011,
			edits: []string{"table \"images\" {\n  schema = schema.app\n", "table \"pictures\" {\n  schema = schema.app\n  renamed_from = \"images\"\n", owner, renamed},
			want: []tcStep{
				{Rule: "rename-table", Phase: revision.Expand, Stage: StageRenameTable, SQL: "RENAME TABLE `images` TO `pictures`"},
				{Rule: "rename-table", Phase: revision.Expand, Stage: StageRenameTable, SQL: "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `images` AS SELECT `id`, `name`, `kind`, `size`, `owner_id`, `price`, `note` FROM `pictures`"},
				{Rule: "rename-table", Phase: revision.Contract, Stage: StageDropView, SQL: "DROP VIEW IF EXISTS `images`"},
				{Rule: "rename-index", Phase: revision.Contract, Stage: StageDropIndex, SQL: "ALTER TABLE `pictures` RENAME INDEX `ix_owner` TO `ix_images_owner`, ALGORITHM=INSTANT"},
			}},
		// The server's index names are case-insensitive; RENAME INDEX
		// recases one, where Atlas alone drops it and adds it again.
		{name: "a unique index recased: renamed", target: mariadb1011,
			before: withUx,
			edits:  []string{ux, "  index \"UX_NAME\" {\n    unique       = true\n    columns      = [column.name]\n    renamed_from = \"ux_name\"\n  }\n"},
			want: []tcStep{
				{Rule: "rename-index", Phase: revision.Contract, Stage: StageDropIndex, SQL: "ALTER TABLE `images` RENAME INDEX `ux_name` TO `UX_NAME`, ALGORITHM=INSTANT"},
			}},
		// The server compares index names without regard to letter case.
		{name: "renamed_from the index's name in other letter case: renamed", target: mariadb1011,
			edits: []string{owner, strings.Replace(renamed, `"ix_owner"`, `"IX_Owner"`, 1)},
			want: []tcStep{
				{Rule: "rename-index", Phase: revision.Contract, Stage: StageDropIndex, SQL: "ALTER TABLE `images` RENAME INDEX `ix_owner` TO `ix_images_owner`, ALGORITHM=INSTANT"},
			}},
		{name: "renamed_from an index the previous release lacks: refused", target: mariadb1011,
			edits:  []string{owner, "  index \"ix_images_owner\" {\n    columns      = [column.owner_id]\n    renamed_from = \"ix_ownr\"\n  }\n"},
			errHas: []string{"after.hcl:", `index ix_images_owner of images is renamed_from "ix_ownr", but table images of release before has no such index`, `did you mean "ix_owner"?`}},
		{name: "other columns: refused, not a rename", target: mariadb1011,
			edits:  []string{owner, "  index \"ix_images_owner\" {\n    columns      = [column.owner_id, column.name]\n    renamed_from = \"ix_owner\"\n  }\n"},
			errHas: []string{"after.hcl:", "its parts (columns, prefixes, order) differ from ix_owner's", "rule add-index", "rule drop-index"}},
		{name: "made unique: refused, not a rename", target: mariadb1011,
			edits:  []string{owner, "  index \"ix_images_owner\" {\n    unique       = true\n    columns      = [column.owner_id]\n    renamed_from = \"ix_owner\"\n  }\n"},
			errHas: []string{"after.hcl:", "ix_images_owner is unique and ix_owner is not", "rule add-unique-index"}},
		{name: "no longer unique: refused, not a rename", target: mariadb1011,
			before: withUx,
			edits:  []string{ux, "  index \"ux_images_name\" {\n    columns      = [column.name]\n    renamed_from = \"ux_name\"\n  }\n"},
			errHas: []string{"after.hcl:", "ux_name is unique and ux_images_name is not"}},
		{name: "a name both kept and renamed: refused", target: mariadb1011,
			edits:  []string{owner, owner + renamed},
			errHas: []string{"after.hcl:", "keeps an index named ix_owner on images too: a name is either kept or renamed"}},
		{name: "renamed to a name the previous release gives another index: refused", target: mariadb1011,
			before: []string{owner, owner + "  index \"ix_images_owner\" {\n    columns = [column.size]\n  }\n"},
			edits:  []string{owner + "  index \"ix_images_owner\" {\n    columns = [column.size]\n  }\n", renamed},
			errHas: []string{"after.hcl:", "but release before has an index ix_images_owner on images already", "rename ix_owner to ix_images_owner in the next one"}},
		{name: "two indexes renamed_from one: refused", target: mariadb1011,
			edits:  []string{owner, renamed + "  index \"ix_owner2\" {\n    columns      = [column.owner_id]\n    renamed_from = \"ix_owner\"\n  }\n"},
			errHas: []string{"after.hcl:", `index ix_owner2 of images is renamed_from "ix_owner", and so is index ix_images_owner`}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
