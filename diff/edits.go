package diff

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// Evaluating a table block as an edit of the same table evaluated before.
// Between releases, and between two runs on an edited file, a table
// changes by a few columns: a table block new to the process is compared,
// line by line, with the last version of the same table (same name, schema
// block and target) registered before it, and when only column blocks
// differ, Atlas evaluates those columns alone, in a table of their own,
// and the rest is taken from the earlier evaluation: the other columns,
// their positions (moved by the lines added or removed), and the keys and
// indexes, linked again to the columns by name. The earlier version must
// have been cut into items on lines of their own (tableLines), and
// anything else (a change to the table's attributes, keys or indexes, a
// column dropped that the block's text may name, a repeated name, a
// declaration, a multi-line comment between items) evaluates the whole
// block instead.

// tableLines are a table block's items, each on lines of its own, as the
// block parsed: lines counted from the chunk's first, 0-based.
type tableLines struct {
	items []lineItem
	close int // the line of the block's closing brace
}

type lineItem struct {
	from, to int    // the item's lines, to exclusive
	column   string // the column a column block declares; "" for another item
	part     string // the index, foreign key or check another block names
	attr     bool   // an attribute of the table, not a block
}

// key is the item's key in a table's positions ("" for none).
func (it lineItem) key(table string) string {
	switch {
	case it.column != "":
		return table + "." + it.column
	case it.part != "":
		return table + "/" + it.part
	}
	return ""
}

// linesOf cuts a parsed table block into its items; nil when they do not
// sit on lines of their own, with only blank lines and line comments
// between them, or its columns are not ct's, in order.
func linesOf(b *hclsyntax.Block, data []byte, ct *cachedTable) *tableLines {
	close := b.CloseBraceRange.Start.Line - 1
	starts := lineStarts(data)
	if b.OpenBraceRange.Start.Line != 1 || close >= len(starts) || !blank(data[starts[close]:b.CloseBraceRange.Start.Byte]) {
		return nil
	}
	items, ok := cutItems(b.Body, data, starts, 1, close)
	col := 0
	for _, it := range items {
		if it.column != "" {
			ok = ok && col < len(ct.Columns) && ct.Columns[col].Name == it.column
			col++
		}
	}
	if !ok || col != len(ct.Columns) {
		return nil
	}
	return &tableLines{items: items, close: close}
}

// cutItems lists a body's items, which lie in lines [from, to) of data,
// checking that each has its lines to itself and that the lines between
// them hold nothing but blanks and line comments.
func cutItems(body *hclsyntax.Body, data []byte, starts []int, from, to int) ([]lineItem, bool) {
	type ranged struct {
		r hcl.Range
		lineItem
	}
	rs := make([]ranged, 0, len(body.Attributes)+len(body.Blocks))
	for _, a := range body.Attributes {
		rs = append(rs, ranged{a.SrcRange, lineItem{attr: true}})
	}
	for _, b := range body.Blocks {
		it := ranged{r: b.Range()}
		switch {
		case b.Type == "column" && len(b.Labels) == 1:
			it.column = b.Labels[0]
		case len(b.Labels) > 0:
			it.part = b.Labels[0]
		}
		rs = append(rs, it)
	}
	slices.SortFunc(rs, func(x, y ranged) int { return x.r.Start.Byte - y.r.Start.Byte })
	out := make([]lineItem, 0, len(rs))
	next := from
	for _, it := range rs {
		it.from, it.to = it.r.Start.Line-1, it.r.End.Line
		if it.from < next || it.to > to || !blank(data[starts[it.from]:it.r.Start.Byte]) || !blank(data[it.r.End.Byte:lineEnd(data, starts, it.to-1)]) || !commentLines(data, starts, next, it.from) {
			return nil, false
		}
		out = append(out, it.lineItem)
		next = it.to
	}
	return out, commentLines(data, starts, next, to)
}

