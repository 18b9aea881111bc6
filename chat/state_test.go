package chat

import (
	"context"
	"testing"

	"github.com/khabar/khabar/answer"
)

// recordingMemory is a Memory that records what is kept.
type recordingMemory struct{ last map[int64]answer.Answer }

func (m *recordingMemory) Put(chatID int64, a answer.Answer) { m.last[chatID] = a }
func (m *recordingMemory) Last(chatID int64) (answer.Answer, bool) {
	a, ok := m.last[chatID]
	return a, ok
}

// scriptedLimiter allows the first n replies, then warns once.
type scriptedLimiter struct {
	n, asked int
	senders  []int64
}

func (l *scriptedLimiter) Allow(sender int64) (bool, bool) {
	l.asked++
	l.senders = append(l.senders, sender)
	return l.asked <= l.n, l.asked == l.n+1
}

var (
	_ Memory  = (*recordingMemory)(nil)
	_ Limiter = (*scriptedLimiter)(nil)
)

// TestStateSeams: a Memory and a Limiter given in the options (as a
// database-backed store would be) replace the in-memory ones.
func TestStateSeams(t *testing.T) {
	mem := &recordingMemory{last: map[int64]answer.Answer{}}
	lim := &scriptedLimiter{n: 2}
	c := New(&scriptedAnswerer{a: sampleAnswer()}, discard(), Options{Memory: mem, Limiter: lim, QuestionsPerMinute: 1000})
	ctx := context.Background()
	if r := c.Handle(ctx, Message{ChatID: 9, UserID: 3, Text: "پرسش"}); r.Answer == nil {
		t.Fatalf("not answered: %q", r.PlainText())
	}
	if _, ok := mem.last[9]; !ok {
		t.Error("the answer did not reach the Memory")
	}
	if got := c.Handle(ctx, Message{ChatID: 9, UserID: 3, Text: "/sources"}).PlainText(); got == MsgNoLastAnswer {
		t.Error("/sources did not read the Memory")
	}
	if r := c.Handle(ctx, Message{ChatID: 9, UserID: 3, Text: "پرسش"}); r.PlainText() != MsgSlowDown || r.Outcome != "refused" {
		t.Errorf("third reply: %q (%s), want the warning", r.PlainText(), r.Outcome)
	}
	if r := c.Handle(ctx, Message{ChatID: 9, UserID: 3, Text: "پرسش"}); !r.IsZero() || r.Outcome != "refused" {
		t.Errorf("fourth reply: %q, want nothing", r.PlainText())
	}
	if r := c.Handle(ctx, Message{ChatID: 9, UserID: 1, Text: "/stats", Admin: true}); r.IsZero() || lim.asked != 4 {
		t.Errorf("an admin was limited (asked %d)", lim.asked)
	}
	for _, s := range lim.senders {
		if s != 3 {
			t.Errorf("limiter asked about sender %d", s)
		}
	}
}

// TestDefaultRateLimiter: the in-memory limiter allows the burst, warns
// once, then stays silent, per sender.
func TestDefaultRateLimiter(t *testing.T) {
	l := NewRateLimiter(0.001, 2)
	for i, want := range [][2]bool{{true, false}, {true, false}, {false, true}, {false, false}} {
		if ok, warn := l.Allow(7); ok != want[0] || warn != want[1] {
			t.Errorf("reply %d: got %v, %v, want %v, %v", i+1, ok, warn, want[0], want[1])
		}
	}
	if ok, _ := l.Allow(8); !ok {
		t.Error("another sender shares the budget")
	}
}
