package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Sent is the state of a message the bot sent, with the history of its edits.
type Sent struct {
	// MessageID and ChatID identify the message.
	MessageID int
	ChatID    int64
	// Kind is "text" for sendMessage, else the media kind: "document",
	// "photo", "audio", "video", "voice" or "animation".
	Kind string
	// Text is the current text (the caption, for media) exactly as the bot
	// sent it, markup included.
	Text string
	// Visible is Text as the user sees it: for parse mode HTML, tags removed
	// and entities decoded; otherwise Text itself.
	Visible string
	// ParseMode is the parse_mode of the current text.
	ParseMode string
	// ReplyToMessageID is the reply_to_message_id the message was sent with.
	ReplyToMessageID int
	// MessageThreadID is the message_thread_id (forum topic) the message
	// was sent with; the fake accepts one only for a forum (see Extra).
	MessageThreadID int
	// Initial is Visible as the message was first sent, before any edit.
	Initial string
	// ReplyMarkup is the current raw reply_markup JSON, "" if none.
	ReplyMarkup string
	// DisableWebPagePreview and DisableNotification mirror the request.
	DisableWebPagePreview bool
	DisableNotification   bool
	// Upload is the uploaded file of a media message, nil when it was sent
	// by file_id or URL; FileRef is that file_id or URL.
	Upload  *Upload
	FileRef string
	// Edits lists the texts of the successful editMessageText calls, oldest
	// first; when there are any, Text equals the last one.
	Edits []string
	// Deleted reports that the bot deleted the message.
	Deleted bool
	// Time is when the message was sent; EditTime is the time of the last
	// edit, zero if none.
	Time     time.Time
	EditTime time.Time

	entities []tgbotapi.MessageEntity
	fileID   string
}

// Messages returns the messages the bot sent to chatID, in send order.
func (s *Server) Messages(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID)
}

func (s *Server) messagesLocked(chatID int64) []Sent {
	var out []Sent
	for _, m := range s.sent {
		if m.ChatID != chatID {
			continue
		}
		c := *m
		c.Edits = slices.Clone(m.Edits)
		c.entities = slices.Clone(m.entities)
		if m.Upload != nil {
			u := *m.Upload
			c.Upload = &u
		}
		out = append(out, c)
	}
	return out
}

// WaitMessages waits until the bot has sent at least n messages to chatID
// and returns them. When ctx is done or the test ends first, it returns the
// messages so far and an error.
func (s *Server) WaitMessages(ctx context.Context, chatID int64, n int) ([]Sent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		msgs := s.messagesLocked(chatID)
		if len(msgs) >= n {
			return msgs, nil
		}
		if err := s.waitLocked(ctx, nil); err != nil {
			return msgs, fmt.Errorf("telegramtest: waiting for %d messages in chat %d, got %d: %w", n, chatID, len(msgs), err)
		}
	}
}

// Commands returns the commands of the last successful setMyCommands (nil
// if none, or after deleteMyCommands).
func (s *Server) Commands() []tgbotapi.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands)
}

// Webhook returns the url and secret_token of the last setWebhook, or empty
// strings if no webhook is set.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.webhookSecret
}

// SetChatAdmins sets the administrators of chatID: getChatMember answers
// status "administrator" for them and "member" for anyone else, and
// getChatAdministrators lists them.
func (s *Server) SetChatAdmins(chatID int64, userIDs ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := map[int64]bool{}
	for _, id := range userIDs {
		set[id] = true
	}
	s.admins[chatID] = set
}

type builtinFunc func(ctx context.Context, c *Call) (any, *apiError)

