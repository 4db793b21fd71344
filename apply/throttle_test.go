package apply

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// A load limit is a status variable name and a whole number of 1 or more;
// anything else, SQL included, is refused with the flag and the part named.
func TestParseLoad(t *testing.T) {
	got, err := ParseLoad("max-load", " Threads_running=25, Threads_connected = 400 ")
	if err != nil || !reflect.DeepEqual(got, []LoadLimit{{"Threads_running", 25}, {"Threads_connected", 400}}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if got, err := ParseLoad("max-load", ""); err != nil || got != nil {
		t.Fatalf("empty: %v, %v", got, err)
	}
	for in, msg := range map[string]string{
		"Threads_running":                      "want VAR=N",
		"Threads_running=-1":                   "--max-load Threads_running=-1: the limit must be a whole number of 1 or more",
		"Threads_running=0":                    "whole number of 1 or more",
		"Threads_running=1.5":                  "whole number of 1 or more",
		"Threads_running=99999999999999999999": "whole number of 1 or more",
		"Threads_running=1 OR 1=1":             "whole number of 1 or more",
		"`Threads_running`=1":                  "is not a status variable name",
		"Threads_running'; DROP TABLE t; --=1": "is not a status variable name",
		"1abc=3":                               "is not a status variable name",
		"=3":                                   "is not a status variable name",
		"a=1,A=2":                              "A is given twice",
		"Threads_running=1,":                   "want VAR=N",
		strings.Repeat("x", 65) + "=1":         "is not a status variable name",
	} {
		if _, err := ParseLoad("max-load", in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want an error saying %q", in, err, msg)
		}
	}
}

// Batches sized by --chunk-time follow the measured rate, stay within 1
// and the maximum, and one slow batch does not halve the next.
func TestSizer(t *testing.T) {
	z := newSizer(Options{BatchSize: 2000, ChunkTime: 500 * time.Millisecond, MaxBatchSize: 10000})
	if z.size != 2000 {
		t.Fatalf("first batch %d, want --batch-size", z.size)
	}
	z.observe(2000, 100*time.Millisecond) // 20,000 keys/s
	if z.size != 10000 {
		t.Fatalf("after a fast batch %d, want the maximum 10000", z.size)
	}
	z = newSizer(Options{BatchSize: 2000, ChunkTime: 500 * time.Millisecond, MaxBatchSize: 100000})
	z.observe(2000, 200*time.Millisecond) // 10,000 keys/s -> 5,000 keys per 500 ms
	if z.size != 5000 {
		t.Fatalf("got %d, want 5000", z.size)
	}
	z.observe(5000, 5*time.Second) // one slow batch: 1,000 keys/s
	if z.size < 3000 || z.size >= 5000 {
		t.Fatalf("after one slow batch %d, want it lowered by about a quarter", z.size)
	}
	z = newSizer(Options{BatchSize: 2000, ChunkTime: time.Millisecond})
	z.observe(2000, time.Minute)
	if z.size != 1 {
		t.Fatalf("got %d, want at least 1", z.size)
	}
	z = newSizer(Options{BatchSize: 2000})
	z.observe(2000, time.Minute)
	if z.size != 2000 {
		t.Fatalf("without --chunk-time the size is fixed: %d", z.size)
	}
}
