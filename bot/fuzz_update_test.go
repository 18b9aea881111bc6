package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/internal/telegramtest"
	"github.com/khabar/khabar/retrieval"
)

// The update kinds, chat kinds and message flags a fuzz input picks from.
const (
	fuzzMessage = iota
	fuzzEditedMessage
	fuzzChannelPost
	fuzzCallbackQuery
	fuzzMyChatMember
	fuzzInlineQuery
	fuzzEmpty
	fuzzKinds
)

const (
	fuzzPrivate = iota
	fuzzGroup
	fuzzSupergroup
	fuzzChannel
	fuzzNoChat
	fuzzChats
)

const (
	flagCaption    = 1 << iota // the text is a caption (of a photo, unless another medium is set)
	flagSticker                // a sticker
	flagDocument               // a document named after the text
	flagReplyToBot             // a reply to the bot's message
	flagReplyOther             // a reply to someone else's message
	flagAdmin                  // sent by an admin (else by a reader; with flagReplyOther, by nobody)
	flagFromBot                // sent by a bot
	flagMention                // starts with a well-formed @khabar_bot mention entity
)

// Entity types a fuzz input picks from; the last is unknown to Telegram.
var fuzzEntityTypes = []string{"bot_command", "mention", "text_mention", "url", "text_link", "bold", "hashtag", "x-unknown"}

// fuzzAdmin is the admin's user id in FuzzUpdate.
const fuzzAdmin = 42

// maxFuzzRunes caps the text of one fuzzed message, well above Telegram's
// own limit.
const maxFuzzRunes = 20000

