package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/bot"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/pgstate"
	"github.com/khabar/khabar/retrieval"
)

// sharedState is STATE_BACKEND=postgres: what several replicas of serve
// share through PostgreSQL (see pgstate). In bolt mode serve has none.
type sharedState struct {
	db      *pgstate.DB
	digests *pgstate.Digests
	leader  *pgstate.Leader
	reload  *pgstate.Reload
	inbox   *pgstate.Inbox
	pacer   *pgstate.Pacer
	feeds   *pgstate.Feeds
	owner   string // this replica, in the inbox's claims and the versions it announces
	log     *slog.Logger
	// quiet logs each message at most once a minute: the adapters' per
	// message warnings, which a database outage would repeat for every
	// message.
	quiet *slog.Logger
	seq   atomic.Int64 // versions announced by this replica

	stopSweep context.CancelFunc

	// feedLeader elects the replica that polls the feeds (feedshared.go).
	feedLeader *pgstate.Leader
}

// stateSweep is how often expired memory, idle buckets and lanes and old
// inbox rows are deleted.
const stateSweep = 5 * time.Minute

// openState connects to DATABASE_URL, migrates the schema, starts the
// sweeper (until ctx is done) and imports DATA_DIR/digest.db once. Close
// it with close.
func openState(ctx context.Context, cfg Config, log *slog.Logger) (*sharedState, error) {
	// The inbox's workers, the webhook and the chat layer each query;
	// the leader and the listeners have connections of their own.
	db, err := pgstate.Open(ctx, cfg.DatabaseURL, pgstate.Options{MaxConns: int32(min(cfg.Workers+8, 32))})
	if err != nil {
		return nil, fmt.Errorf("shared state (STATE_BACKEND=postgres): %w", err) // pgstate's errors quote no password
	}
	host, _ := os.Hostname()
	s := &sharedState{
		db:      db,
		digests: pgstate.NewDigests(db),
		leader:  pgstate.NewLeader(db, "digest", log),
		reload:  pgstate.NewReload(db, log),
		pacer:   pgstate.NewPacer(db),
		feeds:   pgstate.NewFeeds(db),
		owner:   host + "-" + strconv.Itoa(os.Getpid()),
		log:     log,
		quiet:   slog.New(newThrottle(log.Handler(), time.Minute)),
	}
	s.inbox = pgstate.NewInbox(db, s.owner, log)
	s.feedLeader = pgstate.NewLeader(db, feedsLeader, log)
	sctx, stop := context.WithCancel(ctx)
	s.stopSweep = stop
	go db.RunSweeper(sctx, stateSweep, log)
	log.Info("shared state in PostgreSQL", "schema", db.Schema(), "replica", s.owner)
	if cfg.DataDir != "" {
		path := filepath.Join(cfg.DataDir, digestFile)
		switch res, err := s.digests.ImportBolt(ctx, path); {
		case err != nil:
			// Not fatal: the subscriptions made in PostgreSQL work, and a
			// later start imports the file once it is readable.
			log.Error("digest.db not imported into PostgreSQL; fix or move it, then restart", "file", path, "err", err)
		case res.Done || res.Missing:
		default:
			log.Info("digest.db imported into PostgreSQL", "file", path, "imported", res.Imported, "kept", res.Kept, "bad", res.Bad)
		}
	}
	return s, nil
}

// close stops the sweeper and closes the pool.
func (s *sharedState) close() {
	s.stopSweep()
	s.db.Close()
}

// announce tells the other replicas that the index changed, after a sync
// of this one (/reload, an upload): each syncs its own index.
func (s *sharedState) announce(ctx context.Context) {
	v := fmt.Sprintf("%s@%d.%d", s.owner, time.Now().UnixNano(), s.seq.Add(1))
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.reload.NotifyReload(ctx, v); err != nil {
		s.log.Warn("reload not announced to the other replicas", "err", err)
	}
}

// announcing wraps a sync so that each successful one is announced.
func (s *sharedState) announcing(sync func(context.Context) (retrieval.Report, error)) func(context.Context) (retrieval.Report, error) {
	return func(ctx context.Context) (retrieval.Report, error) {
		rep, err := sync(ctx)
		if err == nil {
			s.announce(ctx)
		}
		return rep, err
	}
}

