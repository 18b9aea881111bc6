package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

var (
	errQueueClosed = errors.New("update queue closed")
	errQueueFull   = errors.New("update queue full")
	errChatFlood   = errors.New("too many pending updates in one chat")
)

// queue runs updates on a fixed pool of workers, one update of a chat at a
// time and in arrival order, while different chats proceed in parallel: a
// chat with pending updates waits in a ready list, a worker takes the
// chat's oldest update, and the chat goes back to the end of the list when
// more are pending. A slow chat therefore holds at most one worker, and
// never delays the other chats beyond taking that worker.
type queue struct {
	handle  func(tgbotapi.Update)
	slots   chan struct{} // one per pending update: submit blocks when full
	ready   chan int64    // chats with pending updates; never blocks (cap = slots)
	perChat int

	mu       sync.Mutex
	chats    map[int64][]tgbotapi.Update // present while the chat has pending or running updates
	pending  int                         // updates queued or running
	running  int                         // updates being handled
	closed   bool                        // no more submissions
	stopping bool                        // workers take no more updates
	quit     chan struct{}               // closed with stopping

	wg sync.WaitGroup
}

// newQueue starts workers that pass updates to handle. At most maxPending
// updates wait or run at once, at most perChat of them from one chat.
func newQueue(workers, maxPending, perChat int, handle func(tgbotapi.Update)) *queue {
	q := &queue{
		handle:  handle,
		slots:   make(chan struct{}, maxPending),
		ready:   make(chan int64, maxPending),
		perChat: perChat,
		chats:   map[int64][]tgbotapi.Update{},
		quit:    make(chan struct{}),
	}
	for range workers {
		q.wg.Go(q.work)
	}
	return q
}

// chatKey is the chat whose order an update belongs to.
func chatKey(u tgbotapi.Update) int64 {
	if u.CallbackQuery != nil && u.CallbackQuery.Message == nil {
		return 0 // a button of an inline message: no chat (and FromChat panics)
	}
	if c := u.FromChat(); c != nil {
		return c.ID
	}
	if u.MyChatMember != nil {
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// submit queues u, waiting while the queue is full. It fails when ctx ends
// first, after close or stop, or when u's chat already has perChat updates
// waiting.
func (q *queue) submit(ctx context.Context, u tgbotapi.Update) error {
	select {
	case q.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-q.quit:
		return errQueueClosed
	}
	return q.add(u)
}

// trySubmit is submit without the wait: it fails with errQueueFull when
// the queue is full.
func (q *queue) trySubmit(u tgbotapi.Update) error {
	select {
	case q.slots <- struct{}{}:
	default:
		return errQueueFull
	}
	return q.add(u)
}

// add queues u, which holds a slot.
func (q *queue) add(u tgbotapi.Update) error {
	key := chatKey(u)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		<-q.slots
		return errQueueClosed
	}
	pending, active := q.chats[key]
	if len(pending) >= q.perChat {
		<-q.slots
		return errChatFlood
	}
	q.chats[key] = append(pending, u)
	q.pending++
	if !active {
		q.ready <- key
	}
	return nil
}

func (q *queue) work() {
	for {
		var key int64
		select {
		case k, ok := <-q.ready:
			if !ok {
				return
			}
			key = k
		case <-q.quit:
			return
		}
		q.mu.Lock()
		if q.stopping {
			q.mu.Unlock()
			return
		}
		u := q.chats[key][0]
		q.chats[key] = q.chats[key][1:]
		q.running++
		q.mu.Unlock()

		q.handle(u)

		q.mu.Lock()
		q.pending--
		q.running--
		switch {
		case len(q.chats[key]) == 0:
			delete(q.chats, key)
		case !q.stopping:
			q.ready <- key
		}
		if q.closed && q.pending == 0 && !q.stopping {
			close(q.ready)
			q.stopping = true // every worker returns
		}
		q.mu.Unlock()
		<-q.slots
	}
}

// close stops accepting updates, lets the workers finish every update
// already queued, and waits for them.
func (q *queue) close() { q.stop(true, nil) }

// stop stops accepting updates and waits for the workers. With drain, they
// first handle the updates already queued; without, they finish only the
// updates they are handling. When abandon is closed first, the workers
// take no more updates and stop waits at most abandonSlack more for those
// being handled (whose contexts the caller has cancelled). It returns the
// number of updates that were not handled: queued, or still running when
// it gave up.
func (q *queue) stop(drain bool, abandon <-chan struct{}) int {
	q.mu.Lock()
	q.closed = true
	switch {
	case !drain:
		q.halt()
	case q.pending == 0 && !q.stopping:
		close(q.ready)
		q.stopping = true
	}
	q.mu.Unlock()

	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-abandon:
		q.mu.Lock()
		q.halt()
		q.mu.Unlock()
		t := time.NewTimer(abandonSlack)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending
}

// halt makes the workers take no more updates. Called with q.mu held.
func (q *queue) halt() {
	select {
	case <-q.quit:
	default:
		close(q.quit)
	}
	q.stopping = true
}
