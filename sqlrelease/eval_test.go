package sqlrelease_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlrelease"
	"github.com/emcee-db/emcee/sqlsyntax"
)

var mariadb = project.Target{Flavor: "mariadb", Major: 10, Minor: 11}

// devFor opens a dev database as `emcee plan` does, and checks at the end
// that it was left empty.
func devFor(t testing.TB) (*devdb.DB, *testdb.DB) {
	t.Helper()
	db := testdb.New(t)
	ctx := context.Background()
	spec := devdb.Spec{URL: db.URL}
	spec.Charset, spec.Collation = schemadef.ServerDefault(mariadb)
	dev, err := devdb.Open(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var n int
		if err := dev.Conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'emcee_dev_in_use'").Scan(&n); err != nil || n != 0 {
			t.Errorf("the dev database holds %d tables after the evaluation (%v)", n, err)
		}
		if err := dev.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return dev, db
}

func evaluate(t testing.TB, dev *devdb.DB, sql, decl string) (*diff.Release, error) {
	t.Helper()
	f := diff.SQLFiles{Release: "r1", File: "schema/r1.sql", SQL: []byte(sql)}
	if decl != "" {
		f.DeclFile, f.Decl = "schema/r1.emcee.hcl", []byte(decl)
	}
	src, err := sqlrelease.Evaluate(context.Background(), dev, f, mariadb)
	if err != nil {
		return nil, err
	}
	return diff.Load(src, mariadb)
}

// What ORMs print for their models evaluates to the tables they declare.
func TestEvaluateORMOutput(t *testing.T) {
	dev, _ := devFor(t)
	for _, c := range []struct {
		name, sql string
		tables    map[string][]string // table -> columns
		indexes   []string            // table/index
	}{
		{"sqlalchemy CreateTable", "\nCREATE TABLE users (\n\tid INTEGER NOT NULL AUTO_INCREMENT, \n\tname VARCHAR(50) NOT NULL, \n\temail VARCHAR(120), \n\tcreated_at DATETIME DEFAULT now(), \n\tPRIMARY KEY (id), \n\tUNIQUE (email)\n)\n\n;\nCREATE INDEX ix_users_name ON users (name);\n",
			map[string][]string{"users": {"id", "name", "email", "created_at"}}, []string{"users/ix_users_name", "users/email"}},
		{"gorm", "CREATE TABLE `users` (`id` bigint unsigned AUTO_INCREMENT,`created_at` datetime(3) NULL,`updated_at` datetime(3) NULL,`deleted_at` datetime(3) NULL,`name` longtext,`active` boolean DEFAULT true,PRIMARY KEY (`id`),INDEX `idx_users_deleted_at` (`deleted_at`));\nCREATE TABLE `orders` (`id` bigint unsigned AUTO_INCREMENT,`user_id` bigint unsigned,PRIMARY KEY (`id`),CONSTRAINT `fk_users_orders` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`));\n",
			map[string][]string{"users": {"id", "created_at", "updated_at", "deleted_at", "name", "active"}, "orders": {"id", "user_id"}}, []string{"users/idx_users_deleted_at"}},
		{"django sqlmigrate", "BEGIN;\n--\n-- Create model Author\n--\nCREATE TABLE `app_author` (`id` bigint AUTO_INCREMENT NOT NULL PRIMARY KEY, `name` varchar(100) NOT NULL);\n--\n-- Create model Book\n--\nCREATE TABLE `app_book` (`id` bigint AUTO_INCREMENT NOT NULL PRIMARY KEY, `title` varchar(200) NOT NULL, `author_id` bigint NOT NULL);\nALTER TABLE `app_book` ADD CONSTRAINT `app_book_author_id_4b7a3b2e_fk_app_author_id` FOREIGN KEY (`author_id`) REFERENCES `app_author` (`id`);\nCREATE INDEX `app_book_title_idx` ON `app_book` (`title`);\nCOMMIT;\n",
			map[string][]string{"app_author": {"id", "name"}, "app_book": {"id", "title", "author_id"}}, []string{"app_book/app_book_title_idx"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := evaluate(t, dev, c.sql, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Schema.Tables) != len(c.tables) {
				t.Fatalf("%d tables, want %d", len(r.Schema.Tables), len(c.tables))
			}
			for name, cols := range c.tables {
				tbl, ok := r.Schema.Table(name)
				if !ok {
					t.Fatalf("no table %s", name)
				}
				var got []string
				for _, col := range tbl.Columns {
					got = append(got, col.Name)
				}
				if strings.Join(got, ",") != strings.Join(cols, ",") {
					t.Errorf("%s has columns %v, want %v", name, got, cols)
				}
				if p := r.Where(name, cols[0]); !strings.HasPrefix(p, "schema/r1.sql:") {
					t.Errorf("%s.%s is declared at %s, want a line of the SQL", name, cols[0], p)
				}
			}
			for _, ix := range c.indexes {
				table, name, _ := strings.Cut(ix, "/")
				tbl, _ := r.Schema.Table(table)
				if _, ok := tbl.Index(name); !ok {
					t.Errorf("no index %s", ix)
				}
			}
		})
	}
}

