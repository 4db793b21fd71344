package splitter

import (
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

const tcDataMigration = `
data_migration "note_trim" {
  table   = "images"
  set     = "note = TRIM(note)"
  pending = "note <> TRIM(note) OR note = ''"
}
`

// tcNoKey has no single-column primary key to batch on.
const tcNoKey = `
table "pairs" {
  schema = schema.app
  column "a" {
    type = int
  }
  column "b" {
    type = int
  }
  column "v" {
    type = varchar(10)
  }
  primary_key {
    columns = [column.a, column.b]
  }
}
`

// TestDataMigrationRule runs whole transitions (a data migration has no
// Atlas change for a rule to match) and pins the statements of migrate
// and contract.
func TestDataMigrationRule(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after string
		done          map[string]bool
		migrate       []revision.Statement
		contract      []revision.Statement
		errHas        []string
	}{
		{name: "data only: batched backfill in migrate, pending gate in contract",
			before: tcImages, after: tcImages + tcDataMigration,
			migrate: []revision.Statement{{Rule: "data-migration", Kind: revision.Backfill, Table: "images", Key: "id",
				SQL: "UPDATE `images` SET `note` = TRIM(`note`) WHERE (`note` != TRIM(`note`) OR `note` = '')"}},
			contract: []revision.Statement{{Rule: "data-migration", Kind: revision.Gate,
				SQL: "SELECT COUNT(*) FROM `images` WHERE (`note` != TRIM(`note`) OR `note` = '')"}}},
		{name: "already carried by an earlier revision of the release",
			before: tcImages, after: tcImages + tcDataMigration, done: map[string]bool{"note_trim": true}},
		{name: "no single-column key: one unbatched UPDATE, said so",
			before: tcImages + tcNoKey,
			after:  tcImages + tcNoKey + "data_migration \"v\" {\n  table   = \"pairs\"\n  set     = \"v = UPPER(v)\"\n  pending = \"BINARY v <> UPPER(v)\"\n}\n",
			migrate: []revision.Statement{{Rule: "data-migration", Kind: revision.Backfill, Table: "pairs",
				SQL: "UPDATE `pairs` SET `v` = UPPER(`v`) WHERE (BINARY `v` != UPPER(`v`))"}},
			contract: []revision.Statement{{Rule: "data-migration", Kind: revision.Gate,
				SQL: "SELECT COUNT(*) FROM `pairs` WHERE (BINARY `v` != UPPER(`v`))"}}},
		{name: "unknown table", before: tcImages,
			after:  tcImages + strings.Replace(tcDataMigration, "\"images\"", "\"imgs\"", 1),
			errHas: []string{"after.hcl:", `data_migration "note_trim" updates table "imgs"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ph Phases
			tr, ctx, err := tcDiff(mariadb1011, tc.before, tc.after)
			if err == nil {
				tr.DataMigrationsDone = tc.done
				ph, err = Split(tr, mariadb1011, ctx.drv)
			}
			if len(tc.errHas) > 0 {
				if err == nil {
					t.Fatalf("no error, want %q", tc.errHas)
				}
				for _, s := range tc.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error lacks %q:\n%v", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ph[revision.Expand]) != 0 {
				t.Errorf("a data migration put statements in expand: %+v", ph[revision.Expand])
			}
			for _, p := range []struct {
				phase revision.Phase
				want  []revision.Statement
			}{{revision.Migrate, tc.migrate}, {revision.Contract, tc.contract}} {
				got := ph[p.phase]
				for i := range got {
					got[i].Why = "" // asserted below
				}
				if !slices.Equal(got, p.want) {
					t.Errorf("%s:\n got %+v\nwant %+v", p.phase, got, p.want)
				}
			}
		})
	}
}

// The gate and backfill say which migration they belong to and where it
// is declared, for the reviewer and the operator facing a closed gate.
func TestDataMigrationRuleExplains(t *testing.T) {
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+tcDataMigration)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	if why := ph[revision.Migrate][0].Why; !strings.Contains(why, `data_migration "note_trim" (declared at after.hcl:`) {
		t.Errorf("backfill why: %s", why)
	}
	if why := ph[revision.Contract][0].Why; !strings.Contains(why, `rows data_migration "note_trim" has not rewritten yet`) {
		t.Errorf("gate why: %s", why)
	}
}

// A data migration that inserts rows (from and insert) is one INSERT ...
// SELECT in migrate, batched over the key of the table it reads, and a
// gate counting that table's pending rows in contract; every name, however
// hostile, is quoted, and the new table is created in expand before it.
func TestDataMigrationInsertRule(t *testing.T) {
	const tags = "table \"img tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n    auto_increment = true\n  }\n  column \"image id\" {\n    type = bigint\n  }\n  column \"label\" {\n    type = varchar(30)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const move = "data_migration \"tags\" {\n  table   = \"img tags\"\n  from    = \"images\"\n  insert  = \"`image id` = id, label = name\"\n  pending = \"name <> '' AND NOT EXISTS (SELECT 1 FROM `img tags` AS t WHERE t.`image id` = images.id)\"\n}\n"
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+tags+move)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	if len(ph[revision.Expand]) != 1 || !strings.HasPrefix(ph[revision.Expand][0].SQL, "CREATE TABLE `img tags`") {
		t.Errorf("expand: %+v", ph[revision.Expand])
	}
	const where = "(`name` != '' AND NOT EXISTS (SELECT 1 FROM `img tags` AS `t` WHERE `t`.`image id` = `images`.`id`))"
	got := ph[revision.Migrate]
	if len(got) != 1 || !strings.Contains(got[0].Why, `inserts into img tags a row for each row of images its pending predicate selects`) {
		t.Fatalf("migrate: %+v", got)
	}
	got[0].Why = ""
	want := revision.Statement{Rule: "data-migration", Kind: revision.Backfill, Table: "images", Key: "id",
		SQL: "INSERT INTO `img tags` (`image id`,`label`) SELECT `id`,`name` FROM `images` WHERE " + where}
	if got[0] != want {
		t.Errorf("migrate:\n got %+v\nwant %+v", got[0], want)
	}
	c := ph[revision.Contract]
	if len(c) != 1 || c[0].Kind != revision.Gate || c[0].SQL != "SELECT COUNT(*) FROM `images` WHERE "+where {
		t.Errorf("contract: %+v", c)
	}
}

// Data migrations run in the order the release declares them, whatever
// their tables are called: the second reads the rows the first inserts
// (MantisBT 1.2.0a1 fills its new category table from project_category,
// then points each bug at its category's id). Sorted by table, images'
// update ran first and found no row to read.
func TestDataMigrationsRunInDeclaredOrder(t *testing.T) {
	const z = "table \"z\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const fill = "data_migration \"fill_z\" {\n  table   = \"z\"\n  from    = \"owners\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM z WHERE z.id = owners.id)\"\n}\n"
	const use = "data_migration \"use_z\" {\n  table   = \"images\"\n  set     = \"size = (SELECT COUNT(*) FROM z)\"\n  pending = \"size IS NULL\"\n}\n"
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+z+fill+use)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range ph[revision.Migrate] {
		got = append(got, s.SQL)
	}
	want := []string{
		"INSERT INTO `z` (`id`) SELECT `id` FROM `owners` WHERE (NOT EXISTS (SELECT 1 FROM `z` WHERE `z`.`id` = `owners`.`id`))",
		"UPDATE `images` SET `size` = (SELECT COUNT(1) FROM `z`) WHERE (`size` IS NULL)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("migrate:\n got %q\nwant %q", got, want)
	}
}

// A data migration that reads a table another one fills with rows, but is
// declared before it, ran first (data migrations run in declared order)
// and found none of those rows: its UPDATE set NULL everywhere, and only
// contract's gate, with migrate recorded complete, said something was
// wrong. The table is new in the release, so nothing but the later
// migration can have filled it: refused at plan time, with the order to
// declare. A migration inserting into the same table (its own pending
// reads it) is no such reader.
func TestDataMigrationReadingRowsALaterOneInsertsIsRefused(t *testing.T) {
	const z = "table \"z\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const fill = "data_migration \"fill_z\" {\n  table   = \"z\"\n  from    = \"owners\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM z WHERE z.id = owners.id)\"\n}\n"
	const fillToo = "data_migration \"fill_z_too\" {\n  table   = \"z\"\n  from    = \"images\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM z WHERE z.id = images.id)\"\n}\n"
	const use = "data_migration \"use_z\" {\n  table   = \"images\"\n  set     = \"size = (SELECT COUNT(*) FROM z)\"\n  pending = \"size IS NULL\"\n}\n"
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+z+use+fill)
	_, err := Split(tr, mariadb1011, ctx.drv)
	for _, want := range []string{`data_migration "use_z" reads table z, which data_migration "fill_z" (declared after it, at `, `declare "use_z" after "fill_z"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	tr, ctx = tcTransition(t, mariadb1011, tcImages, tcImages+z+fillToo+fill+use)
	if _, err := Split(tr, mariadb1011, ctx.drv); err != nil {
		t.Errorf("two inserts into one table, then its reader: %v", err)
	}
}

// Two data migrations that each read the rows the other inserts: no
// declared order works, and the refusal said to declare the first after
// the second, whose refusal then said the opposite. It says so once.
func TestDataMigrationsReadingEachOthersRowsAreRefusedAsACycle(t *testing.T) {
	table := func(name string) string {
		return "table \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	const fillY = "data_migration \"fill_y\" {\n  table   = \"y\"\n  from    = \"owners\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM y WHERE y.id = owners.id) AND EXISTS (SELECT 1 FROM z WHERE z.id = owners.id)\"\n}\n"
	const fillZ = "data_migration \"fill_z\" {\n  table   = \"z\"\n  from    = \"owners\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM z WHERE z.id = owners.id) AND EXISTS (SELECT 1 FROM y WHERE y.id = owners.id)\"\n}\n"
	for _, order := range [][2]string{{fillY, fillZ}, {fillZ, fillY}} {
		tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages+table("y")+table("z")+order[0]+order[1])
		_, err := Split(tr, mariadb1011, ctx.drv)
		if err == nil || !strings.Contains(err.Error(), "each reads the rows the other inserts: no order of the two works") {
			t.Errorf("error %v", err)
		}
	}
}
