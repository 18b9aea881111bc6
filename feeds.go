package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/retrieval"
)

// Live news: the wiring of corpus/feed. The feeds' stored articles
// (DATA_DIR/feeds) are one of the corpus's sources (corpusSources, a
// feed.Source); a poll that changes articles syncs the index with the
// whole corpus, which embeds only the new chunks and swaps its state in
// atomically, so questions are never blocked. With STATE_BACKEND=postgres
// the poller's store and the corpus's feed source are PostgreSQL's, and
// one replica polls (feedshared.go).

// feedsDirName is the folder of DATA_DIR that holds the feeds, and the
// name their articles' paths have in the corpus (feeds/<file>).
const feedsDirName = "feeds"

// feedTestOptions, set by tests only, adjusts the poller's options (to
// reach an httptest server on loopback, which the default client refuses).
var feedTestOptions func(*feed.Options)

// feedSynced, set by tests only, is called after a poll's changes were
// synced into the index.
var feedSynced func(feed.Report, retrieval.Report, error)

// validateFeeds checks FEEDS, FEED_INTERVAL and MAX_ARTICLE_AGE.
func (c Config) validateFeeds() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %w: %s", key, ErrInvalid, fmt.Sprintf(format, args...)))
	}
	if c.FeedInterval < time.Second || c.FeedInterval > 24*time.Hour {
		bad("FEED_INTERVAL", "%s is outside 1s–24h", c.FeedInterval)
	}
	if c.MaxArticleAge < 0 {
		bad("MAX_ARTICLE_AGE", "%s is negative (0 keeps every article)", c.MaxArticleAge)
	} else if c.MaxArticleAge > 0 && c.MaxArticleAge < time.Hour {
		bad("MAX_ARTICLE_AGE", "%s is under an hour (0 keeps every article)", c.MaxArticleAge)
	}
	if strings.TrimSpace(c.Feeds) != "" {
		if c.DataDir == "" {
			bad("FEEDS", "needs DATA_DIR, where the feeds' articles are kept")
		}
		if _, perr := feed.ParseFeeds(c.Feeds, os.ReadFile); len(perr) > 0 {
			for _, e := range perr {
				bad("FEEDS", "%v", e)
			}
		}
	}
	return errs
}

// feedSpecs returns the configured feeds (validated by Config.Validate).
func feedSpecs(cfg Config) []feed.Spec {
	specs, _ := feed.ParseFeeds(cfg.Feeds, os.ReadFile)
	return specs
}

// feedsDir is DATA_DIR/feeds, or "" without DATA_DIR.
func feedsDir(cfg Config) string {
	if cfg.DataDir == "" {
		return ""
	}
	return filepath.Join(cfg.DataDir, feedsDirName)
}

// newPoller returns the poller of DATA_DIR/feeds, reporting to obs (nil:
// none) and handing each pass to onPoll (nil: none).
func (a *app) newPoller(obs feed.Observer, onPoll func(feed.Report)) (*feed.Poller, error) {
	return a.newPollerOn(nil, obs, onPoll)
}

// newPollerOn is newPoller over store (nil: DATA_DIR/feeds).
func (a *app) newPollerOn(store feed.Store, obs feed.Observer, onPoll func(feed.Report)) (*feed.Poller, error) {
	dir := feedsDir(a.cfg)
	if dir == "" {
		return nil, errors.New("feeds: DATA_DIR is not set")
	}
	opts := feed.Options{
		Interval: a.cfg.FeedInterval,
		MaxAge:   a.cfg.MaxArticleAge,
		Observer: obs,
		Logger:   a.log.With("component", "feeds"),
		OnPoll:   onPoll,
		Store:    store,
	}
	if feedTestOptions != nil {
		feedTestOptions(&opts)
	}
	p, err := feed.New(dir, feedSpecs(a.cfg), opts)
	if err != nil {
		return nil, err
	}
	if _, probs, _ := p.Articles(context.Background()); len(probs) > 0 {
		for _, pr := range probs {
			a.log.Warn("feed problem", "problem", pr.String())
		}
	}
	return p, nil
}

// changed reports whether a poll changed the stored articles.
func changed(rep feed.Report) bool {
	if len(rep.Removed) > 0 {
		return true
	}
	for _, f := range rep.Feeds {
		if len(f.Added)+len(f.Updated) > 0 {
			return true
		}
	}
	return false
}

