package e2e

import (
	"encoding/hex"
	"strings"
	"testing"
)

// A foreign key to a table, or a key on a column, whose name holds a
// double quote or a backslash stopped `emcee plan` with Atlas's
// "schema/a.sql:3:1: Invalid index; The given key does not identify an
// element in this collection value.": Atlas cannot resolve a reference to
// such a name in the HCL it reads (schemadef.Unreferable). The plan is
// refused at the statement, naming the table or column and what to do,
// for a release declared as SQL (at the key's line in the statement creating it) and one
// declared as HCL (at the reference) alike.
func TestReferencesToNamesAtlasCannotResolveRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, sql, want string }{
		{"foreign key to a table with a double quote",
			"CREATE TABLE `pa\"rent` (id int NOT NULL PRIMARY KEY);\nCREATE TABLE child (\n  id int NOT NULL PRIMARY KEY,\n  p int NOT NULL,\n  CONSTRAINT fk FOREIGN KEY (p) REFERENCES `pa\"rent` (id)\n);\n",
			`schema/a.sql:5:3: this reference names the table "pa\"rent", whose name holds a double quote`},
		{"key on a column with a backslash",
			"CREATE TABLE child (\n  id int NOT NULL PRIMARY KEY,\n  `a\\b` int NOT NULL,\n  KEY ix (`a\\b`)\n);\n",
			`schema/a.sql:4:3: this reference names the column "a\\b" of table child, whose name holds a backslash`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := sqlReleasesProject(t, [2]string{"a", tc.sql})
			r := p.run("plan")
			if r.Code != 1 || !strings.Contains(r.Stderr, tc.want) || strings.Contains(r.Stderr, "Invalid index") {
				t.Fatalf("plan: want the refusal %s:\n%s", tc.want, r)
			}
		})
	}
	p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\ntable \"pa\\\"rent\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
		"table \"child\" {\n  schema = schema.app\n  column \"p\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.p]\n  }\n  foreign_key \"fk\" {\n    columns     = [column.p]\n    ref_columns = [table[\"pa\\\"rent\"].column.id]\n  }\n}\n"})
	if r := p.plan(); r.Code != 1 || !strings.Contains(r.Stderr, `schema/a.hcl:21:25: this reference names the table "pa\"rent"`) {
		t.Fatalf("plan of the HCL release: want the refusal at the reference:\n%s", r)
	}
}

// Names Atlas does resolve in a reference, though HCL escapes them (${,
// %{) or Atlas writes them quoted (spaces, dots, quotes of the other kind),
// go through a release declared as SQL (schemadef.Marshal writes its
// references) and the applier, and the database matches the release; so
// do index, foreign key and check names holding any of those, or a double
// quote or a backslash: HCL has them as block labels, never in a
// reference.
func TestReferencesToHostileButValidNamesThroughTheApplier(t *testing.T) {
	t.Parallel()
	parent := "CREATE TABLE `pa${r}e%{n}t. 'x'` (id int NOT NULL PRIMARY KEY);\n"
	child := "CREATE TABLE `ch ${i}ld` (\n  id int NOT NULL PRIMARY KEY,\n  `p%{x}.y 'z'` int NOT NULL,\n  KEY `ix \"${a}\\ q` (`p%{x}.y 'z'`),\n  CONSTRAINT `fk %{b} \"\\ q` FOREIGN KEY (`p%{x}.y 'z'`) REFERENCES `pa${r}e%{n}t. 'x'` (id),\n  CONSTRAINT `ck \"${c}\\ q` CHECK (`p%{x}.y 'z'` > 0)\n);\n"
	p := sqlReleasesProject(t, [2]string{"a", parent}, [2]string{"b", parent + child})
	p.must("plan")
	p.must("db", "sync", "a")
	for _, phase := range []string{"expand", "migrate", "contract"} {
		p.must("db", phase)
	}
	if got := p.query("SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"); got != "fk %{b} \"\\ q ch ${i}ld pa${r}e%{n}t. 'x'" {
		t.Fatalf("foreign key after the upgrade: %q", got)
	}
	if r := p.run("db", "diff"); r.Code != 0 {
		t.Fatalf("db diff after the upgrade: %s", r)
	}
}

