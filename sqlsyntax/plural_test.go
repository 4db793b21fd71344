package sqlsyntax

import (
	"fmt"
	"testing"
)

// One owner words one or many things: apply's gates picked "counts" or
// "count" from a map[bool]string, planner and lint each had a helper of
// their own for "is"/"are", "trigger reads"/"triggers read".
func TestPluralAndOneOrMany(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Plural(0, "gate"), "0 gates"},
		{Plural(1, "gate"), "1 gate"},
		{Plural(2, "gate"), "2 gates"},
		{OneOrMany(1, "counts", "count"), "counts"},
		{OneOrMany(2, "counts", "count"), "count"},
		{OneOrMany(0, "it is", "they are"), "they are"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// Series and Some own what apply (its "and" of roles and privileges),
// devdb (the kinds of a drift report), cmd (the --format choices),
// planner and diff each wrote by hand: a list as a sentence, and the
// first few of a long list.
func TestSeriesAndSome(t *testing.T) {
	long := []string{"a", "b", "c", "d", "e"}
	for _, c := range []struct{ got, want string }{
		{Series(nil, "and"), ""},
		{Series([]string{"a"}, "and"), "a"},
		{Series([]string{"a", "b"}, "or"), "a or b"},
		{Series([]string{"a", "b", "c"}, "and"), "a, b and c"},
		{fmt.Sprint(Some(long, 5)), "[a b c d e]"},
		{fmt.Sprint(Some(long, 3)), "[a b c 2 more]"},
		{fmt.Sprint(long), "[a b c d e]"}, // Some leaves its argument as it was
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
