package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// A primary key moved off its columns. Kanboard 96 dropped the surrogate
// id of project_has_users (ALTER TABLE project_has_users DROP COLUMN id):
// the table kept its unique key (project_id, user_id) on NOT NULL columns,
// which InnoDB then clusters the table by, as it would a primary key
// declared on them. Either way InnoDB rebuilds the table around the new
// clustered index in place, writes continuing, when one ALTER drops the old
// key and the new one takes its place (checked on MariaDB 10.11; dropping
// a key with nothing in its place is a copy, error 1846).
//
// Until contract the previous release still runs: its inserts omit the old
// key's column and rely on its AUTO_INCREMENT (which needs the column
// keyed), its UPDATEs and DELETEs find rows by it, and it may write rows
// that collide under the new key. So the key moves in contract, behind a
// gate counting those rows, in the same ALTER as the drops of the old key's
// columns the release drops (dropping the column alone drops the key with
// nothing in its place). Those drops are column drops like any other: the
// pipeline refuses one whose data nothing declares lost (diff.CheckLosses),
// and review lists the data they take.
func init() {
	register(&Rule{
		Name: "replace-primary-key",
		// Before drop-column, which would drop a column of the old key in
		// a statement of its own.
		Priority: -50,
		Doc: RuleDoc{
			Change:   "replace the primary key of an existing table: a primary key on other columns the table already has (NOT NULL), or none, the table keeping a unique index on NOT NULL columns the previous release has (which InnoDB then clusters it by); the old key's columns may be dropped when the server fills them (AUTO_INCREMENT)",
			Phases:   "contract: one ALTER drops the old key (and the old key's columns the release drops) and adds the new one, and the index a foreign key of the table the old key served gets from the server (ALGORITHM=INPLACE, LOCK=NONE: the table is rebuilt in place, writes continue; on a table with a FULLTEXT index ALGORITHM=COPY, with allow_copy = true)",
			Gate:     "a new primary key: no row whose key another row holds too (the unique index InnoDB clusters by from then on is unique already: none)",
			Rollback: "nothing to undo: contract only",
			Example: `# was [column.id], and column "id" is removed
primary_key {
  columns = [column.project_id, column.user_id]
}`,
		},
		Match: func(c *Change) bool {
			return (is[*schema.ModifyPrimaryKey](c) || is[*schema.DropPrimaryKey](c)) && c.FromTable != nil && c.FromTable.PrimaryKey != nil
		},
		Split: replacePrimaryKey,
	})
}

