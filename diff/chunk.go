package diff

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// Evaluating a release file block by block. Consecutive releases share
// most of their tables verbatim, and an edit touches a few of them, so
// evaluating a file as a whole (Atlas's HCL evaluation is most of what
// planning costs) repeats work done for the same blocks in the release
// before, or in the version of the file planned last time. Each top-level
// block is evaluated once per content: its table as Atlas evaluates it,
// its declarations as emcee reads them. The file's release is assembled
// from them. A table block that changes only columns of a version of the
// table evaluated before is evaluated as those columns (edits.go).
//
// Atlas does the evaluating, on the blocks that are new, with the file's
// schema block (and, for tables that reference other tables, stand-ins
// naming the columns referenced). Whatever the assembly cannot vouch for
// falls back to evaluating the whole file: a block that does not parse on
// its own, top-level attributes, a repeated table, references of another
// shape, any error at all. Errors are therefore always the whole file's.
// EMCEE_VERIFY_EVAL=1 evaluates every file both ways and fails on any
// difference; the test suite runs with it.

// A chunk is a top-level block of a file with the comments and blank
// lines after it (schemadef.Chunks cuts a file so).
type chunk = schemadef.Chunk

// A piece is what one chunk contributes to its release: its block as Atlas
// evaluates it, and where its table and columns are declared, relative to
// the chunk's first line. A chunk that declares intent (renamed_from of a
// table, column or index,
// replaces, fill, allow_copy, a data migration, a discard) is read again
// wherever it is assembled: its parsed expressions point into the file.
type piece struct {
	Kind, Name string // block type and label; Kind "" for a chunk of comments
	// SchemaAttrs are a schema block's attributes as Atlas evaluates them.
	SchemaAttrs []schema.Attr
	// Table is a table block as Atlas evaluates it; its foreign keys name
	// the tables they reference.
	Table *cachedTable
	// InSchema is the schema a table belongs to.
	InSchema  string
	Positions map[string]Pos
	Declares  bool
	// Edit, in a pack, stands for a table evaluated as an edit of a
	// version kept in a pack (edits.go): Table holds only the columns it
	// adds, in place of the version's [From, To), and readPack puts the
	// table together again. Nil in a piece in use.
	Edit *packedEdit
	// pack and slot say where the evaluation cache keeps the piece: set
	// once the pack is written, or when the piece was read from it.
	pack [32]byte
	slot int
	// lines cut a table block into its items, for its edits (edits.go);
	// nil for a piece read from the cache.
	lines *tableLines
	// checked is set once the table passed checkSchema, and alone holds
	// leftAlone of it from its first assembly on: both read only what the
	// piece's key determines (the block, the schema block's attributes,
	// the target), so every release holding the piece finds the same.
	checked, alone atomic.Bool
}

type packedEdit struct {
	Pack           [32]byte
	Slot, From, To int
}

var errChunks = errors.New("the file does not evaluate block by block")

// minGroup is the fewest blocks worth an evaluation of their own, and
// maxGroup the most: Atlas holds a group's syntax and values until it is
// done, and a new file's thousand blocks evaluated as two groups took a
// third more memory (and its page faults, a fifth of a command's CPU).
const minGroup, maxGroup = 100, 125

// evalChunks evaluates a file block by block, reusing the blocks already
// evaluated in this process. It returns errChunks (or any error) when the
// whole file must be evaluated instead.
func evalChunks(src Source, t project.Target) (*Release, []*piece, error) {
	if bytes.HasPrefix(src.Src, []byte("\xef\xbb\xbf")) {
		return nil, nil, errChunks
	}
	chunks := schemadef.Chunks(src.Src)
	schemaChunk, keys, ok := pieceKeys(chunks, t)
	if !ok {
		return nil, nil, errChunks
	}
	pieces := make([]*piece, len(chunks))
	futures, missed, edited, bases := pieceMemo.register(t, schemaChunk, chunks, keys)
	// The new blocks are evaluated in groups side by side: a group needs
	// only the schema block and stand-ins besides its own blocks. Edits
	// wait for the versions they edit first (edits.go).
	var wg sync.WaitGroup
	for _, todo := range [][]int{missed, edited} {
		groups := max(min(runtime.GOMAXPROCS(0), (len(todo)+minGroup-1)/minGroup), (len(todo)+maxGroup-1)/maxGroup)
		for g := range groups {
			group := todo[g*len(todo)/groups : (g+1)*len(todo)/groups]
			wg.Go(func() {
				for _, i := range group {
					if bases[i] != nil {
						_, _ = bases[i].f.wait()
					}
				}
				evalSlots <- struct{}{}
				got, err := evalGroup(src, t, schemaChunk, chunks, group, bases)
				<-evalSlots
				for j, i := range group {
					if err != nil {
						futures[i].resolve(nil, err)
					} else {
						futures[i].resolve(got[j], nil)
					}
				}
			})
		}
	}
	wg.Wait()
	for i, f := range futures {
		p, err := f.wait()
		if err != nil {
			return nil, nil, err
		}
		pieces[i] = p
	}
	r, err := assemble(src, t, pieces, chunks, keys)
	return r, pieces, err
}