func lineStarts(data []byte) []int {
	starts := make([]int, 1, bytes.Count(data, []byte("\n"))+1)
	for i, c := range data {
		if c == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func lineEnd(data []byte, starts []int, line int) int {
	if line+1 < len(starts) {
		return starts[line+1]
	}
	return len(data)
}

func blank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

// commentLines reports whether lines [from, to) are blank or line comments.
func commentLines(data []byte, starts []int, from, to int) bool {
	for l := from; l < to; l++ {
		t := bytes.TrimSpace(data[starts[l]:lineEnd(data, starts, l)])
		if len(t) > 0 && t[0] != '#' && !bytes.HasPrefix(t, []byte("//")) {
			return false
		}
	}
	return true
}

// tableLabel is the name of the table a chunk declares, read from its
// first line when that is written plainly (table "name" {); "" otherwise.
func tableLabel(data []byte) string {
	rest, ok := bytes.CutPrefix(data, []byte(`table "`))
	if !ok {
		return ""
	}
	end := bytes.IndexByte(rest, '"')
	if end <= 0 || bytes.ContainsAny(rest[:end], "\\$%\n") {
		return ""
	}
	line, _, _ := bytes.Cut(rest[end+1:], []byte("\n"))
	if string(bytes.TrimSpace(line)) != "{" {
		return ""
	}
	return string(rest[:end])
}

// baseTable is the latest version of a table registered in this process.
type baseTable struct {
	data []byte
	f    *pieceFuture
}

// editedTable is an edit being evaluated: its piece, whose table lacks
// the new columns (they go at k1), the new column blocks, and the table
// Atlas evaluates them in.
type editedTable struct {
	p         *piece
	base      *cachedTable
	k1        int
	blocks    []*hclsyntax.Block
	synthetic []byte
	// packed is where the version edited is kept and what the edit
	// replaces of it; nil when the version is in no pack.
	packed *packedEdit
}

// evalEdits evaluates the edits it can in one Atlas call, the chunks of
// group against their bases; the pieces of the others are nil, to be
// evaluated whole. packed are what the
// evaluation cache keeps of each (writePack): what it adds to the version
// it edits, when that version is kept, or else the piece.
func evalEdits(src Source, t project.Target, schemaChunk []byte, chunks []chunk, group []int, bases []*baseTable) (out, packed []*piece) {
	out, packed = make([]*piece, len(group)), make([]*piece, len(group))
	parser := hclparse.NewParser()
	if _, diags := parser.ParseHCL(schemaChunk, "schema"); diags.HasErrors() {
		return out, packed
	}
	todo := make([]*editedTable, len(group))
	names := map[string]int{}
	for _, i := range group {
		names[tableLabel(chunks[i].Data)]++
	}
	for j, i := range group {
		// Two blocks of one table would be one table to Atlas.
		if names[tableLabel(chunks[i].Data)] > 1 {
			continue
		}
		if todo[j] = prepareEdit(chunks[i], bases[i], t); todo[j] != nil && len(todo[j].blocks) > 0 {
			// The new blocks, parsed already, join the table parsed
			// without them.
			f, diags := hclsyntax.ParseConfig(todo[j].synthetic, "", hcl.InitialPos)
			if diags.HasErrors() {
				return out, packed
			}
			tbl := f.Body.(*hclsyntax.Body).Blocks[0].Body
			tbl.Blocks = append(tbl.Blocks, todo[j].blocks...)
			parser.Files()[fmt.Sprintf("edit%06d", j)] = f
		}
	}
	s, err := schemadef.Eval(parser, src.File, t)
	if err != nil {
		return out, packed
	}
	funcs := (&Declarations{}).Functions(t)
	for j, w := range todo {
		if w == nil {
			continue
		}
		p, pack := w.p, w.p
		if len(w.blocks) > 0 {
			tbl, ok := s.Table(p.Name)
			if !ok || tbl.Schema.Name != p.InSchema {
				continue
			}
			got, err := flattenTable(tbl)
			if err != nil || len(got.Columns) != len(w.blocks) {
				continue
			}
			p.Table.Columns = slices.Insert(p.Table.Columns, w.k1, got.Columns...)
			if w.packed != nil {
				pack = &piece{Positions: p.Positions, Table: &cachedTable{Columns: got.Columns}, Edit: w.packed}
			}
		}
		if !relink(p.Table, w.base) {
			continue
		}
		// The new columns' expressions are checked against all the
		// table's columns, as in the whole block.
		whole := &schema.Table{Name: p.Name}
		for _, c := range p.Table.Columns {
			whole.Columns = append(whole.Columns, &schema.Column{Name: c.Name})
		}
		if checkSchemaExprs(asTable(p.Name, w.blocks), chunks[group[j]].Data, &schema.Schema{Tables: []*schema.Table{whole}}, funcs) != nil {
			continue
		}
		out[j], packed[j] = p, pack
	}
	return out, packed
}

// prepareEdit compares an edited table block with its base; nil when the
// edit is not one of columns only.
func prepareEdit(c chunk, b *baseTable, t project.Target) *editedTable {
	base, err := b.f.wait() // resolved: evalChunks waited for it
	data := c.Data
	if err != nil || base == nil || base.Kind != "table" || base.Declares || base.lines == nil || bytes.IndexByte(data, '\r') >= 0 {
		return nil
	}
	starts, baseStarts := lineStarts(data), lineStarts(b.data)
	line := func(data []byte, starts []int, l int) []byte { return data[starts[l]:lineEnd(data, starts, l)] }
	na, nb := len(baseStarts), len(starts)
	n := min(na, nb)
	pre := 0
	for pre < n && bytes.Equal(line(b.data, baseStarts, pre), line(data, starts, pre)) {
		pre++
	}
	suf := 0
	for suf < n-pre && bytes.Equal(line(b.data, baseStarts, na-1-suf), line(data, starts, nb-1-suf)) {
		suf++
	}
	// The lines that differ, widened to the items they touch: all columns.
	lo, hi := pre, na-suf
	for _, it := range base.lines.items {
		if it.from < hi && it.to > lo {
			if it.column == "" {
				return nil
			}
			lo, hi = min(lo, it.from), max(hi, it.to)
		}
	}
	shift := nb - na
	if lo < 1 || hi > base.lines.close {
		return nil
	}
	midTo := len(data)
	if hi+shift < len(starts) {
		midTo = starts[hi+shift]
	}
	f, diags := hclsyntax.ParseConfig(data[starts[lo]:midTo], "", hcl.Pos{Line: lo + 1, Column: 1, Byte: starts[lo]})
	if diags.HasErrors() {
		return nil
	}
	body := f.Body.(*hclsyntax.Body)
	// What evalPieces checks of a block, on the new columns alone.
	name, table := base.Name, asTable(base.Name, body.Blocks)
	added, ok := cutItems(body, data, starts, lo, hi+shift)
	if d, err := readDeclarations(table, data); !ok || err != nil || len(d.Columns) > 0 || len(body.Attributes) > 0 ||
		validate(table, fileSpec, "the file") != nil || len(checkStructure(table, t)) > 0 ||
		slices.ContainsFunc(body.Blocks, func(c *hclsyntax.Block) bool { return c.Type != "column" }) {
		return nil
	}
	// The base's columns before the edit are its first k1, those after it
	// start at k2; the items after it move by shift lines.
	k1 := 0
	lines := &tableLines{close: base.lines.close + shift}
	positions := maps.Clone(base.Positions)
	for _, it := range base.lines.items {
		if it.to <= lo {
			lines.items = append(lines.items, it)
			if it.column != "" {
				k1++
			}
		}
	}
	k2 := k1
	lines.items = append(lines.items, added...)
	for _, it := range base.lines.items {
		switch {
		case it.to <= lo:
		case it.from < hi:
			// A column dropped may be named elsewhere in the table:
			// only one the block's text cannot name is dropped here.
			if !slices.ContainsFunc(body.Blocks, func(c *hclsyntax.Block) bool { return c.Labels[0] == it.column }) && mayName(data, it.column) {
				return nil
			}
			delete(positions, it.key(name))
			k2++
		default:
			it.from, it.to = it.from+shift, it.to+shift
			lines.items = append(lines.items, it)
			if k := it.key(name); k != "" {
				pos := positions[k]
				pos.Line += shift
				positions[k] = pos
			}
		}
	}
	ct := &cachedTable{Name: base.Table.Name, Attrs: base.Table.Attrs, Columns: slices.Concat(base.Table.Columns[:k1], base.Table.Columns[k2:])}
	seen := map[string]bool{}
	for _, c := range ct.Columns {
		seen[strings.ToLower(c.Name)] = true
	}
	for _, c := range body.Blocks {
		key := strings.ToLower(c.Labels[0])
		if seen[key] {
			return nil
		}
		seen[key] = true
		positions[name+"."+c.Labels[0]] = project.PosOf(c.TypeRange)
	}
	// Atlas evaluates the new columns in a table of their own: the first
	// line and the attributes of the edited block, and the new blocks.
	var syn bytes.Buffer
	syn.Write(line(data, starts, 0))
	for _, it := range lines.items {
		if it.attr {
			syn.Write(data[starts[it.from]:lineEnd(data, starts, it.to-1)])
		}
	}
	syn.WriteString("}\n")
	w := &editedTable{
		p:    &piece{Kind: "table", Name: name, Table: ct, InSchema: base.InSchema, Positions: positions, lines: lines},
		base: base.Table, k1: k1, blocks: body.Blocks, synthetic: syn.Bytes(),
	}
	if base.pack != [32]byte{} {
		w.packed = &packedEdit{Pack: base.pack, Slot: base.slot, From: k1, To: k2}
	}
	return w
}

// asTable is a file body declaring a table of the blocks.
func asTable(name string, blocks []*hclsyntax.Block) *hclsyntax.Body {
	return &hclsyntax.Body{Blocks: []*hclsyntax.Block{{Type: "table", Labels: []string{name}, Body: &hclsyntax.Body{Blocks: blocks}}}}
}

// mayName reports whether a block's text may name a column: it holds the
// name in any case, or the name is not a plain identifier, or the text has
// escapes or templates that could spell it.
func mayName(data []byte, name string) bool {
	lower := strings.ToLower(name)
	return strings.Trim(lower, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" || bytes.Contains(bytes.ToLower(data), []byte(lower)) ||
		bytes.ContainsAny(data, `\`) || bytes.Contains(data, []byte("${")) || bytes.Contains(data, []byte("%{"))
}

// relink points the keys and indexes of the base table at the columns of
// the same names in the edited one; false when one is gone.
func relink(ct, base *cachedTable) bool {
	at := make(map[string]int, len(ct.Columns))
	for i, c := range ct.Columns {
		at[c.Name] = i
	}
	ok := true
	moved := func(old int) int {
		if old < 0 {
			return old
		}
		i, found := at[base.Columns[old].Name]
		ok = ok && found
		return i
	}
	index := func(ix cachedIndex) cachedIndex {
		ix.Parts = slices.Clone(ix.Parts)
		for i := range ix.Parts {
			ix.Parts[i].Column = moved(ix.Parts[i].Column)
		}
		return ix
	}
	if base.PrimaryKey != nil {
		pk := index(*base.PrimaryKey)
		ct.PrimaryKey = &pk
	}
	ct.Indexes = nil
	for _, ix := range base.Indexes {
		ct.Indexes = append(ct.Indexes, index(ix))
	}
	ct.ForeignKeys = nil
	for _, fk := range base.ForeignKeys {
		fk.Columns = slices.Clone(fk.Columns)
		for i := range fk.Columns {
			fk.Columns[i] = moved(fk.Columns[i])
		}
		ct.ForeignKeys = append(ct.ForeignKeys, fk)
	}
	return ok
}