func replacePrimaryKey(c *Change) ([]Step, error) {
	t, old := c.Table.Name, c.FromTable.PrimaryKey
	key, what, implicit := c.Table.PrimaryKey, "", c.Table.PrimaryKey == nil
	if implicit {
		key = clusterKey(c.ctx.Target, c.Table)
		if key == nil {
			return nil, fmt.Errorf("%s: the primary key of %s (%s) is dropped and nothing takes its place: InnoDB then clusters the table by a row id of its own, which the server does only by copying the table, blocking writes (error 1846 with LOCK=NONE), so contract would fail. Keep the primary key, or declare the key the table moves to: a primary key on NOT NULL columns it has (rule replace-primary-key moves it in place), or a unique index on them added in an earlier release",
				c.ctx.Transition.To.Where(t, ""), t, keyColumns(old))
		}
		what = fmt.Sprintf("unique index %s (%s), the key InnoDB clusters %s by once it has no primary key", key.Name, keyColumns(key), t)
		if had, ok := c.FromTable.Index(key.Name); !ok || !had.Unique || keyColumns(had) != keyColumns(key) {
			return nil, fmt.Errorf("%s: the primary key of %s (%s) is dropped, and %s is new in this release: the server moves the key in place only in the statement dropping the old one, which emcee does not make of an index another rule adds. Declare the new key as what InnoDB makes of it, primary_key { columns = [%s] } (rule replace-primary-key), or add the unique index in an earlier release",
				c.ctx.Transition.To.WherePart(t, key.Name), t, keyColumns(old), what, hclColumns(key))
		}
	} else {
		what = fmt.Sprintf("primary key (%s)", keyColumns(key))
	}
	if err := newKeyColumns(c, old, key); err != nil {
		return nil, err
	}
	give, err := keysServed(c, old, key)
	if err != nil {
		return nil, err
	}
	var changes []schema.Change
	var dropped []string
	for {
		d := c.ctx.Claim(matches(func(o *Change, d *schema.DropColumn) bool { return o.Table.Name == t && inKey(old, d.C.Name) }))
		if d == nil {
			break
		}
		col := d.Change.(*schema.DropColumn).C
		if !ServerFills(col) {
			return nil, fmt.Errorf("%s: %s.%s, a column of the primary key of %s, is dropped in this release, but the server does not fill it: until contract the new release's inserts, which omit it, get its default (or fail without one), and the second such row collides in the old key. Keep %s in this release, written by the new release's code, and drop it in the next one, once the key has moved",
				c.ctx.Transition.To.Where(t, ""), t, col.Name, t, col.Name)
		}
		changes, dropped = append(changes, d.Change), append(dropped, col.Name)
	}
	changes = append(changes, c.Change)
	sql, err := c.Alter(changes...)
	if err != nil {
		return nil, err
	}
	why := fmt.Sprintf("the primary key of %s moves from (%s) to %s; the previous release's queries find rows through the old key", t, keyColumns(old), what)
	if len(dropped) > 0 {
		why += fmt.Sprintf(", its inserts omit %s, which the server numbers (AUTO_INCREMENT needs the column keyed)", strings.Join(dropped, ", "))
	}
	if !implicit {
		why += ", and it may write rows that collide under the new key"
	}
	why += ", so the key moves only after that release is gone, in one ALTER dropping the old key and adding the new one: InnoDB rebuilds the table in place (every row rewritten) while writes continue"
	if len(dropped) > 0 {
		why += fmt.Sprintf("; %s goes in the same ALTER (dropped alone it would take the key with nothing in its place), with its values", strings.Join(dropped, ", "))
	}
	// fk_index.go: said, not left to the server.
	sql, why = tookOver(keyTakesOver(c, key), sql, why)
	sql, why = withKeyIndexes(give, sql, why, "; index %s, which the server gives the foreign keys the old key served, is added in the same statement (moved without it, the key would be left without an index)")
	steps := []Step{stmt(revision.Contract, StageAddGatedConstraint, why, Inplace.With(sql))}
	if implicit {
		steps[0].Why += fmt.Sprintf("; no gate: the previous release has %s unique already", key.Name)
		return steps, nil
	}
	g, err := c.duplicateGate(key)
	if err != nil {
		return nil, fmt.Errorf("%s: primary key of %s: %w", c.ctx.Transition.To.Where(t, ""), t, err)
	}
	return append([]Step{gate(fmt.Sprintf("%s of %s: the previous release could write rows with the same (%s); contract waits until there are none", what, t, keyColumns(key)), g)}, steps...), nil
}

// keyTakesOver are the indexes the server made for foreign keys of the
// table that it keeps and that the new key leads with the columns of: the
// server makes none for a key the clustered index serves.
func keyTakesOver(c *Change, key *schema.Index) []*schema.Index {
	after := schemadef.KeyIndexes(c.Table)
	var out []*schema.Index
	for _, made := range schemadef.KeyIndexes(c.FromTable) {
		if hasForeignKey(c.Table, made.Name) && schemadef.Leads(key, schemadef.PartColumns(made)) && !hasIndex(c.Table, made.Name) &&
			!slices.ContainsFunc(after, func(o *schema.Index) bool { return strings.EqualFold(o.Name, made.Name) }) {
			out = append(out, made)
		}
	}
	return out
}

