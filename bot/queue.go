package bot

import (
	"context"
	"errors"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

var (
	errQueueClosed = errors.New("update queue closed")
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

	mu      sync.Mutex
	chats   map[int64][]tgbotapi.Update // present while the chat has pending or running updates
	pending int                         // updates queued or running
	closed  bool

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
// first, after close, or when u's chat already has perChat updates waiting.
func (q *queue) submit(ctx context.Context, u tgbotapi.Update) error {
	select {
	case q.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
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
	for key := range q.ready {
		q.mu.Lock()
		u := q.chats[key][0]
		q.chats[key] = q.chats[key][1:]
		q.mu.Unlock()

		q.handle(u)

		q.mu.Lock()
		q.pending--
		if len(q.chats[key]) == 0 {
			delete(q.chats, key)
		} else {
			q.ready <- key
		}
		if q.closed && q.pending == 0 {
			close(q.ready)
		}
		q.mu.Unlock()
		<-q.slots
	}
}

// close stops accepting updates, lets the workers finish every update
// already queued, and waits for them.
func (q *queue) close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		if q.pending == 0 {
			close(q.ready)
		}
	}
	q.mu.Unlock()
	q.wg.Wait()
}
