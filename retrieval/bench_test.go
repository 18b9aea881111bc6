package retrieval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus"
)

// syntheticWords is a vocabulary of Persian-looking words; texts draw from
// it with a Zipf distribution, so posting lists have realistic lengths.
var syntheticWords = func() []string {
	letters := []rune("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی")
	r := rand.New(rand.NewPCG(1, 2))
	words := make([]string, 50000)
	for i := range words {
		n := 3 + r.IntN(5)
		w := make([]rune, n)
		for j := range w {
			w[j] = letters[r.IntN(len(letters))]
		}
		words[i] = string(w)
	}
	return words
}()

func syntheticText(r *rand.Rand, z *rand.Zipf, words int) string {
	var b strings.Builder
	for i := range words {
		b.WriteString(syntheticWords[z.Uint64()])
		if i%15 == 14 {
			b.WriteString(". ")
		} else {
			b.WriteString(" ")
		}
	}
	return b.String()
}

// syntheticArticles returns n one-chunk articles of about 110 words.
func syntheticArticles(n int) []corpus.Article {
	r := rand.New(rand.NewPCG(3, 4))
	z := rand.NewZipf(r, 1.1, 2, uint64(len(syntheticWords)-1))
	out := make([]corpus.Article, n)
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = corpus.Article{
			ID:    fmt.Sprintf("a%06d", i),
			Title: syntheticText(r, z, 8),
			Text:  syntheticText(r, z, 100),
			Date:  day.AddDate(0, 0, i%365),
		}
	}
	return out
}

var benchIndexes sync.Map // size → *Index

func benchIndex(b *testing.B, n int) *Index {
	b.Helper()
	if ix, ok := benchIndexes.Load(n); ok {
		return ix.(*Index)
	}
	ix := New(NewLocalEmbedder(256), "bench", Options{Chunk: ChunkOptions{TargetWords: 200, MaxWords: 400}})
	if _, err := ix.SyncArticles(context.Background(), syntheticArticles(n)); err != nil {
		b.Fatal(err)
	}
	if got := ix.Stats().Chunks; got != n {
		b.Fatalf("got %d chunks, want %d", got, n)
	}
	benchIndexes.Store(n, ix)
	return ix
}

// BenchmarkSearch measures a whole hybrid search (embed the question,
// dense scan, BM25, fusion) at realistic index sizes.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			ix := benchIndex(b, n)
			st := ix.cur.Load()
			questions := make([]string, 64)
			for i := range questions {
				words := strings.Fields(st.chunks[(i*7919)%n].Text)
				questions[i] = strings.Join(words[10:17], " ")
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := ix.Search(ctx, Query{Text: questions[i%len(questions)], K: 5}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDenseScan compares our scan of the contiguous matrix (on all
// CPUs and on one) with chromem-go's QueryEmbedding over the same vectors.
func BenchmarkDenseScan(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		ix := benchIndex(b, n)
		st := ix.cur.Load()
		q := st.vecs.row(42)
		out := make([]float32, n)
		b.Run(fmt.Sprintf("matrix/chunks=%d", n), func(b *testing.B) {
			for b.Loop() {
				st.vecs.similarities(q, out)
			}
		})
		b.Run(fmt.Sprintf("matrix-1core/chunks=%d", n), func(b *testing.B) {
			for b.Loop() {
				st.vecs.simRange(q, out, 0, n)
			}
		})
		b.Run(fmt.Sprintf("chromem/chunks=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := st.coll.QueryEmbedding(context.Background(), q, 200, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLocalEmbed measures the local embedder on one core, in chunks
// of about 120 words (reported as chunks/s).
func BenchmarkLocalEmbed(b *testing.B) {
	arts := syntheticArticles(512)
	texts := make([]string, len(arts))
	for i, a := range arts {
		texts[i] = a.Title + "\n" + a.Text
	}
	e := NewLocalEmbedder(256)
	ctx := context.Background()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		e.Embed(ctx, texts[n%len(texts):n%len(texts)+1])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "chunks/s")
}

// BenchmarkIndexHamshahri indexes ../shared/eval/hamshahri-ir from scratch
// (chunk, embed, BM25, chromem-go): time per index and the peak heap it
// needs above what was live before (the loaded articles, other benchmarks'
// indexes).
func BenchmarkIndexHamshahri(b *testing.B) {
	path := filepath.Join("..", "..", "shared", "eval", "hamshahri-ir", "corpus.jsonl")
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("evaluation data not here (%v): skipped", err)
	}
	arts, problems := corpus.ParseJSONL("corpus.jsonl", f, corpus.LoadOptions{})
	f.Close()
	if len(arts) == 0 {
		b.Fatalf("no articles: %v", problems)
	}
	var peak uint64
	var ms runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		stop := make(chan struct{})
		done := make(chan uint64)
		go func() { done <- samplePeakHeap(stop) }()
		ix := New(NewLocalEmbedder(256), "bench", Options{})
		if _, err := ix.SyncArticles(context.Background(), arts); err != nil {
			b.Fatal(err)
		}
		close(stop)
		peak = max(peak, <-done-base)
		runtime.KeepAlive(ix)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(len(arts)), "articles")
}

// samplePeakHeap samples the live heap until stop is closed.
func samplePeakHeap(stop <-chan struct{}) uint64 {
	var peak uint64
	var ms runtime.MemStats
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
		select {
		case <-stop:
			return peak
		case <-t.C:
		}
	}
}

// BenchmarkSearchEval runs the Hamshahri topics against hamshahri-ir +
// farsnews-corpus (skipped without ../shared/eval): search latency on real
// news with real queries.
func BenchmarkSearchEval(b *testing.B) {
	dir := filepath.Join("..", "..", "shared", "eval")
	var arts []corpus.Article
	for _, name := range []string{"hamshahri-ir", "farsnews-corpus"} {
		f, err := os.Open(filepath.Join(dir, name, "corpus.jsonl"))
		if err != nil {
			b.Skipf("evaluation data not here (%v): skipped", err)
		}
		a, _ := corpus.ParseJSONL(name, f, corpus.LoadOptions{})
		f.Close()
		arts = append(arts, a...)
	}
	data, err := os.ReadFile(filepath.Join(dir, "hamshahri-ir", "questions.jsonl"))
	if err != nil {
		b.Skip(err)
	}
	var questions []string
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.Index(line, `"question": "`); i >= 0 {
			q := line[i+len(`"question": "`):]
			questions = append(questions, q[:strings.Index(q, `"`)])
		}
	}
	ix := New(NewLocalEmbedder(256), "bench", Options{})
	if _, err := ix.SyncArticles(context.Background(), arts); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(ctx, Query{Text: questions[i%len(questions)], K: 100, PerArticle: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
