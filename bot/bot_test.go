package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/persian"
)

func TestPrivateQuestionIsAnsweredWithCitations(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	composer := answer.New(seedIndex(t, ""), answer.Options{})
	startBot(t, fake, chat.New(composer, discard(), chat.Options{}), Options{})

	ch, from := privateChat(5), user(5)
	fake.PushText(ch, from, "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	waitMessages(t, fake, ch.ID, 1)
	fake.PushText(ch, from, "/help") // a marker: once answered, nothing else is coming
	msgs := waitMessages(t, fake, ch.ID, 2)

	got := msgs[0]
	checkHTML(t, got)
	for _, want := range []string{"وزیر دفاع عراق", "[۱]", "منابع:", "تابناک", "۶ مهر ۱۴۰۴"} {
		if !strings.Contains(got.Visible, want) {
			t.Errorf("answer lacks %q:\n%s", want, got.Visible)
		}
	}
	if visible(msgs[1]) != helpText(chat.Options{}) {
		t.Errorf("second message: got %q, want the help", visible(msgs[1]))
	}
	// The typing action came first, then the answer.
	var order []string
	for _, c := range fake.Calls("") {
		if c.Method == "sendChatAction" || c.Method == "sendMessage" {
			order = append(order, c.Method+":"+c.Params.Get("action"))
		}
	}
	if len(order) < 2 || order[0] != "sendChatAction:typing" || order[1] != "sendMessage:" {
		t.Errorf("calls: got %q, want typing then the answer", order)
	}
}

func TestGroupEtiquette(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	startBot(t, fake, chat.New(ans, discard(), chat.Options{}), Options{NoPacing: true})
	group, alice := groupChat(-100), user(7)
	me := fake.BotUser()

	fake.PushText(group, alice, "سلام به همه، امروز چه خبر؟")
	fake.PushText(group, alice, "/ask@other_bot دلار چند است؟")
	fake.PushText(group, alice, "/weather")
	ask := fake.PushText(group, alice, "/ask@khabar_bot دلار چند است؟")
	first := waitMessages(t, fake, group.ID, 1)[0]

	replyToBot := fake.PushMessage(tgbotapi.Message{Chat: &group, From: &alice, Text: "و یورو؟",
		ReplyToMessage: &tgbotapi.Message{MessageID: first.MessageID, From: &me, Chat: &group}})
	fake.PushMessage(tgbotapi.Message{Chat: &group, From: &alice, Text: "موافقم",
		ReplyToMessage: &tgbotapi.Message{MessageID: ask.MessageID, From: &alice, Chat: &group}})
	mention := fake.PushText(group, alice, "@khabar_bot طلا چه شد؟")
	bare := fake.PushText(group, alice, "/ask سکه چند است؟")
	msgs := waitMessages(t, fake, group.ID, 4)

	wantAsked := []string{"دلار چند است؟", "و یورو؟", "طلا چه شد؟", "سکه چند است؟"}
	if got := ans.asked(); !slices.Equal(got, wantAsked) {
		t.Errorf("questions: got %q, want %q", got, wantAsked)
	}
	wantReplyTo := []int{ask.MessageID, replyToBot.MessageID, mention.MessageID, bare.MessageID}
	for i, m := range msgs {
		checkHTML(t, m)
		if m.ReplyToMessageID != wantReplyTo[i] {
			t.Errorf("message %d replies to %d, want %d", i, m.ReplyToMessageID, wantReplyTo[i])
		}
		if !strings.Contains(m.Visible, wantAsked[i]) {
			t.Errorf("message %d: got %q, want the answer to %q", i, m.Visible, wantAsked[i])
		}
	}
	if n := len(fake.Messages(group.ID)); n != 4 {
		t.Errorf("got %d messages in the group, want 4", n)
	}
}

func TestNonTextTooLongAndEmpty(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	startBot(t, fake, chat.New(ans, discard(), chat.Options{MaxQuestionChars: 20}), Options{NoPacing: true})
	ch, from := privateChat(9), user(9)
	group := groupChat(-9)

	fake.PushMessage(tgbotapi.Message{Chat: &ch, From: &from, Sticker: &tgbotapi.Sticker{FileID: "s"}})
	fake.PushText(ch, from, strings.Repeat("پرسش ", 10))
	fake.PushText(ch, from, "/ask")
	fake.PushMessage(tgbotapi.Message{Chat: &group, From: &from, Photo: []tgbotapi.PhotoSize{{FileID: "p"}}})
	fake.PushText(group, from, "@khabar_bot")
	msgs := waitMessages(t, fake, ch.ID, 3)
	gmsgs := waitMessages(t, fake, group.ID, 1)

	want := []string{msgNonText, fmt.Sprintf(chat.MsgTooLong, "۲۰"), chat.MsgAskUsage}
	for i, m := range msgs {
		if visible(m) != want[i] {
			t.Errorf("message %d: got %q, want %q", i, visible(m), want[i])
		}
	}
	if got := visible(gmsgs[0]); got != answer.MsgEmptyQuestion {
		t.Errorf("bare mention: got %q, want %q", got, answer.MsgEmptyQuestion)
	}
	if len(gmsgs) != 1 {
		t.Errorf("group: got %q, want one reply (the photo is not for the bot)", visibles(gmsgs))
	}
	if got := ans.asked(); len(got) != 0 {
		t.Errorf("the answerer got %q", got)
	}
}

func TestQuestionRateLimit(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	startBot(t, fake, chat.New(ans, discard(), chat.Options{QuestionsPerMinute: 1, QuestionBurst: 2}), Options{NoPacing: true, Admins: []int64{8}})
	ch, from := privateChat(4), user(4)
	for i := range 5 {
		fake.PushText(ch, from, "پرسش "+strconv.Itoa(i))
	}
	msgs := waitMessages(t, fake, ch.ID, 3)
	want := []string{"پاسخ به: پرسش 0", "پاسخ به: پرسش 1", chat.MsgSlowDown}
	for i, m := range msgs {
		if !strings.HasPrefix(visible(m), want[i]) {
			t.Errorf("message %d: got %q, want %q", i, visible(m), want[i])
		}
	}
	// Admins are not limited.
	admin, adminUser := privateChat(8), user(8)
	for i := range 4 {
		fake.PushText(admin, adminUser, "پرسش "+strconv.Itoa(i))
	}
	waitMessages(t, fake, admin.ID, 4)
}

// TestRateLimitCoversEveryReply: once a user's questions are spent, a
// sticker, /help, an unknown command and a too-long message are not
// answered either (only the first gets the "slow down" reply).
func TestRateLimitCoversEveryReply(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	lim := &countingLimiter{inner: chat.NewRateLimiter(0.01, 1)}
	startBot(t, fake, chat.New(ans, discard(), chat.Options{Limiter: lim, MaxQuestionChars: 20}), Options{NoPacing: true})
	ch, from := privateChat(4), user(4)
	fake.PushText(ch, from, "پرسش")
	fake.PushMessage(tgbotapi.Message{Chat: &ch, From: &from, Sticker: &tgbotapi.Sticker{FileID: "s"}})
	fake.PushText(ch, from, "/help")
	fake.PushText(ch, from, "/nope")
	fake.PushText(ch, from, strings.Repeat("پرسش ", 10))
	waitLimited(t, lim, 4)
	got := visibles(fake.Messages(ch.ID))
	want := []string{"پاسخ به: پرسش", chat.MsgSlowDown}
	if len(got) != len(want) {
		t.Fatalf("got %q, want replies starting %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(strings.TrimPrefix(got[i], rlm), want[i]) {
			t.Errorf("message %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

// countingLimiter counts the messages its inner limiter refuses.
type countingLimiter struct {
	inner   chat.Limiter
	limited atomic.Int64
}

func (l *countingLimiter) Allow(sender int64) (ok, warn bool) {
	ok, warn = l.inner.Allow(sender)
	if !ok {
		l.limited.Add(1)
	}
	return ok, warn
}

// waitLimited waits until the chat has refused n messages for the rate
// limit: every earlier update of a chat has been handled by then.
func waitLimited(t testing.TB, l *countingLimiter, n int64) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for l.limited.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages limited, want %d", l.limited.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSourcesSummaryAndStats(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ix := seedIndex(t, "")
	composer := answer.New(ix, answer.Options{})
	ch := chat.New(composer, discard(), chat.Options{Summarizer: composer, Stats: ix.Stats})
	startBot(t, fake, ch, Options{NoPacing: true, Admins: []int64{1}})
	admin, adminUser := privateChat(1), user(1)
	reader, readerUser := privateChat(2), user(2)

	if got := visible(exchange(t, fake, reader, readerUser, "/sources")[0]); got != chat.MsgNoLastAnswer {
		t.Errorf("/sources first: got %q", got)
	}
	exchange(t, fake, reader, readerUser, "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	sources := exchange(t, fake, reader, readerUser, "/sources")
	summary := exchange(t, fake, reader, readerUser, "/summary")
	refused := exchange(t, fake, reader, readerUser, "/stats")
	stats := exchange(t, fake, admin, adminUser, "/stats")
	for _, m := range slices.Concat(sources, summary, refused, stats) {
		checkHTML(t, m)
	}
	if src := visible(sources[0]); !strings.HasPrefix(src, chat.MsgSourcesHeading) || !strings.Contains(src, chat.MsgScore+" ۰.") {
		t.Errorf("/sources: got %q", src)
	}
	if sum := visible(summary[0]); !strings.HasPrefix(sum, answer.MsgSummaryHeading) || !strings.Contains(sum, "[۱]") {
		t.Errorf("/summary: got %q", sum)
	}
	if got := visible(refused[0]); got != chat.MsgAdminOnly {
		t.Errorf("/stats by a reader: got %q, want %q", got, chat.MsgAdminOnly)
	}
	st := visible(stats[0])
	for _, want := range []string{chat.MsgStatsHeading, fmt.Sprintf(chat.MsgStatsIndex, persian.Itoa(ix.Stats().Articles), persian.Itoa(ix.Stats().Chunks)), fmt.Sprintf(chat.MsgStatsAnswered, "۱", "۰")} {
		if !strings.Contains(st, want) {
			t.Errorf("/stats lacks %q:\n%s", want, st)
		}
	}
}

func TestCommandsRegistered(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{Admins: []int64{77}})
	calls := waitCalls(t, fake, "setMyCommands", 3)
	for _, cmds := range menuCommands(t, calls) {
		for _, cmd := range cmds {
			if !strings.ContainsAny(cmd.Description, "ابپتجدرزسشفکگلمنوهی") {
				t.Errorf("/%s: description %q is not Persian", cmd.Command, cmd.Description)
			}
		}
	}
	byScope := menus(t, calls)
	tests := []struct {
		scope string
		want  []string
	}{
		{"default", []string{"ask", "summary", "sources", "help", "start"}},
		{"all_group_chats", []string{"ask", "summary", "sources", "help"}},
		{"chat:77", []string{"ask", "summary", "sources", "help", "start", "reload", "stats"}},
	}
	for _, tt := range tests {
		if got := byScope[tt.scope]; !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.scope, got, tt.want)
		}
	}
}

func TestLongAnswerIsSplit(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	a := longAnswer(9000)
	startBot(t, fake, chat.New(fixedAnswerer{a}, discard(), chat.Options{}), Options{NoPacing: true})
	ch, from := privateChat(3), user(3)
	fake.PushText(ch, from, "یک پرسش")
	msgs := waitMessages(t, fake, ch.ID, 3)
	fake.PushText(ch, from, "/start")
	all := waitMessages(t, fake, ch.ID, len(msgs)+1)
	parts := all[:len(all)-1]
	if visible(all[len(all)-1]) != chat.MsgWelcome {
		t.Fatalf("last message: got %q, want the welcome", visible(all[len(all)-1]))
	}
	var got strings.Builder
	for i, m := range parts {
		checkHTML(t, m)
		if i > 0 && m.MessageID <= parts[i-1].MessageID {
			t.Errorf("part %d sent out of order", i)
		}
		got.WriteString(visible(m))
	}
	want, _ := telegramtest.VisibleText(answerHTML(a))
	if dropSpace(got.String()) != dropSpace(want) {
		t.Errorf("the parts do not add up to the answer:\ngot  %q\nwant %q", got.String(), want)
	}
}

func TestFloodWaitDelaysTheChat(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{})
	a, b, from := privateChat(11), privateChat(12), user(11)

	fake.FailNext("sendMessage", 1, telegramtest.Failure{RetryAfter: 2})
	fake.PushText(a, from, "پرسش یک")
	failed := waitCalls(t, fake, "sendMessage", 1)[0]
	if failed.OK || failed.ErrorCode != http.StatusTooManyRequests {
		t.Fatalf("first send: got %+v, want the scripted 429", failed)
	}
	fake.PushText(a, from, "پرسش دو")
	fake.PushText(b, user(12), "پرسش دیگر")
	other := waitMessages(t, fake, b.ID, 1)[0]
	msgs := waitMessages(t, fake, a.ID, 2)

	if d := msgs[0].Time.Sub(failed.Time); d < 2*time.Second {
		t.Errorf("the retry came %v after the 429, want at least 2s", d)
	}
	if !other.Time.Before(msgs[0].Time) {
		t.Errorf("another chat waited for this chat's flood wait")
	}
	for i, want := range []string{"پرسش یک", "پرسش دو"} {
		if !strings.Contains(msgs[i].Visible, want) {
			t.Errorf("message %d: got %q, want the answer to %q", i, msgs[i].Visible, want)
		}
	}
}

func TestUnparsableMarkupIsResentAsPlainText(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true})
	ch, from := privateChat(13), user(13)
	fake.FailNext("sendMessage", 1, telegramtest.Failure{Status: 400, Description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3"})
	fake.PushText(ch, from, "پرسش")
	m := waitMessages(t, fake, ch.ID, 1)[0]
	if m.ParseMode != "" || strings.Contains(m.Text, "<b>") || strings.Contains(m.Text, "&amp;") {
		t.Errorf("got %q with parse mode %q, want plain text", m.Text, m.ParseMode)
	}
	if !strings.HasPrefix(m.Text, rlm) || !strings.Contains(m.Text, "منابع:") || !strings.Contains(m.Text, "پاسخ به: پرسش") {
		t.Errorf("plain text: got %q", m.Text)
	}
}

// streamAnswerer writes its answer in pieces through req.Stream.
type streamAnswerer struct {
	pieces []string
	every  time.Duration
}

func (s streamAnswerer) Answer(ctx context.Context, req answer.Request) (answer.Answer, error) {
	text := ""
	for _, p := range s.pieces {
		text += p
		if req.Stream != nil {
			req.Stream(text)
		}
		time.Sleep(s.every)
	}
	return echo(text), nil
}

func TestStreamedAnswerEditsOneMessage(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	s := streamAnswerer{pieces: []string{"وزیر ", "دفاع ", "عراق ", "گفت ", "که <روابط> & همکاری "}, every: 400 * time.Millisecond}
	startBot(t, fake, chat.New(s, discard(), chat.Options{}), Options{})
	ch, from := privateChat(14), user(14)
	fake.PushText(ch, from, "چه گفت؟")
	first := waitMessages(t, fake, ch.ID, 1)[0]
	final := answerHTML(echo(strings.Join(s.pieces, "")))
	got := first
	for got.Text != rlm+final {
		got = waitEdits(t, fake, ch.ID, first.MessageID, len(got.Edits)+1)
	}
	fake.PushText(ch, from, "/start")
	if msgs := waitMessages(t, fake, ch.ID, 2); len(msgs) != 2 || visible(msgs[1]) != chat.MsgWelcome {
		t.Errorf("messages: got %q, want the streamed answer and the welcome", visibles(msgs))
	}
	if !strings.HasPrefix(first.Initial, rlm+"وزیر") {
		t.Errorf("first piece: got %q", first.Initial)
	}
	if len(got.Edits) < 2 {
		t.Errorf("got %d edits, want the growing text and the final answer", len(got.Edits))
	}
	checkHTML(t, got)
	// At most one edit a second, the first counted from the first send.
	times := []time.Time{first.Time}
	for _, c := range fake.Calls("editMessageText") {
		if c.OK {
			times = append(times, c.Time)
		}
	}
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d < previewEvery-10*time.Millisecond {
			t.Errorf("edit %d came %v after the previous one, want at least %v", i, d, previewEvery)
		}
	}
}

