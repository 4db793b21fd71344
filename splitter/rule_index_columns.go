package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"
)

// An index that keeps its name and its uniqueness while its columns or
// prefix lengths change: WordPress 4.2 shortened meta_key, post_name and
// name to 191 characters for utf8mb4 (`DROP INDEX meta_key, ADD INDEX
// meta_key(meta_key(191))`), Zabbix 4.4 extended dchecks_1 to (druleid,
// host_source, name_source). Both servers drop and re-add an index of the
// same name in one ALTER, in place without a rebuild and without blocking
// writes, so the name is defined throughout. The previous release's
// queries were written for the old definition (and a unique one's writes
// for its key), so the index changes in contract; a unique one behind the
// duplicate gate of its new key, as a new unique index is. It changes at
// the stage of dropped indexes, before contract drops columns: the old
// definition may cover a column the release drops (Zabbix 4.4's
// media_type_1 moved from description to name, description renamed), and
// dropping that column first dropped the index with it, refused as
// ALGORITHM=INSTANT ("Reason: DROP INDEX"), and left nothing for the
// index's own DROP INDEX.
func init() {
	register(&Rule{
		Name: "index-columns",
		Doc: RuleDoc{
			Change:   "an index keeps its name and uniqueness, and its columns or prefix lengths change",
			Phases:   "contract: dropped and added again in one ALTER (ALGORITHM=INPLACE, LOCK=NONE)",
			Rollback: "nothing to undo: contract only",
			Gate:     "unique: no row whose new key another row holds too (rows with a NULL key part are never duplicates)",
			Example: `# was on the whole column
index "meta_key" {
  on {
    column = column.meta_key
    prefix = 191
  }
}`,
		},
		Match: matches(func(c *Change, m *schema.ModifyIndex) bool { return m.Change == schema.ChangeParts }),
		Split: splits(func(c *Change, m *schema.ModifyIndex) ([]Step, error) {
			if !m.To.Unique {
				return readdIndex(c, StageDropIndex, fmt.Sprintf("index %s on %s changes its columns; the previous release's queries were written for the old ones, so it changes only after that release is gone; dropped and added again in one statement (the index never goes missing), online, writes continue", m.To.Name, c.Table.Name), "")
			}
			gateWhy := fmt.Sprintf("unique index %s on %s changes its columns: the previous release could write rows whose new key another row holds; contract waits until there are none", m.To.Name, c.Table.Name)
			if holdsRenamedKey(c, m.To, m.From) {
				return readdIndex(c, StageTakeOverRenamedKey,
					fmt.Sprintf("unique index %s on %s moves to the names the release gives its columns (renamed_from); dropped and added again in one statement (the index never goes missing), online, writes continue, before the copy triggers go: while they run, the index on the old names refuses a duplicate the new release writes", m.To.Name, c.Table.Name), gateWhy)
			}
			return readdIndex(c, StageDropIndex,
				fmt.Sprintf("unique index %s on %s changes its columns and would reject rows the previous release may still write, so it changes only after that release is gone; dropped and added again in one statement (the index never goes missing), online, writes continue", m.To.Name, c.Table.Name), gateWhy)
		}),
	})
}
