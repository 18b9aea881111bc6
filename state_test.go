package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/pgstate"
	"github.com/khabar/khabar/retrieval"
)

// replicaPools opens the test's fresh schema twice, as two replicas do.
func replicaPools(t *testing.T) (a, b *pgstate.DB) {
	t.Helper()
	_, schema := replicaDB(t)
	open := func() *pgstate.DB {
		db, err := pgstate.Open(context.Background(), os.Getenv("DATABASE_URL"), pgstate.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db
	}
	return open(), open()
}

// TestPgLimiterSharedAndFailsOpen: chat's Limiter over PostgreSQL spends
// one budget from two replicas, says «slow down» once, and lets messages
// through when the database is gone.
func TestPgLimiterSharedAndFailsOpen(t *testing.T) {
	a, b := replicaPools(t)
	la := pgLimiter{lim: pgstate.NewRateLimiter(a, "questions", 0.01, 2), log: quietLog()}
	lb := pgLimiter{lim: pgstate.NewRateLimiter(b, "questions", 0.01, 2), log: quietLog()}
	type result struct{ ok, warn bool }
	var got []result
	for _, l := range []pgLimiter{la, lb, la, lb} {
		ok, warn := l.Allow(9)
		got = append(got, result{ok, warn})
	}
	want := []result{{true, false}, {true, false}, {false, true}, {false, false}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d: (ok, warn) = %v, want %v (all: %v)", i+1, got[i], want[i], got)
		}
	}
	if ok, _ := la.Allow(10); !ok {
		t.Error("another user is limited by the first one's budget")
	}
	a.Close()
	if ok, warn := la.Allow(9); !ok || warn {
		t.Errorf("with the database gone: (ok, warn) = (%v, %v), want the message let through", ok, warn)
	}
}

// TestPgMemoryAcrossReplicas: the last answer kept by one replica is what
// /sources shows on the other.
func TestPgMemoryAcrossReplicas(t *testing.T) {
	a, b := replicaPools(t)
	ma, mb := newPgMemory(a, quietLog()), newPgMemory(b, quietLog())
	if _, ok := mb.Last(5); ok {
		t.Fatal("a last answer before any")
	}
	p := retrieval.Passage{Chunk: retrieval.Chunk{ID: "iraq#0", Title: "عراق", Text: "وزیر دفاع عراق گفت…"}, Coverage: 0.75}
	ma.Put(5, answer.Answer{Text: "پاسخ", Passages: []retrieval.Passage{p}})
	got, ok := mb.Last(5)
	if !ok || len(got.Passages) != 1 || got.Passages[0].Text != p.Text || got.Passages[0].Coverage != 0.75 || got.Passages[0].ID != "iraq#0" {
		t.Errorf("other replica's last answer: %+v, %v", got, ok)
	}
	if _, ok := mb.Last(6); ok {
		t.Error("another chat sees the answer")
	}
}

