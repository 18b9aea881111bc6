package retrieval

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// clock returns a fixed time for LoadOptions.Now and Options.Now.
func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

// TestFutureDateIsNotTheLatestDay: the index's latest day, which /summary
// summarises, is the newest real date, not a typo decades ahead.
func TestFutureDateIsNotTheLatestDay(t *testing.T) {
	corpus := testCorpus()
	corpus["typo.txt"] = &fstest.MapFile{Data: []byte("date 2099-01-01\nبه گزارش ایسنا، خبری با تاریخ اشتباه.")}
	ix := New(newCounting(), "test/v1", Options{Now: clock(time.Date(2025, 10, 11, 8, 0, 0, 0, time.UTC))})
	rep, err := ix.Sync(context.Background(), corpus)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mustLatest(t, ix), time.Date(2025, 10, 10, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("latest day %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	found := false
	for _, p := range rep.Problems {
		found = found || (p.Path == "typo.txt" && strings.Contains(p.Reason, "in the future"))
	}
	if !found {
		t.Errorf("the future date is not reported: %v", rep.Problems)
	}
}
