package e2e

import (
	"strings"
	"testing"
)

// padKeyTable is a table whose unique key is a VARCHAR(40).
func padKeyTable() string {
	return `schema "s" {}
table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "code" {
    type = varchar(40)
  }
  primary_key {
    columns = [column.id]
  }
  index "u_code" {
    unique  = true
    columns = [column.code]
  }
}
`
}

// A shorter VARCHAR of a unique key under a PAD SPACE collation (every
// collation but the _nopad_ ones) cuts only trailing spaces without an
// error, and a key cut of them equals the key with them, which the table
// already holds once at most: a row the tool's REPLACE trigger writes cut
// can take no other row's place. contract refused to hand it to the tool
// all the same, as if it were a DECIMAL that rounds.
func TestAttack2OSCShortensAPadSpaceUniqueKey(t *testing.T) {
	t.Parallel()
	a := padKeyTable()
	b := strings.Replace(a, "type = varchar(40)", "type = varchar(20)\n    allow_copy = true", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, code) SELECT seq, CONCAT('k', seq) FROM seq_1_to_20000")
	p.must("db", "expand")
	p.must("db", "migrate")
	run := p.start("db", "contract", "--osc", "pt-osc", "--osc-sleep", "20ms")
	p.waitFor("the tool to copy row 3, or contract to end", func() bool {
		return exited(run.cmd) || p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_t_new'") == "1" &&
			p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME LIKE 'pt\\_osc\\_%'") == "3" &&
			p.query("SELECT COUNT(*) FROM _t_new WHERE id = 3") == "1"
	})
	if !exited(run.cmd) {
		// Through the trigger, cut to 20 characters.
		p.exec("UPDATE t SET code = CONCAT('k2', REPEAT(' ', 30)) WHERE id = 2")
		// The key cut as the copy would hold it is another row's: the
		// table refuses it before any trigger runs.
		if _, err := p.DB.Exec("UPDATE t SET code = CONCAT('k1', REPEAT(' ', 30)) WHERE id = 3"); err == nil || !strings.Contains(err.Error(), "1062") {
			t.Errorf("a key equal to another row's but for trailing spaces: %v, want duplicate key 1062", err)
		}
	}
	r := run.wait(t)
	if r.Code != 0 {
		t.Fatalf("contract refused to hand a PAD SPACE key's shortening to the tool: %s", r)
	}
	opContains(t, r, "pt-online-schema-change")
	if got := p.query("SELECT COUNT(*) FROM t"); got != "20000" {
		t.Fatalf("%s of 20000 rows after contract through the tool:\n%s", got, r)
	}
	if got := p.query("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'code'"); got != "varchar(20)" {
		t.Fatalf("code is %s after contract, want varchar(20)", got)
	}
}

// Under a NO PAD collation a key cut of its trailing spaces is another
// key, which another row may hold: that shortening stays refused. (The
// plans cannot name a MariaDB collation the parser does not know; the
// column takes the database's, which the plans were not computed for:
// every run goes on past that refusal with --allow-drift.)
func TestAttack2OSCShortensANoPadUniqueKey(t *testing.T) {
	t.Parallel()
	a := padKeyTable()
	b := strings.Replace(a, "type = varchar(40)", "type = varchar(20)\n    allow_copy = true", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.exec("ALTER DATABASE " + p.query("SELECT DATABASE()") + " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin")
	p.must("db", "sync", "--allow-drift", "a")
	if got := p.query("SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'code'"); got != "utf8mb4_nopad_bin" {
		t.Fatalf("code's collation is %s", got)
	}
	p.exec("INSERT INTO t (id, code) VALUES (1, 'k1'), (2, 'k1 ')")
	p.must("db", "expand", "--allow-drift")
	p.must("db", "migrate", "--allow-drift")
	r := p.run("db", "contract", "--allow-drift", "--osc", "pt-osc")
	if r.Code == 0 {
		t.Fatalf("contract handed a NO PAD key's shortening to the tool: %s", r)
	}
	opContains(t, r, "b_contract01 refused before it ran anything", "tightens `t`.`code`, a column of unique key `u_code`")
	if got := p.query("SELECT COUNT(*) FROM t"); got != "2" {
		t.Fatalf("%s of 2 rows", got)
	}
}

// A unique key over a generated column computed from the tightened one
// changes with it: a price written 1.004 while the tool copies reaches the
// copy rounded to 1.00 through its REPLACE trigger, its cents 1000 then,
// and the row whose cents were 1000 leaves the copy.
func TestAttack2OSCRoundedKeyThroughAGeneratedColumn(t *testing.T) {
	t.Parallel()
	a := `schema "s" {}
table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "price" {
    type = decimal(10,3)
  }
  column "cents" {
    type = bigint
    null = true
    as {
      expr = "` + "`price`" + ` * 1000"
      type = PERSISTENT
    }
  }
  primary_key {
    columns = [column.id]
  }
  index "u_cents" {
    unique  = true
    columns = [column.cents]
  }
}
`
	_, r := priceRoundedDuringOSCCopy(t, a)
	if r.Code == 0 {
		t.Fatalf("contract handed the tightening of a column a unique key's generated column reads to the tool: %s", r)
	}
	opContains(t, r, "b_contract01 refused before it ran anything", "tightens `t`.`price`, a column of unique key `u_cents` (through generated column `cents`)")
}

// A DECIMAL of a unique key that keeps its decimals and loses digits
// before the point rounds nothing: a value too large is an error, in the
// tool's trigger (strict) and its copy alike. contract refused it all the
// same, as if its decimals went.
func TestAttack2OSCNarrowsADecimalKeyKeepingItsDecimals(t *testing.T) {
	t.Parallel()
	a := `schema "s" {}
table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "price" {
    type = decimal(10,3)
  }
  primary_key {
    columns = [column.id]
  }
  index "u_price" {
    unique  = true
    columns = [column.price]
  }
}
`
	b := strings.Replace(a, "type = decimal(10,3)", "type = decimal(8,3)\n    allow_copy = true", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, price) SELECT seq, seq + 0.001 FROM seq_1_to_1000")
	p.must("db", "expand")
	p.must("db", "migrate")
	r := p.run("db", "contract", "--osc", "pt-osc")
	if r.Code != 0 {
		t.Fatalf("contract refused to hand a DECIMAL keeping its decimals to the tool: %s", r)
	}
	opContains(t, r, "pt-online-schema-change")
	if got := p.query("SELECT CONCAT(COUNT(*), ' ', SUM(price)) FROM t"); got != "1000 500501.000" {
		t.Fatalf("rows and sum after contract: %s, want 1000 500501.000", got)
	}
	if got := p.query("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'price'"); got != "decimal(8,3)" {
		t.Fatalf("price is %s after contract, want decimal(8,3)", got)
	}
}
