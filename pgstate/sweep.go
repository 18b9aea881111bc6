package pgstate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Retention of the rows that only matter for a while.
const (
	// bucketIdle: a bucket untouched this long is full again (any limit
	// of at least one a minute with a burst under 60), the same as none.
	bucketIdle = time.Hour
	// inboxKeep: Telegram gives up redelivering an update within a day;
	// the inbox remembers handled ones that long to take a redelivery
	// once.
	inboxKeep = 24 * time.Hour
	// laneIdle: a pace lane untouched this long is free, the same as none.
	laneIdle = time.Hour
)

// Sweep deletes what has expired: memory past its TTL, idle rate buckets
// and pace lanes, handled inbox updates older than a day, and lapsed chat
// claims. Any replica may run it; running it on several is harmless.
func (db *DB) Sweep(ctx context.Context) error {
	var errs []error
	if _, err := db.SweepMemory(ctx); err != nil {
		errs = append(errs, err)
	}
	if _, err := db.SweepBuckets(ctx, bucketIdle); err != nil {
		errs = append(errs, err)
	}
	for _, q := range []struct {
		sql string
		arg any
	}{
		{"DELETE FROM inbox WHERE done_at < now() - $1::interval", inboxKeep},
		{"DELETE FROM pace_lanes WHERE next_at < now() - $1::interval AND hold_until < now()", laneIdle},
		{"DELETE FROM chat_claims WHERE lease_until < now() - $1::interval", time.Minute},
	} {
		if _, err := db.pool.Exec(ctx, q.sql, q.arg); err != nil {
			errs = append(errs, fmt.Errorf("sweep: %w", err))
		}
	}
	return errors.Join(errs...)
}

// RunSweeper sweeps every interval until ctx is done.
func (db *DB) RunSweeper(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := db.Sweep(ctx); err != nil && ctx.Err() == nil {
				log.Warn("pgstate sweep", "err", err)
			}
		}
	}
}
