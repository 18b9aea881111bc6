package chat

import (
	"context"
	"strings"
)

// Command is one row of the command table, which everything about a
// command reads: [Chat.Handle] runs it, the transport lists it with its
// description (Telegram's setMyCommands, from [Chat.Commands]), /help
// shows its help line, and [Chat.MeantForMe] takes it, unaddressed, in
// a group. Adding a command is one row and its Persian strings.
type Command struct {
	// Name is the command without its "/": lower-case ASCII letters,
	// digits and underscores.
	Name string
	// Description is the Persian description of the command menu.
	Description string
	// Help is the command's Persian line in /help, "" for none.
	Help string
	// Admin commands are for the bot's admins: listed in their private
	// chats and under /help's admin heading, refused to everyone else.
	Admin bool
	// Refusal is the Persian reply to a non-admin for an Admin command;
	// "" is the common «فقط برای مدیران ربات».
	Refusal string
	// NotInGroups leaves the command out of the groups' command menu.
	NotInGroups bool
	// Offered reports whether the chat's options make the command
	// available, to list it in the menu and /help; nil is always. A
	// command not offered is still handled (it says it is unavailable).
	Offered func(Options) bool
	// Run answers the command; args is the text after it, trimmed.
	Run func(ctx context.Context, c *Chat, m Message, args string) Reply
}

// Commands returns the built-in command table, in the order of the menus:
// everyone's commands, then the admins'.
func Commands() []Command {
	return []Command{
		{Name: "ask", Description: descAsk, Help: helpAsk,
			Run: func(ctx context.Context, c *Chat, m Message, args string) Reply {
				if args == "" {
					return textReply(MsgAskUsage)
				}
				return c.ask(ctx, m, args)
			}},
		{Name: "summary", Description: descSummary, Help: helpSummary,
			Run: func(ctx context.Context, c *Chat, m Message, args string) Reply { return c.summary(ctx, m, args) }},
		{Name: "digest", Description: descDigest, Help: helpDigest,
			Offered: func(o Options) bool { return o.Digests != nil },
			Run:     func(ctx context.Context, c *Chat, m Message, args string) Reply { return c.digestCommand(ctx, m, args) }},
		{Name: "sources", Description: descSources, Help: helpSources,
			Run: func(_ context.Context, c *Chat, m Message, _ string) Reply { return c.sources(m.ChatID) }},
		{Name: "help", Description: descHelp, Help: helpHelp,
			Run: func(_ context.Context, c *Chat, m Message, _ string) Reply { return c.help(m) }},
		{Name: "start", Description: descStart, NotInGroups: true,
			Run: func(context.Context, *Chat, Message, string) Reply { return textReply(MsgWelcome) }},
		{Name: "reload", Description: descReload, Help: helpReload, Admin: true,
			Run: func(_ context.Context, c *Chat, _ Message, _ string) Reply { return c.reloadReply() }},
		{Name: "stats", Description: descStats, Help: helpStats, Admin: true,
			Run: func(_ context.Context, c *Chat, _ Message, _ string) Reply { return c.stats() }},
		{Name: "feeds", Description: descFeeds, Help: helpFeeds, Admin: true, Refusal: msgFeedsRefused,
			Offered: func(o Options) bool { return o.Feeds != nil },
			Run:     func(ctx context.Context, c *Chat, m Message, args string) Reply { return c.feedsCommand(ctx, m, args) }},
		{Name: "channels", Description: descChannels, Help: helpChannels, Admin: true,
			Offered: func(o Options) bool { return o.Channels != nil },
			Run:     func(_ context.Context, c *Chat, m Message, _ string) Reply { return c.channelsCommand(m) }},
	}
}

// command returns the row of name.
func (c *Chat) command(name string) (Command, bool) {
	for _, cmd := range c.commands {
		if cmd.Name == name {
			return cmd, true
		}
	}
	return Command{}, false
}

// Known reports whether the chat has a command of that name (lower case),
// offered or not.
func (c *Chat) Known(name string) bool {
	_, ok := c.command(name)
	return ok
}

// Commands returns the rows the chat offers, in table order, for the
// transport's command menus: everyone's rows (less NotInGroups ones in
// groups), and all of them in the admins' private chats.
func (c *Chat) Commands() []Command {
	var out []Command
	for _, cmd := range c.commands {
		if cmd.Offered == nil || cmd.Offered(c.opts) {
			out = append(out, cmd)
		}
	}
	return out
}

// help renders /help: the commands offered with a help line, and for an
// admin the admin commands and uploads.
func (c *Chat) help(m Message) Reply {
	var b strings.Builder
	b.WriteString(msgHelpHeading)
	var admin []string
	for _, cmd := range c.Commands() {
		switch {
		case cmd.Help == "":
		case cmd.Admin:
			admin = append(admin, cmd.Help)
		default:
			b.WriteString("\n• " + cmd.Help)
		}
	}
	if m.Admin {
		b.WriteString("\n\n" + msgHelpAdminHeading)
		for _, line := range append(admin, msgHelpUpload) {
			b.WriteString("\n• " + line)
		}
	}
	return textReply(b.String())
}

// Addressing is how a message reached the bot, as the transport reads it.
type Addressing struct {
	// Private is a private chat with the bot.
	Private bool
	// Command is the name of the command the message starts with, in
	// lower case; "" when it starts with none.
	Command string
	// ToMe and ToOther report that the command names this bot
	// ("/ask@khabar_bot") or another one.
	ToMe, ToOther bool
	// Mentioned reports that the message mentions the bot; ReplyToMe that
	// it replies to one of the bot's messages.
	Mentioned, ReplyToMe bool
}

// MeantForMe reports whether a message is meant for the bot. In a private
// chat everything is. In a group only these are: a command addressed to
// the bot, a command of the table with no address, a reply to one of the
// bot's messages, and a message that mentions the bot. A command
// addressed to another bot never is, nor a bare command the bot does not
// know.
func (c *Chat) MeantForMe(a Addressing) bool {
	if a.Command != "" {
		switch {
		case a.ToOther:
			return false
		case a.Private || a.ToMe:
			return true
		}
		return c.Known(a.Command)
	}
	return a.Private || a.Mentioned || a.ReplyToMe
}
