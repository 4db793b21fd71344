package simulate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The per-second series keeps each kind's writes apart, in order, and the
// plot is written as PNG or SVG, and refused for other names or no data.
func TestSeriesAndPlot(t *testing.T) {
	origin := time.Now().Add(-3 * time.Second)
	r1 := &recorder{m: map[statKey]*Stats{}, origin: origin, secs: map[secKey][]time.Duration{}}
	r2 := &recorder{m: map[statKey]*Stats{}, origin: origin, secs: map[secKey][]time.Duration{}}
	r1.add(0, Old, Write, time.Millisecond, nil)
	r2.add(0, Old, Write, 3*time.Millisecond, nil)
	r2.add(0, New, Write, 2*time.Millisecond, nil)
	r2.add(0, New, Read, time.Second, nil) // reads are not in the series
	got := series([]*recorder{r1, r2})
	if len(got) != 2 || got[0].Kind != Old || got[0].Writes != 2 || got[0].Max != 3*time.Millisecond || got[1].Kind != New || got[1].Writes != 1 || got[0].At != 2 {
		t.Fatalf("series: %+v", got)
	}
	rep := &Report{Mode: "emcee", Old: "a", New: "b", Series: got, Phases: []*PhaseInfo{{Name: "baseline"}, {Name: "expand", Start: 2 * time.Second}}}
	dir := t.TempDir()
	for ext, magic := range map[string][]byte{".png": []byte("\x89PNG"), ".svg": []byte("<?xml")} {
		path := filepath.Join(dir, "latency"+ext)
		if err := rep.Plot(path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(b, magic) {
			t.Fatalf("%s: not a %s file (%v)", path, ext, err)
		}
	}
	if err := rep.Plot(filepath.Join(dir, "latency.jpg")); err == nil || !strings.Contains(err.Error(), "must end in .png or .svg") {
		t.Errorf("a .jpg: %v", err)
	}
	if err := (&Report{}).Plot(filepath.Join(dir, "empty.png")); err == nil || !strings.Contains(err.Error(), "no writes") {
		t.Errorf("no data: %v", err)
	}
}