func TestWebhook(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	tb := startBot(t, fake, chat.New(ans, discard(), chat.Options{}), Options{NoPacing: true,
		Webhook: Webhook{URL: "https://bot.example/hook", Secret: "s3cr3t-token", Listen: "127.0.0.1:0"}})
	call := waitCalls(t, fake, "setWebhook", 1)[0]
	if url, secret := fake.Webhook(); url != "https://bot.example/hook" || secret != "s3cr3t-token" {
		t.Fatalf("webhook: got %q, %q", url, secret)
	}
	if got := call.Params.Get("allowed_updates"); !strings.Contains(got, `"message"`) {
		t.Errorf("allowed_updates: got %q", got)
	}
	for !tb.bot.Ready() {
		time.Sleep(time.Millisecond)
	}
	ch, from := privateChat(21), user(21)
	update := func(text string) *http.Request {
		req, err := fake.NewWebhookRequest(tgbotapi.Update{Message: &tgbotapi.Message{Chat: &ch, From: &from, Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	serve := func(req *http.Request) int {
		rec := httptest.NewRecorder()
		tb.bot.ServeHTTP(rec, req)
		return rec.Code
	}

	wrong := update("پرسش با رمز نادرست")
	wrong.Header.Set(webhookSecretHeader, "not-the-secret")
	none := update("پرسش بی‌رمز")
	none.Header.Del(webhookSecretHeader)
	get := update("پرسش با GET")
	get.Method = http.MethodGet
	tests := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"wrong secret", wrong, http.StatusUnauthorized},
		{"no secret", none, http.StatusUnauthorized},
		{"GET", get, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		if got := serve(tt.req); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
	right := update("پرسش درست")
	again := right.Clone(context.Background())
	body, _ := right.GetBody()
	again.Body = body
	if got := serve(right); got != http.StatusOK {
		t.Fatalf("right secret: got %d, want 200", got)
	}
	if got := serve(again); got != http.StatusOK {
		t.Errorf("redelivery: got %d, want 200", got)
	}
	msgs := waitMessages(t, fake, ch.ID, 1)
	if !strings.Contains(msgs[0].Visible, "پرسش درست") {
		t.Errorf("got %q", msgs[0].Visible)
	}
	if got := ans.asked(); !slices.Equal(got, []string{"پرسش درست"}) {
		t.Errorf("processed: got %q, want only the request with the right secret, once", got)
	}
	if n := len(fake.Calls("getUpdates")); n != 0 {
		t.Errorf("webhook mode polled %d times", n)
	}
}

// gateAnswerer signals when it starts answering and waits for release.
type gateAnswerer struct {
	started chan string
	release chan struct{}
}

func (g gateAnswerer) Answer(ctx context.Context, req answer.Request) (answer.Answer, error) {
	g.started <- req.Question
	<-g.release
	return echo(req.Question), nil
}

func TestShutdownFinishesInFlightAnswers(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	g := gateAnswerer{started: make(chan string, 1), release: make(chan struct{})}
	tb := startBot(t, fake, chat.New(g, discard(), chat.Options{}), Options{})
	ch, from := privateChat(31), user(31)
	fake.PushText(ch, from, "پرسش آخر")
	<-g.started

	stopped := make(chan error, 1)
	begin := time.Now()
	go func() { stopped <- tb.stop() }()
	select {
	case <-stopped:
		t.Fatal("Run returned while an answer was being written")
	case <-time.After(100 * time.Millisecond):
	}
	close(g.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("shutdown took %v: the long poll was not ended", d)
	}
	if msgs := fake.Messages(ch.ID); len(msgs) != 1 || !strings.Contains(msgs[0].Visible, "پرسش آخر") {
		t.Errorf("messages after shutdown: %q", visibles(msgs))
	}
	if n := fake.PendingUpdates(); n != 0 {
		t.Errorf("%d updates left unconfirmed: they would be handled again", n)
	}
}

func TestPollingRecoversAndDeletesWebhook(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	fake.FailNext("getUpdates", 2, telegramtest.Failure{Status: 500})
	fake.FailNext("getUpdates", 1, telegramtest.Failure{Drop: true})
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true})
	ch, from := privateChat(41), user(41)
	for i := range 3 {
		fake.PushText(ch, from, "پرسش "+strconv.Itoa(i))
	}
	msgs := waitMessages(t, fake, ch.ID, 3)
	for i, m := range msgs {
		if want := "پرسش " + strconv.Itoa(i); !strings.Contains(m.Visible, want) {
			t.Errorf("message %d: got %q, want the answer to %q", i, m.Visible, want)
		}
	}
	if len(fake.Calls("deleteWebhook")) != 1 {
		t.Errorf("deleteWebhook not called before polling")
	}
}

func TestBackoff(t *testing.T) {
	b := &Bot{log: discard(), backoffMin: time.Second, backoffMax: time.Minute}
	tests := []struct {
		name     string
		n        int
		err      error
		min, max time.Duration
	}{
		{"first", 1, fmt.Errorf("x"), 500 * time.Millisecond, time.Second},
		{"third", 3, fmt.Errorf("x"), 2 * time.Second, 4 * time.Second},
		{"capped", 30, fmt.Errorf("x"), 30 * time.Second, time.Minute},
		{"retry_after", 1, &tgbotapi.Error{Code: 429, ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 7}}, 7 * time.Second, 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.backoff(tt.n, tt.err); got < tt.min || got > tt.max {
				t.Errorf("got %v, want %v–%v", got, tt.min, tt.max)
			}
		})
	}
}

