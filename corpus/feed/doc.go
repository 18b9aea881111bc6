// Package feed is khabar's live news source: RSS 2.0, Atom and RDF feeds
// polled on a schedule and turned into [corpus.Article] values.
//
// It owns, for feeds only:
//   - the feed list: the FEEDS setting ([ParseFeeds]) and the admin-added
//     feeds, persisted in a directory under DATA_DIR ([Poller.Add],
//     [Poller.Remove], [Poller.List]);
//   - fetching: conditional GET, per-request timeouts, a body-size cap, a
//     few redirects at most, one request per second per host, a User-Agent
//     naming khabar, capped exponential backoff of a failing feed;
//   - decoding: the declared and sniffed charset (windows-1256 and
//     mislabelled feeds), and a mojibake gate so garbled text is never
//     indexed;
//   - parsing through github.com/mmcdole/gofeed, and the full text of
//     summary-only items through codeberg.org/readeck/go-readability/v2;
//   - dedupe by guid, canonical URL and content hash, and updated items;
//   - durable storage behind [Store]: by default [FileStore], one .jsonl
//     file per feed, in the corpus .jsonl article format, written
//     atomically, plus the feeds' state and registry; or a shared store
//     ([Options.Store], pgstate.Feeds) that one replica polls into and the
//     others read ([Poller.Refresh]); the stored articles are a
//     corpus.Source ([NewSource] for a folder, [NewStoreSource] for a
//     shared store). corpus/feed/feedtest is the contract every Store
//     passes.
//
// The wiring stays outside: configuration is read in main and passed as
// plain values; metrics arrive through the [Observer] interface; the
// Persian rendering of [Poller.List] belongs to the chat layer. The index
// reads the feeds through [Source], which reads the stored files, so
// that the commands that run no poller (index, ask) see them too.
//
// Wiring, in main (a sketch):
//
//	specs, errs := feed.ParseFeeds(cfg.Feeds, os.ReadFile) // report errs, go on
//	p, err := feed.New(filepath.Join(cfg.DataDir, "feeds"), specs, feed.Options{
//		Interval: cfg.FeedInterval, MaxAge: cfg.MaxArticleAge,
//		Observer: feedMetrics, Logger: logger, OnPoll: index.Sync,
//	})
//	serve:        go p.Run(ctx, cfg.FeedInterval), owned and waited for by run
//	khabar feeds: rep, err := p.PollAll(ctx); print rep.Feeds
//	/feeds:       p.List(), p.Add(url, name), p.Remove(urlOrNumber)
//	corpus:       feed.NewSource(filepath.Join(cfg.DataDir, "feeds"), "feeds", load)
//	replicas:     feed.Options{Store: pgstate.NewFeeds(db)}, p.Run under a leader,
//	              p.Refresh(ctx) on the others, feed.NewStoreSource(feeds, "feeds", load)
//	digests:      p.Since(lastDigest)
//
// [Observer] maps onto khabar_feed_fetch_total{feed,status} (status is one
// of the Status constants, a fixed set), a counter of items added, and a
// last-success gauge.
//
// It imports corpus for the Article type and the Source seam, and must
// not import retrieval, bot,
// chat, answer, llm or package main, nor know anything of Telegram.
package feed
