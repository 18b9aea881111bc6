package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Memory is per-chat conversation state shared by every replica, as JSON
// with an expiry: what the chat layer keeps in process (the last answer of
// each chat, behind /sources; answer's recent turns, for follow-ups). A
// value of kind ("last_answer", "turns") lives until TTL after it was last
// written; an expired row is never returned, and [DB.Sweep] deletes it.
// T must survive encoding/json (exported fields).
type Memory[T any] struct {
	db   *DB
	kind string
	ttl  time.Duration
}

// NewMemory returns the memory of kind, each value kept for ttl (> 0).
func NewMemory[T any](db *DB, kind string, ttl time.Duration) *Memory[T] {
	return &Memory[T]{db: db, kind: kind, ttl: ttl}
}

// Get returns the live value of key.
func (m *Memory[T]) Get(ctx context.Context, key string) (T, bool, error) {
	var zero, v T
	var data []byte
	err := m.db.pool.QueryRow(ctx, "SELECT data FROM memory WHERE kind = $1 AND key = $2 AND expires_at > now()", m.kind, key).Scan(&data)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return zero, false, nil
	case err != nil:
		return zero, false, fmt.Errorf("memory %s: %w", m.kind, err)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return zero, false, fmt.Errorf("memory %s: %w", m.kind, err)
	}
	return v, true, nil
}

// Put sets the value of key, live for the TTL from now.
func (m *Memory[T]) Put(ctx context.Context, key string, v T) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("memory %s: %w", m.kind, err)
	}
	_, err = m.db.pool.Exec(ctx, `INSERT INTO memory (kind, key, data, expires_at) VALUES ($1, $2, $3, now() + $4::interval)
		ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
		m.kind, key, data, m.ttl)
	if err != nil {
		return fmt.Errorf("memory %s: %w", m.kind, err)
	}
	return nil
}

// Update replaces the value of key with f(old, live) in one transaction
// (the row locked: two replicas appending a turn each keep both), live for
// the TTL from now.
func (m *Memory[T]) Update(ctx context.Context, key string, f func(old T, live bool) T) error {
	err := pgx.BeginFunc(ctx, m.db.pool, func(tx pgx.Tx) error {
		// The row must exist to be locked: insert a placeholder that is
		// already expired, or lock the one there is.
		if _, err := tx.Exec(ctx, `INSERT INTO memory (kind, key, data, expires_at) VALUES ($1, $2, 'null', '-infinity')
			ON CONFLICT (kind, key) DO NOTHING`, m.kind, key); err != nil {
			return err
		}
		var data []byte
		var live bool
		if err := tx.QueryRow(ctx, "SELECT data, expires_at > now() FROM memory WHERE kind = $1 AND key = $2 FOR UPDATE", m.kind, key).Scan(&data, &live); err != nil {
			return err
		}
		var old T
		if live {
			if err := json.Unmarshal(data, &old); err != nil {
				live = false // unreadable: start afresh
				var zero T
				old = zero
			}
		}
		out, err := json.Marshal(f(old, live))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE memory SET data = $3, expires_at = now() + $4::interval WHERE kind = $1 AND key = $2", m.kind, key, out, m.ttl)
		return err
	})
	if err != nil {
		return fmt.Errorf("memory %s: %w", m.kind, err)
	}
	return nil
}

// Delete forgets key.
func (m *Memory[T]) Delete(ctx context.Context, key string) error {
	if _, err := m.db.pool.Exec(ctx, "DELETE FROM memory WHERE kind = $1 AND key = $2", m.kind, key); err != nil {
		return fmt.Errorf("memory %s: %w", m.kind, err)
	}
	return nil
}

// SweepMemory deletes the expired memory of every kind.
func (db *DB) SweepMemory(ctx context.Context) (int64, error) {
	tag, err := db.pool.Exec(ctx, "DELETE FROM memory WHERE expires_at <= now()")
	if err != nil {
		return 0, fmt.Errorf("sweep memory: %w", err)
	}
	return tag.RowsAffected(), nil
}
