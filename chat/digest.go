package chat

import (
	"context"
	"fmt"
	"strings"

	"github.com/khabar/khabar/digest"
	"github.com/khabar/khabar/persian"
)

// Digests keeps the chats' daily digest subscriptions; *digest.Store is
// one, and any store of subscriptions can be.
type Digests interface {
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
		return textReply(MsgDigestUnavailable)
	}
	if args == "" {
		sub, ok, err := store.Get(m.ChatID)
		switch {
		case err != nil:
			c.log.Error("digest store", "chat", m.ChatID, "err", err)
			return textReply(msgDigestFailed)
		case !ok:
			return textReply(MsgDigestNone)
		}
		return textReply(fmt.Sprintf(MsgDigestCurrent, persian.Digits(sub.Time())))
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
			return textReply(MsgDigestWasOff)
		}
		c.log.Info("digest unsubscribed", "chat", m.ChatID, "by", m.UserID)
		return textReply(MsgDigestOff)
	}
	hour, minute, err := digest.ParseTime(args)
	if err != nil {
		return textReply(MsgDigestUsage)
	}
	if err := store.SubscribeTopic(m.ChatID, m.Thread, hour, minute); err != nil {
		c.log.Error("digest store", "chat", m.ChatID, "err", err)
		return textReply(msgDigestFailed)
	}
	at := fmt.Sprintf("%02d:%02d", hour, minute)
	c.log.Info("digest subscribed", "chat", m.ChatID, "topic", m.Thread, "by", m.UserID, "at", at)
	return textReply(fmt.Sprintf(MsgDigestSet, persian.Digits(at)))
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
		return textReply(MsgDigestRefused), false
	}
	ok, err := m.ChatAdmin(ctx)
	switch {
	case err != nil:
		c.log.Warn("chat admin check failed", "chat", m.ChatID, "user", m.UserID, "err", err)
		return textReply(MsgDigestCheckFailed), false
	case !ok:
		return textReply(MsgDigestRefused), false
	}
	return Reply{}, true
}
