package main

import (
	"context"
	"errors"
	"time"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/pgstate"
	"github.com/khabar/khabar/retrieval"
)

// Live feeds with several replicas (STATE_BACKEND=postgres): PostgreSQL
// holds the admin-added feeds and every feed's fetch state and articles
// (the poller's feed.Store is pgstate.Feeds), so the replicas act as one
// bot:
//   - one replica polls: the one leading "feeds" (a pgstate.Leader); a
//     replica that takes over first reads the state and articles the last
//     poller stored (Poller.Refresh), so it fetches conditionally, as a
//     restart of one replica does;
//   - a pass that changed articles is announced like a reload: every
//     other replica reads the articles from PostgreSQL again (its corpus
//     reads them there, feed.NewStoreSource) and syncs its own index;
//   - an admin's /feeds add or remove on any replica is recorded in
//     PostgreSQL and announced; each replica brings its poller's list in
//     line with the registry;
//   - /feeds on a replica that does not poll reads the shared state first.
//
// A replica's own DATA_DIR/feeds is imported once for the whole database,
// before its poller opens (importFeeds): the registry, the states and the
// articles of bolt mode. `khabar feeds` (a one-shot command) still uses
// DATA_DIR/feeds.

// feedPoller is what the sharing needs of the poller; *feed.Poller is one.
type feedPoller interface {
	List() []feed.FeedStatus
	Add(url, name string) (feed.FeedStatus, error)
	Remove(key string) (feed.FeedStatus, error)
}

var _ feedPoller = (*feed.Poller)(nil)

// feedsImport names the one-time import of a replica's own feeds.json.
const feedsImport = "feeds.json"

// feedsTimeout bounds the registry's queries of one change.
const feedsTimeout = 10 * time.Second

// importFeeds copies, once for the whole database, the admin's changes
// that this replica's feeds.json in dir holds (feeds added, configured
// feeds removed) into the registry: the first replica switched to
// PostgreSQL brings bolt mode's feeds along.
func (s *sharedState) importFeeds(ctx context.Context, dir string) error {
	if dir == "" {
		return nil
	}
	reg, err := feed.NewFileStore(dir, s.log).Registry(ctx)
	if err != nil {
		return err
	}
	tag, err := s.db.Pool().Exec(ctx, "INSERT INTO imports (name, detail) VALUES ($1, 'the admin-added feeds of the first replica') ON CONFLICT DO NOTHING", feedsImport)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	s.importFeedFiles(ctx, dir)
	n := 0
	for _, f := range reg.Added {
		if err := s.feeds.Add(ctx, f.URL, f.Name, f.Added); err != nil && !errors.Is(err, feed.ErrDuplicate) {
			return err
		}
		n++
	}
	for _, u := range reg.Removed {
		if err := s.feeds.RemoveConfigured(ctx, u); err != nil {
			return err
		}
		n++
	}
	if n > 0 {
		s.log.Info("admin's feed changes imported into PostgreSQL", "feeds", n)
	}
	return nil
}

// importFeedFiles copies the fetch state and the articles of dir into
// PostgreSQL, with the registry's one-time import: the first replica
// switched brings them along, so that its feeds are fetched conditionally
// and their articles keep their arrival times (a digest does not send
// them again). What cannot be read is logged and left: it costs a refetch.
func (s *sharedState) importFeedFiles(ctx context.Context, dir string) {
	files := feed.NewFileStore(dir, s.log)
	states, err := files.States(ctx)
	if err != nil {
		s.log.Warn("feeds' state not imported into PostgreSQL: every feed is fetched again", "err", err)
		return
	}
	for u := range states {
		data, err := files.Articles(ctx, u)
		if err == nil && data != nil {
			err = s.feeds.SaveArticles(ctx, u, data)
		}
		if err != nil {
			s.log.Warn("feed's articles not imported into PostgreSQL", "feed", u, "err", err)
			delete(states, u) // its validators would skip the items it lacks
		}
	}
	if err := s.feeds.SaveStates(ctx, states); err != nil {
		s.log.Warn("feeds' state not imported into PostgreSQL: every feed is fetched again", "err", err)
	}
}

// reconcileFeeds makes p follow what the registry says: the feeds added
// on any replica, without those removed on any. It reports whether p
// changed.
func (s *sharedState) reconcileFeeds(ctx context.Context, p feedPoller) (bool, error) {
	reg, err := s.feeds.Registry(ctx)
	if err != nil {
		return false, err
	}
	added, removed := map[string]bool{}, map[string]bool{}
	for _, a := range reg.Added {
		added[a.URL] = true
	}
	for _, u := range reg.Removed {
		removed[u] = true
	}
	local := map[string]bool{}
	changed := false
	for _, f := range p.List() {
		local[f.URL] = true
		if removed[f.URL] || (f.Origin == "admin" && !added[f.URL]) {
			if _, err := p.Remove(f.URL); err != nil && !errors.Is(err, feed.ErrNotFound) {
				s.log.Warn("feed removed on another replica not removed here", "feed", f.URL, "err", err)
				continue
			}
			s.log.Info("feed removed on another replica", "feed", f.URL)
			changed = true
		}
	}
	for _, a := range reg.Added {
		if local[a.URL] {
			continue
		}
		if _, err := p.Add(a.URL, a.Name); err != nil && !errors.Is(err, feed.ErrDuplicate) {
			s.log.Warn("feed added on another replica not added here", "feed", a.URL, "err", err)
			continue
		}
		s.log.Info("feed added on another replica", "feed", a.URL)
		changed = true
	}
	return changed, nil
}

