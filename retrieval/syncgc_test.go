package retrieval

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestSyncGCRestores(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC set: syncGC leaves it alone")
	}
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	endA := syncGC()
	endB := syncGC()
	if got := debug.SetGCPercent(syncGCPercent); got != syncGCPercent {
		t.Fatalf("during two syncs GOGC is %d, want %d", got, syncGCPercent)
	}
	endA()
	if got := debug.SetGCPercent(syncGCPercent); got != syncGCPercent {
		t.Fatalf("with one sync still running GOGC is %d, want %d", got, syncGCPercent)
	}
	endB()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after the syncs GOGC is %d, want 100 again", got)
	}
}
