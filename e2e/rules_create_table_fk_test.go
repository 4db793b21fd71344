package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/simulate"
)

// fkImages is the previous release of the new-table key cases: images,
// which that release's code inserts, deletes and re-keys.
const fkImages = `
table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(30)
  }
  primary_key {
    columns = [column.id]
  }
}
`

// fkImageTags is the bundled example's pike table: new, with a key to
// images under the default actions (NO ACTION), a column of its own
// leading no index (so the table gets the key's index).
const fkImageTags = `
table "image_tags" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "image_id" {
    type = bigint
  }
  column "tag" {
    type = varchar(40)
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_image_tags_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
}
`

const fkKeyCount = "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_image_tags_image'"

// A new table's key to a table of the previous release, NO ACTION: once
// the new release wrote tags, the previous release's delete of a tagged
// image and its change of one's id failed with error 1451 while both ran
// (the key came with the table, in expand). Now expand creates the table
// without it, both statements of the previous release succeed (gateBlocks
// runs them after migrate, while that release still serves), the orphan
// gate keeps contract closed on the tags they left, and contract adds the
// key once those are gone.
func TestRuleCreateTableKeyToPreviousReleaseWaitsForContract(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:    fkImages,
		after:     fkImages + fkImageTags,
		rules:     []string{"create-table", "add-foreign-key"},
		seed:      []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')"},
		oldWrites: []string{"INSERT INTO images (name) VALUES ('d')"},
		newWrites: []string{"INSERT INTO image_tags VALUES (1, 1, 'x'), (2, 2, 'y'), (3, 3, 'z')"},
		gateBlocks: []string{
			"DELETE FROM images WHERE id = 2",
			"UPDATE images SET id = 30 WHERE id = 3",
		},
		fix: []string{"DELETE FROM image_tags WHERE image_id IN (2, 3)"},
		checks: map[string]string{
			fkKeyCount: "1",
			"SELECT id, image_id, tag FROM image_tags ORDER BY id": "1|1|x",
		},
		afterContract: []string{"INSERT INTO image_tags VALUES (4, 30, 'w')"},
	}.run(t)
}

// A cycle with a table of the previous release: new table albums
// references images (its cover), and images gains a key to albums. Both
// keys wait for contract, each behind its orphan gate; expand creates
// albums and adds images.album_id, and the rollback drops them, with no
// key between them to drop first.
func TestRuleCreateTableKeyCycleWithPreviousRelease(t *testing.T) {
	t.Parallel()
	after := albumsCycle(fkImages, "cover_id", "bigint", "id", "")
	ruleCase{
		before:     fkImages,
		after:      after,
		rules:      []string{"create-table", "add-column", "add-foreign-key"},
		seed:       []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')"},
		oldWrites:  []string{"INSERT INTO images (name) VALUES ('c')"},
		newWrites:  []string{"INSERT INTO albums VALUES (1, 1), (2, 2)", "UPDATE images SET album_id = 1 WHERE id = 2"},
		gateBlocks: []string{"DELETE FROM images WHERE id = 1"},
		fix:        []string{"UPDATE albums SET cover_id = NULL WHERE id = 1"},
		checks: map[string]string{
			"SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()": "2",
			"SELECT id, IFNULL(cover_id, '-') FROM albums ORDER BY id":                                             "1|-;2|2",
		},
	}.run(t)
}

