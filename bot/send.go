package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"github.com/khabar/khabar/internal/idlemap"
)

// Bounds of the per-chat pacing state.
const (
	stateTTL      = 30 * time.Minute
	maxStateItems = 20000
)

// Telegram's flood limits: about one message a second in a chat, twenty a
// minute in a group, thirty a second overall.
//
// Each chat's limit is a token bucket of golang.org/x/time/rate with a
// burst of one: a chat's sends come from one goroutine at a time (its
// outbox sender, or the preview before the reply), so they are spaced
// evenly and any window of the limit's period holds at most one.
//
// The global limit is a sliding window instead, counted at the moment each
// call is let through: at most globalSends calls in any globalWindow. A
// token bucket (what rate.Limiter is) reserves future slots for its
// waiters, so goroutines that wake late under load send together, and a
// burst above one lets a full bucket go out on top of the steady rate (the
// old 30/s with a burst of 30 let 56 through in one second). The window is
// longer than Telegram's second by a margin for the time between letting
// a call through and Telegram receiving it (scheduling, the network).
const (
	privateInterval = time.Second
	groupInterval   = 3 * time.Second // 20 a minute
	globalSends     = 30
	globalWindow    = 1250 * time.Millisecond
	// typingHeadroom is the room left in the global window for messages:
	// "typing…" is skipped when fewer slots are free.
	typingHeadroom = 5
)

// The pause after a 5xx or a call without a Bot API answer doubles from
// retryMin up to retryMax, and a reply is retried until it is delivered or
// its delivery deadline passes.
const (
	retryMin = time.Second
	retryMax = time.Minute
)

// errHeldPastDeadline is returned by [pacer.wait] when the chat is held
// (by a 429) beyond the caller's deadline: waiting is pointless. It is a
// context.DeadlineExceeded.
var errHeldPastDeadline = fmt.Errorf("chat held by flood control beyond the deadline: %w", context.DeadlineExceeded)

// pacer spaces the messages sent to each chat with a token bucket per
// chat (and one for the bot), and holds a chat back after a 429 for as
// long as Telegram's retry_after says.
type pacer struct {
	paced  bool
	global *slidingWindow // nil when not paced
	lanes  *idlemap.Map[int64, *lane]
	// shared, when set, paces with the other replicas (see
	// [SharedPacer]); the in-process lanes still keep the 429 holds seen
	// here, and pace alone while the shared pacer fails.
	shared SharedPacer
	log    *slog.Logger
	warned atomic.Int64 // unix nanoseconds of the last failure logged
}

// slidingWindow lets at most n calls through in any window of length d,
// counted when each is let through.
type slidingWindow struct {
	n int
	d time.Duration

	mu    sync.Mutex
	times []time.Time // the last n calls let through, a ring; zero: none
	next  int         // the oldest
}

func newSlidingWindow(n int, d time.Duration) *slidingWindow {
	return &slidingWindow{n: n, d: d, times: make([]time.Time, n)}
}

// wait blocks until a call may go through, and counts it.
func (w *slidingWindow) wait(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := time.Now()
		oldest := w.times[w.next]
		if oldest.IsZero() || now.Sub(oldest) >= w.d {
			w.takeLocked(now)
			w.mu.Unlock()
			return nil
		}
		w.mu.Unlock()
		if !sleep(ctx, oldest.Add(w.d).Sub(now)) {
			return ctx.Err()
		}
	}
}

// allow counts a call and reports true when at least keep+1 slots are
// free now; it never waits.
func (w *slidingWindow) allow(keep int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	used := 0
	for _, t := range w.times {
		if !t.IsZero() && now.Sub(t) < w.d {
			used++
		}
	}
	if w.n-used <= keep {
		return false
	}
	w.takeLocked(now)
	return true
}

func (w *slidingWindow) takeLocked(now time.Time) {
	w.times[w.next] = now
	w.next = (w.next + 1) % w.n
}

// lane is one chat's send budget.
type lane struct {
	lim *rate.Limiter // nil when not paced

	mu        sync.Mutex
	notBefore time.Time // set by a 429
}

func newPacer(paced bool) *pacer {
	p := &pacer{paced: paced, lanes: idlemap.New[int64, *lane](stateTTL, maxStateItems)}
	if paced {
		p.global = newSlidingWindow(globalSends, globalWindow)
	}
	return p
}

