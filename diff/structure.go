package diff

import (
	"errors"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// checkStructure rejects, before Atlas evaluates the file, what Atlas would
// silently drop or crash on: a second table or column block under a name
// already used (Atlas keeps one of them), index, foreign key and check
// names the server would refuse as duplicates, enum() / set() without
// values (a panic inside Atlas), integers of display width 1 (Atlas makes
// them bools), and a second schema block (Atlas refuses
// the file without saying where).
func checkStructure(body *hclsyntax.Body, t project.Target) []string {
	var errs []string
	add := func(p Pos, format string, args ...any) { errs = append(errs, p.Errorf(format, args...).Error()) }
	tables := map[string]*hclsyntax.Block{}
	folded := map[string]*hclsyntax.Block{} // by lower-cased name
	// Foreign key names are unique per database on both servers (InnoDB
	// keeps them in one dictionary); check names per table on MariaDB, per
	// database on MySQL. Both compare names case-insensitively.
	fks := map[string]labelled{}
	checks := map[string]labelled{}
	var schemaBlock *hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == "schema" && len(b.Labels) == 1 {
			if schemaBlock != nil {
				add(labelPos(b), "schema %q is a second schema block (the first, schema %q, is at %s): a release file declares the one database emcee applies it to; remove this block and declare its tables in schema %q", b.Labels[0], schemaBlock.Labels[0], labelPos(schemaBlock), schemaBlock.Labels[0])
			} else {
				schemaBlock = b
			}
		}
		if b.Type != "table" {
			continue
		}
		name := b.Labels[0]
		if first, ok := tables[name]; ok {
			add(labelPos(b), "table %q is declared twice (first at %s); Atlas would keep only one of the blocks: merge them", name, labelPos(first))
			continue
		}
		tables[name] = b
		if other, ok := folded[strings.ToLower(name)]; ok {
			add(labelPos(b), "%s", caseTwin(name, other.Labels[0], labelPos(other).String()))
		} else {
			folded[strings.ToLower(name)] = b
		}
		columns := map[string]labelled{}
		indexes := map[string]labelled{}
		if t.MariaDB() {
			checks = map[string]labelled{}
		}
		checkReferences(b.Body, name, add)
		for _, c := range b.Body.Blocks {
			if len(c.Labels) == 0 {
				continue
			}
			l := labelled{c.Labels[0], labelPos(c)}
			key := strings.ToLower(l.name)
			// once refuses a second block under the name in a namespace.
			once := func(names map[string]labelled, format string, args ...any) {
				if first, ok := names[key]; ok {
					add(l.pos, format, append([]any{l.name, name, first.name, first.pos}, args...)...)
				}
				names[key] = l
			}
			switch c.Type {
			case "column":
				once(columns, "column %q of table %s is declared twice (first as %q at %s); column names are case-insensitive, and Atlas would keep only one of the blocks: merge them or rename one")
				if a, ok := c.Body.Attributes["type"]; ok {
					checkEmptyEnum(c, a, name, add)
					checkWidthOne(c, a, name, add)
					checkScaledFloat(c, a, name, add)
				}
			case "index":
				once(indexes, "index %q of table %s is declared twice (first as %q at %s); index names are case-insensitive: rename one")
			case "foreign_key":
				once(fks, "foreign key %q of table %s has the name of the foreign key %q at %s; foreign key names are unique in the whole database (case-insensitively): rename one")
			case "check":
				once(checks, "check %q of table %s has the name of the check %q at %s; %s: rename one", checkScope(t))
			}
		}
		if t.MariaDB() {
			// MariaDB keeps a table's checks and foreign keys in one namespace.
			for _, c := range b.Body.Blocks {
				if c.Type != "foreign_key" || len(c.Labels) == 0 {
					continue
				}
				if ck, ok := checks[strings.ToLower(c.Labels[0])]; ok {
					add(labelPos(c), "foreign key %q of table %s has the name of the check %q at %s; MariaDB refuses a check and a foreign key of one table under the same name: rename one", c.Labels[0], name, ck.name, ck.pos)
				}
			}
		}
	}
	return errs
}

