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

// faultyIndex is an index whose operations fail with the errors set.
type faultyIndex struct {
	*retrieval.Index
	search, documents, arrived, latest, has error
}

func (f faultyIndex) Search(ctx context.Context, q retrieval.Query) (retrieval.Result, error) {
	if f.search != nil {
		return retrieval.Result{}, f.search
	}
	return f.Index.Search(ctx, q)
}

func (f faultyIndex) Documents(ctx context.Context, from, to time.Time) ([]retrieval.Document, error) {
	if f.documents != nil {
		return nil, f.documents
	}
	return f.Index.Documents(ctx, from, to)
}

func (f faultyIndex) Arrived(ctx context.Context, after, until time.Time) ([]retrieval.Document, error) {
	if f.arrived != nil {
		return nil, f.arrived
	}
	return f.Index.Arrived(ctx, after, until)
}

func (f faultyIndex) LatestDate(ctx context.Context) (time.Time, error) {
	if f.latest != nil {
		return time.Time{}, f.latest
	}
	return f.Index.LatestDate(ctx)
}

func (f faultyIndex) HasArticles(ctx context.Context, from, to time.Time) (bool, error) {
	if f.has != nil {
		return false, f.has
	}
	return f.Index.HasArticles(ctx, from, to)
}

var errIndexGone = errors.New("index gone")

func TestAnswerSearchError(t *testing.T) {
	ix := faultyIndex{Index: testIndex(t), search: errIndexGone}
	if _, err := New(ix, Options{}).Answer(context.Background(), Request{Question: "سوال"}); !errors.Is(err, errIndexGone) {
		t.Errorf("got %v, want the search's error", err)
	}
}

// TestIndexErrors: an index that cannot list its articles or tell its
// dates makes a summary, a digest or a dated question fail with the
// error (which the chat turns into its polite failure reply), never an
// empty summary that looks like no news.
func TestIndexErrors(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	now := func() time.Time { return time.Date(2025, 10, 6, 9, 0, 0, 0, time.UTC) }
	summarize := func(req SummaryRequest) func(*Composer) error {
		return func(c *Composer) error { _, err := c.Summarize(context.Background(), req); return err }
	}
	tests := []struct {
		name     string
		ix       faultyIndex
		call     func(*Composer) error
		noDocSet bool // the error says the index cannot list articles
	}{
		{"documents of a period", faultyIndex{documents: errIndexGone}, summarize(SummaryRequest{From: day(9, 28), To: day(10, 1)}), true},
		{"documents of the latest news", faultyIndex{documents: errIndexGone}, summarize(SummaryRequest{}), true},
		{"the latest date", faultyIndex{latest: errIndexGone}, summarize(SummaryRequest{}), true},
		{"documents of a topic", faultyIndex{documents: errIndexGone}, summarize(SummaryRequest{Text: "درباره دلار"}), true},
		{"the latest date of a topic", faultyIndex{latest: errIndexGone}, summarize(SummaryRequest{Text: "درباره دلار"}), true},
		{"a period's news", faultyIndex{has: errIndexGone}, summarize(SummaryRequest{From: day(9, 28), To: day(10, 1)}), false},
		{"a period read against the news", faultyIndex{has: errIndexGone}, summarize(SummaryRequest{Text: "۶ مهر"}), false},
		{"what arrived", faultyIndex{arrived: errIndexGone}, func(c *Composer) error {
			_, err := c.Digest(context.Background(), time.Time{}, now(), 5)
			return err
		}, true},
		{"a dated question", faultyIndex{has: errIndexGone}, func(c *Composer) error {
			_, err := c.Answer(context.Background(), Request{Question: "قیمت دلار دیروز چقدر بود؟"})
			return err
		}, false},
	}
	base := testIndex(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := tt.ix
			ix.Index = base
			err := tt.call(New(ix, Options{Now: now}))
			if !errors.Is(err, errIndexGone) {
				t.Fatalf("got %v, want the index's error", err)
			}
			if got := errors.Is(err, errNoDocuments); got != tt.noDocSet {
				t.Errorf("%v: wraps errNoDocuments %v, want %v", err, got, tt.noDocSet)
			}
		})
	}
}

// TestLatestNoteWithoutLatestDate: a question about a day without news
// still says so when the index cannot tell its newest day; only the note
// naming it is left out.
func TestLatestNoteWithoutLatestDate(t *testing.T) {
	now := func() time.Time { return time.Date(2025, 10, 20, 9, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		name     string
		latest   error
		wantNote bool
	}{{"the index tells", nil, true}, {"it cannot", errIndexGone, false}} {
		t.Run(tt.name, func(t *testing.T) {
			ix := faultyIndex{Index: testIndex(t), latest: tt.latest}
			a, err := New(ix, Options{Now: now}).Answer(context.Background(), Request{Question: "قیمت دلار دیروز چقدر بود؟"})
			if err != nil || !a.NotFound() {
				t.Fatalf("got %v, %v; want not found", a, err)
			}
			if got := strings.Contains(a.Note, "۱۳ مهر ۱۴۰۴"); got != tt.wantNote {
				t.Errorf("note %q names the latest day: %v, want %v", a.Note, got, tt.wantNote)
			}
		})
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
