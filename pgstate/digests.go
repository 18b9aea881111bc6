package pgstate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/khabar/khabar/digest"
)

// Digests keeps the daily digest subscriptions in PostgreSQL, shared by
// every replica: what *digest.Store keeps in digest.db in bolt mode. It
// implements the interface of /digest in the chat layer (SubscribeTopic,
// Unsubscribe, Get, Move) and [digest.Subscriptions], the scheduler's.
//
// A digest is claimed in one transaction that inserts a (chat, day) row
// into digest_claims, whose primary key lets one claimer through: however
// many schedulers run (a leader change, two leaders for a moment), a chat
// gets one digest a day. A send that fails gives the claim back, as in
// bolt mode, so that a later tick retries.
//
// The methods take no context (the consumers' interfaces have none): each
// query runs under [Digests.Timeout].
type Digests struct {
	db *DB
	// Timeout bounds each query; default 10s.
	Timeout time.Duration
}

// NewDigests returns the subscriptions kept in db.
func NewDigests(db *DB) *Digests { return &Digests{db: db, Timeout: 10 * time.Second} }

var _ digest.Subscriptions = (*Digests)(nil)

// The chat layer's interface (bot/digest.go: digests), pinned here.
var _ interface {
	SubscribeTopic(chatID int64, thread, hour, minute int) error
	Unsubscribe(chatID int64) (had bool, err error)
	Get(chatID int64) (digest.Subscription, bool, error)
	Move(from, to int64) (had bool, err error)
} = (*Digests)(nil)

func (d *Digests) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d.Timeout)
}

// Subscribe sets the chat's digest time, keeping what was already sent.
func (d *Digests) Subscribe(chatID int64, hour, minute int) error {
	return d.SubscribeTopic(chatID, 0, hour, minute)
}

// SubscribeTopic sets the chat's digest time and the forum topic (0 for
// none) it is sent in, keeping what was already sent. A time out of range
// is [digest.ErrBadTime].
func (d *Digests) SubscribeTopic(chatID int64, thread, hour, minute int) error {
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return digest.ErrBadTime
	}
	ctx, cancel := d.ctx()
	defer cancel()
	_, err := d.db.pool.Exec(ctx, `INSERT INTO digest_subscriptions (chat_id, hour, minute, thread)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (chat_id) DO UPDATE SET hour = excluded.hour, minute = excluded.minute, thread = excluded.thread`,
		chatID, hour, minute, thread)
	if err != nil {
		return fmt.Errorf("subscribe chat %d: %w", chatID, err)
	}
	return nil
}

// Unsubscribe removes the chat's digest; it reports whether there was one.
func (d *Digests) Unsubscribe(chatID int64) (bool, error) {
	ctx, cancel := d.ctx()
	defer cancel()
	tag, err := d.db.pool.Exec(ctx, "DELETE FROM digest_subscriptions WHERE chat_id = $1", chatID)
	if err != nil {
		return false, fmt.Errorf("unsubscribe chat %d: %w", chatID, err)
	}
	return tag.RowsAffected() > 0, nil
}

// Move gives the subscription of chat from to chat to (a group upgraded to
// a supergroup gets a new id), keeping what was already sent; a
// subscription that to already has wins. It reports whether from had one.
func (d *Digests) Move(from, to int64) (bool, error) {
	ctx, cancel := d.ctx()
	defer cancel()
	var n int
	err := d.db.pool.QueryRow(ctx, `WITH moved AS (
			DELETE FROM digest_subscriptions WHERE chat_id = $1 RETURNING hour, minute, thread, day, until_at
		), ins AS (
			INSERT INTO digest_subscriptions (chat_id, hour, minute, thread, day, until_at)
			SELECT $2, hour, minute, thread, day, until_at FROM moved
			ON CONFLICT (chat_id) DO NOTHING
		)
		SELECT count(*) FROM moved`, from, to).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("move subscription of chat %d: %w", from, err)
	}
	return n > 0, nil
}

const subColumns = "chat_id, hour, minute, thread, day, until_at"

func scanSub(row pgx.Row) (digest.Subscription, error) {
	var s digest.Subscription
	var until *time.Time
	if err := row.Scan(&s.ChatID, &s.Hour, &s.Minute, &s.Thread, &s.Day, &until); err != nil {
		return digest.Subscription{}, err
	}
	if until != nil {
		s.Until = *until
	}
	return s, nil
}

// Get returns the chat's subscription.
func (d *Digests) Get(chatID int64) (digest.Subscription, bool, error) {
	ctx, cancel := d.ctx()
	defer cancel()
	s, err := scanSub(d.db.pool.QueryRow(ctx, "SELECT "+subColumns+" FROM digest_subscriptions WHERE chat_id = $1", chatID))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return digest.Subscription{}, false, nil
	case err != nil:
		return digest.Subscription{}, false, fmt.Errorf("subscription of chat %d: %w", chatID, err)
	}
	return s, true, nil
}

// All returns every subscription, by chat id. (The table's constraints
// keep malformed records out: there is no [digest.ErrBadRecord] here.)
func (d *Digests) All() ([]digest.Subscription, error) {
	ctx, cancel := d.ctx()
	defer cancel()
	rows, err := d.db.pool.Query(ctx, "SELECT "+subColumns+" FROM digest_subscriptions ORDER BY chat_id")
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (digest.Subscription, error) { return scanSub(r) })
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return subs, nil
}

