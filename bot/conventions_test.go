package bot

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/retrieval"
)

// Telegram's conventions, each through the real client against the fake
// Bot API: anonymous admins and channel senders, forum topics, group
// upgrades, captions, replies of many parts.

// The service bots that sign messages sent as a chat.
var (
	groupAnonymousBot = tgbotapi.User{ID: 1087968824, IsBot: true, FirstName: "Group", UserName: "GroupAnonymousBot"}
	channelBot        = tgbotapi.User{ID: 136817688, IsBot: true, FirstName: "Channel", UserName: "Channel_Bot"}
)

// longAnswerer answers with a text that needs several messages.
type longAnswerer struct{}

func (longAnswerer) Answer(_ context.Context, req answer.Request) (answer.Answer, error) {
	a := echo(req.Question)
	a.Text = strings.Repeat("این جمله‌ای بلند از پاسخ است که بارها تکرار می‌شود [۱]. ", 150)
	return a, nil
}

// fixedSummarizer always gives the same summary.
type fixedSummarizer struct{ s answer.Summary }

func (f fixedSummarizer) Summarize(context.Context, answer.SummaryRequest) (answer.Summary, error) {
	return f.s, nil
}

func oneStory() answer.Summary {
	p := retrieval.Passage{Chunk: retrieval.Chunk{ArticleID: "a", Title: "عنوان", Source: "فارس"}}
	return answer.Summary{Period: "۱۳ مهر ۱۴۰۴", Stories: []answer.Story{{Text: "خبر روز [۱]"}},
		Sources: []answer.Source{{N: 1, Passage: p}}}
}

// TestAnonymousAdminsAndChannels: a message of an anonymous group admin
// (signed by GroupAnonymousBot, sent as the group) may set the digest
// without a getChatMember check; a message sent as a channel is answered
// like a user's, limited per channel, and may not manage the group.
func TestAnonymousAdminsAndChannels(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	st := openStore(t)
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{Digests: st, QuestionsPerMinute: 0.01, QuestionBurst: 2}), Options{NoPacing: true})
	group := groupChat(-500)
	chanA := tgbotapi.Chat{ID: -100901, Type: "channel", Title: "کانال الف"}
	chanB := tgbotapi.Chat{ID: -100902, Type: "channel", Title: "کانال ب"}
	push := func(from tgbotapi.User, as tgbotapi.Chat, text string) tgbotapi.Message {
		return fake.PushMessage(tgbotapi.Message{Chat: &group, From: &from, SenderChat: &as, Text: text})
	}
	steps := []struct {
		name string
		from tgbotapi.User
		as   tgbotapi.Chat
		text string
		want string
	}{
		{"an anonymous admin sets the digest", groupAnonymousBot, group, "/digest 08:00", fmt.Sprintf(chat.MsgDigestSet, "۰۸:۰۰")},
		{"a channel asks", channelBot, chanA, "/ask یک", "پاسخ به: یک"},
		{"the channel asks again", channelBot, chanA, "/ask دو", "پاسخ به: دو"},
		{"the channel is limited", channelBot, chanA, "/ask سه", chat.MsgSlowDown},
		{"another channel may not manage the group", channelBot, chanB, "/digest 09:00", chat.MsgDigestRefused},
		{"the other channel has its own limit", channelBot, chanB, "/ask چهار", "پاسخ به: چهار"},
	}
	var asked []tgbotapi.Message
	for _, s := range steps {
		asked = append(asked, push(s.from, s.as, s.text))
	}
	msgs := waitMessages(t, fake, group.ID, len(steps))
	for i, s := range steps {
		if got := visible(msgs[i]); !strings.HasPrefix(got, s.want) {
			t.Errorf("%s: got %q, want %q", s.name, got, s.want)
		}
		if msgs[i].ReplyToMessageID != asked[i].MessageID {
			t.Errorf("%s: replies to %d, want %d", s.name, msgs[i].ReplyToMessageID, asked[i].MessageID)
		}
	}
	if got := setting(t, st, group.ID); got != "08:00" {
		t.Errorf("digest setting: got %q, want 08:00", got)
	}
	if n := len(fake.Calls("getChatMember")); n != 0 {
		t.Errorf("%d getChatMember calls: an anonymous admin is the group's admin, a channel never is", n)
	}
}

