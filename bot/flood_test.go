package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
)

// The flood-control tests of issue 10: nothing is lost, and Telegram's
// limits are kept, through the real tgbotapi client against the fake.

// fastRetries shortens the bot's pause between attempts after a 5xx or
// no answer, so that a test can script many of them.
func fastRetries(b *Bot) { b.retryMin, b.retryMax = 10*time.Millisecond, 50*time.Millisecond }

// startFloodRig is startRig with fast retries.
func startFloodRig(t testing.TB, fake *telegramtest.Server, ch *chat.Chat, opts Options) *rig {
	t.Helper()
	api := fake.Bot(t)
	obs, logs := newRecObserver(), newLogRecorder()
	opts.Metrics = obs
	return &rig{testBot: runBotWith(t, fake, api, ch, slog.New(logs), opts, fastRetries), obs: obs, logs: logs}
}

// sends returns the calls that Telegram counts against its flood limits.
func sends(fake *telegramtest.Server) []telegramtest.Call {
	var out []telegramtest.Call
	for _, m := range []string{"sendMessage", "editMessageText", "sendChatAction"} {
		out = append(out, fake.Calls(m)...)
	}
	return out
}

// TestPaceKeepsTelegramsGlobalLimit: seventy chats asking at once get
// their answers (and "typing…") at no more than thirty calls a second.
func TestPaceKeepsTelegramsGlobalLimit(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{Workers: 16})
	const chats = 70
	for i := range chats {
		c := privateChat(int64(500 + i))
		fake.PushText(c, user(c.ID), fmt.Sprintf("پرسش %d", i))
	}
	for i := range chats {
		waitMessages(t, fake, int64(500+i), 1)
	}
	calls := sends(fake)
	if n := telegramtest.MaxInWindow(calls, time.Second); n > 30 {
		t.Errorf("%d sends (messages, edits, chat actions) in one second, want at most 30", n)
	}
	for i := range chats {
		var mine []telegramtest.Call
		for _, c := range fake.Calls("sendMessage") {
			if c.Params.Get("chat_id") == fmt.Sprint(500+i) {
				mine = append(mine, c)
			}
		}
		if len(mine) != 1 {
			t.Errorf("chat %d: %d messages, want 1", 500+i, len(mine))
		}
	}
}

// TestReplyOutlastsFailures: however many 429s, 5xx or dropped
// connections come in a row, the reply is delivered once they end.
func TestReplyOutlastsFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fail telegramtest.Failure
	}{
		{"429s", telegramtest.Failure{RetryAfter: 1}},
		{"500s", telegramtest.Failure{Status: http.StatusInternalServerError}},
		{"502 pages", telegramtest.Failure{Status: http.StatusBadGateway, Body: "<html>502</html>"}},
		{"drops", telegramtest.Failure{Drop: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := telegramtest.New(t, telegramtest.Options{})
			r := startFloodRig(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true})
			ch := privateChat(81)
			const n = 7 // more than the five the bot used to try
			fake.FailNext("sendMessage", n, tt.fail)
			got := exchange(t, fake, ch, user(ch.ID), "پرسش پایدار")
			if len(got) != 1 || !strings.Contains(got[0].Visible, "پاسخ به: پرسش پایدار") {
				t.Fatalf("got %q, want the answer once", visibles(got))
			}
			if failed := failedCalls(fake, "sendMessage"); len(failed) != n {
				t.Errorf("got %d failed sends, want %d", len(failed), n)
			}
			if lost := r.logs.find(slog.LevelError, "reply not delivered"); len(lost) != 0 {
				t.Errorf("logged as lost: %q", lost)
			}
		})
	}
}