// Claim implements [digest.Subscriptions]: in one transaction it inserts
// the (chat, today) claim row, which only one claimer ever gets, and moves
// the subscription's Day to today and Until to now, returning it as it
// was. Older claim rows of the chat are dropped on the way.
func (d *Digests) Claim(chatID int64, today string, now time.Time) (digest.Subscription, bool, error) {
	ctx, cancel := d.ctx()
	defer cancel()
	var prev digest.Subscription
	var claimed bool
	err := pgx.BeginFunc(ctx, d.db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "INSERT INTO digest_claims (chat_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING", chatID, today)
		if err != nil || tag.RowsAffected() == 0 {
			return err // claimed by someone else (now or earlier today)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM digest_claims WHERE chat_id = $1 AND day < $2", chatID, today); err != nil {
			return err
		}
		prev, err = scanSub(tx.QueryRow(ctx, "SELECT "+subColumns+" FROM digest_subscriptions WHERE chat_id = $1 AND day <> $2 FOR UPDATE", chatID, today))
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotClaimed // unsubscribed meanwhile, or already handled
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE digest_subscriptions SET day = $2, until_at = $3 WHERE chat_id = $1", chatID, today, now); err != nil {
			return err
		}
		claimed = true
		return nil
	})
	switch {
	case errors.Is(err, errNotClaimed):
		return digest.Subscription{}, false, nil
	case err != nil:
		return digest.Subscription{}, false, fmt.Errorf("claim digest of chat %d: %w", chatID, err)
	}
	return prev, claimed, nil
}

// errNotClaimed rolls a claim back.
var errNotClaimed = errors.New("not claimed")

// Release implements [digest.Subscriptions]. Giving the day back (day is
// not today: the send failed) also drops the claim row, so that a later
// tick, on any replica, may claim it again.
func (d *Digests) Release(chatID int64, today, day string, until time.Time) error {
	ctx, cancel := d.ctx()
	defer cancel()
	var u *time.Time
	if !until.IsZero() {
		u = &until
	}
	err := pgx.BeginFunc(ctx, d.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE digest_subscriptions SET day = $3, until_at = $4 WHERE chat_id = $1 AND day = $2", chatID, today, day, u); err != nil {
			return err
		}
		if day == today {
			return nil
		}
		_, err := tx.Exec(ctx, "DELETE FROM digest_claims WHERE chat_id = $1 AND day = $2", chatID, today)
		return err
	})
	if err != nil {
		return fmt.Errorf("settle digest of chat %d: %w", chatID, err)
	}
	return nil
}

// ImportResult is what [Digests.ImportBolt] did.
type ImportResult struct {
	Imported int  // subscriptions copied
	Kept     int  // already in PostgreSQL (made after the switch): left as they are
	Bad      int  // malformed records of digest.db, skipped
	Done     bool // the import had already run: nothing was read
	Missing  bool // there was no digest.db: nothing to import (and nothing recorded)
}

// boltImport names the import of digest.db in the imports table.
const boltImport = "digest.db"

// ImportBolt copies the subscriptions of the bolt store at path (bolt
// mode's DATA_DIR/digest.db) into PostgreSQL, once: the run is recorded in
// the imports table in the same transaction, and a later call (on any
// replica) does nothing. A subscription PostgreSQL already has wins. A
// malformed record is skipped and counted; a damaged file is an error
// wrapping [digest.ErrCorrupt] (nothing is recorded, so that the import can
// run once the file is repaired). A missing file imports nothing and
// records nothing. The bolt file is only read.
func (d *Digests) ImportBolt(ctx context.Context, path string) (ImportResult, error) {
	var res ImportResult
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		res.Missing = true
		return res, nil
	}
	var done bool
	if err := d.db.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM imports WHERE name = $1)", boltImport).Scan(&done); err != nil {
		return res, fmt.Errorf("import digest.db: %w", err)
	}
	if done {
		res.Done = true
		return res, nil
	}
	store, err := digest.Open(path)
	if err != nil {
		return res, fmt.Errorf("import digest.db: %w", err)
	}
	subs, err := store.All()
	store.Close()
	if err != nil {
		if !errors.Is(err, digest.ErrBadRecord) {
			return res, fmt.Errorf("import digest.db: %w", err)
		}
		res.Bad = len(unjoin(err))
	}
	err = pgx.BeginFunc(ctx, d.db.pool, func(tx pgx.Tx) error {
		// Replicas starting together: one imports, the others wait here
		// and find the record.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", d.db.lockKey("import")); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "INSERT INTO imports (name) VALUES ($1) ON CONFLICT DO NOTHING", boltImport)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			res = ImportResult{Done: true}
			return nil
		}
		for _, s := range subs {
			var until *time.Time
			if !s.Until.IsZero() {
				until = &s.Until
			}
			tag, err := tx.Exec(ctx, `INSERT INTO digest_subscriptions (`+subColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (chat_id) DO NOTHING`,
				s.ChatID, s.Hour, s.Minute, s.Thread, s.Day, until)
			if err != nil {
				return fmt.Errorf("chat %d: %w", s.ChatID, err)
			}
			if tag.RowsAffected() == 1 {
				res.Imported++
			} else {
				res.Kept++
			}
		}
		_, err = tx.Exec(ctx, "UPDATE imports SET detail = $2 WHERE name = $1", boltImport,
			fmt.Sprintf("imported %d, kept %d, bad %d from %s", res.Imported, res.Kept, res.Bad, path))
		return err
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import digest.db: %w", err)
	}
	return res, nil
}

// unjoin returns the errors joined in err (or err itself).
func unjoin(err error) []error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		return joined.Unwrap()
	}
	return []error{err}
}
