package answer

import (
	"strings"
	"testing"
)

// TestSeedsResultOfTwoMatches: a question for the results of two matches
// cites the sentence giving each score, one in each article.
func TestSeedsResultOfTwoMatches(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "نتیجه بازی سپاهان و تراکتور و بازی تراکتور و پرسپولیس چه بود؟")
	for _, want := range []string{"۲ بر صفر", "یک بر یک"} {
		if a.NotFound() || !strings.Contains(a.Text, want) {
			t.Errorf("want %q among the cited sentences:\n%s", want, a)
		}
	}
}

// TestSeedsResultOfAnotherOpponent: the score of a match against another
// opponent of the same kind does not answer («ایران و بورکینافاسو»
// answered by «ایران … تانزانیا»), even though the question's other
// member is named.
func TestSeedsResultOfAnotherOpponent(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "نتیجه بازی ایران و بورکینافاسو چه شد؟")
	if !a.NotFound() || len(a.Sources) != 0 {
		t.Errorf("answered with another match's score:\n%s", a)
	}
}

func TestContrastedOneOfTwoAskedMissing(t *testing.T) {
	words := func(s string) []string { return strings.Fields(s) }
	for _, tt := range []struct {
		question, answer string
		want             bool
	}{
		{"نتیجه بازی ایران و بورکینافاسو چه شد؟", "ایران با نتیجه ۲ بر یک از سد تانزانیا گذشت", true},
		{"نتیجه بازی ایران و بورکینافاسو چه شد؟", "ایران و بورکینافاسو مساوی شدند", false},
		{"وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟", "روابط دفاعی میان عراق و ایالات متحده", false},
		// The province of the city asked is no other place.
		{"وضعیت هوای اهواز و هوای تهران چطور بود؟", "هجوم گرد و غبار به خوزستان غلظت ذرات معلق در هوای اهواز را بالا برد", false},
		{"وضعیت هوای اهواز و هوای تهران چطور بود؟", "هجوم گرد و غبار به خوزستان غلظت ذرات معلق را بالا برد", true},
		{"خسارت سیل گیلان چقدر بود؟", "سیل در رامسر و مازندران خسارت زد", true},
		// A city of a country asked and named is no other place.
		{"ذخایر سدهای تهران و سدهای عراق چقدر است؟", "او در بغداد گفت ذخایر سدهای عراق کمتر از ۸ درصد است", false},
		{"ذخایر سدهای تهران و سدهای عراق چقدر است؟", "او در بغداد گفت ذخایر سدها کمتر از ۸ درصد است", true},
		{"ذخایر سدهای تهران چقدر است؟", "ذخایر سدهای عراق در بغداد اعلام شد", true},
	} {
		if got := contrasted(tt.question, words(tt.answer), nil); got != tt.want {
			t.Errorf("contrasted(%q, %q) = %v, want %v", tt.question, tt.answer, got, tt.want)
		}
	}
}

// TestSeedsTwoPlacesEachQuoted: a question about two places («هوای اهواز
// … و هوای تهران …») is not a near miss because the Ahvaz report names
// its province, and it quotes a sentence on each place, from each article.
func TestSeedsTwoPlacesEachQuoted(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "وضعیت هوای اهواز در گرد و غبار و هوای تهران در روز آلوده چطور بود؟")
	if a.NotFound() || !strings.Contains(a.Text, "۱۲۰۰ میکروگرم") {
		t.Fatalf("want the Ahvaz figure:\n%s", a)
	}
	tehran := false
	for _, line := range strings.Split(a.Text, "\n") {
		tehran = tehran || strings.Contains(line, "تهران") && strings.Contains(line, "[۲]")
	}
	if len(a.Sources) < 2 || !tehran {
		t.Errorf("want a sentence on Tehran from a second article:\n%s", a)
	}
}

// TestSeedsNamedOutletsEachQuoted: a question that names two outlets
// quotes a sentence of each, though one's article scores well under the
// other's.
func TestSeedsNamedOutletsEachQuoted(t *testing.T) {
	c := New(seedIndex(t), Options{})
	a := ask(t, c, "", "ایسنا و مهر چند پذیرفته‌شده در کنکور ۱۴۰۴ اعلام کردند؟")
	outlets := map[string]bool{}
	for _, s := range a.Sources {
		outlets[s.Source] = true
	}
	if a.NotFound() || !outlets["ایسنا"] || !outlets["مهر"] {
		t.Errorf("want sentences of both ایسنا and مهر:\n%s", a)
	}
}
