package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/metrics"
	"github.com/khabar/khabar/retrieval"
)

var (
	_ telegram = (*tgbotapi.BotAPI)(nil)
	_ observer = (*metrics.Metrics)(nil)
)

// answerer is what chat.New answers with; the tests wrap answerers.
type answerer interface {
	Answer(ctx context.Context, req answer.Request) (answer.Answer, error)
}

var _ answerer = (*answer.Composer)(nil)

// discard is a logger that logs nothing.
func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// helpText is the /help a reader gets from a chat with opts.
func helpText(opts chat.Options) string {
	return chat.New(&echoAnswerer{}, discard(), opts).Handle(context.Background(), chat.Message{Text: "/help"}).PlainText()
}

// command is the row of the command table named name.
func command(t testing.TB, name string) chat.Command {
	t.Helper()
	for _, c := range chat.Commands() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no command %q", name)
	return chat.Command{}
}

// waitFor bounds every wait of the end-to-end tests.
const waitFor = 15 * time.Second

func user(id int64) tgbotapi.User { return tgbotapi.User{ID: id, FirstName: fmt.Sprintf("user%d", id)} }

func privateChat(id int64) tgbotapi.Chat { return tgbotapi.Chat{ID: id, Type: "private"} }

func groupChat(id int64) tgbotapi.Chat {
	return tgbotapi.Chat{ID: id, Type: "supergroup", Title: "گروه"}
}

// echoAnswerer answers every question with a cited sentence that repeats
// it, after delay, and records the questions in order.
type echoAnswerer struct {
	delay time.Duration

	mu        sync.Mutex
	questions []string
}

func (e *echoAnswerer) Answer(ctx context.Context, req answer.Request) (answer.Answer, error) {
	e.mu.Lock()
	e.questions = append(e.questions, req.Question)
	e.mu.Unlock()
	if e.delay > 0 {
		select {
		case <-time.After(e.delay):
		case <-ctx.Done():
			return answer.Answer{}, ctx.Err()
		}
	}
	return echo(req.Question), nil
}

func (e *echoAnswerer) asked() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.questions...)
}

// echo is the answer echoAnswerer gives to q.
func echo(q string) answer.Answer {
	p := retrieval.Passage{Chunk: retrieval.Chunk{ArticleID: "a", Title: "عنوان خبر", Source: "تابناک", URL: "https://example.com/a?x=1&y=2", Text: "متن قطعه."}, Coverage: 0.5}
	return answer.Answer{Question: q, Text: "پاسخ به: " + q + " [۱]", Mode: answer.ModeExtractive,
		Sources: []answer.Source{{N: 1, Passage: p}}, Passages: []retrieval.Passage{p}}
}

// fixedAnswerer always gives the same answer.
type fixedAnswerer struct{ a answer.Answer }

func (f fixedAnswerer) Answer(context.Context, answer.Request) (answer.Answer, error) {
	return f.a, nil
}

// testBot is a bot running against a fake Bot API.
type testBot struct {
	fake *telegramtest.Server
	bot  *Bot
	chat *chat.Chat
	stop func() error // cancels Run and returns its error
}

// startBot runs a bot on fake with chat and opts until the test ends.
func startBot(t testing.TB, fake *telegramtest.Server, ch *chat.Chat, opts Options) *testBot {
	t.Helper()
	return runBot(t, fake, fake.Bot(t), ch, testLogger(t), opts)
}

// runBot runs a bot with the API client api on fake until the test ends,
// and waits until it polls (unless it takes a webhook).
func runBot(t testing.TB, fake *telegramtest.Server, api *tgbotapi.BotAPI, ch *chat.Chat, log *slog.Logger, opts Options) *testBot {
	t.Helper()
	return runBotWith(t, fake, api, ch, log, opts, nil)
}