// TestLongFloodWaitHoldsNoWorker: a retry_after longer than
// UPDATE_TIMEOUT delays the chat's reply but neither drops it nor keeps a
// worker from other chats, and the chat's replies keep their order.
func TestLongFloodWaitHoldsNoWorker(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true, Workers: 1, UpdateTimeout: time.Second})
	a, b := privateChat(82), privateChat(83)

	fake.FailNext("sendMessage", 1, telegramtest.Failure{RetryAfter: 3})
	fake.PushText(a, user(a.ID), "پرسش یک")
	if failed := waitCalls(t, fake, "sendMessage", 1)[0]; failed.ErrorCode != http.StatusTooManyRequests {
		t.Fatalf("first send: got %+v, want the scripted 429", failed)
	}
	fake.PushText(a, user(a.ID), "پرسش دو")
	fake.PushText(b, user(b.ID), "پرسش دیگر")
	fake.PushText(a, user(a.ID), "پرسش سه")
	other := waitMessages(t, fake, b.ID, 1)[0]
	msgs := waitMessages(t, fake, a.ID, 3)
	if !other.Time.Before(msgs[0].Time) {
		t.Errorf("the other chat waited for this chat's flood wait")
	}
	for i, want := range []string{"پرسش یک", "پرسش دو", "پرسش سه"} {
		if !strings.Contains(msgs[i].Visible, "پاسخ به: "+want) {
			t.Errorf("message %d: got %q, want the answer to %q", i, msgs[i].Visible, want)
		}
	}
	if len(msgs) != 3 {
		t.Errorf("got %d messages, want 3", len(msgs))
	}
}

// TestReplyGivenUpAfterTheCeiling: a reply that cannot be delivered
// before DeliveryTimeout is dropped, and the reader is told once Telegram
// lets the bot write again.
func TestReplyGivenUpAfterTheCeiling(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Options{})
	r := startFloodRig(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true, DeliveryTimeout: 3 * time.Second})
	ch := privateChat(84)
	// The second 429 holds the chat past the ceiling: the bot gives up
	// then, and its apology waits out the hold.
	fake.FailNext("sendMessage", 2, telegramtest.Failure{RetryAfter: 2})
	fake.PushText(ch, user(ch.ID), "پرسش دیرهنگام")
	got := waitMessages(t, fake, ch.ID, 1)
	if visible(got[0]) != msgDeliveryFailed {
		t.Errorf("got %q, want the apology", visibles(got))
	}
	lost := r.logs.find(slog.LevelError, "reply not delivered")
	if len(lost) != 1 {
		t.Errorf("got %d logs of lost replies, want 1:\n%s", len(lost), r.logs)
	}
	if got := exchange(t, fake, ch, user(ch.ID), "پرسش بعدی"); len(got) != 1 || !strings.Contains(got[0].Visible, "پاسخ به: پرسش بعدی") {
		t.Errorf("after the apology: got %q, want the next answer", visibles(got))
	}
	if msgs := fake.Messages(ch.ID); len(msgs) != 3 {
		t.Errorf("got %q, want the apology, the next answer and the welcome", visibles(msgs))
	}
}