// newKeyColumns refuses a new key the previous release may write rows
// against: a column it lacks (its rows have none), one it holds NULL in
// that the release leaves NULL (a key column is NOT NULL: one the release
// makes NOT NULL is tightened in contract before the key moves), or a part
// that is no column. A column taking over from another (renamed,
// or replacing it) is said so, not called new.
func newKeyColumns(c *Change, old, key *schema.Index) error {
	t := c.Table.Name
	for _, p := range key.Parts {
		if p.C == nil {
			return fmt.Errorf("%s: the new key of %s has a part that is an expression, which cannot be a primary key; use columns", c.ctx.Transition.To.Where(t, ""), t)
		}
		had, ok := c.FromTable.Column(p.C.Name)
		decl := c.ctx.Decl(t, p.C.Name)
		switch src := decl.Source(); {
		case !ok && src != "" && old != nil && inKey(old, src):
			// The old key holds src, which the takeover drops in
			// contract: the key cannot stay where it is (Keycloak 4.0.0's
			// CLIENT_SCOPE_ATTRIBUTES, keyed on (TEMPLATE_ID, NAME), whose
			// TEMPLATE_ID became SCOPE_ID). src stays, the new column
			// computed from it beside it, and the key and the drop follow
			// release by release.
			how, expr := "renamed_from", src
			if decl.Replaces != nil {
				how, expr = "replaces block", decl.Replaces.Forward
			}
			return fmt.Errorf("%s: the new key of %s: column %s takes over from %s in this release: it is added NULL in expand, filled from %s, which the previous release writes, and made NOT NULL only in contract; and the key on (%s) cannot stay either, since %s goes with this release's contract. Keep %s, and the key on it, in this release, with %s beside it computed from it (`fill = %s` on %s, in place of its %s; the new release writes both); move the key to (%s) in the next release, and drop %s in the one after",
				c.ctx.Transition.To.Where(t, p.C.Name), t, p.C.Name, src, src, keyColumns(old), src, src, p.C.Name, hclquote.Quote(expr), p.C.Name, how, keyColumns(key), src)
		case !ok && src != "":
			// Not new: triggers and a backfill fill it from src, but it
			// is NULL until contract makes it NOT NULL.
			return fmt.Errorf("%s: the new key of %s: column %s takes over from %s in this release: it is added NULL in expand, filled from %s, which the previous release writes, and made NOT NULL only in contract; keep the key on (%s) in this release and move it to %s in the next",
				c.ctx.Transition.To.Where(t, p.C.Name), t, p.C.Name, src, src, keyColumns(old), p.C.Name)
		case !ok:
			return fmt.Errorf("%s: the new key of %s: column %s is new in this release, so the previous release writes no value in it; add the column in one release and move the key in the next", c.ctx.Transition.To.Where(t, p.C.Name), t, p.C.Name)
		case had.Type.Null && p.C.Type.Null:
			return fmt.Errorf("%s: the new key of %s: column %s is NULL in the previous release and in this one, and a key column is NOT NULL; declare it NOT NULL in this release (remove `null = true`): contract tightens it behind a gate counting the rows NULL in it (rule tighten-column), then moves the key", c.ctx.Transition.To.Where(t, p.C.Name), t, p.C.Name)
		case had.Type.Null:
			// Drupal 7.50's openid_association, keyed on assoc_handle,
			// moves its key to idp_endpoint_uri, NULL in 7.44: it was
			// refused, sent to a release of its own for the NOT NULL.
			// The previous release may write NULL there until contract,
			// which then tightens the column (tighten-column, StageTighten)
			// behind its gate counting the rows NULL in it, before it moves
			// the key (StageAddGatedConstraint), in one ALTER (combine.go).
		}
	}
	return nil
}

