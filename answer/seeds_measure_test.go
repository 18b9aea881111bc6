package answer

import (
	"strings"
	"testing"
)

// TestSeedsMeasureSentenceAnswers: a question for the value of a measure
// («بلیت … چند است؟») is answered by the sentence that gives it, not by the
// article's lead that names the rest of the question; asked for another
// kind of visitor than the one priced, it is not found.
func TestSeedsMeasureSentenceAnswers(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "بلیت نمایشگاه سفالینه‌های شوش چند است؟")
	if a.NotFound() || !strings.Contains(firstLine(a.Text), "۳۰ هزار تومان") {
		t.Errorf("the ticket's price is not the first line:\n%s", a)
	}
	a = ask(t, c, "", "بلیت نمایشگاه سفالینه‌های شوش برای گردشگران خارجی چند است؟")
	if !a.NotFound() || len(a.Sources) != 0 {
		t.Errorf("the price for Iranian visitors answers a question about foreign ones:\n%s", a)
	}
}

// TestSeedsYearOfTheQuestionMustBeMet: a year the question names is met as
// itself: the 1404 results do not answer a question about 1403.
func TestSeedsYearOfTheQuestionMustBeMet(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "چند نفر در کنکور سراسری ۱۴۰۳ پذیرفته شدند؟")
	if !a.NotFound() || len(a.Sources) != 0 {
		t.Errorf("answered with another year's figure:\n%s", a)
	}
	a = ask(t, c, "", "چند نفر در کنکور سراسری ۱۴۰۴ پذیرفته شدند؟")
	if a.NotFound() || !strings.Contains(a.Text, "۵۱۲ هزار") {
		t.Errorf("the year asked is not answered:\n%s", a)
	}
}

func TestMatchStrengthNumbersExact(t *testing.T) {
	for _, tt := range []struct {
		term, word string
		want       bool
	}{{"1403", "1404", false}, {"10", "100", false}, {"1404", "1404", true}, {"سفالینه", "سفالینههای", true}} {
		if got := matchStrength(tt.term, []string{tt.word}) > 0; got != tt.want {
			t.Errorf("matchStrength(%q, %q) > 0 = %v, want %v", tt.term, tt.word, got, tt.want)
		}
	}
}
