package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/corpus/channel"
)

// channelStore keeps the articles of channel posts; *channel.Store is one.
type channelStore interface {
	Put(channel.Post) (channel.Result, error)
	SetAdmin(channel.Chat, bool) (channel.Result, error)
	Admins() []channel.Chat
}

var _ channelStore = (*channel.Store)(nil)

// defaultChannelSyncDelay is the default of Options.ChannelSyncDelay.
const defaultChannelSyncDelay = 3 * time.Second

// handleChannelPost stores a channel post (or its edit) as an article and
// asks for an index sync when the corpus changed. The bot never replies
// in a channel.
func (b *Bot) handleChannelPost(m *tgbotapi.Message) {
	store := b.opts.Channels
	if store == nil || m.Chat == nil || !m.Chat.IsChannel() {
		return
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	p := channel.Post{
		Chat:      channelChat(m.Chat),
		MessageID: m.MessageID,
		Date:      time.Unix(int64(m.Date), 0),
		Text:      text,
	}
	if m.Date == 0 { // not from Telegram, which always dates a post
		p.Date = time.Now()
	}
	if m.EditDate != 0 {
		p.EditDate = time.Unix(int64(m.EditDate), 0)
	}
	res, err := store.Put(p)
	if err != nil {
		b.log.Error("channel post not stored", "channel", m.Chat.ID, "post", m.MessageID, "err", err)
		return
	}
	b.log.Info("channel post", "channel", m.Chat.ID, "post", m.MessageID, "edited", m.EditDate != 0, "outcome", res.Outcome.String())
	if res.CorpusChanged {
		b.kickChannelSync()
	}
}

// channelMembership follows the bot's status in a channel: its posts
// count while the bot administers it.
func (b *Bot) channelMembership(cm *tgbotapi.ChatMemberUpdated) {
	store := b.opts.Channels
	if store == nil || !cm.Chat.IsChannel() {
		return
	}
	admin := isAdminStatus(cm.NewChatMember.Status)
	res, err := store.SetAdmin(channelChat(&cm.Chat), admin)
	if err != nil {
		b.log.Error("channel status not stored", "channel", cm.Chat.ID, "err", err)
		return
	}
	b.log.Info("channel status", "channel", cm.Chat.ID, "title", cm.Chat.Title, "admin", admin, "by", cm.From.ID)
	if res.CorpusChanged {
		b.kickChannelSync()
	}
}

func isAdminStatus(s string) bool { return s == "administrator" || s == "creator" }

func channelChat(c *tgbotapi.Chat) channel.Chat {
	return channel.Chat{ID: c.ID, Title: c.Title, Username: c.UserName}
}

// kickChannelSync asks the channel sync loop for a sync; requests made
// before it starts are coalesced into one.
func (b *Bot) kickChannelSync() {
	select {
	case b.channelKick <- struct{}{}:
	default: // one is already pending
	}
}

// startChannels starts, when channel posts are kept, the loop that syncs
// the index after posts (at most once every ChannelSyncDelay, requests
// coalesced), and a check of the channels the bot believes it
// administers, for changes made while it was not running. Both end with
// life; Run waits for them.
func (b *Bot) startChannels(life context.Context) {
	if b.opts.Channels == nil {
		return
	}
	b.bg.Go(func() { b.checkChannels(life) })
	b.bg.Go(func() { b.channelSyncLoop(life) })
}

func (b *Bot) channelSyncLoop(life context.Context) {
	delay := b.opts.ChannelSyncDelay
	for {
		select {
		case <-life.Done():
			return
		case <-b.channelKick:
		}
		t := time.NewTimer(delay)
		select {
		case <-life.Done():
			t.Stop()
			return // the posts are stored: the next start syncs them
		case <-t.C:
		}
		select { // posts that arrived during the wait share this sync
		case <-b.channelKick:
		default:
		}
		if !b.chat.CanSync() {
			b.log.Warn("channel posts are stored but the index cannot be synced (no reload configured)")
			continue
		}
		rep, err := b.chat.Sync(life)
		if err != nil {
			b.log.Error("channel posts not synced into the index", "err", err)
			continue
		}
		b.log.Info("channel posts synced", "articles", rep.Articles, "added", rep.Added,
			"updated", rep.Updated, "removed", rep.Removed, "embedded", rep.Embedded)
	}
}

// checkChannels asks Telegram (getChatMember) whether the bot still
// administers each channel it believes it does; a channel that answers
// that it does not, or that the bot cannot see it (400, 403), stops
// counting. Network errors change nothing.
func (b *Bot) checkChannels(life context.Context) {
	channels := b.opts.Channels.Admins()
	left := 0
	defer func() { b.log.Info("channel status checked", "channels", len(channels), "left", left) }()
	for _, c := range channels {
		if life.Err() != nil {
			return
		}
		admin, err := b.botAdminOf(c.ID)
		if err != nil {
			b.log.Warn("could not check the bot's status in a channel", "channel", c.ID, "err", b.redact(err))
			continue
		}
		if admin {
			continue
		}
		left++
		b.log.Warn("the bot no longer administers a channel: its posts leave the corpus", "channel", c.ID, "title", c.Title)
		res, err := b.opts.Channels.SetAdmin(c, false)
		if err != nil {
			b.log.Error("channel status not stored", "channel", c.ID, "err", err)
			continue
		}
		if res.CorpusChanged {
			b.kickChannelSync()
		}
	}
}

// botAdminOf reports whether the bot administers chatID; an error means
// Telegram did not say.
func (b *Bot) botAdminOf(chatID int64) (bool, error) {
	resp, err := b.api.Request(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chatID, UserID: b.self.ID}})
	if err != nil {
		var te *tgbotapi.Error
		if errors.As(err, &te) && (te.Code == 400 || te.Code == 403) {
			return false, nil // chat not found, bot is not a member
		}
		b.opts.Metrics.TelegramError("getChatMember", errorCode(err))
		return false, err
	}
	var member tgbotapi.ChatMember
	if err := json.Unmarshal(resp.Result, &member); err != nil {
		return false, fmt.Errorf("getChatMember: %w", err)
	}
	return isAdminStatus(member.Status), nil
}
