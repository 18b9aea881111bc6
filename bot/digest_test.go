package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/retrieval"
)

var _ chat.Digests = (*digest.Store)(nil)

func openStore(t *testing.T) *digest.Store {
	t.Helper()
	st, err := digest.Open(filepath.Join(t.TempDir(), "digest.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// setting is the chat's digest time, or "" without one.
func setting(t *testing.T, st *digest.Store, chatID int64) string {
	t.Helper()
	sub, ok, err := st.Get(chatID)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return ""
	}
	return sub.Time()
}

func TestDigestCommand(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	st := openStore(t)
	const botAdmin = 1
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{Digests: st}),
		Options{NoPacing: true, Admins: []int64{botAdmin}})
	group := groupChat(-100)
	member, groupAdmin, reader := user(7), user(20), user(5)
	fake.SetChatAdmins(group.ID, groupAdmin.ID)

	// Steps run in order, each on the state the previous ones left.
	tests := []struct {
		name string
		chat tgbotapi.Chat
		from tgbotapi.User
		text string
		want string // the reply
		set  string // the chat's setting afterwards, "" for none
	}{
		{"no setting yet", group, member, "/digest", chat.MsgDigestNone, ""},
		{"a member may not subscribe", group, member, "/digest 08:00", chat.MsgDigestRefused, ""},
		{"a group admin subscribes", group, groupAdmin, "/digest 08:00", fmt.Sprintf(chat.MsgDigestSet, "۰۸:۰۰"), "08:00"},
		{"anyone sees the setting", group, member, "/digest@khabar_bot", fmt.Sprintf(chat.MsgDigestCurrent, "۰۸:۰۰"), "08:00"},
		{"a member may not unsubscribe", group, member, "/digest off", chat.MsgDigestRefused, "08:00"},
		{"a bot admin changes the time in Persian digits", group, user(botAdmin), "/digest ۲۰:۳۰", fmt.Sprintf(chat.MsgDigestSet, "۲۰:۳۰"), "20:30"},
		{"an hour past 23", group, groupAdmin, "/digest 25:00", chat.MsgDigestUsage, "20:30"},
		{"not a time", group, groupAdmin, "/digest فردا", chat.MsgDigestUsage, "20:30"},
		{"trailing words", group, user(botAdmin), "/digest 08:00 صبح", chat.MsgDigestUsage, "20:30"},
		{"a group admin unsubscribes in Persian", group, groupAdmin, "/digest خاموش", chat.MsgDigestOff, ""},
		{"unsubscribing again", group, groupAdmin, "/digest OFF", chat.MsgDigestWasOff, ""},
		{"a reader subscribes their private chat", privateChat(reader.ID), reader, "/digest 7:05", fmt.Sprintf(chat.MsgDigestSet, "۰۷:۰۵"), "07:05"},
		{"the private setting", privateChat(reader.ID), reader, "/digest", fmt.Sprintf(chat.MsgDigestCurrent, "۰۷:۰۵"), "07:05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exchange(t, fake, tt.chat, tt.from, tt.text)
			if len(got) != 1 || visible(got[0]) != tt.want {
				t.Fatalf("got %q, want %q", visibles(got), tt.want)
			}
			checkHTML(t, got[0])
			if s := setting(t, st, tt.chat.ID); s != tt.set {
				t.Errorf("setting: got %q, want %q", s, tt.set)
			}
		})
	}
	// Only group commands by non-admins asked Telegram who administers the
	// group; bot admins and private chats need no call.
	for _, c := range fake.Calls("getChatMember") {
		if c.Params.Get("chat_id") != "-100" || c.Params.Get("user_id") == "1" {
			t.Errorf("unexpected getChatMember %v", c.Params)
		}
	}
}