// fuzzUpdate builds an update from fuzz inputs: text repeated repeat times
// (capped at maxFuzzRunes), with an entity of type entType at offset and
// length (UTF-16 units, not checked), in the kind of update, chat and
// message that kind, chatKind and flags select.
func fuzzUpdate(kind, chatKind, flags uint8, text string, repeat uint16, entType uint8, offset, length int) tgbotapi.Update {
	text = strings.Repeat(text, min(int(repeat)+1, 1+4*maxFuzzRunes/max(len(text), 1)))
	if utf8.RuneCountInString(text) > maxFuzzRunes {
		// Cut by bytes, as a client would not: invalid UTF-8 may remain.
		n := 0
		for i := range text {
			if n == maxFuzzRunes {
				text = text[:i]
				break
			}
			n++
		}
	}
	bot := tgbotapi.User{ID: 1000, IsBot: true, FirstName: "Khabar", UserName: "khabar_bot"}
	var ch *tgbotapi.Chat
	switch int(chatKind) % fuzzChats {
	case fuzzPrivate:
		ch = &tgbotapi.Chat{ID: 7, Type: "private"}
	case fuzzGroup:
		ch = &tgbotapi.Chat{ID: -7, Type: "group", Title: text[:min(len(text), 20)]}
	case fuzzSupergroup:
		ch = &tgbotapi.Chat{ID: -1007, Type: "supergroup"}
	case fuzzChannel:
		ch = &tgbotapi.Chat{ID: -1008, Type: "channel"}
	}
	var from *tgbotapi.User
	switch {
	case flags&flagFromBot != 0:
		from = &tgbotapi.User{ID: 99, IsBot: true, UserName: "other_bot"}
	case flags&flagAdmin != 0:
		from = &tgbotapi.User{ID: fuzzAdmin, FirstName: "admin"}
	case flags&flagReplyOther == 0:
		from = &tgbotapi.User{ID: 7, FirstName: "reader", LanguageCode: "fa"}
	}
	if chatKind&0x80 != 0 && ch != nil && ch.IsPrivate() && from != nil {
		ch.ID = from.ID // a private chat is the user's id
	}

	m := &tgbotapi.Message{MessageID: 10, Date: int(time.Now().Unix()), Chat: ch, From: from}
	ents := []tgbotapi.MessageEntity{{Type: fuzzEntityTypes[int(entType)%len(fuzzEntityTypes)], Offset: offset, Length: length}}
	if ents[0].Type == "text_mention" {
		ents[0].User = &bot
		if entType&0x80 != 0 {
			ents[0].User = nil
		}
	}
	if ents[0].Type == "text_link" {
		ents[0].URL = text
	}
	if flags&flagMention != 0 {
		text = "@khabar_bot " + text
		ents = append(ents, tgbotapi.MessageEntity{Type: "mention", Offset: 0, Length: 11})
	}
	switch {
	case flags&flagCaption != 0:
		m.Caption, m.CaptionEntities = text, ents
	default:
		m.Text, m.Entities = text, ents
	}
	switch {
	case flags&flagSticker != 0:
		m.Sticker = &tgbotapi.Sticker{FileID: "sticker", Emoji: text[:min(len(text), 4)]}
	case flags&flagDocument != 0:
		m.Document = &tgbotapi.Document{FileID: "doc", FileName: text[:min(len(text), 40)] + ".txt", FileSize: len(text)}
	case flags&flagCaption != 0:
		m.Photo = []tgbotapi.PhotoSize{{FileID: "photo", Width: 1, Height: 1}}
	}
	switch {
	case flags&flagReplyToBot != 0:
		m.ReplyToMessage = &tgbotapi.Message{MessageID: 9, Chat: ch, From: &bot, Text: "پاسخ قبلی"}
	case flags&flagReplyOther != 0:
		m.ReplyToMessage = &tgbotapi.Message{MessageID: 8, Chat: ch, Text: text}
	}

	u := tgbotapi.Update{UpdateID: 1}
	switch int(kind) % fuzzKinds {
	case fuzzMessage:
		u.Message = m
	case fuzzEditedMessage:
		u.EditedMessage = m
	case fuzzChannelPost:
		u.ChannelPost = m
	case fuzzCallbackQuery:
		u.CallbackQuery = &tgbotapi.CallbackQuery{ID: "cb", From: from, Data: text}
		if flags&flagCaption == 0 {
			u.CallbackQuery.Message = m
		}
	case fuzzMyChatMember:
		status := []string{"member", "administrator", "left", "kicked", "restricted", text}[int(entType)%6]
		cm := &tgbotapi.ChatMemberUpdated{NewChatMember: tgbotapi.ChatMember{User: &bot, Status: status}}
		if ch != nil {
			cm.Chat = *ch
		}
		if from != nil {
			cm.From = *from
		}
		u.MyChatMember = cm
	case fuzzInlineQuery:
		u.InlineQuery = &tgbotapi.InlineQuery{ID: "iq", From: from, Query: text}
	}
	return u
}