func TestAllowedChats(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	startBot(t, fake, chat.New(ans, discard(), chat.Options{}), Options{NoPacing: true, AllowedChats: []int64{-200}})
	allowed, other, stranger := groupChat(-200), groupChat(-300), privateChat(51)
	from := user(51)

	fake.PushText(other, from, "/ask@khabar_bot پرسش در گروه دیگر")
	fake.Push(tgbotapi.Update{MyChatMember: &tgbotapi.ChatMemberUpdated{Chat: groupChat(-400), From: from,
		NewChatMember: tgbotapi.ChatMember{User: &tgbotapi.User{ID: 1000}, Status: "member"}}})
	fake.PushText(allowed, from, "/ask@khabar_bot پرسش در گروه مجاز")
	fake.PushText(stranger, from, "پرسش خصوصی")
	waitMessages(t, fake, allowed.ID, 1)
	waitMessages(t, fake, stranger.ID, 1)
	left := waitCalls(t, fake, "leaveChat", 2)
	var ids []string
	for _, c := range left {
		ids = append(ids, c.Params.Get("chat_id"))
	}
	slices.Sort(ids)
	if want := []string{"-300", "-400"}; !slices.Equal(ids, want) {
		t.Errorf("left: got %q, want %q", ids, want)
	}
	if n := len(fake.Messages(other.ID)); n != 0 {
		t.Errorf("answered %d times in a chat that is not allowed", n)
	}
	if slices.Contains(ans.asked(), "پرسش در گروه دیگر") {
		t.Errorf("a question from a chat that is not allowed was answered")
	}
}

