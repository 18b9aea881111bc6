package pgstate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reload tells every replica that the index has a new version (an admin's
// /reload or an upload on one replica, a feed poll on the leader), so that
// each syncs its own copy. [Reload.NotifyReload] records the version in
// index_version and sends it with NOTIFY in one transaction;
// [Reload.WatchReload] LISTENs on a dedicated connection and, whenever it
// (re)connects, also reads index_version, so that a version announced
// while it was disconnected is not missed. Versions are opaque strings
// (a corpus fingerprint, a counter); the watcher reports each one that
// differs from the last it saw or sent.
type Reload struct {
	db  *DB
	log *slog.Logger
	// MinBackoff and MaxBackoff bound the wait between reconnections;
	// defaults 1s and 30s.
	MinBackoff, MaxBackoff time.Duration

	mu    sync.Mutex
	last  string // the version last seen or sent
	based bool   // last is the baseline set by Baseline (even "")
	pid   uint32 // the listening backend, for the tests
}

// NewReload returns the reload signal of db.
func NewReload(db *DB, log *slog.Logger) *Reload {
	return &Reload{db: db, log: log, MinBackoff: time.Second, MaxBackoff: 30 * time.Second}
}

// maxVersion bounds a version (NOTIFY's payload must stay under 8000
// bytes).
const maxVersion = 256

// ErrBadVersion is returned for an empty or overlong version.
var ErrBadVersion = errors.New("index version must be 1–256 bytes")

// NotifyReload announces version to every replica watching (this one's
// own watcher does not report it back).
func (r *Reload) NotifyReload(ctx context.Context, version string) error {
	if version == "" || len(version) > maxVersion {
		return ErrBadVersion
	}
	r.mu.Lock()
	r.last = version
	r.mu.Unlock()
	err := pgx.BeginFunc(ctx, r.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO index_version (id, version, changed_at) VALUES (true, $1, now())
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, changed_at = excluded.changed_at`, version); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", r.db.channel("reload"), version)
		return err
	})
	if err != nil {
		return fmt.Errorf("notify reload: %w", err)
	}
	return nil
}

// Current returns the version last announced, "" for none.
func (r *Reload) Current(ctx context.Context) (string, error) {
	var v string
	err := r.db.pool.QueryRow(ctx, "SELECT version FROM index_version").Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("index version: %w", err)
	}
	return v, nil
}

// Baseline records the version current now as the one this replica's
// index holds: call it before the replica's first index sync, so that a
// version announced during that sync, before [Reload.WatchReload]
// listens, is still reported.
func (r *Reload) Baseline(ctx context.Context) error {
	v, err := r.Current(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.last, r.based = v, true
	r.mu.Unlock()
	return nil
}

// WatchReload calls f with each new version announced by another replica
// until ctx is done, then returns. The baseline, not reported, is the
// version [Reload.Baseline] recorded, or without one the version current
// when it starts (the replica has just loaded its index). A
// lost connection is reopened with a capped exponential backoff, and a
// version announced meanwhile is reported on reconnecting. f runs on the
// watcher's goroutine: a slow f delays the next report, never loses it.
func (r *Reload) WatchReload(ctx context.Context, f func(version string)) {
	wait := r.MinBackoff
	first := true
	for ctx.Err() == nil {
		err := r.listen(ctx, f, first, func() { wait = r.MinBackoff; first = false })
		if ctx.Err() != nil {
			return
		}
		r.log.Warn("reload watcher: connection lost; reconnecting", "retry_in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, r.MaxBackoff)
	}
}

// listen LISTENs on one connection until it fails; connected is called
// once it listens and has caught up.
func (r *Reload) listen(ctx context.Context, f func(string), baseline bool, connected func()) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, r.db.connConfig())
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		r.mu.Lock()
		r.pid = 0
		r.mu.Unlock()
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		conn.Close(cctx)
		cancel()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{r.db.channel("reload")}.Sanitize()); err != nil {
		return err
	}
	r.mu.Lock()
	r.pid = conn.PgConn().PID()
	r.mu.Unlock()
	// Listening first, then reading: nothing falls between the two.
	var current string
	if err := conn.QueryRow(ctx, "SELECT version FROM index_version").Scan(&current); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	r.mu.Lock()
	first := baseline && !r.based
	if first {
		if r.last == "" {
			r.last = current
		}
		r.based = true
	}
	r.mu.Unlock()
	if !first {
		r.report(current, f)
	}
	connected()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		r.report(n.Payload, f)
	}
}

// report calls f with v unless it is the version last seen or sent.
func (r *Reload) report(v string, f func(string)) {
	r.mu.Lock()
	if v == "" || v == r.last {
		r.mu.Unlock()
		return
	}
	r.last = v
	r.mu.Unlock()
	r.log.Info("index version announced: reloading", "version", v)
	f(v)
}

func (r *Reload) backendPID() uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pid
}
