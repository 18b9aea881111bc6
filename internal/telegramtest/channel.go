package telegramtest

import (
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// PushChannelPost pushes m as a "channel_post" update, completed as
// PushMessage does and as Telegram delivers a post: Chat.Type "channel"
// when empty, sender_chat the channel itself, no From. Telegram delivers
// channel posts only to a bot that administers the channel; the fake does
// not check. It returns the completed message.
func (s *Server) PushChannelPost(m tgbotapi.Message) tgbotapi.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m = channelMessage(m)
	u := s.pushLocked(tgbotapi.Update{ChannelPost: &m})
	return *u.ChannelPost
}

// PushEditedChannelPost pushes m, the new version of the post m.MessageID,
// as an "edited_channel_post" update: like PushChannelPost, with EditDate
// now when it is zero. It returns the completed message.
func (s *Server) PushEditedChannelPost(m tgbotapi.Message) tgbotapi.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m = channelMessage(m)
	if m.EditDate == 0 {
		m.EditDate = int(time.Now().Unix())
	}
	if m.MessageID == 0 {
		s.t.Errorf("telegramtest: an edited channel post needs the MessageID of the post")
	}
	u := s.pushLocked(tgbotapi.Update{EditedChannelPost: &m})
	return *u.EditedChannelPost
}

func channelMessage(m tgbotapi.Message) tgbotapi.Message {
	if m.Chat != nil {
		chat := *m.Chat
		if chat.Type == "" {
			chat.Type = "channel"
		}
		m.Chat = &chat
		if m.SenderChat == nil {
			sender := chat
			m.SenderChat = &sender
		}
	}
	return m
}

// PushBotMember pushes the "my_chat_member" update Telegram sends when the
// bot's status in chat changes from old to status ("administrator",
// "member", "left", "kicked"…), changed by the user by. It also makes
// getChatMember and getChatAdministrators answer accordingly: the bot is
// an administrator of chat exactly when status is "administrator" or
// "creator". An empty chat.Type is "channel". It returns the update id.
func (s *Server) PushBotMember(chat tgbotapi.Chat, by tgbotapi.User, old, status string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if chat.Type == "" {
		chat.Type = "channel"
	}
	s.chats[chat.ID] = chat
	s.users[by.ID] = by
	set := s.admins[chat.ID]
	if set == nil {
		set = map[int64]bool{}
		s.admins[chat.ID] = set
	}
	if status == "administrator" || status == "creator" {
		set[s.bot.ID] = true
	} else {
		delete(set, s.bot.ID)
	}
	bot := s.bot
	u := s.pushLocked(tgbotapi.Update{MyChatMember: &tgbotapi.ChatMemberUpdated{
		Chat:          chat,
		From:          by,
		Date:          int(time.Now().Unix()),
		OldChatMember: tgbotapi.ChatMember{User: &bot, Status: old},
		NewChatMember: tgbotapi.ChatMember{User: &bot, Status: status},
	}})
	return u.UpdateID
}
