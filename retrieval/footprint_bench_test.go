package retrieval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
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
		reportSearches(b, lat)
		runtime.KeepAlive(warm)
	}
}

// BenchmarkQuantRecall measures the int8 dense scan against the float one
// on the snapshot in $KHABAR_BENCH_DATA (real vectors; skipped without it):
// for 200 questions (seven words of a chunk, embedded as Search does), the
// share of the float scan's 10 and 100 best chunks that are among the R
// best by the int8 estimate, which is what the float re-rank of R
// candidates then gets right; and the time per scan, float and int8 with
// the re-rank (denseScores).
//
//	KHABAR_BENCH_DATA=/tmp/data go test ./retrieval -run XXX -bench QuantRecall -benchtime 1x
func BenchmarkQuantRecall(b *testing.B) {
	dir := os.Getenv("KHABAR_BENCH_DATA")
	if dir == "" {
		b.Skip("KHABAR_BENCH_DATA not set")
	}
	st, err := loadSnapshot(context.Background(), filepath.Join(dir, snapshotName), Ranking{}.withDefaults())
	if err != nil {
		b.Fatal(err)
	}
	if st.q8.rows() == 0 {
		st.q8 = quantize(st.vecs)
	}
	emb := NewLocalEmbedder(st.vecs.dim)
	r := rand.New(rand.NewPCG(9, 9))
	var questions [][]float32
	for len(questions) < 200 {
		words := strings.Fields(st.chunks[r.IntN(len(st.chunks))].Text)
		if len(words) < 20 {
			continue
		}
		i := r.IntN(len(words) - 7)
		vs, _ := emb.Embed(context.Background(), []string{strings.Join(words[i:i+7], " ")})
		v := sanitize(vs[0])
		if normalizeInPlace(v) {
			questions = append(questions, v)
		}
	}
	n := st.vecs.rows()
	exact, est, mixed := make([]float32, n), make([]float32, n), make([]float32, n)
	for b.Loop() {
		hits := map[[2]int]int{} // (R, k) → hits
		var tFloat, tQuant time.Duration
		for _, v := range questions {
			t0 := time.Now()
			st.vecs.similarities(v, exact)
			tFloat += time.Since(t0)
			t0 = time.Now()
			st.denseScores(v, mixed)
			tQuant += time.Since(t0)
			st.q8.similarities(v, est)
			for _, k := range []int{10, 100} {
				want := best(exact, k)
				for _, R := range []int{100, 300, 1000, 3000} {
					cand := map[int32]bool{}
					for _, row := range best(est, R) {
						cand[row] = true
					}
					for _, row := range want {
						if cand[row] {
							hits[[2]int{R, k}]++
						}
					}
				}
			}
		}
		for _, k := range []int{10, 100} {
			for _, R := range []int{100, 300, 1000, 3000} {
				b.ReportMetric(float64(hits[[2]int{R, k}])/float64(k*len(questions)), fmt.Sprintf("recall@%d-R%d", k, R))
			}
		}
		b.ReportMetric(float64(tFloat.Microseconds())/1000/float64(len(questions)), "float-scan-ms")
		b.ReportMetric(float64(tQuant.Microseconds())/1000/float64(len(questions)), "int8+rerank-ms")
		b.ReportMetric(float64(n), "chunks")
	}
}

