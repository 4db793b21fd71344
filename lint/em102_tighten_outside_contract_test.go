package lint

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/effect"
)

func TestEM102TightenOutsideContract(t *testing.T) {
	const expand = "plans/pike/pike_expand01.sql"
	check(t, "EM102", []lintCase{
		{name: "unique index on an existing table in expand", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` ADD UNIQUE INDEX `ux_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE")
		}},
		{name: "foreign key in migrate", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement("plans/pike/pike_migrate01.sql", "ALTER TABLE `images` ADD CONSTRAINT `fk_self` FOREIGN KEY (`size`) REFERENCES `images` (`id`)")
		}},
		{name: "NULL to NOT NULL in expand, seen by the replay", pike: ocata, dev: true, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` MODIFY COLUMN `owner` varchar(50) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE")
		}},
		{name: "shorter varchar in expand, seen by the replay", pike: ocata, dev: true, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` MODIFY COLUMN `name` varchar(20) NOT NULL, ALGORITHM=COPY, LOCK=SHARED")
		}},
		{name: "default of a NOT NULL column removed in expand", pike: ocata, dev: true, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` MODIFY COLUMN `is_public` bool NOT NULL, ALGORITHM=INSTANT")
		}},
		{name: "tightening planned in contract", pike: pike("    type = varchar(50)\n    null = true\n", "    type = varchar(50)\n"), dev: true},
		{name: "widening in expand", pike: pike("varchar(100)", "varchar(200)"), dev: true},
		// Dolibarr 20's uk_ticket_barcode_barcode_type: the previous
		// release writes NULL in the new column, which never collides.
		{name: "unique index on a column new in the release, nullable, in expand", pike: pike("  primary_key {", "  column \"barcode\" {\n    type = varchar(64)\n    null = true\n  }\n  index \"ux_barcode\" {\n    unique  = true\n    columns = [column.barcode, column.name]\n  }\n  primary_key {"), dev: true},
		// Moodle 4.1's mdl_quescate_conidn_uix on question_categories'
		// new idnumber, while the release creates question_bank_entries
		// with an idnumber of its own: a statement on another table that
		// names a column of the same name writes nothing into this one.
		{name: "unique index on a new nullable column, another table created with a column of that name", pike: pike(`schema "app" {}`, "schema \"app\" {}\ntable \"tags\" {\n  schema = schema.app\n  column \"barcode\" {\n    type = varchar(64)\n  }\n}", "  primary_key {", "  column \"barcode\" {\n    type = varchar(64)\n    null = true\n  }\n  index \"ux_barcode\" {\n    unique  = true\n    columns = [column.barcode, column.name]\n  }\n  primary_key {"), dev: true},
		{name: "unique index on a new nullable column a trigger fills, in expand", pike: pike("  primary_key {", "  column \"barcode\" {\n    type = varchar(64)\n    null = true\n  }\n  primary_key {"), setup: func(f *fixture) string {
			f.appendStatement(expand, "CREATE TRIGGER `fill_barcode` BEFORE INSERT ON `images` FOR EACH ROW SET NEW.`barcode` = NEW.`name`")
			return f.appendStatement(expand, "ALTER TABLE `images` ADD UNIQUE INDEX `ux_barcode` (`barcode`), ALGORITHM=INPLACE, LOCK=NONE")
		}},
		{name: "unique index on a new nullable column ON UPDATE fills, in expand", pike: pike("  primary_key {", "  column \"stamped\" {\n    type      = datetime\n    null      = true\n    on_update = sql(\"CURRENT_TIMESTAMP\")\n  }\n  primary_key {"), setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` ADD UNIQUE INDEX `ux_stamped` (`stamped`), ALGORITHM=INPLACE, LOCK=NONE")
		}},
		{name: "unique index on a table new in the release", pike: pike(`schema "app" {}`, "schema \"app\" {}\ntable \"tags\" {\n  schema = schema.app\n  column \"name\" {\n    type = varchar(50)\n  }\n  index \"ux_tags\" {\n    unique  = true\n    columns = [column.name]\n  }\n}"), dev: true},
	})
}

// A key on an AUTO_INCREMENT column the same statement adds rejects no
// write: the server numbers every row (Roundcube 1.3's dictionary.id).
// A key on columns the table had is still a tightening.
func TestEM102KeyOnNewAutoIncrementColumn(t *testing.T) {
	for sql, want := range map[string]string{
		"ALTER TABLE `dictionary` ADD COLUMN `id` int unsigned NOT NULL AUTO_INCREMENT, ADD PRIMARY KEY (`id`), ALGORITHM=COPY, LOCK=SHARED": "",
		"ALTER TABLE `dictionary` ADD PRIMARY KEY (`user_id`, `language`), ALGORITHM=INPLACE, LOCK=NONE":                                     "primary key on dictionary",
		"ALTER TABLE `dictionary` ADD COLUMN `n` int NOT NULL, ADD UNIQUE INDEX `ux_n` (`n`), ALGORITHM=INPLACE, LOCK=NONE":                  "unique index ux_n on dictionary",
	} {
		got := strings.Join(textualTightenings(effect.Parse(sql), map[string]bool{}, map[string]bool{}, map[string]bool{}), ", ")
		if got != want {
			t.Errorf("%s:\n got %q\nwant %q", sql, got, want)
		}
	}
}
