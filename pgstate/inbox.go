package pgstate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Update is one Telegram update in the inbox: its update_id, the chat
// whose order it belongs to (0 for none), and its JSON as received.
type Update struct {
	ID      int64
	ChatID  int64
	Payload []byte
}

// Inbox lets several webhook replicas share the updates: whichever replica
// Telegram posts an update to stores it ([Inbox.Put]: the update_id
// primary key takes a redelivered update once) and answers 200; workers on
// every replica ([Inbox.Run]) claim a chat, one replica at a time (a row in
// chat_claims with a lease, renewed while it works), and handle that
// chat's pending updates in update_id order before releasing it. So a
// chat's updates are handled one at a time and in order whichever replica
// received them, and different chats proceed in parallel on all replicas.
// A replica that dies mid-chat stops renewing; when its lease runs out
// another takes the chat over, and the update it was handling is handled
// again (at least once, as Telegram's own redelivery would).
type Inbox struct {
	db    *DB
	owner string
	log   *slog.Logger
	// Lease is how long a claim lasts unrenewed; default 2m (above
	// UPDATE_TIMEOUT's 90s, renewed every third of it while handling).
	Lease time.Duration
	// Poll is how often an idle worker looks for work besides the
	// notifications of new updates; default 1s.
	Poll time.Duration
}

// NewInbox returns the inbox of db for the replica named owner (its
// hostname and pid: unique among the replicas).
func NewInbox(db *DB, owner string, log *slog.Logger) *Inbox {
	return &Inbox{db: db, owner: owner, log: log, Lease: 2 * time.Minute, Poll: time.Second}
}

// Put stores an update; it reports false for one already stored (a
// redelivery), which must not be handled again.
func (in *Inbox) Put(ctx context.Context, u Update) (bool, error) {
	var fresh bool
	err := pgx.BeginFunc(ctx, in.db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "INSERT INTO inbox (update_id, chat_id, payload) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", u.ID, u.ChatID, u.Payload)
		if err != nil {
			return err
		}
		fresh = tag.RowsAffected() == 1
		if !fresh {
			return nil
		}
		_, err = tx.Exec(ctx, "SELECT pg_notify($1, '')", in.db.channel("inbox"))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("inbox: %w", err)
	}
	return fresh, nil
}

// claimSQL claims the chat of the oldest pending update that no live
// lease covers. Two replicas picking the same chat meet in ON CONFLICT:
// the second finds the first's fresh lease and gets no row.
const claimSQL = `INSERT INTO chat_claims (chat_id, owner, lease_until)
SELECT i.chat_id, $1, now() + $2::interval FROM inbox i
WHERE i.done_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM chat_claims c WHERE c.chat_id = i.chat_id AND c.lease_until > now())
ORDER BY i.update_id LIMIT 1
ON CONFLICT (chat_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
WHERE chat_claims.lease_until <= now()
RETURNING chat_id`

// claim takes a chat with pending updates; ok is false when there is none
// free.
func (in *Inbox) claim(ctx context.Context) (chatID int64, ok bool, err error) {
	err = in.db.pool.QueryRow(ctx, claimSQL, in.owner, in.Lease).Scan(&chatID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("inbox claim: %w", err)
	}
	return chatID, true, nil
}