// TestOpenStateImportsDigestDB: a replica switched to PostgreSQL finds
// bolt mode's DATA_DIR/digest.db and imports its subscriptions, once.
func TestOpenStateImportsDigestDB(t *testing.T) {
	dbURL, _ := replicaDB(t)
	dir := t.TempDir()
	bolt, err := digest.Open(filepath.Join(dir, digestFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := bolt.SubscribeTopic(-300, 7, 8, 30); err != nil {
		t.Fatal(err)
	}
	bolt.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := Config{StateBackend: "postgres", DatabaseURL: dbURL, DataDir: dir}
	s, err := openState(ctx, cfg, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	sub, ok, err := s.digests.Get(-300)
	if err != nil || !ok || sub.Time() != "08:30" || sub.Thread != 7 {
		t.Fatalf("imported subscription: %+v %v %v", sub, ok, err)
	}
	// Unsubscribed in PostgreSQL, it stays so after a restart: the import ran once.
	if _, err := s.digests.Unsubscribe(-300); err != nil {
		t.Fatal(err)
	}
	s2, err := openState(ctx, cfg, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.close()
	if _, ok, _ := s2.digests.Get(-300); ok {
		t.Error("digest.db imported again at the second start")
	}
}

// TestPgConversationsAcrossReplicas: a follow-up asked of another
// replica's composer continues the conversation kept in PostgreSQL.
func TestPgConversationsAcrossReplicas(t *testing.T) {
	a, b := replicaPools(t)
	ctx := context.Background()
	emb := retrieval.NewLocalEmbedder(64)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{})
	corpus := fstest.MapFS{
		"iraq.txt":  {Data: []byte("date 2025-09-28 به گزارش تابناک، وزیر دفاع عراق گفت روابط بغداد و واشنگتن وارد مرحله‌ای تازه شده است. وزیر دفاع عراق درباره داعش گفت بقایای این گروه در بیابان‌های الانبار فعال‌اند.")},
		"syria.txt": {Data: []byte("date 2025-09-29 به گزارش فارس، ارتش سوریه اعلام کرد عملیات تازه‌ای علیه داعش در شرق دیرالزور آغاز شده است. داعش در این منطقه هسته‌های کوچکی دارد.")},
	}
	if _, err := ix.Sync(ctx, corpus); err != nil {
		t.Fatal(err)
	}
	composer := func(db *pgstate.DB) *answer.Composer {
		return answer.New(ix, answer.Options{MemoryTurns: 2, Conversations: newPgConversations(db, time.Minute, quietLog())})
	}
	ca, cb := composer(a), composer(b)
	if _, err := ca.Answer(ctx, answer.Request{Question: "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟", Conversation: "600"}); err != nil {
		t.Fatal(err)
	}
	follow, err := cb.Answer(ctx, answer.Request{Question: "و درباره داعش چه گفت؟", Conversation: "600"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(follow.Standalone, "عراق") || len(follow.Passages) == 0 || follow.Passages[0].ArticleID != "iraq.txt" {
		t.Errorf("the follow-up on the other replica searched %q and found %v first; want the Iraq story", follow.Standalone, follow.Passages)
	}
	alone, _ := cb.Answer(ctx, answer.Request{Question: "و درباره داعش چه گفت؟", Conversation: "601"})
	if alone.Standalone != "و درباره داعش چه گفت؟" {
		t.Errorf("another chat searched %q", alone.Standalone)
	}
}

// TestThrottleLogsEachMessageOncePerWindow: a database outage repeats the
// adapters' warnings for every message; the throttle lets each through
// once a window.
func TestThrottleLogsEachMessageOncePerWindow(t *testing.T) {
	var buf strings.Builder
	log := slog.New(newThrottle(slog.NewTextHandler(&buf, nil), time.Minute)).With("replica", "a")
	for range 3 {
		log.Warn("shared rate limit unavailable", "user", 1)
	}
	log.Warn("last answer unavailable in the shared state")
	out := buf.String()
	if n := strings.Count(out, "shared rate limit unavailable"); n != 1 {
		t.Errorf("the repeated warning logged %d times in a window:\n%s", n, out)
	}
	if !strings.Contains(out, "last answer unavailable") || !strings.Contains(out, "replica=a") {
		t.Errorf("another warning, or the attributes, lost:\n%s", out)
	}
}

// TestIndexLockSerializesReplicas: the syncs of two replicas sharing one
// index (a Weaviate) never overlap, and a sync that fails releases the
// lock.
func TestIndexLockSerializesReplicas(t *testing.T) {
	a, b := replicaPools(t)
	sa := &sharedState{db: a}
	sb := &sharedState{db: b}
	ctx := context.Background()
	var inside, overlaps, runs atomic.Int32
	work := func() error {
		if inside.Add(1) > 1 {
			overlaps.Add(1)
		}
		time.Sleep(20 * time.Millisecond)
		inside.Add(-1)
		runs.Add(1)
		return nil
	}
	var wg sync.WaitGroup
	for i := range 6 {
		s := sa
		if i%2 == 1 {
			s = sb
		}
		wg.Go(func() {
			if err := s.indexLock(ctx, work); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if overlaps.Load() != 0 || runs.Load() != 6 {
		t.Errorf("%d syncs ran, %d overlapped another", runs.Load(), overlaps.Load())
	}
	boom := errors.New("boom")
	if err := sa.indexLock(ctx, func() error { return boom }); !errors.Is(err, boom) {
		t.Errorf("failed sync: %v, want its error", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sb.indexLock(tctx, func() error { return nil }); err != nil {
		t.Errorf("the lock is still held after a failed sync: %v", err)
	}
}
