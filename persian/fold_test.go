package persian

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// tables are fold's two per-rune steps with their tables.
var tables = []struct {
	name string
	f    func(rune) rune
	t    *foldTable
}{
	{"canonicalRune", canonicalRune, canonicalTable},
	{"keepZWNJ", keepZWNJ, keepZWNJTable},
}

// fastRunes are the runes t maps (not notFast).
func fastRunes(t *foldTable) []rune {
	var rs []rune
	for r := range rune(lowFast) {
		if t.lookup(r) != notFast {
			rs = append(rs, r)
		}
	}
	for r := rune(puncFast); r < puncFast+puncFastLen; r++ {
		if t.lookup(r) != notFast {
			rs = append(rs, r)
		}
	}
	return rs
}

// TestFoldTableHoldsOurText: the runes of Persian news are in the tables
// (else the fast path would never run), and those NFKC changes are not.
func TestFoldTableHoldsOurText(t *testing.T) {
	for _, tb := range tables {
		for _, r := range "abzAZ09 .,\n\t«»،؛؟ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآأإئؤءكيىةۀ۰۹٠٩\u200c\u200d\u200e\u200f–—éÉ\u064b\u064e\u0650\u0651\u0652" {
			if tb.t.lookup(r) == notFast {
				t.Errorf("%s: %+q is not in the table", tb.name, r)
			}
		}
		for _, r := range "\u0670\u0653\u0654\u00a0\u2002\u0675\u0301\uFEFB\uFF11\uFFFD" {
			if tb.t.lookup(r) != notFast {
				t.Errorf("%s: %+q (changed by NFKC, combining, or mapped outside) is in the table", tb.name, r)
			}
		}
	}
}

// TestFoldTableMatchesGeneral: for every rune the table maps, alone and
// next to every Arabic-script, punctuation and ASCII rune it maps, the
// table folds exactly as NFKC and the step do (foldGeneral).
func TestFoldTableMatchesGeneral(t *testing.T) {
	for _, tb := range tables {
		fast := fastRunes(tb.t)
		var near []rune
		for _, r := range fast {
			if r < 0x80 || r >= 0x0600 {
				near = append(near, r)
			}
		}
		check := func(s string) {
			t.Helper()
			got, ok := tb.t.apply(s)
			if !ok {
				t.Fatalf("%s: apply(%+q) fell back", tb.name, s)
			}
			if want := foldGeneral(s, tb.f); got != want {
				t.Fatalf("%s: apply(%+q) = %+q, foldGeneral %+q", tb.name, s, got, want)
			}
		}
		for _, a := range fast {
			check(string(a))
			for _, b := range near {
				check(string(a) + string(b))
				check(string(b) + string(a))
			}
			// Harakat in a row after a letter (NFKC reorders them).
			for m1 := firstHaraka; m1 <= lastHaraka; m1++ {
				for m2 := firstHaraka; m2 <= lastHaraka; m2++ {
					check(string([]rune{a, m1, m2}))
				}
			}
		}
	}
}

// TestFoldTableRandomText compares fold with foldGeneral on random text,
// most of it of runes the tables map, some with runes that they do not
// (combining marks, presentation forms, invalid UTF-8).
func TestFoldTableRandomText(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	others := []string{"\u0670", "\u0653", "\u00a0", "\uFEFB", "\uFF11", "\xff", "e\u0301", "\u03ab\u0342", "\u0675"}
	for _, tb := range tables {
		fast := fastRunes(tb.t)
		fellBack := 0
		for range 20000 {
			var b strings.Builder
			for range 1 + rng.IntN(24) {
				switch rng.IntN(40) {
				case 0:
					b.WriteString(others[rng.IntN(len(others))])
				case 1, 2, 3, 4:
					b.WriteRune(firstHaraka + rune(rng.IntN(lastHaraka-firstHaraka+1)))
				default:
					b.WriteRune(fast[rng.IntN(len(fast))])
				}
			}
			s := b.String()
			if _, ok := tb.t.apply(s); !ok {
				fellBack++
			}
			if got, want := fold(s, tb.f, tb.t), foldGeneral(s, tb.f); got != want {
				t.Fatalf("%s: fold(%+q) = %+q, foldGeneral %+q", tb.name, s, got, want)
			}
		}
		if fellBack == 0 || fellBack == 20000 {
			t.Errorf("%s: %d of 20000 texts fell back: the test does not exercise both paths", tb.name, fellBack)
		}
	}
}

// TestFieldsIsStringsFields: fields splits as strings.Fields, at every
// white space rune Unicode has.
func TestFieldsIsStringsFields(t *testing.T) {
	var spaces []rune
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if strings.TrimSpace(string(r)) == "" && utf8.ValidRune(r) {
			spaces = append(spaces, r)
		}
	}
	if len(spaces) < 20 {
		t.Fatalf("only %d white space runes found", len(spaces))
	}
	texts := []string{"", " ", "a", " a b ", "وزیر  دفاع\nعراق\t", "\xff a\xfe", "می\u200cشود", "\u00a0x\u0085y\u1680z\u3000"}
	for _, sp := range spaces {
		texts = append(texts, "خبر"+string(sp)+"نو", string(sp)+"a"+string(sp))
	}
	for _, s := range texts {
		if got, want := fields(s), strings.Fields(s); !slices.Equal(got, want) {
			t.Errorf("fields(%+q) = %q, strings.Fields %q", s, got, want)
		}
	}
}

