package apply

import (
	"testing"
	"time"
)

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
