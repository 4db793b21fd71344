package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// Attacks on what s28-outside merged: the unique index placed in expand
// when a key column is new and unwritten, the refusal of a floating-point
// type with digits after the point, the rename advice of a dropped table
// and simulate's foreign keys.

// A database holding Dolibarr's double(24,8) amounts: emcee init wrote
// them as double(24), which MariaDB refuses as a syntax error, and the
// plans created a plain double, which does not round; db baseline and db
// diff, reading the live column as a double too, found nothing, so a
// database made from the project silently kept other values than the
// adopted one. It is refused, naming each column and the way out.
func TestAttackS28ScaledFloatAdopted(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	if _, err := db.Exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, amount double(24,8) NOT NULL DEFAULT 0, ratio float(7,4) unsigned, rate double precision(10,2) zerofill, r real(5,1), plain double, p float(24))"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(opBinary(t), "init", "--from", db.URL, "--release", "r1")
	cmd.Dir = t.TempDir()
	r := opRunCmd(t, cmd)
	if r.Code != 1 {
		src, _ := os.ReadFile(filepath.Join(cmd.Dir, "schema", "r1.hcl"))
		t.Fatalf("init adopting double(24,8): %s\n%s", r, src)
	}
	opContains(t, r, "t.amount is double(24,8), whose digits after the point Atlas does not read (ALTER TABLE `t` MODIFY COLUMN `amount` double NOT NULL DEFAULT 0.00000000, which stops rounding what is written, or MODIFY it as a decimal with the same digits, which keeps exact values)",
		"t.ratio is float(7,4) unsigned, whose digits", "t.rate is double(10,2) unsigned zerofill, whose digits", "t.r is double(5,1), whose digits")
	for _, col := range []string{"t.plain", "t.p "} {
		if strings.Contains(r.Stderr, col) {
			t.Fatalf("%s refused: %s", col, r)
		}
	}
	if entries, _ := os.ReadDir(cmd.Dir); len(entries) != 0 {
		t.Fatalf("files written: %v", entries)
	}
}

// A unique key on a new nullable column the server sets ON UPDATE was
// placed in expand like one on a column nobody writes: but the previous
// release's UPDATE of two rows in one second stamps both alike, and the
// key refused it (1062) all through the rollout. It waits for contract,
// gated, where the gate says whether the stamps collide.
func TestAttackS28UniqueKeyOnAnOnUpdateColumn(t *testing.T) {
	t.Parallel()
	one := "CREATE TABLE t (id int NOT NULL PRIMARY KEY, kind int NOT NULL, name varchar(20) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n"
	two := strings.Replace(one, "name varchar(20) NULL)", "name varchar(20) NULL, stamped datetime NULL ON UPDATE current_timestamp(), UNIQUE KEY ux_stamped (stamped, kind))", 1)
	p := sqlReleasesProject(t, [2]string{"1", one}, [2]string{"2", two})
	p.must("plan")
	if expand := p.read("plans/2/2_expand01.sql"); strings.Contains(expand, "ux_stamped") {
		t.Fatalf("the unique key on an ON UPDATE column in expand:\n%s", expand)
	}
	p.must("lint")
	p.must("db", "sync", "1")
	p.exec("INSERT INTO t (id, kind) VALUES (1, 1), (2, 1)")
	p.must("db", "expand")
	// Release 1's code, which knows nothing of stamped.
	p.exec("UPDATE t SET name = 'renamed'")
	p.must("db", "migrate")
	if r := p.run("db", "contract"); r.Code == 0 || !strings.Contains(r.Stdout+r.Stderr, "ux_stamped") {
		t.Fatalf("contract with two rows stamped alike: %s", r)
	}
}

// A release that adds a foreign key on a column the previous release
// already had: the simulator left the column NULL for the new release,
// whose table has the key, but wrote generated values into it for the
// previous release, whose table had none; those reference no row, and
// the rehearsal failed on the release's own contract gate, a fault of
// the simulator and not of the release. And the other way round: a
// release dropping a key wrote generated values for the new release
// while the key still held (until contract), failing on error 1452.
func TestAttackS28SimulateForeignKeyOfOneRelease(t *testing.T) {
	t.Parallel()
	const one = "CREATE TABLE owners (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(20) NULL);\n" +
		"CREATE TABLE items (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, owner_id int NULL, label varchar(20) NULL);\n"
	two := strings.Replace(one, "label varchar(20) NULL)", "label varchar(20) NULL, CONSTRAINT fk_owner FOREIGN KEY (owner_id) REFERENCES owners (id))", 1)
	for _, c := range []struct{ name, from, to string }{{"key added", one, two}, {"key dropped", two, one}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := sqlReleasesProject(t, [2]string{"1", c.from}, [2]string{"2", c.to})
			p.must("plan")
			r := p.run("simulate", "--url", p.DB.URL, "--rows", "200", "--baseline", "200ms", "--settle", "200ms")
			if r.Code != 0 {
				t.Fatalf("simulate: %s", r)
			}
		})
	}
}

// A SQL release whose ALTER gives a column a floating-point type with
// digits after the point: the refusal pointed at the CREATE TABLE's line,
// which says double, and not at the MODIFY that made it double(10,2).
func TestAttackS28ScaledFloatByAnAlter(t *testing.T) {
	t.Parallel()
	const one = "CREATE TABLE a (id int NOT NULL PRIMARY KEY, amt double NULL);\n\nALTER TABLE a MODIFY amt double(10,2) NULL;\nALTER TABLE a ADD COLUMN b double precision(12,3);\n"
	p := sqlReleasesProject(t, [2]string{"1", one})
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan: %s", r)
	}
	opContains(t, r, "schema/1.sql:3:1: column a.amt is double(10,2), whose digits after the point Atlas does not keep", "schema/1.sql:4:1: column a.b is double(12,3), whose digits")
}
