// Package digest keeps chats' daily digest subscriptions in an embedded
// store (bbolt, under DATA_DIR) and sends each digest once at its Tehran
// time: covering what arrived since the previous one, never twice for the
// same day (also across a restart), and skipped when nothing is new.
// What a digest says and how it is sent are the caller's.
package digest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/khabar/khabar/persian"
)

// Subscription is a chat's daily digest.
type Subscription struct {
	ChatID int64
	Hour   int // Tehran time
	Minute int
	// Day is the Tehran date (YYYY-MM-DD) of the last digest handled (sent,
	// or skipped with nothing new); "" before the first.
	Day string
	// Until is the arrival time up to which articles have been sent.
	Until time.Time
	// Thread is the forum topic the digest is sent in, 0 for none (records
	// written before topics were kept have none).
	Thread int `json:",omitempty"`
}

// Time renders the subscription's time as HH:MM.
func (s Subscription) Time() string { return fmt.Sprintf("%02d:%02d", s.Hour, s.Minute) }

var bucket = []byte("subscriptions")

// Store persists subscriptions. It is safe for concurrent use.
type Store struct{ db *bolt.DB }

// Open opens (or creates) the store at path. A damaged file (truncated,
// a page overwritten) is an error wrapping [ErrCorrupt], found before bbolt
// maps it and, should a check miss it, by a full read under recover: never
// a panic. The caller decides what to do; serve runs without digests.
func Open(path string) (*Store, error) {
	if err := checkFile(path); err != nil {
		return nil, fmt.Errorf("open digest store %s: %w", path, err)
	}
	db, err := openBolt(path)
	if err != nil {
		return nil, fmt.Errorf("open digest store %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// openBolt opens the file, creates the bucket and reads every record once,
// turning a panic of bbolt (or a fault in its memory map) into ErrCorrupt.
func openBolt(path string) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				db.Close()
			}
			db, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return err
		}
		n := 0
		return b.ForEach(func(k, v []byte) error { n += len(k) + len(v); return nil })
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// ErrBadRecord marks a subscription record that cannot be decoded.
var ErrBadRecord = errors.New("malformed subscription record")

// decode reads the record of key k. A record that is not JSON, whose key
// is not a chat id, or whose time or date is out of range, is an error
// wrapping ErrBadRecord.
func decode(k, v []byte) (Subscription, error) {
	if len(k) != 8 {
		return Subscription{}, fmt.Errorf("%w: key of %d bytes", ErrBadRecord, len(k))
	}
	id := int64(binary.BigEndian.Uint64(k))
	var sub Subscription
	if err := json.Unmarshal(v, &sub); err != nil {
		return Subscription{}, fmt.Errorf("%w: chat %d: %w", ErrBadRecord, id, err)
	}
	switch {
	case sub.ChatID != id && sub.ChatID != 0:
		return Subscription{}, fmt.Errorf("%w: chat %d holds chat %d", ErrBadRecord, id, sub.ChatID)
	case sub.Hour < 0 || sub.Hour > 23 || sub.Minute < 0 || sub.Minute > 59:
		return Subscription{}, fmt.Errorf("%w: chat %d: time %d:%d", ErrBadRecord, id, sub.Hour, sub.Minute)
	}
	if sub.Day != "" {
		if _, err := time.Parse(time.DateOnly, sub.Day); err != nil {
			return Subscription{}, fmt.Errorf("%w: chat %d: day %q", ErrBadRecord, id, sub.Day)
		}
	}
	sub.ChatID = id
	return sub, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

func key(chatID int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(chatID)) }

// ErrBadTime is returned for a time that is not HH:MM.
var ErrBadTime = errors.New("not a time of day")

// Subscribe sets the chat's digest time, keeping what was already sent.
func (s *Store) Subscribe(chatID int64, hour, minute int) error {
	return s.SubscribeTopic(chatID, 0, hour, minute)
}

// SubscribeTopic sets the chat's digest time and the forum topic (0 for
// none) it is sent in, keeping what was already sent.
func (s *Store) SubscribeTopic(chatID int64, thread, hour, minute int) error {
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return ErrBadTime
	}
	return s.update(chatID, func(sub *Subscription, _ bool) bool {
		sub.Hour, sub.Minute, sub.Thread = hour, minute, thread
		return true
	})
}

