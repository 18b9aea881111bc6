package retrieval

import (
	"context"
	"time"

	"github.com/khabar/khabar/corpus"
)

// Store is an index backend: the in-process *Index and external engines
// (Weaviate) implement it, and retrieval/retrievaltest checks both.
type Store interface {
	// SyncArticles makes the index hold exactly these articles: new and changed ones
	// (by content hash) are chunked/embedded/added, missing ones removed; readers keep
	// being answered from the old version until the new one is complete (atomic swap);
	// a failed sync leaves the old version serving.
	SyncArticles(ctx context.Context, articles []corpus.Article) (Report, error)
	// Search ranks passages; every Passage carries Relevance (see [ScoreRelevance]).
	Search(ctx context.Context, q Query) (Result, error)
	// Documents: indexed articles dated within [from, to] (zero bound = open), newest first, then id.
	Documents(ctx context.Context, from, to time.Time) ([]Document, error)
	// Arrived: articles that entered (or changed) in (after, until], same order.
	Arrived(ctx context.Context, after, until time.Time) ([]Document, error)
	// LatestDate: newest article date, zero when empty.
	LatestDate(ctx context.Context) (time.Time, error)
	// HasArticles: any article dated within [from, to].
	HasArticles(ctx context.Context, from, to time.Time) (bool, error)
	Stats() Stats
}

var _ Store = (*Index)(nil)
