package project

import (
	"strings"
	"testing"
)

// pt-online-schema-change checks a --critical-load variable only when its
// --max-load names it (Threads_connected=1 in --critical-load alone did
// nothing): emcee adds the missing ones to the --max-load it passes, with
// their critical threshold, and refuses one without a threshold.
func TestOSCToolMaxLoad(t *testing.T) {
	for _, tc := range []struct {
		o    OSC
		want string
	}{
		{OSC{}, ""},
		{OSC{MaxLoad: "Threads_running=30"}, "Threads_running=30"},
		{OSC{CriticalLoad: "Threads_running=90"}, ""},
		{OSC{CriticalLoad: "threads_running=90"}, ""},
		{OSC{CriticalLoad: "Threads_connected=500"}, "Threads_running=25,Threads_connected=500"},
		{OSC{MaxLoad: "Threads_running=30", CriticalLoad: "Threads_running=90,Threads_connected:500"}, "Threads_running=30,Threads_connected=500"},
		{OSC{MaxLoad: "Threads_connected", CriticalLoad: "Threads_connected"}, "Threads_connected"},
	} {
		if err := tc.o.CheckLoads(); err != nil {
			t.Errorf("%+v: %v", tc.o, err)
		}
		if got := tc.o.ToolMaxLoad(); got != tc.want {
			t.Errorf("%+v: --max-load %q, want %q", tc.o, got, tc.want)
		}
	}
	err := OSC{CriticalLoad: "Threads_running=90,Threads_connected"}.CheckLoads()
	if err == nil || !strings.Contains(err.Error(), "Threads_connected has no threshold and max load Threads_running=25 does not name it") {
		t.Errorf("a critical variable without a threshold that --max-load does not name: %v", err)
	}
}
