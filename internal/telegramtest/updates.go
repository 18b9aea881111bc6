package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Push queues u for getUpdates and wakes pending long polls. A zero UpdateID
// is replaced by the next one of a monotonic sequence; the ID is returned.
// Messages in u (Message, EditedMessage, ChannelPost, EditedChannelPost) are
// completed like PushMessage does and become known to the fake, so the bot
// can reply to them.
func (s *Server) Push(u tgbotapi.Update) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked(u).UpdateID
}

// PushMessage completes m and pushes it as a "message" update: a zero
// MessageID gets the next message ID (shared with the messages the bot
// sends), a zero Date gets now, an empty Chat.Type gets "private" for a
// positive chat ID and "supergroup" otherwise, and when m has Text but no
// Entities, bot_command and mention entities are computed (in UTF-16 units).
// It returns the completed message.
func (s *Server) PushMessage(m tgbotapi.Message) tgbotapi.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.pushLocked(tgbotapi.Update{Message: &m})
	return *u.Message
}

// PushText pushes a text message from the user from in chat, as PushMessage
// does, and returns it.
func (s *Server) PushText(chat tgbotapi.Chat, from tgbotapi.User, text string) tgbotapi.Message {
	return s.PushMessage(tgbotapi.Message{Chat: &chat, From: &from, Text: text})
}

// PendingUpdates returns the number of queued updates not yet confirmed by
// a getUpdates call with a higher offset.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// NewWebhookRequest returns the POST request Telegram would send to the
// webhook set with setWebhook: u as JSON, with the header
// X-Telegram-Bot-Api-Secret-Token when a secret_token was set. Serve it to
// the bot's handler directly (e.g. with httptest.NewRecorder); nothing is
// sent over the network. u is completed like Push does but not queued.
func (s *Server) NewWebhookRequest(u tgbotapi.Update) (*http.Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhookURL == "" {
		return nil, errors.New("telegramtest: no webhook is set")
	}
	u = s.completeUpdateLocked(u)
	body, err := s.wireUpdateLocked(u)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, s.webhookURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.webhookSecret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", s.webhookSecret)
	}
	return req, nil
}

func (s *Server) pushLocked(u tgbotapi.Update) tgbotapi.Update {
	u = s.completeUpdateLocked(u)
	s.queue = append(s.queue, u)
	s.broadcastLocked()
	return u
}

func (s *Server) completeUpdateLocked(u tgbotapi.Update) tgbotapi.Update {
	if u.UpdateID == 0 {
		u.UpdateID = s.nextUpdate
	}
	if u.UpdateID >= s.nextUpdate {
		s.nextUpdate = u.UpdateID + 1
	}
	for _, mp := range []**tgbotapi.Message{&u.Message, &u.EditedMessage, &u.ChannelPost, &u.EditedChannelPost} {
		if *mp != nil {
			m := s.completeMessageLocked(**mp)
			*mp = &m
		}
	}
	return u
}

func (s *Server) completeMessageLocked(m tgbotapi.Message) tgbotapi.Message {
	if m.MessageID == 0 {
		m.MessageID = s.nextMessageIDLocked()
	} else if m.MessageID >= s.nextMessage {
		s.nextMessage = m.MessageID + 1
	}
	if m.Date == 0 {
		m.Date = int(time.Now().Unix())
	}
	if m.From != nil {
		from := *m.From
		m.From = &from
		s.users[from.ID] = from
	}
	if m.Chat == nil {
		s.t.Errorf("telegramtest: pushed message %d has no Chat", m.MessageID)
	} else {
		chat := *m.Chat
		if chat.Type == "" {
			chat.Type = chatType(chat.ID)
		}
		if chat.Type == "private" && chat.FirstName == "" && m.From != nil && m.From.ID == chat.ID {
			chat.FirstName, chat.LastName, chat.UserName = m.From.FirstName, m.From.LastName, m.From.UserName
		}
		m.Chat = &chat
		s.chats[chat.ID] = chat
	}
	if m.Text != "" && m.Entities == nil {
		m.Entities = detectEntities(m.Text)
	}
	if m.Chat != nil {
		s.incoming[msgKey{m.Chat.ID, m.MessageID}] = m
	}
	return m
}

func (s *Server) nextMessageIDLocked() int {
	id := s.nextMessage
	s.nextMessage++
	return id
}

func chatType(id int64) string {
	if id > 0 {
		return "private"
	}
	return "supergroup"
}

