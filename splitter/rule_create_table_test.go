package splitter

import (
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// tcNewTable is a table new in the release, with one foreign key (its
// columns and what it references in fkBody) and columns of its own.
func tcNewTable(name, columns, fk string) string {
	return "table \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n" + columns +
		"  primary_key {\n    columns = [column.id]\n  }\n" + fk + "}\n"
}

// tcKey is a foreign key block.
func tcKey(name, cols, refs, actions string) string {
	return "  foreign_key \"" + name + "\" {\n    columns     = [" + cols + "]\n    ref_columns = [" + refs + "]\n" + actions + "  }\n"
}

const tcImageID = "  column \"image_id\" {\n    type = bigint\n    null = true\n  }\n"

// tcNew puts new tables before images in the release.
func tcNew(tables ...string) []string {
	return []string{"table \"images\" {", strings.Join(tables, "") + "table \"images\" {"}
}

// A new table's foreign key to a table of the previous release waits for
// contract when it would fail that release's delete (ON DELETE RESTRICT,
// NO ACTION or the default) or its update of the referenced column (ON
// UPDATE so, on a column that release has): the table is created with the
// key's index, and add-foreign-key adds the key behind its orphan gate.
// ON DELETE and ON UPDATE CASCADE or SET NULL stay in the CREATE TABLE,
// and so do the keys among tables new in the release, unless a cascade
// from the previous release's writes reaches them.
func TestCreateTableForeignKeys(t *testing.T) {
	const (
		restrictTags = "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), INDEX `fk_tags_image` (`image_id`))"
		gateTags     = "SELECT COUNT(*) FROM `tags` AS child WHERE child.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = child.`image_id`)"
		addTagsKey   = "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`)"
	)
	waits := func(create, actions string) []tcStep {
		return []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: gateTags},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: addTagsKey + actions + ", ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: create},
		}
	}
	dropTags := []tcStep{{Rule: "create-table", Phase: revision.Rollback, Stage: StageRollbackDropTable, SQL: "DROP TABLE `tags`"}}
	tags := func(actions string) []string {
		return tcNew(tcNewTable("tags", tcImageID, tcKey("fk_tags_image", "column.image_id", "table.images.column.id", actions)))
	}
	cases := []tcCase{
		{name: "NO ACTION (the default): contract, gated; the table has the key's index", target: mariadb1011, edits: tags(""),
			want: waits(restrictTags, ""), rollback: dropTags},
		{name: "NO ACTION spelled out", target: mariadb1011, edits: tags("    on_delete   = NO_ACTION\n    on_update   = NO_ACTION\n"),
			want: waits(restrictTags, " ON UPDATE NO ACTION ON DELETE NO ACTION"), rollback: dropTags},
		{name: "ON DELETE RESTRICT, ON UPDATE CASCADE: the delete would fail", target: mariadb1011, edits: tags("    on_delete   = RESTRICT\n    on_update   = CASCADE\n"),
			want: waits(restrictTags, " ON UPDATE CASCADE ON DELETE RESTRICT"), rollback: dropTags},
		{name: "ON DELETE CASCADE, ON UPDATE left RESTRICT: the previous release may change images.id", target: mariadb1011, edits: tags("    on_delete   = CASCADE\n"),
			want: waits(restrictTags, " ON DELETE CASCADE"), rollback: dropTags},
		{name: "ON DELETE and ON UPDATE CASCADE: in the CREATE TABLE", target: mariadb1011, edits: tags("    on_delete   = CASCADE\n    on_update   = CASCADE\n"), want: []tcStep{
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`) ON UPDATE CASCADE ON DELETE CASCADE)"},
		}, rollback: dropTags},
		{name: "ON DELETE and ON UPDATE SET NULL: in the CREATE TABLE", target: mariadb1011, edits: tags("    on_delete   = SET_NULL\n    on_update   = SET_NULL\n"), want: []tcStep{
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`) ON UPDATE SET NULL ON DELETE SET NULL)"},
		}, rollback: dropTags},
		{name: "an index of the table serves the key: no index added", target: mariadb1011, edits: tcNew(tcNewTable("tags", tcImageID, "  index \"ix_image\" {\n    columns = [column.image_id]\n  }\n"+tcKey("fk_tags_image", "column.image_id", "table.images.column.id", ""))),
			want: waits("CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), INDEX `ix_image` (`image_id`))", ""), rollback: dropTags},
		{name: "both tables new: the key stays in expand", target: mariadb1011, edits: tcNew(
			tcNewTable("albums", "", ""),
			tcNewTable("tags", "  column \"album_id\" {\n    type = bigint\n  }\n", tcKey("fk_tags_album", "column.album_id", "table.albums.column.id", ""))), want: []tcStep{
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `albums` (`id` bigint NOT NULL, PRIMARY KEY (`id`))"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `album_id` bigint NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_tags_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`))"},
		}},
		{name: "a key to itself stays in expand", target: mariadb1011, edits: tcNew(tcSelfRef), want: []tcStep{
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `users` (`uid` int NOT NULL, `parent_uid` int NULL, PRIMARY KEY (`uid`), CONSTRAINT `fk_users_parent` FOREIGN KEY (`parent_uid`) REFERENCES `users` (`uid`) ON DELETE CASCADE)"},
		}},
		{name: "a key to itself, in a table the previous release's deletes cascade into: both keys wait", target: mariadb1011, edits: tcNew(tcNewTable("tags", tcImageID+"  column \"parent_id\" {\n    type = bigint\n    null = true\n  }\n",
			tcKey("fk_tags_image", "column.image_id", "table.images.column.id", "    on_delete   = CASCADE\n    on_update   = CASCADE\n")+tcKey("fk_tags_parent", "column.parent_id", "table.tags.column.id", ""))), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `tags` AS child WHERE child.`parent_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `tags` AS parent WHERE parent.`id` = child.`parent_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_parent` FOREIGN KEY (`parent_id`) REFERENCES `tags` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, `parent_id` bigint NULL, PRIMARY KEY (`id`), INDEX `fk_tags_parent` (`parent_id`), CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`) ON UPDATE CASCADE ON DELETE CASCADE)"},
		}},
		{name: "a key between new tables that a cascade from the previous release's delete reaches waits", target: mariadb1011, edits: tcNew(
			tcNewTable("albums", tcImageID, tcKey("fk_albums_image", "column.image_id", "table.images.column.id", "    on_delete   = CASCADE\n    on_update   = CASCADE\n")),
			tcNewTable("tags", "  column \"album_id\" {\n    type = bigint\n  }\n", tcKey("fk_tags_album", "column.album_id", "table.albums.column.id", "    on_update   = CASCADE\n"))), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `tags` AS child WHERE child.`album_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `albums` AS parent WHERE parent.`id` = child.`album_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`) ON UPDATE CASCADE, ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `albums` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_albums_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`) ON UPDATE CASCADE ON DELETE CASCADE)"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `album_id` bigint NOT NULL, PRIMARY KEY (`id`), INDEX `fk_tags_album` (`album_id`))"},
		}},
		{name: "a cycle with a table of the previous release: both keys in contract, each gated", target: mariadb1011, edits: append(tcNew(tcNewTable("albums", tcImageID, tcKey("fk_albums_cover", "column.image_id", "table.images.column.id", ""))),
			"  primary_key {\n    columns = [column.id]\n  }\n  index", "  column \"album_id\" {\n    type = bigint\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n"+tcKey("fk_images_album", "column.album_id", "table.albums.column.id", "")+"  index"), want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, SQL: "ALTER TABLE `images` ADD COLUMN `album_id` bigint NULL, ALGORITHM=INSTANT"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `images` AS child WHERE child.`album_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `albums` AS parent WHERE parent.`id` = child.`album_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_images_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `albums` AS child WHERE child.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = child.`image_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `albums` ADD CONSTRAINT `fk_albums_cover` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `albums` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), INDEX `fk_albums_cover` (`image_id`))"},
		}},
		{name: "a data_migration deleting the orphans: the gate leaves its rows out", target: mariadb1011, edits: append(tags(""), "table \"owners\" {", "data_migration \"orphan_tags\" {\n  table  = \"tags\"\n  delete = \"NOT EXISTS (SELECT 1 FROM images WHERE images.id = tags.image_id)\"\n}\ntable \"owners\" {"), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `tags` WHERE `tags`.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = `tags`.`image_id`) AND (NOT EXISTS (SELECT 1 FROM `images` WHERE `images`.`id` = `tags`.`image_id`)) IS NOT TRUE"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: addTagsKey + ", ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: restrictTags},
		}},
		// The delete runs first after the gates, before the key is added:
		// the parents it removed left orphans, and contract stopped at the
		// key, the parents deleted.
		{name: "a data_migration deleting parents: their children count as orphans", target: mariadb1011, edits: append(tags(""), "table \"owners\" {", "data_migration \"unnamed\" {\n  table  = \"images\"\n  delete = \"name = ''\"\n}\ntable \"owners\" {"), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `tags` AS child WHERE child.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = child.`image_id` AND NOT EXISTS (SELECT 1 FROM `images` WHERE `images`.`id` = parent.`id` AND (`name` = '')))"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: addTagsKey + ", ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: restrictTags},
		}},
		// A table named parent, read unaliased for its delete, was shadowed
		// by the parent's alias: parent.id = parent.image_id compared
		// images with itself, and the gate counted no orphan.
		{name: "a table named parent with a delete: the parent's alias is another name", target: mariadb1011, edits: tcNew(tcNewTable("parent", tcImageID, tcKey("fk_parent_image", "column.image_id", "table.images.column.id", "")) +
			"data_migration \"unset\" {\n  table  = \"parent\"\n  delete = \"image_id IS NULL\"\n}\n"), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `parent` WHERE `parent`.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent_ WHERE parent_.`id` = `parent`.`image_id`) AND (`image_id` IS NULL) IS NOT TRUE"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `parent` ADD CONSTRAINT `fk_parent_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `parent` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), INDEX `fk_parent_image` (`image_id`))"},
		}},
		{name: "mysql: the key waits too, with the session switch", target: mysql80, edits: tags(""), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: gateTags},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET SESSION foreign_key_checks = 0"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET SESSION foreign_key_checks = 1"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: restrictTags},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// tcPhases is the transition split as Split orders it, phase by phase:
