package splitter

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
)

// atlasChangeTypes lists every type implementing schema.Change in the
// Atlas version the module builds with, read from its source, so a new
// change type in an Atlas upgrade fails TestEveryChangeTypeIsClassified
// until someone decides its rule or its refusal.
func atlasChangeTypes(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "ariga.io/atlas").Output()
	if err != nil {
		t.Fatalf("locating the atlas module: %v", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "sql", "schema", "migrate.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "change" || fn.Recv == nil || len(fn.Recv.List) != 1 {
			continue
		}
		if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
			if id, ok := star.X.(*ast.Ident); ok {
				names = append(names, id.Name)
			}
		}
	}
	if len(names) < 30 {
		t.Fatalf("found only %d change types in %s: the parser no longer matches Atlas's source", len(names), file)
	}
	return names
}

// TestEveryChangeTypeIsClassified: every change type Atlas can report is
// either claimed by a rule (with the sample shown) or refused with a
// message that names the change type and where it is declared.
// ModifyTable is never seen by rules: flatten splits it into its changes.
func TestEveryChangeTypeIsClassified(t *testing.T) {
	tr, ctx := tcTransition(t, mariadb1011, tcImages, tcImages)
	images, _ := tr.To.Schema.Table("images")
	owners, _ := tr.To.Schema.Table("owners")
	col := func(name string) *schema.Column { c, _ := images.Column(name); return c }
	idx := &schema.Index{Name: "ix_size", Table: images, Parts: []*schema.IndexPart{{C: col("size")}}}
	uniq := &schema.Index{Name: "ux_size", Unique: true, Table: images, Parts: []*schema.IndexPart{{C: col("size")}}}
	fk := &schema.ForeignKey{Symbol: "fk_owner", Table: images, Columns: []*schema.Column{col("owner_id")}, RefTable: owners, RefColumns: owners.Columns[:1]}
	ck := &schema.Check{Name: "ck_size", Expr: "size >= 0"}
	wider := *col("name")
	wider.Type = &schema.ColumnType{Type: &schema.StringType{T: "varchar", Size: 40}, Raw: "varchar(40)"}
	numeric := *col("name")
	numeric.Type = &schema.ColumnType{Type: &schema.IntegerType{T: "int"}, Raw: "int"}
	newT := &schema.Table{Name: "tags", Schema: tr.To.Schema, Columns: []*schema.Column{{Name: "tag", Type: &schema.ColumnType{Type: &schema.StringType{T: "varchar", Size: 10}}}}}
	renamed := *images
	renamed.Name = "pictures"

	samples := []struct {
		change schema.Change
		rule   string // the rule that must claim it, or "" for a refusal
	}{
		{&schema.AddSchema{S: tr.To.Schema}, ""},
		{&schema.DropSchema{S: tr.To.Schema}, ""},
		{&schema.ModifySchema{S: tr.To.Schema, Changes: []schema.Change{&schema.ModifyAttr{From: &schema.Charset{V: "latin1"}, To: &schema.Charset{V: "utf8mb4"}}}}, ""},
		{&schema.AddTable{T: newT}, "create-table"},
		{&schema.DropTable{T: images}, "drop-table"},
		{&schema.RenameTable{From: images, To: &renamed}, ""},
		{&schema.AddObject{}, ""},
		{&schema.DropObject{}, ""},
		{&schema.ModifyObject{}, ""},
		{&schema.RenameObject{}, ""},
		{&schema.AddColumn{C: &schema.Column{Name: "extra", Type: &schema.ColumnType{Type: &schema.IntegerType{T: "int"}, Null: true}}}, "add-column"},
		{&schema.DropColumn{C: col("price")}, "drop-column"},
		{&schema.ModifyColumn{From: col("name"), To: &wider, Change: schema.ChangeType}, "widen-column"},
		{&schema.ModifyColumn{From: col("name"), To: &numeric, Change: schema.ChangeType}, ""},
		{&schema.RenameColumn{From: col("note"), To: &wider}, ""},
		{&schema.AddIndex{I: idx}, "add-index"},
		{&schema.AddIndex{I: uniq}, "add-unique-index"},
		{&schema.DropIndex{I: idx}, "drop-index"},
		{&schema.ModifyIndex{From: idx, To: uniq, Change: schema.ChangeUnique}, "index-uniqueness"},
		{&schema.ModifyIndex{From: idx, To: idx, Change: schema.ChangeParts}, "index-columns"},
		{&schema.RenameIndex{From: idx, To: uniq}, "rename-index"},
		{&schema.AddPrimaryKey{P: idx}, ""},
		{&schema.DropPrimaryKey{P: idx}, "replace-primary-key"},
		{&schema.ModifyPrimaryKey{From: idx, To: uniq, Change: schema.ChangeParts}, "replace-primary-key"},
		{&schema.AddForeignKey{F: fk}, "add-foreign-key"},
		{&schema.DropForeignKey{F: fk}, "drop-foreign-key"},
		{&schema.ModifyForeignKey{From: fk, To: fk, Change: schema.ChangeDeleteAction}, ""},
		{&schema.AddCheck{C: ck}, "add-check"},
		{&schema.DropCheck{C: ck}, "drop-check"},
		{&schema.ModifyCheck{From: ck, To: &schema.Check{Name: "ck_size", Expr: "size > 0"}}, "add-check"},
		{&schema.RenameConstraint{}, ""},
		{&schema.ModifyAttr{From: &schema.Comment{Text: "a"}, To: &schema.Comment{Text: "b"}}, "table-comment"},
		{&schema.AddAttr{A: &schema.Comment{Text: "b"}}, "table-comment"},
		{&schema.ModifyAttr{From: &schema.Charset{V: "latin1"}, To: &schema.Charset{V: "utf8mb4"}}, "convert-charset"},
		{&schema.AddAttr{A: &schema.Collation{V: "utf8mb4_bin"}}, "convert-charset"},
		{&schema.ModifyAttr{From: &mysql.Engine{V: "MyISAM"}, To: &mysql.Engine{V: "InnoDB"}}, ""},
		{&schema.ModifyAttr{From: &mysql.AutoIncrement{V: 1}, To: &mysql.AutoIncrement{V: 100}}, ""},
		{&schema.AddAttr{A: &mysql.SystemVersioned{}}, ""},
		{&schema.DropAttr{A: &mysql.SystemVersioned{}}, ""},
	}
	covered := map[string]bool{"ModifyTable": true}
	for _, s := range samples {
		name := changeName(s.change)
		covered[name] = true
		t.Run(name, func(t *testing.T) {
			table, from := images, images
			switch s.change.(type) {
			case *schema.AddSchema, *schema.DropSchema, *schema.ModifySchema, *schema.AddObject, *schema.DropObject, *schema.ModifyObject, *schema.RenameObject:
				table, from = &schema.Table{Name: ""}, nil
			case *schema.AddTable:
				table, from = newT, nil
			case *schema.RenameTable:
				table = &renamed
			}
			ch := &Change{Change: s.change, Table: table, FromTable: from, ctx: ctx}
			var claimed string
			for _, r := range rules {
				if r.Match(ch) {
					claimed = r.Name
					break
				}
			}
			if s.rule != "" {
				if claimed != s.rule {
					t.Fatalf("%s: claimed by %q, want rule %s", name, claimed, s.rule)
				}
				return
			}
			if claimed != "" {
				// A rule may take over a refusal (e.g. a declared rename):
				// that is a classification too.
				return
			}
			msg, ok := specificRefusal(tr, ch)
			if !ok {
				t.Fatalf("%s: neither a rule nor a specific refusal", name)
			}
			// In the schema file's words: Atlas's type name is its own.
			if words := changeWords(table.Name, s.change); strings.Contains(msg, name) || !strings.Contains(msg, words) || !strings.Contains(msg, "after.hcl") {
				t.Errorf("%s: refusal must say what changes (%q), not as Atlas names it, and where it is declared: %s", name, words, msg)
			}
			if full := refusal(tr, ch).Error(); full != msg {
				t.Errorf("refusal() does not use the specific message:\n%s", full)
			}
		})
	}
	for _, name := range atlasChangeTypes(t) {
		if !covered[name] {
			t.Errorf("Atlas change type %s has no sample here: decide its rule or its refusal (refusal_kinds.go) and add it", name)
		}
	}
	// ModifyTable reaches no rule: flatten hands its changes over one by one.
	mt := *tr
	mt.Changes = []schema.Change{&schema.ModifyTable{T: images, Changes: []schema.Change{&schema.AddIndex{I: idx}, &schema.DropCheck{C: ck}}}}
	flat := flatten(&mt)
	if len(flat) != 2 || flat[0].Table != images || flat[0].FromTable == nil {
		t.Errorf("flatten(ModifyTable) = %d changes, want its 2 changes on images", len(flat))
	}
}

