package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

// Telegram's flood limits, kept with a margin: about one message a second
// in a chat, twenty a minute in a group, thirty a second overall.
const (
	privateInterval  = time.Second
	groupInterval    = 3 * time.Second // 20 a minute
	globalPerSecond  = 30
	maxSendAttempts  = 5
	serverErrorDelay = time.Second
)

// pacer spaces the messages sent to each chat with a token bucket per
// chat (and one for the bot), and holds a chat back after a 429 for as
// long as Telegram's retry_after says.
type pacer struct {
	paced  bool
	global *rate.Limiter
	lanes  *idleMap[int64, *lane]
}

// lane is one chat's send budget.
type lane struct {
	lim *rate.Limiter // nil when not paced

	mu        sync.Mutex
	notBefore time.Time // set by a 429
}

func newPacer(paced bool) *pacer {
	p := &pacer{paced: paced, lanes: newIdleMap[int64, *lane](stateTTL, maxStateItems)}
	if paced {
		p.global = rate.NewLimiter(globalPerSecond, globalPerSecond)
	}
	return p
}

func (p *pacer) lane(chatID int64) *lane {
	return p.lanes.get(chatID, func() *lane {
		if !p.paced {
			return &lane{}
		}
		every := privateInterval
		if chatID < 0 { // groups and channels have negative ids
			every = groupInterval
		}
		return &lane{lim: rate.NewLimiter(rate.Every(every), 1)}
	})
}

// wait blocks until a message may be sent to chatID.
func (p *pacer) wait(ctx context.Context, chatID int64) error {
	l := p.lane(chatID)
	l.mu.Lock()
	hold := time.Until(l.notBefore)
	l.mu.Unlock()
	if hold > 0 {
		t := time.NewTimer(hold)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if l.lim != nil {
		if err := l.lim.Wait(ctx); err != nil {
			return err
		}
	}
	if p.global != nil {
		return p.global.Wait(ctx)
	}
	return nil
}

// hold keeps chatID quiet for d (a 429's retry_after).
func (p *pacer) hold(chatID int64, d time.Duration) {
	l := p.lane(chatID)
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := time.Now().Add(d); until.After(l.notBefore) {
		l.notBefore = until
	}
}

// held reports whether chatID is waiting out a 429.
func (p *pacer) held(chatID int64) bool {
	l := p.lane(chatID)
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Now().Before(l.notBefore)
}

// apiError returns err as a Bot API error.
func apiError(err error) (*tgbotapi.Error, bool) {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te, true
	}
	return nil, false
}

func isParseError(err error) bool {
	te, ok := apiError(err)
	return ok && te.Code == 400 && strings.Contains(te.Message, "can't parse entities")
}

func isNotModified(err error) bool {
	te, ok := apiError(err)
	return ok && strings.Contains(te.Message, "message is not modified")
}

