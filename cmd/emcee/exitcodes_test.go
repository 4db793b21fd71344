package main

import "testing"

// A fleet's exit code is its worst target's: failures over findings over
// what db check says is needed, the database furthest behind first.
func TestWorstExitCode(t *testing.T) {
	for _, c := range []struct {
		codes []int
		want  int
	}{
		{[]int{0, 0}, 0},
		{[]int{0, 5, 4}, 4},
		{[]int{5, 3, 4}, 3},
		{[]int{3, 6}, 6},
		{[]int{6, 7, 3}, 7},
		{[]int{7, 1, 0}, 1},
		{[]int{0, 42}, 42}, // a code not ranked yet counts as a failure
		{[]int{42, 1}, 42},
	} {
		got := codeOK
		for _, c := range c.codes {
			got = worse(got, c)
		}
		if got != c.want {
			t.Errorf("%v: %d, want %d", c.codes, got, c.want)
		}
	}
	for code, want := range map[int]bool{0: false, 3: false, 4: false, 5: false, 6: true, 7: true, 1: true, 42: true} {
		if failure(code) != want {
			t.Errorf("failure(%d) = %v", code, !want)
		}
	}
}
