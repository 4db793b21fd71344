package diff

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/project"
)

// checkIndexRenames checks each index declared renamed_from (IndexDecl)
// against the previous release: the index it names is there, on the table
// as that release names it, and its name passes to one index only, which
// no other index of either release holds. Whether the two are the same
// index under two names (parts, uniqueness) is Atlas's to say, once the
// rename is applied (refuseChangedRenames).
func (r *Release) checkIndexRenames(prev *Release) []string {
	var errs []string
	first := map[string]*IndexDecl{}
	for _, d := range r.Declarations.Indexes {
		what := fmt.Sprintf("index %s of %s is renamed_from %q", d.Name, d.Table, d.RenamedFrom)
		if prev == nil {
			errs = append(errs, d.Pos.Errorf("%s, but %s is the first release: there is no index to rename; remove renamed_from", what, r.Name).Error())
			continue
		}
		oldTable := r.oldName(d.Table)
		pt, ok := prev.Schema.Table(oldTable)
		if !ok {
			errs = append(errs, d.Pos.Errorf("%s, but release %s has no table %q (%s): an index is renamed on a table both releases have; remove the declaration if it belongs to an older release", what, prev.Name, oldTable, prev.File).Error())
			continue
		}
		if _, ok := pt.Index(d.RenamedFrom); !ok {
			errs = append(errs, d.Pos.Errorf("%s, but table %s of release %s has no such index (%s); remove the declaration if it belongs to an older release, or fix the name%s",
				what, oldTable, prev.Name, prev.File, project.Suggest(d.RenamedFrom, indexNamesOf(pt))).Error())
			continue
		}
		key := strings.ToLower(d.Table + "/" + d.RenamedFrom)
		if o := first[key]; o != nil {
			errs = append(errs, d.Pos.Errorf("%s, and so is index %s (at %s): an index takes one new name. Keep renamed_from on one of them and remove it from the other, which is then a new index (built in expand, or, unique, in contract behind a duplicate gate)",
				what, o.Name, o.Pos).Error())
			continue
		}
		first[key] = d
		if t, ok := r.Schema.Table(d.Table); ok && d.Name != d.RenamedFrom {
			if _, kept := t.Index(d.RenamedFrom); kept {
				errs = append(errs, d.Pos.Errorf("%s, but release %s keeps an index named %s on %s too: a name is either kept or renamed. Remove renamed_from to add %s as a new index beside %s, or rename or remove the other index named %s",
					what, r.Name, d.RenamedFrom, d.Table, d.Name, d.RenamedFrom, d.RenamedFrom).Error())
				continue
			}
		}
		if _, had := pt.Index(d.Name); had {
			if d.Name == d.RenamedFrom {
				errs = append(errs, d.Pos.Errorf("%s, its own name: nothing is renamed; remove renamed_from", what).Error())
				continue
			}
			errs = append(errs, d.Pos.Errorf("%s, but release %s has an index %s on %s already: that name is another index's until contract drops it, and the previous release may name it in its queries (an index hint). Drop that index in this release and rename %s to %s in the next one",
				what, prev.Name, d.Name, oldTable, d.RenamedFrom, d.Name).Error())
		}
	}
	return errs
}

func indexNamesOf(t *schema.Table) []string {
	names := make([]string, len(t.Indexes))
	for i, idx := range t.Indexes {
		names[i] = idx.Name
	}
	return names
}

// renameIndexes gives each index the release declares renamed_from
// (checked by checkIndexRenames) its new name in base, the state before
// the release with its table renames applied, so that Atlas compares the
// index with itself; the renames, by table, are the changes it is then
// given (withIndexRenames). Tables are copied before they change: base
// may be the caller's. An index base lacks was renamed by an earlier
// revision of the release.
func renameIndexes(base *schema.Schema, to *Release, from *schema.Schema) (*schema.Schema, map[string][]*schema.RenameIndex) {
	renames := map[string][]*schema.RenameIndex{}
	for _, d := range to.Declarations.Indexes {
		t, ok := base.Table(d.Table)
		if !ok {
			continue
		}
		old, ok := t.Index(d.RenamedFrom)
		if !ok {
			continue
		}
		c := *t
		c.Indexes = slices.Clone(t.Indexes)
		renamed := *old
		renamed.Name, renamed.Table = d.Name, &c
		c.Indexes[slices.Index(c.Indexes, old)] = &renamed
		base = setTable(base, from, t, &c)
		renames[d.Table] = append(renames[d.Table], &schema.RenameIndex{From: old, To: &renamed})
	}
	return base, renames
}

// withIndexRenames refuses a declared rename whose index Atlas finds
// changed once renamed (other parts, uniqueness or attributes: not the
// same index, so RENAME INDEX cannot make it), and adds each rename to its
// table's changes, where Atlas would have put it; renames is consumed.
func withIndexRenames(to *Release, renames map[string][]*schema.RenameIndex, changes []schema.Change) ([]schema.Change, error) {
	var errs []error
	for _, c := range changes {
		m, ok := c.(*schema.ModifyTable)
		if !ok || renames[m.T.Name] == nil {
			continue
		}
		for _, cc := range m.Changes {
			if mi, ok := cc.(*schema.ModifyIndex); ok {
				if d := to.Declarations.IndexRenamed(m.T.Name, mi.To.Name); d != nil {
					errs = append(errs, notARename(d, mi))
				}
			}
		}
	}
	for _, d := range to.Declarations.Indexes {
		if rs := renames[d.Table]; rs != nil {
			changes = appendToTable(to, changes, d.Table, rs)
			delete(renames, d.Table)
		}
	}
	return changes, errors.Join(errs...)
}

// appendToTable adds changes to the change of table name, where Atlas
// would have put them: among its changes, or in one of its own at the end.
func appendToTable[C schema.Change](to *Release, changes []schema.Change, name string, add []C) []schema.Change {
	t, _ := to.Schema.Table(name)
	mt := modifyTable(&changes, t)
	for _, c := range add {
		mt.Changes = append(mt.Changes, c)
	}
	return changes
}

// notARename is the refusal of an index declared renamed_from one it
// differs from, naming the rules that plan what it is instead.
func notARename(d *IndexDecl, m *schema.ModifyIndex) error {
	what := fmt.Sprintf("index %s of %s is renamed_from %q, but", d.Name, d.Table, d.RenamedFrom)
	instead := fmt.Sprintf("remove renamed_from: %s is then a new index (rule add-index: built online in expand; rule add-unique-index: unique, in contract behind a duplicate gate), and %s is dropped in contract (rule drop-index)", d.Name, d.RenamedFrom)
	switch {
	case m.Change.Is(schema.ChangeUnique) && m.To.Unique:
		return d.Pos.Errorf("%s %s is unique and %s is not: RENAME INDEX keeps an index as it is, so this is a new unique index, not a rename; %s", what, d.Name, d.RenamedFrom, instead)
	case m.Change.Is(schema.ChangeUnique):
		return d.Pos.Errorf("%s %s is unique and %s is not: RENAME INDEX keeps an index as it is, so this is a new index, not a rename; %s", what, d.RenamedFrom, d.Name, instead)
	case m.Change.Is(schema.ChangeParts):
		return d.Pos.Errorf("%s its parts (columns, prefixes, order) differ from %s's: RENAME INDEX keeps an index as it is, so this is a new index, not a rename; %s", what, d.RenamedFrom, instead)
	default:
		return d.Pos.Errorf("%s its comment, type or parser differs from %s's: RENAME INDEX changes only the name. Rename it in this release with %s's definition and change the rest in the next one, or %s", what, d.RenamedFrom, d.RenamedFrom, instead)
	}
}
