package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// Declared SQL expressions are read by a real MySQL grammar when the schema
// is loaded and written back from their syntax tree (issue 10, holes 2 and
// 3). These tests run `emcee plan` and the db commands (apply.Session) of
// the real binary on a two-release project.

const exprOcata = `schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(100)
  }
  column "visibility" {
    type    = enum("private", "shared", "public")
    default = "private"
  }
  column "owner" {
    type = varchar(50)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
table "image_members" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "image_id" {
    type = bigint
  }
  column "status" {
    type = varchar(20)
  }
  primary_key {
    columns = [column.id]
  }
}
`

// exprProject is a project whose pike release is ocata plus extra blocks.
func exprProject(t *testing.T, pikeExtra string) *opProject {
	t.Helper()
	db := testdb.New(t)
	dir := t.TempDir()
	opWrite(t, filepath.Join(dir, "schema", "ocata.hcl"), []byte(exprOcata))
	opWrite(t, filepath.Join(dir, "schema", "pike.hcl"), []byte(exprOcata+pikeExtra))
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(fmt.Sprintf("env \"test\" {\n  url = %q\n}\n\n%s", db.URL, opSettings)))
	return &opProject{t: t, Dir: dir, DB: db}
}

// The hole: `pending = "1=1) OR (1=1"` was spliced into
// `UPDATE ... WHERE (<pending>) AND id > ? AND id <= ?`, so each batch's
// range applied only to the right operand of the OR and every batch
// rewrote the whole table. It is a planning error at its position now.
func TestSplicedPendingIsRefusedAtPlanTime(t *testing.T) {
	t.Parallel()
	p := exprProject(t, `
data_migration "admin_owns" {
  table   = "images"
  set     = "name = CONCAT(name, '+')"
  pending = "1=1) OR (1=1"
}
`)
	r := p.plan()
	if r.Code == 0 {
		// What it did before the fix, shown through the applier.
		p.must("db", "sync", "ocata")
		p.exec("INSERT INTO images (name) SELECT CONCAT('img', seq) FROM seq_1_to_51")
		p.must("db", "expand")
		p.must("db", "migrate", "--batch-size", "10")
		t.Fatalf("emcee plan accepted pending = \"1=1) OR (1=1\"; db migrate then made %s updates on a table of 51 rows",
			p.query("SELECT SUM(LENGTH(name) - LENGTH(REPLACE(name, '+', ''))) FROM images"))
	}
	opContains(t, r, `schema/pike.hcl:43:17: pending of data_migration "admin_owns": syntax error at ") OR (1=1"`)
}

func TestBrokenExpressionsAreRefusedWhereDeclared(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, pike, want string }{
		{"unbalanced fill",
			strings.Replace(exprOcata, `  column "owner" {`, `  column "slug" {
    type = varchar(100)
    fill = "LOWER(REPLACE(name, ' ', '-')"
  }
  column "owner" {`, 1),
			`schema/pike.hcl:17:42: fill of images.slug: the expression ends too early (an unclosed parenthesis, string or CASE?)`},
		{"subquery in forward: the true reason",
			strings.Replace(exprOcata, `  column "visibility" {
    type    = enum("private", "shared", "public")
    default = "private"
  }`, `  column "audience" {
    type    = enum("private", "shared", "public")
    default = "private"
    replaces {
      column   = "visibility"
      forward  = "IF(EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = id), 'shared', visibility)"
      backward = "audience"
    }
  }`, 1),
			`schema/pike.hcl:16:29: forward expression of images.audience: a subquery: a value read from other rows or tables is not recomputed when they change (a trigger sees only the row being written, and runs only when that row is written)`},
		{"CHECK that closes the gate's parenthesis",
			strings.Replace(exprOcata, `  primary_key {
    columns = [column.id]
  }
}
table "image_members"`, `  primary_key {
    columns = [column.id]
  }
  check "ck_name" {
    expr = "1) OR (1"
  }
}
table "image_members"`, 1),
			`schema/pike.hcl:23:14: check ck_name on images: syntax error at ") OR (1"`},
		{"sql() default carrying a statement",
			strings.Replace(exprOcata, `  column "owner" {
    type = varchar(50)
    null = true
  }`, `  column "owner" {
    type    = varchar(50)
    null    = true
    default = sql("0); DROP TABLE image_members; --")
  }`, 1),
			`schema/pike.hcl:18:21: default of images.owner: syntax error at "); DROP TABLE image_members; -..."`},
		{"a statement separator in set",
			exprOcata + "data_migration \"m\" {\n  table   = \"images\"\n  set     = \"owner = 'a'; DELETE FROM images\"\n  pending = \"owner IS NULL\"\n}\n",
			`schema/pike.hcl:41:25: set of data_migration "m": ';' ends a statement`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opWrite(t, filepath.Join(dir, "schema", "ocata.hcl"), []byte(exprOcata))
			opWrite(t, filepath.Join(dir, "schema", "pike.hcl"), []byte(tc.pike))
			opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(opSettings))
			p := &opProject{t: t, Dir: dir}
			r := p.plan()
			if r.Code != 1 {
				t.Fatalf("emcee plan: %s", r)
			}
			opContains(t, r, tc.want)
		})
	}
}

