package persian

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Named runes the normaliser maps or removes.
const (
	arabicKaf        = '\u0643' // ك
	keheh            = '\u06A9' // ک
	arabicYeh        = '\u064A' // ي
	alefMaksura      = '\u0649' // ى
	farsiYeh         = '\u06CC' // ی
	tehMarbuta       = '\u0629' // ة
	hehWithYeh       = '\u06C0' // ۀ
	ae               = '\u06D5' // ە
	hehDoachashmee   = '\u06BE' // ھ
	heh              = '\u0647' // ه
	alefHamzaAbove   = '\u0623' // أ
	alefHamzaBelow   = '\u0625' // إ
	alefWasla        = '\u0671' // ٱ
	alefMadda        = '\u0622' // آ
	alef             = '\u0627' // ا
	tatweel          = '\u0640' // ـ
	superscriptAlef  = '\u0670'
	zwnj             = '\u200C'
	zwj              = '\u200D'
	lrm              = '\u200E'
	rlm              = '\u200F'
	arabicLetterMark = '\u061C'
	bom              = '\uFEFF'
	softHyphen       = '\u00AD'
)

// Canonical is a pipeline of small named steps: NFKC on the whole string,
// then the per-rune steps in order (fused into one pass over the text),
// repeated in the rare case the steps leave text that NFKC would change
// (see fold), then collapseSpace. Every step has its own table test.
var runeSteps = []func(rune) rune{
	unifyLetter,
	stripDiacritic,
	foldDigit,
	deleteInvisible,
	punctuationToSpace,
	lowerLatin,
}

// canonicalRune applies the per-rune steps to r; -1 deletes it.
func canonicalRune(r rune) rune {
	for _, step := range runeSteps {
		if r = step(r); r < 0 {
			return r
		}
	}
	return r
}

// Canonical returns the matching form of s: NFKC, Arabic letter variants
// folded toward Persian, diacritics and tatweel removed, digits folded to
// ASCII, ZWNJ and other invisible marks deleted (so «می‌شود» equals «میشود»),
// punctuation turned into spaces, Latin lowercased and spaces collapsed.
// It is applied identically to documents and queries; the original text is
// kept for display.
func Canonical(s string) string {
	return collapseSpace(fold(s, canonicalRune, canonicalTable))
}

// Tokens returns the canonical tokens of s, in order.
func Tokens(s string) []string {
	return fields(fold(s, canonicalRune, canonicalTable))
}

// maxFoldRounds bounds how often fold re-applies NFKC and the rune steps.
// Real text needs one round; a second is needed when a step undoes NFKC's
// work (lowercasing «Ϋ» before a combining mark, deleting a joiner between
// a letter and its accent), and the fuzzer has found nothing needing more.
const maxFoldRounds = 4

// fold applies NFKC and then f to every rune, again until the result is in
// NFKC (a fixed point), so that Canonical(Canonical(s)) == Canonical(s).
// t is f tabulated (see [foldTable]): text made only of the runes it holds,
// almost all of our text, is folded by it in one pass.
func fold(s string, f func(rune) rune, t *foldTable) string {
	if out, ok := t.apply(s); ok {
		return out
	}
	return foldGeneral(s, f)
}

// foldGeneral is fold without the table: NFKC, f, and again until the
// result is in NFKC.
func foldGeneral(s string, f func(rune) rune) string {
	s = mapRunes(normalizeNFKC(s), f)
	for range maxFoldRounds - 1 {
		if plainScript(s) || norm.NFKC.IsNormalString(s) {
			break
		}
		s = mapRunes(norm.NFKC.String(s), f)
	}
	return s
}

// plainScript reports whether s holds only runes that nothing composes
// with: ASCII and Latin below the combining marks (U+0300), and the Arabic
// letters punctuationToSpace keeps (no harakat, no superscript alef). The
// runes of fold's output are each in NFKC already, so such a string is in
// NFKC as a whole; this check is much cheaper than norm's, and it answers
// for almost all of our text.
func plainScript(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return plainRunes(s[i:])
		}
	}
	return true
}

