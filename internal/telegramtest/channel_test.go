package telegramtest_test

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/internal/telegramtest"
)

func TestChannelPostsAndBotMembership(t *testing.T) {
	fake, bot := newBot(t, telegramtest.Options{})
	channel := tgbotapi.Chat{ID: -1005, Title: "خبر فوری", UserName: "khabarfori"}

	fake.PushBotMember(channel, alice, "left", "administrator")
	post := fake.PushChannelPost(tgbotapi.Message{Chat: &channel, Text: "پست کانال"})
	fake.PushEditedChannelPost(tgbotapi.Message{MessageID: post.MessageID, Date: post.Date, Chat: &channel, Text: "پست ویرایش‌شده"})

	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{"channel_post", "edited_channel_post", "my_chat_member"}})
	if err != nil || len(ups) != 3 {
		t.Fatalf("GetUpdates = %d updates, %v; want 3", len(ups), err)
	}
	if cm := ups[0].MyChatMember; cm == nil || cm.Chat.Type != "channel" || cm.NewChatMember.Status != "administrator" || cm.NewChatMember.User.ID != fake.BotUser().ID || cm.From.ID != alice.ID {
		t.Errorf("my_chat_member = %+v", cm)
	}
	p := ups[1].ChannelPost
	if p == nil || p.Chat.Type != "channel" || p.Chat.UserName != "khabarfori" || p.SenderChat == nil || p.SenderChat.ID != channel.ID || p.From != nil || p.Text != "پست کانال" {
		t.Errorf("channel_post = %+v", p)
	}
	e := ups[2].EditedChannelPost
	if e == nil || e.MessageID != post.MessageID || e.EditDate == 0 || e.Text != "پست ویرایش‌شده" {
		t.Errorf("edited_channel_post = %+v", e)
	}

	member := func() string {
		m, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: channel.ID, UserID: fake.BotUser().ID}})
		if err != nil {
			t.Fatal(err)
		}
		return m.Status
	}
	if got := member(); got != "administrator" {
		t.Errorf("the bot's status = %q, want administrator", got)
	}
	fake.PushBotMember(channel, alice, "administrator", "left")
	if got := member(); got != "left" {
		t.Errorf("the bot's status after removal = %q, want left", got)
	}
}
