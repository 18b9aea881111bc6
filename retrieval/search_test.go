package retrieval

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"
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
			if p.Coverage <= 0 || p.Coverage > 1 || p.LexicalRank != 1 || p.Dense <= 0 {
				t.Errorf("signals: coverage %v lexical rank %d dense %v", p.Coverage, p.LexicalRank, p.Dense)
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

func TestNearestMatchesBruteForce(t *testing.T) {
	// Large enough to take the parallel path.
	const n, dim = parallelMin + 1234, 16
	m := matrix{dim: dim, data: make([]float32, n*dim)}
	seed := uint64(1)
	for i := range m.data {
		seed = seed*6364136223846793005 + 1442695040888963407
		m.data[i] = float32(int64(seed>>40)%1000) / 1000
	}
	q := m.row(77)
	got := m.nearest(q, 10, nil)
	want := m.scan(q, 10, 0, n, nil).sorted()
	if len(got) != 10 {
		t.Fatalf("got %d results, want 10", len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rank %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
