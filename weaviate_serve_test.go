package main

// INDEX_BACKEND=weaviate in serve and the commands: Weaviate down at
// start (serve retries, /readyz 503 until it is reachable; ask fails after
// a bounded wait) and down mid-query (a polite Persian error, counted in
// khabar_index_errors_total). The tests that need a real Weaviate skip
// without WEAVIATE_URL (`eval "$(scripts/weaviate.sh start)"`).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/metrics"
	"github.com/khabar/khabar/retrieval"
)

// closedURL is the address of a server that has stopped: nothing answers.
func closedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

// fastIndexStart makes the readiness probes of Weaviate quick.
func fastIndexStart(t *testing.T) {
	t.Helper()
	saved := indexBackoff
	indexBackoff.min, indexBackoff.max = 20*time.Millisecond, 100*time.Millisecond
	t.Cleanup(func() { indexBackoff = saved })
}

// testPrefix is a collection prefix no other test uses.
func testPrefix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return "H" + hex.EncodeToString(b)
}

// dropPrefix deletes the collections of prefix in the Weaviate at base
// when the test ends.
func dropPrefix(t *testing.T, base, prefix string) {
	t.Helper()
	t.Cleanup(func() {
		emb := retrieval.NewLocalEmbedder(256)
		cfg := Config{WeaviateURL: base, WeaviateTimeout: 10 * time.Second}
		st, err := openWeaviate(cfg, emb, emb.Identity(), prefix, slog.New(slog.DiscardHandler))
		if err == nil {
			err = st.Drop(context.Background())
		}
		if err != nil {
			t.Logf("collections %s not dropped: %v", prefix, err)
		}
	})
}

// switchProxy forwards to target while up, and drops every connection
// otherwise (a Weaviate that is down).
type switchProxy struct {
	up    atomic.Bool
	proxy *httputil.ReverseProxy
}

func newSwitchProxy(t *testing.T, target string) (*switchProxy, string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &switchProxy{proxy: httputil.NewSingleHostReverseProxy(u)}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func (p *switchProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.up.Load() {
		panic(http.ErrAbortHandler) // the connection is closed unanswered
	}
	p.proxy.ServeHTTP(w, r)
}

// slowURL is a server that answers nothing within WEAVIATE_TIMEOUT.
func slowURL(t *testing.T) string {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv.URL
}

// TestWeaviateDownMidQuery: a question while Weaviate cannot be reached
// (down, or too slow for WEAVIATE_TIMEOUT) gets the polite Persian error,
// not a crash, and the failed search is counted by op in the metrics. No
// real Weaviate is needed.
func TestWeaviateDownMidQuery(t *testing.T) {
	t.Run("down", func(t *testing.T) { questionWhileUnreachable(t, closedURL(t)) })
	t.Run("slow", func(t *testing.T) { questionWhileUnreachable(t, slowURL(t)) })
}

func questionWhileUnreachable(t *testing.T, weaviateURL string) {
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "INDEX_BACKEND", "weaviate", "WEAVIATE_URL", weaviateURL, "WEAVIATE_TIMEOUT", "200ms")
	cfg, err := loadConfig(mapenv(vars))
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.local != nil || a.remote == nil {
		t.Fatalf("INDEX_BACKEND=weaviate made local=%v remote=%v", a.local, a.remote)
	}
	m := metrics.New(nil)
	a.index.observe(m)
	c := chat.New(a.composer, slog.New(slog.DiscardHandler), chat.Options{Summarizer: a.composer})
	reply := c.Handle(context.Background(), chat.Message{ChatID: 3, UserID: 3, Text: "قیمت دلار در تهران"})
	if got := reply.PlainText(); got != chat.MsgInternalError || reply.Outcome != "error" {
		t.Errorf("reply while Weaviate is down: %q (%s), want %q", got, reply.Outcome, chat.MsgInternalError)
	}
	if got := metricSum(t, scrape(t, m), "khabar_index_errors_total", `op="search"`); got != 1 {
		t.Errorf("khabar_index_errors_total{op=search}: got %v, want 1", got)
	}
}

// scrape returns m's exposition.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	ops := httptest.NewServer(opsHandler(m, func() bool { return true }, nil))
	defer ops.Close()
	_, body := fetch(t, ops.URL+"/metrics")
	return body
}

