package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	openai "github.com/sashabaranov/go-openai"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/internal/openaitest"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/llm"
	"github.com/khabar/khabar/retrieval"
)

// The reliability tests of issue 7: the whole bot, through the real
// tgbotapi and go-openai clients, against fakes that fail on purpose.

// recObserver records what the bot reports to its metrics.
type recObserver struct {
	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every send and reload
	questions map[string]int
	errs      map[string]map[int]int // method → error code (0: no answer) → count
	reloads   []error
	sends     int
}

var _ observer = (*recObserver)(nil)

func newRecObserver() *recObserver {
	return &recObserver{changed: make(chan struct{}), questions: map[string]int{}, errs: map[string]map[int]int{}}
}

func (o *recObserver) Question(ch, mode string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.questions[ch+"/"+mode]++
}

func (o *recObserver) Stage(stage string, _ time.Duration) {
	if stage != "send" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sends++
	o.broadcastLocked()
}

func (o *recObserver) broadcastLocked() {
	close(o.changed)
	o.changed = make(chan struct{})
}

func (o *recObserver) TelegramError(method string, code int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.errs[method] == nil {
		o.errs[method] = map[int]int{}
	}
	o.errs[method][code]++
}

func (o *recObserver) Reload(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reloads = append(o.reloads, err)
	o.broadcastLocked()
}

// telegramErrors returns the failed calls of method counted by error code.
func (o *recObserver) telegramErrors(method string) map[int]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.errs[method])
}

func (o *recObserver) questionCounts() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.questions)
}

func (o *recObserver) reloadResults() []error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.reloads)
}

// waitSends waits until the bot has delivered n replies (answers and other
// replies, sent or given up on).
func (o *recObserver) waitSends(ctx context.Context, n int) error {
	return o.wait(ctx, fmt.Sprintf("%d replies", n), func() bool { return o.sends >= n })
}

// waitReloads waits until n reloads have ended.
func (o *recObserver) waitReloads(ctx context.Context, n int) error {
	return o.wait(ctx, fmt.Sprintf("%d reloads", n), func() bool { return len(o.reloads) >= n })
}

// wait waits until done, called with o.mu held, reports true.
func (o *recObserver) wait(ctx context.Context, what string, done func() bool) error {
	for {
		o.mu.Lock()
		ok, ch := done(), o.changed
		o.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
	}
}

// logRecorder is a slog handler that keeps the records, and also prints
// them when KHABAR_TEST_LOG is set.
type logRecorder struct {
	mu    *sync.Mutex
	lines *[]logLine
	attrs []slog.Attr
	echo  slog.Handler
}

type logLine struct {
	level slog.Level
	msg   string
	text  string // msg and attributes
}