// evalGroup evaluates a group of new blocks, the edits among them first
// (edits.go), the rest by evalPieces, in a goroutine of its own: a panic
// in Atlas becomes an error, and the whole file's evaluation meets it
// again on the caller's side.
func evalGroup(src Source, t project.Target, schemaChunk []byte, chunks []chunk, group []int, bases []*baseTable) (got []*piece, err error) {
	defer func() {
		if r := recover(); r != nil {
			got, err = nil, fmt.Errorf("%w: %s: Atlas panicked: %v", errChunks, src.File, r)
		}
	}()
	got, packed := make([]*piece, len(group)), make([]*piece, len(group))
	if bases[group[0]] != nil { // a group of edits
		got, packed = evalEdits(src, t, schemaChunk, chunks, group, bases)
	}
	var rest []int
	for j, i := range group {
		if got[j] == nil {
			rest = append(rest, i)
		}
	}
	if len(rest) > 0 {
		whole, err := evalPieces(src, t, chunks, rest)
		if err != nil {
			return nil, err
		}
		for j := range got {
			if got[j] == nil {
				got[j], packed[j], whole = whole[0], whole[0], whole[1:]
			}
		}
	}
	writePack(got, packed)
	return got, nil
}

// evalPieces parses the chunks named by missed, reads their declarations
// and has Atlas evaluate their blocks, with the file's schema block and
// stand-ins for the tables they reference.
func evalPieces(src Source, t project.Target, chunks []chunk, missed []int) ([]*piece, error) {
	out := make([]*piece, len(missed))
	parser := hclparse.NewParser()
	tables := map[string]bool{}
	var bodies []*hclsyntax.Body
	var schemaBody *hclsyntax.Body
	schemaName := ""
	for j, i := range missed {
		c := chunks[i]
		// Positions are the chunk's own, without a file name: the piece
		// is shared by every file holding the chunk.
		f, diags := hclsyntax.ParseConfig(c.Data, "", hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			return nil, errChunks
		}
		body := f.Body.(*hclsyntax.Body)
		// What ParseRelease checks of a block before Atlas evaluates it.
		if len(body.Attributes) > 0 || len(body.Blocks) > 1 || validate(body, fileSpec, "the file") != nil || len(checkStructure(body, t)) > 0 {
			return nil, errChunks
		}
		d, err := readDeclarations(body, c.Data)
		if err != nil {
			return nil, errChunks
		}
		p := &piece{Positions: d.positions, Declares: len(d.Columns)+len(d.Tables)+len(d.Indexes)+len(d.DataMigrations)+len(d.Discards)+len(d.StoredFunctions) > 0}
		bodies = append(bodies, body)
		if len(body.Blocks) == 1 {
			b := body.Blocks[0]
			p.Kind, p.Name = b.Type, b.Labels[0]
			switch b.Type {
			case "table":
				tables[p.Name] = true
			case "schema":
				schemaBody, schemaName = body, p.Name
			}
		}
		out[j] = p
		parser.Files()[fmt.Sprintf("chunk%06d", i)] = f
	}
	if len(tables) == 0 && schemaBody == nil && len(missed) > 0 {
		// Only data migrations or comments: nothing for Atlas to evaluate
		// that the assembly does not check.
		return out, nil
	}
	if schemaBody == nil {
		for i, c := range chunks {
			if c.IsSchema() {
				f, diags := hclsyntax.ParseConfig(c.Data, "", hcl.Pos{Line: 1, Column: 1})
				if diags.HasErrors() || len(f.Body.(*hclsyntax.Body).Blocks) != 1 {
					return nil, errChunks
				}
				schemaName = f.Body.(*hclsyntax.Body).Blocks[0].Labels[0]
				parser.Files()[fmt.Sprintf("chunk%06d", i)] = f
			}
		}
	}
	if err := standIns(parser, tables, schemaName); err != nil {
		return nil, err
	}
	s, err := schemadef.Eval(parser, src.File, t)
	if err != nil {
		return nil, errChunks
	}
	// A block sees the server's built-in functions only: a call of a
	// stored function declared in another block is checked when the
	// whole file is evaluated.
	for j, b := range bodies {
		if err := checkSchemaExprs(b, chunks[missed[j]].Data, s, (&Declarations{}).Functions(t)); err != nil {
			return nil, errChunks
		}
	}
	for j, p := range out {
		switch p.Kind {
		case "schema":
			p.SchemaAttrs = s.Attrs
		case "table":
			tbl, ok := s.Table(p.Name)
			if !ok {
				return nil, errChunks
			}
			if p.Table, err = flattenTable(tbl); err != nil {
				return nil, errChunks
			}
			p.InSchema = tbl.Schema.Name
			p.lines = linesOf(bodies[j].Blocks[0], chunks[missed[j]].Data, p.Table)
		}
	}
	return out, nil
}

