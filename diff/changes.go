package diff

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlname"
)

// Transition is everything the splitter needs to plan one step between two
// states: where the database is, what the release declares, and Atlas's
// changes between the two.
type Transition struct {
	From    *schema.Schema // nil for the first release: an empty database
	To      *Release
	Changes []schema.Change
	// DataMigrationsDone names the data migrations of To that earlier
	// revisions of the same release already carry, so a later revision
	// (append-only) does not run them again.
	DataMigrationsDone map[string]bool
}

// Between diffs two states offline: the previous release (nil before the
// first) and the next. Atlas never detects renames, so declared
// table renames are injected: the old table is renamed in a copy of the
// source state before diffing, and a RenameTable change leads the list;
// a declared index rename is injected the same way, its RenameIndex among
// its table's changes.
func Between(drv *mysql.Driver, t project.Target, prev *Release, to *Release) (_ *Transition, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: Atlas failed while comparing the release with the previous state (%v); check the last change to this file", to.File, r)
		}
	}()
	var all *schema.Schema
	if prev != nil {
		all = prev.Schema
	}
	// Tables that cannot change are left out of the diff (unchanged.go);
	// Atlas writes into the ones it compares (private.go).
	same := unchanged(prev, to)
	from := private(without(all, same))
	if from != nil {
		// The schema block's charset and collate declare the database's
		// default (schemadef.Effective), which emcee never changes: the
		// release's declaration holds for the state before it as well, so
		// that a table declaring none keeps its charset.
		from.Attrs = to.Schema.Attrs
	}
	own, whole := *to, to.Schema
	own.Schema = private(without(whole, same))
	to = &own
	base := from
	if base == nil {
		base = schema.New(to.Schema.Name).AddAttrs(to.Schema.Attrs...)
	}
	if base.Name != to.Schema.Name {
		// The schema's name is not part of a release (scripts are
		// unqualified; a release declared as SQL names none), as Atlas
		// compares schema-scoped states.
		base = copySchema(base)
		base.Name = to.Schema.Name
	}
	var renames []schema.Change
	for _, name := range slices.Sorted(maps.Keys(to.Declarations.Tables)) {
		td := to.Declarations.Tables[name]
		old, ok := base.Table(td.RenamedFrom)
		if !ok {
			// Already renamed by an earlier revision of this release.
			continue
		}
		renamed := *old
		renamed.Name = name
		renamed.ForeignKeys = renamedForeignKeys(old, &renamed)
		renames = append(renames, &schema.RenameTable{From: old, To: &renamed})
		base = setTable(base, from, old, &renamed)
		redirectForeignKeys(base, old, &renamed)
	}
	if err := renamedKeyClashes(all, to, renames); err != nil {
		return nil, err
	}
	// Declared index renames, likewise (index_renames.go).
	base, indexRenames := renameIndexes(base, to, from)
	// Columns whose names change only in letter case (recase_columns.go).
	base, recases := recaseColumns(base, to, from)
	lists := indexLists(base)
	changes, err := drv.SchemaDiff(base, to.Schema)
	if err != nil {
		return nil, fmt.Errorf("%s: diffing against the previous state: %w", to.File, err)
	}
	changes = withForeignKeyIndexDrops(base, to.Schema, lists, changes)
	changes = withCheckExprChanges(base, to.Schema, changes)
	changes = withAutoIncrementChanges(base, to.Schema, changes)
	withDeclaredCollations(t, whole, to.Schema)
	changes = withTableCharsetChanges(t, base, to.Schema, changes)
	changes = withColumnCharsetChanges(t, base, to.Schema, changes)
	if changes, err = withIndexRenames(to, indexRenames, changes); err != nil {
		return nil, err
	}
	if changes, err = withColumnRecases(to, recases, changes); err != nil {
		return nil, err
	}
	own.Schema = rejoin(own.Schema, whole, same)
	return &Transition{From: rejoin(from, all, same), To: to, Changes: append(renames, changes...)}, nil
}

