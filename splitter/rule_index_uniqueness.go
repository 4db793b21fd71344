package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"
)

// An index that keeps its name and becomes unique (phpBB 3.0.6's
// acl_options.auth_option, KEY -> UNIQUE) or stops being unique. Both
// servers drop and re-add an index of the same name in one ALTER, in place
// without a rebuild and without blocking writes, so there is no moment where
// neither definition holds. Unique, it rejects duplicates the previous
// release may still write, so it waits for contract behind the duplicate
// gate, as a new unique index does; no longer unique, the previous release
// may rely on it for INSERT ... ON DUPLICATE KEY, so it waits too.
func init() {
	register(&Rule{
		Name: "index-uniqueness",
		Doc: RuleDoc{
			Change:   "an index keeps its name and becomes unique, or stops being unique (its columns may change too)",
			Phases:   "contract: dropped and added again in one ALTER (ALGORITHM=INPLACE, LOCK=NONE)",
			Rollback: "nothing to undo: contract only",
			Gate:     "becoming unique: no row whose key another row holds too (rows with a NULL key part are never duplicates)",
			Example: `# was not unique
index "auth_option" {
  unique  = true
  columns = [column.auth_option]
}`,
		},
		Match: matches(func(c *Change, m *schema.ModifyIndex) bool {
			return m.Change.Is(schema.ChangeUnique) && m.Change&^(schema.ChangeUnique|schema.ChangeParts) == schema.NoChange
		}),
		Split: splits(func(c *Change, m *schema.ModifyIndex) ([]Step, error) {
			if !m.To.Unique {
				return readdIndex(c, StageAddGatedConstraint, fmt.Sprintf("index %s on %s is no longer unique; the previous release may rely on its uniqueness, so it changes only after that release is gone; dropped and added again in one statement, online, writes continue", m.To.Name, c.Table.Name), "")
			}
			return readdIndex(c, StageAddGatedConstraint,
				fmt.Sprintf("index %s on %s becomes unique and would reject duplicates the previous release may still write, so it changes only after that release is gone; dropped and added again in one statement (the index never goes missing), online, writes continue", m.To.Name, c.Table.Name),
				fmt.Sprintf("index %s on %s becomes unique: the previous release could write duplicate keys; contract waits until there are none", m.To.Name, c.Table.Name))
		}),
	})
}