func newLogRecorder() *logRecorder {
	l := &logRecorder{mu: &sync.Mutex{}, lines: new([]logLine)}
	if os.Getenv("KHABAR_TEST_LOG") != "" {
		l.echo = slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	}
	return l
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (l *logRecorder) Handle(ctx context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range l.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	*l.lines = append(*l.lines, logLine{level: r.Level, msg: r.Message, text: b.String()})
	l.mu.Unlock()
	if l.echo != nil {
		return l.echo.Handle(ctx, r)
	}
	return nil
}

func (l *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	c := *l
	c.attrs = append(slices.Clone(l.attrs), as...)
	if l.echo != nil {
		c.echo = l.echo.WithAttrs(as)
	}
	return &c
}

func (l *logRecorder) WithGroup(string) slog.Handler { return l }

// find returns the records at level with message msg.
func (l *logRecorder) find(level slog.Level, msg string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range *l.lines {
		if line.level == level && line.msg == msg {
			out = append(out, line.text)
		}
	}
	return out
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, line := range *l.lines {
		fmt.Fprintf(&b, "%s %s\n", line.level, line.text)
	}
	return b.String()
}

// rig is a bot on a fake Bot API that reports to a recording observer and
// log.
type rig struct {
	*testBot
	obs  *recObserver
	logs *logRecorder
}

// startRig runs a bot like startBot does, but its API client gives up on a
// request after apiTimeout (0: never), and its metrics and log are
// recorded (by opts.Metrics when it is a *recObserver, which the chat's
// OnReload may share, as main wires them). With a timeout,
// opts.PollTimeout must be shorter.
func startRig(t testing.TB, fake *telegramtest.Server, ch *chat.Chat, opts Options, apiTimeout time.Duration) *rig {
	t.Helper()
	client := fake.Client()
	client.Timeout = apiTimeout
	api, err := tgbotapi.NewBotAPIWithClient(fake.Token(), fake.APIEndpoint(), client)
	if err != nil {
		t.Fatal(err)
	}
	obs, ok := opts.Metrics.(*recObserver)
	if !ok {
		obs = newRecObserver()
		opts.Metrics = obs
	}
	logs := newLogRecorder()
	return &rig{testBot: runBot(t, fake, api, ch, slog.New(logs), opts), obs: obs, logs: logs}
}

// faultClientTimeout is the HTTP timeout of the API client in the fault
// tests; their long polls (faultPoll) are shorter.
const (
	faultClientTimeout = 2 * time.Second
	faultPoll          = time.Second
)

// TestFaultSendMessage: whatever Telegram does to a sendMessage that the
// bot retries, the user gets the answer, exactly once.
func TestFaultSendMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fail telegramtest.Failure
		n    int
		// wantErrs counts the failures the bot reports, by error code (0:
		// no usable answer).
		wantErrs map[int]int
		// minWait is the least time from the first failed call to the
		// answer.
		minWait time.Duration
	}{
		{"500 twice", telegramtest.Failure{Status: http.StatusInternalServerError}, 2, map[int]int{500: 2}, retryMin},
		{"bad gateway page", telegramtest.Failure{Status: http.StatusBadGateway, Body: "<html><body>502 Bad Gateway</body></html>"}, 1, map[int]int{0: 1}, 0},
		{"429 with retry_after", telegramtest.Failure{RetryAfter: 2}, 1, map[int]int{429: 1}, 2 * time.Second},
		{"dropped connection", telegramtest.Failure{Drop: true}, 1, map[int]int{0: 1}, 0},
		{"timeout", telegramtest.Failure{Delay: 3 * faultClientTimeout}, 1, map[int]int{0: 1}, faultClientTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := telegramtest.New(t, telegramtest.Options{})
			r := startRig(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true, PollTimeout: faultPoll}, faultClientTimeout)
			ch, from := privateChat(61), user(61)
			fake.FailNext("sendMessage", tt.n, tt.fail)

			got := exchange(t, fake, ch, from, "پرسش زیر خطا")
			if len(got) != 1 || !strings.Contains(got[0].Visible, "پاسخ به: پرسش زیر خطا") {
				t.Fatalf("got %q, want the answer once", visibles(got))
			}
			checkHTML(t, got[0])
			calls, failed := fake.Calls("sendMessage"), failedCalls(fake, "sendMessage")
			if len(failed) != tt.n || len(calls) != tt.n+2 {
				t.Errorf("got %d sendMessage calls, %d failed; want %d failed, then the answer and the welcome", len(calls), len(failed), tt.n)
			}
			if errs := r.obs.telegramErrors("sendMessage"); !maps.Equal(errs, tt.wantErrs) {
				t.Errorf("counted errors: got %v, want %v", errs, tt.wantErrs)
			}
			if len(failed) > 0 {
				if d := got[0].Time.Sub(failed[0].Time); d < tt.minWait {
					t.Errorf("the answer came %v after the first failure, want at least %v", d, tt.minWait)
				}
			}
		})
	}
}