func plainRunes(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x300, r >= 0x0621 && r <= 0x064A, r >= 0x066E && r <= 0x06D3 && r != superscriptAlef, r == 0x06D5, r >= 0x06FA && r <= 0x06FC:
		default:
			return false
		}
	}
	return true
}

// keepZWNJ is canonicalRune that leaves ZWNJ in place, so that a word
// written with it («قطب‌نما», «بین‌المللی») can be seen in parts.
func keepZWNJ(r rune) rune {
	if r == zwnj {
		return r
	}
	return canonicalRune(r)
}

// words returns the canonical words of s with ZWNJ still inside them.
func words(s string) []string {
	return fields(fold(s, keepZWNJ, keepZWNJTable))
}

// normalizeNFKC applies Unicode NFKC, which also maps Arabic presentation
// forms and full-width characters to their base letters. Invalid UTF-8 is
// replaced with U+FFFD first so that everything downstream sees valid text.
func normalizeNFKC(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return norm.NFKC.String(s)
}

// letterMap folds Arabic letter variants toward their Persian forms (hazm's
// direction, not Lucene's).
var letterMap = map[rune]rune{
	arabicKaf:      keheh,
	arabicYeh:      farsiYeh,
	alefMaksura:    farsiYeh,
	tehMarbuta:     heh,
	hehWithYeh:     heh,
	ae:             heh,
	hehDoachashmee: heh,
	alefHamzaAbove: alef,
	alefHamzaBelow: alef,
	alefWasla:      alef,
	alefMadda:      alef,
}

// unifyLetter maps ك→ک, ي/ى→ی, ة/ۀ/ە/ھ→ه and أ/إ/ٱ/آ→ا.
func unifyLetter(r rune) rune {
	if r < 0x0622 || r > 0x06D5 {
		return r
	}
	if m, ok := letterMap[r]; ok {
		return m
	}
	return r
}

// isDiacritic reports whether r is an Arabic harakat mark, the superscript
// alef or tatweel.
func isDiacritic(r rune) bool {
	return (r >= '\u064B' && r <= '\u065F') || r == superscriptAlef || r == tatweel
}

// stripDiacritic removes harakat (fatha, kasra, damma, tanwin, shadda,
// sukun, …), the superscript alef and tatweel.
func stripDiacritic(r rune) rune {
	if isDiacritic(r) {
		return -1
	}
	return r
}

// foldDigit maps Persian (۰–۹) and Arabic-Indic (٠–٩) digits to ASCII.
func foldDigit(r rune) rune {
	switch {
	case r >= '۰' && r <= '۹':
		return '0' + (r - '۰')
	case r >= '٠' && r <= '٩':
		return '0' + (r - '٠')
	}
	return r
}

// isInvisible reports whether r is a joiner or direction mark that carries
// no meaning for matching.
func isInvisible(r rune) bool {
	switch r {
	case zwnj, zwj, lrm, rlm, arabicLetterMark, bom, softHyphen:
		return true
	}
	return false
}

// deleteInvisible deletes ZWNJ and the other invisible marks, joining the
// parts: «می‌شود» and «میشود», «بین‌المللی» and «بینالمللی» become equal.
// (Lucene and bleve turn ZWNJ into a space instead, so those pairs never
// match.)
func deleteInvisible(r rune) rune {
	if isInvisible(r) {
		return -1
	}
	return r
}

// punctuationToSpace turns everything that is not a letter, a digit or a
// combining mark into a space: Persian and Latin punctuation (، ؛ ؟ « » . ,),
// symbols and control characters are separators.
func punctuationToSpace(r rune) rune {
	switch {
	case r < 0x80:
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return ' '
	case r >= 0x0621 && r <= 0x064A, r >= 0x066E && r <= 0x06D3, r == 0x06D5, r >= 0x06FA && r <= 0x06FC:
		return r // Arabic-script letters, the bulk of our text
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
		return r
	}
	return ' '
}