// checkReferences refuses a reference to a schema, table or column whose
// name Atlas cannot resolve (schemadef.Unreferable): Atlas fails on it
// with "Invalid index", "column ... was not found" or "schema ... not
// found", naming neither the name's position nor, for a release declared
// as SQL, the statement.
func checkReferences(body *hclsyntax.Body, table string, add func(Pos, string, ...any)) {
	for _, a := range body.Attributes {
		hclsyntax.VisitAll(a.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
			e, ok := n.(*hclsyntax.ScopeTraversalExpr)
			if !ok {
				return nil
			}
			// kind is what the step names: the word before it (schema,
			// table, column); owner, the table a column is of.
			kind, owner := e.Traversal.RootName(), table
			for _, step := range e.Traversal[1:] {
				var name string
				indexed := false // a name Atlas writes quoted: ["..."]
				switch step := step.(type) {
				case hcl.TraverseAttr:
					name = step.Name
				case hcl.TraverseIndex:
					if k := step.Key; k.Type().Equals(cty.String) && k.IsKnown() && !k.IsNull() {
						name, indexed = k.AsString(), true
					}
				}
				if kind == "table" {
					owner = name
				}
				if why := schemadef.Unreferable(name); why != "" && indexed && (kind == "schema" || kind == "table" || kind == "column") {
					what, refs := fmt.Sprintf("the %s %q", kind, name), "a key's columns and a foreign key's table are references"
					switch kind {
					case "column":
						what = fmt.Sprintf("the column %q of table %s", name, owner)
					case "schema":
						refs = "a table's schema is a reference"
					}
					add(project.PosOf(step.SourceRange()), "this reference names %s, whose name holds %s: Atlas, which reads emcee's HCL, keeps such a name escaped in a reference and does not find the %s (%s); rename the %s", what, why, kind, refs, kind)
				}
				kind = name
			}
			return nil
		})
	}
	for _, blk := range body.Blocks {
		checkReferences(blk.Body, table, add)
	}
}

func checkScope(t project.Target) string {
	if t.MariaDB() {
		return "check names are unique per table (case-insensitively)"
	}
	return "MySQL keeps check names unique in the whole database (case-insensitively)"
}

type labelled struct {
	name string
	pos  Pos
}

// checkEmptyEnum refuses `type = enum()` and `set()`: Atlas panics on them.
func checkEmptyEnum(col *hclsyntax.Block, a *hclsyntax.Attribute, table string, add func(Pos, string, ...any)) {
	if call, ok := a.Expr.(*hclsyntax.FunctionCallExpr); ok && (call.Name == "enum" || call.Name == "set") && len(call.Args) == 0 {
		add(project.PosOf(a.Expr.Range()), "column %s.%s: %s() has no values; list the values the column may hold, e.g. %s(\"a\", \"b\")", table, col.Labels[0], call.Name, call.Name)
	}
}

