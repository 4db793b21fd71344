package schemadef

import (
	"testing"

	"ariga.io/atlas/sql/schema"
)

// InnoDB finds a foreign key's rows through any index its columns lead,
// the clustered one too: a table whose primary key is (project_id,
// user_id) gets no index of its own for a key on project_id (MariaDB
// 10.11, SHOW CREATE TABLE), one whose key is (user_id, project_id) does.
// The splitter, told otherwise, added that index to project_has_users when
// Kanboard 96's key moved (TestRuleReplacePrimaryKey), and the release
// built from its snapshot had none.
func TestKeyIndexesLeaveWhatThePrimaryKeyServes(t *testing.T) {
	project := &schema.Column{Name: "project_id", Type: &schema.ColumnType{}}
	user := &schema.Column{Name: "user_id", Type: &schema.ColumnType{}}
	for _, tc := range []struct {
		key  []*schema.Column
		made int
	}{
		{[]*schema.Column{project, user}, 0},
		{[]*schema.Column{user, project}, 1},
	} {
		tb := &schema.Table{Name: "project_has_users", Columns: []*schema.Column{project, user}}
		tb.PrimaryKey = &schema.Index{Name: "PRIMARY", Unique: true, Table: tb}
		for _, c := range tc.key {
			tb.PrimaryKey.Parts = append(tb.PrimaryKey.Parts, &schema.IndexPart{C: c})
		}
		tb.ForeignKeys = []*schema.ForeignKey{{Symbol: "project_has_users_ibfk_1", Table: tb, Columns: []*schema.Column{project}}}
		if got := KeyIndexes(tb); len(got) != tc.made {
			t.Errorf("primary key (%s, %s): the server makes %d indexes, KeyIndexes says %d", tc.key[0].Name, tc.key[1].Name, tc.made, len(got))
		}
	}
}