// The same with the orphans' way out declared: a data_migration deleting
// the tags whose image is gone runs in contract first after the gates,
// and the orphan gate leaves its rows out, so contract runs through,
// deletes them and adds the key, which refuses the next delete of a tagged
// image.
func TestRuleCreateTableKeyOrphansDeletedByDataMigration(t *testing.T) {
	t.Parallel()
	r := newRuleProject(t, fkImages, fkImages+fkImageTags+`
data_migration "orphan_tags" {
  table  = "image_tags"
  delete = "NOT EXISTS (SELECT 1 FROM images WHERE images.id = image_tags.image_id)"
}
`)
	r.usesRules([]string{"create-table", "add-foreign-key", "data-migration"})
	for _, s := range r.phases["expand"] {
		if strings.Contains(s.SQL, "FOREIGN KEY") {
			t.Fatalf("expand adds the key: %s", s.SQL)
		}
	}
	r.must("before")
	execAll(t, r.db.DB, "seed", []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')"})
	r.must("expand")
	execAll(t, r.db.DB, "new release after expand", []string{"INSERT INTO image_tags VALUES (1, 1, 'x'), (2, 2, 'y')"})
	// The previous release deletes an image the new release tagged.
	execAll(t, r.db.DB, "previous release after expand", []string{"DELETE FROM images WHERE id = 2"})
	r.must("migrate")
	res, err := r.apply("contract")
	if err != nil {
		t.Fatal(err)
	}
	gated := false
	for _, g := range res.Gates {
		if g.Rule == "add-foreign-key" && g.Table == "image_tags" {
			gated = g.Open && g.Count == 0
		}
	}
	if !gated {
		t.Fatalf("contract ran no open orphan gate of image_tags: %+v", res.Gates)
	}
	if got := rows(t, r.db.DB, "SELECT id, image_id FROM image_tags ORDER BY id"); got != "1|1" {
		t.Fatalf("tags after contract: %s, want the orphan deleted", got)
	}
	if got := rows(t, r.db.DB, fkKeyCount); got != "1" {
		t.Fatalf("contract did not add the key")
	}
	assertSchema(t, r.db, r.declared)
	_, err = r.db.DB.Exec("DELETE FROM images WHERE id = 1")
	if me, ok := err.(*mysql.MySQLError); !ok || me.Number != 1451 {
		t.Fatalf("delete of a tagged image after contract: %v, want error 1451 from the key", err)
	}
}

// A data_migration deleting parents (images left unnamed) runs in
// contract first after the gates, before the new table's key is added:
// the orphan gate counted the tags of those images as having a parent, the
// delete removed it, and contract stopped at the key (its gate, checked
// again right before, closed), the images deleted and no key, saying
// rows changed since the gates passed. Such a tag now counts as an orphan
// before anything runs; once the operator deletes it, contract runs
// through.
func TestRuleCreateTableKeyParentsDeletedByDataMigration(t *testing.T) {
	t.Parallel()
	r := newRuleProject(t, fkImages, fkImages+fkImageTags+`
data_migration "unnamed" {
  table  = "images"
  delete = "name = ''"
}
`)
	r.must("before")
	execAll(t, r.db.DB, "seed", []string{"INSERT INTO images (id, name) VALUES (1, ''), (2, 'b')"})
	r.must("expand")
	execAll(t, r.db.DB, "new release after expand", []string{"INSERT INTO image_tags VALUES (1, 1, 'x'), (2, 2, 'y')"})
	r.must("migrate")
	_, err := r.apply("contract")
	if err == nil {
		t.Fatal("contract added the key over a tag whose image it deleted")
	}
	for _, want := range []string{"contract blocked by data: after_contract01 refused, nothing was changed", "a row whose parent data_migration \"unnamed\" deletes (contract runs it first after the gates, before the key is added) counts too"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("contract's refusal lacks %q:\n%v", want, err)
		}
	}
	if got := rows(t, r.db.DB, "SELECT id FROM images ORDER BY id"); got != "1;2" {
		t.Fatalf("images after the refused contract: %s, want both kept", got)
	}
	execAll(t, r.db.DB, "the operator deletes the tag of the unnamed image", []string{"DELETE FROM image_tags WHERE id = 1"})
	r.must("contract")
	if got := rows(t, r.db.DB, "SELECT id FROM images ORDER BY id"); got != "2" {
		t.Fatalf("images after contract: %s, want the unnamed one deleted", got)
	}
	if got := rows(t, r.db.DB, fkKeyCount); got != "1" {
		t.Fatalf("contract did not add the key")
	}
	assertSchema(t, r.db, r.declared)
}

// A new table named parent, its key to images waiting for contract, and a
// data_migration deleting some of its rows: the orphan gate reads the
// table unaliased (the delete's predicate reads it so) beside images
// aliased parent, which shadowed it: parent.name = parent.name compared
// images' name with itself, the gate counted no orphan, and contract added
// the key (foreign_key_checks off, the gate having proved there are none)
// over a row whose image does not exist. The alias is named apart from
// both tables.
func TestRuleCreateTableKeyOfATableNamedParent(t *testing.T) {
	t.Parallel()
	const images = `
table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(30)
  }
  primary_key {
    columns = [column.id]
  }
  index "uq_images_name" {
    unique  = true
    columns = [column.name]
  }
}
`
	const parentTable = `
table "parent" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(30)
  }
  column "n" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_parent_image" {
    columns     = [column.name]
    ref_columns = [table.images.column.name]
  }
}
data_migration "unset" {
  table  = "parent"
  delete = "n IS NULL"
}
`
	r := newRuleProject(t, images, images+parentTable)
	r.must("before")
	execAll(t, r.db.DB, "seed", []string{"INSERT INTO images (id, name) VALUES (1, 'a'), (2, 'b')"})
	r.must("expand")
	execAll(t, r.db.DB, "new release after expand", []string{"INSERT INTO parent VALUES (1, 'a', 1), (2, 'b', NULL), (3, 'b', 2)"})
	// The previous release deletes an image the new release's row names.
	execAll(t, r.db.DB, "previous release after expand", []string{"DELETE FROM images WHERE id = 1"})
	r.must("migrate")
	_, err := r.apply("contract")
	if err == nil {
		t.Fatalf("contract added the key over a row whose image is gone: parent %s, images %s", rows(t, r.db.DB, "SELECT id, name FROM parent ORDER BY id"), rows(t, r.db.DB, "SELECT name FROM images"))
	}
	if !strings.Contains(err.Error(), "contract blocked by data: after_contract01 refused, nothing was changed") || !strings.Contains(err.Error(), "foreign key fk_parent_image of new table parent") {
		t.Fatalf("contract: %v", err)
	}
	execAll(t, r.db.DB, "the operator deletes the orphan", []string{"DELETE FROM parent WHERE id = 1"})
	r.must("contract")
	if got := rows(t, r.db.DB, "SELECT id FROM parent ORDER BY id"); got != "3" {
		t.Fatalf("rows after contract: %s", got)
	}
}