// syncFeeds syncs the index after a poll that changed articles: the feeds'
// files are on disk by then, and only new or changed chunks are embedded.
func (a *app) syncFeeds(ctx context.Context, rep feed.Report) (retrieval.Report, error) {
	irep, err := a.sync(ctx)
	if err != nil {
		return irep, fmt.Errorf("index after feeds: %w", err)
	}
	a.log.Info("feeds synced into the index", "new", rep.Added(), "embedded", irep.Embedded,
		"articles", irep.Articles, "took", irep.Duration.Round(time.Millisecond))
	if irep.SnapshotErr != nil {
		a.log.Error("snapshot not saved; "+snapshotFallback(irep), "err", irep.SnapshotErr)
	}
	return irep, nil
}

// logPoll logs each feed of a pass: failures as warnings.
func (a *app) logPoll(rep feed.Report) {
	for _, f := range rep.Feeds {
		if fetchFailed(f.Status) {
			a.log.Warn("feed fetch failed", "feed", f.URL, "status", f.Status, "err", f.Error)
			continue
		}
		if n := len(f.Added) + len(f.Updated); n > 0 {
			a.log.Info("feed fetched", "feed", f.URL, "status", f.Status, "seen", f.Seen, "added", len(f.Added), "updated", len(f.Updated))
		}
		for _, p := range f.Problems {
			a.log.Debug("feed item problem", "problem", p.String(), "skipped", p.Skipped)
		}
	}
	if len(rep.Removed) > 0 {
		a.log.Info("feed articles dropped for their age", "removed", len(rep.Removed))
	}
}

// fetchFailed reports whether a fetch status is a failure.
func fetchFailed(status string) bool {
	switch status {
	case feed.StatusOK, feed.StatusNotModified, feed.StatusUnchanged:
		return false
	}
	return true
}

// startFeeds opens the poller (a.feeds) and polls in the background until
// ctx is done or the returned stop is called; stop waits for the poller's
// goroutine. Without DATA_DIR feeds are off and stop does nothing. With
// shared state (nil: none) the poller keeps its feeds in PostgreSQL and
// polls only while this replica leads "feeds" (feedshared.go).
func (a *app) startFeeds(ctx context.Context, obs feed.Observer, shared *sharedState) (stop func(), err error) {
	if feedsDir(a.cfg) == "" {
		if strings.TrimSpace(a.cfg.Feeds) != "" { // Validate refuses this; be safe
			return nil, errors.New("FEEDS needs DATA_DIR")
		}
		a.log.Info("live news feeds are off: DATA_DIR is not set")
		return func() {}, nil
	}
	fctx, cancel := context.WithCancel(ctx)
	var store feed.Store
	onPoll := a.afterPoll(fctx)
	if shared != nil {
		// Before the poller reads the shared store: bolt mode's feeds come
		// along, once.
		ictx, icancel := context.WithTimeout(ctx, feedsTimeout)
		if err := shared.importFeeds(ictx, feedsDir(a.cfg)); err != nil {
			a.log.Error("DATA_DIR/feeds not imported into PostgreSQL", "err", err)
		}
		icancel()
		store = shared.feeds
		onPoll = shared.announcingPolls(fctx, onPoll)
	}
	p, err := a.newPollerOn(store, obs, onPoll)
	if err != nil {
		cancel()
		return nil, err
	}
	a.feeds = p
	var wg sync.WaitGroup
	if shared != nil {
		a.log.Info("live news feeds shared in PostgreSQL: the replica leading \"feeds\" polls them", "feeds", len(p.List()), "interval", a.cfg.FeedInterval)
		wg.Go(func() { shared.pollFeeds(fctx, p, a.cfg.FeedInterval) })
	} else {
		a.log.Info("polling live news feeds", "feeds", len(p.List()), "interval", a.cfg.FeedInterval)
		wg.Go(func() { p.Run(fctx, a.cfg.FeedInterval) })
	}
	return func() { cancel(); wg.Wait() }, nil
}

