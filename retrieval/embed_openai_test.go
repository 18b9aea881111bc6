package retrieval_test

import (
	"context"
	"math"
	"testing"
	"testing/fstest"
	"time"

	"github.com/khabar/khabar/internal/openaitest"
	"github.com/khabar/khabar/llm"
	"github.com/khabar/khabar/retrieval"
)

func openAICorpus() fstest.MapFS {
	return fstest.MapFS{
		"a.txt": {Data: []byte("date 2025-10-01\nبه گزارش ایرنا، قیمت دلار در بازار تهران کاهش یافت.")},
		"b.txt": {Data: []byte("date 2025-10-02\nبه گزارش فارس، سیل در گیلان خسارت زد.")},
	}
}

func newOpenAIIndex(t *testing.T, fake *openaitest.Server, model, dir string) *retrieval.Index {
	t.Helper()
	c := llm.New(llm.Config{BaseURL: fake.BaseURL(), Timeout: time.Second, Retries: 2, MinBackoff: time.Millisecond})
	emb := retrieval.NewOpenAIEmbedder(c, model)
	return retrieval.New(emb, emb.Identity(), retrieval.Options{Dir: dir})
}

func TestOpenAIEmbedderIndexes(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{Dim: 32})
	fake.FailNext(openaitest.PathEmbeddings, 1, openaitest.Failure{Status: 429})
	ix := newOpenAIIndex(t, fake, "emb-a", t.TempDir())
	rep, err := ix.Sync(context.Background(), openAICorpus())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Embedded != 2 || ix.Stats().Dim != 32 {
		t.Errorf("report %+v, dim %d", rep, ix.Stats().Dim)
	}
	res, err := ix.Search(context.Background(), retrieval.Query{Text: "قیمت دلار", K: 1})
	if err != nil || res.Degraded != nil {
		t.Fatalf("search: %v, degraded %v", err, res.Degraded)
	}
	if len(res.Passages) != 1 || res.Passages[0].ArticleID != "a.txt" {
		t.Errorf("got %+v", res.Passages)
	}
	// The fake's vectors are not normalised; the index's are.
	if d := res.Passages[0].Dense; d <= 0 || d > 1+1e-6 || math.IsNaN(d) {
		t.Errorf("cosine %v out of range", d)
	}
}

func TestOpenAIModelSwitchRebuildsAndRestartEmbedsNothing(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{Dim: 16})
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := newOpenAIIndex(t, fake, "emb-a", dir).Sync(ctx, openAICorpus()); err != nil {
		t.Fatal(err)
	}

	// Restart with the same model: the snapshot loads and nothing is embedded.
	fake.Reset()
	ix := newOpenAIIndex(t, fake, "emb-a", dir)
	if err := ix.Load(ctx); err != nil {
		t.Fatalf("Load: %v", err)
	}
	rep, err := ix.Sync(ctx, openAICorpus())
	if err != nil || rep.Embedded != 0 || len(fake.EmbeddedTexts()) != 0 {
		t.Errorf("restart: %v, embedded %d, the API saw %d texts", err, rep.Embedded, len(fake.EmbeddedTexts()))
	}

	// Another model: the snapshot is refused and every chunk re-embedded.
	fake.Reset()
	ix = newOpenAIIndex(t, fake, "emb-b", dir)
	if err := ix.Load(ctx); err == nil {
		t.Error("a snapshot of another model loaded")
	}
	rep, err = ix.Sync(ctx, openAICorpus())
	if err != nil || !rep.Rebuilt || rep.Embedded != 2 || len(fake.EmbeddedTexts()) != 2 {
		t.Errorf("switch: %v, %+v, the API saw %d texts", err, rep, len(fake.EmbeddedTexts()))
	}
	for _, r := range fake.EmbeddingRequests() {
		if r.Model != "emb-b" {
			t.Errorf("request for model %q, want emb-b", r.Model)
		}
	}
}

func TestOpenAIEmbedderDownDegradesSearch(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{Dim: 16})
	ix := newOpenAIIndex(t, fake, "emb-a", "")
	if _, err := ix.Sync(context.Background(), openAICorpus()); err != nil {
		t.Fatal(err)
	}
	fake.FailNext(openaitest.PathEmbeddings, 10, openaitest.Failure{Status: 500})
	res, err := ix.Search(context.Background(), retrieval.Query{Text: "سیل گیلان", K: 1})
	if err != nil || res.Degraded == nil || len(res.Passages) == 0 || res.Passages[0].ArticleID != "b.txt" {
		t.Errorf("got %v, degraded %v, %+v; want the lexical answer", err, res.Degraded, res.Passages)
	}
}
