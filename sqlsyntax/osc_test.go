package sqlsyntax

import (
	"strings"
	"testing"
)

// The clauses handed to pt-online-schema-change are written back from the
// tree: hostile names arrive quoted as the server reads them, and the
// algorithm and lock options are left to the tool.
func TestReadOSCAlter(t *testing.T) {
	for _, c := range []struct{ sql, table, clauses, err string }{
		{sql: "ALTER TABLE `images` MODIFY COLUMN `size` bigint NOT NULL, ALGORITHM=COPY, LOCK=SHARED",
			table: "images", clauses: "MODIFY COLUMN `size` BIGINT NOT NULL"},
		{sql: "ALTER TABLE `we``ird 'tab\"le` MODIFY COLUMN `co``l 'x\" y` bigint NOT NULL COMMENT 'it''s `here`', ALGORITHM=COPY, LOCK=SHARED",
			table: "we`ird 'tab\"le", clauses: "MODIFY COLUMN `co``l 'x\" y` BIGINT NOT NULL COMMENT 'it''s `here`'"},
		{sql: "alter table t add constraint `c 1` check (`a b` > 0), algorithm = copy",
			table: "t", clauses: "ADD CONSTRAINT `c 1` CHECK(`a b` > 0)"},
		{sql: "ALTER TABLE db.t MODIFY `n` varchar(10) NOT NULL, CHANGE `x` `y` int NULL, ALGORITHM=COPY",
			table: "t", clauses: "MODIFY COLUMN `n` VARCHAR(10) NOT NULL, CHANGE COLUMN `x` `y` INT NULL"},
		{sql: "ALTER TABLE t MODIFY COLUMN n bigint, ALGORITHM=INPLACE, LOCK=NONE", err: "only an ALTER TABLE with ALGORITHM=COPY"},
		{sql: "ALTER TABLE t MODIFY COLUMN n bigint, ALGORITHM=NOCOPY", err: "only an ALTER TABLE with ALGORITHM=COPY"},
		{sql: "ALTER TABLE t MODIFY COLUMN n bigint", err: "only an ALTER TABLE with ALGORITHM=COPY"},
		{sql: "ALTER TABLE t ALGORITHM=COPY", err: "changes nothing"},
		{sql: "ALTER TABLE t RENAME TO u, ALGORITHM=COPY", err: "RENAME TO"},
		{sql: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE t MODIFY n bigint, ALGORITHM=COPY", err: "SET STATEMENT"},
		{sql: "DROP TABLE t", err: "only ALTER TABLE"},
		{sql: "ALTER TABLE t MODIFY COLUMN", err: "ends too early"},
		{sql: "ALTER TABLE t MODIFY COLUMN n int CHECK (n > 0), ALGORITHM=COPY", err: "inside a column definition"},
		{sql: "ALTER TABLE t ADD CHECK (n > 0), ALGORITHM=COPY", table: "t", clauses: "ADD CHECK(`n` > 0)"},
		{sql: "ALTER TABLE `child` DROP FOREIGN KEY `fk ``p`, MODIFY COLUMN `n` int NOT NULL, ALGORITHM=COPY, LOCK=SHARED",
			table: "child", clauses: "DROP FOREIGN KEY `fk ``p`, MODIFY COLUMN `n` INT NOT NULL"},
		// A key the tool's INSERT IGNORE and REPLACE would make silent.
		{sql: "ALTER TABLE t ADD UNIQUE INDEX `u x` (n), MODIFY n bigint, ALGORITHM=COPY", err: "adds a unique index `u x`"},
		{sql: "ALTER TABLE t ADD CONSTRAINT UNIQUE KEY (n), ALGORITHM=COPY", err: "adds a unique index, and"},
		{sql: "ALTER TABLE t ADD PRIMARY KEY (n), ALGORITHM=COPY", err: "adds a primary key"},
		{sql: "ALTER TABLE t DROP PRIMARY KEY, ALGORITHM=COPY", err: "drops the primary key"},
		{sql: "ALTER TABLE t MODIFY COLUMN `my unique code` varchar(100) UNIQUE, ALGORITHM=COPY", err: "unique key on column `my unique code`"},
		{sql: "ALTER TABLE t ADD COLUMN k int PRIMARY KEY, ALGORITHM=COPY", err: "unique key on column `k`"},
		{sql: "ALTER TABLE t MODIFY COLUMN `my unique code` varchar(100) NOT NULL, ALGORITHM=COPY",
			table: "t", clauses: "MODIFY COLUMN `my unique code` VARCHAR(100) NOT NULL"},
		// MariaDB reads DROP CONSTRAINT, not MySQL's DROP CHECK.
		{sql: "ALTER TABLE `child` MODIFY COLUMN `n` bigint NOT NULL, DROP CONSTRAINT `ck ``n`, ALGORITHM=COPY, LOCK=SHARED",
			table: "child", clauses: "MODIFY COLUMN `n` BIGINT NOT NULL, DROP CONSTRAINT `ck ``n`"},
	} {
		a, err := ReadOSCAlter(c.sql)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: want an error with %q, got %v", c.sql, c.err, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if a.Table != c.table || a.Clauses != c.clauses {
			t.Errorf("%s:\n got %q %q\nwant %q %q", c.sql, a.Table, a.Clauses, c.table, c.clauses)
		}
		// A foreign key the statement drops has another name on the tool's copy.
		if got, want := a.OnCopy(), a.Clauses; !strings.Contains(c.sql, "FOREIGN KEY") && got != want {
			t.Errorf("%s: on the copy %q, want %q", c.sql, got, want)
		}
		// What the tool gets reads back as the same clauses.
		again, err := ReadOSCAlter("ALTER TABLE " + Ident(a.Table) + " " + a.Clauses + ", ALGORITHM=COPY")
		if err != nil || again.Clauses != a.Clauses || again.Table != a.Table {
			t.Errorf("%s: the clauses do not read back: %v %+v", c.sql, err, again)
		}
	}
}

// The tool's copy holds the table's foreign keys under its own names; a
// DROP FOREIGN KEY handed to it names the copy's key, or the tool fails
// ("Can't DROP FOREIGN KEY `fk_pid`").
func TestOSCAlterOnCopy(t *testing.T) {
	a, err := ReadOSCAlter("ALTER TABLE `child` DROP FOREIGN KEY `fk ``p`, MODIFY COLUMN `n` int NOT NULL, DROP FOREIGN KEY fk2, ALGORITHM=COPY, LOCK=SHARED")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.OnCopy(), "DROP FOREIGN KEY `_fk ``p`, MODIFY COLUMN `n` INT NOT NULL, DROP FOREIGN KEY `_fk2`"; got != want {
		t.Fatalf("on the copy:\n got %s\nwant %s", got, want)
	}
}