// standIns declares, for the tables being evaluated, the tables they
// reference that are not among them: only the columns referenced, which is
// all Atlas reads of them. The assembly links the references to the real
// tables.
func standIns(parser *hclparse.Parser, evaluated map[string]bool, schemaName string) error {
	need := map[string][]string{}
	var walkErr error
	for _, f := range parser.Files() {
		// A reference is rooted at the word table: a block holding the word
		// no more than as its own type names none (walking every node of
		// every block is a tenth of evaluating them).
		if n := bytes.Count(f.Bytes, []byte("table")); n == 0 || (n == 1 && bytes.HasPrefix(f.Bytes, []byte("table"))) {
			continue
		}
		_ = hclsyntax.VisitAll(f.Body.(*hclsyntax.Body), func(n hclsyntax.Node) hcl.Diagnostics {
			e, ok := n.(*hclsyntax.ScopeTraversalExpr)
			if !ok || e.Traversal.RootName() != "table" {
				return nil
			}
			tr := e.Traversal
			if len(tr) != 4 {
				walkErr = errChunks
				return nil
			}
			name, ok1 := tr[1].(hcl.TraverseAttr)
			col, ok2 := tr[3].(hcl.TraverseAttr)
			if kw, ok3 := tr[2].(hcl.TraverseAttr); !ok1 || !ok2 || !ok3 || kw.Name != "column" {
				walkErr = errChunks
				return nil
			}
			if !evaluated[name.Name] && !slices.Contains(need[name.Name], col.Name) {
				need[name.Name] = append(need[name.Name], col.Name)
			}
			return nil
		})
	}
	if walkErr != nil || len(need) == 0 {
		return walkErr
	}
	w := hclwrite.NewEmptyFile()
	for _, n := range slices.Sorted(maps.Keys(need)) {
		b := w.Body().AppendNewBlock("table", []string{n}).Body()
		b.SetAttributeTraversal("schema", hcl.Traversal{hcl.TraverseRoot{Name: "schema"}, hcl.TraverseAttr{Name: schemaName}})
		for _, c := range need[n] {
			b.AppendNewBlock("column", []string{c}).Body().SetAttributeTraversal("type", hcl.Traversal{hcl.TraverseRoot{Name: "int"}})
		}
	}
	if _, diags := parser.ParseHCL(w.Bytes(), "standins"); diags.HasErrors() {
		return errChunks
	}
	return nil
}