// TestFaultSendingImpossible: a long run of failed attempts delays the
// replies but loses none (issue 10: the bot used to give up after five);
// a refusal that no retry can fix is logged and counted, and the next
// question is answered.
func TestFaultSendingImpossible(t *testing.T) {
	t.Parallel()
	t.Run("persistent 500s and drops", func(t *testing.T) {
		t.Parallel()
		fake := telegramtest.New(t, telegramtest.Options{})
		r := startFloodRig(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true, PollTimeout: faultPoll})
		// Two chats take turns at ten scripted failures of each kind.
		chats := []tgbotapi.Chat{privateChat(62), privateChat(63)}
		const each = 10
		for range each {
			fake.FailNext("sendMessage", 1, telegramtest.Failure{Status: http.StatusInternalServerError})
			fake.FailNext("sendMessage", 1, telegramtest.Failure{Drop: true})
		}
		for _, c := range chats {
			fake.PushText(c, user(c.ID), "پرسش دیرپاسخ")
		}
		for _, c := range chats {
			if got := waitMessages(t, fake, c.ID, 1); !strings.Contains(got[0].Visible, "پاسخ به: پرسش دیرپاسخ") {
				t.Errorf("chat %d: got %q, want the answer", c.ID, visibles(got))
			}
		}
		want := map[int]int{500: each, 0: each}
		if errs := r.obs.telegramErrors("sendMessage"); !maps.Equal(errs, want) {
			t.Errorf("counted errors: got %v, want %v", errs, want)
		}
		checkLostReplies(t, r, fake, 0)
		for _, c := range chats {
			if got := exchange(t, fake, c, user(c.ID), "پرسش بعدی"); len(got) != 1 || !strings.Contains(got[0].Visible, "پاسخ به: پرسش بعدی") {
				t.Errorf("chat %d after the outage: got %q, want only the next answer", c.ID, visibles(got))
			}
		}
	})
	t.Run("blocked by the user", func(t *testing.T) {
		t.Parallel()
		fake := telegramtest.New(t, telegramtest.Options{})
		r := startRig(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true}, 0)
		ch := privateChat(64)
		fake.FailNext("sendMessage", 1, telegramtest.Failure{Status: http.StatusForbidden}) // not worth a retry
		if got := exchange(t, fake, ch, user(ch.ID), "پرسش بی‌پاسخ"); len(got) != 0 {
			t.Errorf("got %q, want nothing delivered", visibles(got))
		}
		if errs := r.obs.telegramErrors("sendMessage"); !maps.Equal(errs, map[int]int{403: 1}) {
			t.Errorf("counted errors: got %v, want one 403", errs)
		}
		checkLostReplies(t, r, fake, 1)
	})
}

// checkLostReplies checks that n replies were logged as lost, without the
// token.
func checkLostReplies(t *testing.T, r *rig, fake *telegramtest.Server, n int) {
	t.Helper()
	logged := r.logs.find(slog.LevelError, "reply not delivered")
	if len(logged) != n {
		t.Errorf("got %d error logs of lost replies, want %d:\n%s", len(logged), n, r.logs)
	}
	for _, line := range logged {
		if strings.Contains(line, fake.Token()) {
			t.Errorf("the token reached the log: %s", line)
		}
	}
}

