package pgstate

import (
	"context"
	"testing"
	"time"
)

// The cost of the shared state per update and per message, on the test
// cluster (go test -bench . ./pgstate/ with DATABASE_URL set).

func BenchmarkRateLimiterAllow(b *testing.B) {
	lim := NewRateLimiter(testDB(b), "questions", 1e9, 1<<30)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		var user int64
		for pb.Next() {
			user++
			if _, err := lim.Allow(ctx, user%100); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkPacerReserve(b *testing.B) {
	p := NewPacer(testDB(b))
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, _, err := p.reserve(ctx, laneKey(int64(i%1000)), PrivateInterval); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInboxPutClaimDone(b *testing.B) {
	in := NewInbox(testDB(b), "bench", quiet())
	ctx := context.Background()
	for i := int64(0); b.Loop(); i++ {
		if _, err := in.Put(ctx, Update{ID: i, ChatID: i % 50, Payload: []byte(`{"update_id":1}`)}); err != nil {
			b.Fatal(err)
		}
		chat, ok, err := in.claim(ctx)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
		ups, err := in.pending(ctx, chat, 16)
		if err != nil {
			b.Fatal(err)
		}
		for _, u := range ups {
			in.done(ctx, u.ID)
		}
		in.release(ctx, chat)
	}
}

func BenchmarkDigestsClaim(b *testing.B) {
	d := NewDigests(testDB(b))
	for i := range int64(1000) {
		d.Subscribe(i, 8, 0)
	}
	now := time.Now()
	for i := 0; b.Loop(); i++ {
		day := now.AddDate(0, 0, i/1000).Format(time.DateOnly)
		if _, ok, err := d.Claim(int64(i%1000), day, now); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
