package pgstate

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Telegram's flood limits, as the bot's in-process pacer has them: a
// message a second in a private chat, twenty a minute in a group, thirty a
// second overall (spaced over 1.25s, the in-process window's margin for
// the time between letting a call through and Telegram receiving it).
const (
	PrivateInterval = time.Second
	GroupInterval   = 3 * time.Second
	GlobalInterval  = 41666 * time.Microsecond // 1.25s / 30, in PostgreSQL's microseconds
)

// ErrHeldPastDeadline is returned by [Pacer.Wait] when the chat is held
// by a 429 beyond the caller's deadline. It is a context.DeadlineExceeded.
var ErrHeldPastDeadline = fmt.Errorf("chat held by flood control beyond the deadline: %w", context.DeadlineExceeded)

// Pacer spaces the messages every replica sends, through PostgreSQL: each
// lane (a chat, and one global lane for the bot) is a row holding the
// earliest time its next message may go. [Pacer.Wait] reserves a slot in
// the chat's lane (one UPSERT … RETURNING) and sleeps until it, then does
// the same in the global lane; the times are the server's, so the
// replicas' clocks do not matter. Slots are handed out in order, evenly
// spaced: a lane's messages are never closer than its interval, whichever
// replicas send them.
type Pacer struct{ db *DB }

// NewPacer returns the send pacing of db.
func NewPacer(db *DB) *Pacer { return &Pacer{db: db} }

func laneKey(chatID int64) string { return "chat:" + strconv.FormatInt(chatID, 10) }

const globalLane = "global"

func chatInterval(chatID int64) time.Duration {
	if chatID < 0 { // groups and channels have negative ids
		return GroupInterval
	}
	return PrivateInterval
}

// reserveSQL takes the next slot of lane $1 (spacing $2), not before its
// hold, and returns it with the server's clock.
const reserveSQL = `INSERT INTO pace_lanes AS p (key, next_at) VALUES ($1, now() + $2::interval)
ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(p.next_at, p.hold_until, now()) + $2::interval
RETURNING next_at - $2::interval, clock_timestamp()`

// reserve takes the next slot of a lane.
func (p *Pacer) reserve(ctx context.Context, lane string, every time.Duration) (slot, now time.Time, err error) {
	if err := p.db.pool.QueryRow(ctx, reserveSQL, lane, every).Scan(&slot, &now); err != nil {
		return slot, now, fmt.Errorf("pace: %w", err)
	}
	return slot, now, nil
}

// Wait blocks until a message may be sent to chatID, and counts it. It
// fails at once when the chat is held beyond ctx's deadline.
//
// The chat's slot is taken first and waited for, and only then one in the
// global lane: a global slot reserved at a chat's far slot (a group's
// third message, a chat held by a 429) would push every other chat back.
func (p *Pacer) Wait(ctx context.Context, chatID int64) error {
	if dl, ok := ctx.Deadline(); ok {
		var hold time.Duration
		err := p.db.pool.QueryRow(ctx, "SELECT COALESCE((SELECT hold_until - clock_timestamp() FROM pace_lanes WHERE key = $1 AND hold_until > clock_timestamp()), '0')", laneKey(chatID)).Scan(&hold)
		if err != nil {
			return fmt.Errorf("pace: %w", err)
		}
		if time.Now().Add(hold).After(dl) {
			return ErrHeldPastDeadline
		}
	}
	for _, lane := range []struct {
		key   string
		every time.Duration
	}{{laneKey(chatID), chatInterval(chatID)}, {globalLane, GlobalInterval}} {
		slot, now, err := p.reserve(ctx, lane.key, lane.every)
		if err != nil {
			return err
		}
		if !sleep(ctx, slot.Sub(now)) {
			return ctx.Err()
		}
	}
	return nil
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// TryGlobal takes a global slot if the global lane is free now with keep
// slots to spare, without waiting: for calls that may be skipped, like
// "typing…".
func (p *Pacer) TryGlobal(ctx context.Context, keep int) (bool, error) {
	tag, err := p.db.pool.Exec(ctx, `INSERT INTO pace_lanes AS p (key, next_at) VALUES ($1, now() + $2::interval)
		ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(p.next_at, now()) + $2::interval
		WHERE p.next_at <= now() - $3::interval`, globalLane, GlobalInterval, time.Duration(keep)*GlobalInterval)
	if err != nil {
		return false, fmt.Errorf("pace: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Hold keeps chatID quiet for d from now (a 429's retry_after), on every
// replica.
func (p *Pacer) Hold(ctx context.Context, chatID int64, d time.Duration) error {
	_, err := p.db.pool.Exec(ctx, `INSERT INTO pace_lanes AS p (key, next_at, hold_until) VALUES ($1, now(), now() + $2::interval)
		ON CONFLICT (key) DO UPDATE SET hold_until = GREATEST(p.hold_until, excluded.hold_until)`, laneKey(chatID), d)
	if err != nil {
		return fmt.Errorf("pace: %w", err)
	}
	return nil
}

// Held reports whether chatID is waiting out a 429.
func (p *Pacer) Held(ctx context.Context, chatID int64) (bool, error) {
	var held bool
	err := p.db.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pace_lanes WHERE key = $1 AND hold_until > now())", laneKey(chatID)).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("pace: %w", err)
	}
	return held, nil
}
