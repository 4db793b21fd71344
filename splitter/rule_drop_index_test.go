package splitter

import (
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// tcNoPrimaryKey turns tcImages' images into a table without a primary key
// whose indexes are idx (HCL blocks), for the clustering key's cases.
func tcNoPrimaryKey(idx string) []string {
	return []string{tcBeforePK, idx + "  index \"ix_owner\""}
}

// TestDropIndexRule: an index goes in contract; the one InnoDB clusters a
// table without a primary key by (its first unique index on whole NOT NULL
// columns, in the server's order) only when the table keeps another such
// key, which the server then clusters by in place.
func TestDropIndexRule(t *testing.T) {
	const name = "  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n"
	const note = "  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }\n"
	const generated = "  index \"ux_g\" {\n    unique  = true\n    columns = [column.g]\n  }\n"
	const notePrefix = "  index \"ux_note\" {\n    unique = true\n    on {\n      column = column.note\n      prefix = 10\n    }\n  }\n"
	cases := []tcCase{
		{name: "an index: contract", target: mariadb1011,
			edits: []string{"  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""},
			want: []tcStep{
				{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "the clustering key alone: refused", target: mariadb1011,
			before: tcNoPrimaryKey(name),
			edits:  []string{name, ""},
			errHas: []string{"index ux_name of images is the key InnoDB clusters the table by"}},
		// The server sorts a unique key with a prefix part after the
		// others and never clusters by it: the table is clustered by
		// ux_name, declared second, and dropping it alone failed in
		// contract (1846).
		{name: "the clustering key declared after a unique prefix key: refused", target: mariadb1011,
			before: tcNoPrimaryKey(notePrefix + name),
			edits:  []string{name, ""},
			errHas: []string{"index ux_name of images is the key InnoDB clusters the table by"}},
		// A generated column is NULL-able on MariaDB whatever the release
		// says (Atlas reads one without `null` as NOT NULL): a unique key
		// on one is never the clustering key either.
		{name: "the clustering key declared after a unique key on a generated column: refused", target: mariadb1011,
			before: append(tcNoPrimaryKey(generated+name), "  column \"note\" {\n    type = varchar(60)\n  }\n", "  column \"note\" {\n    type = varchar(60)\n  }\n  column \"g\" {\n    type = int\n    as {\n      expr = \"size + 1\"\n      type = STORED\n    }\n  }\n"),
			edits:  []string{name, ""},
			errHas: []string{"index ux_name of images is the key InnoDB clusters the table by"}},
		{name: "a unique prefix key declared before the clustering key: in place", target: mariadb1011,
			before: tcNoPrimaryKey(notePrefix + name),
			edits:  []string{notePrefix, ""},
			want: []tcStep{
				{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ux_note`, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		// The table keeps ux_note, which the server clusters it by from
		// then on, in place: the drop was refused.
		{name: "the clustering key, another kept: a rebuild in place", target: mariadb1011,
			before: tcNoPrimaryKey(name + note),
			edits:  []string{name, ""},
			want: []tcStep{
				{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ux_name`, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "the clustering key renamed only in case: dropped and added in one contract ALTER", target: mariadb1011,
			before: tcNoPrimaryKey(name),
			edits:  []string{"index \"ux_name\"", "index \"UX_NAME\""},
			want: []tcStep{
				{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`name`) IN (SELECT `name` FROM `images` WHERE `name` IS NOT NULL GROUP BY `name` HAVING COUNT(*) > 1)"},
				{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD UNIQUE INDEX `UX_NAME` (`name`), ALGORITHM=INPLACE, LOCK=NONE"},
				{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropReplacedIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ux_name`, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// A unique index renamed (Keycloak 4.0.0's UK_CLI_TEMPLATE, UK_CLI_SCOPE
// on the renamed CLIENT_SCOPE, which also dropped nine columns) was
// dropped in contract's first statement and its successor added in the
// second: in between no key held, the new release could write a
// duplicate, and the addition then failed half-way through contract. The
// drop goes in the statement that adds the successor.
func TestRenamedUniqueIndexIsNeverMissing(t *testing.T) {
	ux := func(name string, cols ...string) string {
		return "  index \"" + name + "\" {\n    unique  = true\n    columns = [column." + strings.Join(cols, ", column.") + "]\n  }\n"
	}
	for _, tc := range []struct {
		name, old, new string
		edits          []string // more edits of the release
	}{
		{name: "renamed", old: ux("ux_name", "name"), new: ux("ux_images_name", "name")},
		// A key on the same columns in another order, or on some of them,
		// holds the old one's key too: the old one waits for it alike.
		{name: "renamed, its columns in another order", old: ux("ux_name", "name", "owner_id"), new: ux("ux_images_name", "owner_id", "name")},
		{name: "renamed, on some of its columns", old: ux("ux_name", "name", "owner_id"), new: ux("ux_images_name", "name")},
		// A column renamed in the release holds the old one's values (the
		// sync triggers copy them): a key on it holds the old key too.
		{name: "renamed, on a column renamed in the release", old: ux("ux_name", "name", "owner_id"), new: ux("ux_images_name", "title", "owner_id"),
			edits: []string{"  column \"name\" {\n    type = varchar(30)\n  }\n", "  column \"title\" {\n    type         = varchar(30)\n    renamed_from = \"name\"\n  }\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tcEdit(t, tcImages, "  index \"ix_owner\"", tc.old+"  index \"ix_owner\"")
			after := tcEdit(t, before, append([]string{tc.old, tc.new, "  column \"note\" {\n    type = varchar(60)\n  }\n", ""}, tc.edits...)...)
			tr, ctx := tcTransition(t, mariadb1011, before, after)
			ph, err := Split(tr, mariadb1011, ctx.drv)
			if err != nil {
				t.Fatal(err)
			}
			var sqls []string
			for _, s := range ph[revision.Contract] {
				sqls = append(sqls, s.SQL)
			}
			for i, sql := range sqls {
				if strings.Contains(sql, "DROP INDEX `ux_name`") {
					if !slices.ContainsFunc(sqls[:i+1], func(s string) bool { return strings.Contains(s, "ADD UNIQUE INDEX `ux_images_name`") }) {
						t.Fatalf("ux_name is dropped before ux_images_name is added:\n%s", strings.Join(sqls, "\n"))
					}
					return
				}
			}
			t.Fatalf("no DROP INDEX of ux_name:\n%s", strings.Join(sqls, "\n"))
		})
	}
}

// TestRenamedUniqueKeyTakenOver: a unique key on a column the release
// renames (renamed_from) moves to the new name in one ALTER that drops the
// old index and adds the new one, before the copy triggers are dropped.
// It was dropped with the old column and added in a second ALTER after
// the triggers were gone: nothing enforced the key in between, and a
// duplicate the new release wrote then failed the ADD after its gate.
func TestRenamedUniqueKeyTakenOver(t *testing.T) {
	nullable := []string{"  column \"name\" {\n    type = varchar(30)\n  }\n", "  column \"name\" {\n    type = varchar(30)\n    null = true\n  }\n"}
	unique := func(name, cols string) []string {
		return []string{"  column \"price\" {", "  index \"" + name + "\" {\n    unique  = true\n    columns = [" + cols + "]\n  }\n  column \"price\" {"}
	}
	rename := func(null string) []string {
		return []string{"  column \"name\" {\n    type = varchar(30)\n" + null + "  }\n", "  column \"title\" {\n    type         = varchar(30)\n" + null + "    renamed_from = \"name\"\n  }\n"}
	}
	reindex := func(from, to, cols, newCols string) []string {
		return []string{"  index \"" + from + "\" {\n    unique  = true\n    columns = [" + cols + "]\n  }\n", "  index \"" + to + "\" {\n    unique  = true\n    columns = [" + newCols + "]\n  }\n"}
	}
	for _, tc := range []struct {
		name          string
		before, edits []string
		want          []string // contract's statements, gates left out
	}{
		{name: "nullable column, index renamed too",
			before: slices.Concat(nullable, unique("ux_name", "column.name")),
			edits:  slices.Concat(rename("    null = true\n"), reindex("ux_name", "ux_title", "column.name", "column.title")),
			want: []string{
				"ALTER TABLE `images` DROP INDEX `ux_name`, ADD UNIQUE INDEX `ux_title` (`title`), ALGORITHM=NOCOPY, LOCK=NONE",
				"DROP TRIGGER IF EXISTS `emcee_images_after_017115_bi`",
				"DROP TRIGGER IF EXISTS `emcee_images_after_017115_bu`",
				"ALTER TABLE `images` DROP COLUMN `name`, ALGORITHM=INSTANT",
			}},
		{name: "nullable column, index keeps its name",
			before: slices.Concat(nullable, unique("ux_name", "column.name")),
			edits:  slices.Concat(rename("    null = true\n"), reindex("ux_name", "ux_name", "column.name", "column.title")),
			want: []string{
				"ALTER TABLE `images` DROP INDEX `ux_name`, ADD UNIQUE INDEX `ux_name` (`title`), ALGORITHM=INPLACE, LOCK=NONE",
				"DROP TRIGGER IF EXISTS `emcee_images_after_017115_bi`",
				"DROP TRIGGER IF EXISTS `emcee_images_after_017115_bu`",
				"ALTER TABLE `images` DROP COLUMN `name`, ALGORITHM=INSTANT",
			}},
		{name: "NOT NULL column (placeholder default on the old one): the key moves before the triggers go, the rebuild after",
			before: unique("ux_name", "column.name"),
			edits:  slices.Concat(rename(""), reindex("ux_name", "ux_title", "column.name", "column.title")),
			want: []string{
				"ALTER TABLE `images` DROP INDEX `ux_name`, ADD UNIQUE INDEX `ux_title` (`title`), ALGORITHM=NOCOPY, LOCK=NONE",
				"DROP TRIGGER IF EXISTS `emcee_images_after_017115_bi`",
				"DROP TRIGGER IF EXISTS `emcee_images_after_017115_bu`",
				"ALTER TABLE `images` DROP COLUMN `name`, MODIFY COLUMN `title` varchar(30) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE",
			}},
		{name: "composite key, one part renamed, parts reordered",
			before: slices.Concat(nullable, unique("ux_owner_name", "column.owner_id, column.name")),
			edits:  slices.Concat(rename("    null = true\n"), reindex("ux_owner_name", "ux_title_owner", "column.owner_id, column.name", "column.title, column.owner_id")),
			want: []string{
				"ALTER TABLE `images` DROP INDEX `ux_owner_name`, ADD UNIQUE INDEX `ux_title_owner` (`title`, `owner_id`), ALGORITHM=NOCOPY, LOCK=NONE",
				"DROP TRIGGER IF EXISTS `emcee_images_after_017115_bi`",
				"DROP TRIGGER IF EXISTS `emcee_images_after_017115_bu`",
				"ALTER TABLE `images` DROP COLUMN `name`, ALGORITHM=INSTANT",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tcEdit(t, tcImages, tc.before...)
			tr, ctx := tcTransition(t, mariadb1011, before, tcEdit(t, before, tc.edits...))
			ph, err := Split(tr, mariadb1011, ctx.drv)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range ph[revision.Contract] {
				if s.Kind != revision.Gate {
					got = append(got, s.SQL)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("contract:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
