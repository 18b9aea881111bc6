package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/bot"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// digestRig is serve's digest path over a real store, index, composer and
// bot, against the fake Bot API, on a fixed clock.
type digestRig struct {
	fake  *telegramtest.Server
	store *digest.Store
	sched *digest.Scheduler
}

func newDigestRig(t *testing.T, at time.Time) *digestRig {
	t.Helper()
	ctx := t.Context()
	now := func() time.Time { return at }
	emb := retrieval.NewLocalEmbedder(64)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{Now: now})
	if _, err := ix.Sync(ctx, digestCorpus()); err != nil {
		t.Fatal(err)
	}
	composer := answer.New(ix, answer.Options{Now: now})
	store, err := digest.Open(filepath.Join(t.TempDir(), digestFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	fake := telegramtest.New(t, telegramtest.Options{})
	api := fake.Bot(t)
	b := bot.New(api, api.Self, chat.New(composer, quietLog(), chat.Options{Digests: store}), quietLog(), bot.Options{NoPacing: true})
	sched := digest.NewScheduler(store, digestSender(composer, b, store, time.Minute, quietLog()), now, persian.Tehran(), quietLog())
	return &digestRig{fake: fake, store: store, sched: sched}
}

func (r *digestRig) runOnce(t *testing.T) int {
	t.Helper()
	n, err := r.sched.RunOnce(t.Context())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return n
}

// TestDigestFollowsGroupUpgrade: a digest for a group that became a
// supergroup is sent to the supergroup, which keeps the subscription; it
// is not retried at every tick.
func TestDigestFollowsGroupUpgrade(t *testing.T) {
	r := newDigestRig(t, time.Date(2025, 10, 6, 9, 0, 0, 0, persian.Tehran()))
	r.store.Subscribe(-100, 8, 0)
	r.fake.MigrateChat(-100, -100100)
	if n := r.runOnce(t); n != 1 {
		t.Errorf("sent %d digests, want 1", n)
	}
	if n := len(r.fake.Messages(-100100)); n == 0 {
		t.Errorf("nothing in the supergroup")
	}
	if _, ok, _ := r.store.Get(-100); ok {
		t.Errorf("the old group is still subscribed")
	}
	if sub, ok, _ := r.store.Get(-100100); !ok || sub.Time() != "08:00" {
		t.Errorf("the supergroup's subscription: %+v, %v", sub, ok)
	}
	calls := len(r.fake.Calls("sendMessage"))
	r.runOnce(t)
	if n := len(r.fake.Calls("sendMessage")); n != calls {
		t.Errorf("%d more sendMessage calls at the next tick, want none", n-calls)
	}
}

// TestDigestRefusedIsNotRetried: a digest Telegram refuses for good (a
// 400) is given up for the day, not sent again at every tick; the chat
// stays subscribed.
func TestDigestRefusedIsNotRetried(t *testing.T) {
	r := newDigestRig(t, time.Date(2025, 10, 6, 9, 0, 0, 0, persian.Tehran()))
	r.store.Subscribe(-200, 8, 0)
	r.fake.FailNext("sendMessage", 1, telegramtest.Failure{Status: 400, Description: "Bad Request: not enough rights to send text messages to the chat"})
	if n := r.runOnce(t); n != 0 {
		t.Errorf("sent %d digests, want 0", n)
	}
	r.runOnce(t)
	if n := len(r.fake.Calls("sendMessage")); n != 1 {
		t.Errorf("%d sendMessage calls, want 1 (no retry)", n)
	}
	if _, ok, _ := r.store.Get(-200); !ok {
		t.Errorf("unsubscribed")
	}
}
