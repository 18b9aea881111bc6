package chat

import (
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/retrieval"
)

// TestStatsShowsTehranTime: the index build time in /stats is Tehran's,
// whatever the server's zone (UTC in the Docker image).
func TestStatsShowsTehranTime(t *testing.T) {
	built := time.Date(2025, 10, 5, 20, 45, 0, 0, time.UTC) // 00:15 on 14 Mehr in Tehran
	if _, off := built.Local().Zone(); off == 3*3600+1800 {
		t.Skip("the local zone is Tehran's: the test cannot tell them apart")
	}
	chat := New(&scriptedAnswerer{}, discard(), Options{Stats: func() retrieval.Stats {
		return retrieval.Stats{Articles: 1, Chunks: 2, Built: built}
	}})
	got := chat.stats().PlainText()
	if want := "۱۴ مهر ۱۴۰۴ ۰۰:۱۵"; !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
}
