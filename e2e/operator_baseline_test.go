package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// ocata's tables written by hand the way an old deployment would have
// them: other spellings (display widths, TINYINT for bool, now()), an
// implicit FK index, table options; the same schema as far as the server
// is concerned.
var opHandMadeOcata = []string{
	"CREATE TABLE images (id BIGINT(20) NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, is_public TINYINT(1) NOT NULL DEFAULT '0', created_at DATETIME NOT NULL DEFAULT now(), KEY ix_images_name (name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	"CREATE TABLE image_properties (id bigint NOT NULL AUTO_INCREMENT, image_id bigint NOT NULL, name varchar(255) NOT NULL, value text, PRIMARY KEY (id), CONSTRAINT fk_image_properties_image FOREIGN KEY (image_id) REFERENCES images (id)) ENGINE=InnoDB",
}

func TestOperatorBaselineMatching(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	for _, q := range opHandMadeOcata {
		p.exec(q)
	}
	p.insertOcataRows(30)
	if r := p.run("db", "sync"); r.Code != 1 || !strings.Contains(r.Stderr, "table images is unexpected") || !strings.Contains(r.Stderr, "emcee db baseline RELEASE") {
		t.Fatalf("sync on a database emcee did not create must be stopped by the drift check: %s", r)
	}
	r := p.must("db", "baseline", "ocata")
	opContains(t, r, "the live schema matches release ocata", "recorded ocata_expand01 as applied (baseline)", "recorded ocata_contract01 as applied (baseline)", "placed under emcee control at release ocata")
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("version after baseline = %q", v)
	}
	if r := p.run("db", "baseline", "ocata"); r.Code != 1 || !strings.Contains(r.Stderr, "already under emcee control") {
		t.Fatalf("a second baseline must be refused: %s", r)
	}
	// The adopted database upgrades like any other.
	r = p.must("db", "expand")
	opContains(t, r, "preflight: live schema matches release ocata")
	p.must("db", "migrate")
	p.must("db", "contract")
	if got := p.query("SELECT COUNT(*), SUM(visibility = 'public') FROM images"); got != "30 10" {
		t.Errorf("rows after upgrading the adopted database: %s", got)
	}
}

func TestOperatorBaselineDrifted(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.exec("CREATE TABLE images (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, is_public TINYINT(1) NOT NULL DEFAULT 0, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(32) NULL)")
	p.exec("CREATE TABLE image_properties (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, image_id bigint NOT NULL, name varchar(255) NOT NULL, value varchar(255), CONSTRAINT fk_image_properties_image FOREIGN KEY (image_id) REFERENCES images (id))")
	p.exec("CREATE TABLE legacy_jobs (id int PRIMARY KEY)")
	r := p.run("db", "baseline", "ocata")
	if r.Code != 1 {
		t.Fatalf("baseline of a drifted database must be refused: %s", r)
	}
	opContains(t, r,
		"baseline refused: the live schema differs from release ocata",
		"table image_properties:\n  - column value is varchar(255) NULL, expected text NULL",
		"table images:\n",
		"- column checksum is unexpected (varchar(32) NULL)",
		"- index ix_images_name is missing (name)",
		"table legacy_jobs:\n  - table legacy_jobs is unexpected",
		"nothing was recorded")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'emcee_revisions'"); got != "0" {
		t.Fatal("a refused baseline created the version table")
	}
	// Machines get the same differences.
	r = p.run("db", "baseline", "ocata", "--format", "json")
	var res struct {
		Error string
		Drift struct {
			Tables []struct {
				Table       string
				Differences []opDiffEntry
			}
		}
	}
	if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil || r.Code != 1 {
		t.Fatalf("json baseline: %v\n%s", err, r)
	}
	if len(res.Drift.Tables) != 3 || res.Drift.Tables[1].Table != "images" || len(res.Drift.Tables[1].Differences) != 2 || res.Error == "" {
		t.Fatalf("json drift report: %+v", res)
	}
}

// The expand preflight compares the live schema with the previous
// release's snapshot: drift stops the run, reported table by table, unless
// the operator overrides it.
func TestOperatorExpandDrift(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.exec("ALTER TABLE images ADD COLUMN hotfix int NULL, DROP INDEX ix_images_name")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand on a drifted database must stop: %s", r)
	}
	opContains(t, r, "the live schema differs from release ocata", "table images:", "column hotfix is unexpected (int NULL)", "index ix_images_name is missing", "nothing was changed", "--allow-drift")
	if strings.Contains(p.columns("images"), "visibility") || p.version() != "ocata_expand01, ocata_contract01" {
		t.Fatal("a drift refusal changed the database")
	}
	r = p.must("db", "expand", "--allow-drift")
	opContains(t, r, "WARNING (--allow-drift)", "column hotfix is unexpected", "version: pike_expand01, ocata_contract01")
}