// failedCalls returns the calls of method that did not succeed.
func failedCalls(fake *telegramtest.Server, method string) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range fake.Calls(method) {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// TestFaultGetUpdates: polling survives 500s, 429s with retry_after,
// garbage, dropped connections and timeouts, before and while updates
// arrive, and hands each update to the chat exactly once and in order.
// (TestPollingRecoversAndDeletesWebhook covers the plain 500s and a drop.)
func TestFaultGetUpdates(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	chats := []tgbotapi.Chat{privateChat(71), privateChat(72), groupChat(-73)}
	from := user(70)
	var want []string // every question, in push order
	push := func(wave string, n int) {
		for i := range n {
			for _, c := range chats {
				q := fmt.Sprintf("پرسش %s %d از %d", wave, i, c.ID)
				text := q
				if c.ID < 0 {
					text = "/ask@khabar_bot " + q
				}
				fake.PushText(c, from, text)
				want = append(want, q)
			}
		}
	}

	// Wave 1 waits in the queue while the first polls fail.
	fake.FailNext("getUpdates", 1, telegramtest.Failure{Delay: 3 * faultClientTimeout}) // a timeout
	fake.FailNext("getUpdates", 1, telegramtest.Failure{RetryAfter: 1})
	fake.FailNext("getUpdates", 1, telegramtest.Failure{Status: http.StatusBadGateway, Body: "<html>502 Bad Gateway</html>"})
	fake.FailNext("getUpdates", 1, telegramtest.Failure{Status: http.StatusOK, Body: `{"ok":true,"result":[{"update_id":`})
	push("یک", 2)
	r := startRig(t, fake, chat.New(ans, discard(), chat.Options{}), Options{NoPacing: true, PollTimeout: faultPoll}, faultClientTimeout)
	for _, c := range chats {
		waitMessages(t, fake, c.ID, 2)
	}

	// Wave 2 arrives while the polls after the next one fail: it is
	// pushed once the 429 is in, while the bot waits out retry_after.
	fake.FailNext("getUpdates", 1, telegramtest.Failure{Status: http.StatusInternalServerError})
	fake.FailNext("getUpdates", 1, telegramtest.Failure{Drop: true})
	fake.FailNext("getUpdates", 1, telegramtest.Failure{RetryAfter: 1})
	fake.FailNext("getUpdates", 1, telegramtest.Failure{Drop: true})
	push("دو", 1) // ends the pending long poll
	for {
		if f := failedCalls(fake, "getUpdates"); len(f) >= 7 && f[6].ErrorCode == http.StatusTooManyRequests {
			break
		}
		waitCalls(t, fake, "getUpdates", len(fake.Calls("getUpdates"))+1)
	}
	push("سه", 2)
	for _, c := range chats {
		waitMessages(t, fake, c.ID, 5)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	asked := ans.asked()
	if got, wantSorted := slices.Sorted(slices.Values(asked)), slices.Sorted(slices.Values(want)); !slices.Equal(got, wantSorted) {
		t.Errorf("questions handled: got %q, want each of %q once", asked, want)
	}
	for _, c := range chats {
		var wantChat []string
		for _, q := range want {
			if strings.HasSuffix(q, fmt.Sprint(c.ID)) {
				wantChat = append(wantChat, q)
			}
		}
		msgs := fake.Messages(c.ID)
		if len(msgs) != len(wantChat) {
			t.Errorf("chat %d: got %d answers, want %d: %q", c.ID, len(msgs), len(wantChat), visibles(msgs))
			continue
		}
		for i, m := range msgs {
			if !strings.Contains(m.Visible, "پاسخ به: "+wantChat[i]) {
				t.Errorf("chat %d, answer %d: got %q, want the answer to %q", c.ID, i, m.Visible, wantChat[i])
			}
		}
	}
	if n := fake.PendingUpdates(); n != 0 {
		t.Errorf("%d updates left unconfirmed", n)
	}

	// The bot waited out each retry_after before polling again.
	calls := fake.Calls("getUpdates")
	for i, c := range calls[:len(calls)-1] {
		if c.ErrorCode == http.StatusTooManyRequests {
			if d := calls[i+1].Time.Sub(c.Time); d < time.Second {
				t.Errorf("polled again %v after a 429 with retry_after 1", d)
			}
		}
	}
	errs := r.obs.telegramErrors("getUpdates")
	if want := map[int]int{0: 5, 429: 2, 500: 1}; !maps.Equal(errs, want) {
		t.Errorf("counted getUpdates errors: got %v, want %v", errs, want)
	}
	var dropped int
	for _, c := range calls {
		if c.Dropped {
			dropped++
		}
	}
	if dropped < 3 {
		t.Errorf("got %d dropped or abandoned getUpdates, want the timeout and two drops", dropped)
	}
}

// llmReply is the model's answer to iraqQuestion, citing the passage that
// says it.
const (
	iraqQuestion = "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟"
	llmReply     = "وزیر دفاع عراق گفت تداوم روابط بغداد و واشنگتن بر پایه توافق‌نامه چارچوب راهبردی میان دو کشور پیش می‌رود [1]."
	llmTestKey   = "sk-bot-test-0123456789abcdef"
)

// TestFaultLLM: whatever the model's API does, a private question gets an
// answer within the budget: the extractive one with the Persian note when
// the model fails, in the message that showed the streamed text.
func TestFaultLLM(t *testing.T) {
	t.Parallel()
	const budget = 2 * time.Second
	ix := seedIndex(t, copySeeds(t, 10))
	tests := []struct {
		name string
		fail openaitest.Failure
		n    int
		want answer.Mode
	}{
		{"429", openaitest.Failure{Status: http.StatusTooManyRequests}, 10, answer.ModeExtractive},
		{"500", openaitest.Failure{Status: http.StatusInternalServerError}, 10, answer.ModeExtractive},
		{"garbage", openaitest.Failure{Status: http.StatusOK, Body: "{{{ not json"}, 10, answer.ModeExtractive},
		{"dropped", openaitest.Failure{Drop: true}, 10, answer.ModeExtractive},
		{"slow answer", openaitest.Failure{Delay: 10 * budget}, 10, answer.ModeExtractive},
		{"slow stream", openaitest.Failure{StreamStall: 10 * budget}, 10, answer.ModeExtractive},
		{"stream cut every time", openaitest.Failure{StreamCut: true}, 10, answer.ModeExtractive},
		{"stream cut once", openaitest.Failure{StreamCut: true}, 1, answer.ModeGenerated},
		{"no fault", openaitest.Failure{}, 0, answer.ModeGenerated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			oa := openaitest.New(t, openaitest.Options{APIKey: llmTestKey, Chat: func(openai.ChatCompletionRequest) string { return llmReply }})
			oa.FailNext(openaitest.PathChat, tt.n, tt.fail)
			// Without the budget, a slow model would take 5×1.5 s.
			client := llm.New(llm.Config{APIKey: llmTestKey, BaseURL: oa.BaseURL(), Timeout: 1500 * time.Millisecond, Retries: 4,
				MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
			composer := answer.New(ix, answer.Options{LLM: client, Model: "chat-m", Budget: budget})
			fake := telegramtest.New(t, telegramtest.Options{})
			r := startRig(t, fake, chat.New(composer, discard(), chat.Options{}), Options{NoPacing: true}, 0)
			ch, from := privateChat(81), user(81)

			start := time.Now()
			got := exchange(t, fake, ch, from, iraqQuestion)
			if len(got) != 1 {
				t.Fatalf("got %d messages %q, want the answer in one", len(got), visibles(got))
			}
			m := got[0]
			checkHTML(t, m)
			text := visible(m)
			for _, want := range []string{"[۱]", answer.MsgSourcesHeading, "تابناک"} {
				if !strings.Contains(text, want) {
					t.Errorf("the answer lacks %q:\n%s", want, text)
				}
			}
			if fellBack := strings.Contains(text, answer.MsgLLMFallback); fellBack != (tt.want == answer.ModeExtractive) {
				t.Errorf("fallback note shown: %v, want %v:\n%s", fellBack, tt.want == answer.ModeExtractive, text)
			}
			if tt.want == answer.ModeGenerated && !strings.Contains(text, "توافق‌نامه چارچوب راهبردی") {
				t.Errorf("the model's answer is not shown:\n%s", text)
			}
			if modes := r.obs.questionCounts(); modes["private/"+string(tt.want)] != 1 {
				t.Errorf("counted questions: got %v, want one private/%s", modes, tt.want)
			}
			done := m.Time
			if !m.EditTime.IsZero() {
				done = m.EditTime
			}
			// The generative part is bounded by the budget; the rest is
			// the search, the last preview edit's pause and the sends.
			if d := done.Sub(start); d > budget+previewEvery+2*time.Second {
				t.Errorf("answered after %v, want within the %v budget and a little", d, budget)
			}
			if len(oa.Requests(openaitest.PathChat)) == 0 {
				t.Errorf("the model was never asked")
			}
		})
	}
}

// brokenFiles are corpus files the loader must skip, by name.
var brokenFiles = map[string][]byte{
	"bad_utf8.txt": []byte("date 2025-10-01\nبه گزارش ایسنا، \xff\xfe متن خراب."),
	"binary.txt":   {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'},
	"empty.md":     {},
	"wire.jsonl":   append(giraffeLine(), "\n{\"id\": \"broken\", \"text\": \n"...),
}

// giraffeLine is newArticle as a jsonl line.
func giraffeLine() []byte {
	line, err := json.Marshal(map[string]string{"id": "giraffe", "title": "تولد دو زرافه", "source": "ایرنا", "date": "2025-10-12",
		"text": strings.TrimPrefix(newArticle, "date 2025-10-12\n")})
	if err != nil {
		panic(err)
	}
	return line
}

// TestFaultReloadBrokenCorpus: a reload lists the broken files it skipped
// and keeps the rest; a reload of a corpus with no usable article fails
// in Persian and leaves the old index serving.
func TestFaultReloadBrokenCorpus(t *testing.T) {
	t.Parallel()
	dir := copySeeds(t, 6)
	ix := seedIndex(t, dir)
	reload := func(ctx context.Context) (retrieval.Report, error) { return ix.Sync(ctx, os.DirFS(dir)) }
	fake := telegramtest.New(t, telegramtest.Options{})
	obs := newRecObserver()
	ch := chat.New(answer.New(ix, answer.Options{}), discard(), chat.Options{Reload: reload, OnReload: obs.Reload})
	r := startRig(t, fake, ch, Options{Admins: []int64{1}, NoPacing: true, Metrics: obs}, 0)
	admin, adminUser := privateChat(1), user(1)
	reader, readerUser := privateChat(2), user(2)
	for name, data := range brokenFiles {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reloadReport := func() telegramtest.Sent {
		t.Helper()
		msgs := exchange(t, fake, admin, adminUser, "/reload")
		if len(msgs) != 1 {
			t.Fatalf("/reload: got %q, want one message, edited with the report", visibles(msgs))
		}
		m := waitEdits(t, fake, admin.ID, msgs[0].MessageID, 1)
		checkHTML(t, m)
		return m
	}

	report := visible(reloadReport())
	for _, want := range []string{chat.MsgReloadDone, chat.MsgReportSkipped + " (۴)", "bad_utf8.txt: invalid UTF-8", "binary.txt: binary file", "empty.md: empty file", "wire.jsonl:2: "} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	if got := visible(exchange(t, fake, reader, readerUser, newArticleQuestion)[0]); !strings.Contains(got, "زرافه") {
		t.Errorf("the good line of the jsonl file was not added: %q", got)
	}
	if got := visible(exchange(t, fake, reader, readerUser, iraqQuestion)[0]); !strings.Contains(got, "وزیر دفاع عراق") {
		t.Errorf("after the reload: got %q, want the answer", got)
	}

	// Nothing usable left: only broken files.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, broken := brokenFiles[e.Name()]; !broken {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "wire.jsonl"), []byte("{\"id\": \"broken\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := ix.Stats()
	report = visible(reloadReport())
	for _, want := range []string{chat.MsgReloadFailed, chat.MsgReloadNoArticles, "binary.txt"} {
		if !strings.Contains(report, want) {
			t.Errorf("the failed report lacks %q:\n%s", want, report)
		}
	}
	for _, leak := range []string{"no usable articles", "load corpus"} {
		if strings.Contains(report, leak) {
			t.Errorf("the operator error %q reached the admin:\n%s", leak, report)
		}
	}
	if after := ix.Stats(); after.Articles != before.Articles || after.Chunks != before.Chunks {
		t.Errorf("the index changed: %+v, was %+v", after, before)
	}
	for _, q := range []string{iraqQuestion, newArticleQuestion} {
		if got := visible(exchange(t, fake, reader, readerUser, q)[0]); strings.Contains(got, answer.MsgNotFound) {
			t.Errorf("the old index no longer answers %q: %q", q, got)
		}
	}
	results := r.obs.reloadResults()
	if len(results) != 2 || results[0] != nil || !errors.Is(results[1], corpus.ErrNoArticles) {
		t.Errorf("counted reloads: got %v, want one success and one ErrNoArticles", results)
	}
}

// TestReliabilityUnexpectedUpdates: updates of kinds the bot does not ask
// for (Telegram still delivers those made before allowed_updates changed)
// are acknowledged and ignored, and the bot keeps answering, once.
func TestReliabilityUnexpectedUpdates(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	tb := startBot(t, fake, chat.New(ans, discard(), chat.Options{}), Options{NoPacing: true,
		Webhook: Webhook{URL: "https://bot.example/hook", Secret: "s3cr3t-token", Listen: "127.0.0.1:0"}})
	waitCalls(t, fake, "setWebhook", 1)
	for deadline := time.Now().Add(waitFor); !tb.bot.Ready(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the webhook never became ready")
		}
	}
	ch, from := privateChat(91), user(91)
	channel := tgbotapi.Chat{ID: -1009, Type: "channel"}
	tests := []struct {
		name string
		give tgbotapi.Update
	}{
		{"button of an inline message", tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: "1", From: &from, InlineMessageID: "inline-1", Data: "x"}}},
		{"button of a message", tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: "2", From: &from, Message: &tgbotapi.Message{MessageID: 5, Chat: &ch}, Data: "x"}}},
		{"inline query", tgbotapi.Update{InlineQuery: &tgbotapi.InlineQuery{ID: "3", From: &from, Query: "خبر"}}},
		{"edited message", tgbotapi.Update{EditedMessage: &tgbotapi.Message{Chat: &ch, From: &from, Text: "پرسش ویرایش‌شده"}}},
		{"channel post", tgbotapi.Update{ChannelPost: &tgbotapi.Message{Chat: &channel, Text: "@khabar_bot پست کانال"}}},
		{"message without a chat", tgbotapi.Update{Message: &tgbotapi.Message{MessageID: 6, From: &from, Text: "بی‌گفت‌وگو"}}},
		{"poll", tgbotapi.Update{Poll: &tgbotapi.Poll{ID: "4", Question: "؟"}}},
		{"nothing", tgbotapi.Update{}},
	}
	for i, tt := range tests {
		u := tt.give
		u.UpdateID = 100 + i
		body, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(string(body)))
		req.Header.Set(webhookSecretHeader, "s3cr3t-token")
		rec := httptest.NewRecorder()
		tb.bot.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: got %d, want 200", tt.name, rec.Code)
		}
	}
	req, err := fake.NewWebhookRequest(tgbotapi.Update{UpdateID: 200, Message: &tgbotapi.Message{Chat: &ch, From: &from, Text: "پرسش پس از آن‌ها"}})
	if err != nil {
		t.Fatal(err)
	}
	tb.bot.ServeHTTP(httptest.NewRecorder(), req)
	if msgs := waitMessages(t, fake, ch.ID, 1); !strings.Contains(msgs[0].Visible, "پاسخ به: پرسش پس از آن‌ها") {
		t.Errorf("got %q, want the answer", msgs[0].Visible)
	}
	if err := tb.stop(); err != nil {
		t.Fatal(err)
	}
	if got := ans.asked(); !slices.Equal(got, []string{"پرسش پس از آن‌ها"}) {
		t.Errorf("questions: got %q, want only the message's", got)
	}
	if n := len(fake.Messages(ch.ID)) + len(fake.Messages(channel.ID)); n != 1 {
		t.Errorf("got %d messages, want the one answer", n)
	}
}