// assemble builds the release from its pieces, as evaluating the whole
// file builds it; keys are the pieces' (pieceKey), which name what each
// table Atlas's diff leaves alone evaluated from (Release.blocks).
func assemble(src Source, t project.Target, pieces []*piece, chunks []chunk, keys [][32]byte) (*Release, error) {
	var sp *piece
	seen := map[string]bool{}
	for _, p := range pieces {
		switch p.Kind {
		case "schema":
			sp = p
		case "table":
			// A dot in a table's name would let "t.c" name a column of
			// two tables; the whole file says which position wins.
			if seen[p.Name] || strings.Contains(p.Name, ".") {
				return nil, errChunks
			}
			seen[p.Name] = true
		}
	}
	if sp == nil {
		return nil, errChunks
	}
	s := &schema.Schema{Name: sp.Name, Attrs: slices.Clone(sp.SchemaAttrs)}
	schema.NewRealm(s)
	unchecked := &schema.Schema{Name: s.Name, Attrs: s.Attrs}
	// The declaring blocks are read again, together, at their place in the
	// file, as ParseRelease reads them: their expressions are positioned in
	// it, and what the reading checks across blocks (a discard made twice)
	// is checked.
	declaring := &hclsyntax.Body{}
	placed := make(map[string]placement, len(pieces))
	blocks := make(map[string][32]byte, len(pieces))
	var fks []func() error
	for i, p := range pieces {
		if p.Declares {
			f, diags := hclsyntax.ParseConfig(chunks[i].Data, src.File, hcl.Pos{Line: chunks[i].Line, Column: 1, Byte: chunks[i].Start})
			if diags.HasErrors() {
				return nil, errChunks
			}
			declaring.Blocks = append(declaring.Blocks, f.Body.(*hclsyntax.Body).Blocks...)
		} else if p.Kind == "table" {
			placed[p.Name] = placement{p.Positions, src.File, chunks[i].Line - 1}
		}
		if p.Kind != "table" {
			continue
		}
		if p.InSchema != s.Name {
			return nil, errChunks
		}
		tbl, link, err := p.Table.table(s.Realm.Schemas[0])
		if err != nil {
			return nil, errChunks
		}
		s.Tables = append(s.Tables, tbl)
		if !p.checked.Load() {
			unchecked.Tables = append(unchecked.Tables, tbl)
			p.alone.Store(leftAlone(tbl))
		}
		if p.alone.Load() {
			blocks[tbl.Name] = keys[i]
		}
		fks = append(fks, link)
	}
	s.Realm.Schemas[0].Tables = s.Tables
	for _, link := range fks {
		if err := link(); err != nil {
			return nil, errChunks
		}
	}
	d, err := readDeclarations(declaring, src.Src)
	if err != nil || d.checkCalls(t) != nil {
		return nil, errChunks
	}
	// The other blocks' positions, most of them, are looked up in their
	// pieces (PosOf), and win over a declaring block's for the same key.
	d.placed = placed
	// What ParseRelease checks across blocks, or on the whole schema.
	if sharedConstraintNames(s) || caseTwins(s) || checkSchema(newLocator(src.File, &hclsyntax.Body{}), unchecked, t) != nil {
		return nil, errChunks
	}
	for _, p := range pieces {
		p.checked.Store(true) // only a table's is read
	}
	copied := *s
	return &Release{Name: src.Release, File: src.File, Schema: &copied, Declarations: d, blocks: blocks, target: t}, nil
}

// caseTwins reports two tables whose names differ only in letter case,
// which checkStructure refuses across a file's table blocks.
func caseTwins(s *schema.Schema) bool {
	seen := map[string]bool{}
	for _, t := range s.Tables {
		if seen[strings.ToLower(t.Name)] {
			return true
		}
		seen[strings.ToLower(t.Name)] = true
	}
	return false
}

// sharedConstraintNames reports two tables with foreign keys, or checks,
// of the same name (case-insensitively): what checkStructure looks at
// across a file's table blocks. The whole file's evaluation says which of
// them the server refuses.
func sharedConstraintNames(s *schema.Schema) bool {
	fks, checks := map[string]string{}, map[string]string{}
	shared := func(names map[string]string, name, table string) bool {
		key := strings.ToLower(name)
		if other, ok := names[key]; ok && other != table {
			return true
		}
		names[key] = table
		return false
	}
	for _, t := range s.Tables {
		for _, fk := range t.ForeignKeys {
			if shared(fks, fk.Symbol, t.Name) {
				return true
			}
		}
		for _, c := range t.Checks() {
			if c.Name != "" && shared(checks, c.Name, t.Name) {
				return true
			}
		}
	}
	return false
}

// placement is a table chunk's positions, and where the chunk is in a
// file.
type placement struct {
	positions map[string]Pos // relative to the chunk
	file      string
	lines     int // before the chunk
}

