package persian

import (
	"strings"
	"testing"
	"unicode/utf8"
)

type stepTest struct{ name, give, want string }

// perRune lifts a per-rune step to strings, as Canonical applies it.
func perRune(step func(rune) rune) func(string) string {
	return func(s string) string { return strings.Map(step, s) }
}

func runStep(t *testing.T, step func(string) string, tests []stepTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := step(tt.give); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeNFKC(t *testing.T) {
	runStep(t, normalizeNFKC, []stepTest{
		{"presentation form lam-alef", "\uFEFB", "لا"},
		{"presentation form kaf", "\uFEDB", "ك"},
		{"fullwidth digit", "\uFF11", "1"},
		{"invalid utf-8 replaced", "a\xffb", "a\uFFFDb"},
		{"already normal", "خبر", "خبر"},
	})
}

func TestUnifyLetters(t *testing.T) {
	runStep(t, perRune(unifyLetter), []stepTest{
		{"arabic kaf", "كتاب", "کتاب"},
		{"arabic yeh", "علي", "علی"},
		{"alef maksura", "مصطفى", "مصطفی"},
		{"teh marbuta", "مدرسة", "مدرسه"},
		{"heh with yeh", "خانۀ", "خانه"},
		{"heh doachashmee", "ھمه", "همه"},
		{"alef with hamza above", "أمر", "امر"},
		{"alef with hamza below", "إسلام", "اسلام"},
		{"alef madda", "آمریکا", "امریکا"},
		{"alef wasla", "ٱلله", "الله"},
		{"persian untouched", "ایران", "ایران"},
	})
}

func TestStripDiacritics(t *testing.T) {
	runStep(t, perRune(stripDiacritic), []stepTest{
		{"fatha kasra damma", "کَتِبُ", "کتب"},
		{"tanwin", "حتماً", "حتما"},
		{"shadda", "محمّد", "محمد"},
		{"tatweel", "ســلام", "سلام"},
		{"superscript alef", "رحمٰن", "رحمن"},
		{"plain", "خبر", "خبر"},
	})
}

func TestFoldDigits(t *testing.T) {
	runStep(t, perRune(foldDigit), []stepTest{
		{"persian", "۱۴۰۴", "1404"},
		{"arabic-indic", "١٤٠٤", "1404"},
		{"ascii", "1404", "1404"},
		{"mixed text", "سال ۱۴۰۴ و ٢٠٢٥", "سال 1404 و 2025"},
	})
}

func TestDeleteInvisible(t *testing.T) {
	runStep(t, perRune(deleteInvisible), []stepTest{
		{"mi-shavad", "می\u200cشود", "میشود"},
		{"beynolmelali", "بین\u200cالمللی", "بینالمللی"},
		{"zwj and marks", "a\u200db\u200ec\u200fd\ufeff", "abcd"},
		{"no zwnj", "میشود", "میشود"},
	})
}

func TestPunctuationToSpace(t *testing.T) {
	runStep(t, perRune(punctuationToSpace), []stepTest{
		{"persian comma", "تهران،ایران", "تهران ایران"},
		{"guillemets and question", "«خبر»؟", " خبر  "},
		{"semicolon", "الف؛ب", "الف ب"},
		{"latin", "a.b,c", "a b c"},
		{"digits kept", "12:30", "12 30"},
		{"persian letters kept", "پچژگکی", "پچژگکی"},
		{"arabic comma and tatweel-free", "الف٫ب", "الف ب"},
		{"latin accented letter kept", "café", "café"},
	})
}

func TestLowerLatin(t *testing.T) {
	runStep(t, perRune(lowerLatin), []stepTest{
		{"latin", "ICT Core", "ict core"},
		{"greek", "ΑΒ", "αβ"},
		{"persian", "خبر", "خبر"},
	})
}

func TestCollapseSpace(t *testing.T) {
	runStep(t, collapseSpace, []stepTest{
		{"runs", "  الف \t\n ب  ", "الف ب"},
		{"empty", "   ", ""},
	})
}

func TestCanonicalEquivalences(t *testing.T) {
	tests := []struct{ name, a, b string }{
		{"zwnj verb", "می‌شود", "میشود"},
		{"zwnj compound", "بین‌المللی", "بینالمللی"},
		{"arabic kaf", "كتاب", "کتاب"},
		{"persian and ascii digits", "۱۴۰۴", "1404"},
		{"arabic-indic and ascii digits", "١٤٠٤", "1404"},
		{"arabic yeh and zwnj as space is not joined", "مي‌شود", "میشود"},
		{"madda", "آمریکا", "امریکا"},
		{"punctuation", "«ایران»، امروز؟", "ایران امروز"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := Canonical(tt.a), Canonical(tt.b); a != b {
				t.Errorf("Canonical(%q) = %q, Canonical(%q) = %q, want equal", tt.a, a, tt.b, b)
			}
		})
	}
}

func TestCanonicalKeepsSpaceSeparatedWordsApart(t *testing.T) {
	// Old sites write «مي شود» with a space: that stays two tokens.
	if got, want := Canonical("مي شود"), "می شود"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTokens(t *testing.T) {
	got := Tokens("وزیر دفاعِ عراق، درباره «روابط» با آمریکا چه گفت؟ ۱۴۰۴")
	want := []string{"وزیر", "دفاع", "عراق", "درباره", "روابط", "با", "امریکا", "چه", "گفت", "1404"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

func TestCanonicalIdempotent(t *testing.T) {
	tests := []struct{ name, give, want string }{
		// Lowercasing Ϋ after NFKC leaves ϋ + perispomeni, which NFKC
		// composes into one letter.
		{"lowercase before a combining mark", "\u03ab\u0342", "\u1fe7"},
		// Deleting the ZWNJ that kept e and its accent apart.
		{"joiner between a letter and its accent", "e\u200c\u0301", "\u00e9"},
		{"tatweel between a letter and its accent", "e\u0640\u0301", "\u00e9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Canonical(tt.give)
			if got != tt.want {
				t.Errorf("got %+q, want %+q", got, tt.want)
			}
			if again := Canonical(got); again != got {
				t.Errorf("not idempotent: %+q, then %+q", got, again)
			}
		})
	}
}

func TestPlainScript(t *testing.T) {
	tests := []struct {
		give string
		want bool
	}{
		{"", true},
		{"khabar 1404", true},
		{"وزیر دفاع عراق", true},
		{"café", true},
		{"e\u0301", false},      // a combining accent
		{"\u0627\u0653", false}, // alef + maddah compose into آ
		{"\u03cb\u0342", false}, // Greek is left to norm
		{"\u0670", false},       // superscript alef is a combining mark
	}
	for _, tt := range tests {
		if got := plainScript(tt.give); got != tt.want {
			t.Errorf("plainScript(%+q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"می‌شود", "كتاب ١٤٠٤", "«سلام»؟", "\xff\xfe", "ســلامٌ", "\uFEFB", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Canonical(s)
		if !utf8.ValidString(c) {
			t.Fatalf("Canonical(%q) = %q: invalid UTF-8", s, c)
		}
		if again := Canonical(c); again != c {
			t.Fatalf("not idempotent: Canonical(%q) = %q, again %q", s, c, again)
		}
	})
}
