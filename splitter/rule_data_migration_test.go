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
