package chat

import (
	"cmp"
	"context"
	"strings"
	"testing"

	"github.com/khabar/khabar/corpus/channel"
	"github.com/khabar/khabar/digest"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		give, cmd, args string
		ok              bool
	}{
		{"/start", "start", "", true},
		{"/Help@khabar_bot", "help", "", true},
		{"/ask  چه خبر؟ ", "ask", "چه خبر؟", true},
		{"/ask\nچه خبر؟", "ask", "چه خبر؟", true},
		{"/ask@khabar_bot سلام دنیا", "ask", "سلام دنیا", true},
		{"/فردا چه خبر", "", "", false},
		{"/ 12", "", "", false},
		{"سلام /ask", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			cmd, args, ok := parseCommand(tt.give)
			if cmd != tt.cmd || args != tt.args || ok != tt.ok {
				t.Errorf("got %q, %q, %v, want %q, %q, %v", cmd, args, ok, tt.cmd, tt.args, tt.ok)
			}
		})
	}
}

// everything offers every optional command.
func everything(t *testing.T) Options {
	t.Helper()
	store, _, err := channel.Open(t.TempDir(), channel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return Options{Digests: stubDigests{}, Feeds: &stubFeeds{}, Channels: store}
}

// stubDigests keeps no subscription.
type stubDigests struct{}

func (stubDigests) SubscribeTopic(int64, int, int, int) error { return nil }
func (stubDigests) Unsubscribe(int64) (bool, error)           { return false, nil }
func (stubDigests) Get(int64) (digest.Subscription, bool, error) {
	return digest.Subscription{}, false, nil
}
func (stubDigests) Move(int64, int64) (bool, error) { return false, nil }

var _ Digests = stubDigests{}

// TestCommandTable: every row of the table is handled (never «unknown»),
// offered with its options, shown in /help under the right heading,
// refused to non-admins when it is an admin's, and taken unaddressed in
// a group.
func TestCommandTable(t *testing.T) {
	ctx := context.Background()
	c := New(&echoAnswerer{}, discard(), everything(t))
	reader := Message{ChatID: 5, UserID: 5, Text: "/help"}
	admin := Message{ChatID: 1, UserID: 1, Text: "/help", Admin: true, Private: true}
	readerHelp := c.Handle(ctx, reader).PlainText()
	adminHelp := c.Handle(ctx, admin).PlainText()
	_, adminPart, _ := strings.Cut(adminHelp, msgHelpAdminHeading)
	offered := map[string]bool{}
	for _, cmd := range c.Commands() {
		offered[cmd.Name] = true
	}
	names := map[string]bool{}
	for _, cmd := range Commands() {
		t.Run(cmd.Name, func(t *testing.T) {
			if names[cmd.Name] {
				t.Fatal("two rows of that name")
			}
			names[cmd.Name] = true
			if !offered[cmd.Name] {
				t.Error("not offered though every option is set")
			}
			if !strings.ContainsAny(cmd.Description, "ابپتجدرزسشفکگلمنوهی") {
				t.Errorf("description %q is not Persian", cmd.Description)
			}
			if !c.Known(cmd.Name) || !c.MeantForMe(Addressing{Command: cmd.Name}) {
				t.Error("not taken unaddressed in a group")
			}
			switch {
			case cmd.Help == "":
			case cmd.Admin:
				if strings.Contains(readerHelp, cmd.Help) || !strings.Contains(adminPart, "• "+cmd.Help) {
					t.Errorf("help line %q: not in the admin part only", cmd.Help)
				}
			default:
				if !strings.Contains(readerHelp, "• "+cmd.Help) {
					t.Errorf("help line %q missing from /help", cmd.Help)
				}
			}
			m := admin
			m.Text = "/" + cmd.Name
			if got := c.Handle(ctx, m).PlainText(); got == msgUnknownCommand || got == "" {
				t.Errorf("/%s: got %q", cmd.Name, got)
			}
			if cmd.Admin {
				m.Admin = false
				want := cmp.Or(cmd.Refusal, MsgAdminOnly)
				if got := c.Handle(ctx, m).PlainText(); got != want {
					t.Errorf("/%s by a reader: got %q, want %q", cmd.Name, got, want)
				}
			}
		})
	}
	if c.Known("frobnicate") || c.MeantForMe(Addressing{Command: "frobnicate"}) {
		t.Error("an unknown command is taken in a group")
	}
}

// TestOptionalCommandsFollowTheOptions: a command its options do not
// offer is neither in the menu nor in /help, yet still answers (it says
// it is unavailable) and is addressed.
func TestOptionalCommandsFollowTheOptions(t *testing.T) {
	c := New(&echoAnswerer{}, discard(), Options{})
	help := c.Handle(context.Background(), Message{Text: "/help", Admin: true}).PlainText()
	for _, name := range []string{"digest", "feeds", "channels"} {
		for _, cmd := range c.Commands() {
			if cmd.Name == name {
				t.Errorf("/%s offered without its option", name)
			}
		}
		if strings.Contains(help, "/"+name) {
			t.Errorf("/help shows /%s without its option:\n%s", name, help)
		}
		if !c.Known(name) {
			t.Errorf("/%s is not addressed", name)
		}
	}
	if got := c.Handle(context.Background(), Message{Text: "/digest"}).PlainText(); got != MsgDigestUnavailable {
		t.Errorf("/digest: got %q", got)
	}
}

// TestExtraCommand: one row added through Options.Extra is handled,
// offered, helped and addressed like the built-in ones.
func TestExtraCommand(t *testing.T) {
	var got []string
	ping := Command{Name: "ping", Description: "آزمون", Help: "/ping — آزمون",
		Run: func(_ context.Context, _ *Chat, m Message, args string) Reply {
			got = append(got, args)
			return Text("پاسخ آزمون")
		}}
	secret := Command{Name: "secret", Description: "راز (مدیر)", Help: "/secret — راز", Admin: true,
		Run: func(context.Context, *Chat, Message, string) Reply { return Text("راز") }}
	c := New(&echoAnswerer{}, discard(), Options{Extra: []Command{ping, secret}})
	ctx := context.Background()
	if r := c.Handle(ctx, Message{ChatID: 5, Text: "/ping@khabar_bot  یک "}).PlainText(); r != "پاسخ آزمون" || len(got) != 1 || got[0] != "یک" {
		t.Errorf("/ping: %q, args %q", r, got)
	}
	if r := c.Handle(ctx, Message{ChatID: 5, Text: "/secret"}).PlainText(); r != MsgAdminOnly {
		t.Errorf("/secret by a reader: %q", r)
	}
	if r := c.Handle(ctx, Message{ChatID: 1, Text: "/secret", Admin: true}).PlainText(); r != "راز" {
		t.Errorf("/secret by an admin: %q", r)
	}
	cmds := c.Commands()
	if n := len(cmds); n < 2 || cmds[n-2].Name != "ping" || cmds[n-1].Name != "secret" {
		t.Errorf("Commands do not end with the extra rows: %+v", cmds)
	}
	readerHelp := c.Handle(ctx, Message{Text: "/help"}).PlainText()
	adminHelp := c.Handle(ctx, Message{Text: "/help", Admin: true}).PlainText()
	if !strings.Contains(readerHelp, "• /ping — آزمون") || strings.Contains(readerHelp, "/secret") || !strings.Contains(adminHelp, "• /secret — راز") {
		t.Errorf("help:\n%s\n---\n%s", readerHelp, adminHelp)
	}
	if !c.MeantForMe(Addressing{Command: "ping"}) || New(&echoAnswerer{}, discard(), Options{}).MeantForMe(Addressing{Command: "ping"}) {
		t.Error("group addressing does not follow the table")
	}
}

func TestMeantForMe(t *testing.T) {
	c := New(&echoAnswerer{}, discard(), Options{})
	tests := []struct {
		name string
		give Addressing
		want bool
	}{
		{"private text", Addressing{Private: true}, true},
		{"private unknown command", Addressing{Private: true, Command: "frob"}, true},
		{"private command to another bot", Addressing{Private: true, Command: "ask", ToOther: true}, false},
		{"group text", Addressing{}, false},
		{"group mention", Addressing{Mentioned: true}, true},
		{"group reply to the bot", Addressing{ReplyToMe: true}, true},
		{"group known command", Addressing{Command: "ask"}, true},
		{"group unknown command", Addressing{Command: "frob"}, false},
		{"group unknown command to me", Addressing{Command: "frob", ToMe: true}, true},
		{"group command to another bot", Addressing{Command: "ask", ToOther: true}, false},
		{"group unknown command with a mention", Addressing{Command: "frob", Mentioned: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.MeantForMe(tt.give); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
