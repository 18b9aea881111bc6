package answer

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/khabar/khabar/retrieval"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var _ searcher = (*retrieval.Index)(nil)

func testIndex(t *testing.T) *retrieval.Index {
	t.Helper()
	corpus := fstest.MapFS{
		"iraq.txt":     {Data: []byte("date 2025-09-28 به گزارش تابناک، وزیر دفاع عراق گفت روابط بغداد و واشنگتن وارد مرحله‌ای تازه شده است. او افزود همکاری امنیتی با آمریکا در قالب آموزش و تجهیز ادامه دارد. هوای بغداد امروز گرم بود.\n\nوزیر دفاع عراق درباره داعش گفت بقایای این گروه هنوز در بیابان‌ها فعال‌اند.")},
		"dollar.jsonl": {Data: []byte(`{"id":"dollar-1","title":"کاهش قیمت دلار","text":"قیمت دلار در بازار آزاد تهران امروز ۱۶۰۰ تومان کاهش یافت و به ۱۱۴ هزار و ۶۰۰ تومان رسید. قیمت سکه نیز ارزان شد.","source":"ایسنا","date":"2025-10-05","url":"https://example.org/dollar"}` + "\n")},
		"metro.txt":    {Data: []byte("date 2025-10-01\nبه گزارش همشهری آنلاین، فاز نخست خط ۱۰ متروی تهران با ۶ ایستگاه افتتاح شد. طول این خط ۹ کیلومتر است.")},
	}
	emb := retrieval.NewLocalEmbedder(64)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{})
	if _, err := ix.Sync(context.Background(), corpus); err != nil {
		t.Fatal(err)
	}
	return ix
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestAnswerQuotesAndCites(t *testing.T) {
	c := New(testIndex(t), Options{})
	a, err := c.Answer(context.Background(), Request{Question: "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Mode != ModeExtractive {
		t.Fatalf("mode %q, want extractive: %s", a.Mode, a)
	}
	if len(a.Sources) != 1 || a.Sources[0].ArticleID != "iraq.txt" || a.Sources[0].N != 1 {
		t.Fatalf("sources %+v, want only iraq.txt as [۱]", a.Sources)
	}
	if strings.Contains(a.Text, "هوای بغداد") {
		t.Errorf("quoted an irrelevant sentence: %s", a.Text)
	}
	golden(t, "iraq", a.String())
}

func TestAnswerSourceWithURL(t *testing.T) {
	c := New(testIndex(t), Options{})
	a, err := c.Answer(context.Background(), Request{Question: "قیمت دلار در تهران چقدر شد؟"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "dollar", a.String())
}

func TestAnswerNotFound(t *testing.T) {
	c := New(testIndex(t), Options{})
	for _, q := range []string{"قیمت طلا در توکیو چقدر است؟", "نتیجه فینال جام جهانی بسکتبال"} {
		a, err := c.Answer(context.Background(), Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if !a.NotFound() || a.Text != MsgNotFound || len(a.Sources) != 0 {
			t.Errorf("%q: got %s, want the not-found sentence", q, a)
		}
	}
}

func TestAnswerEmptyQuestion(t *testing.T) {
	c := New(testIndex(t), Options{})
	for _, q := range []string{"", "  ", "؟؟", "\xff"} {
		if _, err := c.Answer(context.Background(), Request{Question: q}); !errors.Is(err, ErrEmptyQuestion) {
			t.Errorf("%q: got %v, want ErrEmptyQuestion", q, err)
		}
	}
}

func TestAnswerEmptyIndex(t *testing.T) {
	ix := retrieval.New(retrieval.NewLocalEmbedder(32), "x", retrieval.Options{})
	a, err := New(ix, Options{}).Answer(context.Background(), Request{Question: "وزیر دفاع عراق"})
	if err != nil || !a.NotFound() {
		t.Errorf("got %v, %v; want not found", a, err)
	}
}

type failingSearcher struct{}

func (failingSearcher) Search(context.Context, retrieval.Query) (retrieval.Result, error) {
	return retrieval.Result{}, errors.New("index gone")
}

func TestAnswerSearchError(t *testing.T) {
	if _, err := New(failingSearcher{}, Options{}).Answer(context.Background(), Request{Question: "سوال"}); err == nil {
		t.Error("got no error from a failing search")
	}
}

func TestSourceLine(t *testing.T) {
	date := time.Date(2025, 9, 28, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		give Source
		want string
	}{
		{"full", Source{N: 1, Passage: retrieval.Passage{Chunk: retrieval.Chunk{Source: "تابناک", Date: date, Title: "عنوان"}}}, "[۱] تابناک — ۶ مهر ۱۴۰۴ — «عنوان»"},
		{"url", Source{N: 2, Passage: retrieval.Passage{Chunk: retrieval.Chunk{Source: "ایسنا", Title: "خبر", URL: "https://example.org/x"}}}, "[۲] ایسنا — «خبر» — https://example.org/x"},
		{"nothing known", Source{N: 3}, "[۳] «بی‌عنوان»"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.give.Line(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCarryOver(t *testing.T) {
	prev := turn{standalone: "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟"}
	tests := []struct{ give, want string }{
		{"و درباره داعش چه گفت؟", "وزیر دفاع عراق درباره داعش چه گفت؟"},
		{"او در مورد داعش چه گفت؟", "وزیر دفاع عراق در مورد داعش چه گفت؟"},
		{"و وزیر خارجه درباره داعش چه گفت؟", "وزیر خارجه درباره داعش چه گفت؟"},
		{"و آموزش؟", "آموزش؟ وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟"},
	}
	for _, tt := range tests {
		if got := carryOver(tt.give, prev); got != tt.want {
			t.Errorf("carryOver(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}
