package bot

import (
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/chat"
)

// intent is what an incoming message means for the bot.
type intent int

const (
	intentIgnore   intent = iota // not meant for the bot
	intentText                   // a command or a question, for the Chat
	intentNonText                // meant for the bot, but nothing it can read
	intentDocument               // a file, perhaps articles to add
)

// address decides whether m is meant for the bot and returns the text to
// hand to the Chat: commands as "/cmd args" (without "@bot"), questions
// without the mention that addressed them.
//
// The rule is the chat's ([chat.Chat.MeantForMe]: in a group, commands
// to this bot or of its table, replies to it and mentions of it); this
// reads the update for it: the command's "@target", the replied-to
// message, and mentions found through the message's entities, whose
// offsets count UTF-16 units.
//
// A caption (of a photo, a video) is read as the message's text; a
// file's caption only addresses the file.
func (b *Bot) address(m *tgbotapi.Message) (string, intent) {
	private := m.Chat.IsPrivate()
	text, entities := m.Text, m.Entities
	if text == "" {
		text, entities = m.Caption, m.CaptionEntities
	}
	if m.Document == nil { // a file's caption is a note, never a command
		if name, target, args, ok := splitCommand(text); ok {
			toMe := target != "" && strings.EqualFold(target, b.self.UserName)
			if !b.chat.MeantForMe(chat.Addressing{Private: private, Command: strings.ToLower(name), ToMe: toMe, ToOther: target != "" && !toMe}) {
				return "", intentIgnore // for another bot, or a bare command of some other bot
			}
			return "/" + name + " " + args, intentText
		}
	}
	if !private {
		var mentioned bool
		text, mentioned = b.stripMention(text, entities)
		if !b.chat.MeantForMe(chat.Addressing{Mentioned: mentioned, ReplyToMe: b.isReplyToMe(m)}) {
			return "", intentIgnore
		}
	}
	switch {
	case m.Document != nil:
		return "", intentDocument
	case strings.TrimSpace(text) == "" && m.Text == "":
		return "", intentNonText // a sticker, a photo without a caption
	}
	return strings.TrimSpace(text), intentText
}

// isReplyToMe reports whether m replies to one of the bot's messages.
func (b *Bot) isReplyToMe(m *tgbotapi.Message) bool {
	r := m.ReplyToMessage
	return r != nil && r.From != nil && r.From.ID == b.self.ID
}

// stripMention finds a mention of the bot among entities and returns text
// without it.
func (b *Bot) stripMention(text string, entities []tgbotapi.MessageEntity) (string, bool) {
	for _, e := range entities {
		start, end, ok := utf16Span(text, e.Offset, e.Length)
		if !ok {
			continue
		}
		switch {
		case e.Type == "mention" && b.self.UserName != "" && strings.EqualFold(text[start:end], "@"+b.self.UserName),
			e.Type == "text_mention" && e.User != nil && e.User.ID == b.self.ID:
			return text[:start] + text[end:], true
		}
	}
	return text, false
}

// utf16Span converts an entity's offset and length in UTF-16 units into
// byte offsets of text.
func utf16Span(text string, offset, length int) (start, end int, ok bool) {
	if offset < 0 || length <= 0 {
		return 0, 0, false
	}
	start, end = -1, -1
	u := 0
	for i, r := range text {
		if u == offset {
			start = i
		}
		if u == offset+length {
			end = i
			break
		}
		u += utf16.RuneLen(r)
		if u > offset+length {
			return 0, 0, false // ends inside a surrogate pair
		}
	}
	if end < 0 && u == offset+length {
		end = len(text)
	}
	return start, end, start >= 0 && end >= start
}

// splitCommand parses a message that starts with a bot command:
// "/name@target args". Names and targets are ASCII letters, digits and
// underscores, as Telegram's are.
func splitCommand(text string) (name, target, args string, ok bool) {
	rest, found := strings.CutPrefix(text, "/")
	if !found {
		return "", "", "", false
	}
	head := rest
	if i := strings.IndexAny(rest, " \t\n\r"); i >= 0 {
		head, args = rest[:i], strings.TrimSpace(rest[i:])
	}
	name, target, hasAt := strings.Cut(head, "@")
	if !isCommandWord(name) || hasAt && !isCommandWord(target) {
		return "", "", "", false
	}
	return name, target, args, true
}

func isCommandWord(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// dest is where the messages of one conversation go: the chat, the forum
// topic they belong in (0: none, or the General topic) and the message
// they answer (0: none). Every send of a reply — typing, each part of a
// split answer, the preview, follow-up edits — takes the same dest.
type dest struct {
	chatID  int64
	thread  int
	replyTo int
}

// destOf is where the replies to m go: its chat and topic, and in a group
// m itself, so that each reply quotes the message it answers.
func (b *Bot) destOf(m *tgbotapi.Message, thread int) dest {
	d := dest{chatID: m.Chat.ID, thread: thread}
	if isGroup(m.Chat) {
		d.replyTo = m.MessageID
	}
	return d
}