// lowerLatin lowercases letters that have case (Persian has none).
func lowerLatin(r rune) rune {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	return unicode.ToLower(r)
}

// collapseSpace trims s and collapses runs of white space into one space.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mapRunes is strings.Map that returns s itself, unallocated, when f changes
// nothing: most text is already clean for most steps.
func mapRunes(s string, f func(rune) rune) string {
	for i, r := range s {
		if f(r) != r {
			return s[:i] + strings.Map(f, s[i:])
		}
	}
	return s
}

// A foldTable is one of fold's per-rune steps (canonicalRune, keepZWNJ)
// tabulated for the runes fold may map one at a time, skipping NFKC: the
// ASCII, Latin-1, Latin Extended, Arabic and General Punctuation runes
// that NFKC leaves alone wherever they stand (each is its own NFKC form
// and a boundary before: ccc 0, combining with nothing before it) and
// that the step maps to such a rune or deletes; and the harakat (fathatan
// … sukun) when the step deletes them: no character composes with them,
// so NFKC only moves them among themselves. A string of only those runes
// is in NFKC as it is but for the order of its harakat, and the step's
// output (without them) is in NFKC: fold's first round is then the step
// applied rune by rune, and its last. Every other rune is [notFast] and
// sends the text down fold's general path.
type foldTable struct {
	low  [lowFast]rune     // runes 0 … lowFast-1
	punc [puncFastLen]rune // runes puncFast … puncFast+puncFastLen-1
}

const (
	lowFast     = 0x0700 // up to the end of the Arabic block
	puncFast    = 0x2000 // General Punctuation (ZWNJ, ZWJ, marks, dashes)
	puncFastLen = 0x70
	notFast     = -2 // in a foldTable: not mapped by the table

	firstHaraka = '\u064B' // fathatan
	lastHaraka  = '\u0652' // sukun
)

var (
	canonicalTable = newFoldTable(canonicalRune)
	keepZWNJTable  = newFoldTable(keepZWNJ)
)

// nfkcInert reports whether NFKC leaves r alone wherever it stands.
func nfkcInert(r rune) bool {
	if !utf8.ValidRune(r) {
		return false
	}
	s := string(r)
	return norm.NFKC.PropertiesString(s).BoundaryBefore() && norm.NFKC.String(s) == s
}

func newFoldTable(f func(rune) rune) *foldTable {
	t := &foldTable{}
	set := func(r rune) rune {
		if r >= firstHaraka && r <= lastHaraka && f(r) == -1 {
			return -1
		}
		if !nfkcInert(r) {
			return notFast
		}
		m := f(r)
		if m < 0 {
			return -1
		}
		if !nfkcInert(m) {
			return notFast
		}
		return m
	}
	for r := range rune(lowFast) {
		t.low[r] = set(r)
	}
	for i := range rune(puncFastLen) {
		t.punc[i] = set(puncFast + i)
	}
	return t
}

// lookup is r's image in t: the rune, -1 (deleted) or notFast.
func (t *foldTable) lookup(r rune) rune {
	switch {
	case r < lowFast:
		return t.low[r]
	case r >= puncFast && r < puncFast+puncFastLen:
		return t.punc[r-puncFast]
	}
	return notFast
}

// apply folds s by the table; false when s has a rune the table does not
// map (or invalid UTF-8), for fold's general path. s itself is returned,
// unallocated, when the table changes nothing.
func (t *foldTable) apply(s string) (string, bool) {
	i := 0
	for i < len(s) {
		r, size := runeAt(s, i)
		if r == utf8.RuneError && size == 1 {
			return "", false // invalid UTF-8
		}
		m := t.lookup(r)
		if m == notFast {
			return "", false
		}
		if m != r {
			break
		}
		i += size
	}
	if i == len(s) {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := runeAt(s, i)
		if r == utf8.RuneError && size == 1 {
			return "", false
		}
		switch m := t.lookup(r); {
		case m == notFast:
			return "", false
		case m == r:
			b.WriteString(s[i : i+size])
		case m >= utf8.RuneSelf:
			b.WriteRune(m)
		case m >= 0:
			b.WriteByte(byte(m))
		}
		i += size
	}
	return b.String(), true
}