// send makes one paced call that returns a message (sendMessage or
// editMessageText). A 429 holds the chat for retry_after and the call is
// repeated; so is a 5xx, or a call that got no Bot API answer, after a
// pause. When Telegram cannot parse the markup, plain (if set) is sent
// instead, once. A message for a group that became a supergroup is sent
// there, once (see followMigration).
func (b *Bot) send(ctx context.Context, to dest, method string, c tgbotapi.Chattable, plain func() tgbotapi.Chattable) (tgbotapi.Message, error) {
	chatID := to.chatID
	moved := false
	for attempt := 1; ; attempt++ {
		if err := b.pace.wait(ctx, chatID); err != nil {
			return tgbotapi.Message{}, err
		}
		msg, err := b.call(to, c)
		if err == nil {
			b.sent.Add(1)
			return msg, nil
		}
		b.opts.Metrics.TelegramError(method, err)
		te, isAPI := apiError(err)
		switch {
		case !moved && b.followMigration(chatID, err):
			moved = true
		case isAPI && te.RetryAfter > 0 && attempt < maxSendAttempts:
			b.floodWaits.Add(1)
			d := time.Duration(te.RetryAfter) * time.Second
			b.log.Warn("flood wait", "chat", chatID, "retry_after", d)
			b.pace.hold(chatID, d)
		case isParseError(err) && plain != nil:
			b.log.Warn("Telegram rejected the markup: sending plain text", "chat", chatID, "err", te.Message)
			c, plain = plain(), nil
		case !isAPI && attempt < maxSendAttempts:
			// No Bot API answer (a dropped connection, a timeout, a proxy's
			// error page): most likely nothing was sent, so try again
			// rather than lose the reply, at the risk of a rare duplicate.
			b.log.Warn("no answer from Telegram: retrying", "chat", chatID, "method", method, "err", b.redact(err))
			b.pace.hold(chatID, serverErrorDelay*time.Duration(attempt))
		case isAPI && te.Code >= 500 && attempt < maxSendAttempts:
			b.pace.hold(chatID, serverErrorDelay*time.Duration(attempt))
		default:
			return msg, err
		}
	}
}

// sendHTML sends html to the conversation to in as many messages as it
// needs, each replying to to.replyTo (when not 0) in its topic, and
// returns the first message's id.
func (b *Bot) sendHTML(ctx context.Context, to dest, html string) (int, error) {
	first := 0
	for i, part := range splitHTML(html, maxMessageUTF16-utf16Len(rlm)) {
		id, err := b.sendPart(ctx, to, part)
		if err != nil {
			return first, err
		}
		if i == 0 {
			first = id
		}
	}
	return first, nil
}

func (b *Bot) sendPart(ctx context.Context, to dest, part string) (int, error) {
	cfg := tgbotapi.NewMessage(to.chatID, rlm+part)
	cfg.ParseMode = tgbotapi.ModeHTML
	cfg.DisableWebPagePreview = true
	if to.replyTo != 0 {
		cfg.ReplyToMessageID = to.replyTo
		cfg.AllowSendingWithoutReply = true
	}
	plain := func() tgbotapi.Chattable {
		p := cfg
		p.Text, p.ParseMode = rlm+plainText(part), ""
		return p
	}
	msg, err := b.send(ctx, to, "sendMessage", cfg, plain)
	return msg.MessageID, err
}

// replaceHTML puts html in the message msgID (sending what does not fit
// as new messages) and returns msgID; when the message cannot be edited,
// html is sent anew.
func (b *Bot) replaceHTML(ctx context.Context, to dest, msgID int, html string) (int, error) {
	chatID := to.chatID
	parts := splitHTML(html, maxMessageUTF16-utf16Len(rlm))
	if len(parts) == 0 {
		return msgID, nil
	}
	cfg := tgbotapi.NewEditMessageText(chatID, msgID, rlm+parts[0])
	cfg.ParseMode = tgbotapi.ModeHTML
	cfg.DisableWebPagePreview = true
	plain := func() tgbotapi.Chattable {
		p := cfg
		p.Text, p.ParseMode = rlm+plainText(parts[0]), ""
		return p
	}
	first := msgID
	if _, err := b.send(ctx, to, "editMessageText", cfg, plain); err != nil && !isNotModified(err) {
		if _, ok := apiError(err); !ok {
			return msgID, err
		}
		// Deleted or too old to edit: send it as a new message.
		b.log.Warn("edit failed: sending anew", "chat", chatID, "err", b.redact(err))
		id, err := b.sendPart(ctx, to, parts[0])
		if err != nil {
			return 0, err
		}
		first = id
	}
	for _, part := range parts[1:] {
		if _, err := b.sendPart(ctx, to, part); err != nil {
			return first, err
		}
	}
	return first, nil
}

// typingEvery repeats the chat action, which Telegram shows for about
// five seconds.
const typingEvery = 4 * time.Second

