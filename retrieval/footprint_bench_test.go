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
