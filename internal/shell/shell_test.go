package shell

import (
	"os/exec"
	"testing"
)

func TestQuoteIsOneWordThatReadsBack(t *testing.T) {
	for _, s := range []string{"images", "it's", "a b", "`x`='y' OR $(rm -rf /)", "", "-p", "\n\\"} {
		out, err := exec.Command("sh", "-c", "printf %s "+Word(s)).Output()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != s {
			t.Errorf("Word(%q) reads back as %q", s, out)
		}
	}
}
