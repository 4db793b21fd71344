package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
)

// The bundled example, exactly as committed (schema/, plans/, atlas.hcl),
// upgraded release by release on the real server with the real binary,
// while rows written by each side exercise the replacement triggers, the
// fill, the data migration and the contract gates.
func TestBundledExampleRollingUpgrade(t *testing.T) {
	t.Parallel()
	// The example pointed at this test's database; no dev database is shared.
	p := exampleProject(t)
	db := p.DB

	p.must("db", "sync", "stein")
	if v := p.version(); v != "stein_expand01, stein_contract01" {
		t.Fatalf("version after sync stein: %q", v)
	}
	p.exec("INSERT INTO images (name, status, is_public, owner) VALUES ('Old Public', 'active', 1, 'ann'), ('Old Private', 'active', 0, NULL)")

	// train: visibility replaces is_public; slug is filled.
	p.must("db", "expand")
	p.exec("INSERT INTO images (name, status, is_public, owner) VALUES ('Stein Writer', 'active', 1, 'bob')")                       // stein code
	p.exec("UPDATE images SET is_public = 1 WHERE name = 'Old Private'")                                                            // stein code
	p.exec("INSERT INTO images (name, status, visibility, slug, owner) VALUES ('Train Writer', 'active', 'community', 'tw', 'cy')") // train code
	if got := p.query("SELECT visibility, slug FROM images WHERE name = 'Stein Writer'"); got != "public stein-writer" {
		t.Errorf("an insert of the old release is not translated by the triggers: %q", got)
	}
	if got := p.query("SELECT is_public FROM images WHERE name = 'Train Writer'"); got != "0" {
		t.Errorf("an insert of the new release is not translated back: is_public = %q", got)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
	if got := p.query("SELECT name, visibility, slug FROM images ORDER BY id"); got != strings.Join([]string{
		"Old Public public old-public", "Old Private public old-private", "Stein Writer public stein-writer", "Train Writer community tw"}, "\n") {
		t.Errorf("rows after train:\n%s", got)
	}
	if got := p.triggers(); got != "" {
		t.Errorf("triggers left after train's contract: %s", got)
	}

	// ussuri: owner required (data migration fills it), slug unique.
	p.must("db", "expand")
	p.must("db", "migrate")
	// train code is still running: it writes a NULL owner and a duplicate slug.
	p.exec("INSERT INTO images (name, status, visibility, slug) VALUES ('Late Train Writer', 'active', 'private', 'tw')")
	r := p.run("db", "contract")
	if r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "owner") || !strings.Contains(r.Stdout+r.Stderr, "slug") {
		t.Fatalf("contract must be refused by the owner and slug gates:\n%s", r)
	}
	if v := p.version(); v != "ussuri_expand01, train_contract01" {
		t.Errorf("a refused contract changed the version: %q", v)
	}
	p.must("db", "migrate") // the operator reruns migrate for the late row
	p.exec("UPDATE images SET slug = 'late-train-writer' WHERE name = 'Late Train Writer'")
	p.must("db", "contract")
	if v := p.version(); v != "ussuri_expand01, ussuri_contract01" {
		t.Errorf("version after ussuri: %q", v)
	}
	if got := p.query("SELECT COUNT(*) FROM images WHERE owner = 'admin'"); got != "2" {
		t.Errorf("rows given to admin by the data migration: %s, want 2", got)
	}
	if got := p.query("SELECT COUNT(*) FROM images"); got != "5" {
		t.Errorf("rows lost: %s of 5 left", got)
	}
	src, err := os.ReadFile("../schema/ussuri.hcl")
	if err != nil {
		t.Fatal(err)
	}
	want, err := diff.ParseRelease("ussuri", "schema/ussuri.hcl", src, target)
	if err != nil {
		t.Fatal(err)
	}
	assertSchema(t, db, want.Schema)
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		opWrite(t, filepath.Join(to, rel), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
