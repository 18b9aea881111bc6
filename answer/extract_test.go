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
		{"قد استاندارد این نژاد چقدره؟", true}, // spoken «چقدر است»
		{"چندبار قهرمان شده؟", true},
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
	ex := extract(res, 1)
	got, sources := ex.text, ex.sources
	if !strings.Contains(got, "تهران") || len(sources) != 1 {
		t.Errorf("got %q, want the sentence about where he was born", got)
	}
}

func TestExtractFollowsAnAnaphor(t *testing.T) {
	text := "لوط شخصیتی در سفر پیدایش است. او پسر هاران و برادرزاده ابراهیم بود. باران بارید."
	res := resultFor("پدر لوط که بود؟", passage("a", text, 1))
	got := extract(res, 2).text
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
	ex := extract(res, 4)
	got, sources := ex.text, ex.sources
	if len(sources) != 2 || sources[0].N != 1 || sources[1].N != 2 {
		t.Fatalf("sources %+v, want two, numbered 1 and 2", sources)
	}
	// The first line cites [۱], and [۲] first appears after it.
	lines := strings.Split(got, "\n")
	if !strings.HasSuffix(lines[0], "[۱]") || strings.Index(got, "[۲]") < len(lines[0]) {
		t.Errorf("sources are not numbered in order of first citation:\n%s", got)
	}
	for i, s := range sources {
		if !strings.Contains(lines[i], strings.TrimSuffix(s.Text, ".")[:10]) && !strings.Contains(got, persian.Marker(s.N)) {
			t.Errorf("source %d is not cited", s.N)
		}
	}
	if strings.Count(got, "قیمت دلار کاهش یافت.") != 1 {
		t.Errorf("a sentence repeated by overlapping passages was quoted twice:\n%s", got)
	}
}

func TestFloorThreshold(t *testing.T) {
	var f Floor
	f = f.withDefaults()
	res := resultFor("قیمت دلار", passage("a", "قیمت دلار", 1))
	tests := []struct {
		name      string
		relevance float64
		want      bool
	}{
		{"at the threshold", f.Threshold, true},
		{"above", f.Threshold + 0.5, true},
		{"below", f.Threshold - 0.01, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := res
			r.Relevance = tt.relevance
			if got := f.Relevant(r); got != tt.want {
				t.Errorf("relevance %v against %v: got %v, want %v", tt.relevance, f.Threshold, got, tt.want)
			}
		})
	}
	if f.Relevant(retrieval.Result{Relevance: 5}) {
		t.Error("a result without passages clears the floor")
	}
}

func TestExtractAnswerFirstThenArticleOrder(t *testing.T) {
	text := "وزیر نیرو از سفر به مشهد خبر داد. سد کرج امروز ۴۰ درصد آب دارد. مصرف آب تهران بالا رفت. ذخیره سد کرج و سد لار کم شد."
	res := resultFor("سد کرج چند درصد آب دارد؟", passage("a", text, 1))
	lines := strings.Split(extract(res, 4).text, "\n")
	if !strings.HasPrefix(lines[0], "سد کرج امروز ۴۰ درصد") {
		t.Errorf("the answering sentence is not first: %q", lines)
	}
}

func TestExtractOrphans(t *testing.T) {
	// «این برنامه …» opens the passage: its antecedent is missing, so it
	// is not shown though it matches best.
	res := resultFor("برنامه آموزش ارتش عراق",
		passage("a", "این برنامه آموزش ارتش عراق را دنبال می‌کند. ارتش عراق آموزش می‌بیند.", 1))
	got := extract(res, 4).text
	if strings.Contains(got, "این برنامه") {
		t.Errorf("a sentence whose antecedent is missing was shown:\n%s", got)
	}
	// Inside the passage, it comes with the sentence before it.
	res = resultFor("برنامه آموزش ارتش عراق",
		passage("a", "وزیر دفاع از همکاری با آمریکا گفت. این برنامه آموزش ارتش عراق را دنبال می‌کند. هوا گرم است.", 1))
	lines := strings.Split(extract(res, 4).text, "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "وزیر دفاع") || !strings.HasPrefix(lines[1], "این برنامه") {
		t.Errorf("want the antecedent then the sentence: %q", lines)
	}
	// «وی افزود» names whoever the last sentence not opening with a
	// pronoun names.
	res = resultFor("قیمت گندم چند است؟",
		passage("a", "مدیرعامل بازرگانی دولتی از خرید گندم خبر داد. او گفت مطالبات پرداخت شد. وی افزود: «قیمت هر کیلوگرم گندم ۲۰ هزار تومان است.»", 1))
	lines = strings.Split(extract(res, 4).text, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "مدیرعامل") || !strings.HasPrefix(lines[1], "وی افزود") {
		t.Errorf("want the sentence naming him, then his: %q", lines)
	}
}

