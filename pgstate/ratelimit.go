package pgstate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// RateLimiter is a token bucket per user shared by every replica: the
// per-user question limit (USER_QUESTIONS_PER_MINUTE, USER_QUESTION_BURST)
// that the chat layer keeps in process with golang.org/x/time/rate in
// single-replica mode. Each [RateLimiter.Allow] is one UPSERT … RETURNING
// on the user's row: refill by the time elapsed on the server's clock (no
// clock skew between replicas), take a token if there is one. Under
// concurrency, on any number of replicas, exactly burst requests of a full
// bucket get through.
type RateLimiter struct {
	db    *DB
	name  string
	rate  float64 // tokens a second
	burst int
}

// NewRateLimiter returns the limit called name ("questions") of perMinute
// requests a minute with bursts of burst (at least 1).
func NewRateLimiter(db *DB, name string, perMinute float64, burst int) *RateLimiter {
	return &RateLimiter{db: db, name: name, rate: perMinute / 60, burst: max(burst, 1)}
}

// takeSQL refills the bucket $1 (capacity $2, $3 tokens a second) and
// takes one token when there is one; it returns no row when there is none.
// The elapsed time is never negative: a statement that waited for the
// row's lock may have started before the one that last wrote it.
const takeSQL = `INSERT INTO rate_buckets AS b (key, tokens, at)
VALUES ($1, $2::float8 - 1, now())
ON CONFLICT (key) DO UPDATE
SET tokens = LEAST($2::float8, b.tokens + $3::float8 * GREATEST(0, EXTRACT(EPOCH FROM now() - b.at))) - 1,
    at = GREATEST(b.at, now())
WHERE LEAST($2::float8, b.tokens + $3::float8 * GREATEST(0, EXTRACT(EPOCH FROM now() - b.at))) >= 1
RETURNING tokens`

// Allow takes one of the user's tokens: false when there is none left. An
// error (the database unreachable) decides nothing: the chat layer should
// let the message through (a user not limited for a moment is better than
// a bot that stops replying) and log it.
func (r *RateLimiter) Allow(ctx context.Context, userID int64) (bool, error) {
	var left float64
	err := r.db.pool.QueryRow(ctx, takeSQL, r.name+":"+strconv.FormatInt(userID, 10), float64(r.burst), r.rate).Scan(&left)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("rate limit: %w", err)
	}
	return true, nil
}

// ShouldWarn reports whether a user refused by [RateLimiter.Allow] is to
// be told to slow down: once a minute at most, across every replica (the
// chat layer's «slow down» reply), through a bucket of one token a minute.
func (r *RateLimiter) ShouldWarn(ctx context.Context, userID int64) (bool, error) {
	var left float64
	err := r.db.pool.QueryRow(ctx, takeSQL, r.name+"-warned:"+strconv.FormatInt(userID, 10), 1.0, 1.0/60).Scan(&left)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("rate limit: %w", err)
	}
	return true, nil
}

// SweepBuckets drops the buckets of every limit that have been full for a while
// (idle for longer than idle): a full bucket is what a missing row means.
func (db *DB) SweepBuckets(ctx context.Context, idle time.Duration) (int64, error) {
	tag, err := db.pool.Exec(ctx, "DELETE FROM rate_buckets WHERE at < now() - $1::interval", idle)
	if err != nil {
		return 0, fmt.Errorf("sweep rate buckets: %w", err)
	}
	return tag.RowsAffected(), nil
}