// watchReload syncs the index with sync whenever another replica announces
// a new version, until ctx is done.
func (s *sharedState) watchReload(ctx context.Context, sync func(context.Context) (retrieval.Report, error)) {
	s.reload.WatchReload(ctx, func(version string) {
		if _, err := sync(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("reload announced by another replica failed here", "version", version, "err", err)
		}
	})
}

// pgLimiter is chat's Limiter over pgstate's shared buckets. A database
// error lets the message through (logged): a user not limited for a
// moment is better than a bot that stops replying.
type pgLimiter struct {
	lim *pgstate.RateLimiter
	log *slog.Logger
}

var _ chat.Limiter = pgLimiter{}

// limiterTimeout bounds one limit query.
const limiterTimeout = 3 * time.Second

func (l pgLimiter) Allow(sender int64) (ok, warn bool) {
	ctx, cancel := context.WithTimeout(context.Background(), limiterTimeout)
	defer cancel()
	ok, err := l.lim.Allow(ctx, sender)
	if err != nil {
		l.log.Warn("shared rate limit unavailable: message let through", "user", sender, "err", err)
		return true, false
	}
	if ok {
		return true, false
	}
	warn, err = l.lim.ShouldWarn(ctx, sender)
	if err != nil {
		l.log.Warn("shared rate limit unavailable", "user", sender, "err", err)
		return false, false
	}
	return false, warn
}

// lastAnswer is what /sources needs of a chat's last answer.
type lastAnswer struct {
	Passages []retrieval.Passage `json:"passages"`
}

// pgMemory is chat's Memory over pgstate's: each chat's last answer, kept
// for a day (as the in-memory one), readable by every replica.
type pgMemory struct {
	m   *pgstate.Memory[lastAnswer]
	log *slog.Logger
}

var _ chat.Memory = pgMemory{}

// lastAnswerTTL is as long as chat's in-memory memory keeps an answer.
const lastAnswerTTL = 24 * time.Hour

func newPgMemory(db *pgstate.DB, log *slog.Logger) pgMemory {
	return pgMemory{m: pgstate.NewMemory[lastAnswer](db, "last_answer", lastAnswerTTL), log: log}
}

func (m pgMemory) Put(chatID int64, a answer.Answer) {
	ctx, cancel := context.WithTimeout(context.Background(), limiterTimeout)
	defer cancel()
	if err := m.m.Put(ctx, strconv.FormatInt(chatID, 10), lastAnswer{Passages: a.Passages}); err != nil {
		m.log.Warn("last answer not kept in the shared state (/sources will not see it)", "chat", chatID, "err", err)
	}
}

func (m pgMemory) Last(chatID int64) (answer.Answer, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), limiterTimeout)
	defer cancel()
	v, ok, err := m.m.Get(ctx, strconv.FormatInt(chatID, 10))
	if err != nil {
		m.log.Warn("last answer unavailable in the shared state", "chat", chatID, "err", err)
		return answer.Answer{}, false
	}
	if !ok {
		return answer.Answer{}, false
	}
	return answer.Answer{Passages: v.Passages}, true
}

// pgInbox is bot's Inbox over pgstate's.
type pgInbox struct{ in *pgstate.Inbox }

var _ bot.Inbox = pgInbox{}

func (p pgInbox) Put(ctx context.Context, updateID, chatID int64, payload []byte) (bool, error) {
	return p.in.Put(ctx, pgstate.Update{ID: updateID, ChatID: chatID, Payload: payload})
}

func (p pgInbox) Run(ctx context.Context, workers int, handle func(payload []byte)) {
	p.in.Run(ctx, workers, func(_ context.Context, u pgstate.Update) { handle(u.Payload) })
}

var _ bot.SharedPacer = (*pgstate.Pacer)(nil)

// pgConversations is answer's ConversationStore over pgstate's Memory:
// the turns behind follow-up questions, read and appended by every
// replica (a chat's next question may reach another one), each
// conversation expiring ttl after its last turn. A database error is
// logged and reads as no turns.
type pgConversations struct {
	m   *pgstate.Memory[[]answer.Turn]
	log *slog.Logger
}

