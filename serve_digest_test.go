package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/bot"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

var _ digester = (*answer.Composer)(nil)

// testClock is a settable clock shared by the index (arrival times) and
// the scheduler.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// digestCorpus is a small news corpus in the seed format.
func digestCorpus() fstest.MapFS {
	return fstest.MapFS{
		"iraq.txt":   {Data: []byte("date 2025-10-05 به گزارش تابناک، وزیر دفاع عراق گفت روابط بغداد و واشنگتن وارد مرحله‌ای تازه شده است. او افزود همکاری امنیتی با آمریکا ادامه دارد.")},
		"dollar.txt": {Data: []byte("date 2025-10-05 به گزارش ایسنا، قیمت دلار در بازار آزاد تهران امروز کاهش یافت. فعالان بازار این کاهش را به اخبار مذاکرات نسبت دادند.")},
		"rain.txt":   {Data: []byte("date 2025-10-06 خبرگزاری فارس: بارش باران پاییزی در استان گیلان آغاز شد و هواشناسی از ادامه بارش‌ها تا پایان هفته خبر داد.")},
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestDigestEndToEnd subscribes a group through /digest and runs the
// scheduler of serve over a real store, a real index and composer, and the
// real bot against the fake Bot API, on a fake clock.
func TestDigestEndToEnd(t *testing.T) {
	ctx := t.Context()
	tehran := persian.Tehran()
	day := func(d, h, m int) time.Time { return time.Date(2025, 10, d, h, m, 0, 0, tehran) }
	clock := &testClock{t: day(6, 6, 0)}

	emb := retrieval.NewLocalEmbedder(64)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{Now: clock.now})
	corpus := digestCorpus()
	if _, err := ix.Sync(ctx, corpus); err != nil {
		t.Fatal(err)
	}
	composer := answer.New(ix, answer.Options{Now: clock.now})
	path := filepath.Join(t.TempDir(), digestFile)
	store, err := digest.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { store.Close() }()

	// The bot, polling the fake; a group admin subscribes the group.
	fake, b := runDigestBot(t, ctx, composer, store)
	log := quietLog()
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	group, admin := tgbotapi.Chat{ID: -100, Type: "supergroup"}, tgbotapi.User{ID: 20}
	fake.SetChatAdmins(group.ID, admin.ID)
	fake.PushText(group, admin, "/digest ۰۸:۰۰")
	if _, err := fake.WaitMessages(wctx, group.ID, 1); err != nil {
		t.Fatal(err)
	}
	if sub, ok, _ := store.Get(group.ID); !ok || sub.Time() != "08:00" {
		t.Fatalf("subscription: %+v %v", sub, ok)
	}

	scheduler := func(st *digest.Store) *digest.Scheduler {
		return digest.NewScheduler(st, digestSender(composer, b, st, time.Minute, log), clock.now, tehran, log)
	}
	sched := scheduler(store)
	messages := func() int { return len(fake.Messages(group.ID)) }
	// runAt runs the scheduler at t and checks how many digests it sent
	// and that as many messages arrived; it returns the new messages.
	runAt := func(s *digest.Scheduler, at time.Time, want int) []telegramtest.Sent {
		t.Helper()
		clock.set(at)
		before := messages()
		n, err := s.RunOnce(ctx)
		if err != nil {
			t.Fatalf("RunOnce at %v: %v", at, err)
		}
		msgs := fake.Messages(group.ID)[before:]
		if n != want || len(msgs) != want {
			t.Fatalf("at %v: %d sent, %d messages, want %d", at, n, len(msgs), want)
		}
		return msgs
	}

	runAt(sched, day(6, 7, 59), 0)
	first := runAt(sched, day(6, 8, 0), 1)[0]
	if first.ParseMode != tgbotapi.ModeHTML {
		t.Errorf("parse mode %q", first.ParseMode)
	}
	if err := telegramtest.ValidateHTML(first.Text); err != nil {
		t.Error(err)
	}
	for _, want := range []string{"خلاصه روزانه اخبار", "[۱]", "[۲]", "[۳]", "منابع:", "تابناک", "ایسنا", "فارس", "گیلان", "دلار"} {
		if !strings.Contains(first.Visible, want) {
			t.Errorf("the digest lacks %q:\n%s", want, first.Visible)
		}
	}
	runAt(sched, day(6, 12, 0), 0) // the same day

	// A restart: the store reopened, a new scheduler.
	store.Close()
	if store, err = digest.Open(path); err != nil {
		t.Fatal(err)
	}
	sched = scheduler(store)
	runAt(sched, day(6, 12, 1), 0)
	runAt(sched, day(7, 8, 0), 0) // nothing new arrived

	// A new article arrives on the 7th, after that day's time: the 8th's
	// digest tells it, and only it.
	clock.set(day(7, 14, 0))
	corpus["quake.txt"] = &fstest.MapFile{Data: []byte("date 2025-10-07 به گزارش ایرنا، زلزله‌ای به بزرگی پنج ریشتر شهر بم در استان کرمان را لرزاند و خسارتی گزارش نشد.")}
	if _, err := ix.Sync(ctx, corpus); err != nil {
		t.Fatal(err)
	}
	runAt(sched, day(7, 15, 0), 0)
	next := runAt(sched, day(8, 8, 0), 1)[0]
	for _, want := range []string{"خلاصه روزانه اخبار", "زلزله", "ایرنا", "[۱]"} {
		if !strings.Contains(next.Visible, want) {
			t.Errorf("the next digest lacks %q:\n%s", want, next.Visible)
		}
	}
	for _, old := range []string{"دلار", "گیلان", "[۲]"} {
		if strings.Contains(next.Visible, old) {
			t.Errorf("the next digest repeats %q:\n%s", old, next.Visible)
		}
	}
	runAt(sched, day(8, 9, 0), 0)
}

// TestDigestUnreachableChatIsUnsubscribed: when Telegram says the bot was
// removed from the group, the digest is not retried and the subscription
// is dropped.
func TestDigestUnreachableChatIsUnsubscribed(t *testing.T) {
	ctx := t.Context()
	emb := retrieval.NewLocalEmbedder(64)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{})
	if _, err := ix.Sync(ctx, digestCorpus()); err != nil {
		t.Fatal(err)
	}
	composer := answer.New(ix, answer.Options{})
	store, err := digest.Open(filepath.Join(t.TempDir(), digestFile))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	store.Subscribe(-100, 0, 0)

	fake := telegramtest.New(t, telegramtest.Options{})
	api := fake.Bot(t)
	b := bot.New(api, api.Self, chat.New(composer, quietLog(), chat.Options{}), quietLog(), bot.Options{NoPacing: true})
	fake.FailNext("sendMessage", 1, telegramtest.Failure{Status: 403, Description: "Forbidden: bot was kicked from the supergroup chat"})
	sched := digest.NewScheduler(store, digestSender(composer, b, store, time.Minute, quietLog()), time.Now, persian.Tehran(), quietLog())
	if n, err := sched.RunOnce(ctx); n != 0 || err != nil {
		t.Errorf("RunOnce: %d, %v", n, err)
	}
	if _, ok, _ := store.Get(-100); ok {
		t.Errorf("still subscribed after the bot was kicked")
	}
	if n := len(fake.Calls("sendMessage")); n != 1 {
		t.Errorf("%d sendMessage calls, want 1", n)
	}
}

