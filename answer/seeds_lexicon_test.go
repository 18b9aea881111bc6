package answer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/persian"
)

// TestSeedsSpokenForms asks seeds/ in spoken forms the lexicon maps to the
// articles' written ones: «اسم نوشتن» (ثبت‌نام), «نفرند» (نفر هستند),
// «گل خورده» (گل دریافتی), and «اولین» for the articles' «نخستین».
func TestSeedsSpokenFormsOfTheLexicon(t *testing.T) {
	now := time.Date(2025, 10, 12, 12, 0, 0, 0, persian.Tehran()) // 20 Mehr 1404, the reader set's clock
	tests := []struct {
		turns []string // asked in one conversation; the last is checked
		want  string
	}{
		{[]string{"چند نفر برای کنکور سراسری امسال اسم نوشته بودند؟"}, "یک میلیون و ۱۰۰ هزار"},
		{[]string{"پذیرفتهشدگان پزشکی روزانه چند نفرند؟"}, "۴ هزار و ۱۲۰ نفر"},
		{[]string{"سرمربی تیم ملی پریروز درباره گل خورده چی گفت؟"}, "ضد حمله آسیب‌پذیر"},
		{[]string{"ماهواره تیرا-۱ به چه دوربینی مجهز است؟", "اولین سیگنالش کی رسید؟"}, "۹۰ دقیقه"},
	}
	for _, tt := range tests {
		t.Run(tt.turns[len(tt.turns)-1], func(t *testing.T) {
			c := seedComposer(t, now)
			var a Answer
			for _, q := range tt.turns {
				var err error
				if a, err = c.Answer(context.Background(), Request{Conversation: "spoken", Question: q}); err != nil {
					t.Fatal(err)
				}
			}
			if a.NotFound() || !strings.Contains(persian.Canonical(a.Text), persian.Canonical(tt.want)) {
				t.Errorf("not answered with %q:\n%s", tt.want, a.String())
			}
		})
	}
}
