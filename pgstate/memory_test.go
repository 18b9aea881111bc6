package pgstate

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

type lastAnswer struct {
	Question string
	Passages []string
}

func TestMemoryExpiresAndIsSwept(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	a, b := openDB(t, schema), openDB(t, schema)
	ctx := context.Background()
	ma := NewMemory[lastAnswer](a, "last_answer", 30*time.Minute)
	mb := NewMemory[lastAnswer](b, "last_answer", 30*time.Minute)
	want := lastAnswer{Question: "قیمت دلار؟", Passages: []string{"p1", "p2"}}
	if err := ma.Put(ctx, "-100", want); err != nil {
		t.Fatal(err)
	}
	// Another replica reads it.
	got, ok, err := mb.Get(ctx, "-100")
	if err != nil || !ok || got.Question != want.Question || len(got.Passages) != 2 {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}
	// Another kind under the same key is another value.
	if _, ok, _ := NewMemory[[]string](b, "turns", time.Minute).Get(ctx, "-100"); ok {
		t.Fatal("kinds share values")
	}
	// Expired (its time moved past): ignored, then swept.
	if _, err := a.pool.Exec(ctx, "UPDATE memory SET expires_at = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := mb.Get(ctx, "-100"); ok {
		t.Fatal("an expired value was returned")
	}
	if n, err := b.SweepMemory(ctx); n != 1 || err != nil {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if err := ma.Put(ctx, "-100", want); err != nil {
		t.Fatal(err)
	}
	if err := mb.Delete(ctx, "-100"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := ma.Get(ctx, "-100"); ok {
		t.Fatal("deleted value returned")
	}
}

func TestMemoryUpdateKeepsConcurrentAppends(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	ctx := context.Background()
	ms := []*Memory[[]string]{
		NewMemory[[]string](openDB(t, schema), "turns", time.Hour),
		NewMemory[[]string](openDB(t, schema), "turns", time.Hour),
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			err := ms[i%2].Update(ctx, "7", func(old []string, live bool) []string {
				return append(old, fmt.Sprint(i))
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, ok, err := ms[0].Get(ctx, "7")
	if err != nil || !ok || len(got) != 20 {
		t.Fatalf("after 20 appends: %d turns (%v, %v)", len(got), ok, err)
	}
	// An expired value is not the old value of an update.
	if _, err := ms[0].db.pool.Exec(ctx, "UPDATE memory SET expires_at = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	err = ms[1].Update(ctx, "7", func(old []string, live bool) []string {
		if live || len(old) != 0 {
			t.Errorf("update of an expired value saw live=%v, %d turns", live, len(old))
		}
		return []string{"fresh"}
	})
	if got, _, _ := ms[0].Get(ctx, "7"); err != nil || len(got) != 1 {
		t.Errorf("after the fresh update: %v %v", got, err)
	}
}

func TestSweepDropsOnlyWhatExpired(t *testing.T) {
	t.Parallel()
	db := testDB(t)
	ctx := context.Background()
	m := NewMemory[string](db, "last_answer", time.Hour)
	m.Put(ctx, "live", "x")
	m.Put(ctx, "old", "y")
	in := NewInbox(db, "a", quiet())
	in.Put(ctx, Update{ID: 1, ChatID: 1, Payload: []byte("{}")})
	in.Put(ctx, Update{ID: 2, ChatID: 1, Payload: []byte("{}")})
	in.Put(ctx, Update{ID: 3, ChatID: 1, Payload: []byte("{}")})
	for _, q := range []string{
		"UPDATE memory SET expires_at = now() - interval '1s' WHERE key = 'old'",
		"UPDATE inbox SET done_at = now() - interval '25 hours' WHERE update_id = 1",
		"UPDATE inbox SET done_at = now() WHERE update_id = 2",
	} {
		if _, err := db.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	var mem, inbox int
	db.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM memory), (SELECT count(*) FROM inbox)").Scan(&mem, &inbox)
	if mem != 1 || inbox != 2 {
		t.Errorf("after the sweep: %d memory rows (want 1), %d inbox rows (want 2: a recent handled one is kept for redeliveries, the pending one)", mem, inbox)
	}
}
