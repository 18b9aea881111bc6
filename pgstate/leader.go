package pgstate

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Leader elects one replica to run a job (the digest scheduler): the one
// holding a session advisory lock, on a connection of its own outside the
// pool. The lock is the session's: it is gone the moment the connection
// is, when the replica dies (its socket closes) or the server ends the
// session; the leader's own heartbeat on the connection then cancels its
// job. The others try for the lock every [Leader.Poll], so one of them
// takes over within seconds. (A replica cut off without its socket closing
// is found by the TCP keepalives set on the connection, in about ten
// seconds.) For a moment around a change two replicas may both believe
// they lead: what the job does must be safe for that, as the digest's
// (chat, day) claim rows are.
type Leader struct {
	db   *DB
	name string
	log  *slog.Logger
	// Poll is how often a follower tries for the lock, and the leader
	// checks its connection; default 2s.
	Poll time.Duration

	leading atomic.Bool
	mu      sync.Mutex
	pid     uint32 // the backend of the connection, 0 for none
}

// NewLeader returns the election of name ("digest") in db.
func NewLeader(db *DB, name string, log *slog.Logger) *Leader {
	return &Leader{db: db, name: name, log: log, Poll: 2 * time.Second}
}

// Leading reports whether this replica holds the lock now.
func (l *Leader) Leading() bool { return l.leading.Load() }

// backendPID is the PostgreSQL backend of the leader's connection.
func (l *Leader) backendPID() uint32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pid
}

// Run campaigns until ctx is done. Whenever it holds the lock it runs
// lead with a context cancelled when the lock is lost or ctx is done, and
// waits for lead to return before campaigning again (or returning). A
// lead that returns by itself gives the lock up.
func (l *Leader) Run(ctx context.Context, lead func(ctx context.Context)) {
	key := l.db.lockKey("leader:" + l.name)
	for ctx.Err() == nil {
		conn, err := l.connect(ctx)
		if err != nil {
			if ctx.Err() == nil {
				l.log.Warn("leader election: cannot connect", "job", l.name, "err", err)
			}
			l.sleep(ctx)
			continue
		}
		l.campaign(ctx, conn, key, lead)
		l.mu.Lock()
		l.pid = 0
		l.mu.Unlock()
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		conn.Close(cctx)
		cancel()
	}
}

// connect opens the dedicated connection, with keepalives short enough
// that the server ends the session of a vanished replica in seconds.
func (l *Leader) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg := l.db.connConfig()
	cfg.RuntimeParams["tcp_keepalives_idle"] = "5"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "2"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	cfg.RuntimeParams["application_name"] = "khabar leader " + l.name
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.pid = conn.PgConn().PID()
	l.mu.Unlock()
	return conn, nil
}

// campaign tries for the lock on conn until it gets it, runs lead while it
// holds it, and returns when conn fails or ctx is done.
func (l *Leader) campaign(ctx context.Context, conn *pgx.Conn, key int64, lead func(context.Context)) {
	for {
		var got bool
		if err := l.query(ctx, conn, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
			if ctx.Err() == nil {
				l.log.Warn("leader election: connection lost", "job", l.name, "err", err)
			}
			return
		}
		if got {
			break
		}
		if !l.sleep(ctx) {
			return
		}
	}
	l.leading.Store(true)
	l.log.Info("leader: this replica runs the job", "job", l.name)
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); lead(lctx) }()
	t := time.NewTicker(l.Poll)
	defer t.Stop()
	lost := false
	for !lost {
		select {
		case <-ctx.Done():
			lost = true
		case <-done:
			lost = true
		case <-t.C:
			var one int
			if err := l.query(ctx, conn, "SELECT 1").Scan(&one); err != nil {
				if ctx.Err() == nil {
					l.log.Warn("leader: lock lost with the connection; stopping the job", "job", l.name, "err", err)
				}
				lost = true
			}
		}
	}
	cancel()
	<-done
	l.leading.Store(false)
	uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer ucancel()
	conn.Exec(uctx, "SELECT pg_advisory_unlock($1)", key) // a dead connection has already lost it
}

// query runs one query on conn within a poll interval (at least 5s).
func (l *Leader) query(ctx context.Context, conn *pgx.Conn, sql string, args ...any) pgx.Row {
	qctx, cancel := context.WithTimeout(ctx, max(l.Poll, 5*time.Second))
	row := conn.QueryRow(qctx, sql, args...)
	return cancelRow{row, cancel}
}

type cancelRow struct {
	pgx.Row
	cancel context.CancelFunc
}

func (r cancelRow) Scan(dest ...any) error {
	defer r.cancel()
	return r.Row.Scan(dest...)
}

// sleep waits one poll interval; false when ctx ended first.
func (l *Leader) sleep(ctx context.Context) bool {
	t := time.NewTimer(l.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
