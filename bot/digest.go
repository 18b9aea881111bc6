package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/digest"
)

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