// renew extends this replica's claim of chatID; false when it lost it.
func (in *Inbox) renew(ctx context.Context, chatID int64) (bool, error) {
	tag, err := in.db.pool.Exec(ctx, "UPDATE chat_claims SET lease_until = now() + $3::interval WHERE chat_id = $1 AND owner = $2", chatID, in.owner, in.Lease)
	if err != nil {
		return false, fmt.Errorf("inbox renew: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// release gives chatID up.
func (in *Inbox) release(ctx context.Context, chatID int64) error {
	if _, err := in.db.pool.Exec(ctx, "DELETE FROM chat_claims WHERE chat_id = $1 AND owner = $2", chatID, in.owner); err != nil {
		return fmt.Errorf("inbox release: %w", err)
	}
	return nil
}

// pending returns up to limit pending updates of chatID, oldest first.
func (in *Inbox) pending(ctx context.Context, chatID int64, limit int) ([]Update, error) {
	rows, err := in.db.pool.Query(ctx, "SELECT update_id, chat_id, payload FROM inbox WHERE chat_id = $1 AND done_at IS NULL ORDER BY update_id LIMIT $2", chatID, limit)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	ups, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Update, error) {
		var u Update
		err := r.Scan(&u.ID, &u.ChatID, &u.Payload)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return ups, nil
}

// done marks an update handled.
func (in *Inbox) done(ctx context.Context, id int64) error {
	if _, err := in.db.pool.Exec(ctx, "UPDATE inbox SET done_at = now() WHERE update_id = $1", id); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	return nil
}

// Run handles updates with workers goroutines until ctx is done: each
// claims a chat, passes its pending updates to handle one by one in
// update_id order, marks each done, and releases the chat. handle gets a
// context ended with ctx; what it cannot handle it must log, not return:
// the update is done either way (as the in-process queue does).
func (in *Inbox) Run(ctx context.Context, workers int, handle func(ctx context.Context, u Update)) {
	wake := make(chan struct{}, workers)
	var wg sync.WaitGroup
	wg.Go(func() { in.listen(ctx, wake, workers) })
	for range workers {
		wg.Go(func() { in.work(ctx, wake, handle) })
	}
	wg.Wait()
}

func (in *Inbox) work(ctx context.Context, wake <-chan struct{}, handle func(context.Context, Update)) {
	for ctx.Err() == nil {
		chatID, ok, err := in.claim(ctx)
		if err != nil && ctx.Err() == nil {
			in.log.Warn("inbox: claim failed", "err", err)
		}
		if !ok {
			t := time.NewTimer(in.Poll)
			select {
			case <-ctx.Done():
			case <-wake:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		in.serve(ctx, chatID, handle)
	}
}

// serve handles the chat's pending updates while it holds the claim.
func (in *Inbox) serve(ctx context.Context, chatID int64, handle func(context.Context, Update)) {
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := in.release(rctx, chatID); err != nil {
			in.log.Warn("inbox: release failed (the lease will run out)", "chat", chatID, "err", err)
		}
	}()
	// The lease is renewed while an update is handled.
	renewing, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		t := time.NewTicker(in.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-renewing.Done():
				return
			case <-t.C:
				if ok, err := in.renew(renewing, chatID); err == nil && !ok {
					in.log.Warn("inbox: lost the claim of a chat (lease ran out)", "chat", chatID)
				}
			}
		}
	}()
	for ctx.Err() == nil {
		ups, err := in.pending(ctx, chatID, 16)
		if err != nil || len(ups) == 0 {
			return
		}
		for _, u := range ups {
			if ok, err := in.renew(ctx, chatID); err != nil || !ok {
				return // lost: the new owner goes on from here
			}
			handle(ctx, u)
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			err := in.done(dctx, u.ID)
			cancel()
			if err != nil {
				in.log.Error("inbox: update handled but not marked done", "update", u.ID, "err", err)
				return
			}
		}
	}
}

// listen wakes idle workers when an update is stored, reconnecting after
// a failure; without it they still poll.
func (in *Inbox) listen(ctx context.Context, wake chan<- struct{}, workers int) {
	for ctx.Err() == nil {
		err := func() error {
			conn, err := pgx.ConnectConfig(ctx, in.db.connConfig())
			if err != nil {
				return err
			}
			defer func() {
				cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				conn.Close(cctx)
			}()
			if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{in.db.channel("inbox")}.Sanitize()); err != nil {
				return err
			}
			for {
				if _, err := conn.WaitForNotification(ctx); err != nil {
					return err
				}
				for range workers {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			}
		}()
		if ctx.Err() != nil {
			return
		}
		in.log.Warn("inbox: listener lost; workers poll meanwhile", "err", err)
		if !sleep(ctx, in.Poll) {
			return
		}
	}
}
