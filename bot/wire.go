package bot

import (
	"encoding/json"
	"fmt"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// The pinned tgbotapi (v5.5.1) predates forum topics: its Message has no
// message_thread_id or is_topic_message, and its send configs cannot
// carry a message_thread_id. Updates are therefore decoded twice, once
// into tgbotapi.Update and once into wireUpdate for the missing fields,
// and sends into a topic are made with MakeRequest.

// wireUpdate holds the fields of an update that tgbotapi.Update lacks.
type wireUpdate struct {
	UpdateID int `json:"update_id"`
	Message  *struct {
		MessageThreadID int  `json:"message_thread_id"`
		IsTopicMessage  bool `json:"is_topic_message"`
	} `json:"message"`
}

// topic is the forum topic of the update's message, 0 for none. A
// message_thread_id without is_topic_message is the thread of a reply in
// an ordinary group, which a send may not name.
func (w wireUpdate) topic() int {
	if w.Message == nil || !w.Message.IsTopicMessage {
		return 0
	}
	return w.Message.MessageThreadID
}

// decodeUpdate decodes one update from the Bot API and remembers the
// topic of its message for handleUpdate.
func (b *Bot) decodeUpdate(raw []byte) (tgbotapi.Update, error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return u, err
	}
	var w wireUpdate
	if err := json.Unmarshal(raw, &w); err != nil {
		// tgbotapi read it: handle it, outside any topic.
		b.log.Warn("update fields beyond tgbotapi unreadable", "update", u.UpdateID, "err", err)
		return u, nil
	}
	if t := w.topic(); t > 0 {
		b.topics.put(u.UpdateID, t)
	}
	return u, nil
}

// getUpdates is tgbotapi's GetUpdates, with each update decoded by
// decodeUpdate.
func (b *Bot) getUpdates(cfg tgbotapi.UpdateConfig) ([]tgbotapi.Update, error) {
	p := tgbotapi.Params{}
	p.AddNonZero("offset", cfg.Offset)
	p.AddNonZero("limit", cfg.Limit)
	p.AddNonZero("timeout", cfg.Timeout)
	if err := p.AddInterface("allowed_updates", cfg.AllowedUpdates); err != nil {
		return nil, err
	}
	resp, err := b.api.MakeRequest("getUpdates", p)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	ups := make([]tgbotapi.Update, 0, len(raws))
	for _, raw := range raws {
		u, err := b.decodeUpdate(raw)
		if err != nil {
			return nil, fmt.Errorf("getUpdates: %w", err)
		}
		ups = append(ups, u)
	}
	return ups, nil
}

// topicMemo remembers the topic of recent updates from decoding until
// handling. Only updates in a topic are kept, at most len(ring).
type topicMemo struct {
	mu   sync.Mutex
	m    map[int]int
	ring [4096]int
	next int
}

func (t *topicMemo) put(updateID, thread int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[int]int{}
	}
	if old := t.ring[t.next]; old != 0 {
		delete(t.m, old)
	}
	t.ring[t.next] = updateID
	t.next = (t.next + 1) % len(t.ring)
	t.m[updateID] = thread
}

// take returns and forgets the topic of an update, 0 when none.
func (t *topicMemo) take(updateID int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	thread := t.m[updateID]
	delete(t.m, updateID)
	return thread
}

// call makes one send of c (sendMessage or editMessageText) for the
// conversation to: to the supergroup the chat became, if it did, and
// into its topic. tgbotapi cannot name a topic, so a message for one is
// sent with MakeRequest.
func (b *Bot) call(to dest, c tgbotapi.Chattable) (tgbotapi.Message, error) {
	cfg, ok := c.(tgbotapi.MessageConfig)
	if !ok {
		// An edit names a message of the chat it was sent in; after a
		// migration it fails, and the caller sends the text anew.
		return b.api.Send(c)
	}
	cfg.ChatID = b.moves.follow(cfg.ChatID)
	if to.thread == 0 {
		return b.api.Send(cfg)
	}
	p := tgbotapi.Params{}
	p.AddNonZero64("chat_id", cfg.ChatID)
	p.AddNonZero("message_thread_id", to.thread)
	p.AddNonEmpty("text", cfg.Text)
	p.AddNonEmpty("parse_mode", cfg.ParseMode)
	p.AddBool("disable_web_page_preview", cfg.DisableWebPagePreview)
	p.AddBool("disable_notification", cfg.DisableNotification)
	p.AddNonZero("reply_to_message_id", cfg.ReplyToMessageID)
	p.AddBool("allow_sending_without_reply", cfg.AllowSendingWithoutReply)
	resp, err := b.api.MakeRequest("sendMessage", p)
	if err != nil {
		return tgbotapi.Message{}, err
	}
	var msg tgbotapi.Message
	if err := json.Unmarshal(resp.Result, &msg); err != nil {
		return tgbotapi.Message{}, fmt.Errorf("sendMessage: %w", err)
	}
	return msg, nil
}

// chatAction sends the typing action to the conversation to (again to
// the supergroup, when the chat turns out to have become one).
func (b *Bot) chatAction(to dest) error {
	p := tgbotapi.Params{}
	p.AddNonZero64("chat_id", b.moves.follow(to.chatID))
	p.AddNonZero("message_thread_id", to.thread)
	p["action"] = tgbotapi.ChatTyping
	_, err := b.api.MakeRequest("sendChatAction", p)
	if err != nil && b.followMigration(to.chatID, err) {
		p.AddNonZero64("chat_id", b.moves.follow(to.chatID))
		_, err = b.api.MakeRequest("sendChatAction", p)
	}
	return err
}

// migratedTo returns the supergroup that err says the chat became: the
// 400 "group chat was upgraded to a supergroup chat" with
// parameters.migrate_to_chat_id.
func migratedTo(err error) (int64, bool) {
	te, ok := apiError(err)
	if !ok || te.MigrateToChatID == 0 {
		return 0, false
	}
	return te.MigrateToChatID, true
}

// followMigration reports whether err says that chatID was upgraded to a
// supergroup, after recording the move (see [Bot.migrate]) so that the
// call, repeated, goes there.
func (b *Bot) followMigration(chatID int64, err error) bool {
	to, ok := migratedTo(err)
	if !ok {
		return false
	}
	b.log.Warn("the group was upgraded to a supergroup: sending there", "chat", chatID, "to", to)
	b.migrate(chatID, to)
	return true
}

// chatMoves maps groups to the supergroups they were upgraded to.
type chatMoves struct {
	mu sync.Mutex
	m  map[int64]int64
}

// follow returns the chat that chatID became, or chatID.
func (c *chatMoves) follow(chatID int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range 4 { // a chain of upgrades is short; never loop
		to, ok := c.m[chatID]
		if !ok {
			break
		}
		chatID = to
	}
	return chatID
}

// add records that from became to; it reports whether that is news.
func (c *chatMoves) add(from, to int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if from == to || from == 0 || to == 0 || c.m[from] == to {
		return false
	}
	if c.m == nil {
		c.m = map[int64]int64{}
	}
	c.m[from] = to
	return true
}