// Statements that would reach another database are refused before any
// statement of the file runs: the other database is untouched, and the
// dev database holds nothing.
func TestEvaluateStaysInTheDevDatabase(t *testing.T) {
	dev, _ := devFor(t)
	other := testdb.New(t)
	if _, err := other.Exec("CREATE TABLE keep (id int)"); err != nil {
		t.Fatal(err)
	}
	q := sqlsyntax.Ident(other.Name)
	for _, sql := range []string{
		"USE " + q + ";\nDROP TABLE keep;",
		"CREATE TABLE a (id int);\nDROP TABLE " + q + ".keep;",
		"CREATE TABLE a (id int);\nCREATE TABLE " + q + ".b (id int);",
		"CREATE TABLE a (id int);\nDROP DATABASE " + q + ";",
		"CREATE TABLE a (id int);\n/*!50000 DROP DATABASE " + q + " */;",
		"CREATE TABLE a (id int);\nALTER TABLE a RENAME TO " + q + ".a;",
		"CREATE TABLE a (id int);\nRENAME TABLE a TO " + q + ".a;",
		"CREATE TABLE a (id int, CONSTRAINT f FOREIGN KEY (id) REFERENCES " + q + ".keep (id));",
		"CREATE TABLE a (id int);\nINSERT INTO " + q + ".keep VALUES (1);",
	} {
		_, err := evaluate(t, dev, sql, "")
		if err == nil || !strings.HasPrefix(err.Error(), "schema/r1.sql:") {
			t.Errorf("%q: %v, want an error at its line", sql, err)
		}
		var n int
		if err := other.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", other.Name).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%q: the other database holds %d tables (%v)", sql, n, err)
		}
		if err := dev.Conn.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'emcee_dev_in_use'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%q: something ran: the dev database holds %d tables (%v)", sql, n, err)
		}
	}
}

// What the SQL sets up its session with stays in its own session: the
// dev database's pinned session keeps the settings emcee pins.
func TestEvaluateSessionSettingsStayInTheirSession(t *testing.T) {
	dev, _ := devFor(t)
	var before string
	if err := dev.Conn.QueryRowContext(context.Background(), "SELECT CONCAT(@@sql_mode, '/', @@foreign_key_checks, '/', @@time_zone)").Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := evaluate(t, dev, "SET sql_mode = '', foreign_key_checks = 0, time_zone = '+05:00';\nCREATE TABLE child (id int PRIMARY KEY, p int, CONSTRAINT fk FOREIGN KEY (p) REFERENCES parent (id));\nCREATE TABLE parent (id int PRIMARY KEY);", ""); err != nil {
		t.Fatal(err)
	}
	var after string
	if err := dev.Conn.QueryRowContext(context.Background(), "SELECT CONCAT(@@sql_mode, '/', @@foreign_key_checks, '/', @@time_zone)").Scan(&after); err != nil || after != before {
		t.Fatalf("the pinned session has %q after the evaluation, %q before (%v)", after, before, err)
	}
}

