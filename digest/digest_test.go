package digest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"
)

var tehran = time.FixedZone("Tehran", 3*3600+1800)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type sent struct {
	chat         int64
	after, until time.Time
}

type recorder struct {
	calls   []sent
	nothing bool  // report nothing new
	err     error // fail the send
}

func (r *recorder) send(_ context.Context, chat int64, after, until time.Time) (bool, error) {
	if r.err != nil {
		return false, r.err
	}
	if r.nothing {
		return false, nil
	}
	r.calls = append(r.calls, sent{chat, after, until})
	return true, nil
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func setup(t *testing.T) (string, *Store, *clock, *recorder, *Scheduler) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "digest.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Date(2025, 10, 6, 7, 0, 0, 0, tehran)}
	r := &recorder{}
	return path, st, c, r, NewScheduler(st, r.send, c.now, tehran, quiet())
}

func TestDigestSentOnceAtItsTime(t *testing.T) {
	_, st, c, r, s := setup(t)
	if err := st.Subscribe(-100, 8, 0); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if n, _ := s.RunOnce(ctx); n != 0 {
		t.Fatalf("sent %d before 08:00", n)
	}
	c.t = time.Date(2025, 10, 6, 8, 0, 0, 0, tehran)
	if n, _ := s.RunOnce(ctx); n != 1 {
		t.Fatalf("sent %d at 08:00, want 1", n)
	}
	first := r.calls[0]
	if !first.until.Equal(c.t) || !first.after.Equal(c.t.Add(-24*time.Hour)) {
		t.Errorf("first digest covers %v–%v", first.after, first.until)
	}
	c.t = c.t.Add(3 * time.Hour)
	if n, _ := s.RunOnce(ctx); n != 0 {
		t.Errorf("sent again the same day")
	}
	// The next day it covers what arrived since the first.
	c.t = time.Date(2025, 10, 7, 8, 1, 0, 0, tehran)
	if n, _ := s.RunOnce(ctx); n != 1 || !r.calls[1].after.Equal(first.until) {
		t.Errorf("second digest: %d sent, covers from %v, want from %v", n, r.calls[len(r.calls)-1].after, first.until)
	}
}

func TestDigestNotResentAfterRestart(t *testing.T) {
	path, st, c, r, s := setup(t)
	st.Subscribe(-100, 8, 0)
	c.t = time.Date(2025, 10, 6, 9, 0, 0, 0, tehran)
	if n, _ := s.RunOnce(context.Background()); n != 1 {
		t.Fatal("not sent")
	}
	st.Close()
	st2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	s2 := NewScheduler(st2, r.send, c.now, tehran, quiet())
	c.t = c.t.Add(time.Minute)
	if n, _ := s2.RunOnce(context.Background()); n != 0 || len(r.calls) != 1 {
		t.Errorf("resent after a restart: %d", n)
	}
}

func TestDigestSkippedWhenNothingNew(t *testing.T) {
	_, st, c, r, s := setup(t)
	st.Subscribe(-100, 8, 0)
	c.t = time.Date(2025, 10, 6, 8, 0, 0, 0, tehran)
	s.RunOnce(context.Background())
	first := r.calls[0].until

	r.nothing = true
	c.t = time.Date(2025, 10, 7, 8, 0, 0, 0, tehran)
	if n, _ := s.RunOnce(context.Background()); n != 0 {
		t.Fatal("a digest with nothing new was sent")
	}
	sub, _, _ := st.Get(-100)
	if !sub.Until.Equal(first) || sub.Day != "2025-10-07" {
		t.Errorf("after a skipped day: %+v, want until %v kept and the day handled", sub, first)
	}
	r.nothing = false
	c.t = time.Date(2025, 10, 8, 8, 0, 0, 0, tehran)
	s.RunOnce(context.Background())
	if got := r.calls[len(r.calls)-1].after; !got.Equal(first) {
		t.Errorf("the digest after a skipped day starts at %v, want %v", got, first)
	}
}

