package pgstate

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRateLimitExactlyBurstAcrossReplicas(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	const burst = 10
	// Two replicas, each its own pool; a refill too slow to matter here.
	lims := []*RateLimiter{
		NewRateLimiter(openDB(t, schema), "questions", 1.0/(24*60), burst),
		NewRateLimiter(openDB(t, schema), "questions", 1.0/(24*60), burst),
	}
	var allowed, denied atomic.Int32
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			ok, err := lims[i%2].Allow(context.Background(), 42)
			switch {
			case err != nil:
				t.Error(err)
			case ok:
				allowed.Add(1)
			default:
				denied.Add(1)
			}
		})
	}
	wg.Wait()
	if allowed.Load() != burst || denied.Load() != 200-burst {
		t.Fatalf("allowed %d, denied %d; want exactly %d allowed", allowed.Load(), denied.Load(), burst)
	}
	// Of the 190 refused, one is told to slow down, whichever replica.
	warned := 0
	for i := range 20 {
		if ok, err := lims[i%2].ShouldWarn(context.Background(), 42); err != nil {
			t.Fatal(err)
		} else if ok {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("warned %d times within a minute, want 1", warned)
	}
	// Another user, and another limit, have their own buckets.
	if ok, _ := lims[0].Allow(context.Background(), 43); !ok {
		t.Error("user 43 limited by user 42's bucket")
	}
	if ok, _ := NewRateLimiter(lims[1].db, "uploads", 1, 1).Allow(context.Background(), 42); !ok {
		t.Error("another limit shares the bucket")
	}
}

func TestRateLimitRefillsWithTime(t *testing.T) {
	t.Parallel()
	db := testDB(t)
	lim := NewRateLimiter(db, "questions", 6, 2) // one token every 10s
	ctx := context.Background()
	for i, want := range []bool{true, true, false} {
		if ok, err := lim.Allow(ctx, 7); ok != want || err != nil {
			t.Fatalf("request %d: %v %v, want %v", i, ok, err, want)
		}
	}
	// Time passes (the bucket's clock moved back 15s): one token came
	// back, not two.
	age := func(d time.Duration) {
		if _, err := db.pool.Exec(ctx, "UPDATE rate_buckets SET at = at - $1::interval", d); err != nil {
			t.Fatal(err)
		}
	}
	age(15 * time.Second)
	for i, want := range []bool{true, false} {
		if ok, _ := lim.Allow(ctx, 7); ok != want {
			t.Fatalf("after 15s, request %d: %v, want %v", i, ok, want)
		}
	}
	// A long idle refills to the burst, no more.
	age(time.Hour)
	n := 0
	for range 5 {
		if ok, _ := lim.Allow(ctx, 7); ok {
			n++
		}
	}
	if n != 2 {
		t.Errorf("after an hour %d allowed, want the burst (2)", n)
	}
	age(time.Hour)
	if n, err := db.SweepBuckets(ctx, 30*time.Minute); n != 1 || err != nil {
		t.Errorf("sweep: %d %v", n, err)
	}
}
