package main

import (
	"context"
	"errors"
	"time"

	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/pgstate"
	"github.com/khabar/khabar/retrieval"
)

// Live feeds with several replicas (STATE_BACKEND=postgres): which feeds
// are followed is shared. An admin's /feeds add or remove on one replica
// is recorded in PostgreSQL (pgstate.Feeds' registry) and announced like a
// reload; every replica then brings its own poller in line with the
// registry and syncs its index. Each replica still polls the feeds into
// its own DATA_DIR/feeds, whose .jsonl files its corpus reads: the fetch
// state and the articles stay per replica (pgstate.Feeds can hold them,
// but corpus/feed has no store seam for them yet).

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
// that this replica's feeds.json holds (feeds added, configured feeds
// removed) into the registry: the first replica switched to PostgreSQL
// brings bolt mode's feeds along.
func (s *sharedState) importFeeds(ctx context.Context, p feedPoller) error {
	tag, err := s.db.Pool().Exec(ctx, "INSERT INTO imports (name, detail) VALUES ($1, 'the admin-added feeds of the first replica') ON CONFLICT DO NOTHING", feedsImport)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	n := 0
	for _, f := range p.List() {
		if f.Origin != "admin" {
			continue
		}
		if err := s.feeds.Add(ctx, f.URL, f.Name, time.Now()); err != nil && !errors.Is(err, feed.ErrDuplicate) {
			return err
		}
		n++
	}
	if n > 0 {
		s.log.Info("admin-added feeds imported into PostgreSQL", "feeds", n)
	}
	return nil
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

var _ pgstate.FeedStore = (*pgstate.Feeds)(nil)

// startFeeds brings a's poller in line with the registry at start, after
// importing this replica's feeds.json once, and syncs the index when that
// removed feeds.
func (s *sharedState) startFeeds(ctx context.Context, a *app) {
	ctx, cancel := context.WithTimeout(ctx, feedsTimeout)
	defer cancel()
	if err := s.importFeeds(ctx, a.feeds); err != nil {
		s.log.Error("feeds.json not imported into PostgreSQL", "err", err)
	}
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
		}
		if a.remote != nil {
			// The other replica wrote the new version in the shared index.
			return a.follow(ctx)
		}
		return a.reload(ctx)
	}
}
