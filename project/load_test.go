package project

import (
	"reflect"
	"strings"
	"testing"
)

// A load limit is a status variable name and a whole number of 1 or more,
// for emcee's backfill and the online schema change tool alike; anything
// else, SQL and the tool's own forms included, is refused with the part
// named.
func TestParseLoads(t *testing.T) {
	got, err := ParseLoads(" Threads_running=25, Threads_connected = 400 ")
	if err != nil || !reflect.DeepEqual(got, Loads{{"Threads_running", 25}, {"Threads_connected", 400}}) || got.String() != "Threads_running=25,Threads_connected=400" {
		t.Fatalf("got %v, %v", got, err)
	}
	if got, err := ParseLoads(""); err != nil || got != nil {
		t.Fatalf("empty: %v, %v", got, err)
	}
	for in, msg := range map[string]string{
		"Threads_running":                          `"Threads_running": want VAR=N[,VAR=N], e.g. Threads_running=25`,
		"Threads_running:25":                       "want VAR=N",
		"Threads_running=-1":                       "Threads_running=-1: the limit must be a whole number of 1 or more",
		"Threads_running=0":                        "whole number of 1 or more",
		"Threads_running=1.5":                      "whole number of 1 or more",
		"Threads_running=99999999999999999999":     "whole number of 1 or more",
		"Threads_running=1 OR 1=1":                 "whole number of 1 or more",
		"`Threads_running`=1":                      "is not a status variable name",
		"Threads_running'; DROP TABLE t; --=1":     "is not a status variable name",
		"1abc=3":                                   "is not a status variable name",
		"=3":                                       "is not a status variable name",
		"a=1,A=2":                                  "a=1,A=2: A is given twice",
		"Threads_running=1,":                       "want VAR=N",
		"Threads_connected=400,Threads_running=01": "Threads_running=1: Threads_running counts the query that reads it",
		strings.Repeat("x", 65) + "=1":             "is not a status variable name",
	} {
		if _, err := ParseLoads(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want an error saying %q", in, err, msg)
		}
	}
}
