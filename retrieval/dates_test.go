package retrieval

import (
	"context"
	"testing"
	"testing/fstest"
	"time"
)

func TestHasArticles(t *testing.T) {
	emb := NewLocalEmbedder(32)
	ix := New(emb, emb.Identity(), Options{})
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	if mustHas(t, ix, time.Time{}, time.Time{}) {
		t.Error("an empty index has articles")
	}
	corpus := fstest.MapFS{
		"a.txt": {Data: []byte("date 2025-10-05 قیمت دلار در بازار تهران کاهش یافت.")},
		"b.txt": {Data: []byte("date 2025-10-08 جشنواره فیلم کودکان در اصفهان آغاز شد.")},
		"c.txt": {Data: []byte("خبری بی‌تاریخ درباره سیل.")},
	}
	if _, err := ix.Sync(context.Background(), corpus); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     bool
	}{
		{"the day of an article", day(10, 5), day(10, 5), true},
		{"a range over one", day(10, 6), day(10, 9), true},
		{"a day between", day(10, 6), day(10, 7), false},
		{"after all", day(10, 9), time.Time{}, false},
		{"open", time.Time{}, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustHas(t, ix, tt.from, tt.to); got != tt.want {
				t.Errorf("HasArticles(%v, %v) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}
