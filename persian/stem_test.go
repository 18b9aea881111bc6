package persian

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStem(t *testing.T) {
	tests := []struct{ name, give, want string }{
		{"plural ha", "کتابها", "کتاب"},
		{"plural hay", "کتابهای", "کتاب"},
		{"plural hayi", "کتابهایی", "کتاب"},
		{"plural an", "دانشجویان", "دانشجو"},
		{"plural at", "اطلاعات", "اطلاع"},
		{"comparative", "بزرگتر", "بزرگ"},
		{"superlative", "بزرگترین", "بزرگ"},
		{"short word kept", "بیان", "بیان"},
		{"iran is not a plural", "ایران", "ایران"},
		{"tehran is not a plural", "تهران", "تهران"},
		{"ensan kept", "انسان", "انسان"},
		{"filter is not a comparative", "فیلتر", "فیلتر"},
		{"four-letter stem with an", "کارگران", "کارگر"},
		{"too short for an", "جان", "جان"},
		{"no suffix", "عراق", "عراق"},
		{"latin", "ict", "ict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Stem(tt.give); got != tt.want {
				t.Errorf("Stem(%q) = %q, want %q", tt.give, got, tt.want)
			}
		})
	}
}

func TestIsStopword(t *testing.T) {
	tests := []struct {
		give string
		want bool
	}{
		{"و", true}, {"از", true}, {"میشود", true}, {"انها", true},
		{"عراق", false}, {"وزیر", false}, {"1404", false},
	}
	for _, tt := range tests {
		if got := IsStopword(tt.give); got != tt.want {
			t.Errorf("IsStopword(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

func TestTerms(t *testing.T) {
	got := Terms("کتاب‌های تازه در نمایشگاه بین‌المللی عرضه می‌شود")
	want := []string{"کتاب", "تازه", "نمایشگاه", "بینالمللی", "المللی", "عرضه"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTermsSplitZWNJWords(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{"قطب‌نما", []string{"قطبنما", "قطب", "نما"}},
		{"قطب نما", []string{"قطب", "نما"}},
		{"کتاب‌ها", []string{"کتاب"}}, // the part equals the stem
		{"می‌شود", []string{}},        // all stopwords
		{"صلاح‌الدین", []string{"صلاحالدین", "صلاح", "الدین"}},
		{"‌خبر‌", []string{"خبر"}}, // stray joiners
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			if got := Terms(tt.give); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestStemSkipsNoSuffix: Stem, which first checks the last letter, strips
// exactly what trying every suffix strips.
func TestStemSkipsNoSuffix(t *testing.T) {
	reference := func(tok string) string {
		for _, suf := range suffixes {
			if stem, ok := strings.CutSuffix(tok, suf); ok && utf8.RuneCountInString(stem) >= minStem(suf) {
				return stem
			}
		}
		return tok
	}
	letters := []rune("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیa1")
	var toks []string
	for _, a := range letters {
		for _, b := range letters {
			for _, suf := range append([]string{"", "ی", "ن", "ا", "ر", "ت", "ه"}, suffixes...) {
				toks = append(toks, string([]rune{a, b})+suf, string([]rune{a, b, a, b})+suf, suf)
			}
		}
	}
	for _, tok := range toks {
		if got, want := Stem(tok), reference(tok); got != want {
			t.Errorf("Stem(%q) = %q, want %q", tok, got, want)
		}
	}
}