// runBotWith is runBot with tweak (when set) applied to the bot before it
// runs, e.g. to shorten its retry delays.
func runBotWith(t testing.TB, fake *telegramtest.Server, api *tgbotapi.BotAPI, ch *chat.Chat, log *slog.Logger, opts Options, tweak func(*Bot)) *testBot {
	t.Helper()
	opts.Token = fake.Token()
	opts.APIEndpoint = fake.APIEndpoint()
	opts.HTTPClient = fake.Client()
	b := New(api, api.Self, ch, log, opts)
	b.backoffMin, b.backoffMax = 10*time.Millisecond, 50*time.Millisecond
	if tweak != nil {
		tweak(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	if opts.Webhook.URL == "" {
		wctx, wcancel := context.WithTimeout(context.Background(), waitFor)
		defer wcancel()
		if err := fake.WaitPolling(wctx); err != nil {
			t.Fatal(err)
		}
	}
	return &testBot{fake: fake, bot: b, chat: ch, stop: stop}
}

// testLogger logs to the test's output when KHABAR_TEST_LOG is set.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("KHABAR_TEST_LOG") == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// waitMessages waits for n messages in chatID.
func waitMessages(t testing.TB, fake *telegramtest.Server, chatID int64, n int) []telegramtest.Sent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	msgs, err := fake.WaitMessages(ctx, chatID, n)
	if err != nil {
		t.Fatalf("%v; got %q", err, visibles(msgs))
	}
	return msgs
}

// waitCalls waits for n calls of method.
func waitCalls(t testing.TB, fake *telegramtest.Server, method string, n int) []telegramtest.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	calls, err := fake.WaitCalls(ctx, method, n)
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

// waitEdits waits until the message msgID of chatID has n edits.
func waitEdits(t testing.TB, fake *telegramtest.Server, chatID int64, msgID, n int) telegramtest.Sent {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		seen := len(fake.Calls("editMessageText"))
		for _, m := range fake.Messages(chatID) {
			if m.MessageID == msgID && len(m.Edits) >= n {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d in chat %d: fewer than %d edits", msgID, chatID, n)
		}
		waitCalls(t, fake, "editMessageText", seen+1)
	}
}

func visibles(msgs []telegramtest.Sent) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Visible
	}
	return out
}

// visible is what the user sees of m, without the leading RLM.
func visible(m telegramtest.Sent) string { return strings.TrimPrefix(m.Visible, rlm) }

// initial is what the user first saw of m, before any edit (a reply with
// a follow-up may be edited before the test looks), without the RLM.
func initial(m telegramtest.Sent) string { return strings.TrimPrefix(m.Initial, rlm) }

// checkHTML verifies the form of every message the bot sends: HTML parse
// mode, a leading RLM, markup Telegram accepts, within the length limit.
func checkHTML(t testing.TB, m telegramtest.Sent) {
	t.Helper()
	if m.ParseMode != tgbotapi.ModeHTML {
		t.Errorf("message %d: parse mode %q, want HTML", m.MessageID, m.ParseMode)
	}
	if !strings.HasPrefix(m.Text, rlm) {
		t.Errorf("message %d does not start with an RLM: %q", m.MessageID, m.Text)
	}
	if err := telegramtest.ValidateHTML(m.Text); err != nil {
		t.Errorf("message %d: %v", m.MessageID, err)
	}
	if n := telegramtest.UTF16Len(m.Text); n > maxMessageUTF16 {
		t.Errorf("message %d has %d UTF-16 units", m.MessageID, n)
	}
}

// seedIndex returns an index synced with the repository's seeds, or with
// dir when set.
func seedIndex(t testing.TB, dir string) *retrieval.Index {
	t.Helper()
	if dir == "" {
		dir = filepath.Join("..", "seeds")
	}
	emb := retrieval.NewLocalEmbedder(256)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{})
	if _, err := ix.Sync(context.Background(), os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return ix
}

// copySeeds copies the first n seed files into a new folder.
func copySeeds(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join("..", "seeds", "*.txt"))
	if err != nil || len(files) < n {
		t.Fatalf("seeds: %v (%d files)", err, len(files))
	}
	for _, f := range files[:n] {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// exchange sends text to chat and returns the bot's replies: it sends
// /start after it and waits for the welcome, so that every reply to text
// has arrived.
func exchange(t testing.TB, fake *telegramtest.Server, ch tgbotapi.Chat, from tgbotapi.User, text string) []telegramtest.Sent {
	t.Helper()
	return exchangeMessage(t, fake, tgbotapi.Message{Chat: &ch, From: &from, Text: text})
}

// exchangeMessage is exchange for any message.
func exchangeMessage(t testing.TB, fake *telegramtest.Server, m tgbotapi.Message) []telegramtest.Sent {
	t.Helper()
	ch, from := *m.Chat, *m.From
	before := len(fake.Messages(ch.ID))
	fake.PushMessage(m)
	fake.PushText(ch, from, "/start")
	for n := before + 1; ; n++ {
		msgs := waitMessages(t, fake, ch.ID, n)
		if visible(msgs[len(msgs)-1]) == chat.MsgWelcome {
			return msgs[before : len(msgs)-1]
		}
	}
}