// builtin returns the built-in implementation of method, which must be
// called with s.mu held, or nil.
func (s *Server) builtin(method string) builtinFunc {
	switch method {
	case "getMe":
		return func(context.Context, *Call) (any, *apiError) { return s.bot, nil }
	case "getUpdates":
		return s.getUpdates
	case "sendMessage":
		return s.sendMessage
	case "editMessageText":
		return s.editMessageText
	case "deleteMessage":
		return s.deleteMessage
	case "sendDocument", "sendPhoto", "sendAudio", "sendVideo", "sendVoice", "sendAnimation":
		return s.sendMedia
	case "sendChatAction":
		return s.sendChatAction
	case "setMyCommands":
		return s.setMyCommands
	case "getMyCommands":
		return func(context.Context, *Call) (any, *apiError) {
			return append([]tgbotapi.BotCommand{}, s.commands...), nil
		}
	case "deleteMyCommands":
		return func(context.Context, *Call) (any, *apiError) { s.commands = nil; return true, nil }
	case "setWebhook":
		return s.setWebhook
	case "deleteWebhook":
		return func(_ context.Context, c *Call) (any, *apiError) {
			s.webhookURL, s.webhookSecret = "", ""
			if c.Params.Get("drop_pending_updates") == "true" {
				s.queue = nil
			}
			return true, nil
		}
	case "getWebhookInfo":
		return func(context.Context, *Call) (any, *apiError) {
			return tgbotapi.WebhookInfo{URL: s.webhookURL, PendingUpdateCount: len(s.queue), AllowedUpdates: s.allowed}, nil
		}
	case "getFile":
		return s.getFile
	case "leaveChat", "answerCallbackQuery":
		return func(_ context.Context, c *Call) (any, *apiError) {
			if c.Method == "leaveChat" {
				if _, e := s.chatIDLocked(c.Params); e != nil {
					return nil, e
				}
			}
			return true, nil
		}
	case "getChat":
		return func(_ context.Context, c *Call) (any, *apiError) {
			id, e := s.chatIDLocked(c.Params)
			if e != nil {
				return nil, e
			}
			return s.chatLocked(id), nil
		}
	case "getChatMember":
		return s.getChatMember
	case "getChatAdministrators":
		return s.getChatAdministrators
	}
	return nil
}