func copySchema(s *schema.Schema) *schema.Schema {
	c := *s
	c.Tables = append([]*schema.Table(nil), s.Tables...)
	return &c
}

// setTable puts t in place of old in base, whose table list is copied
// first when it is from's: the source state is shared with the caller.
func setTable(base, from *schema.Schema, old, t *schema.Table) *schema.Schema {
	if base == from {
		base = copySchema(from)
	}
	base.Tables[slices.Index(base.Tables, old)] = t
	return base
}

// renamedForeignKeys are the foreign keys of a table once RENAME TABLE
// gave it its new name, which renames those named as InnoDB names a key
// declared without a name (files_ibfk_1 becomes task_has_files_ibfk_1):
// under their old names, Atlas would report each as dropped and added, and
// contract would drop a key the server had renamed.
func renamedForeignKeys(old, renamed *schema.Table) []*schema.ForeignKey {
	fks := make([]*schema.ForeignKey, len(old.ForeignKeys))
	for i, fk := range old.ForeignKeys {
		f := *fk
		f.Symbol = sqlname.RenamedForeignKey(fk.Symbol, old.Name, renamed.Name)
		f.Table = renamed
		fks[i] = &f
	}
	return fks
}

// renamedKeyClashes refuses a table rename whose RENAME TABLE gives a
// foreign key (renamedForeignKeys) the name of another key of the
// database: foreign key names are unique in a database, case-insensitively,
// and the server refuses the rename, saying only that the table exists
// (error 1050). prev is the whole previous release: a table left out of
// the diff holds names too (nil before the first release, which renames
// no table: there is none to rename).
func renamedKeyClashes(prev *schema.Schema, to *Release, renames []schema.Change) error {
	after := map[string]*schema.Table{}
	for _, c := range renames {
		r := c.(*schema.RenameTable)
		after[r.From.Name] = r.To
	}
	var errs []error
	for _, c := range renames {
		r := c.(*schema.RenameTable)
		for i, fk := range r.To.ForeignKeys {
			old := r.From.ForeignKeys[i].Symbol
			if fk.Symbol == old {
				continue
			}
			for _, t := range prev.Tables {
				if n, ok := after[t.Name]; ok {
					t = n
				}
				for _, o := range t.ForeignKeys {
					if o != fk && strings.EqualFold(o.Symbol, fk.Symbol) {
						errs = append(errs, posOrFile(to, r.To.Name, "").Errorf(
							"table %s is renamed to %s, and RENAME TABLE renames its foreign key %s to %s (InnoDB renames a key named <table>_ibfk_N with its table), the name of foreign key %s of table %s: foreign key names are unique in a database (case-insensitively), so the server would refuse the rename (error 1050, 'table %s already exists'). Rename %s of %s in an earlier release, or give %s's key another name in an earlier release (a new key under the new name, the old one dropped)",
							r.From.Name, r.To.Name, old, fk.Symbol, o.Symbol, t.Name, r.To.Name, o.Symbol, t.Name, r.From.Name))
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}

// redirectForeignKeys points the foreign keys that reference a renamed
// table at its new name, as RENAME TABLE does on the server; otherwise
// Atlas would report every such key as changed. Tables are copied before
// they are changed: the source state is shared with the caller.
func redirectForeignKeys(s *schema.Schema, old, renamed *schema.Table) {
	for i, t := range s.Tables {
		if !slices.ContainsFunc(t.ForeignKeys, func(fk *schema.ForeignKey) bool { return fk.RefTable == old }) {
			continue
		}
		c := *t
		c.ForeignKeys = make([]*schema.ForeignKey, len(t.ForeignKeys))
		for j, fk := range t.ForeignKeys {
			f := *fk
			if f.RefTable == old {
				f.RefTable = renamed
			}
			f.Table = &c
			c.ForeignKeys[j] = &f
		}
		s.Tables[i] = &c
	}
}
