package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/khabar/khabar/corpus/feed"
)

// FeedStore is the persistence of the live feeds: corpus/feed's
// [feed.Store] (the registry of admin-added and admin-removed feeds, each
// feed's [feed.State], one .jsonl of articles per feed, which a Poller
// keeps in DATA_DIR/feeds by default), row by row so that replicas
// changing different feeds never undo each other, plus every feed's
// articles at once for the corpus ([feed.ArticleLister]). [Feeds]
// implements it.
type FeedStore interface {
	feed.Store
	feed.ArticleLister
}

var (
	_ FeedStore          = (*Feeds)(nil)
	_ feed.Store         = (*Feeds)(nil)
	_ feed.ArticleLister = (*Feeds)(nil)
)

// FeedRegistry is the admin's changes to the feed list: the feeds an
// admin added (in the order they were added) and the configured feeds an
// admin removed.
type FeedRegistry = feed.Registry

// AddedFeed is a feed an admin added.
type AddedFeed = feed.AddedFeed

// Feeds keeps the admin-added feeds and every feed's fetch state and
// articles in PostgreSQL.
type Feeds struct{ db *DB }

// NewFeeds returns the feed store of db.
func NewFeeds(db *DB) *Feeds { return &Feeds{db: db} }

// Registry returns the added feeds, oldest first, and the removed ones.
func (f *Feeds) Registry(ctx context.Context) (FeedRegistry, error) {
	var reg FeedRegistry
	rows, err := f.db.pool.Query(ctx, "SELECT url, name, added_at FROM feeds_added ORDER BY added_at, url")
	if err != nil {
		return reg, fmt.Errorf("feeds: %w", err)
	}
	reg.Added, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (AddedFeed, error) {
		var a AddedFeed
		err := r.Scan(&a.URL, &a.Name, &a.Added)
		return a, err
	})
	if err != nil {
		return reg, fmt.Errorf("feeds: %w", err)
	}
	rows, err = f.db.pool.Query(ctx, "SELECT url FROM feeds_removed ORDER BY url")
	if err != nil {
		return reg, fmt.Errorf("feeds: %w", err)
	}
	if reg.Removed, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return reg, fmt.Errorf("feeds: %w", err)
	}
	return reg, nil
}

// Add records a feed an admin added (and forgets that it was removed, for
// a configured one added back); one added already is [feed.ErrDuplicate].
func (f *Feeds) Add(ctx context.Context, url, name string, at time.Time) error {
	err := pgx.BeginFunc(ctx, f.db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "INSERT INTO feeds_added (url, name, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", url, name, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return feed.ErrDuplicate
		}
		_, err = tx.Exec(ctx, "DELETE FROM feeds_removed WHERE url = $1", url)
		return err
	})
	if err != nil && !errors.Is(err, feed.ErrDuplicate) {
		return fmt.Errorf("add feed: %w", err)
	}
	return err
}

// RemoveAdded forgets an admin-added feed (with its state and articles);
// it reports whether there was one.
func (f *Feeds) RemoveAdded(ctx context.Context, url string) (bool, error) {
	var had bool
	err := pgx.BeginFunc(ctx, f.db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM feeds_added WHERE url = $1", url)
		if err != nil {
			return err
		}
		had = tag.RowsAffected() > 0
		return f.forget(ctx, tx, url)
	})
	if err != nil {
		return false, fmt.Errorf("remove feed: %w", err)
	}
	return had, nil
}

// RemoveConfigured records that an admin removed a configured feed (it
// stays in FEEDS but is not followed), forgetting its state and articles.
func (f *Feeds) RemoveConfigured(ctx context.Context, url string) error {
	err := pgx.BeginFunc(ctx, f.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO feeds_removed (url) VALUES ($1) ON CONFLICT DO NOTHING", url); err != nil {
			return err
		}
		// A configured feed added back (Add) is in feeds_added too: once
		// removed again it must not come back as an admin-added one.
		if _, err := tx.Exec(ctx, "DELETE FROM feeds_added WHERE url = $1", url); err != nil {
			return err
		}
		return f.forget(ctx, tx, url)
	})
	if err != nil {
		return fmt.Errorf("remove feed: %w", err)
	}
	return nil
}

func (f *Feeds) forget(ctx context.Context, tx pgx.Tx, url string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM feed_state WHERE url = $1", url); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "DELETE FROM feed_articles WHERE url = $1", url)
	return err
}

// States returns every feed's fetch state, by feed URL. A state that no
// longer decodes is left out (it costs a refetch, as a damaged state.json
// does).
func (f *Feeds) States(ctx context.Context) (map[string]feed.State, error) {
	rows, err := f.db.pool.Query(ctx, "SELECT url, state FROM feed_state")
	if err != nil {
		return nil, fmt.Errorf("feed states: %w", err)
	}
	defer rows.Close()
	out := map[string]feed.State{}
	for rows.Next() {
		var url string
		var data []byte
		if err := rows.Scan(&url, &data); err != nil {
			return nil, fmt.Errorf("feed states: %w", err)
		}
		var st feed.State
		if json.Unmarshal(data, &st) == nil {
			out[url] = st
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feed states: %w", err)
	}
	return out, nil
}

// SaveStates writes the given feeds' states in one transaction (the other
// feeds' stay).
func (f *Feeds) SaveStates(ctx context.Context, states map[string]feed.State) error {
	err := pgx.BeginFunc(ctx, f.db.pool, func(tx pgx.Tx) error {
		for url, st := range states {
			data, err := json.Marshal(st)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO feed_state (url, state, updated_at) VALUES ($1, $2, now())
				ON CONFLICT (url) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`, url, data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save feed states: %w", err)
	}
	return nil
}

// Articles returns a feed's stored articles, its .jsonl as the feed
// package wrote it; nil for none.
func (f *Feeds) Articles(ctx context.Context, url string) ([]byte, error) {
	var data []byte
	err := f.db.pool.QueryRow(ctx, "SELECT jsonl FROM feed_articles WHERE url = $1", url).Scan(&data)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("feed articles: %w", err)
	}
	return data, nil
}

// SaveArticles replaces a feed's stored articles.
func (f *Feeds) SaveArticles(ctx context.Context, url string, jsonl []byte) error {
	_, err := f.db.pool.Exec(ctx, `INSERT INTO feed_articles (url, jsonl, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (url) DO UPDATE SET jsonl = excluded.jsonl, updated_at = excluded.updated_at`, url, jsonl)
	if err != nil {
		return fmt.Errorf("save feed articles: %w", err)
	}
	return nil
}

// AllArticles returns every feed's stored articles, by feed URL.
func (f *Feeds) AllArticles(ctx context.Context) (map[string][]byte, error) {
	rows, err := f.db.pool.Query(ctx, "SELECT url, jsonl FROM feed_articles")
	if err != nil {
		return nil, fmt.Errorf("feed articles: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var url string
		var data []byte
		if err := rows.Scan(&url, &data); err != nil {
			return nil, fmt.Errorf("feed articles: %w", err)
		}
		out[url] = data
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feed articles: %w", err)
	}
	return out, nil
}