// chatIDLocked parses chat_id: a number, or "@username" of a known chat.
func (s *Server) chatIDLocked(p map[string][]string) (int64, *apiError) {
	v := ""
	if vs := p["chat_id"]; len(vs) > 0 {
		v = vs[0]
	}
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	if name, ok := strings.CutPrefix(v, "@"); ok {
		for id, c := range s.chats {
			if c.UserName != "" && strings.EqualFold(c.UserName, name) {
				return id, nil
			}
		}
		return 0, badRequest("chat not found")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	if to, ok := s.migrated[id]; ok {
		return 0, errMigrated(to)
	}
	return id, nil
}

// chatLocked returns the known chat id, or a synthesized one.
func (s *Server) chatLocked(id int64) tgbotapi.Chat {
	if c, ok := s.chats[id]; ok {
		return c
	}
	return tgbotapi.Chat{ID: id, Type: chatType(id)}
}

// checkText validates a text or caption and returns its visible form and
// entities.
func checkText(text, parseMode string, caption bool) (string, []tgbotapi.MessageEntity, *apiError) {
	visible, ents := text, []tgbotapi.MessageEntity(nil)
	switch strings.ToLower(parseMode) {
	case "html":
		var err error
		if visible, ents, err = ParseHTML(text); err != nil {
			return "", nil, badRequest("can't parse entities: " + err.Error())
		}
	case "", "markdown", "markdownv2":
		// Markdown is not validated.
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	if caption {
		if UTF16Len(visible) > 1024 {
			return "", nil, badRequest("message caption is too long")
		}
		return visible, ents, nil
	}
	if strings.TrimSpace(visible) == "" {
		return "", nil, badRequest("message text is empty")
	}
	if UTF16Len(visible) > 4096 {
		return "", nil, badRequest("message is too long")
	}
	return visible, ents, nil
}

// lookupLocked returns a known message (pushed or sent) without its
// ReplyToMessage.
func (s *Server) lookupLocked(chatID int64, id int) (tgbotapi.Message, bool) {
	k := msgKey{chatID, id}
	if m, ok := s.incoming[k]; ok {
		m.ReplyToMessage = nil
		return m, true
	}
	if m, ok := s.sentByKey[k]; ok && !m.Deleted {
		return s.messageLocked(m, false), true
	}
	return tgbotapi.Message{}, false
}

// messageLocked builds the Message the API returns for a sent message.
func (s *Server) messageLocked(m *Sent, withReply bool) tgbotapi.Message {
	chat := s.chatLocked(m.ChatID)
	from := tgbotapi.User{ID: s.bot.ID, IsBot: true, FirstName: s.bot.FirstName, UserName: s.bot.UserName}
	msg := tgbotapi.Message{MessageID: m.MessageID, From: &from, Date: int(m.Time.Unix()), Chat: &chat}
	if !m.EditTime.IsZero() {
		msg.EditDate = int(m.EditTime.Unix())
	}
	if m.Kind == "text" {
		msg.Text, msg.Entities = m.Visible, slices.Clone(m.entities)
	} else {
		msg.Caption, msg.CaptionEntities = m.Visible, slices.Clone(m.entities)
		setMedia(&msg, m.Kind, s.files[m.fileID])
	}
	if withReply && m.ReplyToMessageID != 0 {
		if r, ok := s.lookupLocked(m.ChatID, m.ReplyToMessageID); ok {
			msg.ReplyToMessage = &r
		}
	}
	if m.ReplyMarkup != "" {
		var kb tgbotapi.InlineKeyboardMarkup
		if json.Unmarshal([]byte(m.ReplyMarkup), &kb) == nil && len(kb.InlineKeyboard) > 0 {
			msg.ReplyMarkup = &kb
		}
	}
	return msg
}

func setMedia(msg *tgbotapi.Message, kind string, f *storedFile) {
	if f == nil {
		return
	}
	id, uid, name, size := f.id, f.uniqueID, f.name, len(f.content)
	switch kind {
	case "document":
		msg.Document = &tgbotapi.Document{FileID: id, FileUniqueID: uid, FileName: name, FileSize: size}
	case "photo":
		msg.Photo = []tgbotapi.PhotoSize{{FileID: id, FileUniqueID: uid, Width: 1, Height: 1, FileSize: size}}
	case "audio":
		msg.Audio = &tgbotapi.Audio{FileID: id, FileUniqueID: uid, FileName: name, FileSize: size}
	case "video":
		msg.Video = &tgbotapi.Video{FileID: id, FileUniqueID: uid, FileName: name, FileSize: size}
	case "voice":
		msg.Voice = &tgbotapi.Voice{FileID: id, FileUniqueID: uid, FileSize: size}
	case "animation":
		msg.Animation = &tgbotapi.Animation{FileID: id, FileUniqueID: uid, FileName: name, FileSize: size}
	}
}

// newSentLocked validates the fields common to all sends and returns the
// message to record, not yet numbered.
func (s *Server) newSentLocked(c *Call, kind, text string) (*Sent, *apiError) {
	p := c.Params
	chatID, e := s.chatIDLocked(p)
	if e != nil {
		return nil, e
	}
	visible, ents, e := checkText(text, p.Get("parse_mode"), kind != "text")
	if e != nil {
		return nil, e
	}
	m := &Sent{
		ChatID:                chatID,
		Kind:                  kind,
		Text:                  text,
		Visible:               visible,
		ParseMode:             p.Get("parse_mode"),
		ReplyMarkup:           p.Get("reply_markup"),
		DisableWebPagePreview: p.Get("disable_web_page_preview") == "true",
		DisableNotification:   p.Get("disable_notification") == "true",
		Initial:               visible,
		Time:                  c.Time,
		entities:              ents,
	}
	if v := p.Get("message_thread_id"); v != "" {
		id, err := strconv.Atoi(v)
		switch {
		case err != nil || id <= 0:
			return nil, badRequest("message thread not found")
		case !s.forums[chatID]:
			return nil, badRequest("message thread not found")
		}
		m.MessageThreadID = id
	}
	if e := checkMarkup(m.ReplyMarkup); e != nil {
		return nil, e
	}
	if v := p.Get("reply_to_message_id"); v != "" {
		id, err := strconv.Atoi(v)
		if err != nil {
			return nil, badRequest("wrong reply_to_message_id specified")
		}
		if _, ok := s.lookupLocked(chatID, id); !ok && p.Get("allow_sending_without_reply") != "true" {
			return nil, badRequest("message to be replied not found")
		}
		m.ReplyToMessageID = id
	}
	return m, nil
}

func checkMarkup(raw string) *apiError {
	if raw == "" || raw == "null" {
		return nil
	}
	var v map[string]any
	if json.Unmarshal([]byte(raw), &v) != nil {
		return badRequest("can't parse reply keyboard markup JSON object")
	}
	return nil
}

func (s *Server) recordSentLocked(m *Sent) tgbotapi.Message {
	m.MessageID = s.nextMessageIDLocked()
	s.sent = append(s.sent, m)
	s.sentByKey[msgKey{m.ChatID, m.MessageID}] = m
	return s.messageLocked(m, true)
}

func (s *Server) sendMessage(_ context.Context, c *Call) (any, *apiError) {
	m, e := s.newSentLocked(c, "text", c.Params.Get("text"))
	if e != nil {
		return nil, e
	}
	return s.recordSentLocked(m), nil
}

func (s *Server) sendMedia(_ context.Context, c *Call) (any, *apiError) {
	kind := strings.ToLower(strings.TrimPrefix(c.Method, "send"))
	m, e := s.newSentLocked(c, kind, c.Params.Get("caption"))
	if e != nil {
		return nil, e
	}
	var f *storedFile
	for _, u := range c.Uploads {
		if u.Field == kind {
			u := u
			m.Upload = &u
			f = s.newFileLocked(kind, u.Name, u.Content)
		}
	}
	if f == nil {
		ref := c.Params.Get(kind)
		switch {
		case ref == "":
			return nil, badRequest("there is no " + kind + " in the request")
		case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
			// Never fetched: tests must not reach the network.
			f = s.newFileLocked(kind, ref[strings.LastIndex(ref, "/")+1:], nil)
		default:
			if f = s.files[ref]; f == nil {
				return nil, badRequest("wrong file identifier/HTTP URL specified")
			}
		}
		m.FileRef = ref
	}
	m.fileID = f.id
	return s.recordSentLocked(m), nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (s *Server) editMessageText(_ context.Context, c *Call) (any, *apiError) {
	p := c.Params
	if p.Get("inline_message_id") != "" {
		return nil, badRequest("MESSAGE_ID_INVALID")
	}
	chatID, e := s.chatIDLocked(p)
	if e != nil {
		return nil, e
	}
	id, err := strconv.Atoi(p.Get("message_id"))
	if err != nil || id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	text, parseMode, markup := p.Get("text"), p.Get("parse_mode"), p.Get("reply_markup")
	visible, ents, e := checkText(text, parseMode, false)
	if e != nil {
		return nil, e
	}
	if e := checkMarkup(markup); e != nil {
		return nil, e
	}
	m := s.sentByKey[msgKey{chatID, id}]
	switch {
	case m == nil || m.Deleted:
		if _, ok := s.incoming[msgKey{chatID, id}]; ok {
			return nil, badRequest("message can't be edited")
		}
		return nil, badRequest("message to edit not found")
	case m.Kind != "text":
		return nil, badRequest("there is no text in the message to edit")
	case visible == m.Visible && slices.Equal(ents, m.entities) && markup == m.ReplyMarkup:
		return nil, badRequest(notModified)
	}
	m.Text, m.Visible, m.entities, m.ParseMode, m.ReplyMarkup = text, visible, ents, parseMode, markup
	m.DisableWebPagePreview = p.Get("disable_web_page_preview") == "true"
	m.Edits = append(m.Edits, text)
	m.EditTime = c.Time
	return s.messageLocked(m, true), nil
}

func (s *Server) deleteMessage(_ context.Context, c *Call) (any, *apiError) {
	chatID, e := s.chatIDLocked(c.Params)
	if e != nil {
		return nil, e
	}
	id, err := strconv.Atoi(c.Params.Get("message_id"))
	if err != nil || id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	k := msgKey{chatID, id}
	if m := s.sentByKey[k]; m != nil && !m.Deleted {
		m.Deleted = true
		return true, nil
	}
	if _, ok := s.incoming[k]; ok {
		delete(s.incoming, k)
		return true, nil
	}
	return nil, badRequest("message to delete not found")
}

var chatActions = []string{
	"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
	"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}

func (s *Server) sendChatAction(_ context.Context, c *Call) (any, *apiError) {
	chatID, e := s.chatIDLocked(c.Params)
	if e != nil {
		return nil, e
	}
	if v := c.Params.Get("message_thread_id"); v != "" && !s.forums[chatID] {
		return nil, badRequest("message thread not found")
	}
	if !slices.Contains(chatActions, c.Params.Get("action")) {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}

var commandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (s *Server) setMyCommands(_ context.Context, c *Call) (any, *apiError) {
	raw := c.Params.Get("commands")
	if raw == "" {
		return nil, badRequest(`parameter "commands" is required`)
	}
	var cmds []tgbotapi.BotCommand
	if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, cmd := range cmds {
		if !commandRE.MatchString(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(cmd.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.commands = cmds
	return true, nil
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(_ context.Context, c *Call) (any, *apiError) {
	u, secret := c.Params.Get("url"), c.Params.Get("secret_token")
	if u != "" && !strings.HasPrefix(u, "https://") {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	if secret != "" && !secretRE.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	if c.Params.Get("drop_pending_updates") == "true" {
		s.queue = nil
	}
	s.webhookURL, s.webhookSecret = u, secret
	if u == "" {
		s.webhookSecret = ""
	}
	return true, nil
}

func (s *Server) memberLocked(chatID, userID int64) tgbotapi.ChatMember {
	user, ok := s.users[userID]
	if userID == s.bot.ID {
		user, ok = s.bot, true
	}
	if !ok {
		user = tgbotapi.User{ID: userID, FirstName: fmt.Sprintf("User %d", userID)}
	}
	status := "member"
	if s.admins[chatID][userID] {
		status = "administrator"
	} else if userID == s.bot.ID && s.chats[chatID].Type == "channel" {
		status = "left" // a bot is in a channel only as an administrator
	}
	return tgbotapi.ChatMember{User: &user, Status: status}
}

func (s *Server) getChatMember(_ context.Context, c *Call) (any, *apiError) {
	chatID, e := s.chatIDLocked(c.Params)
	if e != nil {
		return nil, e
	}
	userID, err := strconv.ParseInt(c.Params.Get("user_id"), 10, 64)
	if err != nil || userID <= 0 {
		return nil, badRequest("invalid user_id specified")
	}
	return s.memberLocked(chatID, userID), nil
}

func (s *Server) getChatAdministrators(_ context.Context, c *Call) (any, *apiError) {
	chatID, e := s.chatIDLocked(c.Params)
	if e != nil {
		return nil, e
	}
	if chatType(chatID) == "private" && s.chatLocked(chatID).Type == "private" {
		return nil, badRequest("there are no administrators in the private chat")
	}
	ids := make([]int64, 0, len(s.admins[chatID]))
	for id := range s.admins[chatID] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	members := make([]tgbotapi.ChatMember, 0, len(ids))
	for _, id := range ids {
		members = append(members, s.memberLocked(chatID, id))
	}
	return members, nil
}
