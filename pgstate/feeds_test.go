package pgstate

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus/feed"
)

func TestFeedsRegistryStateArticles(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	ctx := context.Background()
	a, b := NewFeeds(openDB(t, schema)), NewFeeds(openDB(t, schema))
	at := time.Date(2025, 10, 6, 8, 0, 0, 0, time.UTC)
	// Two replicas' admins add feeds at once: none is lost.
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			s := []*Feeds{a, b}[i%2]
			if err := s.Add(ctx, fmt.Sprintf("https://f%d.example/rss", i), fmt.Sprintf("خبرگزاری %d", i), at.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := a.Add(ctx, "https://f3.example/rss", "", at); !errors.Is(err, feed.ErrDuplicate) {
		t.Errorf("second add: %v, want ErrDuplicate", err)
	}
	if err := b.RemoveConfigured(ctx, "https://config.example/rss"); err != nil {
		t.Fatal(err)
	}
	if had, err := b.RemoveAdded(ctx, "https://f0.example/rss"); !had || err != nil {
		t.Fatalf("RemoveAdded = %v, %v", had, err)
	}
	reg, err := a.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Added) != 9 || reg.Added[0].URL != "https://f1.example/rss" || reg.Added[0].Name != "خبرگزاری 1" || !reg.Added[0].Added.Equal(at.Add(time.Minute)) || reg.Added[8].URL != "https://f9.example/rss" {
		t.Fatalf("added = %+v", reg.Added)
	}
	if !reflect.DeepEqual(reg.Removed, []string{"https://config.example/rss"}) {
		t.Errorf("removed = %v", reg.Removed)
	}
	// Adding a removed configured feed back un-removes it.
	if err := a.Add(ctx, "https://config.example/rss", "", at); err != nil {
		t.Fatal(err)
	}
	if reg, _ := b.Registry(ctx); len(reg.Removed) != 0 {
		t.Errorf("still removed: %v", reg.Removed)
	}

	st := feed.State{Title: "ایسنا", LastFetch: at, LastSuccess: at, LastStatus: "ok", ItemsSeen: 20, ArticlesAdded: 7,
		NextPoll: at.Add(10 * time.Minute), ETag: `"abc"`, BodyHash: "h", Problems: []string{"item 3: no text"}}
	if err := a.SaveStates(ctx, map[string]feed.State{"https://f1.example/rss": st}); err != nil {
		t.Fatal(err)
	}
	if err := b.SaveStates(ctx, map[string]feed.State{"https://f2.example/rss": {Failures: 2, LastError: "timeout"}}); err != nil {
		t.Fatal(err)
	}
	states, err := b.States(ctx)
	if err != nil || len(states) != 2 {
		t.Fatalf("states: %v %v", states, err)
	}
	got := states["https://f1.example/rss"]
	if !got.NextPoll.Equal(st.NextPoll) || !got.LastFetch.Equal(st.LastFetch) {
		t.Errorf("times: %+v", got)
	}
	got.NextPoll, got.LastFetch, got.LastSuccess = st.NextPoll, st.LastFetch, st.LastSuccess
	if !reflect.DeepEqual(got, st) {
		t.Errorf("state = %+v, want %+v", got, st)
	}

	jsonl := []byte(`{"id":"a","title":"t","text":"x"}` + "\n")
	if err := a.SaveArticles(ctx, "https://f1.example/rss", jsonl); err != nil {
		t.Fatal(err)
	}
	if data, err := b.Articles(ctx, "https://f1.example/rss"); string(data) != string(jsonl) || err != nil {
		t.Errorf("articles = %q, %v", data, err)
	}
	// Removing a feed forgets its state and articles.
	if _, err := a.RemoveAdded(ctx, "https://f1.example/rss"); err != nil {
		t.Fatal(err)
	}
	if data, _ := b.Articles(ctx, "https://f1.example/rss"); data != nil {
		t.Error("articles of a removed feed kept")
	}
	if states, _ := b.States(ctx); len(states) != 1 {
		t.Errorf("states after removal: %v", states)
	}
}
