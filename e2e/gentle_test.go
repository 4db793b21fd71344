package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
)

// A Neutron-style ports table whose next release stops writing five NOT
// NULL columns without defaults: renamed (name -> label, the new column
// always written), replaced by a column with a default (status -> state),
// replaced by a nullable column (admin -> admin_up), and two dropped
// (legacy, hits). Before issue 13 expand made each NULL, a table rebuild
// apiece; now each gets a placeholder default, metadata only.
const gentleA = `schema "app" {}

table "ports" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(64)
  }
  column "status" {
    type = varchar(16)
  }
  column "admin" {
    type = bool
  }
  column "legacy" {
    type = varchar(20)
  }
  column "hits" {
    type = int
  }
  column "mac" {
    type = varchar(17)
  }
  primary_key {
    columns = [column.id]
  }
}
`

const gentleB = `schema "app" {}

table "ports" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "label" {
    type         = varchar(64)
    renamed_from = "name"
  }
  column "state" {
    type    = enum("UP", "DOWN")
    default = "DOWN"
    replaces {
      column   = "status"
      forward  = "CASE status WHEN 'ACTIVE' THEN 'UP' ELSE 'DOWN' END"
      backward = "CASE state WHEN 'UP' THEN 'ACTIVE' ELSE 'DOWN' END"
    }
  }
  column "admin_up" {
    type = int
    null = true
    replaces {
      column   = "admin"
      forward  = "admin"
      backward = "admin_up <> 0"
    }
  }
  column "mac" {
    type = varchar(17)
  }
  primary_key {
    columns = [column.id]
  }
  index "ux_mac" {
    unique  = true
    columns = [column.mac]
  }
}

discard {
  table  = "ports"
  column = "legacy"
}

discard {
  table  = "ports"
  column = "hits"
}
`

