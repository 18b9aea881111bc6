package answer

import (
	"strings"
	"testing"
)

// TestSeedsSpokenQuestionsAnswered: spoken questions clear the floor and
// are answered with the fact: the copula «‌ست» («بسته‌ست»، «آلوده‌ست»),
// and spoken forms of the lexicon («سدای»، «پرن»، «چطوره»، «شروع میشه»).
func TestSeedsSpokenQuestionsAnswered(t *testing.T) {
	c := New(seedIndex(t), Options{})
	for _, tt := range []struct{ question, want string }{
		{"جاده چالوس باز شد یا هنوز بسته‌ست؟", "بازگشایی شد"},
		{"آب سدای تهران چقدر ته کشیده؟ چند درصد پرن؟", "۱۱ درصد"},
		{"کِی ثبت‌نام تکمیل ظرفیت شروع میشه؟", "۱۵ مهر"},
		{"هوای تهران چطوره؟ آلوده‌ست؟", "ناسالم برای گروه‌های حساس"},
	} {
		a := ask(t, c, "", tt.question)
		if a.NotFound() || !strings.Contains(a.Text, tt.want) {
			t.Errorf("%s: want an answer with %q:\n%s", tt.question, tt.want, a)
		}
	}
}

// TestSeedsFollowUpWithSpokenClitic: «گل اولش …» refers back by its spoken
// clitic, and the previous question's own ask («چند چند شد») is not carried
// into the follow-up, which asks for a minute, not a result.
func TestSeedsFollowUpWithSpokenClitic(t *testing.T) {
	c := New(seedIndex(t), Options{})
	ask(t, c, "conv", "سپاهان با تراکتور چند چند شد؟")
	a := ask(t, c, "conv", "گل اولش رو دقیقه چند زدن؟")
	if a.NotFound() || !strings.Contains(a.Text, "دقیقه ۳۴") {
		t.Errorf("want the minute of Sepahan's first goal:\n%s", a)
	}
}

// TestSeedsReadersWordsForWinners: «قبول‌شدگان» and «خانم‌ها» are read as
// the article's «پذیرفته‌شدگان» and «زنان».
func TestSeedsReadersWordsForWinners(t *testing.T) {
	c := seedComposer(t, mehr1404)
	a := ask(t, c, "", "چند درصد از قبول‌شدگان کنکور امسال خانم‌ها هستند؟")
	if a.NotFound() || !strings.Contains(a.Text, "۵۴ درصد") {
		t.Errorf("want «۵۴ درصد»:\n%s", a)
	}
}
