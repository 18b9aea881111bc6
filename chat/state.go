package chat

import (
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/internal/idlemap"
)

// Limiter limits the replies each sender gets. It is safe for concurrent
// use; [NewRateLimiter] is the in-memory one.
type Limiter interface {
	// Allow spends one of the sender's replies and reports whether there
	// was one; when not, warn reports whether to say so (the first time
	// in a minute).
	Allow(sender int64) (ok, warn bool)
}

// Memory keeps the last answer of each chat, for /sources. It is safe for
// concurrent use; [NewMemory] is the in-memory one.
type Memory interface {
	Put(chatID int64, a answer.Answer)
	Last(chatID int64) (answer.Answer, bool)
}

// Bounds of the in-memory per-chat and per-user state.
const (
	stateTTL      = 30 * time.Minute
	maxStateItems = 20000
	lastAnswerTTL = 24 * time.Hour
)

// rateLimiter gives each sender a token bucket, forgotten after
// stateTTL idle.
type rateLimiter struct {
	perMinute float64
	burst     int
	users     *idlemap.Map[int64, *userLimit]
}

var _ Limiter = (*rateLimiter)(nil)

// userLimit is one user's question budget.
type userLimit struct {
	lim    *rate.Limiter
	warned atomic.Int64 // unix nanoseconds of the last "slow down" reply
}

// NewRateLimiter returns the in-memory limiter: perMinute replies a
// minute for each sender, burst (at least 1) at once.
func NewRateLimiter(perMinute float64, burst int) Limiter {
	return &rateLimiter{perMinute: perMinute, burst: max(burst, 1), users: idlemap.New[int64, *userLimit](stateTTL, maxStateItems)}
}

func (l *rateLimiter) Allow(sender int64) (ok, warn bool) {
	u := l.users.Get(sender, func() *userLimit {
		return &userLimit{lim: rate.NewLimiter(rate.Limit(l.perMinute/60), l.burst)}
	})
	if u.lim.Allow() {
		return true, false
	}
	now := time.Now().UnixNano()
	last := u.warned.Load()
	if now-last < int64(time.Minute) || !u.warned.CompareAndSwap(last, now) {
		return false, false
	}
	return false, true
}

// memory keeps the last answers in memory for lastAnswerTTL.
type memory struct {
	last *idlemap.Map[int64, answer.Answer]
}

var _ Memory = (*memory)(nil)

// NewMemory returns the in-memory Memory: a chat's last answer is kept
// for a day after its last use, for up to 20000 chats.
func NewMemory() Memory {
	return &memory{last: idlemap.New[int64, answer.Answer](lastAnswerTTL, maxStateItems)}
}

func (m *memory) Put(chatID int64, a answer.Answer) { m.last.Put(chatID, a) }

func (m *memory) Last(chatID int64) (answer.Answer, bool) { return m.last.Lookup(chatID) }
