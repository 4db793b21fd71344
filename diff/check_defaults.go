package diff

import (
	"cmp"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// checkDefaultValue refuses a default the server rejects when the table is
// created (1067 "Invalid default value", in emcee's strict sql_mode), or
// takes and changes (a decimal rounded, an enum value re-cased, a date cut
// to its day), so that the live column would never match its declaration.
// v is the default as Atlas writes it; quoted tells whether Atlas writes it
// as a string literal. The syntax of the literal is checkDefault's.
func checkDefaultValue(ref string, c *schema.Column, v string, p Pos, add func(Pos, string, ...any)) {
	if value, ok := sqlsyntax.Literal(v); ok {
		v = value
	}
	if hexLiteral.MatchString(v) {
		switch c.Type.Type.(type) {
		case *mysql.BitType:
		case *schema.IntegerType, *schema.BoolType, *schema.DecimalType, *schema.FloatType, *schema.TimeType:
			return // a number in a numeric context; the server converts it
		default:
			// The bytes it spells (an odd count of digits gets a leading 0).
			digits := v[2:]
			if len(digits)%2 == 1 {
				digits = "0" + digits
			}
			b, _ := hex.DecodeString(digits)
			v = string(b)
		}
	}
	checkValue(c, v, " (the server would refuse every insert that omits the column)", func(format string, args ...any) {
		add(p, "default of %s: "+format, append([]any{ref}, args...)...)
	})
}

// checkValue refuses a value, as the server reads it, that column c cannot
// hold or would store changed: a default (checkDefaultValue) or a seed
// row's value (seed.go). notJSON is what a value that is not JSON breaks.
func checkValue(c *schema.Column, v, notJSON string, bad func(string, ...any)) {
	switch t := c.Type.Type.(type) {
	case *schema.StringType:
		switch strings.ToLower(t.T) {
		case mysql.TypeChar, mysql.TypeVarchar:
			if n := len([]rune(v)); n > t.Size {
				bad("%q is %d characters long; the column holds %d", v, n, t.Size)
			}
		}
		// A CHAR keeps no trailing spaces (the server strips them when
		// it reads the value back), so the value read is not the one
		// written; under a NO PAD collation they no longer compare equal.
		if strings.EqualFold(t.T, mysql.TypeChar) && strings.TrimRight(v, " ") != v {
			bad("%q ends in spaces, which a char column drops: write %s", v, hclquote.Quote(strings.TrimRight(v, " ")))
		}
	case *schema.BinaryType:
		switch strings.ToLower(t.T) {
		case mysql.TypeBinary, mysql.TypeVarBinary:
			if size := binarySize(t); len(v) > size {
				bad("%q is %d bytes long; the column holds %d", v, len(v), size)
			}
		}
	case *schema.EnumType:
		checkMember(v, t.Values, "enum", bad)
	case *mysql.SetType:
		if v != "" {
			members := strings.Split(v, ",")
			for _, m := range members {
				checkMember(m, t.Values, "set", bad)
			}
			// The server stores the members in the column's order, each
			// once: 'b,a' reads back as 'a,b'.
			var stored []string
			for _, x := range t.Values {
				if slices.Contains(members, x) {
					stored = append(stored, x)
				}
			}
			if canon := strings.Join(stored, ","); len(stored) > 0 && canon != v && !slices.ContainsFunc(members, func(m string) bool { return !slices.Contains(t.Values, m) }) {
				bad("%q is stored as %q (set members in the column's order, each once): write %s", v, canon, hclquote.Quote(canon))
			}
		}
	case *schema.IntegerType:
		if n, ok := new(big.Int).SetString(strings.TrimPrefix(v, "+"), 10); ok {
			lo, hi := IntRange(t.T, t.Unsigned)
			if n.Cmp(lo) < 0 || n.Cmp(hi) > 0 {
				bad("%s is out of the range of %s (%s to %s)", v, schemadef.TypeName(c.Type), lo, hi)
			}
		} else {
			checkWhole(v, bad)
		}
	case *schema.BoolType:
		if n, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64); err == nil && (n < -128 || n > 127) {
			bad("%s is out of the range of bool, a tinyint (-128 to 127)", v)
		} else if err != nil {
			checkWhole(v, bad)
		}
	case *schema.DecimalType:
		checkDecimal(v, t, schemadef.TypeName(c.Type), bad)
	case *schema.FloatType:
		f, err := strconv.ParseFloat(v, 64)
		limit := math.MaxFloat64
		if singlePrecision(t) {
			limit = math.MaxFloat32
		}
		if err != nil && numLiteral.MatchString(v) || math.Abs(f) > limit {
			bad("%s is out of the range of %s", v, schemadef.TypeName(c.Type))
		}
		if t.Unsigned && f < 0 {
			bad("%s is negative, but the column is unsigned", v)
		}
	case *mysql.BitType:
		checkBit(v, max(t.Size, 1), bad)
	case *schema.TimeType:
		checkTime(v, t, bad)
	case *schema.JSONType:
		if !json.Valid([]byte(v)) {
			bad("%q is not JSON%s", v, notJSON)
		}
	}
}

