package answer

import (
	"strings"
	"testing"
)

// TestSeedsSpokenQuestionsAnswered: spoken questions clear the floor and
// are answered with the fact: the copula «‌ست» («بسته‌ست»، «آلوده‌ست»),
// spoken forms of the lexicon («سدای»، «پرن»، «چطوره»), and a word the
// corpus never uses but searched as its synonym («شروع» as «آغاز»), which
// does not count against the question as an unknown word.
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