func TestQueueKeepsChatOrderAndIsolatesSlowChats(t *testing.T) {
	var mu sync.Mutex
	done := map[int64][]int{}
	var finished []int64
	release := make(chan struct{})
	q := newQueue(4, 64, 50, func(u tgbotapi.Update) {
		ch := u.Message.Chat.ID
		if ch == 1 && u.UpdateID == 1 {
			<-release // chat 1 is stuck on its first update
		}
		mu.Lock()
		done[ch] = append(done[ch], u.UpdateID)
		finished = append(finished, ch)
		mu.Unlock()
	})
	id := 0
	for range 5 {
		for ch := int64(1); ch <= 6; ch++ {
			id++
			c := tgbotapi.Chat{ID: ch}
			if err := q.submit(context.Background(), tgbotapi.Update{UpdateID: id, Message: &tgbotapi.Message{Chat: &c}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(waitFor)
	for {
		mu.Lock()
		n := len(finished)
		mu.Unlock()
		if n == 25 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	if len(finished) != 25 || len(done[1]) != 0 {
		t.Errorf("while chat 1 was stuck: %d updates of other chats done, %d of chat 1; want 25 and 0", len(finished), len(done[1]))
	}
	mu.Unlock()
	close(release)
	q.close()
	for ch, ids := range done {
		if !slices.IsSorted(ids) || len(ids) != 5 {
			t.Errorf("chat %d: got updates %v, want 5 in order", ch, ids)
		}
	}
	c := tgbotapi.Chat{ID: 1}
	if err := q.submit(context.Background(), tgbotapi.Update{Message: &tgbotapi.Message{Chat: &c}}); err == nil {
		t.Errorf("submit after close succeeded")
	}
}