// typer shows "typing…" in a chat until stopped.
type typer struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startTyping sends the typing action at once and then every few seconds
// until stop.
func (b *Bot) startTyping(ctx context.Context, to dest) *typer {
	ctx, cancel := context.WithCancel(ctx)
	t := &typer{cancel: cancel}
	b.typing(to)
	t.wg.Go(func() {
		tick := time.NewTicker(typingEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				b.typing(to)
			}
		}
	})
	return t
}

func (t *typer) stop() {
	t.cancel()
	t.wg.Wait()
}

func (b *Bot) typing(to dest) {
	chatID := to.chatID
	if b.pace.held(chatID) {
		return
	}
	if err := b.chatAction(to); err != nil {
		b.opts.Metrics.TelegramError("sendChatAction", err)
		if te, ok := apiError(err); ok && te.RetryAfter > 0 {
			b.pace.hold(chatID, time.Duration(te.RetryAfter)*time.Second)
		}
		b.log.Debug("sendChatAction failed", "chat", chatID, "err", b.redact(err))
	}
}

// previewEvery is the least time between two edits of a streamed answer.
const previewEvery = time.Second

// preview shows an answer as it is generated: the first piece is sent as a
// message, which is then edited with the latest text at most once per
// second. The goroutine that sends starts with the first piece.
type preview struct {
	b     *Bot
	to    dest
	start func() // starts the goroutine, bound to the update's context

	mu      sync.Mutex
	text    string
	closed  bool
	started bool
	wake    chan struct{}
	quit    chan struct{}
	wg      sync.WaitGroup

	msgID int       // written by the goroutine; read after close
	last  time.Time // time of the last send or edit
}

func (b *Bot) newPreview(ctx context.Context, to dest) *preview {
	p := &preview{b: b, to: to,
		wake: make(chan struct{}, 1), quit: make(chan struct{})}
	p.start = func() { p.wg.Go(func() { p.loop(ctx) }) }
	return p
}

// update takes the growing text of the answer; it never blocks.
func (p *preview) update(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || strings.TrimSpace(text) == "" {
		return
	}
	p.text = text
	if !p.started {
		p.started = true
		p.start()
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *preview) loop(ctx context.Context) {
	for {
		select {
		case <-p.wake:
		case <-p.quit:
			return
		}
		if wait := time.Until(p.last.Add(previewEvery)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-p.quit:
				t.Stop()
				return
			}
		}
		p.mu.Lock()
		text := p.text
		p.mu.Unlock()
		html := rlm + previewHTML(text, maxMessageUTF16-utf16Len(rlm)-2)
		if p.msgID == 0 {
			cfg := tgbotapi.NewMessage(p.to.chatID, html)
			cfg.ParseMode = tgbotapi.ModeHTML
			cfg.DisableWebPagePreview = true
			if p.to.replyTo != 0 {
				cfg.ReplyToMessageID, cfg.AllowSendingWithoutReply = p.to.replyTo, true
			}
			if msg, err := p.b.send(ctx, p.to, "sendMessage", cfg, nil); err == nil {
				p.msgID = msg.MessageID
			}
		} else {
			cfg := tgbotapi.NewEditMessageText(p.to.chatID, p.msgID, html)
			cfg.ParseMode = tgbotapi.ModeHTML
			cfg.DisableWebPagePreview = true
			p.b.send(ctx, p.to, "editMessageText", cfg, nil)
		}
		p.last = time.Now()
	}
}

// close stops the preview and returns the id of its message (0 when none
// was sent), waiting until the last edit may be followed by another.
func (p *preview) close(ctx context.Context) int {
	p.mu.Lock()
	p.closed = true
	started := p.started
	p.mu.Unlock()
	if !started {
		return 0
	}
	close(p.quit)
	p.wg.Wait()
	if p.msgID != 0 {
		if wait := time.Until(p.last.Add(previewEvery)); wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
			}
		}
	}
	return p.msgID
}