// TestForumTopics: the topic of a message goes into every send of its
// conversation: typing, each part of a long answer (each replying to the
// question), /summary, a reload report sent anew when the edit fails, and
// the digest subscribed from the topic.
func TestForumTopics(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	st := openStore(t)
	reload := func(context.Context) (retrieval.Report, error) { return retrieval.Report{Articles: 3}, nil }
	ch := chat.New(longAnswerer{}, discard(), chat.Options{Digests: st, Summarizer: fixedSummarizer{oneStory()}, Reload: reload})
	tb := startBot(t, fake, ch, Options{NoPacing: true, Admins: []int64{1}})
	forum := groupChat(-600)
	admin := user(1)
	const topic = 42
	inTopic := func(text string) tgbotapi.Message {
		return fake.PushMessageExtra(tgbotapi.Message{Chat: &forum, From: &admin, Text: text}, telegramtest.Topic(topic))
	}
	check := func(what string, msgs []telegramtest.Sent, replyTo int) {
		t.Helper()
		for i, m := range msgs {
			if m.MessageThreadID != topic {
				t.Errorf("%s, message %d: thread %d, want %d", what, i, m.MessageThreadID, topic)
			}
			if m.ReplyToMessageID != replyTo {
				t.Errorf("%s, message %d: replies to %d, want %d", what, i, m.ReplyToMessageID, replyTo)
			}
		}
	}

	q := inTopic("/ask پرسش بلند")
	fake.PushText(forum, admin, "/start") // in no topic: ends the exchange
	msgs := waitMessages(t, fake, forum.ID, 3)
	for visible(msgs[len(msgs)-1]) != chat.MsgWelcome {
		msgs = waitMessages(t, fake, forum.ID, len(msgs)+1)
	}
	parts := msgs[:len(msgs)-1]
	if len(parts) < 2 {
		t.Fatalf("the long answer came in %d message(s)", len(parts))
	}
	check("answer", parts, q.MessageID)
	if welcome := msgs[len(msgs)-1]; welcome.MessageThreadID != 0 {
		t.Errorf("a message outside the topic answered in thread %d", welcome.MessageThreadID)
	}
	actions := fake.Calls("sendChatAction")
	if len(actions) == 0 {
		t.Fatal("no typing action")
	}
	for _, c := range actions {
		if got := c.Params.Get("message_thread_id"); got != fmt.Sprint(topic) {
			t.Errorf("typing: message_thread_id %q, want %d", got, topic)
		}
	}

	before := len(fake.Messages(forum.ID))
	q = inTopic("/summary")
	check("summary", waitMessages(t, fake, forum.ID, before+1)[before:], q.MessageID)

	before = len(fake.Messages(forum.ID))
	q = inTopic("/digest 08:00")
	check("digest command", waitMessages(t, fake, forum.ID, before+1)[before:], q.MessageID)
	sub, ok, err := st.Get(forum.ID)
	if err != nil || !ok || sub.Thread != topic {
		t.Fatalf("subscription: %+v, %v, %v; want thread %d", sub, ok, err, topic)
	}
	before = len(fake.Messages(forum.ID))
	if err := tb.bot.SendDigest(t.Context(), forum.ID, sub.Thread, oneStory()); err != nil {
		t.Fatal(err)
	}
	check("digest", fake.Messages(forum.ID)[before:], 0)

	before = len(fake.Messages(forum.ID))
	fake.FailNext("editMessageText", 1, telegramtest.Failure{Status: 400, Description: "Bad Request: message to edit not found"})
	q = inTopic("/reload")
	msgs = waitMessages(t, fake, forum.ID, before+2)[before:]
	check("reload", msgs, q.MessageID)
	if got := msgs[1].Initial; !strings.HasPrefix(strings.TrimPrefix(got, rlm), chat.MsgReloadDone) {
		t.Errorf("reload report sent anew: got %q", got)
	}
}

