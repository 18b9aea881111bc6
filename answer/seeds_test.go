package answer

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// The clocks of the tests over seeds/ (articles of 29 Shahrivar to 20 Mehr
// 1404): a live bot a year later, and a day within the corpus.
var (
	azar1405 = time.Date(2026, 12, 2, 10, 0, 0, 0, persian.Tehran()) // 11 Azar 1405
	mehr1404 = time.Date(2025, 10, 8, 10, 0, 0, 0, persian.Tehran()) // 16 Mehr 1404
)

var seeds = sync.OnceValues(func() (*retrieval.Index, error) {
	emb := retrieval.NewLocalEmbedder(256)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{})
	_, err := ix.Sync(context.Background(), os.DirFS("../seeds"))
	return ix, err
})

// seedComposer answers from seeds/ at the instant now.
func seedComposer(t *testing.T, now time.Time) *Composer {
	t.Helper()
	ix, err := seeds()
	if err != nil {
		t.Fatal(err)
	}
	return New(ix, Options{Now: func() time.Time { return now }})
}

func TestSeedsDatesReadAgainstTheNews(t *testing.T) {
	tests := []struct {
		name       string
		now        time.Time
		question   string
		wantPeriod string
		wantText   string // in the answer; a period without news is a not-found reply

		wantNote   string // in the note
		wantSource string // the article cited first
	}{
		{"dollar on a yearless day, a year later", azar1405, "قیمت دلار در بازار آزاد تهران روز ۱۳ مهر چقدر بود؟",
			"۱۳ مهر ۱۴۰۴", "۱۱۴ هزار و ۶۰۰ تومان", "برای ۱۳ مهر ۱۴۰۵ خبری در منابع نیست", ""},
		{"dollar on a yearless day, within the corpus", mehr1404, "قیمت دلار در بازار آزاد تهران روز ۱۳ مهر چقدر بود؟",
			"۱۳ مهر ۱۴۰۴", "۱۱۴ هزار و ۶۰۰ تومان", "", ""},
		{"the bourse on 7 Mehr, a year later", azar1405, "بورس روز ۷ مهر", "۷ مهر ۱۴۰۴", "شاخص", "۷ مهر ۱۴۰۵", "018_5e0c7a3d9f2b1846.txt"},
		{"the bourse on 7 Mehr, within the corpus", mehr1404, "بورس روز ۷ مهر", "۷ مهر ۱۴۰۴", "شاخص", "", "018_5e0c7a3d9f2b1846.txt"},
		{"this year, a year later: the latest year with news", azar1405, "چند نفر امسال تو کنکور قبول شدن؟",
			"سال ۱۴۰۴", "کنکور", "برای سال ۱۴۰۵ خبری در منابع نیست؛ این پاسخ از اخبار سال ۱۴۰۴ است.", ""},
		{"this year, within the corpus", mehr1404, "چند نفر امسال تو کنکور قبول شدن؟",
			"از ۱ فروردین ۱۴۰۴ تا ۱۶ مهر ۱۴۰۴", "کنکور", "", ""},
		{"yesterday, a year later: no news, the newest day named", azar1405, "قیمت دلار دیروز چند بود؟",
			"", "در منابع برای ۱۰ آذر ۱۴۰۵ خبری نیست.", "۲۰ مهر ۱۴۰۴", ""},
		{"yesterday, two days after the newest news", time.Date(2025, 10, 14, 10, 0, 0, 0, persian.Tehran()), "قیمت دلار دیروز چند بود؟",
			"", "در منابع برای ۲۱ مهر ۱۴۰۴ خبری نیست.", "۲۰ مهر ۱۴۰۴", ""},
		{"the year given with no news", azar1405, "قیمت دلار روز ۱۳ مهر ۱۴۰۵ چقدر بود؟", "", "در منابع برای ۱۳ مهر ۱۴۰۵ خبری نیست.", "۲۰ مهر ۱۴۰۴", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := seedComposer(t, tt.now).Answer(context.Background(), Request{Question: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(tt.wantText, "در منابع برای") {
				if !a.NotFound() || len(a.Sources) != 0 || strings.Contains(a.String(), "[۱]") || a.Text != tt.wantText {
					t.Errorf("want %q, citing nothing:\n%s", tt.wantText, a)
				}
			} else if a.NotFound() || !strings.Contains(a.Text, tt.wantText) {
				t.Errorf("want an answer with %q:\n%s", tt.wantText, a)
			}
			if a.Period != tt.wantPeriod {
				t.Errorf("period %q, want %q", a.Period, tt.wantPeriod)
			}
			if tt.wantNote == "" && a.Note != "" || !strings.Contains(a.Note, tt.wantNote) {
				t.Errorf("note %q, want %q", a.Note, tt.wantNote)
			}
			if tt.wantSource != "" && (len(a.Sources) == 0 || a.Sources[0].ArticleID != tt.wantSource) {
				t.Errorf("cites %+v first, want %s", a.Sources, tt.wantSource)
			}
		})
	}
}

func TestSeedsMonthIsTheTopic(t *testing.T) {
	for _, now := range []time.Time{azar1405, mehr1404} {
		c := seedComposer(t, now)
		// The Shahrivar report came out on 13 Mehr.
		for _, q := range []string{"نرخ تورم نقطه به نقطه در شهریور ۱۴۰۴ چند درصد بود؟", "تورم شهریور چقدر شد؟"} {
			a, err := c.Answer(context.Background(), Request{Question: q})
			if err != nil {
				t.Fatal(err)
			}
			if a.NotFound() || !strings.Contains(persian.Canonical(a.Text), persian.Canonical("۴۵.۳ درصد")) || a.Sources[0].ArticleID != "036_4b8c0f2e6d9a7513.txt" {
				t.Errorf("now %v, %q: want the Shahrivar figure 45.3%% from the report of 13 Mehr:\n%s", now, q, a)
			}
			if a.Period != "شهریور ۱۴۰۴" {
				t.Errorf("%q: period %q", q, a.Period)
			}
		}
		// Mehr's report is not in the corpus: Shahrivar's figures are not
		// Mehr's.
		a, err := c.Answer(context.Background(), Request{Question: "تورم مهر ۱۴۰۴"})
		if err != nil {
			t.Fatal(err)
		}
		if !a.NotFound() || strings.Contains(a.String(), "[۱]") || strings.Contains(persian.Canonical(a.Text), persian.Canonical("۴۵.۳")) {
			t.Errorf("now %v: Mehr's inflation answered with Shahrivar's figures:\n%s", now, a)
		}
		if !strings.Contains(a.Note, "شهریور ۱۴۰۴") {
			t.Errorf("the note does not say which month the reports are about: %q", a.Note)
		}
	}
}

func TestSeedsSummaries(t *testing.T) {
	tests := []struct {
		name       string
		now        time.Time
		text       string
		wantPeriod string
		wantStory  string // in the stories, or "" for none
		wantNote   string
	}{
		{"a yearless day, a year later", azar1405, "۱۵ مهر", "۱۵ مهر ۱۴۰۴", "جشنواره", "برای ۱۵ مهر ۱۴۰۵ خبری در منابع نیست"},
		{"a yearless day, within the corpus", mehr1404, "۸ مهر", "۸ مهر ۱۴۰۴", "گرد و غبار", ""},
		{"a yearless range, a year later", azar1405, "از ۱ مهر تا ۱۰ مهر", "از ۱ مهر ۱۴۰۴ تا ۱۰ مهر ۱۴۰۴", "مترو", "۱۴۰۵"},
		{"yesterday without news", azar1405, "دیروز", "۱۰ آذر ۱۴۰۵", "", "تازه‌ترین خبرهای منابع مربوط به ۲۰ مهر ۱۴۰۴ است"},
		{"a field of news", azar1405, "اقتصاد", "", "گندم", ""},
		{"a field of news, sports", mehr1404, "ورزشی", "", "فوتبال", ""},
		{"a topic by retrieval", azar1405, "قیمت دلار", "۱۳ مهر ۱۴۰۴", "دلار", ""},
		{"a topic the news lacks", azar1405, "قیمت بنزین", "", "", "درباره «قیمت بنزین» خبری در منابع نیست."},
		{"a topic absent from a period with news", azar1405, "بورس ۱۳ مهر", "۱۳ مهر ۱۴۰۴", "", "درباره «بورس» در ۱۳ مهر ۱۴۰۴ خبری در منابع نیست."},
		{"a topic and a period", mehr1404, "درباره سیل ۱۳ مهر", "۱۳ مهر ۱۴۰۴", "مازندران", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := seedComposer(t, tt.now).Summarize(context.Background(), SummaryRequest{Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			text := s.String()
			if tt.wantPeriod != "" && s.Period != tt.wantPeriod {
				t.Errorf("period %q, want %q", s.Period, tt.wantPeriod)
			}
			if tt.wantStory == "" && len(s.Stories) > 0 || tt.wantStory != "" && (len(s.Stories) == 0 || !strings.Contains(text, tt.wantStory)) {
				t.Errorf("want stories with %q:\n%s", tt.wantStory, text)
			}
			if tt.wantNote == "" && s.Note != "" || !strings.Contains(s.Note, tt.wantNote) {
				t.Errorf("note %q, want %q", s.Note, tt.wantNote)
			}
		})
	}
}

func TestSeedsTopicSummaryIsOnTopic(t *testing.T) {
	s, err := seedComposer(t, azar1405).Summarize(context.Background(), SummaryRequest{Text: "قیمت دلار"})
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range s.Sources {
		if !strings.Contains(src.Text, "دلار") {
			t.Errorf("a story off the topic: %s", src.Line())
		}
	}
	eco, err := seedComposer(t, azar1405).Summarize(context.Background(), SummaryRequest{Text: "اقتصاد"})
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range eco.Sources {
		if strings.Contains(src.Title, "جشنواره") || strings.Contains(src.Title, "فیلم") {
			t.Errorf("a film festival in the economy: %s", src.Line())
		}
	}
}

func TestSeedsPastYearIsTheTopic(t *testing.T) {
	mehr20 := time.Date(2025, 10, 12, 12, 0, 0, 0, persian.Tehran()) // 20 Mehr 1404
	tests := []struct {
		name     string
		now      time.Time
		question string
		want     string // in the answer, "" for not found
	}{
		// Reported on 1 Mehr 1404: «در سال گذشته ۵ هزار و ۶۰۰ کلاس درس …».
		{"last year told in this year's report", mehr20, "پارسال چه تعداد کلاس درس جدید در کشور ساخته شد؟", "۵ هزار و ۶۰۰ کلاس"},
		// The corpus has the konkur of 1404 only: not last year's.
		{"this year's figures are not last year's", mehr20, "پارسال در کنکور سراسری چند داوطلب پذیرفته شدند؟", ""},
		{"this year's figures are not last year's, within the corpus", mehr1404, "پارسال در کنکور سراسری چند داوطلب پذیرفته شدند؟", ""},
		{"a year later, last year is 1404", azar1405, "پارسال در کنکور سراسری چند داوطلب پذیرفته شدند؟", "۵۱۲ هزار"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := seedComposer(t, tt.now).Answer(context.Background(), Request{Question: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == "" && (!a.NotFound() || strings.Contains(a.String(), "[۱]")):
				t.Errorf("want not found, citing nothing:\n%s", a)
			case tt.want != "" && (a.NotFound() || !strings.Contains(a.Text, tt.want)):
				t.Errorf("want an answer with %q:\n%s", tt.want, a)
			}
		})
	}
}

// recordingIndex is the seeds' index that records the queries searched.
type recordingIndex struct {
	*retrieval.Index
	queries []retrieval.Query
}

func (r *recordingIndex) Search(ctx context.Context, q retrieval.Query) (retrieval.Result, error) {
	r.queries = append(r.queries, q)
	return r.Index.Search(ctx, q)
}

func TestSeedsQueryOfAPeriodAsTheTopic(t *testing.T) {
	ix, err := seeds()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		question string
		wantText string // the text searched
		wantTo   time.Time
	}{
		{"a named month stays in the query, reports of the six weeks after count", "نرخ تورم نقطه به نقطه در شهریور ۱۴۰۴ چند درصد بود؟",
			"نرخ تورم نقطه به نقطه در شهریور ۱۴۰۴ چند درصد بود؟", time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)},
		{"«امسال» names nothing an article says", "امسال چند نفر تو کنکور قبول شدن؟",
			"چند نفر تو کنکور قبول شدن؟", time.Date(2027, 3, 20, 0, 0, 0, 0, time.UTC)}, // a past year: all of the next
		{"a day is left out of the query", "قیمت دلار روز ۱۳ مهر چقدر بود؟", "قیمت دلار چقدر بود؟", time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingIndex{Index: ix}
			c := New(rec, Options{Now: func() time.Time { return azar1405 }})
			if _, err := c.Answer(context.Background(), Request{Question: tt.question}); err != nil {
				t.Fatal(err)
			}
			if len(rec.queries) == 0 || rec.queries[0].Text != tt.wantText || !rec.queries[0].To.Equal(tt.wantTo) {
				t.Errorf("searched %+v, want text %q up to %v", rec.queries, tt.wantText, tt.wantTo)
			}
		})
	}
}
