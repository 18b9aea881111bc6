package pgstate

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// reserveAll takes n slots in the lanes of the chats chat(i) (and n in
// the global lane) from the pacers, all at once.
func reserveAll(t *testing.T, ps []*Pacer, n int, chat func(i int) int64) (chats map[int64][]time.Time, globals []time.Time) {
	t.Helper()
	var mu sync.Mutex
	chats = map[int64][]time.Time{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p := ps[i%len(ps)]
			c, _, err := p.reserve(context.Background(), laneKey(chat(i)), chatInterval(chat(i)))
			if err != nil {
				t.Error(err)
				return
			}
			g, _, err := p.reserve(context.Background(), globalLane, GlobalInterval)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			chats[chat(i)] = append(chats[chat(i)], c)
			globals = append(globals, g)
			mu.Unlock()
		})
	}
	wg.Wait()
	return chats, globals
}

// spaced checks that sorted slots are at least d apart.
func spaced(t *testing.T, what string, slots []time.Time, d time.Duration) {
	t.Helper()
	slices.SortFunc(slots, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(slots); i++ {
		if gap := slots[i].Sub(slots[i-1]); gap < d-time.Microsecond {
			t.Errorf("%s: slots %d and %d are %v apart, want at least %v", what, i-1, i, gap, d)
			return
		}
	}
}

// The schedule, not the clock: the slots handed out to two replicas
// sending at once keep each lane's spacing.
func TestPacerSpacesLanesAcrossReplicas(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	ps := []*Pacer{NewPacer(openDB(t, schema)), NewPacer(openDB(t, schema))}
	// One private chat and one group, 10 messages each, at once.
	chats, globals := reserveAll(t, ps, 20, func(i int) int64 {
		if i%2 == 0 {
			return 42
		}
		return -100
	})
	if len(chats[42]) != 10 || len(chats[-100]) != 10 {
		t.Fatalf("reserved %d and %d", len(chats[42]), len(chats[-100]))
	}
	spaced(t, "private chat", chats[42], PrivateInterval)
	spaced(t, "group", chats[-100], GroupInterval)
	// Every message also holds a global slot, those spaced too.
	spaced(t, "global", globals, GlobalInterval)
	// Sixty private chats at once: thirty a second (with the margin).
	_, globals = reserveAll(t, ps, 60, func(i int) int64 { return int64(1000 + i) })
	spaced(t, "global, 60 chats", globals, GlobalInterval)
	if first, last := globals[0], globals[len(globals)-1]; last.Sub(first) < 59*GlobalInterval {
		t.Errorf("60 messages scheduled over %v", last.Sub(first))
	}
}

func TestPacerHoldAndTryGlobal(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	a, b := NewPacer(openDB(t, schema)), NewPacer(openDB(t, schema))
	ctx := context.Background()
	if held, _ := b.Held(ctx, 7); held {
		t.Fatal("held before any 429")
	}
	// A 429 on replica a holds the chat on replica b too.
	if err := a.Hold(ctx, 7, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if held, err := b.Held(ctx, 7); !held || err != nil {
		t.Fatalf("held = %v, %v", held, err)
	}
	chat, now, err := b.reserve(ctx, laneKey(7), chatInterval(7))
	if err != nil {
		t.Fatal(err)
	}
	if chat.Sub(now) < 29*time.Second {
		t.Errorf("slot %v after now during a 30s hold", chat.Sub(now))
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := b.Wait(dctx, 7); !errors.Is(err, ErrHeldPastDeadline) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait past the deadline: %v", err)
	}
	// Another chat is not held, nor held back by the held one's slot.
	if err := b.Wait(dctx, 8); err != nil {
		t.Fatal(err)
	}
	// A chat with a lane but no hold (hold_until is -infinity) waits
	// for its slot under a deadline too.
	if err := b.Wait(dctx, 8); err != nil {
		t.Fatalf("second Wait of a lane never held, under a deadline: %v", err)
	}
	// TryGlobal: free now with room to spare only when the global lane is
	// idle; a burst of reservations fills it.
	fresh := NewPacer(openDB(t, newSchema(t)))
	if ok, err := fresh.TryGlobal(ctx, 5); !ok || err != nil {
		t.Fatalf("TryGlobal on an idle lane: %v %v", ok, err)
	}
	reserveAll(t, []*Pacer{fresh}, 10, func(i int) int64 { return int64(i + 1) })
	if ok, _ := fresh.TryGlobal(ctx, 5); ok {
		t.Error("TryGlobal went through a full global lane")
	}
}
