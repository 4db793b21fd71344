package sqlrelease_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlrelease"
)

// A release declared as SQL declares the default of its databases the way
// SQL does, with CREATE DATABASE (mysqldump --databases) or ALTER
// DATABASE: it is planned for that default, and its snapshot records it,
// as for the HCL whose schema block declares it. It could not say it:
// CREATE DATABASE was refused, and the release was planned for
// utf8mb4_general_ci, so that a latin1 database's plans counted 4 bytes a
// character (widening varchar(200) to 300 was INSTANT, which the server
// refuses for latin1, error 1846) and every db command refused the
// database.
func TestSQLReleaseDeclaresTheDatabaseDefault(t *testing.T) {
	hcl := func(size, extra string) string {
		return `schema "app" {
  charset = "latin1"
  collate = "latin1_swedish_ci"
}

table "t" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "name" {
    type = varchar(` + size + `)
` + extra + `  }
  column "tagged" {
    type    = varchar(20)
    charset = "utf8mb4"
    collate = "utf8mb4_general_ci"
  }
  primary_key {
    columns = [column.id]
  }
}

table "u" {
  schema  = schema.app
  charset = "utf8mb4"
  collate = "utf8mb4_general_ci"
  column "id" {
    type = int
  }
  column "note" {
    type = varchar(20)
  }
  primary_key {
    columns = [column.id]
  }
}
`
	}
	sql := func(head, size string) string {
		return head + "CREATE TABLE `t` (\n  `id` int NOT NULL,\n  `name` varchar(" + size + ") NOT NULL,\n  `tagged` varchar(20) CHARACTER SET utf8mb4 NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=latin1;\n" +
			"CREATE TABLE `u` (\n  `id` int NOT NULL,\n  `note` varchar(20) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n"
	}
	project := func(files map[string]string) string {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\", \"b\"]\n}\n"))
		for name, src := range files {
			write(t, filepath.Join(dir, "schema", name), []byte(src))
		}
		return dir
	}
	want := planProject(t, project(map[string]string{
		"a.hcl": hcl("200", ""),
		"b.hcl": hcl("300", "    allow_copy = true\n"),
	}))
	dump := "CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET latin1 COLLATE latin1_swedish_ci */;\n\nUSE `shop`;\n\n"
	for _, c := range []struct{ name, head string }{
		{"create database", dump},
		{"alter database, charset alone", "ALTER DATABASE CHARACTER SET latin1;\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := project(map[string]string{
				"a.sql":       sql(c.head, "200"),
				"b.sql":       sql(c.head, "300"),
				"b.emcee.hcl": "table \"t\" {\n  column \"name\" {\n    allow_copy = true\n  }\n}\n",
			})
			got := planProject(t, dir)
			for _, rel := range []string{"a", "b"} {
				path := filepath.Join(dir, "plans", revision.SnapshotFile(rel))
				coll, err := schemadef.SnapshotDefault(path, mariadb)
				if err != nil || coll != "latin1_swedish_ci" {
					t.Errorf("%s records the default %q (%v), want latin1_swedish_ci, as its HCL's does", revision.SnapshotFile(rel), coll, err)
				}
			}
			// The revisions are the HCL's, but for where allow_copy is
			// declared.
			declared := regexp.MustCompile(`at schema/b\.(emcee\.)?hcl:[0-9:]*\)`)
			compared := 0
			for path, w := range want {
				if !strings.HasSuffix(path, ".sql") {
					continue
				}
				g := declared.ReplaceAll(got[path], nil)
				if string(g) != string(declared.ReplaceAll(w, nil)) {
					t.Errorf("%s differs when the releases are declared as SQL:\n--- HCL\n%s\n--- SQL\n%s", path, w, got[path])
				}
				compared++
			}
			if compared != 8 {
				t.Fatalf("compared %d revisions", compared)
			}
			if b := string(got["b/b_expand01.sql"]); !strings.Contains(b, "ALTER TABLE `t` MODIFY COLUMN `name` varchar(300) NOT NULL, ALGORITHM=COPY") {
				t.Fatalf("b's widening of a latin1 column past 255 bytes, planned for latin1:\n%s", b)
			}
		})
	}
}

// planProject plans a project, its SQL releases evaluated in a dev
// database of the test's own, which is left with its defaults.
func planProject(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := devFor(t)
	eval := func(f diff.SQLFiles) (diff.Source, error) {
		return sqlrelease.Evaluate(context.Background(), dev, f, p.Target)
	}
	files := planExample(t, dir, eval)
	var cs, coll string
	if err := dev.Conn.QueryRowContext(context.Background(), "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()").Scan(&cs, &coll); err != nil {
		t.Fatal(err)
	}
	if wcs, wcoll := schemadef.ServerDefault(p.Target); cs != wcs || coll != wcoll {
		t.Fatalf("the dev database's default is %s %s after the evaluation, not the run's %s %s", cs, coll, wcs, wcoll)
	}
	if _, err := os.Stat(filepath.Join(dir, "plans")); err != nil {
		t.Fatal(err)
	}
	return files
}
