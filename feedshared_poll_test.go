package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/corpus/feed"
)

// fetchCounter is a feed.Observer counting one replica's fetches.
type fetchCounter struct {
	mu       sync.Mutex
	statuses []string
}

func (c *fetchCounter) FetchDone(_, status string) {
	c.mu.Lock()
	c.statuses = append(c.statuses, status)
	c.mu.Unlock()
}
func (c *fetchCounter) ItemsAdded(string, int)        {}
func (c *fetchCounter) LastSuccess(string, time.Time) {}
func (c *fetchCounter) fetches() (n int, last string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.statuses) > 0 {
		last = c.statuses[len(c.statuses)-1]
	}
	return len(c.statuses), last
}

// feedReplica is one replica of serve's feed side, in process: its own
// DATA_DIR and index, the shared state of one schema.
type feedReplica struct {
	a      *app
	s      *sharedState
	obs    *fetchCounter
	cancel context.CancelFunc
	done   chan struct{}
}

func startFeedReplica(t *testing.T, vars map[string]string) *feedReplica {
	t.Helper()
	a := testApp(t, vars, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := openState(ctx, a.cfg, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	s.feedLeader.Poll = 100 * time.Millisecond
	if err := s.reload.Baseline(ctx); err != nil {
		t.Fatal(err)
	}
	s.shareFeedArticles(a)
	if _, err := a.openServing(ctx); err != nil {
		t.Fatal(err)
	}
	r := &feedReplica{a: a, s: s, obs: &fetchCounter{}, cancel: cancel, done: make(chan struct{})}
	stop, err := a.startFeeds(ctx, r.obs, s)
	if err != nil {
		t.Fatal(err)
	}
	s.startFeeds(ctx, a)
	var wg sync.WaitGroup
	wg.Go(func() { s.watchReload(ctx, s.withFeeds(a)) })
	go func() {
		<-ctx.Done()
		stop()
		wg.Wait()
		s.close()
		close(r.done)
	}()
	t.Cleanup(r.kill)
	return r
}

// kill stops the replica (its leader connection closes with its pool) and
// waits for it.
func (r *feedReplica) kill() {
	r.cancel()
	<-r.done
}

// eventually waits for cond, failing the test with what after within.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// answers reports whether r's bot answers q citing url.
func (r *feedReplica) answers(q, url string) bool {
	ans, err := r.a.composer.Answer(context.Background(), answer.Request{Question: q})
	if err != nil || ans.NotFound() {
		return false
	}
	for _, s := range ans.Sources {
		if s.URL == url {
			return true
		}
	}
	return false
}

// TestSharedFeedsOnePollerAnswerableEverywhere: two replicas over one
// schema, the feeds' state and articles in PostgreSQL. Only the replica
// leading "feeds" fetches (every request the feed server sees is one of
// its fetches); an item it polls is answerable on the other, whose /feeds
// shows the shared fetch state; when the leader dies the other polls,
// conditionally (the ETag was shared).
func TestSharedFeedsOnePollerAnswerableEverywhere(t *testing.T) {
	dbURL, _ := replicaDB(t)
	testFeedOptions(t)
	srv := newNewsServer(t)
	now := time.Now()
	url := srv.set("/news.xml", dollarItem(now.Add(-2*time.Hour)))
	seeds := smallSeeds(t)
	env := func() map[string]string {
		return testEnv(t, "SEEDS_DIR", seeds, "FEEDS", url+" خبرگزاری آزمون", "FEED_INTERVAL", "1s",
			"STATE_BACKEND", "postgres", "DATABASE_URL", dbURL)
	}
	a, b := startFeedReplica(t, env()), startFeedReplica(t, env())
	eventually(t, 10*time.Second, "a replica leads the feeds", func() bool { return a.s.feedLeader.Leading() || b.s.feedLeader.Leading() })
	leader, other := a, b
	if b.s.feedLeader.Leading() {
		leader, other = b, a
	}
	eventually(t, 10*time.Second, "the leader polls three times", func() bool { n, _ := leader.obs.fetches(); return n >= 3 })
	n, _ := leader.obs.fetches()
	if m, _ := other.obs.fetches(); m != 0 {
		t.Errorf("the replica not leading fetched %d times", m)
	}
	if hits := srv.hitCount("/news.xml"); hits < n || hits > n+1 { // one may be in flight
		t.Errorf("the feed had %d requests for the leader's %d fetches: one fetch per poll wanted", hits, n)
	}

	// A new item polled by the leader is answerable on the other replica.
	srv.add("/news.xml", quakeItem(now.Add(-10*time.Minute)))
	const quake = "https://news.example.ir/1404/quake-bam"
	eventually(t, 20*time.Second, "the other replica answers about the new item", func() bool {
		return other.answers("زلزله بم چند ریشتر بود؟", quake)
	})
	// Its /feeds shows the shared fetch state: both items, the outlet.
	list := feedsAdmin{a: other.a, shared: other.s}.List()
	if len(list) != 1 || list[0].Articles != 2 || list[0].ArticlesAdded != 2 || list[0].LastStatus == "" || list[0].ETag == "" {
		t.Errorf("/feeds on the other replica: %+v", list)
	}
	if m, _ := other.obs.fetches(); m != 0 {
		t.Errorf("the replica not leading fetched %d times", m)
	}

	// The leader dies: the other takes over and polls, conditionally.
	leader.kill()
	eventually(t, 15*time.Second, "the other replica polls once the leader is gone", func() bool { m, _ := other.obs.fetches(); return m >= 2 })
	if _, last := other.obs.fetches(); last != feed.StatusNotModified {
		t.Errorf("the new leader's fetch: %s, want %s (the stored ETag)", last, feed.StatusNotModified)
	}
	if list := other.a.feeds.List(); len(list) != 1 || list[0].Articles != 2 {
		t.Errorf("the new leader's feeds: %+v", list)
	}
	srv.add("/news.xml", rainItem(now.Add(-5*time.Minute)))
	eventually(t, 20*time.Second, "the new leader syncs a new item into its index", func() bool {
		return other.answers("بارش باران در گیلان", "https://news.example.ir/1404/rain-gilan")
	})
}

// TestSharedFeedsImportTheFolder: the first replica switched to
// PostgreSQL brings its DATA_DIR/feeds along, state and articles: a
// poller over the shared store has the articles and fetches conditionally.
func TestSharedFeedsImportTheFolder(t *testing.T) {
	dbURL, _ := replicaDB(t)
	testFeedOptions(t)
	srv := newNewsServer(t)
	now := time.Now()
	url := srv.set("/news.xml", dollarItem(now.Add(-2*time.Hour)), rainItem(now.Add(-time.Hour)))
	a := testApp(t, testEnv(t, "SEEDS_DIR", smallSeeds(t), "FEEDS", url, "STATE_BACKEND", "postgres", "DATABASE_URL", dbURL), time.Now)
	ctx := t.Context()
	files, err := a.newPoller(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := files.Add(srv.set("/extra.xml", quakeItem(now.Add(-time.Hour))), "افزوده"); err != nil {
		t.Fatal(err)
	}
	if rep, err := files.PollAll(ctx); err != nil || rep.Added() != 3 {
		t.Fatalf("poll into the folder: %d added, %v", rep.Added(), err)
	}
	s, err := openState(ctx, a.cfg, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if err := s.importFeeds(ctx, feedsDir(a.cfg)); err != nil {
		t.Fatal(err)
	}
	p, err := a.newPollerOn(s.feeds, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	list := p.List()
	if len(list) != 2 || list[0].Articles != 2 || list[1].Origin != "admin" || list[1].Name != "افزوده" || list[1].Articles != 1 || list[0].ETag == "" {
		t.Fatalf("the shared store after the import: %+v", list)
	}
	rep, err := p.PollAll(ctx)
	if err != nil || rep.Added() != 0 {
		t.Fatalf("poll after the import: %d added, %v", rep.Added(), err)
	}
	for _, f := range rep.Feeds {
		if f.Status != feed.StatusNotModified {
			t.Errorf("%s: %s, want %s", f.URL, f.Status, feed.StatusNotModified)
		}
	}
}