// afterPoll returns the OnPoll of serve's poller: it logs each pass and,
// when the pass changed articles, syncs the index. A sync that failed (an
// embedding API down) is retried after every pass until one succeeds, even
// a pass that brought nothing new: the stored articles would otherwise
// wait for the next change or /reload. Run calls it from one goroutine.
func (a *app) afterPoll(ctx context.Context) func(feed.Report) {
	pending := false
	return func(rep feed.Report) {
		a.logPoll(rep)
		if !(pending || changed(rep)) || ctx.Err() != nil {
			// Cut short by shutdown: the articles are on disk, and the
			// next start syncs them.
			return
		}
		irep, err := a.syncFeeds(ctx, rep)
		pending = err != nil
		switch {
		case err != nil && ctx.Err() != nil:
			a.log.Info("feeds sync cut short by shutdown; the next start syncs them", "err", err)
		case err != nil:
			a.log.Error("feeds not synced into the index; retried after the next poll", "err", err)
		}
		if feedSynced != nil {
			feedSynced(rep, irep, err)
		}
	}
}

// feedsAdmin is what /feeds drives: the poller, and an index sync after a
// feed is removed (its articles are gone from disk); with shared state,
// the other replicas are told (feedshared.go).
type feedsAdmin struct {
	a      *app
	shared *sharedState // nil: one replica
}

func (f feedsAdmin) List() []feed.FeedStatus {
	if f.shared != nil {
		f.shared.refreshFeeds(context.Background(), f.a.feeds)
	}
	return f.a.feeds.List()
}

func (f feedsAdmin) Add(url, name string) (feed.FeedStatus, error) {
	st, err := f.a.feeds.Add(url, name)
	if err == nil {
		f.a.log.Info("feed added", "feed", st.URL, "name", st.Name)
		if f.shared != nil {
			f.shared.feedAdded(st)
		}
	}
	return st, err
}

func (f feedsAdmin) Remove(key string) (feed.FeedStatus, error) {
	st, err := f.a.feeds.Remove(key)
	if err == nil {
		f.a.log.Info("feed removed", "feed", st.URL, "articles", st.Articles)
		if f.shared != nil {
			f.shared.feedRemoved(st)
		}
	}
	return st, err
}

const feedsUsage = `usage: khabar feeds

Fetches every feed once (FEEDS and those added with /feeds add; conditional
GET still applies), stores the new articles in DATA_DIR/feeds, prints what
was added per feed, syncs the index and exits. The exit code is non-zero
when every feed failed.`

// cmdFeeds is `khabar feeds`.
func cmdFeeds(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("feeds", flag.ContinueOnError)
	fl.SetOutput(stdout)
	fl.Usage = func() { fmt.Fprintln(stdout, feedsUsage) }
	if err := fl.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fl.NArg() > 0 {
		fmt.Fprintln(stdout, feedsUsage)
		return fmt.Errorf("%w: feeds takes no arguments", errUsage)
	}
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	p, err := a.newPoller(nil, nil)
	if err != nil {
		return err
	}
	if len(p.List()) == 0 {
		return errors.New("feeds: no feed to fetch: set FEEDS, or add one with /feeds add")
	}
	rep, err := p.PollAll(ctx)
	a.logPoll(rep)
	failed := printFeedReport(stdout, rep)
	if err != nil {
		return err
	}
	irep, err := a.open(ctx)
	printReport(stdout, irep)
	if err != nil {
		return err
	}
	if failed == len(rep.Feeds) {
		return fmt.Errorf("feeds: all %d feeds failed", failed)
	}
	return nil
}

// maxPrintedTitles bounds the titles `khabar feeds` lists per feed.
const maxPrintedTitles = 20

// printFeedReport writes one block per feed and returns how many failed.
func printFeedReport(w io.Writer, rep feed.Report) (failed int) {
	for _, f := range rep.Feeds {
		fmt.Fprintf(w, "%s <%s>: %s", f.Outlet, f.URL, f.Status)
		if fetchFailed(f.Status) {
			failed++
			fmt.Fprintf(w, " (%s)\n", f.Error)
			continue
		}
		fmt.Fprintf(w, ", %d items, %d added, %d updated, %d duplicates\n", f.Seen, len(f.Added), len(f.Updated), f.Duplicates)
		for i, art := range f.Added {
			if i == maxPrintedTitles {
				fmt.Fprintf(w, "  … and %d more\n", len(f.Added)-i)
				break
			}
			fmt.Fprintf(w, "  + %s <%s>\n", art.Title, art.URL)
		}
		for _, p := range f.Problems {
			fmt.Fprintf(w, "  ! %s\n", p)
		}
	}
	if len(rep.Removed) > 0 {
		fmt.Fprintf(w, "%d articles dropped for their age\n", len(rep.Removed))
	}
	fmt.Fprintf(w, "%d feeds, %d failed, %d new articles\n", len(rep.Feeds), failed, rep.Added())
	return failed
}
