// Package adopt starts an emcee project from a database that already
// exists: it inspects the live schema with Atlas and writes it as the
// first release (Atlas HCL), with a project file around it, so that the
// database can be placed under emcee's control with `emcee db baseline`
// and upgraded from there like any other.
package adopt

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlname"
)

// Options say what to adopt and where to write the project.
type Options struct {
	// DB is the live database to inspect. Nothing is written to it.
	DB *dbconn.Config
	// Dir is the project directory; atlas.hcl and schema/ are written there.
	Dir string
	// Release names the release the database is at.
	Release string
	// Env names the env block written for the database.
	Env string
}

// Result is what was written.
type Result struct {
	Target  project.Target
	Tables  int
	Skipped []string // emcee's own tables found there, left out of the schema
	Files   []string // relative to Dir
	Project string   // the atlas.hcl written
}

// Init inspects the database and writes the project files. It refuses to
// overwrite an atlas.hcl or a schema file that exists.
func Init(ctx context.Context, o Options) (*Result, error) {
	if err := revision.CheckReleaseName(o.Release); err != nil {
		return nil, fmt.Errorf("--release: %w", err)
	}
	if !envName.MatchString(o.Env) {
		return nil, fmt.Errorf("--env-name %q: an env name is written into atlas.hcl as a block label and typed after --env: use letters, digits, _ and -, starting with a letter or _ (e.g. live)", o.Env)
	}
	cfgPath := filepath.Join(o.Dir, project.DefaultFile)
	schemaPath := filepath.Join(o.Dir, "schema", o.Release+".hcl")
	if fi, err := os.Stat(o.Dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("--dir %s is not a directory: give the directory to write the project in (it is created if missing)", project.Rel(o.Dir))
	}
	for _, p := range []string{cfgPath, schemaPath} {
		// Lstat: a symlink there, dangling or not, would be written through.
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("%s exists: emcee init starts a new project and never overwrites one; run it in an empty directory (--dir), or remove the file", project.Rel(p))
		}
	}
	// The plans init writes go in plans/; plans already there are another
	// project's, which the first plan would refuse after atlas.hcl and the
	// schema were written.
	plans := filepath.Join(o.Dir, "plans")
	if entries, err := os.ReadDir(plans); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s exists and holds %s: emcee init starts a new project and plans its release there; run it in an empty directory (--dir), or move those plans away", project.Rel(plans), entries[0].Name())
	} else if fi, err := os.Lstat(plans); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%s exists and is not a directory: emcee init plans the adopted release there; run it in an empty directory (--dir), or remove it", project.Rel(plans))
	}
	db, err := dbconn.Open(ctx, o.DB)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var version string
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return nil, o.DB.Explain(err)
	}
	target, err := project.TargetOf(version)
	if err != nil {
		return nil, err
	}
	if err := unseen(ctx, db, o.DB); err != nil {
		return nil, err
	}
	drv, err := mysql.Open(db)
	if err != nil {
		return nil, o.DB.Explain(err)
	}
	s, err := drv.InspectSchema(ctx, o.DB.Database, &schema.InspectOptions{Mode: schema.InspectSchemas | schema.InspectTables})
	if err != nil {
		return nil, errors.New(o.DB.Redact(fmt.Sprintf("inspecting %s: %v", o.DB, err)))
	}
	// emcee's own tables are not the application's schema: the version
	// table and the accepted differences are left out (and said so); a dev
	// database's marker, or a temporary one's the server could not drop,
	// means this is no application's database; a table named like one of
	// emcee's in another letter case is refused at load.
	var skipped []string
	for _, t := range s.Tables {
		switch {
		case t.Name == sqlname.DevMarkerTable:
			return nil, fmt.Errorf("%s holds %s: it is a dev database an emcee run builds schemas in (or a killed run left), not an application's database; point --from at the database to adopt", o.DB, t.Name)
		case t.Name == sqlname.ScratchLeftTable:
			return nil, fmt.Errorf("%s holds %s: it is a temporary dev database of emcee's the server could not drop, not an application's database; point --from at the database to adopt", o.DB, t.Name)
		case sqlname.Own(t.Name):
			skipped = append(skipped, t.Name)
		case sqlname.Reserved(t.Name) != nil:
			return nil, fmt.Errorf("%s: %v: emcee could never plan it; rename the table, then rerun emcee init", o.DB, sqlname.Reserved(t.Name))
		}
	}
	s.Tables = slices.DeleteFunc(s.Tables, func(t *schema.Table) bool { return sqlname.Own(t.Name) })
	if len(s.Tables) == 0 {
		return nil, fmt.Errorf("%s has no tables: there is nothing to adopt; for a new database, write schema/%s.hcl yourself and run `emcee db sync`", o.DB, o.Release)
	}
	var views, triggers int
	if err := db.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()), (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE())").Scan(&views, &triggers); err != nil {
		return nil, o.DB.Explain(err)
	}
	if views+triggers > 0 {
		return nil, fmt.Errorf("%s has %d view(s) and %d trigger(s): emcee manages tables only (it creates its own triggers and views during upgrades), so `db baseline` would report them as drift; drop or move them, then rerun emcee init", o.DB, views, triggers)
	}
	slices.SortFunc(s.Tables, func(a, b *schema.Table) int { return strings.Compare(a.Name, b.Name) })
	var found []string
	for _, n := range schemadef.NotBools(s) {
		found = append(found, fmt.Sprintf("%s.%s is %s, which Atlas reads as a bool (a signed tinyint(1)) (a display width changes nothing of what it holds: %s)", n.Table, n.Column, n.Raw, modify(ctx, drv, s, n.Table, n.Column, n.Instead)))
	}
	// Atlas reads double(24,8) as double(24), which MariaDB refuses and
	// the plans create as a double that does not round: written so, a
	// database made from the project would keep other values.
	for _, f := range schemadef.ScaledFloats(s) {
		found = append(found, fmt.Sprintf("%s.%s is %s, whose digits after the point Atlas does not read (%s, which stops rounding what is written, or MODIFY it as a decimal with the same digits, which keeps exact values)", f.Table, f.Column, f.Raw, modify(ctx, drv, s, f.Table, f.Column, f.Instead)))
	}
	if len(found) > 0 {
		return nil, fmt.Errorf("%s holds what emcee does not plan, so nothing was written: emcee inspects databases with Atlas, which reads these as what they are not (db baseline and the drift check would too):\n  %s\nconvert them as said, then rerun emcee init", o.DB, strings.Join(found, "\n  "))
	}
	schemadef.Declared(s)
	tableDefaults(s)
	src, err := schemadef.Marshal(s, target, adoptedHead)
	if err != nil {
		return nil, err
	}
	// What the server took (an enum value with a quote, a name emcee
	// refuses) must be refused here, before any file exists, not by the
	// first `emcee plan`.
	rel := filepath.ToSlash(filepath.Join("schema", o.Release+".hcl"))
	if _, err := diff.ParseRelease(o.Release, rel, src, target); err != nil {
		// Each error names a table or column of the database and words
		// its fix as a release file declares it: no file exists, so the
		// fix is made in the database (a zero-date default of a legacy
		// schema, PrestaShop's smarty_lazy_cache.last_update).
		return nil, fmt.Errorf("%s holds what emcee cannot plan safely, so nothing was written (positions are in the %s emcee would write):\n%w\nchange each table or column named in the database as said (ALTER TABLE ... MODIFY, ENGINE=InnoDB, RENAME), then rerun emcee init", o.DB, rel, err)
	}
	if err := write(schemaPath, src); err != nil {
		return nil, err
	}
	if err := write(cfgPath, projectFile(o, target)); err != nil {
		return nil, err
	}
	return &Result{Target: target, Tables: len(s.Tables), Skipped: skipped, Files: []string{project.DefaultFile, rel}, Project: cfgPath}, nil
}