func TestExtractMergesWireCopies(t *testing.T) {
	res := resultFor("چند نفر نجات یافتند؟",
		passage("a", "هلال احمر ۴۵ نفر را در رامسر نجات داد.", 2),
		passage("b", "هلال‌احمر تاکنون 45 نفر را در رامسر نجات داد.", 1),
	)
	ex := extract(res, 4)
	if strings.Count(ex.text, "\n") != 0 || !strings.HasSuffix(ex.text, "[۱][۲]") || len(ex.sources) != 2 {
		t.Errorf("want one line citing both outlets, got:\n%s", ex.text)
	}
}

func TestExtractFactoidIsShort(t *testing.T) {
	text := "قیمت دلار امروز به ۱۱۴ هزار تومان رسید. قیمت دلار دیروز ۱۱۵ هزار تومان بود. قیمت دلار در هفته گذشته نوسان داشت. قیمت دلار در بازار متشکل کمتر است. قیمت دلار موضوع جلسه بود."
	res := resultFor("قیمت دلار چقدر است؟", passage("a", text, 1))
	if n := strings.Count(extract(res, 4).text, "\n") + 1; n > factoidSentences {
		t.Errorf("%d sentences for a factoid question", n)
	}
}

func TestExtractKeepsSemicolonClauses(t *testing.T) {
	res := resultFor("قیمت سکه چقدر شد؟", passage("a", "قیمت سکه بالا رفت؛ به ۹۰ میلیون تومان رسید.", 1))
	if got := extract(res, 4).text; !strings.Contains(got, "؛ به ۹۰ میلیون تومان رسید.") {
		t.Errorf("the line was cut at «؛»: %q", got)
	}
}

