package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/bot"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/metrics"
	"github.com/khabar/khabar/retrieval"
)

// fetch GETs url and returns the status and body.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// metricSum adds up the samples of the metric name in a Prometheus text
// exposition whose labels include every one of labels (`chat="private"`).
func metricSum(t *testing.T, exposition, name string, labels ...string) float64 {
	t.Helper()
	var sum float64
	for line := range strings.Lines(exposition) {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, name)
		if !ok || strings.HasPrefix(line, "#") || rest == "" || rest[0] != '{' && rest[0] != ' ' {
			continue
		}
		series, value, ok := strings.Cut(rest, " ")
		if !ok {
			continue
		}
		if rest[0] == '{' {
			end := strings.LastIndexByte(rest, '}')
			series, value = rest[:end+1], strings.TrimSpace(rest[end+1:])
		}
		matched := true
		for _, l := range labels {
			matched = matched && strings.Contains(series, l)
		}
		if !matched {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		sum += v
	}
	return sum
}

// TestOpsEndpoints drives questions through a bot that reports to the
// metrics the ops listener serves: /healthz answers at once, /readyz only
// while the bot receives updates, and /metrics counts the questions, the
// answer time and the failed Bot API calls as they happen.
func TestOpsEndpoints(t *testing.T) {
	emb := retrieval.NewLocalEmbedder(256)
	ix := retrieval.New(emb, emb.Identity(), retrieval.Options{})
	if _, err := ix.Sync(context.Background(), os.DirFS(smallSeeds(t))); err != nil {
		t.Fatal(err)
	}
	m := metrics.New(func() (int, int) { st := ix.Stats(); return st.Articles, st.Chunks })
	fake := telegramtest.New(t, telegramtest.Options{})
	api := fake.Bot(t)
	log := slog.New(slog.DiscardHandler)
	b := bot.New(api, api.Self, chat.New(answer.New(ix, answer.Options{}), log, chat.Options{}), log, bot.Options{
		Token: fake.Token(), APIEndpoint: fake.APIEndpoint(), HTTPClient: fake.Client(),
		PollTimeout: time.Second, NoPacing: true, Metrics: m,
	})
	ops := httptest.NewServer(opsHandler(m, b.Ready, nil))
	defer ops.Close()

	if code, body := fetch(t, ops.URL+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: got %d %q, want 200 ok", code, body)
	}
	if code, _ := fetch(t, ops.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before the bot runs: got %d, want 503", code)
	}
	scrape := func() string {
		t.Helper()
		code, body := fetch(t, ops.URL+"/metrics")
		if code != http.StatusOK {
			t.Fatalf("/metrics: got %d", code)
		}
		return body
	}
	start := scrape()
	if got := metricSum(t, start, "khabar_questions_total"); got != 0 {
		t.Errorf("questions before any was asked: got %v, want 0", got)
	}
	if got := metricSum(t, start, "khabar_index_articles"); got != 2 {
		t.Errorf("khabar_index_articles: got %v, want 2", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	defer stop()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if err := fake.WaitPolling(wctx); err != nil {
		t.Fatal(err)
	}
	if code, body := fetch(t, ops.URL+"/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz while polling: got %d %q, want 200 ready", code, body)
	}

	reader, from := tgbotapi.Chat{ID: 5, Type: "private"}, tgbotapi.User{ID: 5}
	group := tgbotapi.Chat{ID: -50, Type: "supergroup"}
	want := map[int64]int{} // answers expected in each chat
	ask := func(n int) {
		t.Helper()
		for i := range n {
			if i%2 == 0 {
				fake.PushText(reader, from, "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
				want[reader.ID]++
			} else {
				fake.PushText(group, from, "/ask@khabar_bot قیمت دلار چه شد؟")
				want[group.ID]++
			}
		}
		for chat, n := range want {
			if _, err := fake.WaitMessages(wctx, chat, n); err != nil {
				t.Fatal(err)
			}
		}
	}

	ask(3)
	first := scrape()
	if !strings.Contains(first, "# TYPE khabar_questions_total counter") {
		t.Errorf("/metrics lacks khabar_questions_total:\n%s", first)
	}
	if got := metricSum(t, first, "khabar_questions_total"); got != 3 {
		t.Errorf("khabar_questions_total after 3 questions: got %v, want 3\n%s", got, first)
	}
	for _, labels := range [][]string{{`chat="private"`, `mode="extractive"`}, {`chat="group"`}} {
		if got := metricSum(t, first, "khabar_questions_total", labels...); got < 1 {
			t.Errorf("khabar_questions_total%v: got %v, want at least 1", labels, got)
		}
	}
	if got := metricSum(t, first, "khabar_stage_seconds_count", `stage="answer"`); got != 3 {
		t.Errorf("answers timed: got %v, want 3", got)
	}

	// A failed send is counted, the question too; the retry delivers it.
	fake.FailNext("sendMessage", 1, telegramtest.Failure{Status: http.StatusInternalServerError})
	ask(2)
	second := scrape()
	if got := metricSum(t, second, "khabar_questions_total"); got != 5 {
		t.Errorf("khabar_questions_total after 5 questions: got %v, want 5", got)
	}
	if got := metricSum(t, second, "khabar_telegram_errors_total", `method="sendMessage"`, `code="500"`); got != 1 {
		t.Errorf("khabar_telegram_errors_total{sendMessage,500}: got %v, want 1\n%s", got, second)
	}

	stop()
	if code, _ := fetch(t, ops.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz after shutdown: got %d, want 503", code)
	}
	if code, _ := fetch(t, ops.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz after shutdown: got %d, want 200", code)
	}
}