// unseen refuses what Atlas's inspection does not see (system-versioned
// tables and sequences are not base tables, partitioning is not read) or
// cannot read (an INVISIBLE column): left out of the release silently,
// `db baseline` and the drift check, which inspect the same way, would
// never see it either, and emcee would plan as if it did not exist.
func unseen(ctx context.Context, db *sql.DB, cfg *dbconn.Config) error {
	var found []string
	for _, q := range []string{
		"SELECT CONCAT(TABLE_NAME, CASE TABLE_TYPE WHEN 'SYSTEM VERSIONED' THEN ' is system-versioned (ALTER TABLE ... DROP SYSTEM VERSIONING)' WHEN 'SEQUENCE' THEN ' is a sequence' ELSE CONCAT(' is a ', LOWER(TABLE_TYPE)) END) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE NOT IN ('BASE TABLE', 'VIEW') ORDER BY TABLE_NAME",
		"SELECT DISTINCT CONCAT(TABLE_NAME, ' is partitioned (ALTER TABLE ... REMOVE PARTITIONING)') FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND PARTITION_NAME IS NOT NULL ORDER BY 1",
		"SELECT CONCAT(c.TABLE_NAME, '.', c.COLUMN_NAME, ' is INVISIBLE (ALTER TABLE ... MODIFY it without INVISIBLE)') FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE' WHERE c.TABLE_SCHEMA = DATABASE() AND c.EXTRA LIKE '%INVISIBLE%' ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
	} {
		what, err := dbconn.Strings(ctx, db, q)
		if err != nil {
			return cfg.Explain(err)
		}
		found = append(found, what...)
	}
	if len(found) > 0 {
		return fmt.Errorf("%s holds what emcee does not plan, so nothing was written: emcee plans base tables with visible columns, and inspects databases with Atlas, which does not see these (db baseline and the drift check would not either):\n  %s\nconvert them as said, or move them to another database, then rerun emcee init", cfg, strings.Join(found, "\n  "))
	}
	return nil
}

