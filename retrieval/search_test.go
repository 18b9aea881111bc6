package retrieval

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/persian"
)

func TestSearchEmptyIndexFindsNothing(t *testing.T) {
	ix := New(NewLocalEmbedder(32), "local", Options{})
	res, err := ix.Search(context.Background(), Query{Text: "وزیر دفاع", K: 5})
	if err != nil || len(res.Passages) != 0 {
		t.Errorf("got %v, %v; want nothing and no error", res.Passages, err)
	}
}

func TestSearchEmptyQuestion(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(32), "")
	mustSync(t, ix, testCorpus())
	for _, q := range []string{"", "   ", "؟!"} {
		res, err := ix.Search(context.Background(), Query{Text: q})
		if err != nil || len(res.Passages) != 0 {
			t.Errorf("Search(%q) = %v, %v; want nothing", q, res.Passages, err)
		}
	}
}

func TestSearchClampsK(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(32), "")
	rep := mustSync(t, ix, testCorpus())
	res, err := ix.Search(context.Background(), Query{Text: "تهران", K: 1000, PerArticle: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Passages) == 0 || len(res.Passages) > rep.Chunks {
		t.Errorf("got %d passages from %d chunks", len(res.Passages), rep.Chunks)
	}
}

func TestSearchRanksTheAnsweringArticleFirst(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, testCorpus())
	tests := []struct{ q, want string }{
		{"وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟", "iraq.txt"},
		{"وزير دفاع عراق درباره داعش چه گفت؟", "iraq.txt"}, // Arabic yeh
		{"قیمت دلار چقدر شد؟", "dollar.txt"},
		{"خط 10 مترو چند ایستگاه دارد", "metro.txt"}, // ASCII digits
		{"هشدار سیل در گیلان", "flood.txt"},
		{"نتیجه بازی ایران و تانزانیا", "football.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			res, err := ix.Search(context.Background(), Query{Text: tt.q, K: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Passages) == 0 || res.Passages[0].ArticleID != tt.want {
				t.Fatalf("got %+v, want %s first", res.Passages, tt.want)
			}
			p := res.Passages[0]
			if p.Coverage <= 0 || p.Coverage > 1 || p.Lexical <= 0 || p.Dense <= 0 {
				t.Errorf("signals: coverage %v lexical %v dense %v", p.Coverage, p.Lexical, p.Dense)
			}
		})
	}
}

func TestSearchDrawsOnSeveralArticles(t *testing.T) {
	corpus := fstest.MapFS{}
	// One long article about Tehran and two short ones.
	long := "date 2025-10-01\n"
	for range 30 {
		long += "ترافیک تهران امروز سنگین بود و مترو شلوغ شد. "
	}
	corpus["long.txt"] = &fstest.MapFile{Data: []byte(long)}
	corpus["a.txt"] = &fstest.MapFile{Data: []byte("ترافیک تهران در باران بیشتر شد.")}
	corpus["b.txt"] = &fstest.MapFile{Data: []byte("مترو تهران ساعت کار خود را افزایش داد.")}
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, corpus)
	res, err := ix.Search(context.Background(), Query{Text: "ترافیک تهران و مترو", K: 4, PerArticle: 2})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, p := range res.Passages {
		per[p.ArticleID]++
	}
	if per["long.txt"] > 2 || len(per) < 3 {
		t.Errorf("got passages per article %v, want at most 2 from long.txt and all 3 articles", per)
	}
}

func TestSearchDateFilter(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, testCorpus())
	day := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	res, err := ix.Search(context.Background(), Query{Text: "تهران", K: 10, PerArticle: 5, From: day(1), To: day(5)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Passages) == 0 {
		t.Fatal("found nothing in range")
	}
	for _, p := range res.Passages {
		if p.Date.Before(day(1)) || p.Date.After(day(5)) {
			t.Errorf("passage dated %v outside 1–5 October: %s", p.Date, p.ArticleID)
		}
	}
}

