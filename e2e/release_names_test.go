package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// OpenStack names its releases 2023_1, 2024_1 ... and its revisions
// 2024_1_expand01. A project written that way, whose atlas.hcl takes the
// database from a variable block as Atlas users write it, plans, installs
// and upgrades like any other.
func TestOpenStackReleaseNamesAndAtlasVariables(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dir := t.TempDir()
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(`
variable "url" {
  type = string
}
locals {
  releases = ["2023_1", "2024_1"]
}
env "deploy" {
  url = var.url
  src = "file://schema"
}
emcee {
  target   = "mariadb 10.11"
  releases = local.releases
}
`))
	opWrite(t, filepath.Join(dir, "schema", "2023_1.hcl"), []byte(`schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "is_public" {
    type    = bool
    default = false
  }
  primary_key {
    columns = [column.id]
  }
}
`))
	opWrite(t, filepath.Join(dir, "schema", "2024_1.hcl"), []byte(`schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "visibility" {
    type    = enum("private", "public")
    default = "private"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }
  primary_key {
    columns = [column.id]
  }
}
`))
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), append([]string{"--var", "url=" + db.URL}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(cmd.Environ(), "EMCEE_URL=")
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
	if r := must("plan"); !strings.Contains(r.Stdout, "wrote plans/2024_1/2024_1_expand01.sql") {
		t.Fatalf("plan: %s", r)
	}
	must("db", "sync", "2023_1", "--env", "deploy")
	if v := strings.TrimSpace(must("db", "version", "--env", "deploy").Stdout); v != "2023_1_expand01, 2023_1_contract01" {
		t.Fatalf("version after sync 2023_1: %q", v)
	}
	if _, err := db.Exec("INSERT INTO images (id, is_public) VALUES (1, 1), (2, 0)"); err != nil {
		t.Fatal(err)
	}
	if r := run("db", "check", "--env", "deploy"); r.Code != 3 || !strings.Contains(r.Stdout, "2024_1_expand01") {
		t.Fatalf("check: %s", r)
	}
	for _, phase := range []string{"expand", "migrate", "contract"} {
		must("db", phase, "--env", "deploy")
	}
	if v := strings.TrimSpace(must("db", "version", "--env", "deploy").Stdout); v != "2024_1_expand01, 2024_1_contract01" {
		t.Fatalf("version after the upgrade: %q", v)
	}
	var got string
	if err := db.QueryRow("SELECT GROUP_CONCAT(visibility ORDER BY id) FROM images").Scan(&got); err != nil || got != "public,private" {
		t.Fatalf("visibility after the upgrade: %q, %v", got, err)
	}
	if r := run("db", "version", "--env", "deploy", "--var", "nope"); r.Code != 2 || !strings.Contains(r.Stderr, `--var "nope": want name=value`) {
		t.Fatalf("bad --var: %s", r)
	}
}
