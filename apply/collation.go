package apply

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// checkCollation refuses to apply plans computed for another default
// collation than the live database's, when a table they touch takes it.
// What a release was computed for, its snapshot records (its schema
// block, schemadef.SnapshotDefault).
// A table or column declared without a charset gets the database's
// default (schemadef.Effective), and the planner counted bytes, chose
// INSTANT or a copy, and wrote or left out conversions for the default it
// assumed: widening a latin1 varchar(200) to 300 was planned INSTANT (as
// for 4-byte utf8mb4), and the server stopped expand half-way, error 1846.
// The drift check does not see it, since the dev database copies the live
// database's defaults. Checked when a run begins, before anything
// changes, on every command that applies revisions and on every resumed
// run; --allow-drift makes it a warning. A default no table takes, one
// of the same charset, and the warning, are said in the note.
//
// Only the releases the run may apply are checked (through, Sync's
// target; else the release in progress): releases may be planned for
// different defaults (one shipped before its file declared one keeps its
// revisions), and checking a later one too refused every run of the
// release in progress on a database of that release's own default.
func (s *Session) checkCollation(ctx context.Context, through string) (note string, err error) {
	through = cmp.Or(through, s.current())
	var rels []string
	seen := false // through's revisions reached: the releases after it are not applied
	for _, r := range s.Plans.Revisions {
		if seen && r.ID.Release != through {
			break
		}
		seen = r.ID.Release == through
		if s.Records[r.ID.String()].Done() || slices.Contains(rels, r.ID.Release) {
			continue
		}
		rels = append(rels, r.ID.Release)
	}
	if len(rels) == 0 {
		return "", nil
	}
	var live string
	if err := s.Conn.QueryRowContext(ctx, "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", s.Cfg.Database).Scan(&live); err != nil {
		return "", s.redact(fmt.Errorf("reading the default collation of database %s: %w", s.Cfg.Database, err))
	}
	live = sqlsyntax.CanonicalCharset(live)
	// What each release was planned for, its snapshot's schema block says;
	// the releases planned for another default than the live one, by
	// the default they were planned for.
	liveCS := sqlsyntax.CharsetOf(live)
	var defaults, skipped []string
	off := map[string][]string{}
	for _, rel := range rels {
		path := filepath.Join(s.Project.PlansDir, revision.SnapshotFile(rel))
		coll, err := schemadef.SnapshotDefault(path, s.Project.Target)
		switch {
		case os.IsNotExist(err) && s.opts.AllowDrift:
			skipped = append(skipped, project.Rel(path))
			continue
		case os.IsNotExist(err):
			return "", fmt.Errorf("%s is missing, so the database default %s was planned for cannot be compared with the live database's: regenerate plans with `emcee plan`, or pass --allow-drift to skip the check", project.Rel(path), rel)
		case err != nil:
			return "", fmt.Errorf("reading the database default %s was planned for from %s: %w", rel, project.Rel(path), err)
		}
		if coll != live {
			if off[coll] == nil {
				defaults = append(defaults, coll)
			}
			off[coll] = append(off[coll], rel)
		}
	}
	if len(skipped) > 0 && len(defaults) == 0 {
		return fmt.Sprintf("database default check skipped (--allow-drift): %s missing", strings.Join(skipped, ", ")), nil
	}
	if len(defaults) == 0 {
		return "", nil
	}
	// The default said is one a table takes, of another charset than the
	// live one where there is such (a refusal), before one of the same
	// charset (a note): said in plan order alone, a release of the same
	// charset first had a later one of another charset passed over, and
	// the run went on with a note.
	var planned string
	var tables, takers []string // the tables taking it, the releases that have them
	for _, coll := range defaults {
		var taking, by []string
		for _, rel := range off[coll] {
			sch, path, err := s.snapshot(rel)
			if err != nil {
				return "", fmt.Errorf("the default collation of database %s is %s, not %s as the plans assume; reading %s to tell which of %s's tables take it: %w", s.Cfg.Database, live, coll, path, rel, err)
			}
			for _, t := range sch.Tables {
				if !takesDefault(t) {
					continue
				}
				if !slices.Contains(by, rel) {
					by = append(by, rel)
				}
				if !slices.Contains(taking, t.Name) {
					taking = append(taking, t.Name)
				}
			}
		}
		cs := sqlsyntax.CharsetOf(coll)
		if len(taking) > 0 && (planned == "" || cs != liveCS) {
			planned, tables, takers = coll, taking, by
			if cs != liveCS {
				break
			}
		}
	}
	if planned == "" {
		var rels []string
		for _, coll := range defaults {
			rels = append(rels, off[coll]...)
		}
		return fmt.Sprintf("the default collation of database %s is %s, not %s as the plans assume; every table of %s declares its charset or collation, so none takes it", s.Cfg.Database, live, strings.Join(defaults, " or "), strings.Join(rels, ", ")), nil
	}
	named := make([]string, len(tables))
	for i, t := range tables {
		named[i] = sqlsyntax.Ident(t)
	}
	named = sqlsyntax.Some(named, 3)
	cs := sqlsyntax.CharsetOf(planned)
	// In a release declared as SQL, a CREATE TABLE naming the default the
	// release was planned for reads as taking the database's (mysqldump
	// names every table's): PrestaShop's DEFAULT CHARSET=utf8mb4, on a
	// latin1 database, was said to declare no charset, and the way out
	// offered was to declare the one it declared.
	sqlRel := slices.ContainsFunc(takers, func(rel string) bool {
		f, err := s.Project.Files(rel)
		return err == nil && f.SQL
	})
	taking := fmt.Sprintf("the tables of %s that declare no charset (%s)", strings.Join(takers, ", "), strings.Join(named, ", "))
	declare := fmt.Sprintf("in the schema block of every release file (charset = %q and collate = %q)", liveCS, live)
	if sqlRel {
		// Said as one parenthesis after the list: "that declare no charset
		// or, in SQL, the ... it was planned for, read as taking the
		// database's as mysqldump names every table's (...)" could not be
		// parsed by the operators it was for.
		taking = fmt.Sprintf("the tables of %s (%s; in SQL, a CREATE TABLE naming %s, the default the release was planned for, reads as taking the database's default, since mysqldump names every table's)", strings.Join(takers, ", "), strings.Join(named, ", "), planned)
		declare = fmt.Sprintf("in every release file (in SQL, before the first CREATE TABLE: ALTER DATABASE CHARACTER SET %s COLLATE %s, read, never run: a table whose CREATE TABLE names another charset then keeps it; in HCL, charset = %q and collate = %q in the schema block)", liveCS, live, liveCS, live)
	}
	var reason string
	moved, err := s.movedToDefault(takers)
	if err != nil {
		return "", err
	}
	switch {
	case liveCS == cs && len(moved) > 0:
		// A table that stops declaring its collation goes back to the
		// database's default, which Atlas cannot write but as the one the
		// plans assume: the table is left in it, and the drift check,
		// building the snapshot (the table declaring none) in a dev
		// database of the live default, refused every later run.
		reason = fmt.Sprintf("the default collation of database %s is %s, not %s as the plans assume: the same charset, but %s moves %s back to the database's default, which its statements write as %s: %s would be left in %s where a table that takes the default has %s, and every later run refuses the difference as drift",
			s.Cfg.Database, live, planned, strings.Join(takers, ", "), strings.Join(moved, ", "), planned, strings.Join(moved, ", "), planned, live)
	case liveCS == cs:
		// The same charset: the bytes the plans counted, and so every
		// choice made from them, hold. What the collation decides (which
		// values a unique key tells apart, trailing spaces) the gates and
		// the tool's checks read from the live tables. Refusing would stop
		// every MySQL 8.0 database created with the server's defaults
		// (utf8mb4_0900_ai_ci) for a difference that changes no statement.
		return fmt.Sprintf("the default collation of database %s is %s, not %s as the plans assume; %s take it: the same charset, so the plans' byte counts hold; to have them computed for it, declare it %s and run `emcee plan` again",
			s.Cfg.Database, live, planned, taking, declare), nil
	default:
		reason = fmt.Sprintf("the default collation of database %s is %s, but the plans were computed for %s: %s take the database's default, so the plans' byte counts (row size, key length, whether widening a VARCHAR is INSTANT), collation comparisons and charset conversions for them are wrong",
			s.Cfg.Database, live, planned, taking)
	}
	// The operator's word that the database is as it should be, as for
	// drift: a run that goes on says it.
	if s.opts.AllowDrift {
		return "WARNING (--allow-drift): " + reason, nil
	}
	next := fmt.Sprintf("declare the database's default %s and run `emcee plan` again; or, for tables the plans create, change the database's default to the plans' (ALTER DATABASE %s CHARACTER SET %s COLLATE %s; a table that exists keeps its own)",
		declare, sqlsyntax.Ident(s.Cfg.Database), cs, planned)
	if !sqlRel {
		next += "; or declare charset and collate on those tables, in every release that has them"
	}
	return "", &Refusal{Reason: reason + "; nothing was changed", Next: next}
}

