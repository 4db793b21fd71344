package apply

import (
	"testing"

	"github.com/emcee-db/emcee/effect"
)

// A routine body the reader cannot take is searched for a name as a word,
// written plain or quoted as the server quotes it (sqlsyntax.Ident: a
// backtick in the name doubled).
func TestMentionsInABodyTheReaderCannotTake(t *testing.T) {
	body := "BEGIN\n  UPDATE `odd``name` SET total = total + 1;\nEND"
	o := liveObject{kind: "procedure", name: "p", text: body, read: effect.Parse(body)}
	if o.read.Err == nil {
		t.Fatal("the reader took a BEGIN ... END block: this test needs one it cannot take")
	}
	for name, want := range map[string]bool{"odd`name": true, "total": true, "tot": false, "odd`nam": false} {
		if got := o.mentions(name); got != want {
			t.Errorf("mentions(%q) = %v, want %v", name, got, want)
		}
	}
}
