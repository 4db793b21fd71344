package splitter

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/sqlname"
)

// specificRefusal explains, per Atlas change type, why no rule claimed the
// change and which declaration would let emcee plan it. Every message says
// what changes in the words of the schema file (changeWords: "column
// images.note changes", not Atlas's "ModifyColumn images.note"), the table
// (and column) and its file:line, so the developer can go straight to the
// block. changetypes_test.go fails when
// Atlas has a change type that is neither claimed by a rule nor explained
// here.
func specificRefusal(tr *diff.Transition, ch *Change) (string, bool) {
	t := ch.Table.Name
	at := func(column string) string { return tr.To.Where(t, column) }
	part := func(name string) string { return tr.To.WherePart(t, name) }
	switch c := ch.Change.(type) {
	case *schema.ModifyColumn:
		if conv := schema.ChangeCharset | schema.ChangeCollate; c.Change&conv != 0 {
			return fmt.Sprintf("%s: %s: its charset or collation changes together with its %s, and emcee converts a column (rule convert-charset) only when nothing else of it changes. Change the charset/collation in one release and the rest in the next, or declare a new column that `replaces` it",
				at(c.To.Name), changeWords(t, c), describeColumnChange(c.Change&^conv)), true
		}
		reason := "no rule handles it"
		if _, err := planTightening(c.From, c.To, c.Change); err != nil {
			reason = err.Error()
		}
		// The column keeps its name, which a replacement cannot take while
		// the old column lives: it comes back by a rename a release later.
		// The advice is a block of its own lines: HCL's one-line form
		// takes one attribute, and `replaces { column = ..., forward =
		// ... }` was refused when pasted.
		where, path := "in its column block", [][]string{{"replaces"}}
		if f := tr.To.DeclFile(); f != "" {
			where, path = fmt.Sprintf("in %s (the new column in the CREATE TABLE, and its name in place of <new column>)", f), [][]string{{"table", t}, {"column", "<new column>"}, {"replaces"}}
		}
		return fmt.Sprintf("%s: %s: %s. Instead, declare a new column, under another name, with the replaces block below %s, so both live side by side while the releases overlap (to keep the name %s, declare in the next release a column %s with `renamed_from` the new one):\n%s",
			at(c.To.Name), changeWords(t, c), reason, where, c.From.Name, c.From.Name,
			hclquote.Block("    ", path, hclquote.Attr{Name: "column", Value: c.From.Name}, hclquote.Attr{Name: "forward", Value: "<new from old>"}, hclquote.Attr{Name: "backward", Value: "<old from new>"})), true
	case *schema.RenameColumn:
		return fmt.Sprintf("%s: %s: emcee plans renames only when declared: add `renamed_from = %s` to column %s",
			at(c.To.Name), changeWords(t, c), hclquote.Quote(c.From.Name), hclquote.Quote(c.To.Name)), true
	case *schema.ModifyIndex:
		return fmt.Sprintf("%s: %s: emcee re-creates an index under its name only when its uniqueness or columns change (rules index-uniqueness and index-columns), not its comment or attributes (type, parser). Give the new definition a new name: a non-unique index is then built online in expand, a unique one in contract behind a duplicate gate, and the old one is dropped in contract",
			part(c.To.Name), changeWords(t, c)), true
	case *schema.AddPrimaryKey:
		// Atlas reports a key replacing another as ModifyPrimaryKey (rule
		// replace-primary-key); add-primary-key claims a key on a table
		// that had none.
		return fmt.Sprintf("%s: %s, which has one: a table has one primary key; declare the new key in place of the old one (rule replace-primary-key moves it in contract)",
			at(""), changeWords(t, c)), true
	case *schema.ModifyForeignKey:
		if sqlname.IsForeignKeyName(t, c.From.Symbol) {
			return fmt.Sprintf("%s: %s: %s is a name the server generated for a foreign key declared without one (InnoDB numbers them %s_ibfk_1, _2, ... in the order the table declares them), so a key added, removed or moved before it gives the name to another key, and every key after it reads as changed. Name the foreign keys of %s (CONSTRAINT `name` FOREIGN KEY ...) with the names the live databases have (SHOW CREATE TABLE %s), and give a new key a new name",
				part(c.To.Symbol), changeWords(t, c), c.From.Symbol, t, t, t), true
		}
	case *schema.RenameConstraint:
		return fmt.Sprintf("%s: %s: MySQL and MariaDB cannot rename a constraint; declare it under the new name as a new constraint (gated in contract) and remove the old one", at(""), changeWords(t, c)), true
	case *schema.AddAttr, *schema.ModifyAttr, *schema.DropAttr:
		return fmt.Sprintf("%s: %s: %s", at(""), changeWords(t, c), attrRefusal(c)), true
	case *schema.AddSchema, *schema.DropSchema, *schema.ModifySchema:
		return fmt.Sprintf("%s: %s: emcee plans the tables of one database; the database itself (creating or dropping it, changing its default charset and collation, which the schema block declares as they are) is the operator's: use CREATE, DROP or ALTER DATABASE outside emcee",
			tr.To.File, changeWords(t, c)), true
	case *schema.AddObject, *schema.DropObject, *schema.ModifyObject, *schema.RenameObject:
		return fmt.Sprintf("%s: %s: emcee does not manage views, functions or other schema objects; remove it from the schema file and manage it outside emcee",
			tr.To.File, changeWords(t, c)), true
	case *schema.RenameTable:
		// Reached only for a rename Atlas reports without a declaration.
		return fmt.Sprintf("%s: %s, which is not declared: add `renamed_from = %s` to table %s (rule rename-table)",
			at(""), changeWords(t, c), hclquote.Quote(c.From.Name), hclquote.Quote(c.To.Name)), true
	}
	return "", false
}

