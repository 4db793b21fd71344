package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/revision"
)

// gatedOwnerKey is images' key fk_owner to owners.id, its actions in
// actions.
func gatedOwnerKey(actions string) string {
	return gatedBlock("  foreign_key \"fk_owner\" {\n    columns     = [column.owner_id]\n    ref_columns = [table.owners.column.id]\n" + actions + "  }")
}

const fkOwnerDeleteRule = "SELECT DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_owner'"

// A key made ON DELETE CASCADE under its name (Sylius's
// FK_C7056A99F675F31B) was refused; now contract drops and adds it
// again, behind the orphan gate, which an orphan written with
// foreign_key_checks off closes. Once contract has run, a delete of an
// owner takes its images with it.
func TestRuleModifyForeignKey(t *testing.T) {
	t.Parallel()
	ruleCase{
		before:     gatedOwnerKey(""),
		after:      gatedOwnerKey("    on_delete   = CASCADE\n"),
		rules:      []string{"modify-foreign-key"},
		seed:       []string{"INSERT INTO owners VALUES (1), (2), (3)", "INSERT INTO images (name, owner_id, note) VALUES ('a', 1, ''), ('b', 2, ''), ('c', NULL, '')"},
		oldWrites:  []string{"INSERT INTO images (name, owner_id, note) VALUES ('d', 3, '')"},
		newWrites:  []string{"INSERT INTO owners VALUES (4)", "INSERT INTO images (name, owner_id, note) VALUES ('e', 4, '')"},
		gateBlocks: []string{"SET STATEMENT foreign_key_checks = 0 FOR INSERT INTO images (name, owner_id, note) VALUES ('orphan', 99, '')"},
		fix:        []string{"INSERT INTO owners VALUES (99)"},
		checks: map[string]string{
			"SELECT name, IFNULL(owner_id, '-') FROM images ORDER BY id": "a|1;b|2;c|-;d|3;e|4;orphan|99",
			fkOwnerDeleteRule: "CASCADE",
		},
		afterContract: []string{"DELETE FROM owners WHERE id = 2"},
	}.run(t)
}

// A key changed under its name over columns contract tightens on both
// sides (bigint -> int): MariaDB refuses to retype a column under a key
// (1832, 1833), so contract drops the old key before the tightenings and
// adds the new one after them. The plan was refused as if contract kept
// the key.
func TestRuleModifyForeignKeyOverTightenedColumns(t *testing.T) {
	t.Parallel()
	after := replaceOnce(gatedOwnerKey("    on_delete   = CASCADE\n"), "  column \"id\" {\n    type = bigint\n  }\n  primary_key", "  column \"id\" {\n    type       = int\n    allow_copy = true\n  }\n  primary_key")
	ruleCase{
		before:        gatedOwnerKey(""),
		after:         replaceOnce(after, "  column \"owner_id\" {\n    type = bigint\n", "  column \"owner_id\" {\n    type       = int\n    allow_copy = true\n"),
		rules:         []string{"modify-foreign-key", "tighten-column"},
		seed:          []string{"INSERT INTO owners VALUES (1), (2)", "INSERT INTO images (name, owner_id, note) VALUES ('a', 1, ''), ('b', 2, '')"},
		oldWrites:     []string{"INSERT INTO images (name, owner_id, note) VALUES ('c', 1, '')"},
		newWrites:     []string{"INSERT INTO owners VALUES (3)", "INSERT INTO images (name, owner_id, note) VALUES ('d', 3, '')"},
		checks:        map[string]string{fkOwnerDeleteRule: "CASCADE"},
		afterContract: []string{"DELETE FROM owners WHERE id = 2"},
	}.run(t)
}

// A key moved to other columns and another table, new in the release,
// its action changed too: the index the server made for the old key's
// column goes with it (the schema then has none there, as a database
// built from the release), the new key's column has its own. The
// previous release's writes keep the old key until contract; its
// rollback drops the new table and leaves the old key as it was.
func TestRuleModifyForeignKeyColumnsAndTable(t *testing.T) {
	t.Parallel()
	owner2 := replaceOnce(gatedV1, "  column \"price\" {", "  column \"owner2_id\" {\n    type = bigint\n    null = true\n  }\n  column \"price\" {")
	key := func(release, col, ref, actions string) string {
		return replaceOnce(release, gatedPK, "  foreign_key \"fk_owner\" {\n    columns     = [column."+col+"]\n    ref_columns = ["+ref+"]\n"+actions+"  }\n"+gatedPK)
	}
	albums := "table \"albums\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	ruleCase{
		before:     key(owner2, "owner2_id", "table.owners.column.id", ""),
		after:      albums + key(owner2, "owner_id", "table.albums.column.id", "    on_delete   = SET_NULL\n"),
		rules:      []string{"modify-foreign-key", "create-table"},
		seed:       []string{"INSERT INTO owners VALUES (1)", "INSERT INTO images (name, owner2_id, note) VALUES ('a', 1, '')"},
		oldWrites:  []string{"INSERT INTO images (name, owner2_id, note) VALUES ('b', 1, '')"},
		newWrites:  []string{"INSERT INTO albums VALUES (7)", "INSERT INTO images (name, owner_id, note) VALUES ('c', 7, '')"},
		gateBlocks: []string{"INSERT INTO images (name, owner_id, note) VALUES ('orphan', 5, '')"},
		fix:        []string{"INSERT INTO albums VALUES (5)"},
		checks: map[string]string{
			"SELECT REFERENCED_TABLE_NAME, DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_owner'": "albums|SET NULL",
			"SELECT GROUP_CONCAT(DISTINCT INDEX_NAME ORDER BY INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images'":       "ix_owner,PRIMARY",
		},
		// The old key is gone, the new one clears what referenced album 7.
		afterContract: []string{"INSERT INTO images (name, owner2_id, note) VALUES ('free', 42, '')", "DELETE FROM albums WHERE id = 7"},
	}.run(t)
}

