package answer

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/retrieval"
)

// mapStore is a ConversationStore in a map, shared by two composers as
// PostgreSQL is by two replicas.
type mapStore struct {
	mu    sync.Mutex
	convs map[string][]Turn
}

func (s *mapStore) Recent(key string) []Turn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Turn(nil), s.convs[key]...)
}

func (s *mapStore) Append(key string, t Turn, max int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := append(s.convs[key], t)
	if len(c) > max {
		c = c[len(c)-max:]
	}
	s.convs[key] = c
}

// TestConversationStoreSharedByComposers: a follow-up asked of another
// composer (another replica) over the same store continues the
// conversation, within the TTL only.
func TestConversationStoreSharedByComposers(t *testing.T) {
	emb := retrieval.NewLocalEmbedder(64)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{})
	if _, err := ix.Sync(context.Background(), followUpCorpus()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	store := &mapStore{convs: map[string][]Turn{}}
	opts := Options{MemoryTurns: 2, MemoryTTL: 10 * time.Minute, Now: func() time.Time { return now }, Conversations: store}
	first, second := New(ix, opts), New(ix, opts)
	ctx := context.Background()
	if _, err := first.Answer(ctx, Request{Question: iraqQuestion, Conversation: "chat-1"}); err != nil {
		t.Fatal(err)
	}
	if got := store.Recent("chat-1"); len(got) != 1 || got[0].Question != iraqQuestion || !got[0].At.Equal(now) {
		t.Fatalf("stored turns: %+v", got)
	}
	follow := Request{Question: "و درباره داعش چه گفت؟", Conversation: "chat-1"}
	a, err := second.Answer(ctx, follow)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Standalone, "عراق") {
		t.Errorf("the other composer searched %q, want the follow-up of the Iraq question", a.Standalone)
	}
	for range 3 {
		first.Answer(ctx, Request{Question: "قیمت دلار", Conversation: "chat-1"})
	}
	if n := len(store.Recent("chat-1")); n != 2 {
		t.Errorf("%d turns kept, want MemoryTurns (2)", n)
	}
	now = now.Add(11 * time.Minute)
	if late, _ := second.Answer(ctx, follow); late.Standalone != follow.Question {
		t.Errorf("after the TTL the follow-up searched %q", late.Standalone)
	}
}
