package project

import "testing"

// pt-online-schema-change checks a --critical-load variable only when its
// --max-load names it (Threads_connected=1 in --critical-load alone did
// nothing): emcee adds the missing ones to the --max-load it passes, with
// their critical threshold.
func TestOSCToolMaxLoad(t *testing.T) {
	for _, tc := range []struct {
		max, critical, want string
	}{
		{"", "", ""},
		{"Threads_running=30", "", "Threads_running=30"},
		{"", "Threads_running=90", ""},
		{"", "threads_running=90", ""},
		{"", "Threads_connected=500", "Threads_running=25,Threads_connected=500"},
		{"Threads_running=30", "Threads_running=90,Threads_connected=500", "Threads_running=30,Threads_connected=500"},
	} {
		max, err := ParseLoads(tc.max)
		if err != nil {
			t.Fatal(err)
		}
		critical, err := ParseLoads(tc.critical)
		if err != nil {
			t.Fatal(err)
		}
		o := OSC{MaxLoad: max, CriticalLoad: critical}
		if got := o.ToolMaxLoad().String(); got != tc.want {
			t.Errorf("%+v: --max-load %q, want %q", o, got, tc.want)
		}
		if ToolDefaultMaxLoad.String() != "Threads_running=25" {
			t.Fatalf("the tool's default changed: %s", ToolDefaultMaxLoad)
		}
	}
}