// BenchmarkColdStart is what `khabar index` (or a first `khabar ask`) does
// with the corpus in $KHABAR_BENCH_SEEDS and no snapshot: Sync from
// scratch into a temporary DATA_DIR (parse, chunk, embed, build, save). It
// reports the peak heap sampled during the sync, the heap still live after
// it (the index) and that per 1,000 chunks; with $KHABAR_BENCH_HEAP set it
// writes a heap profile of the live index there (go tool pprof
// -sample_index=inuse_space).
//
//	KHABAR_BENCH_SEEDS=/tmp/seeds KHABAR_BENCH_HEAP=/tmp/heap.out go test ./retrieval -run XXX -bench ColdStart -benchtime 1x
func BenchmarkColdStart(b *testing.B) {
	seeds := os.Getenv("KHABAR_BENCH_SEEDS")
	if seeds == "" {
		b.Skip("KHABAR_BENCH_SEEDS not set")
	}
	emb := NewLocalEmbedder(256)
	var ms runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		stop := make(chan struct{})
		done := make(chan uint64)
		go func() { done <- samplePeakHeap(stop) }()
		ix := New(emb, emb.Identity(), Options{Dir: b.TempDir(), Chunk: ChunkOptions{Overlap: 1}})
		rep, err := ix.Sync(context.Background(), os.DirFS(seeds))
		if err != nil || rep.SnapshotErr != nil {
			b.Fatal(err, rep.SnapshotErr)
		}
		close(stop)
		peak := <-done
		runtime.GC()
		runtime.ReadMemStats(&ms)
		live := float64(ms.HeapAlloc-base) / (1 << 20)
		if p := os.Getenv("KHABAR_BENCH_HEAP"); p != "" {
			writeHeapProfile(b, p)
		}
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
		b.ReportMetric(live, "live-heap-MB")
		if rss, ok := residentMB(); ok {
			// The heap plus the pages of the mapped snapshot read so far.
			b.ReportMetric(rss, "rss-after-load-MB")
		}
		b.ReportMetric(live*1000/float64(rep.Chunks), "MB/1k-chunks")
		b.ReportMetric(float64(rep.Chunks), "chunks")
		runtime.KeepAlive(ix)
	}
}

// BenchmarkSnapshotSearch loads the snapshot in $KHABAR_BENCH_DATA and
// times 200 searches (K 5, as `khabar ask`) of questions made of four to
// seven consecutive words of random chunks: search p50/p95 on that index,
// the load time and the heap live after the load (and per 1,000 chunks;
// with $KHABAR_BENCH_HEAP set, a heap profile of it written there).
// For a synthetic corpus of N chunks: `go run ./internal/synth/synthcorpus
// -chunks N`, then `khabar index` (docs/retrieval.md, Footprint).
//
//	KHABAR_BENCH_DATA=/tmp/data go test ./retrieval -run XXX -bench SnapshotSearch -benchtime 1x
func BenchmarkSnapshotSearch(b *testing.B) {
	dir := os.Getenv("KHABAR_BENCH_DATA")
	if dir == "" {
		b.Skip("KHABAR_BENCH_DATA not set")
	}
	emb := NewLocalEmbedder(256)
	ctx := context.Background()
	var ms runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		start := time.Now()
		ix := New(emb, emb.Identity(), Options{Dir: dir})
		if err := ix.Load(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "load-s")
		runtime.GC()
		runtime.ReadMemStats(&ms)
		st := ix.cur.Load()
		live := float64(ms.HeapAlloc-base) / (1 << 20)
		if p := os.Getenv("KHABAR_BENCH_HEAP"); p != "" {
			writeHeapProfile(b, p)
		}
		b.ReportMetric(live, "live-heap-MB")
		if rss, ok := residentMB(); ok {
			// The heap plus the pages of the mapped snapshot read so far.
			b.ReportMetric(rss, "rss-after-load-MB")
		}
		b.ReportMetric(live*1000/float64(len(st.chunks)), "MB/1k-chunks")
		b.ReportMetric(float64(len(st.chunks)), "chunks")
		r := rand.New(rand.NewPCG(7, 8))
		var lat []time.Duration
		for len(lat) < 200 {
			words := strings.Fields(st.chunks[r.IntN(len(st.chunks))].Text)
			w := 4 + r.IntN(4)
			if len(words) <= w {
				continue
			}
			i := r.IntN(len(words) - w)
			t0 := time.Now()
			if _, err := ix.Search(ctx, Query{Text: strings.Join(words[i:i+w], " "), K: 5}); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		reportSearches(b, lat)
		runtime.KeepAlive(ix)
	}
}

// residentMB is the process's resident set (VmRSS), where Linux says it.
func residentMB() (float64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err == nil
		}
	}
	return 0, false
}

// writeHeapProfile writes a heap profile (what is live at the last
// collection) to path.
func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// reportSearches reports the median and 95th percentile of the search
// latencies lat, and the resident set after them.
func reportSearches(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "search-p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "search-p95-ms")
	if rss, ok := residentMB(); ok {
		b.ReportMetric(rss, "rss-after-search-MB")
	}
}