var _ answer.ConversationStore = pgConversations{}

func newPgConversations(db *pgstate.DB, ttl time.Duration, log *slog.Logger) pgConversations {
	if ttl <= 0 {
		ttl = 30 * time.Minute // answer's default
	}
	return pgConversations{m: pgstate.NewMemory[[]answer.Turn](db, "turns", ttl), log: log}
}

func (c pgConversations) Recent(key string) []answer.Turn {
	ctx, cancel := context.WithTimeout(context.Background(), limiterTimeout)
	defer cancel()
	turns, _, err := c.m.Get(ctx, key)
	if err != nil {
		c.log.Warn("conversation memory unavailable: the question is read alone", "conversation", key, "err", err)
		return nil
	}
	return turns
}

func (c pgConversations) Append(key string, t answer.Turn, max int) {
	ctx, cancel := context.WithTimeout(context.Background(), limiterTimeout)
	defer cancel()
	err := c.m.Update(ctx, key, func(old []answer.Turn, _ bool) []answer.Turn {
		turns := append(old, t)
		if len(turns) > max {
			turns = turns[len(turns)-max:]
		}
		return turns
	})
	if err != nil {
		c.log.Warn("conversation turn not kept in the shared state", "conversation", key, "err", err)
	}
}

// shareConversations makes a's composer keep its conversations in the
// shared state.
func (s *sharedState) shareConversations(a *app) {
	opts := answerOptions(a.cfg, newLLM(a.cfg), a.log)
	opts.Conversations = newPgConversations(s.db, a.cfg.MemoryTTL, s.quiet)
	a.composer = answer.New(a.index, opts)
}

// subscriptions is what serve needs of a digest store: /digest's
// interface, the scheduler's, and Get for the topic a digest goes to.
// *digest.Store (bolt) and *pgstate.Digests are both.
type subscriptions interface {
	chat.Digests
	digest.Subscriptions
}

var (
	_ subscriptions = (*digest.Store)(nil)
	_ subscriptions = (*pgstate.Digests)(nil)
)

// throttle is a slog.Handler that passes each message at most once per
// every (by its text; the attributes of the ones dropped are lost).
type throttle struct {
	slog.Handler
	every time.Duration
	mu    *sync.Mutex
	last  map[string]time.Time // bounded by the program's distinct messages
}

func newThrottle(h slog.Handler, every time.Duration) throttle {
	return throttle{Handler: h, every: every, mu: &sync.Mutex{}, last: map[string]time.Time{}}
}

func (h throttle) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	if t, ok := h.last[r.Message]; ok && r.Time.Sub(t) < h.every {
		h.mu.Unlock()
		return nil
	}
	h.last[r.Message] = r.Time
	h.mu.Unlock()
	return h.Handler.Handle(ctx, r)
}

func (h throttle) WithAttrs(as []slog.Attr) slog.Handler {
	h.Handler = h.Handler.WithAttrs(as)
	return h
}

func (h throttle) WithGroup(name string) slog.Handler {
	h.Handler = h.Handler.WithGroup(name)
	return h
}

// indexLock runs sync under a PostgreSQL advisory lock held for its
// duration on a connection of its own: the replicas sharing one Weaviate
// index sync one at a time, so that two never number the same new
// version, and a sync of an unchanged corpus after another's writes
// nothing (the fingerprint matches).
func (s *sharedState) indexLock(ctx context.Context, sync func() error) error {
	conn, err := s.db.Pool().Acquire(ctx)
	if err != nil {
		return fmt.Errorf("index sync lock: %w", err)
	}
	defer conn.Release()
	key := indexLockKey(s.db.Schema())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("index sync lock: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			conn.Conn().Close(uctx) // a closed session holds no lock
		}
	}()
	return sync()
}

// indexLockKey is the advisory lock key of the index syncs in schema.
func indexLockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("khabar\x00" + schema + "\x00index-sync"))
	return int64(h.Sum64())
}