// TestTablesDifferOnlyAtZWNJ: canonicalRune is keepZWNJ deleting ZWNJ,
// which Scratch.AppendTermsTokens relies on to fold once for both.
func TestTablesDifferOnlyAtZWNJ(t *testing.T) {
	for r := rune(0); r < puncFast+puncFastLen; r++ {
		c, k := canonicalTable.lookup(r), keepZWNJTable.lookup(r)
		switch {
		case r == zwnj:
			if c != -1 || k != zwnj {
				t.Errorf("ZWNJ: canonical %d, keepZWNJ %d", c, k)
			}
		case c != k:
			t.Errorf("%+q: canonical %d, keepZWNJ %d", r, c, k)
		}
	}
}

// termsTokensTexts are texts for Scratch.AppendTermsTokens: joiners alone, at the
// ends, doubled, between stopwords, with harakat, and with runes that
// send the text down fold's general path.
var termsTokensTexts = []string{
	"", " ", "\u200c", "\u200c \u200c\u200c", "‌خبر‌", "قطب‌نما", "کتاب‌های تازه در نمایشگاه بین‌المللی عرضه می‌شود",
	"می‌شود", "صلاح‌الدین", "حتماً مُحَمَّد", "e\u200c\u0301 café", "\uFEFB\u200cلا", "آ\u0653", "a\xffb\u200cc",
	"وزیر دفاعِ عراق، درباره «روابط» با آمریکا چه گفت؟ ۱۴۰۴", "ABC\u200cDEF ۱۲\u200c۳", "و\u200cو \u200cها\u200c",
}

func TestScratchTermsTokens(t *testing.T) {
	for _, s := range termsTokensTexts {
		checkTermsTokens(t, s)
	}
}

func checkTermsTokens(t *testing.T, s string) {
	t.Helper()
	pre := []string{"x"}
	if got, want := AppendTerms(slices.Clip(pre), s), append(slices.Clip(pre), Terms(s)...); !slices.Equal(got, want) {
		t.Errorf("AppendTerms of %+q: got %q, want %q", s, got, want)
	}
	var wantTokens []Token
	for _, tok := range Tokens(s) {
		term := ""
		if !IsStopword(tok) {
			term = Stem(tok)
		}
		wantTokens = append(wantTokens, Token{Text: tok, Term: term})
	}
	if got := TokenTerms(s); !slices.Equal(got, wantTokens) {
		t.Errorf("TokenTerms of %+q: got %q, want %q", s, got, wantTokens)
	}
	// A Scratch, used again, on s cut in two anywhere (in a rune too) and
	// on the pieces the index joins.
	wantTerms := Terms(s)
	var sc Scratch
	for cut := 0; cut <= len(s); cut++ {
		parts := []string{s[:cut], s[cut:]}
		terms, tokens := sc.AppendTermsTokens(slices.Clip(pre), []Token{{"y", ""}}, parts...)
		if !slices.Equal(terms, append(slices.Clip(pre), wantTerms...)) || !slices.Equal(tokens, append([]Token{{"y", ""}}, wantTokens...)) {
			t.Fatalf("Scratch on %+q: terms %q, tokens %q; want %q, %q", parts, terms, tokens, wantTerms, wantTokens)
		}
		if terms := sc.AppendTerms(nil, parts...); !slices.Equal(terms, wantTerms) {
			t.Fatalf("Scratch.AppendTerms on %+q: %q, want %q", parts, terms, wantTerms)
		}
	}
	joined := "عنوان خبر" + "\n" + s + " " + s
	terms, tokens := sc.AppendTermsTokens(nil, nil, "عنوان خبر", "\n", s, " ", s)
	if !slices.Equal(terms, Terms(joined)) || !slices.Equal(tokens, TokenTerms(joined)) {
		t.Errorf("Scratch on the pieces of %+q: terms %q, tokens %q", joined, terms, tokens)
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range append([]string{"كتاب ١٤٠٤", "«سلام»؟", "\xff\xfe", "ســلامٌ", "ABC dé"}, termsTokensTexts...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tb := range tables {
			if got, want := fold(s, tb.f, tb.t), foldGeneral(s, tb.f); got != want {
				t.Fatalf("%s: fold(%+q) = %+q, foldGeneral %+q", tb.name, s, got, want)
			}
		}
		if got, want := fields(s), strings.Fields(s); !slices.Equal(got, want) {
			t.Fatalf("fields(%+q) = %q, strings.Fields %q", s, got, want)
		}
		checkTermsTokens(t, s)
	})
}

// TestRuneAt: runeAt decodes as utf8.DecodeRuneInString, valid or not.
func TestRuneAt(t *testing.T) {
	var texts []string
	for c := 0; c < 256; c++ {
		for _, next := range []string{"", "\x80", "\xbf", "\xc0", "a", "\x80\x80", "\xa0\x80\x80"} {
			texts = append(texts, string([]byte{byte(c)})+next)
		}
	}
	texts = append(texts, "خبر", "\u200c", "é", "\U0001F600", "\xed\xa0\x80")
	for _, s := range texts {
		r, size := runeAt(s, 0)
		wr, wsize := utf8.DecodeRuneInString(s)
		if r != wr || size != wsize {
			t.Errorf("runeAt(%+q) = %+q, %d; want %+q, %d", s, r, size, wr, wsize)
		}
	}
}