// wordSpans are the words of a text being folded by appendWords: the
// fields of the folded text (as fields has them), each with whether it
// holds a ZWNJ.
type wordSpans struct {
	spans []wordSpan
	start int // of the word being read; -1 between words
	split bool
}

type wordSpan struct {
	start, end int
	split      bool // holds a ZWNJ
}

func (ws *wordSpans) reset() { *ws = wordSpans{spans: ws.spans[:0], start: -1} }

// end closes the word being read, if any, at n.
func (ws *wordSpans) end(n int) {
	if ws.start >= 0 {
		ws.spans = append(ws.spans, wordSpan{ws.start, n, ws.split})
		ws.start, ws.split = -1, false
	}
}

// appendWords appends s folded by the table to buf (as apply, into a
// buffer the caller reuses) and finds the words of the folded text (buf
// from the start of ws's text) as it goes, in ws; ws.end closes the last.
// Unchanged runes are copied in runs. It reports false when s has a rune
// the table does not map (or invalid UTF-8).
func (t *foldTable) appendWords(buf []byte, s string, ws *wordSpans) ([]byte, bool) {
	run := 0 // s[run:i] is unchanged and not yet copied
	for i := 0; i < len(s); {
		r, size := runeAt(s, i)
		if r == utf8.RuneError && size == 1 {
			return buf, false
		}
		m := t.lookup(r)
		switch {
		case m == notFast:
			return buf, false
		case m < 0:
			buf = append(buf, s[run:i]...)
			run = i + size
			i += size
			continue
		}
		at := len(buf) + i - run // where m goes in the folded text
		if isSpace(m) {
			ws.end(at)
		} else {
			if ws.start < 0 {
				ws.start = at
			}
			if m == zwnj {
				ws.split = true
			}
		}
		if m != r {
			buf = append(buf, s[run:i]...)
			if m >= utf8.RuneSelf {
				buf = utf8.AppendRune(buf, m)
			} else {
				buf = append(buf, byte(m))
			}
			run = i + size
		}
		i += size
	}
	return append(buf, s[run:]...), true
}

// isSpace is unicode.IsSpace without the Unicode tables for ASCII and the
// Arabic letters.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiSpace[r]
	}
	return (r < 0x100 || r >= 0x1680) && unicode.IsSpace(r)
}

// fields is strings.Fields (white space as unicode.IsSpace has it) that
// tells the Arabic-script letters from spaces without the Unicode tables.
func fields(s string) []string {
	n := 0
	inField := false
	for i := 0; i < len(s); {
		sp, size := spaceAt(s, i)
		if !sp && !inField {
			n++
		}
		inField = !sp
		i += size
	}
	out := make([]string, 0, n)
	start := -1
	for i := 0; i < len(s); {
		sp, size := spaceAt(s, i)
		switch {
		case sp && start >= 0:
			out = append(out, s[start:i])
			start = -1
		case !sp && start < 0:
			start = i
		}
		i += size
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// spaceAt reports whether the rune at s[i] is white space, and its size.
func spaceAt(s string, i int) (bool, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiSpace[c], 1
	}
	r, size := runeAt(s, i)
	if r >= 0x100 && r < 0x1680 {
		return false, size // no white space between Latin-1 and Ogham
	}
	return unicode.IsSpace(r), size
}

// runeAt is utf8.DecodeRuneInString(s[i:]), the two-byte runes (Latin,
// Arabic) decoded inline.
func runeAt(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if c >= 0xC2 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		return rune(c&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(s[i:])
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
