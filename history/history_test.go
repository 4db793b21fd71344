package history

import (
	"database/sql"
	"testing"
	"time"

	"github.com/emcee-db/emcee/revision"
)

func rec(name string, done bool) *Record {
	id, err := revision.ParseID(name)
	if err != nil {
		panic(err)
	}
	r := &Record{Name: name, ID: id}
	if done {
		r.FinishedAt = sql.NullTime{Time: time.Now(), Valid: true}
	}
	return r
}

func records(rs ...*Record) Records {
	out := Records{}
	for _, r := range rs {
		out[r.Name] = r
	}
	return out
}

// The progression of the seeds' table: the expand part moves first, the
// contract part once the release is finished; a half-applied revision
// does not count.
func TestVersion(t *testing.T) {
	releases := []string{"ocata", "pike"}
	for _, c := range []struct {
		rs   Records
		want string
	}{
		{records(), "none"},
		{records(rec("ocata_expand01", false)), "none"},
		{records(rec("ocata_expand01", true)), "ocata_expand01"},
		{records(rec("ocata_expand01", true), rec("ocata_migrate01", true), rec("ocata_contract01", true)), "ocata_expand01, ocata_contract01"},
		{records(rec("ocata_expand01", true), rec("ocata_contract01", true), rec("pike_expand01", true), rec("pike_expand02", false)), "pike_expand01, ocata_contract01"},
		{records(rec("ocata_contract01", true), rec("pike_expand01", true), rec("pike_expand02", true), rec("pike_migrate01", true), rec("pike_contract01", true)), "pike_expand02, pike_contract01"},
		{records(rec("ocata_contract01", true), rec("queens_expand01", true)), "queens_expand01, ocata_contract01"},
	} {
		if got := c.rs.Version(releases); got != c.want {
			t.Errorf("Version = %q, want %q", got, c.want)
		}
	}
}