func (p *pacer) lane(chatID int64) *lane {
	return p.lanes.Get(chatID, func() *lane {
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

// wait blocks until a message may be sent to chatID. It fails at once
// when the chat is held beyond ctx's deadline.
func (p *pacer) wait(ctx context.Context, chatID int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.shared != nil && p.paced {
		if ok, err := p.sharedWait(ctx, chatID); ok {
			return err
		}
	}
	l := p.lane(chatID)
	l.mu.Lock()
	until := l.notBefore
	l.mu.Unlock()
	if hold := time.Until(until); hold > 0 {
		if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
			return errHeldPastDeadline
		}
		if !sleep(ctx, hold) {
			return ctx.Err()
		}
	}
	if l.lim != nil {
		if err := l.lim.Wait(ctx); err != nil {
			return err
		}
	}
	if p.global != nil {
		return p.global.wait(ctx)
	}
	return nil
}

// tryGlobal takes a place in the global pace if one is free now with room
// to spare for messages, without waiting; it is for calls that may be
// skipped, like "typing…".
func (p *pacer) tryGlobal() bool {
	if p.shared != nil && p.paced {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		defer cancel()
		ok, err := p.shared.TryGlobal(ctx, typingHeadroom)
		if err == nil {
			return ok
		}
		p.warn("shared send pacing failed: pacing this replica alone", err)
	}
	return p.global == nil || p.global.allow(typingHeadroom)
}

// hold keeps chatID quiet for d (a 429's retry_after).
func (p *pacer) hold(chatID int64, d time.Duration) {
	l := p.lane(chatID)
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := time.Now().Add(d); until.After(l.notBefore) {
		l.notBefore = until
	}
	if p.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		defer cancel()
		if err := p.shared.Hold(ctx, chatID, d); err != nil {
			p.warn("shared send pacing failed: a flood wait held on this replica only", err)
		}
	}
}

// held reports whether chatID is waiting out a 429.
func (p *pacer) held(chatID int64) bool {
	l := p.lane(chatID)
	l.mu.Lock()
	local := time.Now().Before(l.notBefore)
	l.mu.Unlock()
	if local || p.shared == nil {
		return local
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	held, err := p.shared.Held(ctx, chatID)
	if err != nil {
		p.warn("shared send pacing failed: pacing this replica alone", err)
		return false
	}
	return held
}

// apiError returns err as a Bot API error.
func apiError(err error) (*tgbotapi.Error, bool) {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te, true
	}
	return nil, false
}

// errorCode is the code a failed Bot API call is counted under: the code
// Telegram answered with, 429 for a flood wait whatever the code says, 0
// when Telegram did not answer (a network error, a timeout).
func errorCode(err error) int {
	te, ok := apiError(err)
	switch {
	case !ok:
		return 0
	case te.RetryAfter > 0:
		return 429
	}
	return te.Code
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
// pause that doubles each time; this goes on until ctx ends (the reply's
// delivery deadline), and the error then wraps ctx's error and the last
// failure. When Telegram cannot parse the markup, plain (if set) is sent
// instead, once. A message for a group that became a supergroup is sent
// there, once (see followMigration). Other errors are returned at once.
func (b *Bot) send(ctx context.Context, to dest, method string, c tgbotapi.Chattable, plain func() tgbotapi.Chattable) (tgbotapi.Message, error) {
	chatID := to.chatID
	moved := false
	var last error
	pause := b.retryMin
	for {
		if err := b.pace.wait(ctx, chatID); err != nil {
			if last == nil {
				return tgbotapi.Message{}, err
			}
			return tgbotapi.Message{}, fmt.Errorf("%w; last attempt: %w", err, last)
		}
		msg, err := b.call(to, c)
		if err == nil {
			b.opts.Counts.sent.Add(1)
			return msg, nil
		}
		last = err
		b.opts.Metrics.TelegramError(method, errorCode(err))
		te, isAPI := apiError(err)
		switch {
		case !moved && b.followMigration(chatID, err):
			moved = true
		case isAPI && te.RetryAfter > 0:
			b.opts.Counts.floodWaits.Add(1)
			d := time.Duration(te.RetryAfter) * time.Second
			b.log.Warn("flood wait", "chat", chatID, "retry_after", d)
			b.pace.hold(chatID, d)
		case isParseError(err) && plain != nil:
			b.log.Warn("Telegram rejected the markup: sending plain text", "chat", chatID, "err", te.Message)
			c, plain = plain(), nil
		case !isAPI || te.Code >= 500:
			// A 5xx, or no Bot API answer (a dropped connection, a timeout,
			// a proxy's error page): most likely nothing was sent, so try
			// again rather than lose the reply, at the risk of a rare
			// duplicate.
			b.log.Warn("Telegram failed: retrying", "chat", chatID, "method", method, "retry_in", pause, "err", b.redact(err))
			b.pace.hold(chatID, pause)
			pause = min(2*pause, b.retryMax)
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
		if _, ok := apiError(err); !ok || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return msgID, err // not a refusal of the edit: out of time
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

// typing sends the typing action when the chat is not held and the global
// pace has room now: it counts against Telegram's thirty a second, and is
// the first thing to skip under load.
func (b *Bot) typing(to dest) {
	chatID := to.chatID
	if b.pace.held(chatID) || !b.pace.tryGlobal() {
		return
	}
	if err := b.chatAction(to); err != nil {
		b.opts.Metrics.TelegramError("sendChatAction", errorCode(err))
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
	cancel  context.CancelFunc // ends a send in progress at close
	wg      sync.WaitGroup

	msgID int       // written by the goroutine; read after close
	last  time.Time // time of the last send or edit
}

// newPreview returns the preview of an answer in the conversation to. It
// shows nothing while earlier replies of the chat wait in the outbox (held
// by a flood wait or an outage): its messages would overtake them.
func (b *Bot) newPreview(ctx context.Context, to dest) *preview {
	ctx, cancel := context.WithCancel(ctx)
	p := &preview{b: b, to: to, cancel: cancel,
		wake: make(chan struct{}, 1), quit: make(chan struct{}),
		closed: b.out != nil && b.out.busy(to.chatID)}
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
		p.cancel()
		return 0
	}
	close(p.quit)
	p.cancel() // a send held by a flood wait: the final reply replaces it
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
