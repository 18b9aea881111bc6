package pgstate

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

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

// countingObserver counts a poller's fetches.
type countingObserver struct{ n atomic.Int32 }

func (o *countingObserver) FetchDone(_, _ string)         { o.n.Add(1) }
func (o *countingObserver) ItemsAdded(string, int)        {}
func (o *countingObserver) LastSuccess(string, time.Time) {}

// TestFeedsOnePollerUnderLeader: two pollers over one schema, each run
// under the "feeds" leader, as two replicas do: the feed server sees only
// the leader's fetches, and when the leader's session dies the other
// polls, from the stored state (a conditional fetch).
func TestFeedsOnePollerUnderLeader(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	srv := feedtest.NewServer(t)
	srv.AddItem("زلزله در کرمان", feedtest.Text("زلزله کرمان"))
	type replica struct {
		l    *Leader
		p    *feed.Poller
		obs  *countingObserver
		stop context.CancelFunc
		done chan struct{}
	}
	start := func() *replica {
		db := openDB(t, schema)
		r := &replica{l: NewLeader(db, "feeds", quiet()), obs: &countingObserver{}, done: make(chan struct{})}
		r.l.Poll = 100 * time.Millisecond
		opts := feedtest.Options(NewFeeds(db))
		opts.Observer = r.obs
		p, err := feed.New("", []feed.Spec{{URL: srv.URL()}}, opts)
		if err != nil {
			t.Fatal(err)
		}
		r.p = p
		ctx, stop := context.WithCancel(context.Background())
		r.stop = stop
		go func() {
			defer close(r.done)
			r.l.Run(ctx, func(ctx context.Context) {
				if err := p.Refresh(ctx); err != nil {
					return
				}
				p.Run(ctx, time.Second)
			})
		}()
		t.Cleanup(func() { stop(); <-r.done })
		return r
	}
	a, b := start(), start()
	waitFor(t, "a leader", func() bool { return a.l.Leading() || b.l.Leading() })
	leader, other := a, b
	if b.l.Leading() {
		leader, other = b, a
	}
	waitFor(t, "three polls by the leader", func() bool { return leader.obs.n.Load() >= 3 })
	n := int(leader.obs.n.Load())
	if all, _ := srv.Hits(); all < n || all > n+1 || other.obs.n.Load() != 0 {
		t.Errorf("feed requests %d; the leader fetched %d, the other %d: want the leader's only", all, n, other.obs.n.Load())
	}
	if _, full := srv.Hits(); full != 1 {
		t.Errorf("%d full answers for one feed body: the polls after the first must be conditional", full)
	}

	// A new item, polled by the leader only: the other's memory is stale.
	srv.AddItem("بارش برف در تهران", feedtest.Text("برف تهران"))
	waitFor(t, "the leader to fetch the new item", func() bool { _, full := srv.Hits(); return full == 2 })
	if l := other.p.List(); l[0].Articles != 1 {
		t.Fatalf("the other's memory: %+v", l)
	}
	leader.stop()
	<-leader.done
	_, fullBefore := srv.Hits()
	waitFor(t, "the other to poll", func() bool { return other.obs.n.Load() >= 2 })
	if _, full := srv.Hits(); full != fullBefore {
		t.Errorf("the new leader fetched the whole feed again (%d full answers, %d before): the state was not shared", full, fullBefore)
	}
	if l := other.p.List(); len(l) != 1 || l[0].Articles != 2 || l[0].ArticlesAdded != 2 {
		t.Errorf("the new leader's feeds: %+v", l)
	}
}