// detectEntities finds bot commands (at the start of the text or after
// whitespace) and @mentions (usernames of 5 to 32 characters), with offsets
// and lengths in UTF-16 code units.
func detectEntities(text string) []tgbotapi.MessageEntity {
	var ents []tgbotapi.MessageEntity
	u16 := 0
	prev := rune(-1) // -1: start of text
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		end := 0
		switch {
		case r == '/' && (prev == -1 || unicode.IsSpace(prev)):
			j := scanWord(text, i+1)
			if j > i+1 && j-i-1 <= 64 {
				end = j
				if j < len(text) && text[j] == '@' {
					if k := scanWord(text, j+1); k-j-1 >= 5 && k-j-1 <= 32 {
						end = k
					}
				}
				ents = append(ents, tgbotapi.MessageEntity{Type: "bot_command", Offset: u16, Length: end - i})
			}
		case r == '@' && (prev == -1 || !isWordRune(prev) && prev != '@' && prev != '/'):
			j := scanWord(text, i+1)
			if l := j - i - 1; l >= 5 && l <= 32 {
				end = j
				ents = append(ents, tgbotapi.MessageEntity{Type: "mention", Offset: u16, Length: end - i})
			}
		}
		if end > 0 { // the entity is ASCII: one UTF-16 unit per byte
			u16 += end - i
			prev = rune(text[end-1])
			i = end
			continue
		}
		u16 += UTF16Len(text[i : i+n])
		prev = r
		i += n
	}
	return ents
}

func scanWord(s string, i int) int {
	for i < len(s) && (isASCIIAlnum(s[i]) || s[i] == '_') {
		i++
	}
	return i
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// updateType returns the name of the update's payload field.
func updateType(u tgbotapi.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.ChannelPost != nil:
		return "channel_post"
	case u.EditedChannelPost != nil:
		return "edited_channel_post"
	case u.InlineQuery != nil:
		return "inline_query"
	case u.ChosenInlineResult != nil:
		return "chosen_inline_result"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.ShippingQuery != nil:
		return "shipping_query"
	case u.PreCheckoutQuery != nil:
		return "pre_checkout_query"
	case u.Poll != nil:
		return "poll"
	case u.PollAnswer != nil:
		return "poll_answer"
	case u.MyChatMember != nil:
		return "my_chat_member"
	case u.ChatMember != nil:
		return "chat_member"
	case u.ChatJoinRequest != nil:
		return "chat_join_request"
	}
	return ""
}

const conflictWebhook = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"

// getUpdates implements the long poll. Called with s.mu held.
func (s *Server) getUpdates(ctx context.Context, c *Call) (any, *apiError) {
	p := c.Params
	offset, _ := strconv.Atoi(p.Get("offset"))
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p.Get("timeout"))
	if a := p.Get("allowed_updates"); a != "" && a != "null" {
		var list []string
		if err := json.Unmarshal([]byte(a), &list); err != nil {
			return nil, badRequest("can't parse allowed updates JSON array")
		}
		s.allowed = list
	}
	if s.webhookURL != "" {
		return nil, &apiError{code: http.StatusConflict, desc: conflictWebhook}
	}
	s.pollGen++
	gen := s.pollGen
	s.broadcastLocked() // an older pending poll ends with 409

	switch {
	case offset > 0:
		s.queue = slices.DeleteFunc(s.queue, func(u tgbotapi.Update) bool { return u.UpdateID < offset })
	case offset < 0 && -offset < len(s.queue):
		s.queue = slices.Delete(s.queue, 0, len(s.queue)+offset)
	}

	waiting := false
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		timer = t.C
	}
	for {
		if gen != s.pollGen {
			return nil, &apiError{code: http.StatusConflict, desc: defaultDescription(http.StatusConflict, 0)}
		}
		ups := s.deliverableLocked(limit)
		if len(ups) > 0 || timeout <= 0 {
			return s.wireUpdatesLocked(ups)
		}
		if !waiting {
			waiting = true
			s.polling++
			s.broadcastLocked()
			defer func() { s.polling-- }() // runs with s.mu held
		}
		if err := s.waitLocked(ctx, timer); err != nil {
			return s.wireUpdatesLocked(s.deliverableLocked(limit))
		}
	}
}

// WaitPolling waits until a getUpdates long poll is pending, e.g. to be sure
// the bot's update loop has started. It fails when ctx is done or the test
// ends first.
func (s *Server) WaitPolling(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.polling == 0 {
		if err := s.waitLocked(ctx, nil); err != nil {
			return fmt.Errorf("telegramtest: waiting for a long poll: %w", err)
		}
	}
	return nil
}

// deliverableLocked returns up to limit queued updates, dropping those that
// allowed_updates excludes.
func (s *Server) deliverableLocked(limit int) []tgbotapi.Update {
	if len(s.allowed) > 0 {
		s.queue = slices.DeleteFunc(s.queue, func(u tgbotapi.Update) bool {
			return !slices.Contains(s.allowed, updateType(u))
		})
	}
	n := min(limit, len(s.queue))
	return append(make([]tgbotapi.Update, 0, n), s.queue[:n]...)
}