// TestForumTopicByWebhook: the topic is read from webhook updates too.
func TestForumTopicByWebhook(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	tb := startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true,
		Webhook: Webhook{URL: "https://bot.example/hook", Secret: "s3cr3t-token", Listen: "127.0.0.1:0"}})
	waitCalls(t, fake, "setWebhook", 1)
	for !tb.bot.Ready() {
		time.Sleep(time.Millisecond)
	}
	forum, from := groupChat(-610), user(3)
	req, err := fake.NewWebhookRequestExtra(tgbotapi.Update{Message: &tgbotapi.Message{Chat: &forum, From: &from, Text: "/ask پرسش"}}, telegramtest.Topic(7))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	tb.bot.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("webhook: %d", rec.Code)
	}
	if m := waitMessages(t, fake, forum.ID, 1)[0]; m.MessageThreadID != 7 {
		t.Errorf("thread %d, want 7", m.MessageThreadID)
	}
}

// TestReplyThreadIsNotATopic: a message_thread_id without
// is_topic_message (a reply thread of an ordinary group) is not sent
// back: Telegram would refuse it.
func TestReplyThreadIsNotATopic(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true})
	group, from := groupChat(-620), user(3)
	fake.PushMessageExtra(tgbotapi.Message{Chat: &group, From: &from, Text: "/ask پرسش"}, telegramtest.Extra{MessageThreadID: 5})
	if m := waitMessages(t, fake, group.ID, 1)[0]; m.MessageThreadID != 0 || !strings.HasPrefix(visible(m), "پاسخ به: پرسش") {
		t.Errorf("got %q in thread %d, want the answer outside any thread", visible(m), m.MessageThreadID)
	}
}

// TestEveryPartReplies: in a group, every part of a long answer replies
// to the question, not only the first.
func TestEveryPartReplies(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, chat.New(longAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true})
	group, from := groupChat(-630), user(3)
	msgs := exchange(t, fake, group, from, "/ask پرسش بلند")
	if len(msgs) < 2 {
		t.Fatalf("the long answer came in %d message(s)", len(msgs))
	}
	q := msgs[0].ReplyToMessageID
	for i, m := range msgs {
		if m.ReplyToMessageID != q || q == 0 {
			t.Errorf("part %d replies to %d, want %d", i, m.ReplyToMessageID, q)
		}
	}
}

// TestCaptions: a photo's caption is its text: a question in private, and
// in a group a caption that mentions the bot or starts with /ask.
func TestCaptions(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	ans := &echoAnswerer{}
	startBot(t, fake, chat.New(ans, discard(), chat.Options{}), Options{NoPacing: true})
	photo := []tgbotapi.PhotoSize{{FileID: "p", Width: 1, Height: 1}}
	private, group, from := privateChat(3), groupChat(-640), user(3)
	mentionText := "@khabar_bot این کیست؟"
	tests := []struct {
		name string
		give tgbotapi.Message
		want string // "" for no reply
	}{
		{"private question", tgbotapi.Message{Chat: &private, From: &from, Photo: photo, Caption: "این کیست؟"}, "پاسخ به: این کیست؟"},
		{"group mention", tgbotapi.Message{Chat: &group, From: &from, Photo: photo, Caption: mentionText, CaptionEntities: mention(mentionText, "khabar_bot")}, "پاسخ به: این کیست؟"},
		{"group /ask", tgbotapi.Message{Chat: &group, From: &from, Photo: photo, Caption: "/ask این کجاست؟"}, "پاسخ به: این کجاست؟"},
		{"group chatter", tgbotapi.Message{Chat: &group, From: &from, Photo: photo, Caption: "عکس دیروز"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := exchangeMessage(t, fake, tt.give)
			switch {
			case tt.want == "" && len(msgs) != 0:
				t.Errorf("got %q, want no reply", visibles(msgs))
			case tt.want != "" && (len(msgs) != 1 || !strings.HasPrefix(visible(msgs[0]), tt.want)):
				t.Errorf("got %q, want %q", visibles(msgs), tt.want)
			}
		})
	}
}