func TestDisplay(t *testing.T) {
	tests := []struct{ give, want string }{
		{"تولید 48 میلیون ليتر", "تولید ۴۸ میلیون لیتر"},
		{"شركت ٢٠ درصد", "شرکت ۲۰ درصد"},
		{"نرخ 3.5 درصد", "نرخ ۳٫۵ درصد"},
		{"جنگنده F-16 و t.me/x1", "جنگنده F-16 و t.me/x1"},
		{"سال ۲۰۲۵", "سال ۲۰۲۵"},
	}
	for _, tt := range tests {
		if got := display(tt.give); got != tt.want {
			t.Errorf("display(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestMeetsConstraints(t *testing.T) {
	tests := []struct {
		q, text string
		want    bool
	}{
		{"خط ۱۱ مترو کی افتتاح شد؟", "خط ۱۰ مترو در ۹ مهر افتتاح شد.", false},
		{"خط ۱۰ مترو کی افتتاح شد؟", "خط ۱۰ مترو در ۹ مهر افتتاح شد.", true},
		{"فارابی در کدام شهر درس نخواند؟", "فارابی در بغداد درس خواند.", false},
		{"فارابی در کدام شهر درس نخواند؟", "فارابی هرگز در دمشق درس نخواند.", true},
		{"مسجد در چه سالی ساخته شد؟", "مسجد به دستور شاه ساخته شد.", false},
		{"مسجد در چه سالی ساخته شد؟", "مسجد در سال ۱۶۱۱ ساخته شد.", true},
		{"نتیجه بازی استقلال چه شد؟", "استقلال هفته بعد بازی می‌کند.", false},
		{"نتیجه بازی استقلال چه شد؟", "استقلال در این بازی پیروز شد.", true},
		{"پرسپولیس با استقلال چند چند شد؟", "پرسپولیس در هفته ششم به مصاف استقلال می‌رود.", false},
		{"پرسپولیس با استقلال چند چند شد؟", "پرسپولیس ۲ بر ۱ استقلال را برد.", true},
		{"فرانسه با کدام کشور همسایه است؟", "فرانسه از جنوب با اسپانیا همسایه است.", true},
		{"تیم ملی والیبال ایران قهرمان شد؟", "تیم ملی کشتی فرنگی ایران قهرمان شد.", false},
		{"تیم ملی کشتی فرنگی ایران قهرمان شد؟", "تیم ملی کشتی فرنگی ایران قهرمان شد.", true},
		{"خسارت سیل گیلان چقدر است؟", "خسارت سیل مازندران ۸۵۰ میلیارد تومان است.", false},
		{"فرانسه چندمین کشور بزرگ اروپاست؟", "فرانسه سومین کشور بزرگ اروپاست.", true},
		{"قیمت بنزین چند است؟", "تولید بنزین به ۴۸ میلیون لیتر رسید.", false},
		{"قیمت بنزین چند است؟", "قیمت بنزین ۱۵۰۰ تومان است.", true},
		{"وزیر دفاع عراق درباره ترکیه چه گفت؟", "وزیر دفاع عراق درباره روابط با آمریکا گفت.", false},
		{"وزیر دفاع عراق درباره ترکیه چه گفت؟", "وزیر دفاع عراق درباره ترکیه گفت روابط خوب است.", true},
		{"باغ وحش کرمان درباره بچه زرافه‌ها چه گفت؟", "مدیر باغ وحش کرمان گفت بچه زرافه‌ها سالم‌اند.", true},
	}
	for _, tt := range tests {
		res := resultFor(tt.q, passage("a", tt.text, 1))
		if got := meetsConstraints(res, extract(res, 4)); got != tt.want {
			t.Errorf("%s ← %s: got %v, want %v", tt.q, tt.text, got, tt.want)
		}
	}
	// A word the corpus never uses is a constraint; a spoken form is not.
	res := resultFor("وزیر دفاع عراق درباره اسرائیل چه گفت؟", passage("a", "وزیر دفاع عراق از روابط با آمریکا گفت.", 1))
	for i := range res.Terms {
		if res.Terms[i].Text == "اسرائیل" {
			res.Terms[i].DF, res.Terms[i].IDF = 0, 6
		}
	}
	res.RareIDF = 5
	if meetsConstraints(res, extract(res, 4)) {
		t.Error("a question about a word the corpus never uses met its constraints")
	}
}

func TestExtractAntecedentBeforeThePassage(t *testing.T) {
	// The chunk opens with «او افزود»; the sentence before it, in the
	// previous chunk, comes with it.
	p := passage("a", "او افزود: «قیمت هر کیلوگرم گندم ۲۰ هزار تومان است.»", 1)
	p.Start = 120
	p.Before, p.BeforeStart = "مدیرعامل بازرگانی دولتی از خرید گندم خبر داد.", 40
	lines := strings.Split(extract(resultFor("قیمت گندم چند است؟", p), 4).text, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "مدیرعامل") || !strings.HasPrefix(lines[1], "او افزود") {
		t.Errorf("want the sentence before the passage, then the answer: %q", lines)
	}
}

func TestExtractDiscountsAWeakArticle(t *testing.T) {
	// The best article answers; a weakly scored one matches a word more.
	strong := passage("a", "مادرید پایتخت اسپانیا است.", 1)
	weak := passage("b", "شهر مادرید با موزه‌های فراوان، پایتخت بزرگ اسپانیا شمرده می‌شود.", 0.3)
	res := resultFor("پایتخت بزرگ اسپانیا کجاست؟", strong, weak)
	ex := extract(res, 4)
	if len(ex.lines) == 0 || res.Passages[ex.lines[ex.answer].passage].ArticleID != "a" {
		t.Errorf("the weak article's sentence answers:\n%s", ex.text)
	}
	// Scored alike (a wire copy), it keeps its weight.
	weak.Score = 0.9
	res = resultFor("پایتخت بزرگ اسپانیا کجاست؟", strong, weak)
	ex = extract(res, 4)
	if len(ex.lines) == 0 || res.Passages[ex.lines[ex.answer].passage].ArticleID != "b" {
		t.Errorf("an article scored alike lost to a weaker match:\n%s", ex.text)
	}
}
