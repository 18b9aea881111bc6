package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/persian"
)

// digests keeps the chats' daily digest subscriptions; *digest.Store is
// one.
type digests interface {
	SubscribeTopic(chatID int64, thread, hour, minute int) error
	Unsubscribe(chatID int64) (had bool, err error)
	Get(chatID int64) (digest.Subscription, bool, error)
	Move(from, to int64) (had bool, err error)
}

// digestCommand answers /digest: alone it shows the chat's setting (to
// anyone); "HH:MM" (Tehran time, Latin or Persian digits) subscribes the
// chat and "off" or «خاموش» unsubscribes it, both only for those who may
// manage the chat (see [Chat.mayManage]).
func (c *Chat) digestCommand(ctx context.Context, m Message, args string) Reply {
	store := c.opts.Digests
	if store == nil {
		return textReply(msgDigestUnavailable)
	}
	if args == "" {
		sub, ok, err := store.Get(m.ChatID)
		switch {
		case err != nil:
			c.log.Error("digest store", "chat", m.ChatID, "err", err)
			return textReply(msgDigestFailed)
		case !ok:
			return textReply(msgDigestNone)
		}
		return textReply(fmt.Sprintf(msgDigestCurrent, persian.Digits(sub.Time())))
	}
	if r, ok := c.mayManage(ctx, m); !ok {
		return r
	}
	if off := strings.ToLower(args); off == "off" || off == "خاموش" {
		had, err := store.Unsubscribe(m.ChatID)
		switch {
		case err != nil:
			c.log.Error("digest store", "chat", m.ChatID, "err", err)
			return textReply(msgDigestFailed)
		case !had:
			return textReply(msgDigestWasOff)
		}
		c.log.Info("digest unsubscribed", "chat", m.ChatID, "by", m.UserID)
		return textReply(msgDigestOff)
	}
	hour, minute, err := digest.ParseTime(args)
	if err != nil {
		return textReply(msgDigestUsage)
	}
	if err := store.SubscribeTopic(m.ChatID, m.Thread, hour, minute); err != nil {
		c.log.Error("digest store", "chat", m.ChatID, "err", err)
		return textReply(msgDigestFailed)
	}
	at := fmt.Sprintf("%02d:%02d", hour, minute)
	c.log.Info("digest subscribed", "chat", m.ChatID, "topic", m.Thread, "by", m.UserID, "at", at)
	return textReply(fmt.Sprintf(msgDigestSet, persian.Digits(at)))
}

// mayManage reports whether m's sender may change the chat's settings: a
// bot admin anywhere, or whoever the transport says administers the chat
// (a group's creator and administrators; the user of a private chat).
// Otherwise, or when the check fails, the reply refuses politely.
func (c *Chat) mayManage(ctx context.Context, m Message) (Reply, bool) {
	if m.Admin {
		return Reply{}, true
	}
	if m.ChatAdmin == nil {
		return textReply(msgDigestRefused), false
	}
	ok, err := m.ChatAdmin(ctx)
	switch {
	case err != nil:
		c.log.Warn("chat admin check failed", "chat", m.ChatID, "user", m.UserID, "err", err)
		return textReply(msgDigestCheckFailed), false
	case !ok:
		return textReply(msgDigestRefused), false
	}
	return Reply{}, true
}

// chatAdmin returns the check of whether the sender s of m administers
// its chat: always in a private chat and for an anonymous admin (who
// writes as the group, which only its admins can), and for a user of a
// group when getChatMember says "creator" or "administrator". It returns
// nil (no) for a channel and for a message without a sender.
func (b *Bot) chatAdmin(m *tgbotapi.Message, s sender) func(ctx context.Context) (bool, error) {
	switch {
	case s.anonymousAdmin:
		return func(context.Context) (bool, error) { return true, nil }
	case !s.user:
		return nil
	case m.Chat.IsPrivate():
		return func(context.Context) (bool, error) { return s.id == m.Chat.ID, nil }
	}
	chatID, userID := m.Chat.ID, s.id
	return func(context.Context) (bool, error) {
		resp, err := b.api.Request(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chatID, UserID: userID}})
		if err != nil {
			b.opts.Metrics.TelegramError("getChatMember", errorCode(err))
			return false, fmt.Errorf("getChatMember: %w", b.redact(err))
		}
		var member tgbotapi.ChatMember
		if err := json.Unmarshal(resp.Result, &member); err != nil {
			return false, fmt.Errorf("getChatMember: %w", err)
		}
		return member.Status == "creator" || member.Status == "administrator", nil
	}
}

// ErrUnreachable is returned by [Bot.SendDigest] when Telegram says the
// chat cannot be written to: the bot was removed or blocked, or the chat is
// gone.
// It is [digest.ErrUnreachable], on which the scheduler unsubscribes.
var ErrUnreachable = digest.ErrUnreachable

// ErrRejected is returned by [Bot.SendDigest] when Telegram refused the
// digest for good (a 4xx other than a flood wait): sending it again would
// fail again.
// It is [digest.ErrRejected], on which the scheduler gives up for the day.
var ErrRejected = digest.ErrRejected

// SendDigest sends a digest, the summary s under the heading «خلاصه روزانه
// اخبار», to chatID in the forum topic thread (0 for none) through the
// bot's send path: paced, split under Telegram's limit, in HTML with a
// plain-text retry, retry_after honoured, and re-sent to the supergroup a
// group was upgraded to (whose id the subscription then takes).
func (b *Bot) SendDigest(ctx context.Context, chatID int64, thread int, s answer.Summary) error {
	_, err := b.sendHTML(ctx, dest{chatID: chatID, thread: thread}, digestHTML(s))
	if err == nil {
		return nil
	}
	te, ok := apiError(err)
	switch {
	case ok && (te.Code == 403 || te.Code == 400 && strings.Contains(te.Message, "chat not found")):
		return fmt.Errorf("send digest: %w: %w", ErrUnreachable, err)
	case ok && te.Code >= 400 && te.Code < 500 && te.Code != 429:
		return fmt.Errorf("send digest: %w: %w", ErrRejected, err)
	}
	return fmt.Errorf("send digest: %w", b.redact(err))
}

// digestHTML renders a digest: a summary under its own heading.
func digestHTML(s answer.Summary) string {
	return summaryWithHeading(msgDigestHeading, s)
}
