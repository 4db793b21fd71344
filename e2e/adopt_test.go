package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// A team adopts a database its ORM created by plain SQL: emcee init writes
// the project from the live schema, baseline records it, and the next
// release (a replaced column) upgrades it with zero drift.
func TestInitFromALiveDatabase(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	for _, q := range []string{
		"CREATE TABLE owners (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL, created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, UNIQUE KEY ux_owner_name (name)) COMMENT='who owns images'",
		"CREATE TABLE images (id bigint NOT NULL AUTO_INCREMENT, owner_id int unsigned NULL, name varchar(255) NOT NULL, status enum('queued','active','killed') NOT NULL DEFAULT 'queued', size bigint NULL, is_public tinyint(1) NOT NULL DEFAULT 0, meta json NULL, PRIMARY KEY (id), KEY ix_status (status), KEY ix_owner_name (owner_id, name(20)), CONSTRAINT fk_owner FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE SET NULL, CONSTRAINT ck_size CHECK (size >= 0)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
		"CREATE TABLE image_tags (image_id bigint NOT NULL, tag varchar(64) NOT NULL, PRIMARY KEY (image_id, tag), CONSTRAINT fk_tag_image FOREIGN KEY (image_id) REFERENCES images (id) ON DELETE CASCADE)",
		"INSERT INTO owners (name) VALUES ('alice'), ('bob')",
		"INSERT INTO images (owner_id, name, status, size, is_public) VALUES (1, 'one', 'active', 10, 1), (2, 'two', 'queued', NULL, 0), (NULL, 'three', 'killed', 0, 1)",
		"INSERT INTO image_tags VALUES (1, 'x'), (2, 'y')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	dir := t.TempDir()
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL)
		return opRunCmd(t, cmd)
	}
	must := func(args ...string) opResult {
		t.Helper()
		r := run(args...)
		if r.Code != 0 {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
		return r
	}
	r := must("init", "--from", db.URL, "--release", "2024_1")
	for _, want := range []string{"3 tables, mariadb 10.11", "wrote atlas.hcl", "wrote schema/2024_1.hcl", "wrote plans/2024_1/2024_1_expand01.sql", "emcee db baseline 2024_1 --url '" + db.URL + "'"} {
		if !strings.Contains(r.Stdout, want) {
			t.Fatalf("init output lacks %q:\n%s", want, r)
		}
	}
	if r := run("init", "--from", db.URL); r.Code != 1 || !strings.Contains(r.Stderr, "atlas.hcl exists") {
		t.Fatalf("init over an existing project must refuse: %s", r)
	}
	src, err := os.ReadFile(filepath.Join(dir, "schema", "2024_1.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if i, j, k := strings.Index(string(src), `table "image_tags"`), strings.Index(string(src), `table "images"`), strings.Index(string(src), `table "owners"`); !(i < j && j < k) || strings.Index(string(src), `schema "`) > i {
		t.Fatalf("schema file is not in a stable order (schema, then tables by name):\n%s", src)
	}
	must("plan", "--check")
	must("db", "baseline", "2024_1", "--env", "live")
	if r := run("db", "diff", "--env", "live"); r.Code != 0 {
		t.Fatalf("drift right after baseline: %s", r)
	}

	// The next release replaces is_public by visibility.
	next := strings.Replace(string(src), `  column "is_public" {
    null    = false
    type    = bool
    default = false
  }`, `  column "visibility" {
    type    = enum("private", "public")
    default = "private"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }`, 1)
	if next == string(src) {
		t.Fatalf("anchor for is_public not found in the adopted schema:\n%s", src)
	}
	opWrite(t, filepath.Join(dir, "schema", "2025_1.hcl"), []byte(next))
	cfg, _ := os.ReadFile(filepath.Join(dir, "atlas.hcl"))
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(strings.Replace(string(cfg), `releases = ["2024_1"]`, `releases = ["2024_1", "2025_1"]`, 1)))
	must("plan")
	for _, phase := range []string{"expand", "migrate", "contract"} {
		must("db", phase, "--env", "live")
	}
	if v := strings.TrimSpace(must("db", "version", "--env", "live").Stdout); v != "2025_1_expand01, 2025_1_contract01" {
		t.Fatalf("version: %q", v)
	}
	if r := run("db", "diff", "--env", "live"); r.Code != 0 {
		t.Fatalf("drift after the upgrade: %s", r)
	}
	var got string
	if err := db.QueryRow("SELECT GROUP_CONCAT(visibility ORDER BY id) FROM images").Scan(&got); err != nil || got != "public,private,public" {
		t.Fatalf("visibility: %q %v", got, err)
	}
}
