package bot

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/corpus/channel"
	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/internal/telegramtest"
)

// noFeeds is a feed list with no feed.
type noFeeds struct{}

func (noFeeds) List() []feed.FeedStatus                     { return nil }
func (noFeeds) Add(string, string) (feed.FeedStatus, error) { return feed.FeedStatus{}, nil }
func (noFeeds) Remove(string) (feed.FeedStatus, error)      { return feed.FeedStatus{}, feed.ErrNotFound }

// menus reads the setMyCommands calls: the command names of each scope
// ("default", "all_group_chats", "chat:<id>").
func menus(t *testing.T, calls []telegramtest.Call) map[string][]string {
	t.Helper()
	byScope := map[string][]string{}
	for scope, cmds := range menuCommands(t, calls) {
		for _, cmd := range cmds {
			byScope[scope] = append(byScope[scope], cmd.Command)
		}
	}
	return byScope
}

// menuCommands returns the commands of setMyCommands calls by scope
// ("default", "all_group_chats", "chat:77"), in the order sent.
func menuCommands(t *testing.T, calls []telegramtest.Call) map[string][]tgbotapi.BotCommand {
	t.Helper()
	byScope := map[string][]tgbotapi.BotCommand{}
	for _, c := range calls {
		var cmds []tgbotapi.BotCommand
		if err := json.Unmarshal([]byte(c.Params.Get("commands")), &cmds); err != nil {
			t.Fatal(err)
		}
		scope := "default"
		if raw := c.Params.Get("scope"); raw != "" && raw != "null" {
			var s tgbotapi.BotCommandScope
			if err := json.Unmarshal([]byte(raw), &s); err != nil {
				t.Fatal(err)
			}
			scope = s.Type
			if s.ChatID != 0 {
				scope += ":" + strconv.FormatInt(s.ChatID, 10)
			}
		}
		byScope[scope] = append(byScope[scope], cmds...)
	}
	return byScope
}

// TestCommandTableReachesTelegram: every row of the chat's command table
// — the built-in ones with every option set, and two added for the test
// — is in the Telegram menus of its audience, in /help, and answered
// when sent bare in a group; nothing else is in the menus.
func TestCommandTableReachesTelegram(t *testing.T) {
	store, _, err := channel.Open(t.TempDir(), channel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	extra := []chat.Command{
		{Name: "ping", Description: "آزمون", Help: "/ping — آزمون",
			Run: func(context.Context, *chat.Chat, chat.Message, string) chat.Reply {
				return chat.Text("پاسخ آزمون")
			}},
		{Name: "secret", Description: "راز (مدیر)", Help: "/secret — راز", Admin: true,
			Run: func(context.Context, *chat.Chat, chat.Message, string) chat.Reply { return chat.Text("راز") }},
	}
	ch := chat.New(&echoAnswerer{}, discard(), chat.Options{Digests: openStore(t), Feeds: noFeeds{}, Channels: store, Extra: extra})
	fake := telegramtest.New(t, telegramtest.Options{})
	startBot(t, fake, ch, Options{NoPacing: true, Admins: []int64{77}})

	var public, group, admin []string
	for _, c := range ch.Commands() {
		admin = append(admin, c.Name)
		if !c.Admin {
			public = append(public, c.Name)
			if !c.NotInGroups {
				group = append(group, c.Name)
			}
		}
	}
	if len(admin) != len(chat.Commands())+len(extra) {
		t.Fatalf("offered %q, want every row", admin)
	}
	got := menus(t, waitCalls(t, fake, "setMyCommands", 3))
	for scope, want := range map[string][]string{"default": public, "all_group_chats": group, "chat:77": admin} {
		if !slices.Equal(got[scope], want) {
			t.Errorf("menu %s: got %q, want %q", scope, got[scope], want)
		}
	}
	if !slices.Contains(got["all_group_chats"], "ping") || slices.Contains(got["default"], "secret") || !slices.Contains(got["chat:77"], "secret") {
		t.Errorf("the test's rows are misplaced: %v", got)
	}

	help := visible(exchange(t, fake, privateChat(77), user(77), "/help")[0])
	for _, c := range ch.Commands() {
		if c.Help != "" && !strings.Contains(help, c.Help) {
			t.Errorf("/help lacks /%s:\n%s", c.Name, help)
		}
	}

	// Bare in a group, every command is for the bot: each gets one reply.
	g, member := groupChat(-500), user(5)
	for i, c := range ch.Commands() {
		fake.PushText(g, member, "/"+c.Name)
		m := waitMessages(t, fake, g.ID, i+1)[i]
		if visible(m) == "" {
			t.Errorf("/%s in a group: an empty reply", c.Name)
		}
	}
	if last := visible(waitMessages(t, fake, g.ID, len(ch.Commands()))[len(ch.Commands())-1]); last != chat.MsgAdminOnly {
		t.Errorf("/secret by a member: got %q", last)
	}
	fake.PushText(g, member, "/weather")
	fake.PushText(g, member, "/ping")
	msgs := waitMessages(t, fake, g.ID, len(ch.Commands())+1)
	if got := visible(msgs[len(msgs)-1]); got != "پاسخ آزمون" {
		t.Errorf("after a bare unknown command: got %q, want only the /ping reply", got)
	}
}