// checkWidthOne refuses an integer type of display width 1 other than a
// signed tinyint(1) (int(1), bigint(1), tinyint(1) or bool with unsigned =
// true, sql("int(1)")): Atlas reads every one as a bool, a signed
// tinyint(1), and the plans created it so, refusing the application's
// 1000 (or 200), as a release declared as SQL's did (schemadef.NotBools).
func checkWidthOne(col *hclsyntax.Block, a *hclsyntax.Attribute, table string, add func(Pos, string, ...any)) {
	var raw, instead string
	switch e := a.Expr.(type) {
	case *hclsyntax.FunctionCallExpr:
		if e.Name != "sql" && len(e.Args) != 1 {
			return // no display width of 1
		}
		var args []string
		for _, arg := range e.Args {
			v, diags := arg.Value(nil)
			if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !(v.Type() == cty.Number || v.Type() == cty.String) {
				return
			}
			if v.Type() == cty.String {
				if e.Name != "sql" {
					return
				}
				raw = v.AsString()
				instead = fmt.Sprintf("sql(%q)", strings.Replace(strings.ToLower(raw), "(1)", "", 1))
				break
			}
			args = append(args, v.AsBigFloat().String())
		}
		if e.Name != "sql" {
			if args[0] != "1" {
				return
			}
			raw, instead = e.Name+"("+args[0]+")", e.Name
		}
	case *hclsyntax.ScopeTraversalExpr:
		if len(e.Traversal) != 1 {
			return
		}
		raw, instead = e.Traversal.RootName(), "tinyint"
	default:
		return
	}
	if u, ok := col.Body.Attributes["unsigned"]; ok {
		if v, diags := u.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.Bool && v.IsKnown() && !v.IsNull() && v.True() {
			raw += " unsigned"
		}
	}
	typ, err := mysql.ParseType(strings.ToLower(raw))
	if err != nil {
		return
	}
	if got, ok := schemadef.RawBool(&schema.Column{Type: &schema.ColumnType{Raw: raw, Type: typ}}); !ok || got == "tinyint(1)" {
		return
	}
	if strings.HasSuffix(raw, " unsigned") && !strings.HasPrefix(instead, "sql(") {
		instead += " with unsigned = true"
	}
	add(project.PosOf(a.Expr.Range()), "column %s.%s is %s, which Atlas reads as a bool (a signed tinyint(1)), and the plans would create it so; write type = %s (a display width changes nothing of what the column holds)", table, col.Labels[0], raw, instead)
}

// checkScaledFloat refuses a floating-point type with digits after the
// point (double(24,8), sql("float(7,4)")): Atlas keeps its precision
// alone, and the plans created a double that does not round, as a
// release declared as SQL's did (schemadef.ScaledFloats).
func checkScaledFloat(col *hclsyntax.Block, a *hclsyntax.Attribute, table string, add func(Pos, string, ...any)) {
	call, ok := a.Expr.(*hclsyntax.FunctionCallExpr)
	if !ok {
		return
	}
	var args []string
	for _, arg := range call.Args {
		v, diags := arg.Value(nil)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !(v.Type() == cty.Number || v.Type() == cty.String) {
			return
		}
		if v.Type() == cty.String {
			args = append(args, v.AsString())
		} else {
			args = append(args, v.AsBigFloat().String())
		}
	}
	raw := call.Name + "(" + strings.Join(args, ",") + ")"
	if call.Name == "sql" && len(args) == 1 {
		raw = strings.ToLower(strings.Join(strings.Fields(args[0]), " "))
	}
	if !strings.Contains(raw, ",") {
		return // no digits after the point: every varchar(n) of a file
	}
	// Atlas's parser takes DOUBLE PRECISION for no type it knows, and its
	// HCL for a plain DOUBLE.
	typ, err := mysql.ParseType(strings.Replace(raw, "double precision", "double", 1))
	if err != nil {
		return
	}
	f, ok := typ.(*schema.FloatType)
	if !ok {
		return
	}
	name, write := f.T, "type = "+f.T
	if f.Unsigned {
		// What the release declared as well: the advice must not drop it.
		name, write = name+" unsigned", write+" with unsigned = true"
	}
	add(project.PosOf(a.Expr.Range()), "column %s.%s is %s, whose digits after the point Atlas does not keep (it reads a floating-point type's precision alone), so the plans would create it as %s, which does not round what is written; write %s, or a decimal with the same digits to keep exact values", table, col.Labels[0], raw, name, write)
}

// labelPos is where a block's name is written.
func labelPos(b *hclsyntax.Block) Pos {
	if len(b.LabelRanges) > 0 {
		return project.PosOf(b.LabelRanges[0])
	}
	return project.PosOf(b.TypeRange)
}