// flakyEmbedder embeds documents but fails on questions.
type flakyEmbedder struct {
	*LocalEmbedder
	failQueries bool
}

func (f *flakyEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if f.failQueries && len(texts) == 1 {
		return nil, errors.New("rate limited")
	}
	return f.LocalEmbedder.Embed(ctx, texts)
}

func TestSearchDegradesToLexical(t *testing.T) {
	emb := &flakyEmbedder{LocalEmbedder: NewLocalEmbedder(64)}
	ix := New(emb, "flaky", Options{EmbedBatch: 2})
	mustSync(t, ix, testCorpus())
	emb.failQueries = true
	res, err := ix.Search(context.Background(), Query{Text: "قیمت دلار", K: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Degraded == nil || !errors.Is(res.Degraded, ErrEmbedding) {
		t.Errorf("Degraded = %v, want ErrEmbedding", res.Degraded)
	}
	if len(res.Passages) == 0 || res.Passages[0].ArticleID != "dollar.txt" {
		t.Errorf("lexical fallback found %+v", res.Passages)
	}
}

func TestSearchCancelled(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(32), "")
	mustSync(t, ix, testCorpus())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, Query{Text: "تهران"}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestSimilaritiesParallelMatchesSerial(t *testing.T) {
	// Large enough to take the parallel path.
	const n, dim = parallelMin + 1234, 16
	m := matrix{dim: dim, data: make([]float32, n*dim)}
	seed := uint64(1)
	for i := range m.data {
		seed = seed*6364136223846793005 + 1442695040888963407
		m.data[i] = float32(int64(seed>>40)%1000) / 1000
	}
	q := m.row(77)
	got := make([]float32, n)
	m.similarities(q, got)
	for i := range n {
		if want := dot(q, m.row(i)); got[i] != want {
			t.Fatalf("row %d: got %v, want %v", i, got[i], want)
		}
	}
}

func TestSearchForgivesATypo(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, testCorpus())
	// «تانزانیا» misspelt «تانزانا»: one letter dropped.
	res, err := ix.Search(context.Background(), Query{Text: "بازی ایران و تانزانا", K: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Passages) == 0 || res.Passages[0].ArticleID != "football.txt" {
		t.Errorf("got %+v, want football.txt", res.Passages)
	}
}

func TestCorrection(t *testing.T) {
	lex := buildBM25([]string{"یونیسف در نیویورک", "یونیسف و یونسکو", "کهکشان راه شیری",
		"روز ارتش در تاریخ", "دایناسور در موزه", "فرودگاه و نمایشگاه", "دوشاب انگور", "به وجود آمد و خوانند", "شرکت هراسی ندارد"}, BM25Params{}, 0)
	tests := []struct{ give, want string }{
		{"یونسیف", "یونیسف"},  // swapped letters
		{"یونیسفف", "یونیسف"}, // an extra letter
		{"کهشکان", ""},        // two edits: no correction
		{"یونیسف", ""},        // known
		{"راه", ""},           // too short
		// Typing errors: a letter left out, typed twice or with the key
		// beside it, a syllable typed twice, a letter for one that sounds
		// alike, an opening «ب» the corpus writes apart.
		{"داناسور", "دایناسور"},
		{"نمایشگگاه", "نمایشگاه"},
		{"تلریخ", "تاریخ"}, // «ل» is beside «ا»
		{"فروردگاه", "فرودگاه"},
		{"دوشاپ", "دوشاب"},
		{"بوجود", "وجود"},
		{"بخوانند", "خوانند"},
		// Not typing errors: a name the corpus does not know is not read
		// as a common word one letter away from it.
		{"رولز", ""},  // not «روز»: «ل» is no slip between «و» and «ز»
		{"ارتز", ""},  // not «ارتش»
		{"هراری", ""}, // not «هراسی»
	}
	for _, tt := range tests {
		if got := lex.correction(tt.give); got != tt.want {
			t.Errorf("correction(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestArticleTextReassemblesOverlappingChunks(t *testing.T) {
	a := corpus.Article{ID: "a", Title: "عنوان", Text: sentencesOf(12, "خبر")}
	chunks := ChunkArticle(a, ChunkOptions{TargetWords: 30, Overlap: 1})
	if len(chunks) < 3 {
		t.Fatalf("got %d chunks, want several", len(chunks))
	}
	if got, want := articleText(chunks), a.Title+"\n"+a.Text; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFeedbackUsesArticleSignatures(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, testCorpus())
	st := ix.cur.Load()
	if len(st.docLex.signature) != st.articles {
		t.Fatalf("got %d signatures for %d articles", len(st.docLex.signature), st.articles)
	}
	for a, sig := range st.docLex.signature {
		if len(sig) == 0 || len(sig) > signatureTerms {
			t.Errorf("article %d: %d signature terms", a, len(sig))
		}
		for i := 1; i < len(sig); i++ {
			if sig[i].w > sig[i-1].w {
				t.Errorf("article %d: signature not sorted by weight", a)
			}
		}
	}
}

func TestVariant(t *testing.T) {
	lex := buildBM25([]string{"رنگ سگ قهوه‌ای است", "اسم او ایران بود", "یونیسف در نیویورک"}, BM25Params{}, 0)
	tests := []struct{ give, want string }{
		{"رنگیه", "رنگ"},     // spoken «…یه»
		{"اسمشون", "اسم"},    // spoken «…شون»
		{"ایرانه", "ایران"},  // spoken «…ه»
		{"یونسیف", "یونیسف"}, // a typing error
		{"رنگ", ""},          // known
		{"توکیو", ""},        // unknown, unexplained
	}
	for _, tt := range tests {
		if got := lex.variant(tt.give); got != tt.want {
			t.Errorf("variant(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestSearchExplainsUnknownWords(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, testCorpus())
	res, err := ix.Search(context.Background(), Query{Text: "قیمت دلاره در توکیو", K: 1})
	if err != nil {
		t.Fatal(err)
	}
	byText := map[string]Term{}
	for _, tm := range res.Terms {
		byText[tm.Text] = tm
	}
	if tm := byText["دلاره"]; tm.DF != 0 || tm.Correction != "دلار" {
		t.Errorf("دلاره: %+v, want unknown with correction دلار", tm)
	}
	if tm := byText["توکیو"]; tm.DF != 0 || tm.Correction != "" {
		t.Errorf("توکیو: %+v, want unknown and unexplained", tm)
	}
	if len(res.Passages) == 0 || res.Passages[0].ArticleID != "dollar.txt" {
		t.Errorf("got %+v, want dollar.txt", res.Passages)
	}
}

func TestDateLimitedSearchPrefersRecent(t *testing.T) {
	corpus := fstest.MapFS{
		"old.txt": {Data: []byte("date 2025-10-01\nبه گزارش ایرنا، نرخ بیکاری اعلام شد.")},
		"new.txt": {Data: []byte("date 2025-10-03\nبه گزارش ایرنا، نرخ بیکاری اعلام شد.")},
	}
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, corpus)
	day := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	res, err := ix.Search(context.Background(), Query{Text: "نرخ بیکاری", K: 2, From: day(1), To: day(5)})
	if err != nil || len(res.Passages) != 2 || res.Passages[0].ArticleID != "new.txt" {
		t.Errorf("got %v %+v, want the newer of two equal articles first", err, res.Passages)
	}
}

// TestSearchSpokenAndSynonyms: a spoken question is searched in the
// written form articles use, and a news synonym finds the passage that
// uses the other word, at a discount.
func TestSearchSpokenAndSynonyms(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, fstest.MapFS{
		"flood.txt": {Data: []byte("سیل در رامسر خسارت زد و تا کنون هیچ کشته‌ای گزارش نشده است.")},
		"wheat.txt": {Data: []byte("خرید تضمینی گندم از کشاورزان به هفت میلیون تن رسید.")},
		"other.txt": {Data: []byte("نمایشگاه کتاب تهران با حضور ناشران برگزار شد.")},
	})
	res, err := ix.Search(context.Background(), Query{Text: "تو سیل رامسر تلفات داشت؟", K: 3})
	if err != nil {
		t.Fatal(err)
	}
	var syn *Term
	for i, tm := range res.Terms {
		if tm.Text == "کشتهای" || tm.Text == "کشته" {
			syn = &res.Terms[i]
		}
	}
	if syn == nil || syn.Expands != "تلفات" || syn.Weight <= 0 || syn.Weight >= 1 {
		t.Errorf("no discounted synonym of «تلفات» searched: %+v", res.Terms)
	}
	res, err = ix.Search(context.Background(), Query{Text: "گندم رو از کشاورزا میخره؟", K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Passages) == 0 || res.Passages[0].ArticleID != "wheat.txt" || res.Passages[0].Coverage > 1 {
		t.Fatalf("got %+v, want wheat.txt first", res.Passages)
	}
	for _, tm := range res.Terms {
		if tm.Text == "کشاورزا" {
			t.Errorf("the spoken plural was searched as written: %+v", res.Terms)
		}
	}
}

func TestSearchPassageCarriesTheSentenceBefore(t *testing.T) {
	ix := New(NewLocalEmbedder(64), "local", Options{Chunk: ChunkOptions{TargetWords: 8, MaxWords: 20}})
	mustSync(t, ix, fstest.MapFS{"a.txt": {Data: []byte("مدیرعامل بازرگانی دولتی از خرید تضمینی گندم کشاورزان خبر داد. او افزود قیمت هر کیلوگرم گندم بیست هزار تومان تعیین شده است.")}})
	res, err := ix.Search(context.Background(), Query{Text: "قیمت هر کیلوگرم گندم", K: 5, PerArticle: 5})
	if err != nil {
		t.Fatal(err)
	}
	later := 0
	for _, p := range res.Passages {
		if p.N > 0 {
			later++
		}
		if p.N == 0 && p.Before != "" {
			t.Errorf("the first chunk has a sentence before it: %q", p.Before)
		}
		if p.N > 0 && !strings.HasPrefix(p.Before, "مدیرعامل") {
			t.Errorf("chunk %d: before %q", p.N, p.Before)
		}
	}
	if later == 0 {
		t.Fatalf("no later chunk found: %+v", res.Passages)
	}
}

// TestSearchPassageCarriesTheSentenceBeforeItsOverlap: with chunks that
// overlap, a chunk opens with the previous chunk's last sentence, and the
// sentence before the chunk is the one before that («رئیس … گفت» for the
// chunk opening with «او افزود …»), not the chunk's own first sentence.
func TestSearchPassageCarriesTheSentenceBeforeItsOverlap(t *testing.T) {
	ix := New(NewLocalEmbedder(64), "local", Options{Chunk: ChunkOptions{TargetWords: 16, MaxWords: 30, Overlap: 1}})
	mustSync(t, ix, fstest.MapFS{"a.txt": {Data: []byte("لیگ کشتی آزاد امروز با هشت تیم در تهران آغاز شد. رئیس فدراسیون کشتی گفت لیگ در ده وزن برگزار می‌شود. او افزود ورود تماشاگران به سالن رایگان است. هر تیم دو کشتی‌گیر خارجی دارد.")}})
	res, err := ix.Search(context.Background(), Query{Text: "ورود تماشاگران به سالن رایگان", K: 5, PerArticle: 5})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, p := range res.Passages {
		if p.N == 0 {
			continue
		}
		checked++
		first := persian.Sentences(p.Text)[0].Text
		if p.Before == "" || p.Before == first || p.BeforeStart >= p.Start {
			t.Errorf("chunk %d (%q): before %q at %d, chunk at %d", p.N, first, p.Before, p.BeforeStart, p.Start)
		}
	}
	if checked == 0 {
		t.Fatalf("no later chunk found: %+v", res.Passages)
	}
}