// TestGentleExpandAndContract runs the upgrade through the emcee binary:
// expand changes no row of the table (every ALTER INSTANT, the InnoDB id
// unchanged), both releases insert and update every way they can between
// expand and contract and each sees the other's writes, and contract
// rebuilds the table exactly once, leaving the declared schema.
func TestGentleExpandAndContract(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", gentleA}, [2]string{"b", gentleB})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO ports (name, status, admin, legacy, hits, mac) VALUES ('p1', 'ACTIVE', 1, 'l1', 1, 'm1'), ('p2', 'DOWN', 0, 'l2', 2, 'm2')")
	id := func() string {
		return p.query("SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME = CONCAT(DATABASE(), '/ports')")
	}
	before := id()

	expand := p.read("plans/b/b_expand01.sql")
	for _, st := range statements(t, expand) {
		if effect.Parse(st).Kind == effect.KindAlterTable && !strings.HasSuffix(st, "ALGORITHM=INSTANT") {
			t.Errorf("expand ALTER not instant: %s", st)
		}
	}
	// One instant ALTER: the new columns and every placeholder.
	for _, want := range []string{
		"ALTER TABLE `ports` ADD COLUMN `label` varchar(64) NULL, ADD COLUMN `state` enum('UP','DOWN') NULL, ADD COLUMN `admin_up` int NULL, ALTER COLUMN `legacy` SET DEFAULT '', ALTER COLUMN `hits` SET DEFAULT 0, ALTER COLUMN `name` SET DEFAULT '', ALTER COLUMN `status` SET DEFAULT '~emcee~', ALTER COLUMN `admin` SET DEFAULT -128, ALGORITHM=INSTANT;",
		"the previous release reads that placeholder in legacy for the rows the new release inserts",
		"an INSERT of the previous release that writes exactly '~emcee~' into status is read as the new release's",
	} {
		if !strings.Contains(expand, want) {
			t.Errorf("expand lacks %q:\n%s", want, expand)
		}
	}
	p.must("db", "expand")
	if after := id(); after != before {
		t.Fatalf("expand rebuilt ports: InnoDB id %s -> %s", before, after)
	}

	// Writes of the previous release: every column it knows, as it must.
	p.exec("INSERT INTO ports (name, status, admin, legacy, hits, mac) VALUES ('o3', 'ACTIVE', 0, 'l3', 3, 'm3')")
	p.exec("INSERT INTO ports (name, status, admin, legacy, hits, mac) VALUES ('o4', 'BUILD', 1, 'l4', 4, 'm4')")
	// It writes 0 and '' (the neutral placeholders) as real values.
	p.exec("INSERT INTO ports (name, status, admin, legacy, hits, mac) VALUES ('', '', 0, '', 0, 'm5')")
	// Writes of the new release: explicit, and relying on defaults.
	p.exec("INSERT INTO ports (label, state, admin_up, mac) VALUES ('n6', 'UP', 1, 'm6')")
	p.exec("INSERT INTO ports (label, mac) VALUES ('n7', 'm7')")                           // state by default, admin_up NULL
	p.exec("INSERT INTO ports (label, state, admin_up, mac) VALUES ('n8', NULL, 0, 'm8')") // NULL where the default would be
	// Updates by both, of columns the other reads.
	p.exec("UPDATE ports SET status = 'ACTIVE', name = 'p2x' WHERE mac = 'm2'")
	p.exec("UPDATE ports SET admin = 1 WHERE mac = 'm3'")
	p.exec("UPDATE ports SET state = 'DOWN', label = 'p1x' WHERE mac = 'm1'")
	p.exec("UPDATE ports SET admin_up = NULL WHERE mac = 'm6'")

	const oldView = "SELECT mac, name, status, admin, legacy, hits FROM ports ORDER BY id"
	const newView = "SELECT mac, label, state, admin_up FROM ports ORDER BY id"
	// Where backward gives nothing (admin_up NULL), the previous release
	// reads admin's marking placeholder; it reads the neutral ones for the
	// dropped columns.
	wantOld := strings.Join([]string{
		"m1 p1x DOWN 1 l1 1", "m2 p2x ACTIVE 0 l2 2", "m3 o3 ACTIVE 1 l3 3", "m4 o4 BUILD 1 l4 4", "m5   0  0",
		"m6 n6 ACTIVE -128  0", "m7 n7 DOWN -128  0", "m8 n8 DOWN 0  0",
	}, "\n")
	if got := p.query(oldView); got != wantOld {
		t.Errorf("the previous release reads after expand:\n%s\nwant:\n%s", got, wantOld)
	}
	// Rows written before expand wait for migrate (NULL) where no write
	// since touched what they derive from; the rest are computed by the
	// triggers, and a NULL the new release wrote stays NULL.
	wantNew := strings.Join([]string{
		"m1 p1x DOWN NULL", "m2 p2x UP NULL", "m3 o3 UP 1", "m4 o4 DOWN 1", "m5  DOWN 0",
		"m6 n6 UP NULL", "m7 n7 DOWN NULL", "m8 n8 DOWN 0",
	}, "\n")
	if got := p.query(newView); got != wantNew {
		t.Errorf("the new release reads after expand:\n%s\nwant:\n%s", got, wantNew)
	}

	p.must("db", "migrate")
	wantNew = strings.Replace(wantNew, "m1 p1x DOWN NULL", "m1 p1x DOWN 1", 1)
	wantNew = strings.Replace(wantNew, "m2 p2x UP NULL", "m2 p2x UP 0", 1)
	if got := p.query(newView); got != wantNew {
		t.Errorf("the new release reads after migrate:\n%s\nwant:\n%s", got, wantNew)
	}

	// review with the database says how big the table contract rebuilds is.
	p.exec("ANALYZE TABLE ports")
	r := p.must("review", "b") // --env test
	opContains(t, r, "Table sizes: information_schema of mysql://", "contract rebuilds ports (8 rows, ", "     size:    rebuilds ports (8 rows, ",
		"Redo log: commits wait for page flushing at a checkpoint age of ", "     size:    backfills ports (8 rows, ")
	if strings.Contains(r.Stdout, "redo:") {
		t.Errorf("8 rows cannot outgrow the redo log:\n%s", r)
	}
	r = p.must("review", "b", "--format", "json")
	opContains(t, r, `"sizes_from": "mysql://`, `"rebuilds": "ports"`, `"rows": 8,`, `"backfills": "ports"`, `"redo_log": {`, `"checkpoint_age_limit": `)
	offline := exec.Command(opBinary(t), "review", "b")
	offline.Dir, offline.Env = p.Dir, append(os.Environ(), "EMCEE_URL="+p.DB.URL)
	if r := opRunCmd(t, offline); r.Code != 0 || strings.Contains(r.Stdout, "rows, ") || !strings.Contains(r.Stdout, "contract rebuilds ports at ") {
		t.Errorf("review without --url or --env reads no database, not even $EMCEE_URL:\n%s", r)
	}

	// A careless URL: refused with what to do, the password never printed.
	bad := exec.Command(opBinary(t), "review", "b", "--url", "mysql://root:s3cret-pw@127.0.0.1:1/nowhere")
	bad.Dir = p.Dir
	if r := opRunCmd(t, bad); r.Code == 0 || strings.Contains(r.String(), "s3cret-pw") {
		t.Errorf("review with an unreachable --url:\n%s", r)
	}

	contract := p.read("plans/b/b_contract01.sql")
	rebuilds := 0
	for _, st := range statements(t, contract) {
		if splitter.Rebuilds(splitter.AlterCost(project.Target{Flavor: "mariadb", Major: 10, Minor: 11}, effect.Parse(st), nil)) {
			rebuilds++
		}
	}
	if rebuilds != 1 {
		t.Errorf("contract has %d statements that rebuild ports, want 1:\n%s", rebuilds, contract)
	}
	before = id()
	p.must("db", "contract")
	if id() == before {
		t.Errorf("contract classed a rebuild, but the server kept the InnoDB id %s", before)
	}
	if got := p.query(newView); got != wantNew {
		t.Errorf("after contract:\n%s\nwant:\n%s", got, wantNew)
	}
	if got := p.columns("ports"); got != "id bigint(20) NO -\nmac varchar(17) NO -\nlabel varchar(64) NO -\nstate enum('UP','DOWN') NO 'DOWN'\nadmin_up int(11) YES NULL" {
		t.Errorf("columns after contract:\n%s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ports' AND INDEX_NAME = 'ux_mac' AND NON_UNIQUE = 0"); got != "1" {
		t.Errorf("unique index ux_mac: %s", got)
	}
	if r := p.run("db", "diff"); r.Code != 0 {
		t.Errorf("the database differs from release b after contract: %s", r)
	}
}