func TestDigestRetriedAfterAFailedSend(t *testing.T) {
	_, st, c, r, s := setup(t)
	st.Subscribe(-100, 8, 0)
	c.t = time.Date(2025, 10, 6, 8, 0, 0, 0, tehran)
	r.err = errors.New("telegram down")
	if n, _ := s.RunOnce(context.Background()); n != 0 {
		t.Fatal("counted a failed send")
	}
	r.err = nil
	c.t = c.t.Add(time.Minute)
	if n, _ := s.RunOnce(context.Background()); n != 1 {
		t.Error("not retried after a failed send")
	}
}

func TestSubscribeAndUnsubscribe(t *testing.T) {
	_, st, _, _, _ := setup(t)
	if err := st.Subscribe(1, 24, 0); !errors.Is(err, ErrBadTime) {
		t.Errorf("24:00: got %v", err)
	}
	st.Subscribe(1, 7, 30)
	sub, ok, err := st.Get(1)
	if err != nil || !ok || sub.Time() != "07:30" {
		t.Errorf("got %+v %v %v", sub, ok, err)
	}
	if had, _ := st.Unsubscribe(1); !had {
		t.Error("unsubscribe: none")
	}
	if _, ok, _ := st.Get(1); ok {
		t.Error("still subscribed")
	}
	if had, _ := st.Unsubscribe(1); had {
		t.Error("unsubscribed twice")
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		give       string
		hour, min  int
		wantErrBad bool
	}{
		{"08:00", 8, 0, false},
		{"۰۸:۳۰", 8, 30, false},
		{"23:59", 23, 59, false},
		{"24:00", 0, 0, true},
		{"8", 0, 0, true},
		{"ساعت", 0, 0, true},
		{"8:5", 8, 5, false},
		{" ۲۰:۴۵ ", 20, 45, false},
		{"٠٧:١٥", 7, 15, false},
		{"25:00", 0, 0, true},
		{"08:60", 0, 0, true},
		{"08:00pm", 0, 0, true},
		{"+8:00", 0, 0, true},
		{"-1:00", 0, 0, true},
		{"008:00", 0, 0, true},
		{":30", 0, 0, true},
		{"فردا", 0, 0, true},
	}
	for _, tt := range tests {
		h, m, err := ParseTime(tt.give)
		if (err != nil) != tt.wantErrBad || (err == nil && (h != tt.hour || m != tt.min)) {
			t.Errorf("ParseTime(%q) = %d:%d, %v", tt.give, h, m, err)
		}
	}
}

// The scheduler owns what a failed send means: an unreachable chat is
// unsubscribed, a digest refused for good is given up until tomorrow.
func TestUnreachableChatIsUnsubscribed(t *testing.T) {
	_, st, c, r, s := setup(t)
	st.Subscribe(-100, 8, 0)
	c.t = time.Date(2025, 10, 6, 8, 0, 0, 0, tehran)
	r.err = fmt.Errorf("send digest: %w: Forbidden: bot was kicked", ErrUnreachable)
	if n, err := s.RunOnce(context.Background()); n != 0 || err != nil {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if _, ok, _ := st.Get(-100); ok {
		t.Error("an unreachable chat stays subscribed")
	}
}

func TestRejectedDigestGivenUpForTheDay(t *testing.T) {
	_, st, c, r, s := setup(t)
	st.Subscribe(-100, 8, 0)
	c.t = time.Date(2025, 10, 6, 8, 0, 0, 0, tehran)
	r.err = fmt.Errorf("send digest: %w: Bad Request: message is too long", ErrRejected)
	s.RunOnce(context.Background())
	r.err = nil
	c.t = c.t.Add(time.Minute)
	if n, _ := s.RunOnce(context.Background()); n != 0 {
		t.Error("a refused digest is retried the same day")
	}
	if _, ok, _ := st.Get(-100); !ok {
		t.Error("a refused digest unsubscribed the chat")
	}
	c.t = c.t.Add(24 * time.Hour)
	if n, _ := s.RunOnce(context.Background()); n != 1 {
		t.Error("not sent the next day")
	}
}
