package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Extra holds the fields of an incoming message that tgbotapi v5.5.1 has
// no place for. PushMessageExtra adds them to the message's JSON as the
// real Bot API would send them, in getUpdates and in webhook requests.
type Extra struct {
	// MessageThreadID is message_thread_id: the forum topic (or the reply
	// thread) the message belongs to.
	MessageThreadID int
	// IsTopicMessage is is_topic_message: the message was sent in a forum
	// topic.
	IsTopicMessage bool
	// IsForum is chat.is_forum. It also makes the fake treat the chat as a
	// forum: sends to it may carry a message_thread_id, which sends to
	// other chats may not.
	IsForum bool
}

// Topic returns the Extra of a message posted in topic thread of a forum.
func Topic(thread int) Extra {
	return Extra{MessageThreadID: thread, IsTopicMessage: true, IsForum: true}
}

func (e Extra) isZero() bool { return e == Extra{} }

// PushMessageExtra is PushMessage for a message with the fields in extra.
func (s *Server) PushMessageExtra(m tgbotapi.Message, extra Extra) tgbotapi.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.completeUpdateLocked(tgbotapi.Update{Message: &m})
	s.addExtraLocked(u, extra)
	s.queue = append(s.queue, u)
	s.broadcastLocked()
	return *u.Message
}

// NewWebhookRequestExtra is NewWebhookRequest for an update whose message
// has the fields in extra.
func (s *Server) NewWebhookRequestExtra(u tgbotapi.Update, extra Extra) (*http.Request, error) {
	s.mu.Lock()
	u = s.completeUpdateLocked(u)
	s.addExtraLocked(u, extra)
	s.mu.Unlock()
	return s.NewWebhookRequest(u)
}

func (s *Server) addExtraLocked(u tgbotapi.Update, extra Extra) {
	if extra.isZero() {
		return
	}
	s.extras[u.UpdateID] = extra
	if extra.IsForum && u.Message != nil && u.Message.Chat != nil {
		s.forums[u.Message.Chat.ID] = true
	}
}

// MigrateChat upgrades the group from to the supergroup to: from then on,
// every call naming chat_id from fails with 400 "Bad Request: group chat
// was upgraded to a supergroup chat" and parameters.migrate_to_chat_id,
// as Telegram's do. The service messages are the test's to push.
func (s *Server) MigrateChat(from, to int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.migrated[from] = to
	if c, ok := s.chats[from]; ok {
		c.ID, c.Type = to, "supergroup"
		s.chats[to] = c
	}
}

// errMigrated is the answer to a call naming a migrated group.
func errMigrated(to int64) *apiError {
	return &apiError{code: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: to}
}

// wireUpdatesLocked encodes updates as the Bot API sends them, extras
// included.
func (s *Server) wireUpdatesLocked(ups []tgbotapi.Update) (any, *apiError) {
	out := make([]json.RawMessage, 0, len(ups))
	for _, u := range ups {
		raw, err := s.wireUpdateLocked(u)
		if err != nil {
			s.t.Errorf("telegramtest: encoding update %d: %v", u.UpdateID, err)
			return nil, &apiError{code: 500, desc: "Internal Server Error"}
		}
		out = append(out, raw)
	}
	return out, nil
}

// wireUpdateLocked encodes one update with the extra fields of its
// message.
func (s *Server) wireUpdateLocked(u tgbotapi.Update) ([]byte, error) {
	raw, err := json.Marshal(u)
	extra, ok := s.extras[u.UpdateID]
	if err != nil || !ok || u.Message == nil {
		return raw, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	var msg map[string]any
	if err := json.Unmarshal(obj["message"], &msg); err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	if extra.MessageThreadID != 0 {
		msg["message_thread_id"] = extra.MessageThreadID
	}
	if extra.IsTopicMessage {
		msg["is_topic_message"] = true
	}
	if chat, ok := msg["chat"].(map[string]any); ok && extra.IsForum {
		chat["is_forum"] = true
	}
	if obj["message"], err = json.Marshal(msg); err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}