// each statement's SQL, a gate's after "gate: ", and no trigger (the
// sync rules' cases pin them).
func tcPhases(t *testing.T, target project.Target, before, after string) map[revision.Phase][]string {
	t.Helper()
	tr, ctx := tcTransition(t, target, before, after)
	ph, err := Split(tr, target, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	out := map[revision.Phase][]string{}
	for phase, list := range ph {
		for _, st := range list {
			if d := effect.Parse(st.SQL); d.Kind == effect.KindCreateTrigger || d.Kind == effect.KindDropTrigger {
				continue
			}
			s := st.SQL
			if st.Kind == revision.Gate {
				s = "gate: " + s
			}
			out[phase] = append(out[phase], s)
		}
	}
	return out
}

// phasesCase is a release's split, in Split's order, phase by phase.
type phasesCase struct {
	name   string
	target project.Target
	before []string // edits of tcImages into the previous release
	edits  []string
	want   map[revision.Phase][]string
}

func (c phasesCase) run(t *testing.T) {
	t.Helper()
	before := tcEdit(t, tcImages, c.before...)
	got := tcPhases(t, c.target, before, tcEdit(t, before, c.edits...))
	for _, ph := range revision.Phases {
		if !slices.Equal(got[ph], c.want[ph]) {
			t.Errorf("%s differs\n got:\n\t%s\nwant:\n\t%s", ph, strings.Join(got[ph], "\n\t"), strings.Join(c.want[ph], "\n\t"))
		}
	}
}

// The edits of the key-after-index cases: images gains a column code
// (nullable, written by nothing the previous release runs) before price,
// and an index before ix_owner.
func tcCodeColumn(extra string) []string {
	return []string{"  column \"price\" {", "  column \"code\" {\n    type = varchar(20)\n    null = true\n" + extra + "  }\n  column \"price\" {"}
}

func tcIndexBeforeOwner(name, unique, cols string) []string {
	return []string{"  index \"ix_owner\" {", "  index \"" + name + "\" {\n" + unique + "    columns = [" + cols + "]\n  }\n  index \"ix_owner\" {"}
}

const (
	tcCascade      = "    on_delete   = CASCADE\n    on_update   = CASCADE\n"
	tcImageCode    = "  column \"image_code\" {\n    type = varchar(20)\n    null = true\n  }\n"
	tcCodeKey      = "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_code`) REFERENCES `images` (`code`)"
	tcCodeKeyGate  = "gate: SELECT COUNT(*) FROM `tags` AS child WHERE child.`image_code` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`code` = child.`image_code`)"
	tcTagsPlain    = "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_code` varchar(20) NULL, PRIMARY KEY (`id`))"
	tcTagsKeyIndex = "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_code` varchar(20) NULL, PRIMARY KEY (`id`), INDEX `fk_tags_image` (`image_code`))"
	tcDropCodeKey  = "ALTER TABLE `tags` DROP FOREIGN KEY `fk_tags_image`, ALGORITHM=INPLACE, LOCK=NONE"
)

// tcCodeTags is new table tags, whose key references images.code.
func tcCodeTags(actions string) []string {
	return tcNew(tcNewTable("tags", tcImageCode, tcKey("fk_tags_image", "column.image_code", "table.images.column.code", actions)))
}

// A new table's key may reference columns that the release gives an
// index only in a table it keeps (fk_ref_index.go); the server refuses
// the key until that index is there (errno 150, error 1822). A key that
// stays in expand was in the CREATE TABLE, which runs before the ALTERs
// of existing tables, and expand stopped there; now it is added after
// the index, in an ALTER of its own, which the rollback undoes first. An
// index only contract adds makes the key wait for contract, behind its
// orphan gate, after the index (before, the key was in expand's CREATE
// TABLE, or, waiting, added before the index: contract handles the
// referencing table's statements of a stage first).
func TestCreateTableKeyAfterIndex(t *testing.T) {
	dropCode := []string{"ALTER TABLE `images` DROP INDEX `ux_code`, ALGORITHM=INPLACE, LOCK=NONE", "ALTER TABLE `images` DROP COLUMN `code`, ALGORITHM=INSTANT", "DROP TABLE `tags`"}
	addCode := []string{"ALTER TABLE `images` ADD COLUMN `code` varchar(20) NULL, ALGORITHM=INSTANT", "ALTER TABLE `images` ADD UNIQUE INDEX `ux_code` (`code`), ALGORITHM=INPLACE, LOCK=NONE"}
	uxCode := tcIndexBeforeOwner("ux_code", "    unique  = true\n", "column.code")
	cases := []phasesCase{
		{name: "a unique index expand adds on a new column: the key is added after it, in expand", target: mariadb1011,
			edits: slices.Concat(tcCodeColumn(""), uxCode, tcCodeTags(tcCascade)),
			want: map[revision.Phase][]string{
				revision.Expand:   slices.Concat([]string{tcTagsPlain}, addCode, []string{tcCodeKey + " ON UPDATE CASCADE ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE"}),
				revision.Rollback: append([]string{tcDropCodeKey}, dropCode...),
			}},
		{name: "mysql: the same, with the session switch", target: mysql80,
			edits: slices.Concat(tcCodeColumn(""), uxCode, tcCodeTags(tcCascade)),
			want: map[revision.Phase][]string{
				revision.Expand: slices.Concat([]string{tcTagsPlain}, addCode, []string{"SET SESSION foreign_key_checks = 0",
					"ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_code`) REFERENCES `images` (`code`) ON UPDATE CASCADE ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE",
					"SET SESSION foreign_key_checks = 1"}),
				revision.Rollback: append([]string{tcDropCodeKey}, "ALTER TABLE `images` DROP INDEX `ux_code`, ALGORITHM=INPLACE, LOCK=NONE", "ALTER TABLE `images` DROP COLUMN `code`, ALGORITHM=INPLACE, LOCK=NONE", "DROP TABLE `tags`"),
			}},
		{name: "a plain index expand adds on a column the table has: the key is added after it, in expand", target: mariadb1011,
			edits: slices.Concat(tcIndexBeforeOwner("ix_size", "", "column.size"),
				tcNew(tcNewTable("tags", "  column \"image_size\" {\n    type = int\n    null = true\n  }\n", tcKey("fk_tags_size", "column.image_size", "table.images.column.size", tcCascade)))),
			want: map[revision.Phase][]string{
				revision.Expand: {"CREATE TABLE `tags` (`id` bigint NOT NULL, `image_size` int NULL, PRIMARY KEY (`id`))",
					"ALTER TABLE `images` ADD INDEX `ix_size` (`size`), ALGORITHM=INPLACE, LOCK=NONE",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_size` FOREIGN KEY (`image_size`) REFERENCES `images` (`size`) ON UPDATE CASCADE ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE"},
				revision.Rollback: {"ALTER TABLE `tags` DROP FOREIGN KEY `fk_tags_size`, ALGORITHM=INPLACE, LOCK=NONE", "ALTER TABLE `images` DROP INDEX `ix_size`, ALGORITHM=INPLACE, LOCK=NONE", "DROP TABLE `tags`"},
			}},
		{name: "NO ACTION: the key waits for contract, after expand's index, as before", target: mariadb1011,
			edits: slices.Concat(tcCodeColumn(""), uxCode, tcCodeTags("")),
			want: map[revision.Phase][]string{
				revision.Expand:   append([]string{tcTagsKeyIndex}, addCode...),
				revision.Contract: {tcCodeKeyGate, tcCodeKey + ", ALGORITHM=INPLACE, LOCK=NONE"},
				revision.Rollback: dropCode,
			}},
		{name: "a unique index contract adds on a column the table has: the key waits for contract, after it", target: mariadb1011,
			edits: slices.Concat(tcIndexBeforeOwner("ux_name", "    unique  = true\n", "column.name"),
				tcNew(tcNewTable("tags", "  column \"image_name\" {\n    type = varchar(30)\n    null = true\n  }\n", tcKey("fk_tags_name", "column.image_name", "table.images.column.name", tcCascade)))),
			want: map[revision.Phase][]string{
				revision.Expand: {"CREATE TABLE `tags` (`id` bigint NOT NULL, `image_name` varchar(30) NULL, PRIMARY KEY (`id`), INDEX `fk_tags_name` (`image_name`))"},
				revision.Contract: {"gate: SELECT COUNT(*) FROM `tags` AS child WHERE child.`image_name` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`name` = child.`image_name`)",
					"gate: SELECT COUNT(*) FROM `images` WHERE (`name`) IN (SELECT `name` FROM `images` WHERE `name` IS NOT NULL GROUP BY `name` HAVING COUNT(*) > 1)",
					"ALTER TABLE `images` ADD UNIQUE INDEX `ux_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_name` FOREIGN KEY (`image_name`) REFERENCES `images` (`name`) ON UPDATE CASCADE ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE"},
				revision.Rollback: {"DROP TABLE `tags`"},
			}},
		{name: "the referenced column is a rename: its unique index comes in contract, the key after it", target: mariadb1011,
			before: slices.Concat(tcCodeColumn(""), uxCode),
			edits: slices.Concat([]string{"  column \"code\" {\n    type = varchar(20)\n    null = true\n  }\n", "  column \"ref\" {\n    type = varchar(20)\n    null = true\n    renamed_from = \"code\"\n  }\n",
				"  index \"ux_code\" {\n    unique  = true\n    columns = [column.code]\n  }\n", "  index \"ux_ref\" {\n    unique  = true\n    columns = [column.ref]\n  }\n"},
				tcNew(tcNewTable("tags", tcImageCode, tcKey("fk_tags_image", "column.image_code", "table.images.column.ref", "")))),
			want: map[revision.Phase][]string{
				revision.Expand:  {tcTagsKeyIndex, "ALTER TABLE `images` ADD COLUMN `ref` varchar(20) NULL, ALGORITHM=INSTANT"},
				revision.Migrate: {"UPDATE `images` SET `ref` = (`code`) WHERE (`ref` IS NULL)"},
				revision.Contract: {"gate: SELECT COUNT(*) FROM `tags` AS child WHERE child.`image_code` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`ref` = child.`image_code`)",
					"gate: SELECT COUNT(*) FROM `images` WHERE `ref` IS NULL AND (`code`) IS NOT NULL",
					"gate: SELECT COUNT(*) FROM `images` WHERE (`ref`) IN (SELECT `ref` FROM `images` WHERE `ref` IS NOT NULL GROUP BY `ref` HAVING COUNT(*) > 1)",
					"ALTER TABLE `images` DROP INDEX `ux_code`, ADD UNIQUE INDEX `ux_ref` (`ref`), ALGORITHM=NOCOPY, LOCK=NONE",
					"ALTER TABLE `images` DROP COLUMN `code`, ALGORITHM=INSTANT",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_code`) REFERENCES `images` (`ref`), ALGORITHM=INPLACE, LOCK=NONE"},
				revision.Rollback: {"ALTER TABLE `images` DROP COLUMN `ref`, ALGORITHM=INSTANT", "DROP TABLE `tags`"},
			}},
		{name: "the referenced table is renamed and gains the column: renamed first, the key after the index", target: mariadb1011,
			before: []string{"table \"images\" {", "table \"pictures\" {"},
			edits:  slices.Concat([]string{"table \"pictures\" {", "table \"images\" {\n  renamed_from = \"pictures\""}, tcCodeColumn(""), uxCode, tcCodeTags(tcCascade)),
			want: map[revision.Phase][]string{
				revision.Expand: slices.Concat([]string{"RENAME TABLE `pictures` TO `images`",
					"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `pictures` AS SELECT `id`, `name`, `kind`, `size`, `owner_id`, `price`, `note` FROM `images`",
					tcTagsPlain}, addCode, []string{tcCodeKey + " ON UPDATE CASCADE ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE"}),
				revision.Contract: {"DROP VIEW IF EXISTS `pictures`"},
				revision.Rollback: slices.Concat([]string{tcDropCodeKey}, dropCode[:2], []string{"RENAME TABLE `pictures` TO `emcee_pictures_6b6a4e_parked`, `images` TO `pictures`", "DROP VIEW IF EXISTS `emcee_pictures_6b6a4e_parked`"}, dropCode[2:]),
			}},
		{name: "a cycle: the table the key references gains the column and a key to the new table", target: mariadb1011,
			edits: slices.Concat(tcCodeColumn(""), uxCode,
				[]string{"  primary_key {\n    columns = [column.id]\n  }\n  index \"ux_code\"", "  column \"album_id\" {\n    type = bigint\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n" + tcKey("fk_images_album", "column.album_id", "table.albums.column.id", "") + "  index \"ux_code\""},
				tcNew(tcNewTable("albums", "  column \"cover_code\" {\n    type = varchar(20)\n    null = true\n  }\n", tcKey("fk_albums_cover", "column.cover_code", "table.images.column.code", "    on_delete   = SET_NULL\n    on_update   = CASCADE\n")))),
			want: map[revision.Phase][]string{
				revision.Expand: {"CREATE TABLE `albums` (`id` bigint NOT NULL, `cover_code` varchar(20) NULL, PRIMARY KEY (`id`))",
					"ALTER TABLE `images` ADD COLUMN `code` varchar(20) NULL, ADD COLUMN `album_id` bigint NULL, ALGORITHM=INSTANT",
					"ALTER TABLE `images` ADD UNIQUE INDEX `ux_code` (`code`), ALGORITHM=INPLACE, LOCK=NONE",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `albums` ADD CONSTRAINT `fk_albums_cover` FOREIGN KEY (`cover_code`) REFERENCES `images` (`code`) ON UPDATE CASCADE ON DELETE SET NULL, ALGORITHM=INPLACE, LOCK=NONE"},
				revision.Contract: {"gate: SELECT COUNT(*) FROM `images` AS child WHERE child.`album_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `albums` AS parent WHERE parent.`id` = child.`album_id`)",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_images_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
				revision.Rollback: {"ALTER TABLE `albums` DROP FOREIGN KEY `fk_albums_cover`, ALGORITHM=INPLACE, LOCK=NONE",
					"ALTER TABLE `images` DROP INDEX `ux_code`, ALGORITHM=INPLACE, LOCK=NONE",
					"ALTER TABLE `images` DROP COLUMN `album_id`, ALGORITHM=INSTANT",
					"ALTER TABLE `images` DROP COLUMN `code`, ALGORITHM=INSTANT",
					"DROP TABLE `albums`"},
			}},
		{name: "two new tables in a cycle, one of whose keys references the new column: every key after the tables and the index", target: mariadb1011,
			edits: slices.Concat(tcCodeColumn(""), uxCode, tcNew(
				tcNewTable("albums", "  column \"cover_code\" {\n    type = varchar(20)\n    null = true\n  }\n  column \"best_id\" {\n    type = bigint\n    null = true\n  }\n",
					tcKey("fk_albums_cover", "column.cover_code", "table.images.column.code", tcCascade)+tcKey("fk_albums_best", "column.best_id", "table.photos.column.id", "    on_delete   = SET_NULL\n")),
				tcNewTable("photos", "  column \"album_id\" {\n    type = bigint\n  }\n", tcKey("fk_photos_album", "column.album_id", "table.albums.column.id", "    on_delete   = CASCADE\n")))),
			want: map[revision.Phase][]string{
				revision.Expand: {"CREATE TABLE `photos` (`id` bigint NOT NULL, `album_id` bigint NOT NULL, PRIMARY KEY (`id`))",
					"CREATE TABLE `albums` (`id` bigint NOT NULL, `cover_code` varchar(20) NULL, `best_id` bigint NULL, PRIMARY KEY (`id`))",
					"ALTER TABLE `images` ADD COLUMN `code` varchar(20) NULL, ALGORITHM=INSTANT",
					"ALTER TABLE `images` ADD UNIQUE INDEX `ux_code` (`code`), ALGORITHM=INPLACE, LOCK=NONE",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `photos` ADD CONSTRAINT `fk_photos_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`) ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `albums` ADD CONSTRAINT `fk_albums_best` FOREIGN KEY (`best_id`) REFERENCES `photos` (`id`) ON DELETE SET NULL, ALGORITHM=INPLACE, LOCK=NONE",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `albums` ADD CONSTRAINT `fk_albums_cover` FOREIGN KEY (`cover_code`) REFERENCES `images` (`code`) ON UPDATE CASCADE ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE"},
				revision.Rollback: {"ALTER TABLE `photos` DROP FOREIGN KEY `fk_photos_album`, ALGORITHM=INPLACE, LOCK=NONE",
					"ALTER TABLE `albums` DROP FOREIGN KEY `fk_albums_cover`, ALGORITHM=INPLACE, LOCK=NONE",
					"ALTER TABLE `albums` DROP FOREIGN KEY `fk_albums_best`, ALGORITHM=INPLACE, LOCK=NONE",
					"ALTER TABLE `images` DROP INDEX `ux_code`, ALGORITHM=INPLACE, LOCK=NONE",
					"ALTER TABLE `images` DROP COLUMN `code`, ALGORITHM=INSTANT",
					"DROP TABLE `photos`",
					"DROP TABLE `albums`"},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
