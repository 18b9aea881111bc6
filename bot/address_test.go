package bot

import (
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/internal/telegramtest"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		give, name, target, args string
		ok                       bool
	}{
		{"/ask@khabar_bot q", "ask", "khabar_bot", "q", true},
		{"/ask@other_bot", "ask", "other_bot", "", true},
		{"/ask", "ask", "", "", true},
		{"/ask@ q", "", "", "", false},
		{"/آسک q", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			name, target, args, ok := splitCommand(tt.give)
			if name != tt.name || target != tt.target || args != tt.args || ok != tt.ok {
				t.Errorf("got %q %q %q %v, want %q %q %q %v", name, target, args, ok, tt.name, tt.target, tt.args, tt.ok)
			}
		})
	}
}

// mention returns the entity of the first "@name" in text, in UTF-16 units.
func mention(text, name string) []tgbotapi.MessageEntity {
	i := strings.Index(text, "@"+name)
	return []tgbotapi.MessageEntity{{Type: "mention", Offset: telegramtest.UTF16Len(text[:i]), Length: len(name) + 1}}
}

func TestAddress(t *testing.T) {
	self := tgbotapi.User{ID: 1000, IsBot: true, UserName: "khabar_bot"}
	b := &Bot{self: self, chat: chat.New(&echoAnswerer{}, discard(), chat.Options{})}
	private := &tgbotapi.Chat{ID: 5, Type: "private"}
	group := &tgbotapi.Chat{ID: -100, Type: "supergroup"}
	fromBot := &tgbotapi.Message{MessageID: 7, From: &self}
	fromUser := &tgbotapi.Message{MessageID: 8, From: &tgbotapi.User{ID: 42}}
	emojiText := "😀 سلام @khabar_bot دلار چند است؟"
	tests := []struct {
		name string
		give tgbotapi.Message
		text string
		want intent
	}{
		{"private question", tgbotapi.Message{Chat: private, Text: "دلار چند است؟"}, "دلار چند است؟", intentText},
		{"private command", tgbotapi.Message{Chat: private, Text: "/sources"}, "/sources ", intentText},
		{"private unknown command", tgbotapi.Message{Chat: private, Text: "/frob"}, "/frob ", intentText},
		{"private sticker", tgbotapi.Message{Chat: private, Sticker: &tgbotapi.Sticker{}}, "", intentNonText},
		{"private document", tgbotapi.Message{Chat: private, Document: &tgbotapi.Document{FileName: "a.txt"}}, "", intentDocument},
		{"group ask addressed", tgbotapi.Message{Chat: group, Text: "/ask@khabar_bot دلار؟"}, "/ask دلار؟", intentText},
		{"group ask addressed any case", tgbotapi.Message{Chat: group, Text: "/ask@Khabar_Bot دلار؟"}, "/ask دلار؟", intentText},
		{"group ask bare", tgbotapi.Message{Chat: group, Text: "/ask دلار؟"}, "/ask دلار؟", intentText},
		{"group ask for another bot", tgbotapi.Message{Chat: group, Text: "/ask@other_bot دلار؟"}, "", intentIgnore},
		{"group unknown bare command", tgbotapi.Message{Chat: group, Text: "/weather"}, "", intentIgnore},
		{"group unknown command addressed", tgbotapi.Message{Chat: group, Text: "/weather@khabar_bot"}, "/weather ", intentText},
		{"group chatter", tgbotapi.Message{Chat: group, Text: "سلام به همه"}, "", intentIgnore},
		{"group reply to the bot", tgbotapi.Message{Chat: group, Text: "و یورو؟", ReplyToMessage: fromBot}, "و یورو؟", intentText},
		{"group reply to someone else", tgbotapi.Message{Chat: group, Text: "موافقم", ReplyToMessage: fromUser}, "", intentIgnore},
		{"group mention", tgbotapi.Message{Chat: group, Text: "@khabar_bot دلار چند است؟", Entities: mention("@khabar_bot دلار چند است؟", "khabar_bot")}, "دلار چند است؟", intentText},
		{"group mention after emoji", tgbotapi.Message{Chat: group, Text: emojiText, Entities: mention(emojiText, "khabar_bot")}, "😀 سلام  دلار چند است؟", intentText},
		{"group mention of another", tgbotapi.Message{Chat: group, Text: "@someone_else سلام", Entities: mention("@someone_else سلام", "someone_else")}, "", intentIgnore},
		{"group text_mention", tgbotapi.Message{Chat: group, Text: "خبر چه؟", Entities: []tgbotapi.MessageEntity{{Type: "text_mention", Offset: 0, Length: 3, User: &self}}}, "چه؟", intentText},
		{"group name without entity", tgbotapi.Message{Chat: group, Text: "khabar_bot خوب است"}, "", intentIgnore},
		{"group sticker reply to the bot", tgbotapi.Message{Chat: group, Sticker: &tgbotapi.Sticker{}, ReplyToMessage: fromBot}, "", intentNonText},
		{"group photo mentioning the bot", tgbotapi.Message{Chat: group, Photo: []tgbotapi.PhotoSize{{}}, Caption: "@khabar_bot این چیست", CaptionEntities: mention("@khabar_bot این چیست", "khabar_bot")}, "این چیست", intentText},
		{"group photo with a bare mention", tgbotapi.Message{Chat: group, Photo: []tgbotapi.PhotoSize{{}}, Caption: "@khabar_bot", CaptionEntities: mention("@khabar_bot", "khabar_bot")}, "", intentNonText},
		{"group photo with /ask", tgbotapi.Message{Chat: group, Photo: []tgbotapi.PhotoSize{{}}, Caption: "/ask این چیست"}, "/ask این چیست", intentText},
		{"group photo with /ask addressed", tgbotapi.Message{Chat: group, Photo: []tgbotapi.PhotoSize{{}}, Caption: "/ask@khabar_bot این چیست"}, "/ask این چیست", intentText},
		{"group photo with a caption", tgbotapi.Message{Chat: group, Photo: []tgbotapi.PhotoSize{{}}, Caption: "عکس دیروز"}, "", intentIgnore},
		{"group photo", tgbotapi.Message{Chat: group, Photo: []tgbotapi.PhotoSize{{}}}, "", intentIgnore},
		{"private photo with a question", tgbotapi.Message{Chat: private, Photo: []tgbotapi.PhotoSize{{}}, Caption: "این مرد کیست؟"}, "این مرد کیست؟", intentText},
		{"private photo", tgbotapi.Message{Chat: private, Photo: []tgbotapi.PhotoSize{{}}}, "", intentNonText},
		{"private document with a command caption", tgbotapi.Message{Chat: private, Document: &tgbotapi.Document{FileName: "a.txt"}, Caption: "/ask چرا"}, "", intentDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, got := b.address(&tt.give)
			if got != tt.want || text != tt.text {
				t.Errorf("got %q, %d, want %q, %d", text, got, tt.text, tt.want)
			}
		})
	}
}

func TestUTF16Span(t *testing.T) {
	text := "a😀b" // 1 + 2 + 1 units
	tests := []struct {
		off, n     int
		start, end int
		ok         bool
	}{
		{0, 1, 0, 1, true},
		{1, 2, 1, 5, true},
		{3, 1, 5, 6, true},
		{2, 1, 0, 0, false}, // inside the surrogate pair
		{3, 5, 0, 0, false},
	}
	for _, tt := range tests {
		start, end, ok := utf16Span(text, tt.off, tt.n)
		if ok != tt.ok || ok && (start != tt.start || end != tt.end) {
			t.Errorf("utf16Span(%d, %d): got %d, %d, %v, want %d, %d, %v", tt.off, tt.n, start, end, ok, tt.start, tt.end, tt.ok)
		}
	}
}