// Move gives the subscription of chat from to chat to (a group upgraded
// to a supergroup gets a new id), keeping what was already sent; a
// subscription that to already has wins. It reports whether from had one.
func (s *Store) Move(from, to int64) (bool, error) {
	var had bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		v := b.Get(key(from))
		if v == nil {
			return nil
		}
		had = true
		if b.Get(key(to)) == nil {
			var sub Subscription
			if err := json.Unmarshal(v, &sub); err != nil {
				return fmt.Errorf("subscription of chat %d: %w", from, err)
			}
			sub.ChatID = to
			data, err := json.Marshal(sub)
			if err != nil {
				return err
			}
			if err := b.Put(key(to), data); err != nil {
				return err
			}
		}
		return b.Delete(key(from))
	})
	return had, err
}

// Unsubscribe removes the chat's digest; it reports whether there was one.
func (s *Store) Unsubscribe(chatID int64) (bool, error) {
	var had bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		had = b.Get(key(chatID)) != nil
		return b.Delete(key(chatID))
	})
	return had, err
}

// Get returns the chat's subscription.
func (s *Store) Get(chatID int64) (Subscription, bool, error) {
	var sub Subscription
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucket).Get(key(chatID))
		if v == nil {
			return nil
		}
		ok = true
		var err error
		sub, err = decode(key(chatID), v)
		return err
	})
	return sub, ok, err
}

// All returns every subscription. A malformed record does not hide the
// others: All returns every good one, with an error wrapping ErrBadRecord
// for each bad one (errors.Join).
func (s *Store) All() ([]Subscription, error) {
	var subs []Subscription
	var bad []error
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			sub, err := decode(k, v)
			if err != nil {
				bad = append(bad, err)
				return nil
			}
			subs = append(subs, sub)
			return nil
		})
	})
	if err != nil {
		return subs, err
	}
	return subs, errors.Join(bad...)
}

// update applies f to the chat's subscription in one transaction; f gets
// whether one existed and returns whether to write it.
func (s *Store) update(chatID int64, f func(sub *Subscription, existed bool) bool) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		sub := Subscription{ChatID: chatID}
		v := b.Get(key(chatID))
		existed := v != nil
		if existed {
			var err error
			if sub, err = decode(key(chatID), v); err != nil {
				// A malformed record counts as none: /digest rewrites
				// it, and the scheduler does not claim it.
				sub, existed = Subscription{ChatID: chatID}, false
			}
		}
		if !f(&sub, existed) {
			return nil
		}
		data, err := json.Marshal(sub)
		if err != nil {
			return err
		}
		return b.Put(key(chatID), data)
	})
}

// Sender sends a chat the digest of what arrived in (after, until]; it
// reports false when nothing is new (and sends nothing). An error that
// wraps [ErrUnreachable] unsubscribes the chat; one that wraps
// [ErrRejected] gives the digest up for the day; any other error is
// retried at a later tick.
type Sender func(ctx context.Context, chatID int64, after, until time.Time) (sent bool, err error)

// ErrUnreachable is what a [Sender] wraps when the chat can no longer be
// written to (the bot was removed or blocked, the chat is gone): the
// scheduler unsubscribes the chat.
var ErrUnreachable = errors.New("chat unreachable")

// ErrRejected is what a [Sender] wraps when the digest was refused for
// good (sending it again would fail again): the scheduler gives it up for
// the day instead of retrying it at every tick.
var ErrRejected = errors.New("digest rejected")

// Subscriptions is what the scheduler needs of a store: *Store is one, a
// store shared by several replicas (pgstate.Digests) another.
type Subscriptions interface {
	// All returns every subscription; a malformed record is an error
	// wrapping ErrBadRecord, joined, beside the good ones.
	All() ([]Subscription, error)
	// Claim takes today's digest of a chat: unless the chat is no longer
	// subscribed or today is already handled, it sets Day to today and
	// Until to now, and returns the subscription as it was, with ok.
	Claim(chatID int64, today string, now time.Time) (prev Subscription, ok bool, err error)
	// Release settles a claim: unless the subscription changed meanwhile
	// (its Day is no longer today), it sets Day and Until.
	Release(chatID int64, today, day string, until time.Time) error
	// Unsubscribe removes a chat's digest (the chat is unreachable); it
	// reports whether there was one.
	Unsubscribe(chatID int64) (had bool, err error)
}

var _ Subscriptions = (*Store)(nil)

// Claim implements [Subscriptions].
func (s *Store) Claim(chatID int64, today string, now time.Time) (Subscription, bool, error) {
	var claimed bool
	var prev Subscription
	err := s.update(chatID, func(cur *Subscription, existed bool) bool {
		if !existed || cur.Day == today {
			return false // unsubscribed meanwhile, or already handled
		}
		prev = *cur
		cur.Day, cur.Until = today, now
		claimed = true
		return true
	})
	if err != nil {
		return Subscription{}, false, err
	}
	return prev, claimed, nil
}