// A comment in pending used to swallow the closing parenthesis emcee put
// after it; written from the tree, the comment is gone and the plan runs.
func TestCommentInPendingIsDropped(t *testing.T) {
	t.Parallel()
	p := exprProject(t, `
data_migration "admin_owns" {
  table   = "images"
  set     = "owner = 'admin' # nobody owned these"
  pending = "owner IS NULL -- not given yet"
}
`)
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("emcee plan: %s", r)
	}
	p.must("db", "sync", "ocata")
	p.exec("INSERT INTO images (name, owner) VALUES ('a', NULL), ('b', 'bob'), ('c', NULL)")
	p.must("db", "sync", "pike")
	if got := p.query("SELECT name, owner FROM images ORDER BY id"); got != "a admin\nb bob\nc admin" {
		t.Fatalf("rows after pike:\n%s", got)
	}
}

// Hole 3: a data migration may read other tables. "Make an image shared
// when it has accepted members": migrate runs it in key batches, the gate
// counts what is left, and a member accepted after migrate closes the gate
// until migrate runs again.
func TestDataMigrationWithSubquery(t *testing.T) {
	t.Parallel()
	p := exprProject(t, `
data_migration "share_with_members" {
  table   = "images"
  set     = "visibility = 'shared'"
  pending = "visibility = 'private' AND EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.status = 'accepted')"
}
`)
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("emcee plan: %s", r)
	}
	data, err := os.ReadFile(filepath.Join(p.Dir, "plans", "pike", "pike_migrate01.sql"))
	if err != nil {
		t.Fatal(err)
	}
	migrate := string(data)
	want := "UPDATE `images` SET `visibility` = 'shared' WHERE (`visibility` = 'private' AND EXISTS (SELECT 1 FROM `image_members` AS `m` WHERE `m`.`image_id` = `images`.`id` AND `m`.`status` = 'accepted'));"
	if !strings.Contains(migrate, "-- emcee:backfill table=images key=id\n"+want) {
		t.Fatalf("pike_migrate01.sql lacks\n%s\n%s", want, migrate)
	}
	p.must("db", "sync", "ocata")
	p.exec("INSERT INTO images (name, visibility) SELECT CONCAT('img', seq), IF(seq = 7, 'public', 'private') FROM seq_1_to_25")
	p.exec("INSERT INTO image_members (image_id, status) VALUES (2, 'accepted'), (2, 'accepted'), (3, 'pending'), (7, 'accepted'), (11, 'accepted'), (25, 'accepted')")
	p.must("db", "expand")
	out := p.must("db", "migrate", "--batch-size", "4")
	opContains(t, out, "3 rows backfilled")
	if got := p.query("SELECT GROUP_CONCAT(id ORDER BY id) FROM images WHERE visibility = 'shared'"); got != "2,11,25" {
		t.Fatalf("shared images after migrate: %s", got)
	}
	// accepted after migrate: the gate closes contract
	p.exec("INSERT INTO image_members (image_id, status) VALUES (5, 'accepted')")
	r := p.run("db", "contract")
	if r.Code == 0 {
		t.Fatalf("contract ran with a pending row: %s", r)
	}
	opContains(t, r, "share_with_members")
	p.must("db", "migrate")
	p.must("db", "contract")
	if got := p.query("SELECT GROUP_CONCAT(id ORDER BY id) FROM images WHERE visibility = 'shared'"); got != "2,5,11,25" {
		t.Fatalf("shared images after contract: %s", got)
	}
}
