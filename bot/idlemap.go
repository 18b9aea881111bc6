package bot

import (
	"sync"
	"time"
)

// idleMap is a bounded map of per-user or per-chat state. Entries idle for
// longer than ttl are dropped by a sweep that runs at most once per ttl;
// when the map is full even after a sweep, the least recently used entry
// goes. It is safe for concurrent use; the values must be too.
type idleMap[K comparable, V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu        sync.Mutex
	m         map[K]*idleEntry[V]
	lastSweep time.Time
}

type idleEntry[V any] struct {
	v    V
	used time.Time
}

func newIdleMap[K comparable, V any](ttl time.Duration, max int) *idleMap[K, V] {
	return &idleMap[K, V]{ttl: ttl, max: max, now: time.Now, m: map[K]*idleEntry[V]{}}
}

// get returns the value for k, made by create when there is none, and
// marks it used.
func (im *idleMap[K, V]) get(k K, create func() V) V {
	im.mu.Lock()
	defer im.mu.Unlock()
	now := im.now()
	if e, ok := im.m[k]; ok {
		e.used = now
		return e.v
	}
	im.makeRoomLocked(now)
	e := &idleEntry[V]{v: create(), used: now}
	im.m[k] = e
	return e.v
}

// lookup returns the value for k without creating one.
func (im *idleMap[K, V]) lookup(k K) (V, bool) {
	im.mu.Lock()
	defer im.mu.Unlock()
	e, ok := im.m[k]
	if !ok {
		var zero V
		return zero, false
	}
	e.used = im.now()
	return e.v, true
}

// put sets the value for k.
func (im *idleMap[K, V]) put(k K, v V) {
	im.mu.Lock()
	defer im.mu.Unlock()
	now := im.now()
	if e, ok := im.m[k]; ok {
		e.v, e.used = v, now
		return
	}
	im.makeRoomLocked(now)
	im.m[k] = &idleEntry[V]{v: v, used: now}
}

func (im *idleMap[K, V]) makeRoomLocked(now time.Time) {
	if now.Sub(im.lastSweep) >= im.ttl || len(im.m) >= im.max {
		im.lastSweep = now
		for k, e := range im.m {
			if now.Sub(e.used) > im.ttl {
				delete(im.m, k)
			}
		}
	}
	for len(im.m) >= im.max {
		var oldest K
		var at time.Time
		first := true
		for k, e := range im.m {
			if first || e.used.Before(at) {
				oldest, at, first = k, e.used, false
			}
		}
		delete(im.m, oldest)
	}
}