// locator finds where a table's parts are declared in a release file, so
// that checks on the schema Atlas evaluated can point at the source.
type locator struct {
	file   string
	tables map[string]*hclsyntax.Block
	schema *hclsyntax.Block // the first schema block
}

func newLocator(file string, body *hclsyntax.Body) *locator {
	l := &locator{file: file, tables: map[string]*hclsyntax.Block{}}
	for _, b := range body.Blocks {
		if b.Type == "schema" && l.schema == nil {
			l.schema = b
		}
		if b.Type == "table" {
			if _, dup := l.tables[b.Labels[0]]; !dup {
				l.tables[b.Labels[0]] = b
			}
		}
	}
	return l
}

// block finds a table (typ "") or one of its labelled blocks.
func (l *locator) block(table, typ, label string) *hclsyntax.Block {
	t := l.tables[table]
	if t == nil || typ == "" {
		return t
	}
	for _, b := range t.Body.Blocks {
		if b.Type == typ && (label == "" || len(b.Labels) > 0 && b.Labels[0] == label) {
			return b
		}
	}
	return nil
}

// at is where an attribute of a block is written; the block's name when
// the attribute is not, the file when neither is found.
func (l *locator) at(table, typ, label, attr string) Pos {
	b := l.block(table, typ, label)
	if b == nil {
		if t := l.block(table, "", ""); t != nil {
			return labelPos(t)
		}
		return Pos{File: l.file}
	}
	if a, ok := b.Body.Attributes[attr]; ok && attr != "" {
		return project.PosOf(a.Expr.Range())
	}
	return labelPos(b)
}

// schemaAt is where an attribute of the schema block is written; the
// block's name when it is not, the file when there is no schema block.
func (l *locator) schemaAt(attr string) Pos {
	if l.schema == nil {
		return Pos{File: l.file}
	}
	if a, ok := l.schema.Body.Attributes[attr]; ok {
		return project.PosOf(a.Expr.Range())
	}
	return labelPos(l.schema)
}

// generated is where a generated column's kind is written (as { type }).
func (l *locator) generated(table, column string) Pos {
	if c := l.block(table, "column", column); c != nil {
		for _, b := range c.Body.Blocks {
			if a, ok := b.Body.Attributes["type"]; ok && b.Type == "as" {
				return project.PosOf(a.Expr.Range())
			}
		}
	}
	return l.at(table, "column", column, "as")
}

// name is where a table (typ "") or one of its blocks is named.
func (l *locator) name(table, typ, label string) Pos {
	return l.at(table, typ, label, "")
}

// JoinLines is one error of messages, a line each; nil for none.
func JoinLines(errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.New(strings.Join(errs, "\n"))
}

// checkSchema validates what Atlas evaluated: names and the values Atlas
// writes unescaped (check_literals.go), and the server's limits
// (check_limits.go).
func checkSchema(loc *locator, s *schema.Schema, t project.Target) error {
	errs := append(checkNames(loc, s, t), checkLimits(loc, s, t)...)
	return JoinLines(errs)
}

// caseTwin refuses table name, whose name differs from other's (declared
// at where) only in letter case. MariaDB's information_schema, asked for
// both by name as Atlas asks, gives the columns of one of them: the drift
// checks (db diff, the expand preflight) read the other as a table of no
// columns and report drift that is not there, and a release declared as
// SQL could not be planned at all. A server with lower_case_table_names =
// 1 or 2 takes them for one table.
func caseTwin(name, other, where string) string {
	return fmt.Sprintf("table %q differs from table %q (%s) only in letter case: emcee reads a database's tables from the server's information_schema (db diff, the expand preflight), which on MariaDB gives the columns of only one of two such tables when asked for both, and a server with lower_case_table_names = 1 or 2 (the default on Windows and macOS) takes them for one table; give one of them another name", name, other, where)
}