// TestServeDigests: serve keeps subscriptions in DATA_DIR/digest.db and
// closes it on exit; when DATA_DIR cannot hold the store, the bot still
// serves and /digest says digests are unavailable.
func TestServeDigests(t *testing.T) {
	tests := []struct {
		name   string
		broken bool // digest.db is a folder
		want   string
	}{
		{"store", false, "از این پس خلاصه روزانه"},
		{"no store", true, "خلاصه روزانه در این اجرا در دسترس نیست."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := telegramtest.New(t, telegramtest.Options{})
			data := t.TempDir()
			if tt.broken {
				if err := os.Mkdir(filepath.Join(data, digestFile), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "DATA_DIR", data, "TELEGRAM_BOT_TOKEN", fake.Token(),
				"TELEGRAM_API_ENDPOINT", fake.APIEndpoint(), "LOG_LEVEL", "info")
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var stderr bytes.Buffer
			done := make(chan error, 1)
			go func() { done <- run(ctx, []string{"serve"}, mapenv(vars), strings.NewReader(""), io.Discard, &stderr) }()
			wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
			defer wcancel()
			if err := fake.WaitPolling(wctx); err != nil {
				cancel()
				t.Fatalf("%v\n%v", err, <-done)
			}
			reader := tgbotapi.Chat{ID: 5, Type: "private"}
			fake.PushText(reader, tgbotapi.User{ID: 5}, "/digest 08:00")
			msgs, err := fake.WaitMessages(wctx, reader.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(msgs[0].Visible, tt.want) {
				t.Errorf("/digest: got %q, want %q", msgs[0].Visible, tt.want)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("serve: %v", err)
			}
			if tt.broken {
				if !strings.Contains(stderr.String(), "daily digests are off") {
					t.Errorf("the log does not say digests are off:\n%s", stderr.String())
				}
				return
			}
			// Closed on exit (bbolt would time out on a held lock), and kept.
			store, err := digest.Open(filepath.Join(data, digestFile))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if sub, ok, _ := store.Get(reader.ID); !ok || sub.Time() != "08:00" {
				t.Errorf("after serve: %+v, %v", sub, ok)
			}
		})
	}
}

// runDigestBot starts a bot over composer and the digest store, polling a
// new fake Bot API, and stops it when the test ends.
func runDigestBot(t *testing.T, ctx context.Context, composer *answer.Composer, store *digest.Store) (*telegramtest.Server, *bot.Bot) {
	t.Helper()
	fake := telegramtest.New(t, telegramtest.Options{})
	api := fake.Bot(t)
	log := quietLog()
	b := bot.New(api, api.Self, chat.New(composer, log, chat.Options{Digests: store}), log, bot.Options{
		Token: fake.Token(), APIEndpoint: fake.APIEndpoint(), HTTPClient: fake.Client(), NoPacing: true,
	})
	bctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := b.Run(bctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	t.Cleanup(func() { stop(); wg.Wait() })
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := fake.WaitPolling(wctx); err != nil {
		t.Fatal(err)
	}
	return fake, b
}
