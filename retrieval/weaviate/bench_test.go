package weaviate

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/retrieval"
)

// BenchmarkSearch compares one search on the seeds, K=5 (the bot's) and
// K=100 (the evaluation's), on both backends.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	arts := func() []corpus.Article {
		c, err := corpus.Load(ctx, os.DirFS("../../seeds"), corpus.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return c.Articles
	}()
	ix := retrieval.New(retrieval.NewLocalEmbedder(64), "local-64", retrieval.Options{})
	if _, err := ix.SyncArticles(ctx, arts); err != nil {
		b.Fatal(err)
	}
	var s *Store
	if url := os.Getenv("WEAVIATE_URL"); url != "" {
		var err error
		s, err = Open(retrieval.NewLocalEmbedder(64), "local-64", Options{URL: url, Prefix: prefix()})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Drop(ctx)
		if _, err := s.SyncArticles(ctx, arts); err != nil {
			b.Fatal(err)
		}
	}
	for _, k := range []int{5, 100} {
		q := retrieval.Query{Text: "قیمت نفت و دلار در بازار", K: k, PerArticle: 1}
		b.Run("in-process/K="+strconv.Itoa(k), func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("weaviate/K="+strconv.Itoa(k), func(b *testing.B) {
			if s == nil {
				b.Skip("WEAVIATE_URL is unset")
			}
			for b.Loop() {
				if _, err := s.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