// TestGroupUpgrade: when a group becomes a supergroup, by the service
// messages or by the 400 a send meets, the bot stays in it although only
// the old id is allowed, the reply is re-sent there, and the digest
// subscription takes the new id.
func TestGroupUpgrade(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	st := openStore(t)
	tb := startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{Digests: st}),
		Options{NoPacing: true, AllowedChats: []int64{-700, -800, -850}})
	from := user(3)

	t.Run("service messages", func(t *testing.T) {
		old, super := tgbotapi.Chat{ID: -700, Type: "group"}, groupChat(-100700)
		if err := st.Subscribe(old.ID, 8, 0); err != nil {
			t.Fatal(err)
		}
		fake.MigrateChat(old.ID, super.ID)
		fake.PushMessage(tgbotapi.Message{Chat: &old, From: &from, MigrateToChatID: super.ID})
		fake.PushMessage(tgbotapi.Message{Chat: &super, From: &from, MigrateFromChatID: old.ID})
		if got := exchange(t, fake, super, from, "/ask پرسش"); len(got) != 1 || !strings.HasPrefix(visible(got[0]), "پاسخ به: پرسش") {
			t.Errorf("in the supergroup: got %q", visibles(got))
		}
		if got := setting(t, st, super.ID); got != "08:00" {
			t.Errorf("the supergroup's digest: got %q, want 08:00", got)
		}
		if got := setting(t, st, old.ID); got != "" {
			t.Errorf("the old group still has a digest at %s", got)
		}
	})

	t.Run("a send meets the 400", func(t *testing.T) {
		old, super := tgbotapi.Chat{ID: -800, Type: "group"}, groupChat(-100800)
		if err := st.Subscribe(old.ID, 9, 0); err != nil {
			t.Fatal(err)
		}
		fake.MigrateChat(old.ID, super.ID)
		fake.PushText(old, from, "/help") // no typing first: the reply meets the 400
		if m := waitMessages(t, fake, super.ID, 1)[0]; visible(m) != helpText(chat.Options{Digests: st}) {
			t.Errorf("re-sent reply: got %q", visible(m))
		}
		if calls := fake.Calls("sendMessage"); len(calls) < 2 || calls[len(calls)-2].Params.Get("chat_id") != "-800" || calls[len(calls)-2].OK {
			t.Errorf("the reply did not meet the 400 first")
		}
		if got := setting(t, st, super.ID); got != "09:00" {
			t.Errorf("the supergroup's digest: got %q, want 09:00", got)
		}
		if got := exchange(t, fake, super, from, "/ask پس از ارتقا"); len(got) != 1 || !strings.HasPrefix(visible(got[0]), "پاسخ به: پس از ارتقا") {
			t.Errorf("in the supergroup: got %q", visibles(got))
		}
		before := len(fake.Messages(super.ID))
		if err := tb.bot.SendDigest(t.Context(), old.ID, 0, oneStory()); err != nil {
			t.Errorf("a digest for the old id: %v", err)
		}
		if n := len(fake.Messages(super.ID)) - before; n != 1 {
			t.Errorf("a digest for the old id: %d messages in the supergroup, want 1", n)
		}
	})
	t.Run("typing meets the 400", func(t *testing.T) {
		old, super := tgbotapi.Chat{ID: -850, Type: "group"}, groupChat(-100850)
		fake.MigrateChat(old.ID, super.ID)
		fake.PushText(old, from, "/ask پیش از ارتقا")
		if m := waitMessages(t, fake, super.ID, 1)[0]; !strings.HasPrefix(visible(m), "پاسخ به: پیش از ارتقا") {
			t.Errorf("reply: got %q", visible(m))
		}
		var to []string
		for _, c := range fake.Calls("sendChatAction") {
			if id := c.Params.Get("chat_id"); id == "-850" || id == "-100850" {
				to = append(to, id)
			}
		}
		if len(to) < 2 || to[0] != "-850" || to[1] != "-100850" {
			t.Errorf("typing went to %q, want -850 then -100850", to)
		}
	})
	if calls := fake.Calls("leaveChat"); len(calls) != 0 {
		t.Errorf("the bot left %d chat(s): %v", len(calls), calls[0].Params)
	}
}

