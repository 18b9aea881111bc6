package pgstate

import (
	"context"
	"testing"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/corpus/feed/feedtest"
)

// TestFeedsStoreContract runs the feed.Store contract on PostgreSQL: the
// same table corpus/feed runs on its folder store.
func TestFeedsStoreContract(t *testing.T) {
	t.Parallel()
	feedtest.Run(t, func(t *testing.T) (feed.Store, func() feed.Store) {
		schema := newSchema(t)
		return NewFeeds(openDB(t, schema)), func() feed.Store { return NewFeeds(openDB(t, schema)) }
	})
}

// TestFeedsSource: the corpus source over the shared store reads what a
// poller on another replica stored, named as in a folder.
func TestFeedsSource(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	ctx := context.Background()
	srv := feedtest.NewServer(t)
	srv.AddItem("زلزله در کرمان", feedtest.Text("زلزله کرمان"))
	p, err := feed.New("", nil, feedtest.Options(NewFeeds(openDB(t, schema))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Add(srv.URL(), ""); err != nil {
		t.Fatal(err)
	}
	src := feed.NewStoreSource(NewFeeds(openDB(t, schema)), "feeds", corpus.LoadOptions{})
	if arts, probs, err := src.Articles(ctx); err != nil || len(arts)+len(probs) > 0 {
		t.Fatalf("before a poll: %d articles, %v, %v", len(arts), probs, err)
	}
	if _, err := p.PollAll(ctx); err != nil {
		t.Fatal(err)
	}
	arts, probs, err := src.Articles(ctx)
	if err != nil || len(probs) > 0 || len(arts) != 1 {
		t.Fatalf("after a poll: %d articles, %v, %v", len(arts), probs, err)
	}
	if a := arts[0]; a.Title != "زلزله در کرمان" || a.Path != "feeds/"+feed.FileName(srv.URL()) || a.Line != 1 {
		t.Errorf("article = %+v", a)
	}
}
