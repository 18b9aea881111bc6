package retrieval

import (
	"context"
	"os"
	"path/filepath"
	"testing"
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
