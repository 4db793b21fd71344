package e2e

import (
	"strings"
	"testing"
)

// pike's code wrote visibility = 'community', a value ocata's is_public
// cannot hold; the rollback drops the column and said only "the database
// is at release ocata again", in --dry-run too: the values only pike wrote
// went without a word. Both must say what is dropped, counted, before
// anything changes.
func TestAttackRollbackSaysWhatDataItDrops(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(30)
	p.must("db", "expand")
	p.exec("INSERT INTO images (name, visibility) VALUES ('pike-community', 'community')")
	rows := p.query("SELECT COUNT(*) FROM images WHERE visibility IS NOT NULL")
	want := "the rollback drops what pike's expand added and the data in it, which ocata code does not read and a later expand does not bring back: column images.visibility: " + rows + " row(s) hold a value"
	dry := p.must("db", "rollback", "--dry-run")
	opContains(t, dry, want)
	js := p.must("db", "rollback", "--dry-run", "--format", "json")
	if !strings.Contains(js.Stdout, `"preflight"`) || !strings.Contains(js.Stdout, "column images.visibility: "+rows+" row(s) hold a value") {
		t.Fatalf("--format json does not say what the rollback drops:\n%s", js)
	}
	r := p.must("db", "rollback")
	opContains(t, r, want, "rollback of pike complete")
	if strings.Index(r.Stdout, want) > strings.Index(r.Stdout, "applying pike_rollback01") {
		t.Fatalf("the rollback said what it drops only after dropping it:\n%s", r)
	}
}
