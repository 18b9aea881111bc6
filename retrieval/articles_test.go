package retrieval

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/fstest"
	"time"
)

func TestDocuments(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, testCorpus())
	day := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }

	all := mustDocuments(t, ix, time.Time{}, time.Time{})
	if len(all) != 5 || all[0].ID != "football.txt" || all[len(all)-1].ID != "iraq.txt" {
		t.Fatalf("got %d documents, newest %q, oldest %q", len(all), all[0].ID, all[len(all)-1].ID)
	}
	some := mustDocuments(t, ix, day(1), day(5))
	if len(some) != 3 {
		t.Errorf("1–5 October: got %d documents, want 3 (metro, flood, dollar)", len(some))
	}
	for _, d := range all {
		if d.Text == "" || d.Title == "" || len(d.Vector) != 64 {
			t.Errorf("%s: text %d bytes, title %q, vector %d", d.ID, len(d.Text), d.Title, len(d.Vector))
		}
		var n float64
		for _, x := range d.Vector {
			n += float64(x) * float64(x)
		}
		if math.Abs(n-1) > 1e-4 {
			t.Errorf("%s: vector norm² %v", d.ID, n)
		}
	}
	iraq := all[len(all)-1]
	if iraq.Source != "تابناک" || iraq.Text[:len("به گزارش")] != "به گزارش" {
		t.Errorf("iraq: source %q, text %q", iraq.Source, iraq.Text)
	}
	if got := mustLatest(t, ix); !got.Equal(day(10)) {
		t.Errorf("LatestDate = %v, want 10 October", got)
	}
}

func TestArrivalTimesSurviveSyncsAndRestarts(t *testing.T) {
	dir := t.TempDir()
	ix := newTestIndex(t, NewLocalEmbedder(64), dir)
	mustSync(t, ix, testCorpus())
	first := mustDocuments(t, ix, time.Time{}, time.Time{})
	if first[0].Arrived.IsZero() {
		t.Fatal("no arrival time")
	}
	before := first[0].Arrived
	time.Sleep(1100 * time.Millisecond) // arrival times have second precision

	edited := testCorpus()
	edited["new.txt"] = &fstest.MapFile{Data: []byte("date 2025-10-11\nخبر تازه درباره سدهای تهران.")}
	ix2 := newTestIndex(t, NewLocalEmbedder(64), dir)
	if err := ix2.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustSync(t, ix2, edited)
	arrived := mustArrived(t, ix2, before, time.Now())
	if len(arrived) != 1 || arrived[0].ID != "new.txt" {
		t.Fatalf("arrived after the first sync: %d documents %v, want only new.txt", len(arrived), arrived)
	}
	if all := mustArrived(t, ix2, time.Time{}, time.Now()); len(all) != 6 {
		t.Errorf("arrived since ever: %d, want 6", len(all))
	}
}

func mustDocuments(t *testing.T, ix *Index, from, to time.Time) []Document {
	t.Helper()
	docs, err := ix.Documents(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func mustArrived(t *testing.T, ix *Index, after, until time.Time) []Document {
	t.Helper()
	docs, err := ix.Arrived(context.Background(), after, until)
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func mustLatest(t *testing.T, ix *Index) time.Time {
	t.Helper()
	d, err := ix.LatestDate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustHas(t *testing.T, ix *Index, from, to time.Time) bool {
	t.Helper()
	ok, err := ix.HasArticles(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestDatesAfterCancel: the in-process index fails its listings only
// when the context is done.
func TestDatesAfterCancel(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, testCorpus())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Documents(ctx, time.Time{}, time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Documents: got %v, want context.Canceled", err)
	}
	if _, err := ix.Arrived(ctx, time.Time{}, time.Now()); !errors.Is(err, context.Canceled) {
		t.Errorf("Arrived: got %v, want context.Canceled", err)
	}
	if _, err := ix.LatestDate(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("LatestDate: got %v, want context.Canceled", err)
	}
	if _, err := ix.HasArticles(ctx, time.Time{}, time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("HasArticles: got %v, want context.Canceled", err)
	}
}
