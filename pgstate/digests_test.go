package pgstate

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/digest"
)

var tehran = time.FixedZone("Tehran", 3*3600+1800)

func TestDigestsSubscribeGetMoveUnsubscribe(t *testing.T) {
	t.Parallel()
	d := NewDigests(testDB(t))
	if _, ok, err := d.Get(1); ok || err != nil {
		t.Fatalf("Get before subscribing: ok=%v err=%v", ok, err)
	}
	if err := d.SubscribeTopic(1, 7, 24, 0); !errors.Is(err, digest.ErrBadTime) {
		t.Fatalf("24:00: err = %v, want ErrBadTime", err)
	}
	if err := d.SubscribeTopic(1, 7, 8, 30); err != nil {
		t.Fatal(err)
	}
	sub, ok, err := d.Get(1)
	if err != nil || !ok || sub.ChatID != 1 || sub.Time() != "08:30" || sub.Thread != 7 || sub.Day != "" || !sub.Until.IsZero() {
		t.Fatalf("Get = %+v, %v, %v", sub, ok, err)
	}
	// A new time keeps what was sent.
	now := time.Date(2025, 10, 6, 8, 31, 0, 0, tehran)
	if _, ok, err := d.Claim(1, "2025-10-06", now); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := d.Subscribe(1, 9, 0); err != nil {
		t.Fatal(err)
	}
	if sub, _, _ = d.Get(1); sub.Day != "2025-10-06" || !sub.Until.Equal(now) || sub.Thread != 0 || sub.Time() != "09:00" {
		t.Fatalf("after resubscribing: %+v", sub)
	}

	// Move: to a chat with none, then onto one that has its own (which wins).
	if had, err := d.Move(1, 2); !had || err != nil {
		t.Fatalf("Move(1,2) = %v, %v", had, err)
	}
	if _, ok, _ := d.Get(1); ok {
		t.Fatal("chat 1 still subscribed after the move")
	}
	if sub, ok, _ := d.Get(2); !ok || sub.ChatID != 2 || sub.Day != "2025-10-06" || !sub.Until.Equal(now) {
		t.Fatalf("moved subscription: %+v %v", sub, ok)
	}
	if err := d.Subscribe(3, 20, 15); err != nil {
		t.Fatal(err)
	}
	if had, err := d.Move(2, 3); !had || err != nil {
		t.Fatalf("Move(2,3) = %v, %v", had, err)
	}
	if sub, _, _ := d.Get(3); sub.Time() != "20:15" {
		t.Errorf("the target's own subscription lost: %+v", sub)
	}
	if had, err := d.Move(2, 4); had || err != nil {
		t.Errorf("Move from an unsubscribed chat = %v, %v", had, err)
	}
	if had, err := d.Unsubscribe(3); !had || err != nil {
		t.Fatalf("Unsubscribe = %v, %v", had, err)
	}
	if had, _ := d.Unsubscribe(3); had {
		t.Error("second Unsubscribe reported a subscription")
	}
	if all, err := d.All(); len(all) != 0 || err != nil {
		t.Errorf("All = %v, %v", all, err)
	}
}

// counter is a digest.Sender that counts the digests of each chat.
type counter struct {
	mu    sync.Mutex
	sends map[int64]int
	after map[int64]time.Time
	fail  bool
	none  bool
}

func (c *counter) send(_ context.Context, chat int64, after, _ time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.fail:
		return false, errors.New("telegram down")
	case c.none:
		return false, nil
	}
	if c.sends == nil {
		c.sends, c.after = map[int64]int{}, map[int64]time.Time{}
	}
	c.sends[chat]++
	c.after[chat] = after
	return true, nil
}