// takesDefault tells whether a table has a column whose charset is the
// database's default (schemadef.FromDatabase).
func takesDefault(t *schema.Table) bool {
	return slices.ContainsFunc(t.Columns, func(c *schema.Column) bool { return schemadef.FromDatabase(t, c) })
}

// movedToDefault are the tables that pending revisions of rels give a
// default charset or collation (ALTER TABLE ... COLLATE, which only rule
// convert-charset writes) although the release's snapshot has them
// declare none: a table moving back to the database's default.
func (s *Session) movedToDefault(rels []string) ([]string, error) {
	var moved []string
	snaps := map[string]*schema.Schema{}
	for _, r := range s.Plans.Revisions {
		if !slices.Contains(rels, r.ID.Release) || s.Records[r.ID.String()].Done() {
			continue
		}
		for _, st := range r.Statements {
			if !slices.Contains(st.Rules(), "convert-charset") {
				continue
			}
			d := effect.Parse(st.SQL)
			if d.Kind != effect.KindAlterTable || slices.Contains(moved, d.Name) || !slices.ContainsFunc(d.Clauses, func(c effect.Clause) bool {
				return c.Op == "OPTION" && (c.Object == "CHARSET" || c.Object == "COLLATE")
			}) {
				continue
			}
			sch := snaps[r.ID.Release]
			if sch == nil {
				var path string
				var err error
				if sch, path, err = s.snapshot(r.ID.Release); err != nil {
					return nil, fmt.Errorf("reading %s to tell which of %s's tables take the database's default: %w", path, r.ID.Release, err)
				}
				snaps[r.ID.Release] = sch
			}
			if i := slices.IndexFunc(sch.Tables, func(t *schema.Table) bool { return strings.EqualFold(t.Name, d.Name) }); i >= 0 && takesDefault(sch.Tables[i]) {
				moved = append(moved, d.Name)
			}
		}
	}
	return moved, nil
}
