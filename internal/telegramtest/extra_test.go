package telegramtest_test

import (
	"encoding/json"
	"io"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/internal/telegramtest"
)

// wireMessage is the part of a message's JSON that tgbotapi v5.5.1 drops.
type wireMessage struct {
	MessageThreadID int  `json:"message_thread_id"`
	IsTopicMessage  bool `json:"is_topic_message"`
	Chat            struct {
		IsForum bool `json:"is_forum"`
	} `json:"chat"`
}

func TestTopicMessages(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	forum := tgbotapi.Chat{ID: -100777, Type: "supergroup", Title: "Forum"}
	m := fake.PushMessageExtra(tgbotapi.Message{Chat: &forum, From: &alice, Text: "in a topic"}, telegramtest.Topic(9))
	fake.PushText(group, alice, "no topic")

	resp, err := bot.MakeRequest("getUpdates", tgbotapi.Params{})
	if err != nil {
		t.Fatalf("getUpdates: %v", err)
	}
	var ups []struct {
		Message wireMessage `json:"message"`
	}
	if err := json.Unmarshal(resp.Result, &ups); err != nil || len(ups) != 2 {
		t.Fatalf("getUpdates: %s, %v", resp.Result, err)
	}
	if got := ups[0].Message; got.MessageThreadID != 9 || !got.IsTopicMessage || !got.Chat.IsForum {
		t.Errorf("topic message: got %+v, want thread 9 in a forum", got)
	}
	if got := ups[1].Message; got.MessageThreadID != 0 || got.IsTopicMessage || got.Chat.IsForum {
		t.Errorf("plain message: got %+v, want no topic", got)
	}
	// tgbotapi still decodes the rest.
	var decoded []tgbotapi.Update
	if err := json.Unmarshal(resp.Result, &decoded); err != nil || decoded[0].Message.MessageID != m.MessageID || decoded[0].Message.Text != "in a topic" {
		t.Errorf("decoded: %+v, %v", decoded, err)
	}

	// A send into a topic is recorded; a topic of a chat that is no forum
	// is refused.
	if _, err := bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": "-100777", "message_thread_id": "9", "text": "answer"}); err != nil {
		t.Fatalf("sendMessage in a topic: %v", err)
	}
	if got := fake.Messages(forum.ID); len(got) != 1 || got[0].MessageThreadID != 9 {
		t.Errorf("sent: %+v, want one message in thread 9", got)
	}
	_, err = bot.MakeRequest("sendMessage", tgbotapi.Params{"chat_id": "-100123", "message_thread_id": "9", "text": "answer"})
	if e := apiError(t, err); e.Code != 400 || e.Message != "Bad Request: message thread not found" {
		t.Errorf("topic in a plain group: got %d %q", e.Code, e.Message)
	}
	_, err = bot.MakeRequest("sendChatAction", tgbotapi.Params{"chat_id": "-100123", "message_thread_id": "9", "action": "typing"})
	if e := apiError(t, err); e.Code != 400 {
		t.Errorf("typing in a topic of a plain group: got %d %q", e.Code, e.Message)
	}
	if _, err := bot.MakeRequest("sendChatAction", tgbotapi.Params{"chat_id": "-100777", "message_thread_id": "9", "action": "typing"}); err != nil {
		t.Errorf("typing in a topic: %v", err)
	}
}

func TestTopicWebhookRequest(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	if _, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://khabar.example/hook"}); err != nil {
		t.Fatal(err)
	}
	forum := tgbotapi.Chat{ID: -100778, Type: "supergroup"}
	req, err := fake.NewWebhookRequestExtra(tgbotapi.Update{Message: &tgbotapi.Message{Chat: &forum, From: &alice, Text: "hi"}}, telegramtest.Topic(3))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	var u struct {
		Message wireMessage `json:"message"`
	}
	if err := json.Unmarshal(body, &u); err != nil || u.Message.MessageThreadID != 3 || !u.Message.IsTopicMessage {
		t.Errorf("webhook body %s: %+v, %v", body, u, err)
	}
}

func TestInitialText(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	m, err := bot.Send(tgbotapi.NewMessage(dm.ID, "first"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageText(dm.ID, m.MessageID, "second")); err != nil {
		t.Fatal(err)
	}
	if got := fake.Messages(dm.ID)[0]; got.Initial != "first" || got.Visible != "second" {
		t.Errorf("got initial %q, visible %q", got.Initial, got.Visible)
	}
}

func TestMigrateChat(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	old := tgbotapi.Chat{ID: -555, Type: "group", Title: "Old"}
	fake.PushText(old, alice, "hello")
	fake.MigrateChat(old.ID, -100555)
	for _, c := range []tgbotapi.Chattable{tgbotapi.NewMessage(old.ID, "hi"), tgbotapi.NewChatAction(old.ID, tgbotapi.ChatTyping), tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: old.ID}}} {
		_, err := bot.Request(c)
		if e := apiError(t, err); e.Code != 400 || e.MigrateToChatID != -100555 || e.Message != "Bad Request: group chat was upgraded to a supergroup chat" {
			t.Errorf("%T to the old group: got %d %q migrate_to %d", c, e.Code, e.Message, e.MigrateToChatID)
		}
	}
	chat, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: -100555}})
	if err != nil || chat.Type != "supergroup" || chat.Title != "Old" {
		t.Errorf("the supergroup: %+v, %v", chat, err)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(-100555, "hi")); err != nil {
		t.Errorf("send to the supergroup: %v", err)
	}
}
