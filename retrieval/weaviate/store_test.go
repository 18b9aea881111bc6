package weaviate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/retrieval"
	"github.com/khabar/khabar/retrieval/retrievaltest"
)

// The tests of this file run against a real Weaviate: start one with
// `eval "$(scripts/weaviate.sh start)"`. Without WEAVIATE_URL they skip.

// The adapter is an index backend like the in-process index.
var _ retrieval.Store = (*Store)(nil)

// TestStoreContract runs the contract suite of retrieval.Store, which the
// in-process index passes too (retrieval/store_test.go), on Weaviate.
func TestStoreContract(t *testing.T) {
	url := weaviateURL(t)
	retrievaltest.Run(t, func(t *testing.T, d retrievaltest.Deps) retrieval.Store {
		s, err := Open(d.Embedder, d.Identity, Options{URL: url, Prefix: prefix(), Now: d.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.Drop(context.Background()); err != nil {
				t.Logf("drop: %v", err)
			}
		})
		return s
	})
}

func weaviateURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("WEAVIATE_URL")
	if u == "" {
		t.Skip("WEAVIATE_URL is unset: start a Weaviate with `eval \"$(scripts/weaviate.sh start)\"` to run the Weaviate integration tests")
	}
	return u
}

// prefix returns a collection prefix no other test uses.
func prefix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return "T" + hex.EncodeToString(b)
}

func openTest(t *testing.T, opts Options) *Store {
	t.Helper()
	if opts.URL == "" {
		opts.URL = weaviateURL(t)
	}
	if opts.Prefix == "" {
		opts.Prefix = prefix()
	}
	s, err := Open(retrieval.NewLocalEmbedder(64), "local-64", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Drop(context.Background()); err != nil {
			t.Logf("drop: %v", err)
		}
	})
	return s
}

func seedArticles(t *testing.T) []corpus.Article {
	t.Helper()
	c, err := corpus.Load(context.Background(), os.DirFS("../../seeds"), corpus.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Articles) < 5 {
		t.Fatalf("only %d seed articles", len(c.Articles))
	}
	return c.Articles
}

var questions = []string{
	"قیمت دلار امروز چند است",
	"وزیر امور خارجه کجا سفر کرد",
	"نتیجه بازی استقلال",
	"تورم در ایران",
	"هوای تهران آلوده است",
	"انتخابات ریاست جمهوری",
	"زلزله",
	"قیمت نفت",
	"میخرد",         // a spoken form
	"اقتصادد ایران", // a typing error
}

// TestSearchMatchesInProcess is the reference check: the same articles on
// both backends rank the same articles first, with the same scores.
func TestSearchMatchesInProcess(t *testing.T) {
	t.Run("fusion", func(t *testing.T) { matchInProcess(t, retrieval.Ranking{FeedbackWeight: -1}) })
	t.Run("feedback", func(t *testing.T) { matchInProcess(t, retrieval.Ranking{}) })
}