// checkWhole refuses a number with a fractional part for a column of
// integers: the server stores it rounded (1.5 as 2), with a note only,
// even under the strict sql_mode.
func checkWhole(v string, bad func(string, ...any)) {
	if !numLiteral.MatchString(strings.TrimSpace(v)) {
		return
	}
	if r, ok := new(big.Rat).SetString(strings.TrimSpace(v)); ok && !r.IsInt() {
		bad("%s is not a whole number; the server would store it rounded: write it rounded", strings.TrimSpace(v))
	}
}

func checkMember(v string, values []string, kind string, bad func(string, ...any)) {
	if slices.Contains(values, v) {
		return
	}
	// A value with a quote is refused on its own (checkValues); read from
	// a live database by Atlas it keeps SQL's doubled quote, which the
	// default does not, and a second line saying the default is not a
	// member would only mislead.
	if slices.ContainsFunc(values, func(x string) bool { return strings.ContainsAny(x, `'\`) }) {
		return
	}
	for _, x := range values {
		if strings.EqualFold(x, v) {
			bad("%q is not one of the %s values; the server would store %q instead: write %s", v, kind, x, hclquote.Quote(x))
			return
		}
	}
	bad("%q is not one of the %s values (%s)", v, kind, strings.Join(values, ", "))
}

// intBits is the width of each integer type: its range, and its bytes in
// a row (packLen).
var intBits = map[string]uint{mysql.TypeTinyInt: 8, mysql.TypeSmallInt: 16, mysql.TypeMediumInt: 24, mysql.TypeInt: 32, "integer": 32, mysql.TypeBigInt: 64}

// IntRange is the range of an integer type.
func IntRange(t string, unsigned bool) (*big.Int, *big.Int) {
	bits := cmp.Or(intBits[strings.ToLower(t)], 64)
	one := big.NewInt(1)
	if unsigned {
		return big.NewInt(0), new(big.Int).Sub(new(big.Int).Lsh(one, bits), one)
	}
	hi := new(big.Int).Sub(new(big.Int).Lsh(one, bits-1), one)
	return new(big.Int).Neg(new(big.Int).Add(hi, one)), hi
}

// checkDecimal refuses a default with more integer digits than the column
// has (1067) or more decimals (the server rounds it).
func checkDecimal(v string, t *schema.DecimalType, name string, bad func(string, ...any)) {
	p := cmp.Or(t.Precision, 10)
	f, ok := new(big.Float).SetString(v)
	if !ok {
		return // not a number: checkDefault says so
	}
	if t.Unsigned && f.Sign() < 0 {
		bad("%s is negative, but the column is unsigned", v)
		return
	}
	mant := strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(v, "-"), "+"), "0")
	if strings.ContainsAny(mant, "eE") {
		// An exponent: compare with the largest value the column holds.
		limit := new(big.Float).SetFloat64(math.Pow10(p - t.Scale))
		if new(big.Float).Abs(f).Cmp(limit) >= 0 {
			bad("%s has more than the %d integer digits of %s", v, p-t.Scale, name)
		}
		return
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if len(intPart) > p-t.Scale {
		bad("%s has more than the %d integer digits of %s", v, p-t.Scale, name)
	}
	if frac = strings.TrimRight(frac, "0"); len(frac) > t.Scale {
		bad("%s has %d decimals; %s keeps %d, so the server would round it: write it rounded", v, len(frac), name, t.Scale)
	}
}

func checkBit(v string, size int, bad func(string, ...any)) {
	var n *big.Int
	switch {
	case len(v) > 2 && (v[0] == 'b' || v[0] == 'B') && v[1] == '\'':
		n, _ = new(big.Int).SetString(strings.Trim(v[1:], "'"), 2)
	case len(v) > 2 && (v[0] == 'x' || v[0] == 'X') && v[1] == '\'':
		n, _ = new(big.Int).SetString(strings.Trim(v[1:], "'"), 16)
	case len(v) > 2 && strings.EqualFold(v[:2], "0x"):
		n, _ = new(big.Int).SetString(v[2:], 16)
	default:
		n, _ = new(big.Int).SetString(v, 10)
	}
	if n == nil {
		checkWhole(v, bad)
	}
	if n != nil && n.Sign() < 0 {
		bad("%s is negative; a bit column holds 0 and up", v)
	}
	if n != nil && n.BitLen() > size {
		bad("%s needs %d bits; the column has %d", v, n.BitLen(), size)
	}
}

var (
	dateLiteral     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	datetimeLiteral = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$`)
	timeLiteral     = regexp.MustCompile(`^-?(\d{1,3}):(\d{2}):(\d{2})(\.\d{1,6})?$`)
	yearLiteral     = regexp.MustCompile(`^\d{4}$`)
)

// noZero ends the refusal of a date default with both ways out of a zero
// date (the server refuses one under sqlsyntax.SQLMode, error 1067):
// without a default the table is created, and a write that gives no date
// fails (error 1364).
const noZero = " (no zero month or day), or remove the default (a write must then give a date; with null = true, a row without one holds NULL)"

// checkTime accepts a date, time or datetime default only in the form the
// server shows it (other forms it takes are rewritten, and the column then
// never matches its declaration), within the type's range, with no more
// fractional digits than the column keeps.
func checkTime(v string, t *schema.TimeType, bad func(string, ...any)) {
	fsp := TimePrecision(t)
	fracOK := func(s string) bool {
		_, frac, _ := strings.Cut(s, ".")
		return len(frac) <= fsp
	}
	typ := strings.ToLower(t.T)
	switch typ {
	case mysql.TypeDate:
		if _, err := time.Parse(time.DateOnly, v); err != nil || !dateLiteral.MatchString(v) {
			bad("%q is not a date the server takes as written; write YYYY-MM-DD%s", v, noZero)
		}
	case mysql.TypeDateTime, mysql.TypeTimestamp:
		ts, err := time.Parse("2006-01-02 15:04:05.999999", v)
		switch {
		case err != nil || !datetimeLiteral.MatchString(v):
			if strings.HasPrefix(strings.ToUpper(v), "CURRENT_TIM") || strings.HasSuffix(v, ")") {
				bad("Atlas writes %q as a string, because it neither starts with CURRENT_TIMESTAMP nor is in parentheses, and the server refuses that string as a %s: write sql(\"CURRENT_TIMESTAMP\"), or the expression in parentheses", v, typ)
				return
			}
			bad("%q is not a %s the server takes as written; write YYYY-MM-DD HH:MM:SS%s", v, typ, noZero)
		case !fracOK(v):
			bad("%q has more fractional digits than the column's %d; the server would round it", v, fsp)
		case typ == mysql.TypeTimestamp && (ts.Before(time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC)) || ts.After(time.Date(2038, 1, 19, 3, 14, 7, 999999000, time.UTC))):
			bad("%q is out of the range of timestamp (1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC, emcee's session time zone)", v)
		}
	case mysql.TypeTime:
		m := timeLiteral.FindStringSubmatch(v)
		if m == nil {
			bad("%q is not a time the server takes as written; write HH:MM:SS", v)
			return
		}
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		s, _ := strconv.Atoi(m[3])
		switch {
		case mi > 59 || s > 59 || h > 838 || h == 838 && (mi > 59 || s > 59 || m[4] != ""):
			bad("%q is out of the range of time (-838:59:59 to 838:59:59)", v)
		case !fracOK(v):
			bad("%q has more fractional digits than the column's %d; the server would round it", v, fsp)
		}
	case mysql.TypeYear:
		n, err := strconv.Atoi(v)
		if err != nil || !yearLiteral.MatchString(v) || n < 1901 || n > 2155 {
			bad("%q is not a year the server takes as written (1901 to 2155)", v)
		}
	}
}

// checkPadded refuses a seed row's value a BINARY(n) column stores
// otherwise: the server pads a shorter value with zero bytes, and 'ab' no
// longer equals what it holds, so every rerun's NOT EXISTS misses the row
// and its INSERT meets the row's own key. A default is padded alike and
// compared as the server reads it back (MediaWiki's user_touched,
// binary(14) with an empty default): not refused.
func checkPadded(c *schema.Column, v string, bad func(string, ...any)) {
	if t, ok := c.Type.Type.(*schema.BinaryType); ok && strings.EqualFold(t.T, mysql.TypeBinary) {
		if size := binarySize(t); len(v) < size {
			bad("%q is %d bytes long; binary(%d) pads it with zero bytes to %d, and stores %s: write that", v, len(v), size, size, hclquote.Quote(v+strings.Repeat("\x00", size-len(v))))
		}
	}
}