// feedAdded records an admin's /feeds add in the registry, and tells the
// other replicas. A failure is logged: the feed is followed here already.
func (s *sharedState) feedAdded(st feed.FeedStatus) {
	ctx, cancel := context.WithTimeout(context.Background(), feedsTimeout)
	defer cancel()
	if err := s.feeds.Add(ctx, st.URL, st.Name, time.Now()); err != nil && !errors.Is(err, feed.ErrDuplicate) {
		s.log.Error("feed added here only: not recorded in PostgreSQL", "feed", st.URL, "err", err)
		return
	}
	s.announce(ctx)
}

// feedRemoved records an admin's /feeds remove in the registry, and tells
// the other replicas.
func (s *sharedState) feedRemoved(st feed.FeedStatus) {
	ctx, cancel := context.WithTimeout(context.Background(), feedsTimeout)
	defer cancel()
	var err error
	if st.Origin == "config" {
		err = s.feeds.RemoveConfigured(ctx, st.URL)
	} else {
		_, err = s.feeds.RemoveAdded(ctx, st.URL)
	}
	if err != nil {
		s.log.Error("feed removed here only: not recorded in PostgreSQL", "feed", st.URL, "err", err)
		return
	}
	s.announce(ctx)
}

var (
	_ pgstate.FeedStore  = (*pgstate.Feeds)(nil)
	_ feed.Store         = (*pgstate.Feeds)(nil)
	_ feed.ArticleLister = (*pgstate.Feeds)(nil)
)

// feedsLeader names the election of the replica that polls the feeds.
const feedsLeader = "feeds"

// pollFeeds runs p while this replica leads "feeds", until ctx is done. A
// new leader first reads what the last one stored; when it cannot, it
// gives the lead up (and tries again), rather than poll from a stale
// memory and overwrite newer articles.
func (s *sharedState) pollFeeds(ctx context.Context, p *feed.Poller, interval time.Duration) {
	s.feedLeader.Run(ctx, func(ctx context.Context) {
		rctx, cancel := context.WithTimeout(ctx, feedsTimeout)
		err := p.Refresh(rctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("leading the feeds, but their stored state is unreadable: not polling", "err", err)
				sleepCtx(ctx, feedsTimeout)
			}
			return
		}
		s.log.Info("this replica polls the live news feeds", "feeds", len(p.List()))
		p.Run(ctx, interval)
	})
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// announcingPolls wraps the poller's OnPoll: a pass that changed articles
// is announced, so that the other replicas read them and sync their index.
func (s *sharedState) announcingPolls(ctx context.Context, onPoll func(feed.Report)) func(feed.Report) {
	return func(rep feed.Report) {
		onPoll(rep)
		if changed(rep) {
			s.announce(ctx)
		}
	}
}

// refreshFeeds reads the shared state and articles into p, on a replica
// that does not poll (the poller's memory is the truth where it runs). A
// failure is logged: p keeps what it had.
func (s *sharedState) refreshFeeds(ctx context.Context, p *feed.Poller) {
	if p == nil || s.feedLeader.Leading() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, feedsTimeout)
	defer cancel()
	if err := p.Refresh(ctx); err != nil {
		s.log.Warn("shared feed state unavailable: showing this replica's last copy", "err", err)
	}
}

// shareFeedArticles makes a's corpus read the feeds' articles from
// PostgreSQL instead of DATA_DIR/feeds.
func (s *sharedState) shareFeedArticles(a *app) {
	m, ok := a.corpus.(*corpus.Multi)
	if !ok {
		return
	}
	opts := corpus.LoadOptions{MaxArticleBytes: a.cfg.MaxArticleBytes, Now: a.cfg.Now.clock()}
	for i, src := range m.Sources {
		if _, ok := src.(*feed.Source); ok {
			m.Sources[i] = feed.NewStoreSource(s.feeds, feedsDirName, opts)
		}
	}
}

// startFeeds brings a's poller in line with the registry at start (the
// feeds added or removed while it was down), and syncs the index when that
// removed feeds.
func (s *sharedState) startFeeds(ctx context.Context, a *app) {
	ctx, cancel := context.WithTimeout(ctx, feedsTimeout)
	defer cancel()
	changed, err := s.reconcileFeeds(ctx, a.feeds)
	if err != nil {
		s.log.Error("shared feed list unavailable: following this replica's own", "err", err)
		return
	}
	if changed {
		if _, err := a.reload(context.WithoutCancel(ctx)); err != nil {
			s.log.Error("index not synced after the shared feed list", "err", err)
		}
	}
}

// withFeeds is the sync a replica runs when another announces a change:
// the feed list first (with feeds on), then the index.
func (s *sharedState) withFeeds(a *app) func(context.Context) (retrieval.Report, error) {
	return func(ctx context.Context) (retrieval.Report, error) {
		if a.feeds != nil {
			rctx, cancel := context.WithTimeout(ctx, feedsTimeout)
			_, err := s.reconcileFeeds(rctx, a.feeds)
			cancel()
			if err != nil {
				s.log.Warn("shared feed list unavailable", "err", err)
			}
			s.refreshFeeds(ctx, a.feeds)
		}
		if a.remote != nil {
			// The other replica wrote the new version in the shared index.
			return a.follow(ctx)
		}
		return a.reload(ctx)
	}
}
