package sqlrelease_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlrelease"
)

// A project plans the same whether a release is declared in HCL or as
// the SQL mysqldump --no-data prints for a database built from that HCL:
// the bundled example is planned with each of these releases written as
// SQL, and every revision of every release is compared, byte for byte,
// with the all-HCL plans. (Snapshots differ: they copy the source.) The
// declarations of train go in its declarations file; the revisions name
// where they are declared, which is the one difference allowed.
func TestMixedProjectPlansTheSame(t *testing.T) {
	dumper := mariadbDump(t)
	root := repoRoot(t)
	want := planExample(t, copyExample(t, root), nil)
	for _, rel := range []string{"ocata", "pike", "stein", "train", "ussuri"} {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			dir := copyExample(t, root)
			p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			hcl, err := os.ReadFile(filepath.Join(dir, "schema", rel+".hcl"))
			if err != nil {
				t.Fatal(err)
			}
			dump := dumpOf(t, dumper, p.Target, rel, hcl)
			if err := os.Remove(filepath.Join(dir, "schema", rel+".hcl")); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, "schema", rel+".sql"), dump)
			positions := map[string]string{}
			if decl := declarationsOf[rel]; decl != "" {
				write(t, filepath.Join(dir, "schema", rel+".emcee.hcl"), []byte(decl))
				positions = declaredAt[rel]
			}
			got := planExample(t, dir, evaluator(t, p.Target))
			compared := 0
			for path, w := range want {
				if !strings.HasSuffix(path, ".sql") {
					continue
				}
				g := got[path]
				for from, to := range positions {
					g = bytes.ReplaceAll(g, []byte("declared at "+from+")"), []byte("declared at "+to+")"))
				}
				if !bytes.Equal(g, w) {
					t.Errorf("%s differs when %s is declared as SQL:\n--- HCL\n%s\n--- SQL\n%s", path, rel, w, got[path])
				}
				compared++
			}
			if compared != 28 || len(got) != len(want) {
				t.Fatalf("compared %d revisions; %d files planned from SQL, %d from HCL", compared, len(got), len(want))
			}
			snap := string(got[rel+"/"+rel+".snapshot.hcl"])
			if !strings.Contains(snap, "# sql: h1:") || !strings.Contains(snap, `# emcee: evaluated from "schema/`+rel+`.sql"`) {
				t.Fatalf("the snapshot of %s does not record its SQL:\n%s", rel, snap)
			}
		})
	}
}

// The declarations of the example's releases, as declarations files, and
// where they are declared there and in the HCL.
var (
	declarationsOf = map[string]string{
		"train": `# train's declarations: the schema is train.sql.
table "images" {
  column "visibility" {
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'shared' END"
      backward = "visibility = 'public'"
    }
  }
  column "slug" {
    fill = "LOWER(REPLACE(name, ' ', '-'))"
  }
}
`,
		"ussuri": `data_migration "owner_admin" {
  table   = "images"
  set     = "owner = 'admin'"
  pending = "owner IS NULL"
}
`,
	}
	declaredAt = map[string]map[string]string{
		"train":  {"schema/train.emcee.hcl:4:5": "schema/train.hcl:26:5", "schema/train.emcee.hcl:11:5": "schema/train.hcl:34:5"},
		"ussuri": {"schema/ussuri.emcee.hcl:1:1": "schema/ussuri.hcl:70:1"},
	}
)

// dumpOf is what mysqldump --no-data prints for a database built from a
// release's HCL.
func dumpOf(t *testing.T, dumper string, target project.Target, rel string, hcl []byte) []byte {
	t.Helper()
	r, err := diff.Load(diff.Source{Release: rel, File: "schema/" + rel + ".hcl", Src: hcl}, target)
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.New(t)
	ctx := context.Background()
	dev, err := devdb.Open(ctx, devdb.Spec{URL: db.URL})
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Build(ctx, r.Schema, nil, nil); err != nil {
		t.Fatal(err)
	}
	defer dev.Close(ctx)
	cfg, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(cfg.Addr, ":")
	args := []string{"--no-data", "--skip-dump-date", "-h" + host, "-P" + port, "-u" + cfg.User, db.Name, "--ignore-table=" + db.Name + ".emcee_dev_in_use"}
	if cfg.Passwd != "" {
		args = append(args, "-p"+cfg.Passwd)
	}
	out, err := exec.Command(dumper, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", dumper, err)
	}
	if !bytes.Contains(out, []byte("CREATE TABLE `images`")) {
		t.Fatalf("the dump holds no images table:\n%s", out)
	}
	return out
}

// evaluator evaluates SQL releases in a dev database of the test's own.
func evaluator(t *testing.T, target project.Target) planner.SQLEval {
	dev, _ := devFor(t)
	return func(f diff.SQLFiles) (diff.Source, error) {
		return sqlrelease.Evaluate(context.Background(), dev, f, target)
	}
}

func planExample(t *testing.T, dir string, sql planner.SQLEval) map[string][]byte {
	t.Helper()
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := planner.Plan(p, planner.Options{SQL: sql})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(); err != nil {
		t.Fatal(err)
	}
	// What was planned plans again without a database: the snapshots
	// record the SQL files they were evaluated from.
	again, err := planner.Plan(p, planner.Options{})
	if err != nil {
		t.Fatalf("planning again without a database: %v", err)
	}
	if d, err := again.Diff(); err != nil || d != "" {
		t.Fatalf("planning again changes plans/ (%v):\n%s", err, d)
	}
	if e, err := again.Edited(p); err != nil || e.Diff != "" {
		t.Fatalf("recomputing the revisions from the snapshots differs (%v):\n%s", err, e.Diff)
	}
	return out.Files
}

// copyExample copies the bundled example's project and schemas, without
// its plans.
func copyExample(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(root, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "atlas.hcl"), regexp.MustCompile(`released\s*=\s*\[[^\]]*\]`).ReplaceAll(data, []byte("released = []")))
	files, err := filepath.Glob(filepath.Join(root, "schema", "*.hcl"))
	if err != nil || len(files) != 7 {
		t.Fatalf("schema files: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "schema", filepath.Base(f)), data)
	}
	return dir
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

func mariadbDump(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"mariadb-dump", "mysqldump"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("mysqldump is not installed (it comes with mariadb-client)")
	}
	t.Skip("mysqldump is not installed")
	return ""
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