func changeName(c schema.Change) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", c), "*schema.")
}

// changeWords says what a change of table t does in the words of the
// schema file, for messages: Atlas's type names (ModifyColumn,
// AddAttr) are its own, which a developer never wrote.
func changeWords(t string, c schema.Change) string {
	// The changes whose words name no part of the table, by Atlas's type
	// name.
	if w, ok := map[string]string{
		"AddPrimaryKey":    "a primary key is added to " + t,
		"DropPrimaryKey":   "the primary key of " + t + " is dropped",
		"ModifyPrimaryKey": "the primary key of " + t + " changes",
		"RenameConstraint": "a constraint of " + t + " is renamed",
		"AddAttr":          "a table option of " + t + " is added",
		"ModifyAttr":       "a table option of " + t + " changes",
		"DropAttr":         "a table option of " + t + " is removed",
		"AddSchema":        "a schema block (a database) is added",
		"DropSchema":       "a schema block (a database) is removed",
		"ModifySchema":     "the schema block (the database's own attributes) changes",
		"AddObject":        "a view, function or other schema object is added",
		"DropObject":       "a view, function or other schema object is removed",
		"ModifyObject":     "a view, function or other schema object changes",
		"RenameObject":     "a view, function or other schema object is renamed",
	}[changeName(c)]; ok {
		return w
	}
	switch c := c.(type) {
	case *schema.AddTable:
		return "table " + c.T.Name + " is added"
	case *schema.DropTable:
		return "table " + c.T.Name + " is dropped"
	case *schema.RenameTable:
		return fmt.Sprintf("table %s is renamed to %s", c.From.Name, c.To.Name)
	case *schema.AddColumn:
		return fmt.Sprintf("column %s.%s is added", t, c.C.Name)
	case *schema.DropColumn:
		return fmt.Sprintf("column %s.%s is dropped", t, c.C.Name)
	case *schema.ModifyColumn:
		return fmt.Sprintf("column %s.%s changes (%s)", t, c.To.Name, describeColumnChange(c.Change))
	case *schema.RenameColumn:
		return fmt.Sprintf("column %s.%s is renamed to %s", t, c.From.Name, c.To.Name)
	case *schema.AddIndex:
		return fmt.Sprintf("index %s is added to %s", c.I.Name, t)
	case *schema.DropIndex:
		return fmt.Sprintf("index %s is dropped from %s", c.I.Name, t)
	case *schema.ModifyIndex:
		return fmt.Sprintf("index %s on %s changes (%s)", c.From.Name, t, describeKinds(c.Change, []kindName{{schema.ChangeUnique, "uniqueness"}, {schema.ChangeParts, "columns"}, {schema.ChangeComment, "comment"}, {schema.ChangeAttr, "attributes"}}, "definition"))
	case *schema.RenameIndex:
		return fmt.Sprintf("index %s on %s is renamed to %s", c.From.Name, t, c.To.Name)
	case *schema.AddForeignKey:
		return fmt.Sprintf("foreign key %s is added to %s", c.F.Symbol, t)
	case *schema.DropForeignKey:
		return fmt.Sprintf("foreign key %s is dropped from %s", c.F.Symbol, t)
	case *schema.ModifyForeignKey:
		return fmt.Sprintf("foreign key %s on %s changes (%s)", c.From.Symbol, t, describeKinds(c.Change, []kindName{{schema.ChangeColumn, "columns"}, {schema.ChangeRefColumn, "referenced columns"}, {schema.ChangeRefTable, "referenced table"}, {schema.ChangeUpdateAction, "ON UPDATE"}, {schema.ChangeDeleteAction, "ON DELETE"}}, "definition"))
	case *schema.AddCheck:
		return fmt.Sprintf("check %s is added to %s", c.C.Name, t)
	case *schema.DropCheck:
		return fmt.Sprintf("check %s is dropped from %s", c.C.Name, t)
	case *schema.ModifyCheck:
		return fmt.Sprintf("check %s on %s changes", c.From.Name, t)
	}
	// A change type Atlas added since: its own name, rather than none.
	return changeName(c) + " on table " + t
}

// attrRefusal explains a table option change emcee does not plan. (The
// table comment and the charset and collation have rules: table-comment,
// convert-charset.)
func attrRefusal(c schema.Change) string {
	a := diff.ChangedAttr(c)
	switch a.(type) {
	case *mysql.Engine:
		return "the storage engine changes, which rebuilds the table under a lock; emcee does not plan it. Keep the engine, or move the data to a new table"
	case *mysql.AutoIncrement:
		return "the AUTO_INCREMENT start value changes; it only matters when a table is created. Remove `auto_increment = N` from the table block"
	case *mysql.SystemVersioned:
		return "system versioning changes, which rebuilds the table and changes what DELETE means for the previous release; emcee does not plan it"
	}
	return fmt.Sprintf("the table option %T changes; emcee does not know whether the previous release survives it, so it does not plan it. Remove the option change from the table block", a)
}

type kindName struct {
	kind schema.ChangeKind
	name string
}

// describeKinds names the kinds of change k holds, none when it holds none
// of them.
func describeKinds(k schema.ChangeKind, names []kindName, none string) string {
	var parts []string
	for _, n := range names {
		if k.Is(n.kind) {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return none
	}
	return strings.Join(parts, ", ")
}
