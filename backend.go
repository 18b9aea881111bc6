package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/khabar/khabar/corpus"

	"github.com/khabar/khabar/retrieval"
	"github.com/khabar/khabar/retrieval/weaviate"
)

// Index backends (INDEX_BACKEND).
const (
	backendInProcess = "in-process"
	backendWeaviate  = "weaviate"
)

// openWeaviate returns the Weaviate index backend of the configuration,
// its collections named from prefix ("" for the default, Khabar). It does
// not contact Weaviate.
func openWeaviate(cfg Config, emb retrieval.Embedder, identity, prefix string, log *slog.Logger) (*weaviate.Store, error) {
	if cfg.WeaviateURL == "" {
		return nil, fmt.Errorf("%w: the weaviate backend needs WEAVIATE_URL", errUsage)
	}
	return weaviate.Open(emb, identity, weaviate.Options{
		URL:      cfg.WeaviateURL,
		APIKey:   cfg.WeaviateAPIKey,
		Prefix:   prefix,
		Shards:   cfg.WeaviateShards,
		Replicas: cfg.WeaviateReplicas,
		Timeout:  cfg.WeaviateTimeout,
		Chunk:    retrieval.ChunkOptions{TargetWords: cfg.ChunkWords, MaxWords: cfg.ChunkMaxWords, Overlap: cfg.ChunkOverlap},
		Log:      log,
	})
}

// indexStartWait is how long the commands that are not serve (ask, index,
// chat, summary) wait for an unreachable Weaviate before failing; serve
// waits until it is stopped.
var indexStartWait = 30 * time.Second

// indexBackoff is the wait between readiness probes of Weaviate at start:
// doubling from min up to max.
var indexBackoff = struct{ min, max time.Duration }{500 * time.Millisecond, 15 * time.Second}

// waitIndex probes Weaviate until it is ready (reachable, its serving
// version readable), with a capped exponential backoff, for a.indexWait
// (0: until ctx is done). Until it returns, serve's /readyz answers 503.
func (a *app) waitIndex(ctx context.Context) error {
	if a.indexWait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.indexWait)
		defer cancel()
	}
	wait := indexBackoff.min
	for attempt := 1; ; attempt++ {
		err := a.remote.Ready(ctx)
		if err == nil {
			if attempt > 1 {
				a.log.Info("weaviate reachable", "attempts", attempt)
			}
			return nil
		}
		if ctx.Err() != nil {
			if a.indexWait > 0 && !errors.Is(ctx.Err(), context.Canceled) {
				return fmt.Errorf("index: Weaviate at %s not ready after %s: %w", redactURL(a.cfg.WeaviateURL), a.indexWait, err)
			}
			return fmt.Errorf("index: waiting for Weaviate: %w (last: %w)", ctx.Err(), err)
		}
		a.log.Warn("weaviate not ready; retrying", "attempt", attempt, "retry_in", wait, "url", redactURL(a.cfg.WeaviateURL), "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		wait = min(2*wait, indexBackoff.max)
	}
}

// follow is what a replica does when another announces a new version of a
// shared (Weaviate) index: it does not sync (its own corpus may lack what
// the other added, an upload in that replica's DATA_DIR, and would write
// it away); it reads the alias, which every query resolves anyway, so that
// /stats and the log show the new version at once.
func (a *app) follow(ctx context.Context) (retrieval.Report, error) {
	if err := a.remote.Ready(ctx); err != nil {
		return retrieval.Report{}, fmt.Errorf("index: %w", err)
	}
	st := a.index.Stats()
	a.log.Info("shared index followed", "articles", st.Articles, "chunks", st.Chunks, "built", st.Built)
	return retrieval.Report{Articles: st.Articles, Chunks: st.Chunks}, nil
}

// indexObserver receives the index's failures; *metrics.Metrics is one.
type indexObserver interface{ IndexError(op string) }

// countedStore is the app's index: a retrieval.Store whose failures (not
// the caller's own cancellations) are counted by op for the metrics.
type countedStore struct {
	retrieval.Store
	obs atomic.Pointer[indexObserver]
}

var _ retrieval.Store = (*countedStore)(nil)

// observe makes o count the failures from now on.
func (c *countedStore) observe(o indexObserver) { c.obs.Store(&o) }

func (c *countedStore) count(ctx context.Context, op string, err error) {
	if err == nil || ctx.Err() != nil {
		return
	}
	if o := c.obs.Load(); o != nil {
		(*o).IndexError(op)
	}
}

func (c *countedStore) SyncArticles(ctx context.Context, articles []corpus.Article) (retrieval.Report, error) {
	rep, err := c.Store.SyncArticles(ctx, articles)
	c.count(ctx, "sync", err)
	return rep, err
}

func (c *countedStore) Search(ctx context.Context, q retrieval.Query) (retrieval.Result, error) {
	res, err := c.Store.Search(ctx, q)
	c.count(ctx, "search", err)
	return res, err
}

func (c *countedStore) Documents(ctx context.Context, from, to time.Time) ([]retrieval.Document, error) {
	docs, err := c.Store.Documents(ctx, from, to)
	c.count(ctx, "documents", err)
	return docs, err
}

func (c *countedStore) Arrived(ctx context.Context, after, until time.Time) ([]retrieval.Document, error) {
	docs, err := c.Store.Arrived(ctx, after, until)
	c.count(ctx, "arrived", err)
	return docs, err
}

func (c *countedStore) LatestDate(ctx context.Context) (time.Time, error) {
	t, err := c.Store.LatestDate(ctx)
	c.count(ctx, "latest_date", err)
	return t, err
}

func (c *countedStore) HasArticles(ctx context.Context, from, to time.Time) (bool, error) {
	ok, err := c.Store.HasArticles(ctx, from, to)
	c.count(ctx, "has_articles", err)
	return ok, err
}
