package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/internal/telegramtest"
)

func TestServeAnswersReloadsAndStops(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ops := freeAddr(t)
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", fake.Token(),
		"TELEGRAM_API_ENDPOINT", fake.APIEndpoint(), "ADMIN_USER_IDS", "1", "LOG_LEVEL", "info", "OPS_LISTEN", ops)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		// No command: with a token, khabar serves.
		done <- run(ctx, nil, mapenv(vars), strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := fake.WaitPolling(wctx); err != nil {
		cancel()
		t.Fatalf("%v\n%s", err, <-done)
	}

	reader := tgbotapi.Chat{ID: 5, Type: "private"}
	fake.PushText(reader, tgbotapi.User{ID: 5}, "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	msgs, err := fake.WaitMessages(wctx, reader.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m := msgs[0]; m.ParseMode != "HTML" || !strings.Contains(m.Visible, "وزیر دفاع عراق") || !strings.Contains(m.Visible, "[۱]") {
		t.Errorf("answer: %q (%s)", m.Visible, m.ParseMode)
	}
	admin := tgbotapi.Chat{ID: 1, Type: "private"}
	fake.PushText(admin, tgbotapi.User{ID: 1}, "/reload")
	if _, err := fake.WaitCalls(wctx, "editMessageText", 1); err != nil {
		t.Fatal(err)
	}
	if got := fake.Messages(admin.ID)[0].Visible; !strings.Contains(got, "بارگذاری انجام شد") {
		t.Errorf("reload report: %q", got)
	}
	if cmds := fake.Commands(); len(cmds) == 0 {
		t.Errorf("no commands registered")
	}
	// The ops listener: ready, counting, and what `khabar health` checks.
	for path, want := range map[string]string{"/readyz": "ready", "/metrics": `khabar_questions_total{chat="private",mode="extractive"} 1`} {
		if body := get(t, "http://"+ops+path); !strings.Contains(body, want) {
			t.Errorf("%s lacks %q:\n%s", path, want, body)
		}
	}
	if out, _, err := runCmd(t, vars, "", "health"); err != nil || strings.TrimSpace(out) != "ok" {
		t.Errorf("health: %q, %v", out, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs := stderr.String()
	if strings.Contains(logs, fake.Token()) || strings.Contains(logs, "test-token") {
		t.Errorf("the token reached the logs:\n%s", logs)
	}
	for _, want := range []string{"privacy mode", "receiving updates by long polling"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body)
}

func TestServeNeedsAToken(t *testing.T) {
	if _, _, err := runCmd(t, testEnv(t), "", "serve"); !errors.Is(err, errNoToken) {
		t.Errorf("got %v, want errNoToken", err)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// fastStart makes serve's getMe retries quick for the test.
func fastStart(t *testing.T) {
	t.Helper()
	saved := startBackoff
	startBackoff.min, startBackoff.max = time.Millisecond, 20*time.Millisecond
	t.Cleanup(func() { startBackoff = saved })
}

// startServe runs serve in the background; stop cancels it and returns
// its error.
func startServe(t *testing.T, vars map[string]string, logs io.Writer) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, mapenv(vars), strings.NewReader(""), &bytes.Buffer{}, logs)
	}()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				err = errors.New("serve did not stop")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// status GETs url and returns the status code (0 when nothing answers).
func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeWaitsForTelegram: getMe failing at start (the network is not
// up yet) is retried, with the token kept out of the logs; until it
// answers /readyz is 503 while /healthz and `khabar health` pass; then the
// bot serves.
func TestServeWaitsForTelegram(t *testing.T) {
	fastStart(t)
	fake := telegramtest.New(t, telegramtest.Options{})
	release, held := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	var mu sync.Mutex
	calls := 0
	fake.Handle("getMe", func(telegramtest.Call) (any, *telegramtest.Failure) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		switch {
		case n == 1:
			return nil, &telegramtest.Failure{Drop: true}
		case n <= 3:
			return nil, &telegramtest.Failure{Status: http.StatusBadGateway, Description: "Bad Gateway"}
		case n == 4:
			close(held)
		}
		<-release
		return fake.BotUser(), nil
	})
	ops := freeAddr(t)
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", fake.Token(),
		"TELEGRAM_API_ENDPOINT", fake.APIEndpoint(), "LOG_LEVEL", "info", "OPS_LISTEN", ops)
	var logs syncBuffer
	stop := startServe(t, vars, &logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case <-held:
	case <-ctx.Done():
		t.Fatalf("getMe was not retried:\n%s", logs.String())
	}
	// The fourth getMe is held: serve is up but not connected.
	if got := status("http://" + ops + "/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz while getMe fails: got %d, want 503", got)
	}
	if out, _, err := runCmd(t, vars, "", "health"); err != nil || strings.TrimSpace(out) != "ok" {
		t.Errorf("health while connecting: %q, %v", out, err)
	}
	releaseOnce.Do(func() { close(release) })
	if err := fake.WaitPolling(ctx); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	if got := status("http://" + ops + "/readyz"); got != http.StatusOK {
		t.Errorf("/readyz once connected: got %d, want 200", got)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	out := logs.String()
	if got := strings.Count(out, "telegram getMe failed; retrying"); got != 3 {
		t.Errorf("got %d retry warnings, want 3:\n%s", got, out)
	}
	if strings.Contains(out, fake.Token()) || strings.Contains(out, "test-token") {
		t.Errorf("the token reached the logs:\n%s", out)
	}
}

// TestServeStopsWhileWaitingForTelegram: SIGTERM while getMe cannot reach
// the Bot API ends serve at once, without an error and without the token
// in the logs.
func TestServeStopsWhileWaitingForTelegram(t *testing.T) {
	fastStart(t)
	const token = "123456:very-secret-token"
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", token,
		"TELEGRAM_API_ENDPOINT", "http://127.0.0.1:1/bot%s/%s", "LOG_LEVEL", "info")
	var logs syncBuffer
	stop := startServe(t, vars, &logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for strings.Count(logs.String(), "telegram getMe failed") < 3 {
		select {
		case <-ctx.Done():
			t.Fatalf("no retries:\n%s", logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := stop(); err != nil {
		t.Errorf("serve stopped while connecting: got %v, want nil", err)
	}
	if strings.Contains(logs.String(), "very-secret-token") {
		t.Errorf("the token leaked:\n%s", logs.String())
	}
}

// TestServeRevokedTokenFailsHealth: a token Telegram rejects (401), at
// start or later from getUpdates, makes /healthz and so `khabar health`
// (the container's HEALTHCHECK) fail instead of staying green, and
// /readyz 503; a successful call makes them pass again.
func TestServeRevokedTokenFailsHealth(t *testing.T) {
	fastStart(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("at start", func(t *testing.T) {
		fake := telegramtest.New(t, telegramtest.Options{})
		ops := freeAddr(t)
		vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", "999:revoked-token",
			"TELEGRAM_API_ENDPOINT", fake.APIEndpoint(), "OPS_LISTEN", ops)
		var logs syncBuffer
		startServe(t, vars, &logs)
		// The second getMe is sent after the first 401 was read.
		if _, err := fake.WaitCalls(ctx, "getMe", 2); err != nil {
			t.Fatal(err)
		}
		_, _, err := runCmd(t, vars, "", "health")
		if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "rejected the bot token") {
			t.Errorf("health with a revoked token: got %v, want a 503 naming the token", err)
		}
		if got := status("http://" + ops + "/readyz"); got != http.StatusServiceUnavailable {
			t.Errorf("/readyz: got %d, want 503", got)
		}
		if !strings.Contains(logs.String(), "level=ERROR") || strings.Contains(logs.String(), "revoked-token") {
			t.Errorf("want an ERROR without the token:\n%s", logs.String())
		}
	})

	t.Run("later", func(t *testing.T) {
		fake := telegramtest.New(t, telegramtest.Options{})
		ops := freeAddr(t)
		vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", fake.Token(),
			"TELEGRAM_API_ENDPOINT", fake.APIEndpoint(), "OPS_LISTEN", ops, "TELEGRAM_POLL_TIMEOUT", "1s")
		var logs syncBuffer
		startServe(t, vars, &logs)
		if err := fake.WaitPolling(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := runCmd(t, vars, "", "health"); err != nil {
			t.Fatalf("health while polling: %v", err)
		}
		// Revoked: every getUpdates answers 401 from now on.
		var mu sync.Mutex
		revoked := 0
		twice := make(chan struct{})
		fake.Handle("getUpdates", func(telegramtest.Call) (any, *telegramtest.Failure) {
			mu.Lock()
			defer mu.Unlock()
			if revoked++; revoked == 2 {
				close(twice) // the first 401 has been read
			}
			return nil, &telegramtest.Failure{Status: http.StatusUnauthorized, Description: "Unauthorized"}
		})
		// End the pending long poll, so that the next one meets the 401,
		// with group chatter the bot ignores: no other call succeeds
		// meanwhile (with a revoked token none would).
		fake.PushText(tgbotapi.Chat{ID: -70, Type: "supergroup"}, tgbotapi.User{ID: 5}, "سلام به همه")
		select {
		case <-twice:
		case <-ctx.Done():
			t.Fatalf("getUpdates not retried:\n%s", logs.String())
		}
		_, _, err := runCmd(t, vars, "", "health")
		if err == nil || !strings.Contains(err.Error(), "rejected the bot token") {
			t.Errorf("health after getUpdates answered 401: got %v, want a failure naming the token", err)
		}
		// Accepted again: the next poll and the reply succeed.
		fake.Handle("getUpdates", nil)
		reader := tgbotapi.Chat{ID: 5, Type: "private"}
		fake.PushText(reader, tgbotapi.User{ID: 5}, "سلام")
		if _, err := fake.WaitMessages(ctx, reader.ID, 1); err != nil {
			t.Fatalf("%v\n%s", err, logs.String())
		}
		if _, _, err := runCmd(t, vars, "", "health"); err != nil {
			t.Errorf("health after a successful poll: %v", err)
		}
	})
}

// TestServeRunsWithADamagedDigestStore: a truncated digest.db (bbolt
// panicked on it at every start: exit 2, a crash loop) leaves the bot
// answering, with an ERROR naming the file, and /digest unavailable.
func TestServeRunsWithADamagedDigestStore(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", fake.Token(),
		"TELEGRAM_API_ENDPOINT", fake.APIEndpoint())
	path := filepath.Join(vars["DATA_DIR"], digestFile)
	st, err := digest.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		st.Subscribe(int64(-100-i), 8, 0)
	}
	st.Close()
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)/2], 0o600)

	var logs syncBuffer
	stop := startServe(t, vars, &logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitPolling(ctx); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	reader := tgbotapi.Chat{ID: 5, Type: "private"}
	fake.PushText(reader, tgbotapi.User{ID: 5}, "/digest 08:00")
	msgs, err := fake.WaitMessages(ctx, reader.ID, 1)
	if err != nil || !strings.Contains(msgs[0].Visible, "در دسترس نیست") {
		t.Errorf("/digest with no store: %v %+v", err, msgs)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "digest store is damaged") || !strings.Contains(out, digestFile) {
		t.Errorf("want an ERROR naming the damaged store:\n%s", out)
	}
}