// Errors about the schema point at the SQL statement that defines what is
// wrong; errors about declarations point into the declarations file.
func TestEvaluateErrorsArePositioned(t *testing.T) {
	dev, _ := devFor(t)
	for _, c := range []struct{ name, sql, decl, want string }{
		{"server refuses", "CREATE TABLE a (id int);\n\nCREATE TABLE a (id int);", "", "schema/r1.sql:3:1: dev database"},
		{"unplannable enum value", "CREATE TABLE a (id int);\nCREATE TABLE b (\n  id int,\n  state enum('it''s', 'b')\n);", "", "schema/r1.sql:4:3: "},
		{"refused name", "CREATE TABLE a (id int);\nCREATE TABLE `b``c` (id int);", "", "schema/r1.sql:2:1: "},
		{"foreign key to nothing", "SET foreign_key_checks = 0;\nCREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE c (id int, p int, CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES gone (id));", "", "schema/r1.sql:3:32: foreign key fk_p of table c references table gone"},
		// At the key's own line, named or not (the server names it
		// c_ibfk_1): the statement's start was all it said.
		{"foreign key to nothing, at its line", "SET foreign_key_checks = 0;\nCREATE TABLE c (\n  id int,\n  p int,\n  q int,\n  KEY (p),\n  CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES gone (id),\n  FOREIGN KEY (q) REFERENCES gone (id)\n);", "", "schema/r1.sql:7:3: foreign key fk_p of table c references table gone"},
		{"unnamed foreign key to nothing, at its line", "SET foreign_key_checks = 0;\nCREATE TABLE c (\n  id int,\n  p int,\n  q int,\n  KEY (p),\n  CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES gone (id),\n  FOREIGN KEY (q) REFERENCES gone (id)\n);", "", "schema/r1.sql:8:3: foreign key c_ibfk_1 of table c references table gone"},
		{"myisam by default", "SET SESSION default_storage_engine = MyISAM;\nCREATE TABLE a (id int);", "", "schema/r1.sql:1:1: SET default_storage_engine"},
		{"declared table missing", "CREATE TABLE a (id int);", "\ntable \"b\" {\n  renamed_from = \"x\"\n}\n", "schema/r1.emcee.hcl:2:7: table \"b\" is declared here, but schema/r1.sql creates no such table"},
		{"declared column missing", "CREATE TABLE a (id int);", "table \"a\" {\n  column \"slug\" {\n    fill = \"LOWER(id)\"\n  }\n}\n", "schema/r1.emcee.hcl:2:10: column \"slug\" of table a is declared here, but schema/r1.sql gives a no such column"},
		// The second block's declarations replaced the first's: its
		// renamed_from was lost, and the release refused as a loss.
		{"declared column twice", "CREATE TABLE a (id int, b int);", "table \"a\" {\n  column \"b\" {\n    allow_copy = true\n  }\n  column \"b\" {\n    fill = \"id\"\n  }\n}\n", "schema/r1.emcee.hcl:5:10: column \"b\" of table a is declared twice (first at schema/r1.emcee.hcl:2:10)"},
		// Two blocks of a table, each renaming it: the second's
		// renamed_from replaced the first's unseen.
		{"table renamed twice, in two table blocks", "CREATE TABLE a (id int, b int);", "table \"a\" {\n  renamed_from = \"x\"\n}\ntable \"a\" {\n  renamed_from = \"y\"\n}\n", "schema/r1.emcee.hcl:5:3: table a declares renamed_from twice (first at schema/r1.emcee.hcl:2:3)"},
		{"declared column twice, in two table blocks", "CREATE TABLE a (id int, b int);", "table \"a\" {\n  column \"b\" {\n    allow_copy = true\n  }\n}\ntable \"a\" {\n  column \"b\" {\n    fill = \"id\"\n  }\n}\n", "schema/r1.emcee.hcl:7:10: column \"b\" of table a is declared twice (first at schema/r1.emcee.hcl:2:10)"},
		{"declared index missing", "CREATE TABLE a (id int, KEY ix_id (id));", "table \"a\" {\n  index \"ix_a_id\" {\n    renamed_from = \"ix_id\"\n  }\n}\n", "schema/r1.emcee.hcl:2:9: index \"ix_a_id\" of table a is declared here, but schema/r1.sql gives a no such index"},
		{"declared index twice", "CREATE TABLE a (id int, KEY ix_a_id (id));", "table \"a\" {\n  index \"ix_a_id\" {\n    renamed_from = \"x\"\n  }\n  index \"ix_a_id\" {\n    renamed_from = \"y\"\n  }\n}\n", "schema/r1.emcee.hcl:5:9: index \"ix_a_id\" of table a is declared twice (first at schema/r1.emcee.hcl:2:9)"},
		{"schema in declarations", "CREATE TABLE a (id int);", "table \"a\" {\n  column \"id\" {\n    type = bigint\n  }\n}\n", "schema/r1.emcee.hcl:3:5: unknown attribute \"type\""},
		{"declaration expression", "CREATE TABLE a (id int, b int);", "table \"a\" {\n  column \"b\" {\n    fill = \"id +\"\n  }\n}\n", "schema/r1.emcee.hcl:3:"},
		{"zero date default", "CREATE TABLE a (id int);\nCREATE TABLE wp_posts (post_date datetime NOT NULL default '0000-00-00 00:00:00');", "", "schema/r1.sql:2:1: dev database"},
		{"zero date default says why", "CREATE TABLE wp_posts (post_date datetime NOT NULL default '0000-00-00 00:00:00');", "", "Invalid default value for 'post_date'. The file runs in the sql_mode emcee applies plans in (STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE"},
		{"no table", "SET NAMES utf8mb4;", "", "schema/r1.sql creates no table"},
		{"database default the server refuses", "SET NAMES utf8mb4;\nCREATE DATABASE shop CHARACTER SET latin1 COLLATE utf8mb4_bin;\nCREATE TABLE a (id int);", "", "schema/r1.sql:2:1: dev database"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := evaluate(t, dev, c.sql, c.decl)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "# at") || strings.Contains(err.Error(), "evaluated from") {
				t.Fatalf("the error shows the generated source: %v", err)
			}
		})
	}
}

