package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

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

func TestServeHidesTheTokenInErrors(t *testing.T) {
	const token = "123456:very-secret-token"
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", token,
		"TELEGRAM_API_ENDPOINT", "http://127.0.0.1:1/bot%s/%s")
	_, logs, err := runCmd(t, vars, "", "serve")
	if err == nil {
		t.Fatal("serve against a closed port succeeded")
	}
	if strings.Contains(err.Error(), "very-secret-token") || strings.Contains(logs, "very-secret-token") {
		t.Errorf("the token leaked: %v\n%s", err, logs)
	}
}
