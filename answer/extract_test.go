package answer

import (
	"strings"
	"testing"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

func TestMatchStrength(t *testing.T) {
	tests := []struct {
		term, sentence string
		want           float64
	}{
		{"کبد", "کبد بزرگ است", 1},
		{"کتاب", "کتاب‌ها رسید", 1},                      // the word's stem
		{"کبد", "سلول‌های کبدی", partialMatch},           // a longer form
		{"دبیر", "سردبیر مجله", partialMatch},            // inside a compound
		{"سازد", "یاخته‌ها پروتئین سازند", partialMatch}, // same beginning
		{"کبد", "قلب و ریه", 0},
		{"سم", "سموم", 0}, // too short for a partial match
	}
	for _, tt := range tests {
		t.Run(tt.term+" in "+tt.sentence, func(t *testing.T) {
			if got := matchStrength(tt.term, persian.Tokens(tt.sentence)); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAsksForNumber(t *testing.T) {
	tests := []struct {
		give string
		want bool
	}{
		{"چند نفر پذیرفته شدند؟", true},
		{"قیمت دلار چقدر شد؟", true},
		{"در چه سالی تاسیس شد؟", true},
		{"پایتخت اسپانیا کجاست؟", false},
	}
	for _, tt := range tests {
		if got := asksForNumber(tt.give); got != tt.want {
			t.Errorf("asksForNumber(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

func passage(article, text string, score float64) retrieval.Passage {
	return retrieval.Passage{Chunk: retrieval.Chunk{ArticleID: article, Text: text, Title: article}, Score: score}
}

func resultFor(question string, ps ...retrieval.Passage) retrieval.Result {
	res := retrieval.Result{Question: question, Passages: ps}
	for _, t := range persian.Terms(question) {
		res.Terms = append(res.Terms, retrieval.Term{Text: t, IDF: 2, DF: 3})
		res.QueryWeight += 2
	}
	return res
}

func TestExtractPrefersTheSentenceThatAnswers(t *testing.T) {
	// Every sentence names the player; only one says where he was born.
	text := "فرهاد مجیدی بازیکن فوتبال است. فرهاد مجیدی در استقلال بازی کرد. فرهاد مجیدی در تهران به دنیا آمد. فرهاد مجیدی مربی شد."
	res := resultFor("فرهاد مجیدی کجا به دنیا آمد؟", passage("a", text, 1))
	got, sources := extract(res, 1)
	if !strings.Contains(got, "تهران") || len(sources) != 1 {
		t.Errorf("got %q, want the sentence about where he was born", got)
	}
}

func TestExtractFollowsAnAnaphor(t *testing.T) {
	text := "لوط شخصیتی در سفر پیدایش است. او پسر هاران و برادرزاده ابراهیم بود. باران بارید."
	res := resultFor("پدر لوط که بود؟", passage("a", text, 1))
	got, _ := extract(res, 2)
	if !strings.Contains(got, "هاران") {
		t.Errorf("got %q, want the sentence that continues with «او»", got)
	}
}

func TestExtractNumbersSourcesByFirstCitation(t *testing.T) {
	res := resultFor("قیمت دلار و سکه",
		passage("a", "قیمت دلار کاهش یافت.", 2),
		passage("b", "قیمت سکه هم کم شد.", 1),
		passage("a", "قیمت دلار کاهش یافت. دلار ارزان شد.", 2),
	)
	got, sources := extract(res, 4)
	if len(sources) != 2 || sources[0].ArticleID != "a" || sources[1].ArticleID != "b" || sources[0].N != 1 || sources[1].N != 2 {
		t.Fatalf("sources %+v, want a as [۱] and b as [۲]", sources)
	}
	if strings.Count(got, "قیمت دلار کاهش یافت.") != 1 {
		t.Errorf("a sentence repeated by overlapping passages was quoted twice:\n%s", got)
	}
}

func TestFloorScore(t *testing.T) {
	answered := resultFor("قیمت دلار", passage("a", "قیمت دلار", 1), passage("b", "خبر", 0.2))
	answered.Passages[0].Lexical = 5
	answered.Passages[0].Dense = 0.4
	unknown := answered
	unknown.Terms = append(append([]retrieval.Term(nil), answered.Terms...), retrieval.Term{Text: "توکیو", IDF: 5, DF: 0})
	unknown.QueryWeight += 5
	typo := answered
	typo.Terms = append(append([]retrieval.Term(nil), answered.Terms...), retrieval.Term{Text: "دلاار", IDF: 5, DF: 0, Correction: "دلار"})

	var f Floor
	f = f.withDefaults()
	if s := f.Score(answered); s < f.Threshold {
		t.Errorf("a clear match scores %v, under the threshold %v", s, f.Threshold)
	}
	if s := f.Score(unknown); s >= f.Threshold || s >= f.Score(typo) {
		t.Errorf("a question about a word the corpus never uses scores %v (threshold %v, with a typo instead %v)", s, f.Threshold, f.Score(typo))
	}
	if s := f.Score(retrieval.Result{}); s != 0 || f.Relevant(retrieval.Result{}) {
		t.Errorf("no passages: score %v", s)
	}
}