func TestDigestGroupAdminCheck(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	st := openStore(t)
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{Digests: st}), Options{NoPacing: true})
	group, owner := groupChat(-200), user(30)

	// The Bot API failing: a polite refusal, nothing stored.
	fake.FailNext("getChatMember", 1, telegramtest.Failure{Status: 500})
	got := exchange(t, fake, group, owner, "/digest 09:00")
	if len(got) != 1 || visible(got[0]) != chat.MsgDigestCheckFailed {
		t.Errorf("API error: got %q, want %q", visibles(got), chat.MsgDigestCheckFailed)
	}
	if s := setting(t, st, group.ID); s != "" {
		t.Errorf("stored %q despite the failed check", s)
	}

	// The group's creator may.
	fake.Handle("getChatMember", func(c telegramtest.Call) (any, *telegramtest.Failure) {
		u := owner
		return tgbotapi.ChatMember{User: &u, Status: "creator"}, nil
	})
	got = exchange(t, fake, group, owner, "/digest 09:00")
	if len(got) != 1 || visible(got[0]) != fmt.Sprintf(chat.MsgDigestSet, "۰۹:۰۰") {
		t.Errorf("creator: got %q", visibles(got))
	}
	if s := setting(t, st, group.ID); s != "09:00" {
		t.Errorf("setting: got %q, want 09:00", s)
	}
}

func TestDigestUnavailable(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true, Admins: []int64{1}})
	for _, text := range []string{"/digest", "/digest 08:00"} {
		got := exchange(t, fake, privateChat(1), user(1), text)
		if len(got) != 1 || visible(got[0]) != chat.MsgDigestUnavailable {
			t.Errorf("%s: got %q, want %q", text, visibles(got), chat.MsgDigestUnavailable)
		}
	}
}

func TestDigestCommandRegistered(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{Digests: openStore(t)}), Options{})
	want := map[string][]string{
		"":                {"ask", "summary", "digest", "sources", "help", "start"},
		"all_group_chats": {"ask", "summary", "digest", "sources", "help"},
	}
	for _, c := range waitCalls(t, fake, "setMyCommands", 2) {
		var cmds []tgbotapi.BotCommand
		if err := json.Unmarshal([]byte(c.Params.Get("commands")), &cmds); err != nil {
			t.Fatal(err)
		}
		var scope tgbotapi.BotCommandScope
		if raw := c.Params.Get("scope"); raw != "" {
			json.Unmarshal([]byte(raw), &scope)
		}
		var got []string
		for _, cmd := range cmds {
			got = append(got, cmd.Command)
			if cmd.Command == "digest" && cmd.Description != command(t, "digest").Description {
				t.Errorf("/digest description %q", cmd.Description)
			}
		}
		if !slices.Equal(got, want[scope.Type]) {
			t.Errorf("scope %q: got %q, want %q", scope.Type, got, want[scope.Type])
		}
	}
}

// TestSendDigest sends a long digest through the bot's send path: split,
// HTML, under its heading, after a 429, and names an unreachable chat.
func TestSendDigest(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	tb := startBot(t, fake, chat.New(&echoAnswerer{}, discard(), chat.Options{}), Options{NoPacing: true})
	group := groupChat(-300)
	s := answer.Summary{Period: "۱۳ مهر ۱۴۰۴"}
	for i := range 40 {
		p := retrieval.Passage{Chunk: retrieval.Chunk{ArticleID: fmt.Sprint(i), Title: "عنوان <" + fmt.Sprint(i) + ">", Source: "فارس"}}
		s.Stories = append(s.Stories, answer.Story{Text: strings.Repeat("جمله‌ای از خبر. ", 12) + fmt.Sprintf("[%d]", i+1), Outlets: []string{"فارس", "تابناک"}})
		s.Sources = append(s.Sources, answer.Source{N: i + 1, Passage: p})
	}
	fake.FailNext("sendMessage", 1, telegramtest.Failure{RetryAfter: 1})
	if err := tb.bot.SendDigest(t.Context(), group.ID, 0, s); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages(group.ID)
	if len(msgs) < 2 {
		t.Fatalf("a long digest in %d message(s)", len(msgs))
	}
	if !strings.HasPrefix(visible(msgs[0]), msgDigestHeading+" ۱۳ مهر ۱۴۰۴") {
		t.Errorf("first message: %q", visible(msgs[0]))
	}
	for _, m := range msgs {
		checkHTML(t, m)
	}

	fake.FailNext("sendMessage", 1, telegramtest.Failure{Status: 403, Description: "Forbidden: bot was kicked from the supergroup chat"})
	if err := tb.bot.SendDigest(t.Context(), group.ID, 0, s); !errors.Is(err, ErrUnreachable) {
		t.Errorf("kicked: got %v, want ErrUnreachable", err)
	}
}
