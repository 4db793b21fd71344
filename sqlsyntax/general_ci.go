package sqlsyntax

import (
	_ "embed"
	"slices"
	"strconv"
	"strings"
)

//go:embed general_ci_mariadb1011.txt
var generalCIList string

// generalCI is utf8mb4_general_ci's weight of each character of the Basic
// Multilingual Plane whose weight is not its code point, as MariaDB 10.11
// gives it (general_ci_mariadb1011.txt).
var generalCI = func() map[rune]rune {
	m := map[rune]rune{}
	for cp, w := range readList("general_ci_mariadb1011.txt", generalCIList) {
		c, err1 := strconv.ParseUint(cp, 16, 32)
		v, err2 := strconv.ParseUint(w, 16, 32)
		if err1 != nil || err2 != nil {
			panic("sqlsyntax: general_ci_mariadb1011.txt: not two code points in hex: " + cp + " " + w)
		}
		m[rune(c)] = rune(v)
	}
	return m
}()

// GeneralCIWeights is text as the server compares it under a general_ci
// collation of utf8mb4 or utf8mb3 (utf8mb4_general_ci, MariaDB's default,
// and its _nopad_ one): each character weighs alone, by the server's own
// table (case and accents folded, 'ß' as 's', not 'ss' as Unicode has it;
// a zero width space a character as any other), and every character past
// U+FFFF as U+FFFD, so that two emoji are one. Trailing spaces are the
// caller's (PAD SPACE or not: NoPadCollation). ok is false for another
// collation.
func GeneralCIWeights(collation, text string) (weights string, ok bool) {
	switch CanonicalCharset(collation) {
	case "utf8mb4_general_ci", "utf8mb4_general_nopad_ci", "utf8mb3_general_ci", "utf8mb3_general_nopad_ci":
	default:
		return "", false
	}
	var b strings.Builder
	for _, r := range text {
		switch w, ok := generalCI[r]; {
		case ok:
			r = w
		case r > 0xFFFF:
			r = 0xFFFD
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// PastBasicPlaneAsOne says whether a collation weighs every character past
// U+FFFF as U+FFFD, so that any two of them (two emoji) are equal: the
// general_ci ones and those of UCA 4.0.0 (utf8mb4_unicode_ci and the
// language ones built on it: utf8mb4_swedish_ci, utf8mb4_german2_ci...), as
// MariaDB 10.11 compares them; not the binary ones, those of UCA 5.2.0
// (unicode_520, myanmar, thai_520) or of UCA 14.0.0 (uca1400).
func PastBasicPlaneAsOne(collation string) bool {
	l := CanonicalCharset(collation)
	switch CharsetOf(l) {
	case "utf8mb4", "utf16", "utf16le", "utf32":
		return !slices.ContainsFunc([]string{"_bin", "520", "uca1400", "myanmar"}, func(s string) bool { return strings.Contains(l, s) })
	}
	return false
}

// collationLanguages are the languages MariaDB names in its collations
// (utf8mb4_swedish_ci, latin1_german2_ci, utf8mb4_uca1400_swedish_ai_ci),
// each as the BCP 47 tag of its Unicode (CLDR) collation: german2 is the
// phone book's ('ä' as 'ae'), spanish2 the traditional ('ch' and 'll'
// letters of their own). german1 and roman have none of their own (roman,
// I = J and U = V, has no CLDR collation).
var collationLanguages = map[string]string{
	"icelandic": "is", "latvian": "lv", "romanian": "ro", "slovenian": "sl", "polish": "pl",
	"estonian": "et", "spanish": "es", "spanish2": "es-u-co-trad", "swedish": "sv", "turkish": "tr",
	"czech": "cs", "danish": "da", "lithuanian": "lt", "slovak": "sk", "persian": "fa",
	"esperanto": "eo", "hungarian": "hu", "sinhala": "si", "german2": "de-u-co-phonebk",
	"croatian": "hr", "vietnamese": "vi", "myanmar": "my", "thai": "th",
}

// CollationLanguage is the language a collation's name names (name, as the
// collation spells it: "swedish") and the BCP 47 tag of its Unicode
// collation ("sv"), whose letters the collation tells apart or folds as
// that language does ('Å' and 'A' two letters in Swedish); "" for a
// collation of no language (utf8mb4_unicode_ci, utf8mb4_general_ci).
func CollationLanguage(collation string) (name, tag string) {
	for _, part := range strings.Split(CanonicalCharset(collation), "_") {
		if tag, ok := collationLanguages[part]; ok {
			return part, tag
		}
	}
	return "", ""
}