// statements splits a plan file with the reader the applier uses.
func statements(t *testing.T, src string) []string {
	t.Helper()
	sts, err := revision.Parse("plan", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range sts {
		out = append(out, s.SQL)
	}
	return out
}

// Contract's one ALTER per table is one recorded statement, so a crash
// during it must leave all of its changes or none, and the rerun must
// finish: MariaDB 10.11's ALTER TABLE is atomic (InnoDB builds the new
// table beside the old one and swaps it in at the end). Killed on the
// server, the statement leaves nothing; with the emcee run killed instead,
// the server finishes it, and the rerun counts it as applied.
func TestCombinedContractAlterKilled(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", gentleA}, [2]string{"b", gentleB})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO ports (name, status, admin, legacy, hits, mac) SELECT CONCAT('p', seq), 'ACTIVE', 1, 'l', seq, CONCAT('m', seq) FROM seq_1_to_200000")
	p.must("db", "expand")
	p.must("db", "migrate")
	const cols = "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION), SUM(IS_NULLABLE = 'YES') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ports'"
	expanded := p.query(cols)
	alter := func() string {
		return p.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'ALTER TABLE `ports` DROP COLUMN%'")
	}

	// 1. The server kills the statement: none of its changes.
	run := p.command("db", "contract")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("contract to send its ALTER", func() bool { return alter() != "" })
	p.exec("KILL QUERY " + alter())
	if err := run.Wait(); err == nil {
		t.Fatal("contract succeeded although its ALTER was killed")
	}
	if got := p.query(cols); got != expanded {
		t.Fatalf("the killed ALTER left part of its changes: columns %s, before it %s", got, expanded)
	}
	if got := p.query("SELECT COUNT(*) FROM ports"); got != "200000" {
		t.Fatalf("rows after the killed ALTER: %s", got)
	}

	// 2. The emcee run dies while the server runs the ALTER: the server
	// finishes it, all of it.
	run = p.command("db", "contract")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("contract to send its ALTER", func() bool { return alter() != "" })
	if err := run.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = run.Wait()
	p.waitFor("the server to finish the ALTER", func() bool { return alter() == "" })
	if got := p.query(cols); got != "id,mac,label,state,admin_up 1" {
		t.Fatalf("after the server finished the ALTER: %s", got)
	}
	r := p.must("db", "contract")
	opContains(t, r, "had applied it")
	if r := p.run("db", "diff"); r.Code != 0 {
		t.Errorf("the database differs from release b after contract: %s", r)
	}
	if got := p.query("SELECT COUNT(*), SUM(state = 'UP'), SUM(admin_up = 1) FROM ports"); got != "200000 200000 200000" {
		t.Errorf("rows after contract: %s", got)
	}
}