// A contract that stopped between the key's two ALTERs (the old key
// dropped, the new one not added) resumes at the add, whether the run
// that stopped recorded the drop or only sent it (resent, the server
// answers that there is no key to drop, 1091, counted as applied); the
// orphan gate runs again first and holds the add while a row written
// meanwhile, when no key checked it, has no owner. Until contract the
// previous release's delete of an owner with images is refused as it
// was written to be.
func TestRuleModifyForeignKeyResumedBetweenItsAlters(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		// at is the statement (from 0) the version table says is next,
		// in flight (sent, not confirmed) or not, as the run that
		// stopped left it.
		at       func(drop, add int) int
		inFlight int
	}{
		{"the drop recorded", func(drop, add int) int { return add }, 0},
		{"the drop sent, not recorded", func(drop, add int) int { return drop }, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRuleProject(t, gatedOwnerKey(""), gatedOwnerKey("    on_delete   = CASCADE\n"))
			r.usesRules([]string{"modify-foreign-key"})
			drop, add := -1, -1
			for i, st := range r.phases[revision.Contract] {
				switch {
				case st.Kind == revision.Gate:
				case drop < 0:
					drop = i
				default:
					add = i
				}
			}
			if drop < 0 || add != drop+1 || add != len(r.phases[revision.Contract])-1 {
				t.Fatalf("contract is not the gate, the drop, then the add: %+v", r.phases[revision.Contract])
			}
			r.must("before")
			execAll(t, r.db.DB, "seed", []string{"INSERT INTO owners VALUES (1), (2)", "INSERT INTO images (name, owner_id, note) VALUES ('a', 1, ''), ('b', 2, '')"})
			r.must("expand")
			r.must("migrate")
			if _, err := r.db.DB.Exec("DELETE FROM owners WHERE id = 1"); !dbconn.ServerError(err, 1451) {
				t.Fatalf("the previous release's delete of an owner with images before contract: %v, want error 1451 from the key it was written for", err)
			}
			r.must("contract")
			// What the run that stopped left: the old key dropped (the
			// index stays: its column keeps ix_owner), the add not sent.
			at := c.at(drop, add)
			execAll(t, r.db.DB, "the stopped run", []string{"ALTER TABLE images DROP FOREIGN KEY fk_owner",
				"UPDATE emcee_revisions SET applied = " + strconv.Itoa(at) + ", in_flight = " + strconv.Itoa(c.inFlight) + ", finished_at = NULL WHERE name = 'after_contract01'"})
			execAll(t, r.db.DB, "the new release, no key checking it", []string{"INSERT INTO images (name, owner_id, note) VALUES ('orphan', 9, '')"})
			r.contractBlocked()
			if got := rows(t, r.db.DB, fkOwnerDeleteRule); got != "" {
				t.Fatalf("the blocked resume added the key over an orphan: %s", got)
			}
			execAll(t, r.db.DB, "fix", []string{"INSERT INTO owners VALUES (9)"})
			res, err := r.apply("contract")
			if err != nil {
				t.Fatal(err)
			}
			// Resumed at the statement the record names: a drop in
			// flight is sent again and counted, the add runs.
			if len(res.Revisions) != 1 || res.Revisions[0].ResumedAt != at || res.Revisions[0].Applied != add+1-at || !res.Revisions[0].Done {
				t.Fatalf("contract did not resume at statement %d: %+v", at+1, res.Revisions)
			}
			// The add is guarded as add-foreign-key's is: its gate counted
			// again right before and after it.
			for _, want := range []string{"orphan gate rechecked right before adding foreign key fk_owner on images: open", "orphan gate rechecked after adding foreign key fk_owner on images"} {
				if !strings.Contains(r.said, want) {
					t.Errorf("the resumed contract does not say %q:\n%s", want, r.said)
				}
			}
			if got := rows(t, r.db.DB, fkOwnerDeleteRule); got != "CASCADE" {
				t.Fatalf("key after the resumed contract: %q, want ON DELETE CASCADE", got)
			}
			assertSchema(t, r.db, r.declared)
			if d := r.diff(); !d.Clean {
				t.Fatalf("db diff after the resumed contract: %+v", d)
			}
			execAll(t, r.db.DB, "the new release", []string{"DELETE FROM owners WHERE id = 2"})
			if got := rows(t, r.db.DB, "SELECT name FROM images ORDER BY id"); got != "a;orphan" {
				t.Fatalf("images after the owner of b was deleted: %s, want b deleted with it", got)
			}
		})
	}
}