func TestDigestsSentOnceByConcurrentSchedulers(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	a, b := NewDigests(openDB(t, schema)), NewDigests(openDB(t, schema))
	const chats = 30
	for i := range int64(chats) {
		if err := a.Subscribe(i+1, 8, 0); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2025, 10, 6, 9, 0, 0, 0, tehran)
	clock := func() time.Time { return now }
	c := &counter{}
	// Two replicas' schedulers, each ticking several times at once (two
	// leaders for a moment, ticks overlapping).
	var wg sync.WaitGroup
	total := 0
	var mu sync.Mutex
	for _, d := range []*Digests{a, b, a, b} {
		s := digest.NewScheduler(d, c.send, clock, tehran, quiet())
		wg.Go(func() {
			n, err := s.RunOnce(context.Background())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != chats || len(c.sends) != chats {
		t.Fatalf("sent %d digests to %d chats, want %d", total, len(c.sends), chats)
	}
	for chat, n := range c.sends {
		if n != 1 {
			t.Errorf("chat %d got %d digests", chat, n)
		}
	}
	// The next day, one more each, from where the first ended.
	now = now.Add(24 * time.Hour)
	if n, _ := digest.NewScheduler(b, c.send, clock, tehran, quiet()).RunOnce(context.Background()); n != chats {
		t.Errorf("next day: sent %d", n)
	}
	if !c.after[1].Equal(now.Add(-24 * time.Hour)) {
		t.Errorf("second digest covers from %v", c.after[1])
	}
}

func TestDigestsFailedSendRetriedNothingNewKeepsStart(t *testing.T) {
	t.Parallel()
	d := NewDigests(testDB(t))
	if err := d.Subscribe(5, 8, 0); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 10, 6, 8, 0, 0, 0, tehran)
	c := &counter{fail: true}
	s := digest.NewScheduler(d, c.send, func() time.Time { return now }, tehran, quiet())
	if n, _ := s.RunOnce(context.Background()); n != 0 {
		t.Fatalf("sent %d while failing", n)
	}
	if sub, _, _ := d.Get(5); sub.Day != "" || !sub.Until.IsZero() {
		t.Fatalf("failed send kept the claim: %+v", sub)
	}
	// The retry (maybe on another replica) goes through.
	c.fail = false
	now = now.Add(time.Minute)
	if n, _ := s.RunOnce(context.Background()); n != 1 {
		t.Fatalf("retry sent %d", n)
	}
	first := now
	// Next day nothing new: handled, but the start stays.
	now = now.Add(24 * time.Hour)
	c.none = true
	if n, _ := s.RunOnce(context.Background()); n != 0 {
		t.Fatal("sent with nothing new")
	}
	sub, _, _ := d.Get(5)
	if sub.Day != "2025-10-07" || !sub.Until.Equal(first) {
		t.Fatalf("after nothing new: %+v, want day 2025-10-07 until %v", sub, first)
	}
	c.none = false
	now = now.Add(time.Hour)
	if n, _ := s.RunOnce(context.Background()); n != 0 {
		t.Fatal("a second digest the same day")
	}
}

func TestDigestsImportBoltOnce(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	d := NewDigests(openDB(t, schema))
	path := filepath.Join(t.TempDir(), "digest.db")
	bolt, err := digest.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2025, 10, 5, 8, 0, 0, 0, tehran)
	for _, s := range []struct {
		chat         int64
		thread, h, m int
	}{{-100, 0, 8, 0}, {-200, 12, 21, 30}, {300, 0, 7, 5}} {
		if err := bolt.SubscribeTopic(s.chat, s.thread, s.h, s.m); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, err := bolt.Claim(-100, "2025-10-05", until); !ok || err != nil {
		t.Fatal(ok, err)
	}
	bolt.Close()
	// A chat subscribed in PostgreSQL before the import keeps its setting.
	if err := d.Subscribe(300, 10, 0); err != nil {
		t.Fatal(err)
	}
	if res, err := d.ImportBolt(context.Background(), filepath.Join(t.TempDir(), "none.db")); err != nil || !res.Missing {
		t.Fatalf("missing file: %+v %v", res, err)
	}
	res, err := d.ImportBolt(context.Background(), path)
	if err != nil || res.Imported != 2 || res.Kept != 1 || res.Done {
		t.Fatalf("import: %+v, %v", res, err)
	}
	if sub, _, _ := d.Get(-100); sub.Day != "2025-10-05" || !sub.Until.Equal(until) || sub.Time() != "08:00" {
		t.Errorf("imported -100: %+v", sub)
	}
	if sub, _, _ := d.Get(-200); sub.Thread != 12 || sub.Time() != "21:30" {
		t.Errorf("imported -200: %+v", sub)
	}
	if sub, _, _ := d.Get(300); sub.Time() != "10:00" {
		t.Errorf("PostgreSQL's own subscription overwritten: %+v", sub)
	}
	// Once: again (another replica, a restart) reads nothing, even after
	// the subscription was removed.
	d.Unsubscribe(-200)
	again := NewDigests(openDB(t, schema))
	if res, err := again.ImportBolt(context.Background(), path); err != nil || !res.Done || res.Imported != 0 {
		t.Fatalf("second import: %+v %v", res, err)
	}
	if _, ok, _ := d.Get(-200); ok {
		t.Error("second import brought back an unsubscribed chat")
	}
}

func TestDigestsImportBoltOnceWhenReplicasStartTogether(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	path := filepath.Join(t.TempDir(), "digest.db")
	bolt, err := digest.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range int64(20) {
		bolt.Subscribe(i+1, 8, 0)
	}
	bolt.Close()
	var wg sync.WaitGroup
	results := make([]ImportResult, 4)
	for i := range results {
		d := NewDigests(openDB(t, schema))
		wg.Go(func() {
			var err error
			if results[i], err = d.ImportBolt(context.Background(), path); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	imported, done := 0, 0
	for _, r := range results {
		imported += r.Imported
		if r.Done {
			done++
		}
	}
	if imported != 20 || done != 3 {
		t.Errorf("imported %d in all, %d replicas found it done; want 20 by one, 3 done: %+v", imported, done, results)
	}
}
