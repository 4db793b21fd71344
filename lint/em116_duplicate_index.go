package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/schemadef"
)

// Two indexes of a table over the same columns, in the same order, with
// the same prefix lengths (and of one type) are one index kept twice: the
// server writes both on every insert and update of their columns and
// stores both, and no query needs the second (MariaDB only notes it, 1831
// "Duplicate index", when it creates one). Joomla's user_keys declares
// three unique keys on series (series, series_2, series_3), which emcee
// planned without a word. Of a unique and a plain one, the plain one is
// redundant: the unique one serves every lookup it serves; of two alike,
// the one the previous release did not have (the newcomer is what a
// reviewer of the release questions), else the one declared second; a key
// over the primary key's columns is redundant beside it. Reported in the
// newest release only, the schema the plans lead to, where dropping one is
// a change like any other.
var _ = register(&Analyzer{
	Code:  "EM116",
	Title: "note: two indexes of a table over the same columns in the same order: one of them is redundant",
	Run: func(p *Pass) {
		rels := p.loadReleases()
		if len(rels) == 0 || rels[len(rels)-1].r == nil {
			return
		}
		r := rels[len(rels)-1].r
		prev := p.before(rels[len(rels)-1].name)
		for _, t := range r.Schema.Tables {
			// fresh is 0 for an index the previous release has (by name and
			// parts), 1 for a new one.
			fresh := func(idx *schema.Index) int {
				if prev != nil {
					if pt, ok := prev.Table(t.Name); ok {
						if pi, ok := pt.Index(idx.Name); ok && sameIndex(pi, idx) {
							return 0
						}
					}
				}
				return 1
			}
			// The indexes the previous release has first, then the new
			// ones, each in file order: of two alike, the later one is
			// reported.
			byPlace := slices.Clone(t.Indexes)
			slices.SortStableFunc(byPlace, func(a, b *schema.Index) int {
				pa, _ := r.Declarations.PartPos(t.Name, a.Name)
				pb, _ := r.Declarations.PartPos(t.Name, b.Name)
				return cmp.Or(cmp.Compare(fresh(a), fresh(b)), cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Col, pb.Col))
			})
			var kept []*schema.Index
			if t.PrimaryKey != nil {
				kept = append(kept, t.PrimaryKey)
			}
			for _, idx := range byPlace {
				i := slices.IndexFunc(kept, func(k *schema.Index) bool { return sameIndex(k, idx) })
				switch {
				case i < 0:
					kept = append(kept, idx)
				case unique(t, kept[i]) || !idx.Unique:
					duplicateIndex(p, r, t, idx, kept[i])
				default:
					duplicateIndex(p, r, t, kept[i], idx)
					kept[i] = idx
				}
			}
		}
	},
})

// duplicateIndex reports the redundant index, declared as the kept one is.
func duplicateIndex(p *Pass, r *diff.Release, t *schema.Table, redundant, kept *schema.Index) {
	also := ""
	if unique(t, redundant) {
		also = " and holds its rows to the same uniqueness"
	}
	pos, _ := r.Declarations.PartPos(t.Name, redundant.Name)
	p.atSchema("EM116", Note, pos,
		fmt.Sprintf("%s %s of table %s is over the columns of %s, in the same order with the same prefix lengths (%s): the server writes and stores both, and no query needs both",
			indexKind(redundant), redundant.Name, t.Name, indexName(r, t, kept), strings.Join(diff.PartColumns(redundant), ", ")),
		fmt.Sprintf("drop one: remove index %s from table %s (where a release created it already, the contract of the first release without it drops it); %s serves every lookup it serves%s", redundant.Name, t.Name, indexName(r, t, kept), also))
}

// unique tells whether an index of t is unique: the primary key is.
func unique(t *schema.Table, idx *schema.Index) bool { return idx.Unique || idx == t.PrimaryKey }

func indexKind(idx *schema.Index) string {
	if idx.Unique {
		return "unique index"
	}
	return "index"
}

// indexName names an index and where it is declared, or the primary key.
func indexName(r *diff.Release, t *schema.Table, idx *schema.Index) string {
	if idx == t.PrimaryKey {
		return "the primary key"
	}
	return fmt.Sprintf("%s %s (%s)", indexKind(idx), idx.Name, r.WherePart(t.Name, idx.Name))
}

// sameIndex tells whether two indexes are one kept twice: of one type
// (BTREE, written or not, FULLTEXT, SPATIAL, HASH), over the same columns
// or expressions in the same order, each with the same prefix length and
// direction.
func sameIndex(a, b *schema.Index) bool {
	kind := func(idx *schema.Index) string {
		if it, ok := schemadef.Attr[*mysql.IndexType](idx.Attrs); ok && !strings.EqualFold(it.T, mysql.IndexTypeBTree) {
			return strings.ToUpper(it.T)
		}
		return ""
	}
	return kind(a) == kind(b) && slices.EqualFunc(a.Parts, b.Parts, func(x, y *schema.IndexPart) bool {
		same := x.C != nil && y.C != nil && strings.EqualFold(x.C.Name, y.C.Name)
		if rx, ok := x.X.(*schema.RawExpr); ok && x.C == nil && y.C == nil {
			ry, ok := y.X.(*schema.RawExpr)
			same = ok && rx.X == ry.X
		}
		return same && x.Desc == y.Desc && diff.Prefix(x) == diff.Prefix(y)
	})
}
