package pgstate

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestInboxRedeliveryTakenOnce(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	a, b := NewInbox(openDB(t, schema), "a", quiet()), NewInbox(openDB(t, schema), "b", quiet())
	ctx := context.Background()
	u := Update{ID: 1001, ChatID: 5, Payload: []byte(`{"update_id":1001}`)}
	if fresh, err := a.Put(ctx, u); !fresh || err != nil {
		t.Fatalf("first Put = %v, %v", fresh, err)
	}
	// Telegram delivers it again, to the other replica.
	if fresh, err := b.Put(ctx, u); fresh || err != nil {
		t.Fatalf("redelivered Put = %v, %v", fresh, err)
	}
	ups, err := b.pending(ctx, 5, 10)
	var got struct {
		UpdateID int64 `json:"update_id"`
	}
	if err != nil || len(ups) != 1 || json.Unmarshal(ups[0].Payload, &got) != nil || got.UpdateID != 1001 {
		t.Fatalf("pending = %+v, %v", ups, err)
	}
}

// handled records what the workers of all replicas did.
type handled struct {
	mu       sync.Mutex
	order    map[int64][]int64 // chat → update ids, as handled
	count    map[int64]int     // update id → times handled
	inFlight map[int64]*atomic.Int32
	overlap  atomic.Int32 // a chat handled on two workers at once
	total    atomic.Int32
}

func newHandled() *handled {
	return &handled{order: map[int64][]int64{}, count: map[int64]int{}, inFlight: map[int64]*atomic.Int32{}}
}

func (h *handled) handle(_ context.Context, u Update) {
	h.mu.Lock()
	f := h.inFlight[u.ChatID]
	if f == nil {
		f = &atomic.Int32{}
		h.inFlight[u.ChatID] = f
	}
	h.mu.Unlock()
	if f.Add(1) > 1 {
		h.overlap.Add(1)
	}
	time.Sleep(time.Millisecond) // some work, for the others to try and overlap
	h.mu.Lock()
	h.order[u.ChatID] = append(h.order[u.ChatID], u.ID)
	h.count[u.ID]++
	h.mu.Unlock()
	f.Add(-1)
	h.total.Add(1)
}

func runInbox(t *testing.T, in *Inbox, workers int, h *handled) context.CancelFunc {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { in.Run(ctx, workers, h.handle) })
	t.Cleanup(func() { stop(); wg.Wait() })
	return stop
}

func TestInboxPerChatOrderAcrossReplicas(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	ctx := context.Background()
	var ins []*Inbox
	for i := range 2 {
		in := NewInbox(openDB(t, schema), fmt.Sprint("replica", i), quiet())
		in.Poll = 50 * time.Millisecond
		ins = append(ins, in)
	}
	const chats, perChat = 5, 20
	id := int64(100)
	put := func(n int) {
		for range n {
			for c := range int64(chats) {
				id++
				// Telegram posts to either replica.
				if _, err := ins[id%2].Put(ctx, Update{ID: id, ChatID: -c, Payload: []byte("{}")}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	put(perChat / 2)
	h := newHandled()
	runInbox(t, ins[0], 3, h)
	runInbox(t, ins[1], 3, h)
	put(perChat / 2) // more arrive while they work
	waitFor(t, "every update handled", func() bool { return h.total.Load() >= chats*perChat })
	time.Sleep(100 * time.Millisecond) // a duplicate would show by now
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := h.total.Load(); n != chats*perChat {
		t.Errorf("handled %d updates, want %d", n, chats*perChat)
	}
	for uid, n := range h.count {
		if n != 1 {
			t.Errorf("update %d handled %d times", uid, n)
		}
	}
	if n := h.overlap.Load(); n != 0 {
		t.Errorf("a chat was handled on two workers at once %d times", n)
	}
	for chat, ids := range h.order {
		for i := 1; i < len(ids); i++ {
			if ids[i] <= ids[i-1] {
				t.Errorf("chat %d: update %d handled after %d", chat, ids[i], ids[i-1])
				break
			}
		}
	}
}

func TestInboxDeadReplicasChatTakenOver(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	ctx := context.Background()
	dead := NewInbox(openDB(t, schema), "dead", quiet())
	dead.Lease = 500 * time.Millisecond
	live := NewInbox(openDB(t, schema), "live", quiet())
	live.Poll = 50 * time.Millisecond
	for i := range int64(3) {
		if _, err := live.Put(ctx, Update{ID: 10 + i, ChatID: 9, Payload: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	// The dead replica claimed chat 9 and then vanished.
	if chat, ok, err := dead.claim(ctx); chat != 9 || !ok || err != nil {
		t.Fatalf("claim = %d %v %v", chat, ok, err)
	}
	// While its lease lasts, no one else may take the chat.
	if _, ok, err := live.claim(ctx); ok || err != nil {
		t.Fatalf("claimed a chat under another replica's lease: %v %v", ok, err)
	}
	h := newHandled()
	runInbox(t, live, 2, h)
	waitFor(t, "the chat taken over", func() bool { return h.total.Load() == 3 })
	h.mu.Lock()
	defer h.mu.Unlock()
	if fmt.Sprint(h.order[9]) != "[10 11 12]" {
		t.Errorf("order = %v", h.order[9])
	}
}
