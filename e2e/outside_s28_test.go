package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Dolibarr, measured from outside: releases 16 to 21 of 25 of its tables,
// each the mariadb-dump --no-data of a database its own upgrade scripts
// (htdocs/install/mysql/migration/X-Y.sql) upgraded. The fixtures under
// testdata/outside_s28 are trimmed to what each test needs.

// outsideS28Fixture is a file of testdata/outside_s28.
func outsideS28Fixture(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "outside_s28", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// Dolibarr's amounts are double(24,8), which MariaDB rounds to 8 digits
// after the point. Atlas keeps a floating-point type's precision alone:
// the release planned, the plans created every such column as a plain
// double, which keeps whatever is written, and db diff, reading both as a
// double, said the database matched. The column is refused at its line,
// saying what to write; declared double, the release plans, a database
// Dolibarr's installer created (its columns double(24,8)) is adopted
// without drift, and a later release leaves those columns as they are.
func TestOutsideS28ScaledFloatInASQLRelease(t *testing.T) {
	t.Parallel()
	dump := outsideS28Fixture(t, "16.sql")
	p := sqlReleasesProject(t, [2]string{"16", dump})
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("a release declaring double(24,8) planned: %s\n%s", r, p.read("plans/16/16_expand01.sql"))
	}
	opContains(t, r, "schema/16.sql:11:3: column llx_facture.total_tva is double(24,8), whose digits after the point Atlas does not keep (it reads a floating-point type's precision alone), so the plans would create it as double, which does not round what is written; write double",
		"schema/16.sql:12:3: column llx_facture.total_ht is double(24,8)", "schema/16.sql:13:3: column llx_facture.total_ttc is double(24,8)")

	opWrite(t, filepath.Join(p.Dir, "schema", "16.sql"), []byte(strings.ReplaceAll(dump, "double(24,8)", "double")))
	p.must("plan")
	p.exec(strings.TrimSuffix(strings.TrimSpace(dump[strings.Index(dump, "CREATE TABLE"):]), ";"))
	p.must("db", "baseline", "16")
	p.must("db", "diff")

	// Dolibarr 17 adds close_missing_amount double(24,8), declared double.
	seventeen := strings.Replace(strings.ReplaceAll(dump, "double(24,8)", "double"), "  `close_code` varchar(16) DEFAULT NULL,\n", "  `close_code` varchar(16) DEFAULT NULL,\n  `close_missing_amount` double DEFAULT NULL,\n", 1)
	opWrite(t, filepath.Join(p.Dir, "schema", "17.sql"), []byte(seventeen))
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(regexp.MustCompile(`releases = \[(.*)\]`).ReplaceAllString(p.read("atlas.hcl"), `releases = [$1, "17"]`)))
	p.must("plan")
	p.must("db", "sync")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'llx_facture' AND DATA_TYPE = 'double'"); got != "total_tva double(24,8),total_ht double(24,8),total_ttc double(24,8),close_missing_amount double" {
		t.Fatalf("double columns after 17: %s", got)
	}
}

// Dolibarr 20 adds llx_ticket.barcode and fk_barcode_type, and a unique
// key on (barcode, fk_barcode_type, entity). Release 19 never writes the
// new columns, so its rows hold NULL there, which never collides: the key
// rejects no write of 19. It waited for contract all the same, so 20's
// code wrote duplicate barcodes all through the rollout, and contract's
// gate then stayed closed until someone fixed them by hand. It is built
// in expand: 19's INSERTs still work, 20's duplicate is refused from the
// first, the rollback drops the key, and contract has nothing left to do.
func TestOutsideS28UniqueKeyOnNewColumnsInExpand(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"19", outsideS28Fixture(t, "ticket_19.sql")}, [2]string{"20", outsideS28Fixture(t, "ticket_20.sql")})
	p.must("plan")
	expand, contract := p.read("plans/20/20_expand01.sql"), p.read("plans/20/20_contract01.sql")
	if !strings.Contains(expand, "ADD UNIQUE INDEX `uk_ticket_barcode_barcode_type`") || strings.Contains(contract, "uk_ticket_barcode_barcode_type") {
		t.Fatalf("the unique key on the new columns is not in expand alone:\n%s\n%s", expand, contract)
	}
	p.must("lint") // EM102 called it a tightening outside contract
	p.must("db", "sync", "19")
	p.must("db", "expand")
	// 19's code, twice: the key does not see rows whose barcode is NULL.
	for _, ref := range []string{"TS1", "TS2"} {
		p.exec("INSERT INTO llx_ticket (ref, track_id, subject, message, datec) VALUES (?, ?, 's', 'm', NOW())", ref, "trk"+ref)
	}
	p.exec("INSERT INTO llx_ticket (ref, track_id, barcode, fk_barcode_type) VALUES ('TS3', 'trk3', 'B1', 2)")
	if _, err := p.DB.Exec("INSERT INTO llx_ticket (ref, track_id, barcode, fk_barcode_type) VALUES ('TS4', 'trk4', 'B1', 2)"); err == nil || !strings.Contains(err.Error(), "1062") {
		t.Fatalf("20's second ticket with barcode B1 during the rollout: %v", err)
	}
	p.exec("UPDATE llx_ticket SET barcode = NULL, fk_barcode_type = NULL")
	p.must("db", "rollback")
	if got := p.query("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'uk_ticket_barcode_barcode_type'"); got != "0" {
		t.Fatalf("the key after the rollback: %s", got)
	}
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
}