// place is a position of a chunk as a position of the file.
func (at placement) place(p Pos) Pos {
	if p == (Pos{}) {
		return p // not set
	}
	p.File = at.file
	if p.Line > 0 {
		p.Line += at.lines
	}
	return p
}

// pieceKeys are the keys of a file's chunks, and its schema block; false
// when the file has not exactly one. Which schema a table belongs to is
// resolved against the schema block, so every other block is keyed with
// it.
func pieceKeys(chunks []chunk, t project.Target) ([]byte, [][32]byte, bool) {
	var schemaChunk []byte
	for _, c := range chunks {
		if c.IsSchema() {
			if schemaChunk != nil {
				return nil, nil, false
			}
			schemaChunk = c.Data
		}
	}
	keys, target := make([][32]byte, len(chunks)), t.String()
	for i, c := range chunks {
		keys[i] = pieceKey(target, schemaChunk, c.Data)
	}
	return schemaChunk, keys, schemaChunk != nil
}

// pieceKey names what a chunk evaluates to: its content, the schema block
// it is evaluated with, the target.
func pieceKey(target string, schemaChunk, data []byte) [32]byte {
	return hashOf([]byte(target), schemaChunk, data)
}

// pieceMemo holds the pieces evaluated or read in this process; the first
// caller for a key evaluates it, later ones wait for it.
var pieceMemo = &pieces{fifoMap: fifoMap[*pieceFuture]{max: pieceMemoSize}}

const pieceMemoSize = 1 << 15

type pieces struct {
	fifoMap[*pieceFuture]
	// latest is the last version of each table registered, by name,
	// schema block and target: what the next version is an edit of.
	latest map[[32]byte]*baseTable
}

type pieceFuture struct {
	done chan struct{}
	p    *piece
	err  error
}

// register returns the futures of a file's chunks, and the chunks the
// caller must resolve: missed ones, and edited ones, tables with an earlier
// version (bases, by chunk). The file's chunks are registered at once, and
// a chunk's base is always another file's registered before: waiting for
// it cannot wait for the waiter.
func (m *pieces) register(t project.Target, schemaChunk []byte, chunks []chunk, keys [][32]byte) (futures []*pieceFuture, missed, edited []int, bases []*baseTable) {
	futures, bases = make([]*pieceFuture, len(chunks)), make([]*baseTable, len(chunks))
	names, target := make([][32]byte, len(chunks)), t.String()
	for i, c := range chunks {
		if name := tableLabel(c.Data); name != "" {
			names[i] = pieceKey(target, schemaChunk, []byte("table "+name))
		}
	}
	m.Lock()
	defer m.Unlock()
	// No entries: the pieces were forgotten (Forget), and the versions
	// latest holds with them.
	if m.latest == nil || m.entries == nil || len(m.latest) > pieceMemoSize {
		m.latest = map[[32]byte]*baseTable{}
	}
	var owned []int
	for i := range chunks {
		f, owner := m.future(keys[i])
		futures[i] = f
		if !owner {
			continue
		}
		owned = append(owned, i)
		if bases[i] = m.latest[names[i]]; names[i] == [32]byte{} || bases[i] == nil {
			missed = append(missed, i)
		} else {
			edited = append(edited, i)
		}
	}
	for _, i := range owned {
		if names[i] != [32]byte{} {
			m.latest[names[i]] = &baseTable{chunks[i].Data, futures[i]}
		}
	}
	return futures, missed, edited, bases
}

// future returns the key's future, and whether the caller must resolve
// it; m is locked.
func (m *pieces) future(key [32]byte) (*pieceFuture, bool) {
	return m.get(key, func() *pieceFuture { return &pieceFuture{done: make(chan struct{})} })
}

// put records a piece read from the cache.
func (m *pieces) put(key [32]byte, p *piece) {
	m.Lock()
	f, owner := m.future(key)
	m.Unlock()
	if owner {
		f.resolve(p, nil)
	}
}

func (f *pieceFuture) resolve(p *piece, err error) {
	f.p, f.err = p, err
	if err != nil {
		// A failed evaluation is not kept: the next file to need the
		// block evaluates it (or itself) again.
		pieceMemo.Lock()
		maps.DeleteFunc(pieceMemo.entries, func(_ [32]byte, v *pieceFuture) bool { return v == f })
		pieceMemo.Unlock()
	}
	close(f.done)
}

func (f *pieceFuture) wait() (*piece, error) {
	<-f.done
	return f.p, f.err
}
