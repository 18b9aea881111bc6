package main

import (
	"strings"
	"testing"
	"time"

	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/persian"
)

// TestDigestTellsWhatArrivedFromFeeds: a subscribed chat's digest tells the
// feed articles synced into the index since its last digest, and only
// them: the sync stamps their arrival, which the digest reads.
func TestDigestTellsWhatArrivedFromFeeds(t *testing.T) {
	testFeedOptions(t)
	ctx := t.Context()
	tehran := persian.Tehran()
	day := func(d, h, m int) time.Time { return time.Date(2025, 10, d, h, m, 0, 0, tehran) }
	clock := &testClock{t: day(6, 6, 0)}

	srv := newNewsServer(t)
	url := srv.set("/news.xml", dollarItem(day(6, 5, 0)))
	a := testApp(t, testEnv(t, "SEEDS_DIR", smallSeeds(t), "FEEDS", url), clock.now)
	if _, err := a.open(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := a.newPoller(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	store, err := digest.Open(t.TempDir() + "/" + digestFile)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const chat = 7
	if err := store.SubscribeTopic(chat, 0, 8, 0); err != nil {
		t.Fatal(err)
	}

	fake, b := runDigestBot(t, ctx, a.composer, store)
	log := quietLog()
	sched := digest.NewScheduler(store, digestSender(a.composer, b, store, time.Minute, log), clock.now, tehran, log)
	// poll fetches the feeds at t and syncs what changed, as serve does.
	poll := func(at time.Time) {
		t.Helper()
		clock.set(at)
		rep, err := p.PollAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if changed(rep) {
			if _, err := a.syncFeeds(ctx, rep); err != nil {
				t.Fatal(err)
			}
		}
	}
	digestAt := func(at time.Time, want int) []telegramtest.Sent {
		t.Helper()
		clock.set(at)
		before := len(fake.Messages(chat))
		n, err := sched.RunOnce(ctx)
		msgs := fake.Messages(chat)[before:]
		if err != nil || n != want || len(msgs) != want {
			t.Fatalf("digest at %v: %v, %d sent, %d messages, want %d", at, err, n, len(msgs), want)
		}
		return msgs
	}

	poll(day(6, 7, 0))
	first := digestAt(day(6, 8, 0), 1)[0]
	if !strings.Contains(first.Text, `href="https://news.example.ir/1404/dollar"`) {
		t.Errorf("the first digest lacks the feed's article:\n%s", first.Text)
	}
	poll(day(6, 12, 0)) // a 304: nothing new
	digestAt(day(7, 8, 0), 0)

	srv.add("/news.xml", rainItem(day(7, 13, 0)))
	poll(day(7, 14, 0))
	next := digestAt(day(8, 8, 0), 1)[0]
	if !strings.Contains(next.Text, `href="https://news.example.ir/1404/rain-gilan"`) || !strings.Contains(next.Visible, "گیلان") {
		t.Errorf("the next digest lacks the new feed article:\n%s", next.Text)
	}
	for _, old := range []string{"news.example.ir/1404/dollar", "عراق"} {
		if strings.Contains(next.Text, old) {
			t.Errorf("the next digest repeats %q:\n%s", old, next.Text)
		}
	}
}
