package persian

import (
	"slices"
	"testing"
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
	want := []string{"کتاب", "تازه", "نمایشگاه", "بینالمللی", "عرضه"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