// Every message a restore stops with reaches the operator whole. The
// restore carried it as a sql_mode the server refuses, and the server
// shows such a value up to its first comma and 200 characters: a table or
// column name with a comma cut the message there, and a long name or key
// pushed out the advice at its end. Through the restore files the
// rollback's commands write, on the server, with hostile names (commas,
// quotes, a semicolon, long names of characters taking three bytes) and
// long keys (one with a comma, a line break, quotes and a backslash).
func TestRestoreS26MessagesReachTheOperatorWhole(t *testing.T) {
	t.Parallel()
	long := "tag, s'\" " + strings.Repeat("☃", 40)
	restore := func(t *testing.T, dir, command, want string) {
		t.Helper()
		out, err := shellOut(dir, command)
		if err == nil || !strings.Contains(out, want+"\n") || !strings.Contains(out, "ERROR 1231 (42000) at line ") || !strings.Contains(out, "restore stopped: the line printed before this error says why") {
			t.Fatalf("restore: want it stopped, saying\n%s\ngot: %v\n%s", want, err, out)
		}
	}
	t.Run("a column's row gone by its unique key", func(t *testing.T) {
		t.Parallel()
		a := "CREATE TABLE " + quoteIdent(long) + " (`c,ode` varchar(300) NOT NULL, n int NULL, UNIQUE KEY `u,k` (`c,ode`));\n"
		p := sqlReleasesProject(t, [2]string{"a", hostileKeep + a},
			[2]string{"b", hostileKeep + strings.Replace(a, "n int NULL,", "n int NULL, `no,te` varchar(30) NULL,", 1)})
		p.must("plan")
		p.must("db", "sync", "a")
		p.must("db", "expand")
		key := strings.Repeat("中", 300)
		p.exec("INSERT INTO "+quoteIdent(long)+" (`c,ode`, n, `no,te`) VALUES (?, 1, 'one')", key)
		losses, dir := copyOutAndRollBack(t, p)
		if len(losses) != 1 || losses[0].Column != "no,te" {
			t.Fatalf("losses: %+v", losses)
		}
		p.must("db", "expand")
		p.exec("UPDATE " + quoteIdent(long) + " SET `c,ode` = 'x'")
		restore(t, dir, losses[0].Restore, "restore stopped: no row of "+long+" has this line's c,ode (deleted or its c,ode changed); put the value back by hand and delete the line before running the file again")
	})
	t.Run("a row of a cycle without its parent, by a long key", func(t *testing.T) {
		t.Parallel()
		// No double quote: a foreign key references it. The key to keep
		// fails no write of the previous release, so expand has it
		// (restore_cycle_s26_test.go).
		ta, tb := "a, s'; "+strings.Repeat("☃", 40), "b, "+strings.Repeat("☃", 40)
		p := cycleProject(t, "CREATE TABLE "+quoteIdent(ta)+" (`i,d` varchar(300) NOT NULL PRIMARY KEY, `b,id` varchar(300) NULL, `k,eep` int NULL, KEY ix_b (`b,id`), KEY ix_k (`k,eep`),\n"+
			"  CONSTRAINT `fk,keep` FOREIGN KEY (`k,eep`) REFERENCES keep (id) ON DELETE SET NULL ON UPDATE CASCADE);\n"+
			"CREATE TABLE "+quoteIdent(tb)+" (`i,d` varchar(300) NOT NULL PRIMARY KEY, `a,id` varchar(300) NOT NULL, KEY ix_a (`a,id`),\n"+
			"  CONSTRAINT `fk,b` FOREIGN KEY (`a,id`) REFERENCES "+quoteIdent(ta)+" (`i,d`));\n"+
			"ALTER TABLE "+quoteIdent(ta)+" ADD CONSTRAINT `fk,a` FOREIGN KEY (`b,id`) REFERENCES "+quoteIdent(tb)+" (`i,d`);\n",
			"INSERT INTO keep VALUES (5)")
		key := "it's, a\n\"key\" \\ " + strings.Repeat("中", 280)
		p.exec("INSERT INTO "+quoteIdent(ta)+" VALUES (?, NULL, 5)", key)
		p.exec("INSERT INTO "+quoteIdent(tb)+" VALUES ('b1', ?)", key)
		p.exec("UPDATE " + quoteIdent(ta) + " SET `b,id` = 'b1'")
		losses, dir := copyOutAndRollBack(t, p)
		checkCycleLosses(t, losses, ta, tb)
		p.exec("DELETE FROM keep")
		p.must("db", "expand")
		restore(t, dir, losses[0].Restore, "restore stopped: a row of "+ta+" (`i,d` = _utf8mb4 X'"+strings.ToUpper(hex.EncodeToString([]byte(key)))+"') references no row of keep by foreign key fk,keep (`k,eep` = 5); nothing was put back: put its parent back or take the row out of the file and run it again")
	})
	t.Run("a table put back twice", func(t *testing.T) {
		t.Parallel()
		p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + "CREATE TABLE " + quoteIdent(long) + " (`m,sg` varchar(20) NOT NULL);\n"})
		p.must("plan")
		p.must("db", "sync", "a")
		p.must("db", "expand")
		p.exec("INSERT INTO " + quoteIdent(long) + " VALUES ('one'), ('two')")
		losses, dir := copyOutAndRollBack(t, p)
		p.must("db", "expand")
		shellIn(t, dir, losses[0].Restore)
		restore(t, dir, losses[0].Restore, "restore refused: table "+long+" holds rows already (put back before?); it puts rows back into the empty table a later expand creates")
	})
	t.Run("a table's rows changed by a trigger", func(t *testing.T) {
		t.Parallel()
		p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + "CREATE TABLE " + quoteIdent(long) + " (id int NOT NULL PRIMARY KEY, `na,me` varchar(20) NULL);\n"})
		p.must("plan")
		p.must("db", "sync", "a")
		p.must("db", "expand")
		p.exec("INSERT INTO " + quoteIdent(long) + " VALUES (1, 'kept as it was')")
		losses, dir := copyOutAndRollBack(t, p)
		p.must("db", "expand")
		p.exec("CREATE TRIGGER shout BEFORE INSERT ON " + quoteIdent(long) + " FOR EACH ROW SET NEW.`na,me` = UPPER(NEW.`na,me`)")
		restore(t, dir, losses[0].Restore, "restore stopped: table "+long+" does not hold what was copied out for its rows (rounded or cut to a changed type, or changed by a trigger)")
	})
}