// TestGroupUpgradedWhileAway: a group upgraded while the bot was not
// running (no service message seen) is recognised when its supergroup
// writes: the bot asks Telegram about the allowed group and stays.
func TestGroupUpgradedWhileAway(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	st := openStore(t)
	if err := st.Subscribe(-900, 7, 30); err != nil {
		t.Fatal(err)
	}
	// Real ids: a basic group's has up to 12 digits, a supergroup's starts
	// with -100 and has 13.
	fake.MigrateChat(-900, -1001000000900)
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{Digests: st}),
		Options{NoPacing: true, AllowedChats: []int64{-900}})
	super, other, from := groupChat(-1001000000900), groupChat(-1001000000901), user(3)
	if got := exchange(t, fake, super, from, "/ask پرسش"); len(got) != 1 || !strings.HasPrefix(visible(got[0]), "پاسخ به: پرسش") {
		t.Errorf("in the supergroup: got %q", visibles(got))
	}
	if got := setting(t, st, super.ID); got != "07:30" {
		t.Errorf("the supergroup's digest: got %q, want 07:30", got)
	}
	fake.PushText(other, from, "/ask پرسش")
	calls := waitCalls(t, fake, "leaveChat", 1)
	if len(calls) != 1 || calls[0].Params.Get("chat_id") != fmt.Sprint(other.ID) {
		t.Errorf("leaveChat: got %v, want only the other supergroup", calls)
	}
	if n := len(fake.Calls("getChat")); n != 1 {
		t.Errorf("%d getChat calls, want 1 (each allowed group is asked once): %v", n, fake.Calls("getChat"))
	}
}

// TestStreamedAnswerInATopic: the preview of a streamed answer is sent
// into the question's topic, replying to it, and edited into the answer.
func TestStreamedAnswerInATopic(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	s := streamAnswerer{pieces: []string{"وزیر ", "دفاع ", "عراق "}, every: 10 * time.Millisecond}
	startBot(t, fake, chat.New(s, discard(), chat.Options{}), Options{NoPacing: true})
	forum, from := groupChat(-650), user(3)
	q := fake.PushMessageExtra(tgbotapi.Message{Chat: &forum, From: &from, Text: "/ask چه گفت؟"}, telegramtest.Topic(5))
	first := waitMessages(t, fake, forum.ID, 1)[0]
	if first.MessageThreadID != 5 || first.ReplyToMessageID != q.MessageID {
		t.Errorf("preview in thread %d replying to %d, want thread 5 replying to %d", first.MessageThreadID, first.ReplyToMessageID, q.MessageID)
	}
	final := rlm + answerHTML(echo(strings.Join(s.pieces, "")))
	for got := first; got.Text != final; {
		got = waitEdits(t, fake, forum.ID, first.MessageID, len(got.Edits)+1)
	}
	if msgs := fake.Messages(forum.ID); len(msgs) != 1 {
		t.Errorf("got %q, want one message edited into the answer", visibles(msgs))
	}
}