// A table the dev database's server creates in another engine than
// InnoDB (its default_storage_engine, which the file may not set) is
// refused where the release is validated, as in a release declared in
// HCL, at the statement that created it.
func TestEvaluateOtherEngineRefused(t *testing.T) {
	db := testserver.Start(t, testserver.Options{Args: []string{"--default-storage-engine=MyISAM"}}).NewDB(t)
	ctx := context.Background()
	spec := devdb.Spec{URL: db.URL}
	spec.Charset, spec.Collation = schemadef.ServerDefault(mariadb)
	dev, err := devdb.Open(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close(ctx)
	_, err = evaluate(t, dev, "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY);", "")
	if want := "schema/r1.sql:1:1: table a is created with engine MyISAM: emcee plans InnoDB tables"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error containing %q", err, want)
	}
}

// An index rename is declared in the declarations file, as in HCL: the
// CREATE TABLE names the index as the release does, the file says which
// index of the previous release it is.
func TestEvaluateIndexRenameDeclared(t *testing.T) {
	dev, _ := devFor(t)
	r, err := evaluate(t, dev, "CREATE TABLE a (id int, KEY ix_a_id (id));", "table \"a\" {\n  index \"ix_a_id\" {\n    renamed_from = \"ix_id\"\n  }\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Declarations.IndexRenamed("a", "ix_a_id"); d == nil || d.RenamedFrom != "ix_id" || d.Pos.String() != "schema/r1.emcee.hcl:3:5" {
		t.Fatalf("index renames: %+v", r.Declarations.Indexes)
	}
}

// Stored functions are declared in the declarations file, as in HCL.
func TestEvaluateStoredFunctionDeclared(t *testing.T) {
	dev, _ := devFor(t)
	r, err := evaluate(t, dev, "CREATE TABLE a (id int);", "stored_function \"slugify\" {}\n")
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Declarations.StoredFunctions; len(f) != 1 || f[0].Name != "slugify" || f[0].Pos.String() != "schema/r1.emcee.hcl:1:17" {
		t.Fatalf("stored functions: %+v", f)
	}
}

// A release declared as SQL is evaluated on a server of the target's
// flavor: MariaDB reads types MySQL's way only partly.
func TestEvaluateRefusesAnotherFlavor(t *testing.T) {
	dev, _ := devFor(t)
	_, err := sqlrelease.Evaluate(context.Background(), dev, diff.SQLFiles{Release: "r1", File: "schema/r1.sql", SQL: []byte("CREATE TABLE a (id int);")}, project.Target{Flavor: "mysql", Major: 8})
	if err == nil || !strings.Contains(err.Error(), "the project targets mysql 8.0, but dev database") {
		t.Fatalf("got %v", err)
	}
}

// A large file evaluates in one session, every table and column placed
// at its line.
func TestEvaluateManyTables(t *testing.T) {
	dev, _ := devFor(t)
	r, err := evaluate(t, dev, manyTables(300), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Schema.Tables) != 300 || r.Where("t299", "name") != "schema/r1.sql:1498:3" {
		t.Fatalf("%d tables; t299.name at %s", len(r.Schema.Tables), r.Where("t299", "name"))
	}
}

func manyTables(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "CREATE TABLE t%03d (\n  id bigint NOT NULL AUTO_INCREMENT,\n  name varchar(100) NOT NULL DEFAULT '',\n  PRIMARY KEY (id)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n", i)
	}
	return b.String()
}