func matchInProcess(t *testing.T, rk retrieval.Ranking) {
	weaviateURL(t)
	ctx := context.Background()
	arts := seedArticles(t)
	ix := retrieval.New(retrieval.NewLocalEmbedder(64), "local-64", retrieval.Options{Ranking: rk})
	if _, err := ix.SyncArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, Options{Ranking: rk})
	rep, err := s.SyncArticles(ctx, arts)
	if err != nil {
		t.Fatal(err)
	}
	if st := ix.Stats(); rep.Articles != st.Articles || rep.Chunks != st.Chunks {
		t.Fatalf("weaviate holds %d articles, %d chunks; in-process %d, %d", rep.Articles, rep.Chunks, st.Articles, st.Chunks)
	}
	for _, qs := range questions {
		for _, q := range []retrieval.Query{{Text: qs, K: 10, PerArticle: 1}, {Text: qs, K: 5}} {
			want, err := ix.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Search(ctx, q)
			if err != nil {
				t.Fatalf("%q: %v", qs, err)
			}
			if len(got.Passages) != len(want.Passages) {
				t.Errorf("%q K=%d: %d passages, in-process %d", qs, q.K, len(got.Passages), len(want.Passages))
				continue
			}
			if math.Abs(got.QueryWeight-want.QueryWeight) > 1e-6 || math.Abs(got.RareIDF-want.RareIDF) > 1e-6 || len(got.Terms) != len(want.Terms) {
				t.Errorf("%q: terms %v weight %v rare %v; in-process %v %v %v", qs, got.Terms, got.QueryWeight, got.RareIDF, want.Terms, want.QueryWeight, want.RareIDF)
			}
			// The relevance the answer's floor reads is the Store's contract
			// too: without it every answer would be "not found".
			if len(want.Passages) > 0 && (want.Relevance == 0 || math.Abs(got.Relevance-want.Relevance) > 1e-2*max(1, want.Relevance)) {
				t.Errorf("%q K=%d: relevance %.4f, in-process %.4f", qs, q.K, got.Relevance, want.Relevance)
			}
			for i := range want.Passages {
				g, w := got.Passages[i], want.Passages[i]
				if g.ArticleID != w.ArticleID && math.Abs(g.Score-w.Score) > 1e-3 {
					t.Errorf("%q K=%d #%d: %s (%.4f), in-process %s (%.4f)", qs, q.K, i, g.ArticleID, g.Score, w.ArticleID, w.Score)
					break
				}
				if math.Abs(g.Score-w.Score) > 1e-3 || math.Abs(g.Coverage-w.Coverage) > 1e-6 ||
					math.Abs(g.Dense-w.Dense) > 1e-3 || math.Abs(g.Lexical-w.Lexical) > 1e-2*max(1, w.Lexical) {
					t.Errorf("%q K=%d #%d %s: score %.4f cov %.3f dense %.4f lex %.4f; in-process %s %.4f %.3f %.4f %.4f",
						qs, q.K, i, g.ID, g.Score, g.Coverage, g.Dense, g.Lexical, w.ID, w.Score, w.Coverage, w.Dense, w.Lexical)
				}
				if math.Abs(g.Relevance-w.Relevance) > 1e-2*max(1, w.Relevance) {
					t.Errorf("%q K=%d #%d %s: relevance %.4f; in-process %.4f", qs, q.K, i, g.ID, g.Relevance, w.Relevance)
				}
				if g.Text != w.Text || g.Before != w.Before {
					t.Errorf("%q #%d: passage text or sentence before differs", qs, i)
				}
			}
		}
	}
}