// TestWebhookRefusesWhatItCannotQueue: a chat that floods the webhook
// gets non-2xx answers past its queue, logged without the token, and
// every update is handled once when Telegram delivers the refused ones
// again.
func TestWebhookRefusesWhatItCannotQueue(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Options{})
	g := gateAnswerer{started: make(chan string, 200), release: make(chan struct{})}
	logs := newLogRecorder()
	tb := runBot(t, fake, fake.Bot(t), chat.New(g, discard(), chat.Options{}), slog.New(logs), Options{NoPacing: true, Workers: 1,
		Webhook: Webhook{URL: "https://bot.example/hook", Secret: "s3cr3t-token", Listen: "127.0.0.1:0"}})
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(g.release) }) }
	t.Cleanup(release) // before the bot stops, even when the test fails
	waitCalls(t, fake, "setWebhook", 1)
	for !tb.bot.Ready() {
		time.Sleep(time.Millisecond)
	}
	ch, from := privateChat(85), user(85)
	// Telegram gives up on a request at some point: a handler must not
	// wait for the queue.
	reqCtx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	serve := func(u tgbotapi.Update) int {
		req, err := fake.NewWebhookRequest(u)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		tb.bot.ServeHTTP(rec, req.WithContext(reqCtx))
		return rec.Code
	}
	const total = 120
	updates := make([]tgbotapi.Update, total)
	var refused []tgbotapi.Update
	for i := range updates {
		updates[i] = tgbotapi.Update{UpdateID: 1000 + i, Message: &tgbotapi.Message{Chat: &ch, From: &from, Text: fmt.Sprintf("پرسش %d", i)}}
		switch code := serve(updates[i]); {
		case code == http.StatusOK:
		case code >= 400:
			refused = append(refused, updates[i])
		default:
			t.Fatalf("update %d: got %d", i, code)
		}
	}
	if len(refused) == 0 {
		t.Fatalf("no update refused: the chat's queue is unbounded")
	}
	warned := logs.find(slog.LevelWarn, "update refused: the chat has too many pending updates")
	if len(warned) != len(refused) {
		t.Errorf("got %d warnings for %d refused updates", len(warned), len(refused))
	}
	for _, w := range warned {
		if !strings.Contains(w, "chat=85") || strings.Contains(w, fake.Token()) || strings.Contains(w, "s3cr3t") {
			t.Errorf("warning: %s", w)
		}
	}
	release()
	// Telegram delivers each refused update again until it is taken.
	for len(refused) > 0 {
		var again []tgbotapi.Update
		for _, u := range refused {
			if serve(u) != http.StatusOK {
				again = append(again, u)
			}
		}
		refused = again
		if len(refused) > 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	msgs := waitMessages(t, fake, ch.ID, total)
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.Visible]++
	}
	for i := range total {
		want := fmt.Sprintf("پاسخ به: پرسش %d [", i)
		n := 0
		for text, count := range seen {
			if strings.Contains(text, want) {
				n += count
			}
		}
		if n != 1 {
			t.Errorf("question %d answered %d times, want once", i, n)
		}
	}
}

// stuckAnswerer answers chat questions only when its context ends (with
// its error), and says when each question starts.
type stuckAnswerer struct{ started chan string }

func (s stuckAnswerer) Answer(ctx context.Context, req answer.Request) (answer.Answer, error) {
	s.started <- req.Question
	<-ctx.Done()
	return answer.Answer{}, ctx.Err()
}

// TestShutdownWithinGraceLeavesUnhandledUpdates: stopping with a slow
// chat's questions queued returns within the grace, sends the reader no
// error, and leaves the unhandled updates unconfirmed: a restarted bot
// answers them, in order.
func TestShutdownWithinGraceLeavesUnhandledUpdates(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Options{})
	slow := stuckAnswerer{started: make(chan string, 10)}
	tb := startBot(t, fake, chat.New(slow, discard(), chat.Options{}), Options{NoPacing: true, ShutdownGrace: time.Second})
	ch, from := privateChat(86), user(86)
	other := privateChat(87)
	fake.PushText(other, user(other.ID), "/start") // handled: confirmed
	waitMessages(t, fake, other.ID, 1)
	var want []string
	for i := range 4 {
		q := fmt.Sprintf("پرسش کند %d", i)
		want = append(want, q)
		fake.PushText(ch, from, q)
	}
	<-slow.started

	stopped := make(chan error, 1)
	go func() { stopped <- tb.stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitFor):
		t.Fatalf("Run did not return within %v of the cancel (grace 1s)", waitFor)
	}
	if msgs := fake.Messages(ch.ID); len(msgs) != 0 {
		t.Errorf("sent to the slow chat while stopping: %q", visibles(msgs))
	}
	if n := fake.PendingUpdates(); n != len(want) {
		t.Errorf("%d updates left unconfirmed, want the %d unhandled ones", n, len(want))
	}

	ans := &echoAnswerer{}
	startBot(t, fake, chat.New(ans, discard(), chat.Options{}), Options{NoPacing: true})
	msgs := waitMessages(t, fake, ch.ID, len(want))
	for i, q := range want {
		if !strings.Contains(msgs[i].Visible, "پاسخ به: "+q) {
			t.Errorf("after the restart, message %d: got %q, want the answer to %q", i, msgs[i].Visible, q)
		}
	}
	if got := ans.asked(); !slices.Equal(got, want) {
		t.Errorf("after the restart: asked %q, want %q", got, want)
	}
	if n := len(fake.Messages(other.ID)); n != 1 {
		t.Errorf("the handled update was delivered again: %d welcomes", n)
	}
}