// What evaluating a SQL release costs, by its number of tables: the file
// is checked statement by statement, run in the dev database, inspected by
// Atlas and loaded (docs/sql-releases.md, BENCHMARKS.md).
func BenchmarkEvaluateTables(b *testing.B) {
	for _, n := range []int{300, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dev, _ := devFor(b)
			src := manyTables(n)
			for b.Loop() {
				if _, err := evaluate(b, dev, src, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The file may set up its session, but not so that the server reads what
// follows otherwise than emcee's reader did: with NO_BACKSLASH_ESCAPES, or
// a client charset in which a multibyte character swallows a backslash
// (GBK, SJIS, Big5, CP932), 'A\' ends a string for the server and not for
// the reader, and what the reader took for a table comment runs as a CREATE
// TABLE ... SELECT from another database, whose rows the server's refusal
// would print. The run stops at the statement that changed the session,
// before anything else runs.
func TestEvaluateSessionReadsAsTheReader(t *testing.T) {
	dev, _ := devFor(t)
	other := testdb.New(t)
	if _, err := other.Exec("CREATE TABLE secrets (s varchar(20))"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec("INSERT INTO secrets VALUES ('hunter2')"); err != nil {
		t.Fatal(err)
	}
	hidden := func(quote string) string {
		return "CREATE TABLE t (id int, b int) COMMENT '" + quote + "\\' SELECT 1 AS id, s AS b FROM " + sqlsyntax.Ident(other.Name) + ".secrets -- '\n;\n"
	}
	for _, c := range []struct{ name, sql, want string }{
		{"no backslash escapes", "CREATE TABLE a (id int);\nSET sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES';\n" + hidden("A"), "schema/r1.sql:2:1: "},
		{"no backslash escapes through a variable", "SET @m = 'NO_BACKSLASH_ESCAPES';\nSET sql_mode = @m;\n" + hidden("A"), "schema/r1.sql:2:1: "},
		{"ansi quotes through a combination", "SET sql_mode = ANSI;\nCREATE TABLE a (id int);", "schema/r1.sql:1:1: "},
		{"gbk", "SET NAMES gbk;\n" + hidden("中"), "schema/r1.sql:1:1: "},
		{"character set gbk", "SET CHARACTER SET gbk;\n" + hidden("中"), "schema/r1.sql:1:1: "},
		{"sjis client", "SET character_set_client = sjis;\n" + hidden("Á"), "schema/r1.sql:1:1: "},
		{"big5 client", "SET character_set_client = big5;\n" + hidden("中"), "schema/r1.sql:1:1: "},
		{"latin1 before UTF-8 text", "SET NAMES latin1;\nCREATE TABLE a (id int, n varchar(10) DEFAULT 'café');", "schema/r1.sql:1:1: after this statement, the session's client charset is latin1, a single-byte charset, in which the server reads the UTF-8 character 'é' of the statement at schema/r1.sql:2:1 as 2 characters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := evaluate(t, dev, c.sql, "")
			if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "refused this statement") {
				t.Fatalf("got %v, want an error at %q about how the server reads the file", err, c.want)
			}
		})
	}
	// What dumps and ORMs set stays allowed.
	if _, err := evaluate(t, dev, "SET NAMES utf8mb4;\nSET NAMES latin1;\nSET character_set_client = utf8mb3;\nSET sql_mode = 'NO_AUTO_VALUE_ON_ZERO,STRICT_TRANS_TABLES';\nCREATE TABLE a (id int);", ""); err != nil {
		t.Fatal(err)
	}
}

// A column block is told from another by both names, not by "table.column":
// table `a.b`'s column c and table a's column `b.c` were one key, and the
// second block was refused as the first declared twice.
func TestEvaluateColumnBlocksOfDottedNames(t *testing.T) {
	dev, _ := devFor(t)
	decl := "table \"a.b\" {\n  column \"c\" {\n    allow_copy = true\n  }\n}\ntable \"a\" {\n  column \"b.c\" {\n    allow_copy = true\n  }\n}\n"
	r, err := evaluate(t, dev, "CREATE TABLE `a.b` (id int, c int);\nCREATE TABLE a (id int, `b.c` int);", decl)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []diff.ColumnRef{{Table: "a.b", Column: "c"}, {Table: "a", Column: "b.c"}} {
		if d := r.Declarations.Columns[ref]; d == nil || !d.AllowCopy {
			t.Errorf("%s: declared %+v", ref, d)
		}
	}
}