func TestEmptyStore(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	res, err := s.Search(ctx, retrieval.Query{Text: "تهران"})
	if err != nil || len(res.Passages) != 0 {
		t.Errorf("empty store: %v, %v", res.Passages, err)
	}
	docs, err := s.Documents(ctx, time.Time{}, time.Time{})
	if err != nil || len(docs) != 0 {
		t.Errorf("empty store documents: %d, %v", len(docs), err)
	}
	if d, err := s.LatestDate(ctx); err != nil || !d.IsZero() {
		t.Errorf("empty store latest: %v, %v", d, err)
	}
	if ok, err := s.HasArticles(ctx, time.Time{}, time.Time{}); err != nil || ok {
		t.Errorf("empty store has articles: %v, %v", ok, err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Errorf("ready: %v", err)
	}
}

func article(id, title, text, date string) corpus.Article {
	a := corpus.Article{ID: id, Title: title, Text: text, Source: "test"}
	if date != "" {
		a.Date, _ = time.Parse("2006-01-02", date)
	}
	return a
}

func smallCorpus() []corpus.Article {
	return []corpus.Article{
		article("a", "افزایش قیمت دلار در بازار تهران", "قیمت دلار در بازار آزاد تهران امروز افزایش یافت. کارشناسان علت را تورم می‌دانند.", "2024-03-01"),
		article("b", "پیروزی استقلال در دربی", "تیم استقلال در دیدار با پرسپولیس با دو گل پیروز شد. هواداران جشن گرفتند.", "2024-03-02"),
		article("c", "سفر وزیر خارجه به مسکو", "وزیر امور خارجه برای گفتگو درباره همکاری اقتصادی به مسکو سفر کرد.", "2024-03-03"),
		article("d", "بارش برف در شمال", "بارش برف سنگین جاده‌های شمال کشور را مسدود کرد.", ""),
	}
}

func TestSyncUpdateDeleteDocuments(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)
	s := openTest(t, Options{Now: func() time.Time { return now }})
	rep, err := s.SyncArticles(ctx, smallCorpus())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Articles != 4 || rep.Added != rep.Chunks || rep.Embedded != rep.Chunks || !rep.Rebuilt {
		t.Errorf("first sync: %+v", rep)
	}
	res, err := s.Search(ctx, retrieval.Query{Text: "قیمت دلار", K: 1})
	if err != nil || len(res.Passages) != 1 || res.Passages[0].ArticleID != "a" {
		t.Fatalf("search: %+v, %v", res.Passages, err)
	}
	// Unchanged: nothing is written.
	rep, err = s.SyncArticles(ctx, smallCorpus())
	if err != nil || rep.Embedded != 0 || rep.Unchanged != rep.Chunks || rep.Rebuilt {
		t.Errorf("unchanged sync: %+v, %v", rep, err)
	}
	// One changed, one removed: only the changed one is embedded; the
	// others keep their arrival.
	later := now.Add(time.Hour)
	now = later
	arts := smallCorpus()[:3]
	arts[1].Text = "تیم استقلال در دیدار با پرسپولیس با سه گل پیروز شد."
	rep, err = s.SyncArticles(ctx, arts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Articles != 3 || rep.Updated != 1 || rep.Removed != 1 || rep.Embedded != 1 || rep.Rebuilt {
		t.Errorf("update sync: %+v", rep)
	}
	docs, err := s.Documents(ctx, time.Time{}, time.Time{})
	if err != nil || len(docs) != 3 {
		t.Fatalf("documents: %d, %v", len(docs), err)
	}
	if docs[0].ID != "c" || docs[1].ID != "b" || docs[2].ID != "a" {
		t.Errorf("documents order: %s %s %s", docs[0].ID, docs[1].ID, docs[2].ID)
	}
	if !strings.Contains(docs[1].Text, "سه گل") || len(docs[0].Vector) != 64 {
		t.Errorf("documents content: %q, vector %d", docs[1].Text, len(docs[0].Vector))
	}
	arr, err := s.Arrived(ctx, now.Add(-30*time.Minute), now)
	if err != nil || len(arr) != 1 || arr[0].ID != "b" {
		t.Errorf("arrived: %v, %v", arr, err)
	}
	from, _ := time.Parse("2006-01-02", "2024-03-02")
	docs, err = s.Documents(ctx, from, from)
	if err != nil || len(docs) != 1 || docs[0].ID != "b" {
		t.Errorf("documents on a date: %v, %v", docs, err)
	}
	if d, err := s.LatestDate(ctx); err != nil || d.Format("2006-01-02") != "2024-03-03" {
		t.Errorf("latest: %v, %v", d, err)
	}
	if ok, err := s.HasArticles(ctx, from.AddDate(0, 0, 5), time.Time{}); err != nil || ok {
		t.Errorf("has articles after the last: %v, %v", ok, err)
	}
	res, err = s.Search(ctx, retrieval.Query{Text: "برف شمال"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Passages {
		if p.ArticleID == "d" {
			t.Errorf("a removed article is found")
		}
	}
	res, err = s.Search(ctx, retrieval.Query{Text: "قیمت دلار", From: from})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Passages {
		if p.Date.Before(from) {
			t.Errorf("date-limited search found %s of %v", p.ArticleID, p.Date)
		}
	}
	if st := s.Stats(); st.Articles != 3 || st.Dim != 64 {
		t.Errorf("stats: %+v", st)
	}
	// Only the serving version and the one before it are kept.
	vs, err := s.collections(ctx)
	if err != nil || len(vs) != 2 {
		t.Errorf("versions kept: %v, %v", vs, err)
	}
}

// failingEmbedder fails after n texts: a sync that breaks halfway.
type failingEmbedder struct {
	retrieval.Embedder
	left int
}

func (f *failingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if f.left -= len(texts); f.left < 0 {
		return nil, errors.New("embedder down")
	}
	return f.Embedder.Embed(ctx, texts)
}

func TestFailedSyncLeavesOldVersionServing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	if _, err := s.SyncArticles(ctx, smallCorpus()[:2]); err != nil {
		t.Fatal(err)
	}
	before, err := s.collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Embedding fails: nothing is written.
	s.embed = &failingEmbedder{Embedder: retrieval.NewLocalEmbedder(64), left: 0}
	if _, err := s.SyncArticles(ctx, smallCorpus()); err == nil {
		t.Fatal("sync with a failing embedder succeeded")
	}
	s.embed = retrieval.NewLocalEmbedder(64)
	// Writing fails halfway (after the objects, before the swap): the
	// half-written version is deleted.
	s.afterWrite = func() error { return errors.New("killed halfway") }
	if _, err := s.SyncArticles(ctx, smallCorpus()); err == nil {
		t.Fatal("sync killed halfway succeeded")
	}
	s.afterWrite = nil
	after, err := s.collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("versions before %v, after the failed syncs %v", before, after)
	}
	res, err := s.Search(ctx, retrieval.Query{Text: "سفر وزیر خارجه"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Passages {
		if p.ArticleID == "c" {
			t.Errorf("the failed sync's article serves")
		}
	}
	if st := s.Stats(); st.Articles != 2 {
		t.Errorf("stats after failed syncs: %+v", st)
	}
}