// TestAskFailsWhenWeaviateStaysDown: ask waits a bounded time for an
// unreachable Weaviate, then fails with an error that names it.
func TestAskFailsWhenWeaviateStaysDown(t *testing.T) {
	fastIndexStart(t)
	saved := indexStartWait
	indexStartWait = 300 * time.Millisecond
	t.Cleanup(func() { indexStartWait = saved })
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "INDEX_BACKEND", "weaviate", "WEAVIATE_URL", closedURL(t), "WEAVIATE_TIMEOUT", "200ms")
	_, _, err := runCmd(t, vars, "", "ask", "قیمت دلار")
	if err == nil || !strings.Contains(err.Error(), "Weaviate") || !strings.Contains(err.Error(), "not ready after") {
		t.Fatalf("ask with Weaviate down: %v, want a bounded wait's error", err)
	}
}

// TestServeWaitsForWeaviate: serve starts while Weaviate is down
// (connections dropped), keeps probing with /readyz 503, becomes ready
// once Weaviate is reachable and answers from it; when Weaviate goes down
// again, a question gets the polite error and the failure is counted.
func TestServeWaitsForWeaviate(t *testing.T) {
	base := os.Getenv("WEAVIATE_URL")
	if base == "" {
		t.Skip("WEAVIATE_URL is unset: start a Weaviate with `eval \"$(scripts/weaviate.sh start)\"` to run this test")
	}
	fastStart(t)
	fastIndexStart(t)
	proxy, proxyURL := newSwitchProxy(t, base)
	prefix := testPrefix()
	dropPrefix(t, base, prefix)
	fake := telegramtest.New(t, telegramtest.Options{})
	ops := freeAddr(t)
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", fake.Token(),
		"TELEGRAM_API_ENDPOINT", fake.APIEndpoint(), "LOG_LEVEL", "info", "OPS_LISTEN", ops,
		"INDEX_BACKEND", "weaviate", "WEAVIATE_URL", proxyURL, "WEAVIATE_PREFIX", prefix, "WEAVIATE_TIMEOUT", "2s",
		"ADMIN_USER_IDS", "1")
	var logs syncBuffer
	stop := startServe(t, vars, &logs)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for strings.Count(logs.String(), "weaviate not ready; retrying") < 3 {
		if ctx.Err() != nil {
			t.Fatalf("serve did not retry Weaviate:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := status("http://" + ops + "/healthz"); got != http.StatusOK {
		t.Errorf("/healthz while Weaviate is down: got %d, want 200", got)
	}
	if got := status("http://" + ops + "/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz while Weaviate is down: got %d, want 503", got)
	}
	proxy.up.Store(true)
	for status("http://"+ops+"/readyz") != http.StatusOK {
		if ctx.Err() != nil {
			t.Fatalf("/readyz never answered 200 once Weaviate was up:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	reader := tgbotapi.Chat{ID: 5, Type: "private"}
	fake.PushText(reader, tgbotapi.User{ID: 5}, "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	msgs, err := fake.WaitMessages(ctx, reader.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[0].Visible, "وزیر دفاع عراق") {
		t.Errorf("answer from Weaviate: %q", msgs[0].Visible)
	}

	proxy.up.Store(false)
	fake.PushText(reader, tgbotapi.User{ID: 5}, "قیمت دلار در تهران")
	if msgs, err = fake.WaitMessages(ctx, reader.ID, 2); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	if got := msgs[1].Visible; !strings.Contains(got, chat.MsgInternalError) {
		t.Errorf("reply while Weaviate is down: %q, want %q", got, chat.MsgInternalError)
	}
	// A reload of a changed corpus while Weaviate is down fails politely
	// (an unchanged one would be "done", nothing to write); the old
	// version keeps serving once it is back.
	if err := os.WriteFile(filepath.Join(vars["SEEDS_DIR"], "rain.txt"), []byte("date 2025-10-06 خبرگزاری فارس: بارش باران پاییزی در استان گیلان آغاز شد."), 0o644); err != nil {
		t.Fatal(err)
	}
	admin := tgbotapi.Chat{ID: 1, Type: "private"}
	fake.PushText(admin, tgbotapi.User{ID: 1}, "/reload")
	if _, err := fake.WaitCalls(ctx, "editMessageText", 1); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	if got := fake.Messages(admin.ID)[0].Visible; !strings.Contains(got, chat.MsgReloadFailed) {
		t.Errorf("reload while Weaviate is down: %q, want %q", got, chat.MsgReloadFailed)
	}
	_, body := fetch(t, "http://"+ops+"/metrics")
	if got := metricSum(t, body, "khabar_index_errors_total", `op="search"`); got < 1 {
		t.Errorf("khabar_index_errors_total{op=search}: got %v, want at least 1", got)
	}
	if got := metricSum(t, body, "khabar_index_errors_total", `op="sync"`); got != 1 {
		t.Errorf("khabar_index_errors_total{op=sync}: got %v, want 1", got)
	}
	proxy.up.Store(true)
	fake.PushText(reader, tgbotapi.User{ID: 5}, "قیمت دلار در تهران")
	if msgs, err = fake.WaitMessages(ctx, reader.ID, 3); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	if got := msgs[2].Visible; !strings.Contains(got, "دلار") || strings.Contains(got, chat.MsgInternalError) {
		t.Errorf("answer once Weaviate is back: %q", got)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestCommandsOnWeaviate: index, ask, summary and chat work on a shared
// Weaviate index: a second index embeds and writes nothing, and a command
// run with another DATA_DIR (another machine) answers from it.
func TestCommandsOnWeaviate(t *testing.T) {
	base := os.Getenv("WEAVIATE_URL")
	if base == "" {
		t.Skip("WEAVIATE_URL is unset: start a Weaviate with `eval \"$(scripts/weaviate.sh start)\"` to run this test")
	}
	prefix := testPrefix()
	dropPrefix(t, base, prefix)
	seeds := smallSeeds(t)
	vars := testEnv(t, "SEEDS_DIR", seeds, "INDEX_BACKEND", "weaviate", "WEAVIATE_URL", base, "WEAVIATE_PREFIX", prefix)
	out, _, err := runCmd(t, vars, "", "index")
	if err != nil || !strings.Contains(out, "articles 2, chunks 2: 2 added") || !strings.Contains(out, "2 embedded") {
		t.Fatalf("first index: %v\n%s", err, out)
	}
	if out, _, err = runCmd(t, vars, "", "index"); err != nil || !strings.Contains(out, "2 unchanged; 0 embedded") {
		t.Fatalf("second index: %v\n%s", err, out)
	}
	if _, err := os.Stat(vars["DATA_DIR"] + "/index.snapshot"); err == nil {
		t.Errorf("a snapshot was written with INDEX_BACKEND=weaviate")
	}
	other := testEnv(t, "SEEDS_DIR", seeds, "INDEX_BACKEND", "weaviate", "WEAVIATE_URL", base, "WEAVIATE_PREFIX", prefix)
	if out, _, err = runCmd(t, other, "", "ask", "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟"); err != nil || !strings.Contains(out, "وزیر دفاع عراق") || !strings.Contains(out, "[۱]") {
		t.Errorf("ask: %v\n%s", err, out)
	}
	if out, _, err = runCmd(t, other, "", "summary"); err != nil || !strings.Contains(out, "دلار") {
		t.Errorf("summary: %v\n%s", err, out)
	}
	if out, _, err = runCmd(t, other, "قیمت دلار در تهران\n/stats\n", "chat"); err != nil || !strings.Contains(out, "کاهش یافت") || !strings.Contains(out, "۲") {
		t.Errorf("chat: %v\n%s", err, out)
	}
}

// TestServeStopsWhileWaitingForWeaviate: with nothing at WEAVIATE_URL,
// serve keeps probing (/healthz 200, /readyz 503) and SIGTERM ends the
// wait at once, without an error.
func TestServeStopsWhileWaitingForWeaviate(t *testing.T) {
	fastIndexStart(t)
	fake := telegramtest.New(t, telegramtest.Options{})
	ops := freeAddr(t)
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", fake.Token(),
		"TELEGRAM_API_ENDPOINT", fake.APIEndpoint(), "LOG_LEVEL", "info", "OPS_LISTEN", ops,
		"INDEX_BACKEND", "weaviate", "WEAVIATE_URL", closedURL(t), "WEAVIATE_TIMEOUT", "200ms")
	var logs syncBuffer
	stop := startServe(t, vars, &logs)
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(logs.String(), "weaviate not ready; retrying") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not retry Weaviate:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := status("http://" + ops + "/healthz"); got != http.StatusOK {
		t.Errorf("/healthz while Weaviate is down: got %d, want 200", got)
	}
	if got := status("http://" + ops + "/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz while Weaviate is down: got %d, want 503", got)
	}
	if err := stop(); err != nil {
		t.Errorf("serve stopped while waiting for Weaviate: %v", err)
	}
	if n := len(fake.Calls("getMe")); n != 0 {
		t.Errorf("getMe called %d times before the index was ready", n)
	}
}
