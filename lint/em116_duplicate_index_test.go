package lint

import (
	"strings"
	"testing"
)

func TestEM116DuplicateIndex(t *testing.T) {
	const pikeFile = "schema/pike.hcl"
	const anchor = "  index \"ix_owner\" {"
	// index is an index block of images before ix_owner.
	index := func(name, attrs string, parts ...string) string {
		s := "  index \"" + name + "\" {\n" + attrs
		for _, p := range parts {
			col, n, _ := strings.Cut(p, ":")
			s += "    on {\n      column = column." + col + "\n"
			if n != "" {
				s += "      prefix = " + n + "\n"
			}
			s += "    }\n"
		}
		return s + "  }\n"
	}
	const unique = "    unique = true\n"
	at := func(name string) func(f *fixture) string {
		return func(f *fixture) string { return f.lineOf(pikeFile, "index \""+name+"\"", true) }
	}
	check(t, "EM116", []lintCase{
		{name: "two unique indexes on name: the second", pike: pike(anchor, index("ux_name", unique, "name")+index("ux_name_2", unique, "name")+anchor), setup: at("ux_name_2")},
		{name: "a plain index before a unique one on name: the plain one", pike: pike(anchor, index("ix_name", "", "name")+index("ux_name", unique, "name")+anchor), setup: at("ix_name")},
		{name: "a plain index after a unique one on name: the plain one", pike: pike(anchor, index("ux_name", unique, "name")+index("ix_name", "", "name")+anchor), setup: at("ix_name")},
		{name: "a plain index on owner declared before ocata's ix_owner: the new one", pike: pike(anchor, index("ix_owner_2", "", "owner")+anchor), setup: at("ix_owner_2")},
		{name: "a unique index on owner declared before ocata's ix_owner: ix_owner, the plain one", pike: pike(anchor, index("ux_owner", unique, "owner")+anchor), setup: at("ix_owner")},
		{name: "a unique index on the primary key's column", pike: pike(anchor, index("ux_id", unique, "id")+anchor), setup: at("ux_id")},
		{name: "two columns in the same order", pike: pike(anchor, index("ix_a", "", "name", "owner")+index("ix_b", "", "name", "owner")+anchor), setup: at("ix_b")},
		{name: "two columns in another order", pike: pike(anchor, index("ix_a", "", "name", "owner")+index("ix_b", "", "owner", "name")+anchor)},
		{name: "another prefix length", pike: pike(anchor, index("ix_a", "", "name:10")+index("ix_b", "", "name:20")+anchor)},
		{name: "a prefix and the whole column", pike: pike(anchor, index("ix_a", "", "name:10")+index("ix_b", "", "name")+anchor)},
		{name: "the same prefix length", pike: pike(anchor, index("ix_a", "", "name:10")+index("ux_b", unique, "name:10")+anchor), setup: at("ix_a")},
		{name: "a fulltext index beside a plain one", pike: pike("    type = varchar(100)\n", "    type       = varchar(100)\n    allow_copy = true\n", anchor, index("ix_name", "", "name")+index("ft_name", "    type = FULLTEXT\n", "name")+anchor)},
		{name: "two fulltext indexes", pike: pike("    type = varchar(100)\n", "    type       = varchar(100)\n    allow_copy = true\n", anchor, index("ft_a", "    type = FULLTEXT\n", "name")+index("ft_b", "    type = FULLTEXT\n", "name")+anchor), setup: at("ft_b")},
		{name: "a prefix of another's columns", pike: pike(anchor, index("ix_name_owner", "", "name", "owner")+index("ix_name", "", "name")+anchor)},
	})
}

// Three unique keys on one column, as Joomla's user_keys has on series:
// the second and the third are reported, each naming the first and where
// it is, with the fix.
func TestEM116Message(t *testing.T) {
	const anchor = "  index \"ix_owner\" {"
	key := func(name string) string {
		return "  index \"" + name + "\" {\n    unique  = true\n    columns = [column.name]\n  }\n"
	}
	f := planned(t, pike(anchor, key("series")+key("series_2")+key("series_3")+anchor))
	var got []Finding
	for _, fd := range f.lint(false).Findings {
		if fd.Code == "EM116" {
			got = append(got, fd)
		}
	}
	if len(got) != 2 {
		t.Fatalf("want two EM116, got %v", got)
	}
	first := f.lineOf("schema/pike.hcl", "index \"series\"", true)
	for i, name := range []string{"series_2", "series_3"} {
		if got[i].Severity != Note {
			t.Errorf("%s: severity %s, want note", name, got[i].Severity)
		}
		for _, want := range []string{"unique index " + name + " of table images is over the columns of unique index series (" + first + "), in the same order with the same prefix lengths (name)", "no query needs both"} {
			if !strings.Contains(got[i].Message, want) {
				t.Errorf("message lacks %q:\n%s", want, got[i].Message)
			}
		}
		if want := "drop one: remove index " + name + " from table images (where a release created it already, the contract of the first release without it drops it); unique index series (" + first + ") serves every lookup it serves and holds its rows to the same uniqueness"; got[i].Fix != want {
			t.Errorf("fix:\n%s\nwant:\n%s", got[i].Fix, want)
		}
	}
}