// FuzzUpdate hands random updates to the bot's update handler, which
// talks to the fake Bot API through the real client: it must not panic,
// and everything it sends must be markup Telegram accepts, within the
// length limit.
func FuzzUpdate(f *testing.F) {
	emoji := strings.Repeat("😀", 10)
	seeds := []struct {
		kind, chat, flags uint8
		text              string
		repeat            uint16
		entType           uint8
		offset, length    int
	}{
		{fuzzMessage, fuzzPrivate, 0, "وزیر دفاع عراق چه گفت؟", 0, 0, 0, 0},
		{fuzzMessage, fuzzPrivate, 0, "\u200f\u202eسلام\u202c\u200e \u2067خبر\u2069 \u200d\u200c؟", 0, 1, 0, 3},
		{fuzzMessage, fuzzPrivate, 0, "متن \xff\xfe\xfd نامعتبر \xc3", 3, 3, 2, 5},
		{fuzzMessage, fuzzPrivate, 0, "خبر <b>تازه</b> & <a href=\"javascript:x\">x</a> &lt; &#x110000; &amp ", 40, 3, 0, 1 << 30},
		{fuzzMessage, fuzzPrivate, 0, "خبر ", 5000, 0, 0, 0},             // 20,000 runes
		{fuzzMessage, fuzzPrivate, 0, "<&\"> ", 900, 0, 0, 0},            // escapes to far more than 4096
		{fuzzMessage, fuzzPrivate, 0, emoji, 400, 1, 1, 2},               // surrogate pairs; an entity inside one
		{fuzzMessage, fuzzGroup, 0, "@khabar_bot " + emoji, 0, 1, 0, 11}, // a mention Telegram would mark
		{fuzzMessage, fuzzSupergroup, 0, "سلام @khabar_bot خبر؟", 0, 1, 5, 11},
		{fuzzMessage, fuzzSupergroup, 0, "@khabar_bot", 0, 1, -5, 11}, // a negative offset
		{fuzzMessage, fuzzSupergroup, 0, "@khabar_bot", 0, 1, 1 << 62, 1 << 62},
		{fuzzMessage, fuzzGroup, flagMention, "", 0, 2, 0, 0},   // only the mention
		{fuzzMessage, fuzzGroup, 0, "کاربر", 0, 2, 0, 5},        // text_mention of the bot
		{fuzzMessage, fuzzGroup, 0, "کاربر", 0, 2 | 0x80, 0, 5}, // text_mention without a user
		{fuzzMessage, fuzzSupergroup, 0, "/ask@khabar_bot " + emoji, 0, 0, 0, 15},
		{fuzzMessage, fuzzSupergroup, 0, "/ask@other_bot چه خبر", 0, 0, 0, 14},
		{fuzzMessage, fuzzSupergroup, 0, "/ask", 0, 0, 0, 4},
		{fuzzMessage, fuzzSupergroup, flagReplyToBot, "و دلار؟", 0, 3, 0, 0},
		{fuzzMessage, fuzzSupergroup, flagReplyOther, "و دلار؟", 0, 3, 0, 0},
		{fuzzMessage, fuzzPrivate, 0, "", 0, 0, 0, 0},                  // an empty message
		{fuzzMessage, fuzzPrivate, flagCaption, "عکس خبر", 0, 0, 0, 0}, // a caption without text
		{fuzzMessage, fuzzGroup, flagCaption | flagMention, "عکس", 0, 0, 0, 0},
		{fuzzMessage, fuzzPrivate, flagSticker, "🦒", 0, 0, 0, 0},
		{fuzzMessage, fuzzGroup, flagSticker | flagReplyToBot, "", 0, 0, 0, 0},
		{fuzzMessage, fuzzPrivate, flagDocument, "خبر", 0, 0, 0, 0},
		{fuzzMessage, fuzzPrivate, flagDocument | flagAdmin, "date 2025-10-12\nبه گزارش ایرنا، خبر تازه.", 0, 0, 0, 0},
		{fuzzMessage, fuzzGroup, flagDocument | flagAdmin | flagMention, "خبر", 0, 0, 0, 0},
		{fuzzMessage, fuzzPrivate, flagAdmin, "/reload", 0, 0, 0, 7},
		{fuzzMessage, fuzzPrivate | 0x80, flagAdmin, "/stats", 0, 0, 0, 6},
		{fuzzMessage, fuzzPrivate, 0, "/sources", 0, 0, 0, 8},
		{fuzzMessage, fuzzPrivate, 0, "/summary امروز", 0, 0, 0, 8},
		{fuzzMessage, fuzzPrivate, 0, "/help@khabar_bot", 0, 0, 0, 16},
		{fuzzMessage, fuzzPrivate, 0, "/" + strings.Repeat("a", 70), 0, 0, 0, 71},
		{fuzzMessage, fuzzPrivate, 0, "/ask \x00\x01\x02 \t\r\n", 0, 0, 0, 4},
		{fuzzMessage, fuzzPrivate, flagFromBot, "پرسش یک ربات", 0, 0, 0, 0},
		{fuzzMessage, fuzzChannel, 0, "پست کانال", 0, 0, 0, 0},
		{fuzzMessage, fuzzNoChat, 0, "بی‌گفت‌وگو", 0, 0, 0, 0},
		{fuzzMessage, fuzzPrivate, flagReplyOther, "بی‌فرستنده", 0, 0, 0, 0}, // no From
		{fuzzEditedMessage, fuzzPrivate, 0, "ویرایش‌شده", 0, 0, 0, 0},
		{fuzzChannelPost, fuzzChannel, 0, "@khabar_bot خبر", 0, 1, 0, 11},
		{fuzzCallbackQuery, fuzzPrivate, 0, "data", 0, 0, 0, 0},
		{fuzzCallbackQuery, fuzzPrivate, flagCaption, "data", 0, 0, 0, 0}, // an inline message's button, no Message: chatKey panicked
		{fuzzMyChatMember, fuzzSupergroup, 0, "", 0, 0, 0, 0},
		{fuzzMyChatMember, fuzzChannel, 0, "", 0, 3, 0, 0},
		{fuzzMyChatMember, fuzzNoChat, flagReplyOther, "", 0, 1, 0, 0},
		{fuzzMyChatMember, fuzzGroup, 0, "", 0, 0x42, 0, 0},                // added to a group that is not allowed
		{fuzzMessage, fuzzGroup, 0, "/ask@khabar_bot خبر", 0, 0x40, 0, 15}, // a question from one
		{fuzzInlineQuery, fuzzPrivate, 0, "inline", 0, 0, 0, 0},
		{fuzzEmpty, fuzzPrivate, 0, "", 0, 0, 0, 0},
	}
	for _, s := range seeds {
		f.Add(s.kind, s.chat, s.flags, s.text, s.repeat, s.entType, s.offset, s.length)
	}
	f.Fuzz(func(t *testing.T, kind, chatKind, flags uint8, text string, repeat uint16, entType uint8, offset, length int) {
		u := fuzzUpdate(kind, chatKind, flags, text, repeat, entType, offset, length)
		fake := telegramtest.New(t, telegramtest.Options{})
		if u.Message != nil && u.Message.Document != nil {
			fake.AddFile("doc", "documents/file.txt", []byte(text))
		}
		api := fake.Bot(t)
		logs := newLogRecorder()
		problem := corpus.Problem{Path: text, Reason: text, Skipped: true}
		ch := chat.New(&echoAnswerer{}, discard(), chat.Options{
			MaxQuestionChars: 5000, // up to 5,000 characters are echoed back, split
			Reload: func(context.Context) (retrieval.Report, error) {
				return retrieval.Report{Articles: 1, Problems: []corpus.Problem{problem, problem}}, nil
			},
			SeedsDir: t.TempDir(),
		})
		allowed := []int64(nil)
		if entType&0x40 != 0 {
			allowed = []int64{-1007}
		}
		b := New(api, api.Self, ch, slog.New(logs), Options{
			Token: fake.Token(), APIEndpoint: fake.APIEndpoint(), HTTPClient: fake.Client(),
			NoPacing: true, Admins: []int64{fuzzAdmin}, AllowedChats: allowed, UpdateTimeout: time.Minute,
		})

		chatKey(u)
		b.handleUpdate(context.Background(), u)
		b.bg.Wait() // a reload's report

		if p := logs.find(slog.LevelError, "update handler panicked"); len(p) > 0 {
			t.Fatalf("%s\nupdate: %+v", p[0], u)
		}
		for _, c := range fake.Calls("") {
			if c.Method != "sendMessage" && c.Method != "editMessageText" {
				continue
			}
			text := c.Params.Get("text")
			if !c.OK {
				t.Errorf("%s refused (%d %s): %q", c.Method, c.ErrorCode, c.Description, text)
			}
			visible := text
			if c.Params.Get("parse_mode") == tgbotapi.ModeHTML {
				var err error
				if visible, err = telegramtest.VisibleText(text); err != nil {
					t.Errorf("%s: %v: %q", c.Method, err, text)
				}
			}
			if n := telegramtest.UTF16Len(visible); n > maxMessageUTF16 || strings.TrimSpace(visible) == "" {
				t.Errorf("%s: %d UTF-16 units of visible text: %q", c.Method, n, visible)
			}
		}
	})
}
