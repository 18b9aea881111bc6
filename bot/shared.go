package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Several replicas behind one webhook (STATE_BACKEND=postgres): the bot
// declares what it needs of the shared state, and main passes pgstate's
// types (or adapters of them). The bot stays a transport: it imports no
// database.

// Inbox holds the webhook updates that every replica receives, and hands
// each chat's updates to one replica at a time, in update_id order
// (pgstate.Inbox, through an adapter in main).
type Inbox interface {
	// Put stores an update as received; fresh is false for one already
	// stored (a redelivery). An error means it was not stored: the
	// webhook answers 500 so that Telegram delivers it again.
	Put(ctx context.Context, updateID, chatID int64, payload []byte) (fresh bool, err error)
	// Run passes stored updates to handle with workers goroutines until
	// ctx is done, one update of a chat at a time and in order across
	// every replica; an update is done when handle returns.
	Run(ctx context.Context, workers int, handle func(payload []byte))
}

// SharedPacer spaces the sends of every replica together: a chat's lane
// and the global one, and a 429's hold seen by all (*pgstate.Pacer is
// one). An error other than the context's or a hold past the deadline
// makes the bot fall back to its in-process pacing for that call.
type SharedPacer interface {
	Wait(ctx context.Context, chatID int64) error
	Hold(ctx context.Context, chatID int64, d time.Duration) error
	Held(ctx context.Context, chatID int64) (bool, error)
	TryGlobal(ctx context.Context, keep int) (bool, error)
}

// sharedTimeout bounds a query of the shared pacer that does not wait for
// a slot (Hold, Held, TryGlobal).
const sharedTimeout = 2 * time.Second

// serveInbox is ServeHTTP's end in inbox mode: the update is stored, and
// acknowledged only once it is (500 otherwise, so that Telegram delivers
// it again).
func (b *Bot) serveInbox(w http.ResponseWriter, r *http.Request, in Inbox, raw []byte) {
	var u tgbotapi.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if _, err := in.Put(ctx, int64(u.UpdateID), chatKey(u), raw); err != nil {
		b.log.Error("update not stored in the shared inbox: Telegram will deliver it again", "update", u.UpdateID, "err", err)
		http.Error(w, "not stored", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// runInbox handles the shared inbox's updates until ctx is done. Each
// update is handled as the in-process queue's are, and is done only once
// its chat's replies have left the outbox: the next update of the chat
// may be handled by another replica, whose replies must come after.
func (b *Bot) runInbox(ctx, abandon context.Context, in Inbox) {
	in.Run(ctx, b.opts.Workers, func(payload []byte) {
		u, err := b.decodeUpdate(payload)
		if err != nil {
			b.log.Warn("stored update unreadable: skipped", "err", err)
			return
		}
		b.handle(abandon, ctx, u)
		b.drained(abandon, chatKey(u))
	})
}

// drained waits until chatID has no reply waiting in the outbox, or
// abandon is done.
func (b *Bot) drained(abandon context.Context, chatID int64) {
	if b.out == nil {
		return
	}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for b.out.busy(chatID) {
		select {
		case <-abandon.Done():
			return
		case <-t.C:
		}
	}
}

// sharedWait waits for a slot of the shared pacer; ok is false when the
// shared pacer failed (the in-process pacer is used instead).
func (p *pacer) sharedWait(ctx context.Context, chatID int64) (ok bool, err error) {
	err = p.shared.Wait(ctx, chatID)
	switch {
	case err == nil:
		return true, nil
	case ctx.Err() != nil:
		return true, ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return true, errHeldPastDeadline
	}
	p.warn("shared send pacing failed: pacing this replica alone", err)
	return false, nil
}

// warn logs a failure of the shared pacer, at most once a minute.
func (p *pacer) warn(msg string, err error) {
	now := time.Now().UnixNano()
	last := p.warned.Load()
	if now-last < int64(time.Minute) || !p.warned.CompareAndSwap(last, now) {
		return
	}
	if p.log != nil {
		p.log.Warn(msg, "err", err)
	}
}