// keysServed checks what the old key may be the index of (InnoDB finds a
// foreign key's rows through the clustered index too) when contract moves
// it. The server does not refuse to leave a foreign key without one: MariaDB
// 10.11 moved the key all the same, and then rejected every insert of a
// child row (1452) or every delete of a parent row (1451), whatever the
// rows. A key of the table gets back the index a table built from the
// release has for it (fk_index.go), in the same statement; a key of another
// table referencing this one, and an AUTO_INCREMENT column, which the
// server keys or refuses the statement (1075), are refused with the ways
// out. A key of another table referencing this one counts whether the
// previous release has it or not, on a table of that name or another: one
// new in the release, or of a table it adds or renames, is there before
// the key moves (expand, or add-foreign-key earlier in contract) and left
// without an index the same way. A key of the table the release adds is
// added after the move, the server making it its index.
func keysServed(c *Change, old, key *schema.Index) ([]*schema.Index, error) {
	t := c.Table.Name
	refuse := func(at, what, then string, cols []*schema.Column) error {
		return fmt.Errorf("%s: %s needs an index leading with (%s), and the primary key of %s, which gives it one, moves to (%s): %s. Declare an index on (%s) in an earlier release, or in this one without unique (rule add-index builds it in expand), or lead the new key with those columns",
			at, what, columnNames(cols), t, keyColumns(key), then, columnNames(cols))
	}
	var give []*schema.Index
	made := schemadef.KeyIndexes(c.Table)
	for _, fk := range c.Table.ForeignKeys {
		if !hasForeignKey(c.FromTable, fk.Symbol) || !schemadef.Leads(old, fk.Columns) || servedAtContract(c, key, fk.Columns) {
			continue
		}
		i := slices.IndexFunc(made, func(m *schema.Index) bool { return strings.EqualFold(m.Name, fk.Symbol) })
		if i < 0 {
			return nil, refuse(c.ctx.Transition.To.WherePart(t, fk.Symbol), fmt.Sprintf("foreign key %s of %s", fk.Symbol, t), "the server would move the key all the same and leave the foreign key without one, rejecting every delete of a row it references (1451)", fk.Columns)
		}
		give = append(give, made[i])
	}
	for _, other := range c.ctx.Transition.To.Schema.Tables {
		for _, fk := range other.ForeignKeys {
			if fk.RefTable == nil || fk.RefTable.Name != t || !schemadef.Leads(old, fk.RefColumns) || servedAtContract(c, key, fk.RefColumns) {
				continue
			}
			return nil, refuse(c.ctx.Transition.To.WherePart(other.Name, fk.Symbol), fmt.Sprintf("foreign key %s of %s, which references %s,", fk.Symbol, other.Name, t), fmt.Sprintf("the server would move the key all the same and leave the foreign key without one, rejecting every insert into %s (1452)", other.Name), fk.RefColumns)
		}
	}
	for _, p := range old.Parts {
		if p.C == nil {
			continue
		}
		if col, kept := c.Table.Column(p.C.Name); kept && diff.AutoIncrement(col) && !servedAtContract(c, key, []*schema.Column{col}) {
			return nil, refuse(c.ctx.Transition.To.Where(t, col.Name), fmt.Sprintf("%s.%s, an AUTO_INCREMENT column,", t, col.Name), "the server refuses the statement (1075)", []*schema.Column{col})
		}
	}
	return give, nil
}

// servedAtContract reports that cols are led, when contract moves the key
// to key, by key itself or by an index of the release that is there by
// then: one the previous release has too, leading with them there as
// well, or a new one that is not unique (built in expand). A new unique
// one is built in contract, maybe after the key moves.
func servedAtContract(c *Change, key *schema.Index, cols []*schema.Column) bool {
	if schemadef.Leads(key, cols) {
		return true
	}
	return slices.ContainsFunc(c.Table.Indexes, func(idx *schema.Index) bool {
		if !schemadef.Leads(idx, cols) {
			return false
		}
		had, ok := c.FromTable.Index(idx.Name)
		if !ok {
			return !idx.Unique
		}
		return schemadef.Leads(had, cols)
	})
}

// inKey reports a column of the key.
func inKey(key *schema.Index, column string) bool {
	return slices.ContainsFunc(key.Parts, func(p *schema.IndexPart) bool { return p.C != nil && strings.EqualFold(p.C.Name, column) })
}

// keyColumns lists a key's columns for messages: "project_id, user_id".
func keyColumns(key *schema.Index) string {
	return columnNames(schemadef.PartColumns(key))
}

func columnNames(cols []*schema.Column) string {
	return joinEach(cols, ", ", func(c *schema.Column) string {
		if c == nil {
			return "(expression)"
		}
		return c.Name
	})
}

// hclColumns is a key's columns as a primary_key block lists them.
func hclColumns(key *schema.Index) string {
	return joinEach(key.Parts, ", ", func(p *schema.IndexPart) string { return hclquote.Ref("column", p.C.Name) })
}