// Foreign keys declared without a name are numbered by the server in
// declaration order; one added in the middle (Friendica 2024.08's
// post.replies-id) shifts the names of the rest, and each reads as changed.
// The refusal says so, and what to do.
func TestGeneratedForeignKeyNamesRefusal(t *testing.T) {
	tr, ctx, err := tcDiff(mariadb1011, tcImages, tcImages)
	if err != nil {
		t.Fatal(err)
	}
	images, _ := tr.To.Schema.Table("images")
	owners, _ := tr.To.Schema.Table("owners")
	owner, _ := images.Column("owner_id")
	id, _ := owners.Column("id")
	size, _ := images.Column("size")
	fk := func(col *schema.Column) *schema.ForeignKey {
		return &schema.ForeignKey{Symbol: "images_ibfk_2", Table: images, Columns: []*schema.Column{col}, RefTable: owners, RefColumns: []*schema.Column{id}}
	}
	ch := &Change{Change: &schema.ModifyForeignKey{From: fk(owner), To: fk(size), Change: schema.ChangeColumn}, Table: images, FromTable: images, ctx: ctx}
	msg, ok := specificRefusal(tr, ch)
	if !ok || !strings.Contains(msg, "images_ibfk_2 is a name the server generated") || !strings.Contains(msg, "SHOW CREATE TABLE images") {
		t.Errorf("got %q", msg)
	}
	ch.Change.(*schema.ModifyForeignKey).From.Symbol = "fk_owner"
	if msg, _ := specificRefusal(tr, ch); strings.Contains(msg, "generated") {
		t.Errorf("a named key is not generated: %q", msg)
	}
}
