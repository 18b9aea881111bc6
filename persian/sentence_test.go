package persian

import (
	"slices"
	"testing"
	"unicode/utf8"
)

func sentenceTexts(spans []Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Text
	}
	return out
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []string
	}{
		{"full stops", "اولی. دومی.", []string{"اولی.", "دومی."}},
		{"persian question mark", "چه شد؟ هیچ.", []string{"چه شد؟", "هیچ."}},
		{"persian semicolon", "الف؛ ب", []string{"الف؛", "ب"}},
		{"exclamation", "عالی! خوب", []string{"عالی!", "خوب"}},
		{"several terminators", "واقعا؟! بله.", []string{"واقعا؟!", "بله."}},
		{"decimal point", "نرخ تورم ۳.۵ درصد شد. پایان.", []string{"نرخ تورم ۳.۵ درصد شد.", "پایان."}},
		{"no space after stop", "U.S.A است.", []string{"U.S.A است."}},
		{"quote kept whole", "او گفت: «ما آماده‌ایم. کار را آغاز می‌کنیم.» سپس رفت.",
			[]string{"او گفت: «ما آماده‌ایم. کار را آغاز می‌کنیم.»", "سپس رفت."}},
		{"closing quote after stop", "«تمام شد.» بعدی.", []string{"«تمام شد.»", "بعدی."}},
		{"line breaks", "تیتر\n\nمتن خبر.", []string{"تیتر", "متن خبر."}},
		{"no terminator", "بدون نقطه", []string{"بدون نقطه"}},
		{"only space", " \n\t ", nil},
		{"ellipsis", "و بعد… تمام.", []string{"و بعد…", "تمام."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sentenceTexts(Sentences(tt.give))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSentencesOffsets(t *testing.T) {
	text := "  اولی. «دومی؟» سومی"
	for _, s := range Sentences(text) {
		if text[s.Start:s.End] != s.Text {
			t.Errorf("span [%d:%d] = %q, want %q", s.Start, s.End, text[s.Start:s.End], s.Text)
		}
	}
}

func TestSentencesUnbalancedQuoteIsBounded(t *testing.T) {
	text := "«"
	for i := 0; i < 100; i++ {
		text += "جمله‌ای بلند و بی‌پایان. "
	}
	if n := len(Sentences(text)); n < 2 {
		t.Errorf("got %d sentences, want an unbalanced quote not to swallow the text", n)
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{"اولی. دومی؟", "«الف. ب.» ج", "۳.۵", "\xff.\xfe", "\n\n", "«««", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		for _, sp := range Sentences(s) {
			if sp.Start < last || sp.End <= sp.Start || sp.End > len(s) {
				t.Fatalf("bad span %d:%d after %d in %q", sp.Start, sp.End, last, s)
			}
			if !utf8.ValidString(sp.Text) || sp.Text == "" {
				t.Fatalf("bad text %q", sp.Text)
			}
			last = sp.End
		}
	})
}
