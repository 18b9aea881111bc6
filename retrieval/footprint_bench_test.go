package retrieval

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkLoadSnapshot decodes the snapshot in $KHABAR_BENCH_DATA (a
// DATA_DIR that `khabar index` filled, e.g. with hamshahri-ir +
// farsnews-corpus): the warm start's first half. Skipped without it.
//
//	KHABAR_BENCH_DATA=/tmp/data go test ./retrieval -run XXX -bench LoadSnapshot -benchmem -cpuprofile cpu.out -memprofile mem.out
func BenchmarkLoadSnapshot(b *testing.B) {
	dir := os.Getenv("KHABAR_BENCH_DATA")
	if dir == "" {
		b.Skip("KHABAR_BENCH_DATA not set")
	}
	path := filepath.Join(dir, snapshotName)
	rk := Ranking{}.withDefaults()
	for b.Loop() {
		st, err := loadSnapshot(context.Background(), path, rk)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(st.chunks)), "chunks")
	}
}

// BenchmarkWarmStart is what `khabar ask` does before answering with a
// valid snapshot in $KHABAR_BENCH_DATA and an unchanged corpus in
// $KHABAR_BENCH_SEEDS: Load, then Sync (which finds nothing to do).
func BenchmarkWarmStart(b *testing.B) {
	dir, seeds := os.Getenv("KHABAR_BENCH_DATA"), os.Getenv("KHABAR_BENCH_SEEDS")
	if dir == "" || seeds == "" {
		b.Skip("KHABAR_BENCH_DATA or KHABAR_BENCH_SEEDS not set")
	}
	emb := NewLocalEmbedder(256)
	for b.Loop() {
		ix := New(emb, emb.Identity(), Options{Dir: dir})
		if err := ix.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
		rep, err := ix.Sync(context.Background(), os.DirFS(seeds))
		if err != nil || rep.Embedded != 0 || rep.SnapshotErr != nil {
			b.Fatalf("Sync: %v, %+v", err, rep)
		}
	}
}

// BenchmarkScale builds an index of $KHABAR_BENCH_SCALE synthetic one-chunk
// articles (syntheticArticles: Zipf-drawn words, not perturbed real news),
// saves it, loads it back and searches it, reporting what grows with the
// corpus: index time, snapshot size, load time, live heap after the load,
// search p50/p95. Skipped unless the variable is set (100000 takes about a
// minute and ~1.5 GB here).
//
//	KHABAR_BENCH_SCALE=100000 go test ./retrieval -run XXX -bench Scale -benchtime 1x
func BenchmarkScale(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("KHABAR_BENCH_SCALE"))
	if n <= 0 {
		b.Skip("KHABAR_BENCH_SCALE not set")
	}
	arts := syntheticArticles(n)
	dir := b.TempDir()
	emb := NewLocalEmbedder(256)
	ctx := context.Background()
	for b.Loop() {
		start := time.Now()
		ix := New(emb, "bench", Options{Dir: dir, Chunk: ChunkOptions{TargetWords: 200, MaxWords: 400}})
		if rep, err := ix.SyncArticles(ctx, arts); err != nil || rep.SnapshotErr != nil {
			b.Fatal(err, rep.SnapshotErr)
		}
		b.ReportMetric(time.Since(start).Seconds(), "index-s")
		ix = nil
		fi, err := os.Stat(filepath.Join(dir, snapshotName))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(fi.Size())/(1<<20), "snapshot-MB")
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		start = time.Now()
		warm := New(emb, "bench", Options{Dir: dir})
		if err := warm.Load(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "load-s")
		runtime.GC()
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc-base)/(1<<20), "live-heap-MB")
		r := rand.New(rand.NewPCG(5, 6))
		z := rand.NewZipf(r, 1.1, 2, uint64(len(syntheticWords)-1))
		var lat []time.Duration
		for range 200 {
			q := syntheticText(r, z, 4)
			t0 := time.Now()
			if _, err := warm.Search(ctx, Query{Text: q, K: 5}); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "search-p50-ms")
		b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "search-p95-ms")
		runtime.KeepAlive(warm)
	}
}