// Every type a placeholder is written for, on the server through the
// applier: the neutral placeholders (a plain drop) and the marking ones (a
// replacement by a nullable column) are accepted with ALGORITHM=INSTANT
// (no rebuild: the InnoDB id is checked) under the applier's strict
// sql_mode, and the new release's INSERT then works. A type with no
// marking value makes its column NULL, a rebuild the schema opts into.
func TestPlaceholderTypes(t *testing.T) {
	t.Parallel()
	types := []string{"varchar(3)", "char(10)", "text", "int", "bigint\n    unsigned = true", "tinyint", "bool", "decimal(10,2)", "date", "datetime", "timestamp", "time", "year", "json", "varbinary(8)", "enum(\"x\", \"y\")", "set(\"p\", \"q\")", "double", "bit(3)"}
	var cols, replaced strings.Builder
	for i, ty := range types {
		fmt.Fprintf(&cols, "  column \"c%d\" {\n    type = %s\n  }\n", i, ty)
		fmt.Fprintf(&replaced, "  column \"n%d\" {\n    type       = varchar(40)\n    null       = true\n    allow_copy = true\n    replaces {\n      column   = \"c%d\"\n      forward  = \"CAST(c%d AS CHAR)\"\n      backward = \"NULL\"\n    }\n  }\n", i, i, i)
	}
	table := func(body string) string {
		return "table \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n" + body + "  column \"keep\" {\n    type = int\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	for _, tc := range []struct {
		name, after string
		relaxes     bool
	}{
		{"dropped: neutral placeholders, one instant ALTER", table(""), false},
		{"replaced by nullable columns: marking placeholders, NULL for the rest", table(replaced.String()), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRuleProject(t, table(cols.String()), tc.after)
			r.must("before")
			rebuilds := 0
			for _, s := range r.phases[revision.Expand] {
				if splitter.Rebuilds(splitter.AlterCost(target, effect.Parse(s.SQL), nil)) {
					rebuilds++
				}
			}
			want := 0
			if tc.relaxes {
				want = 1
			}
			if rebuilds != want {
				t.Errorf("%d expand statements rebuild t, want %v:\n%v", rebuilds, tc.relaxes, r.phases[revision.Expand])
			}
			r.must("expand") // checkRebuilds holds the classes to the InnoDB id
			if _, err := r.db.DB.Exec("INSERT INTO t (id, keep) VALUES (1, 1)"); err != nil {
				t.Fatalf("the new release's INSERT after expand: %v", err)
			}
		})
	}
}
