package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Outbox defaults: the replies waiting in one chat and in all, and how
// long a reply is retried before the reader is told it was lost.
const (
	defaultOutboxPerChat   = 32
	defaultOutboxTotal     = 2048
	defaultDeliveryTimeout = time.Hour
	// apologyTimeout bounds the sending of the apology for a lost reply.
	apologyTimeout = 10 * time.Minute
	// abandonSlack is how long shutdown still waits, after the grace, for
	// the work it cancelled to return.
	abandonSlack = 500 * time.Millisecond
)

// outboxLimits bound an [outbox].
type outboxLimits struct {
	perChat int           // replies waiting or being sent in one chat
	total   int           // replies waiting or being sent in all chats
	timeout time.Duration // a reply's delivery deadline, counted from add
}

// outbox delivers the replies handed to it by the workers, so that a reply
// held by Telegram's flood control or an outage is kept and retried
// without holding a worker. Each chat with replies has one sender
// goroutine that delivers them in order and ends when the chat has none
// left, so a slow chat delays only itself. A reply not delivered by its
// deadline is given up and the reader gets an apology (one for a run of
// lost replies). The outbox owns its senders: close stops and waits for
// them.
type outbox struct {
	life      context.Context // cancelled to abandon every reply
	cancel    context.CancelFunc
	lim       outboxLimits
	log       *slog.Logger
	apologize func(ctx context.Context, to dest) // may be nil

	mu     sync.Mutex
	chats  map[int64]*mailbox // present while the chat's sender runs
	total  int                // replies waiting or being sent
	closed bool
	room   chan struct{} // closed and replaced when a reply leaves

	wg sync.WaitGroup
}

// mailbox holds one chat's replies; the first is being sent.
type mailbox struct{ jobs []outJob }

// outJob is one reply: run delivers it within ctx and returns why it
// could not (it logs that itself).
type outJob struct {
	to       dest
	deadline time.Time
	run      func(ctx context.Context) error
}

// newOutbox returns an outbox whose senders stop when life ends.
func newOutbox(life context.Context, lim outboxLimits, log *slog.Logger, apologize func(context.Context, dest)) *outbox {
	ctx, cancel := context.WithCancel(life)
	return &outbox{life: ctx, cancel: cancel, lim: lim, log: log, apologize: apologize,
		chats: map[int64]*mailbox{}, room: make(chan struct{})}
}

// add queues run to deliver a reply to the conversation to after
// the chat's earlier replies. When the chat has perChat replies waiting,
// or the outbox total, it waits for room until ctx ends: a chat that asks
// faster than Telegram lets the bot answer slows down its own worker,
// never the other chats. It refuses at once when the outbox is closed. It
// reports whether run was queued; when it was not, the reply is lost and
// logged.
func (o *outbox) add(ctx context.Context, to dest, run func(context.Context) error) bool {
	chatID := to.chatID
	o.mu.Lock()
	for {
		mb := o.chats[chatID]
		if o.closed {
			o.mu.Unlock()
			o.log.Error("reply not delivered: shutting down", "chat", chatID)
			return false
		}
		if (mb == nil || len(mb.jobs) < o.lim.perChat) && o.total < o.lim.total {
			if mb == nil {
				mb = &mailbox{}
				o.chats[chatID] = mb
				o.wg.Go(func() { o.send(chatID, mb) })
			}
			mb.jobs = append(mb.jobs, outJob{to: to, deadline: time.Now().Add(o.lim.timeout), run: run})
			o.total++
			o.mu.Unlock()
			return true
		}
		room := o.room
		o.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			o.log.Error("reply not delivered: the outbox stayed full", "chat", chatID, "per_chat", o.lim.perChat, "total", o.lim.total)
			return false
		}
		o.mu.Lock()
	}
}

// busy reports whether chatID has replies waiting or being sent.
func (o *outbox) busy(chatID int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.chats[chatID] != nil
}

// send is the chat's sender: it delivers the chat's replies in order
// until there are none.
func (o *outbox) send(chatID int64, mb *mailbox) {
	lost := false // the last reply was given up
	for {
		o.mu.Lock()
		if len(mb.jobs) == 0 {
			delete(o.chats, chatID)
			o.mu.Unlock()
			return
		}
		j := mb.jobs[0]
		o.mu.Unlock()

		ctx, cancel := context.WithDeadline(o.life, j.deadline)
		err := j.run(ctx)
		cancel()
		expired := errors.Is(err, context.DeadlineExceeded) && o.life.Err() == nil

		o.mu.Lock()
		mb.jobs = mb.jobs[1:]
		o.total--
		close(o.room)
		o.room = make(chan struct{})
		o.mu.Unlock()

		if expired && !lost && o.apologize != nil {
			actx, cancel := context.WithTimeout(o.life, apologyTimeout)
			o.apologize(actx, j.to)
			cancel()
		}
		lost = expired
	}
}

// close takes no more replies and waits for the senders to deliver the
// queued ones, until abandon is closed; then it cancels what is left and
// waits a little more for the senders to return. It returns the number of
// replies still queued or being sent when it gave up.
func (o *outbox) close(abandon <-chan struct{}) int {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	done := make(chan struct{})
	go func() { o.wg.Wait(); close(done) }()
	select {
	case <-done:
		o.cancel()
		return 0
	case <-abandon:
	}
	o.mu.Lock()
	left := o.total
	o.mu.Unlock()
	o.cancel()
	t := time.NewTimer(abandonSlack)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		o.log.Error("replies still being sent at the end of the shutdown grace: abandoned")
	}
	return left
}