// Release implements [Subscriptions].
func (s *Store) Release(chatID int64, today, day string, until time.Time) error {
	return s.update(chatID, func(cur *Subscription, existed bool) bool {
		if !existed || cur.Day != today {
			return false
		}
		cur.Day, cur.Until = day, until
		return true
	})
}

// Scheduler sends the digests that are due.
type Scheduler struct {
	store Subscriptions
	send  Sender
	now   func() time.Time
	tz    *time.Location
	log   *slog.Logger
	// FirstSpan is how far back the first digest of a chat reaches; default
	// 24 hours.
	FirstSpan time.Duration
}

// NewScheduler returns a scheduler over store; now is the clock and tz the
// zone of the subscriptions' times (Asia/Tehran).
func NewScheduler(store Subscriptions, send Sender, now func() time.Time, tz *time.Location, log *slog.Logger) *Scheduler {
	return &Scheduler{store: store, send: send, now: now, tz: tz, log: log, FirstSpan: 24 * time.Hour}
}

// RunOnce sends every digest due now, one chat after another, and returns
// the number sent.
func (s *Scheduler) RunOnce(ctx context.Context) (int, error) {
	subs, err := s.store.All()
	if err != nil {
		if !errors.Is(err, ErrBadRecord) {
			return 0, err
		}
		// The others are sent; each bad record is told at every tick
		// until /digest (which rewrites it) or an operator fixes it.
		for _, e := range unjoin(err) {
			s.log.Error("digest subscription skipped", "err", e)
		}
	}
	now := s.now()
	local := now.In(s.tz)
	today := local.Format(time.DateOnly)
	due := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.tz)
	sent := 0
	for _, sub := range subs {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		if sub.Day == today || local.Before(due.Add(time.Duration(sub.Hour)*time.Hour+time.Duration(sub.Minute)*time.Minute)) {
			continue
		}
		ok, err := s.deliver(ctx, sub, today, now)
		if err != nil {
			s.log.Warn("digest not sent", "chat", sub.ChatID, "err", err)
			continue
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// deliver claims today's digest of a chat, sends it, and settles the
// claim: at most once per day, even across a crash.
func (s *Scheduler) deliver(ctx context.Context, sub Subscription, today string, now time.Time) (bool, error) {
	prev, claimed, err := s.store.Claim(sub.ChatID, today, now)
	if err != nil || !claimed {
		return false, err
	}
	after := prev.Until
	if after.IsZero() {
		after = now.Add(-s.FirstSpan)
	}
	sent, sendErr := s.send(ctx, sub.ChatID, after, now)
	switch {
	case errors.Is(sendErr, ErrUnreachable):
		s.log.Warn("digest chat unreachable: unsubscribed", "chat", sub.ChatID, "err", sendErr)
		if _, err := s.store.Unsubscribe(sub.ChatID); err != nil {
			return false, fmt.Errorf("unsubscribe: %w", err)
		}
		return false, nil
	case errors.Is(sendErr, ErrRejected):
		// Today stays claimed: the digest is given up until tomorrow.
		s.log.Error("digest refused: given up for today", "chat", sub.ChatID, "err", sendErr)
		return false, nil
	case sendErr != nil:
		// Not sent: give the day back so that a later tick retries.
		s.settle(sub.ChatID, today, prev.Day, prev.Until)
		return false, sendErr
	case !sent:
		// Nothing new: today is handled, but the next digest still starts
		// where the last one sent ended.
		s.settle(sub.ChatID, today, today, prev.Until)
	}
	return sent, nil
}

// settle changes a claimed subscription unless it changed meanwhile.
func (s *Scheduler) settle(chatID int64, today, day string, until time.Time) {
	if err := s.store.Release(chatID, today, day, until); err != nil {
		s.log.Error("digest store", "chat", chatID, "err", err)
	}
}

// unjoin returns the errors joined in err (or err itself).
func unjoin(err error) []error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		return joined.Unwrap()
	}
	return []error{err}
}

// Run checks for due digests every interval until ctx is done.
func (s *Scheduler) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("digest scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ParseTime reads «08:00», «8:5» or «۰۸:۰۰» (Persian or Arabic-Indic
// digits) as hour and minute: one or two digits on each side of the colon,
// nothing else.
func ParseTime(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, 0, ErrBadTime
	}
	hour, okh := number(h)
	minute, okm := number(m)
	if !okh || !okm || hour > 23 || minute > 59 {
		return 0, 0, ErrBadTime
	}
	return hour, minute, nil
}

// number reads one or two decimal digits, ASCII, Persian or Arabic-Indic.
func number(s string) (int, bool) {
	s = persian.ASCIIDigits(s)
	if len(s) < 1 || len(s) > 2 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