// TestOutboxIsBoundedAndIsolatesChats: a chat whose replies cannot go
// out fills only its own share of the outbox, and waits for room; other
// chats' replies go on.
func TestOutboxIsBoundedAndIsolatesChats(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	var ran []string
	o := newOutbox(context.Background(), outboxLimits{perChat: 2, total: 8, timeout: time.Minute}, discard(), nil)
	job := func(name string, block bool) func(context.Context) error {
		return func(ctx context.Context) error {
			if block {
				<-release
			}
			mu.Lock()
			ran = append(ran, name)
			mu.Unlock()
			return nil
		}
	}
	ctx := context.Background()
	for i, name := range []string{"a1", "a2"} {
		if !o.add(ctx, dest{chatID: 1}, job(name, i == 0)) {
			t.Errorf("add %s refused", name)
		}
	}
	// The chat's share is full: a third reply waits for room, here until
	// its context ends.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if o.add(gone, dest{chatID: 1}, job("a3", false)) {
		t.Errorf("add a3: queued beyond the chat's share")
	}
	done := make(chan struct{})
	if !o.add(ctx, dest{chatID: 2}, func(ctx context.Context) error { defer close(done); return job("b1", false)(ctx) }) {
		t.Fatal("another chat's reply was refused")
	}
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatal("another chat's reply waited for the stuck chat")
	}
	close(release)
	o.close(nil)
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"b1", "a1", "a2"}; !slices.Equal(ran, want) {
		t.Errorf("ran %q, want %q", ran, want)
	}
}

// TestPollingPostponesWhatItCannotQueue: in long polling, updates that a
// flooding chat's queue cannot take are left at Telegram (unconfirmed)
// and taken later, in order, instead of being dropped.
func TestPollingPostponesWhatItCannotQueue(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Options{})
	g := gateAnswerer{started: make(chan string, 100), release: make(chan struct{})}
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(g.release) }) }
	logs := newLogRecorder()
	runBot(t, fake, fake.Bot(t), chat.New(g, discard(), chat.Options{}), slog.New(logs), Options{NoPacing: true, Workers: 1})
	t.Cleanup(release)
	ch, from := privateChat(88), user(88)
	const total = 70 // more than a chat's queue holds
	for i := range total {
		fake.PushText(ch, from, fmt.Sprintf("پرسش %d", i))
	}
	<-g.started
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	for len(logs.find(slog.LevelWarn, "update postponed: the chat has too many pending updates")) == 0 {
		if _, err := fake.WaitCalls(ctx, "getUpdates", len(fake.Calls("getUpdates"))+1); err != nil {
			t.Errorf("no update postponed: %v", err)
			break
		}
	}
	if n := fake.PendingUpdates(); n == 0 {
		t.Errorf("the postponed updates were confirmed")
	}
	release()
	msgs := waitMessages(t, fake, ch.ID, total)
	for i, m := range msgs {
		if want := fmt.Sprintf("پاسخ به: پرسش %d [", i); !strings.Contains(m.Visible, want) {
			t.Errorf("message %d: got %q, want the answer to question %d", i, m.Visible, i)
		}
	}
	if len(msgs) != total {
		t.Errorf("got %d answers, want %d", len(msgs), total)
	}
}