// The case as emcee simulate found it: migrate tags every seeded image (a
// data_migration inserting into the new table), and the previous
// release's workers delete images while both releases run. With the key
// created in expand, those deletes failed (62 failed statements of the
// previous release in a run of this size, error 1451); now none does.
// Contract deletes the orphans they left (the release declares the
// delete) and adds the key; the new release's workers, which write images
// only and know nothing of its tags, then meet the key the new release
// declares (NO ACTION) on a tagged image: that 1451, after contract, is
// all that may fail.
func TestSimulateNewTableKeyLeavesPreviousReleaseDeletesAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const seeded = 2000
	after := strings.Replace(fkImageTags, `  column "id" {
    type = bigint
  }
`, "", 1)
	after = strings.Replace(after, "columns = [column.id]", "columns = [column.image_id]", 1) + fmt.Sprintf(`
data_migration "tags" {
  table   = "image_tags"
  from    = "images"
  insert  = "image_id = id, tag = name"
  pending = "images.id <= %d AND NOT EXISTS (SELECT 1 FROM image_tags WHERE image_tags.image_id = images.id)"
}
data_migration "orphan_tags" {
  table  = "image_tags"
  delete = "NOT EXISTS (SELECT 1 FROM images WHERE images.id = image_tags.image_id)"
}
`, seeded)
	for name, body := range map[string]string{"before": fkImages, "after": fkImages + after} {
		opWrite(t, filepath.Join(dir, "schema", name+".hcl"), []byte("schema \"app\" {}\n"+body))
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \""+target.String()+"\"\n  releases = [\"before\", \"after\"]\n}\n"))
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := planner.Plan(p, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(); err != nil {
		t.Fatal(err)
	}
	db := testdb.New(t)
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	sim, err := simulate.Prepare(context.Background(), simulate.Config{
		Project: p, New: "after", DB: cfg,
		Rows: seeded, OldWorkers: 3, NewWorkers: 3,
		Baseline: time.Second, Settle: 2 * time.Second,
		BatchSize: 500, Verify: true, Seed: 42, Log: &log,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	rep, err := sim.Run(context.Background())
	var report strings.Builder
	if rep != nil {
		rep.Print(&report)
	}
	if err != nil && rep == nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if n := rep.Failed(simulate.Old); n != 0 {
		t.Errorf("%d failed statements of the previous release:\n%s", n, report.String())
	}
	deletes := rep.Find("migrated", simulate.Old, simulate.Write)
	if deletes == nil || deletes.Count == 0 {
		t.Fatalf("the previous release wrote nothing while both ran:\n%s", report.String())
	}
	for _, s := range rep.Stats {
		if s.Failed == 0 {
			continue
		}
		if s.Kind != simulate.New || s.Phase != "contract" && s.Phase != "contracted" {
			t.Errorf("%s %s: %d failed: %v", s.Phase, s.Kind, s.Failed, s.Errors)
		}
		for _, e := range s.Errors {
			if !strings.Contains(e, "1451") || !strings.Contains(e, "fk_image_tags_image") {
				t.Errorf("%s %s failed otherwise than on the declared key: %s", s.Phase, s.Kind, e)
			}
		}
	}
	if rep.Lost != 0 || rep.Inconsistent != 0 {
		t.Errorf("%d lost and %d inconsistent rows: %s", rep.Lost, rep.Inconsistent, strings.Join(rep.Problems, "\n"))
	}
	if got := rows(t, db.DB, fkKeyCount); got != "1" {
		t.Fatalf("contract did not add the key:\n%s\n%s", report.String(), log.String())
	}
	if got := rows(t, db.DB, "SELECT COUNT(*) FROM image_tags WHERE NOT EXISTS (SELECT 1 FROM images WHERE images.id = image_tags.image_id)"); got != "0" {
		t.Fatalf("%s orphan tags after contract", got)
	}
}

// albumsCycle is images (a release file's table images) gaining album_id
// and a key to the new table albums, whose column cover (of type typ)
// references images(ref) with the key fk_albums_cover and its actions
// (HCL lines, "" for none): a cycle through a kept table.
func albumsCycle(images, cover, typ, ref, actions string) string {
	after := strings.Replace(images, "  primary_key {", `  column "album_id" {
    type = bigint
    null = true
  }
  primary_key {`, 1)
	after = strings.Replace(after, "    columns = [column.id]\n  }\n", `    columns = [column.id]
  }
  foreign_key "fk_images_album" {
    columns     = [column.album_id]
    ref_columns = [table.albums.column.id]
  }
`, 1)
	return after + `
table "albums" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "` + cover + `" {
    type = ` + typ + `
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_albums_cover" {
    columns     = [column.` + cover + `]
    ref_columns = [table.images.column.` + ref + `]
` + actions + `  }
}
`
}
