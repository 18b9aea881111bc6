package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
)

// memInbox is an in-process Inbox: what pgstate.Inbox does across
// replicas, for one.
type memInbox struct {
	fail error // Put fails with it when set

	mu     sync.Mutex
	seen   map[int64]bool
	queue  chan []byte
	stored int
}

func newMemInbox() *memInbox { return &memInbox{seen: map[int64]bool{}, queue: make(chan []byte, 64)} }

func (m *memInbox) Put(_ context.Context, id, _ int64, payload []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return false, m.fail
	}
	if m.seen[id] {
		return false, nil
	}
	m.seen[id] = true
	m.stored++
	m.queue <- append([]byte(nil), payload...)
	return true, nil
}

func (m *memInbox) Run(ctx context.Context, _ int, handle func([]byte)) {
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-m.queue:
			handle(p)
		}
	}
}

// TestWebhookInbox: with an Inbox the webhook stores the update and
// answers 200 only once it is stored (500 when it is not, so that
// Telegram delivers it again), and the workers answer from the inbox.
func TestWebhookInbox(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	in := newMemInbox()
	tb := startBot(t, fake, chat.New(ans, discard(), chat.Options{}), Options{NoPacing: true, Inbox: in,
		Webhook: Webhook{URL: "https://bot.example/hook", Secret: "s3cr3t-token", Listen: "127.0.0.1:0"}})
	waitCalls(t, fake, "setWebhook", 1)
	for !tb.bot.Ready() {
		time.Sleep(time.Millisecond)
	}
	ch, from := privateChat(41), user(41)
	serve := func(text string) int {
		req, err := fake.NewWebhookRequest(tgbotapi.Update{Message: &tgbotapi.Message{Chat: &ch, From: &from, Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		tb.bot.ServeHTTP(rec, req)
		return rec.Code
	}
	in.mu.Lock()
	in.fail = errors.New("database down")
	in.mu.Unlock()
	if got := serve("پرسش گم‌شده"); got != http.StatusInternalServerError {
		t.Errorf("not stored: got %d, want 500", got)
	}
	in.mu.Lock()
	in.fail = nil
	in.mu.Unlock()
	if got := serve("پرسش از صندوق"); got != http.StatusOK {
		t.Fatalf("stored: got %d, want 200", got)
	}
	msgs := waitMessages(t, fake, ch.ID, 1)
	if !strings.Contains(msgs[0].Visible, "پرسش از صندوق") {
		t.Errorf("got %q", msgs[0].Visible)
	}
	if got := ans.asked(); len(got) != 1 || got[0] != "پرسش از صندوق" {
		t.Errorf("answered %q, want only the stored update", got)
	}
}

// flakyPacer is a SharedPacer that fails while down, and counts.
type flakyPacer struct {
	mu    sync.Mutex
	down  bool
	waits int
	holds []time.Duration
}

var errPacerDown = errors.New("shared pacer down")

func (p *flakyPacer) Wait(ctx context.Context, chatID int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waits++
	if p.down {
		return errPacerDown
	}
	return nil
}

func (p *flakyPacer) Hold(_ context.Context, _ int64, d time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holds = append(p.holds, d)
	if p.down {
		return errPacerDown
	}
	return nil
}

func (p *flakyPacer) Held(context.Context, int64) (bool, error) { return false, nil }

func (p *flakyPacer) TryGlobal(context.Context, int) (bool, error) { return true, nil }

// TestSharedPacer: every send asks the shared pacer, a 429 holds the chat
// there too, and a shared pacer that fails falls back to this process's
// pacing instead of losing the reply.
func TestSharedPacer(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	sp := &flakyPacer{}
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{Pacer: sp})
	ch, from := privateChat(42), user(42)
	fake.FailNext("sendMessage", 1, telegramtest.Failure{RetryAfter: 1})
	fake.PushText(ch, from, "پرسش یکم")
	waitMessages(t, fake, ch.ID, 1)
	sp.mu.Lock()
	waits, holds := sp.waits, append([]time.Duration(nil), sp.holds...)
	sp.down = true
	sp.mu.Unlock()
	if waits < 2 || len(holds) != 1 || holds[0] != time.Second {
		t.Errorf("shared pacer: %d waits and holds %v; want a wait per attempt (2) and the 429's 1s hold", waits, holds)
	}
	fake.PushText(ch, from, "پرسش دوم")
	if msgs := waitMessages(t, fake, ch.ID, 2); !strings.Contains(msgs[1].Visible, "پرسش دوم") {
		t.Errorf("with the shared pacer down: got %q", msgs[1].Visible)
	}
}