// tableDefaults moves the database's default charset and collation onto
// every table that inherits them: emcee leaves the database itself to the
// operator (a schema block declares nothing), and a release must still
// create its tables as they are, on a server with other defaults too.
// Atlas writes a table's charset and collation when its schema has none.
func tableDefaults(s *schema.Schema) {
	for _, t := range s.Tables {
		for _, a := range s.Attrs {
			if schemadef.CharsetAttr(a) && !slices.ContainsFunc(t.Attrs, func(b schema.Attr) bool { return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b) }) {
				t.Attrs = append(t.Attrs, a)
			}
		}
	}
	s.Attrs = nil
}

// envName is what init writes as an env block's label: a plain word,
// which HCL reads as written (no ${ or %{ template sequences, no quotes).
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

const adoptedHead = "# Release adopted from a live database by `emcee init`: the schema as it was.\n# Declare the next release in a new file; this one is what the database is at.\n"

func projectFile(o Options, t project.Target) []byte {
	return []byte(fmt.Sprintf(`# Project file written by emcee init from %s.
env %q {
  # The adopted database; the password stays out of this file.
  url = getenv("EMCEE_URL")
  src = "file://schema"
}

emcee {
  target   = %q
  releases = [%q]
}
`, o.DB, o.Env, t.String(), o.Release))
}

// write creates a file that does not exist: O_EXCL neither overwrites
// nor follows a symlink put there since the check.
func write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
}

// modify is the statement giving column table.column of s the type typ,
// its definition otherwise as inspected (NULL, default, comment,
// auto_increment), written by Atlas's planner: "ALTER TABLE ... MODIFY it
// as tinyint unsigned" left the statement to the user, and a MODIFY that
// leaves out NOT NULL or the default changes them (Matomo's
// log_conversion_item.deleted, tinyint(1) unsigned NOT NULL). When Atlas
// cannot write typ as given (a ZEROFILL it does not carry), the advice is
// the words it was; when it cannot write a name (a backtick, which it does
// not double: a column named "x` int, DROP COLUMN keep -- z" was a
// statement dropping keep), the words and the rename emcee needs anyway.
func modify(ctx context.Context, drv migrate.Driver, s *schema.Schema, table, column, typ string) string {
	words := fmt.Sprintf("ALTER TABLE ... MODIFY it as %s", typ)
	if err := cmp.Or(sqlname.Validate(sqlname.Table, table), sqlname.Validate(sqlname.Column, column)); err != nil {
		return fmt.Sprintf("%s, after a rename: %v", words, err)
	}
	t, ok := s.Table(table)
	if !ok {
		return words
	}
	c, ok := t.Column(column)
	if !ok {
		return words
	}
	parsed, err := mysql.ParseType(typ)
	if err != nil {
		return words
	}
	to := *c
	to.Type = &schema.ColumnType{Type: parsed, Raw: typ, Null: c.Type.Null}
	plan, err := drv.PlanChanges(ctx, "modify", []schema.Change{&schema.ModifyTable{T: t, Changes: []schema.Change{&schema.ModifyColumn{From: c, To: &to, Change: schema.ChangeType}}}}, func(o *migrate.PlanOptions) { o.SchemaQualifier = new(string) })
	if err != nil || len(plan.Changes) != 1 || !strings.Contains(plan.Changes[0].Cmd, " "+typ) {
		return words
	}
	return plan.Changes[0].Cmd
}
