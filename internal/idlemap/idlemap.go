// Package idlemap is a bounded map of per-user or per-chat state whose
// entries expire when idle, built on golang-lru's simplelru.
//
// golang-lru's expirable LRU is not used: its TTL counts from the last
// Add, not the last use, and each one starts a cleaning goroutine that
// never ends (v2.0.7), one per map for the life of the process. Here an
// entry's clock restarts on every use, which also moves it to the front
// of the LRU list, so the idle entries are always at the back: each
// insertion drops them from there, and when the map is full the least
// recently used entry goes.
package idlemap

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Map is a bounded map whose entries idle for longer than its ttl are
// dropped. It is safe for concurrent use; the values must be too.
type Map[K comparable, V any] struct {
	ttl time.Duration
	now func() time.Time

	mu  sync.Mutex
	lru *simplelru.LRU[K, entry[V]]
}

type entry[V any] struct {
	v    V
	used time.Time
}

// New returns a map of at most size entries (at least 1) that forgets an
// entry idle for longer than ttl (never when ttl is 0).
func New[K comparable, V any](ttl time.Duration, size int) *Map[K, V] {
	l, err := simplelru.NewLRU[K, entry[V]](max(size, 1), nil)
	if err != nil { // only for a size below 1
		panic(err)
	}
	return &Map[K, V]{ttl: ttl, now: time.Now, lru: l}
}

// SetClock replaces the map's clock, for tests.
func (m *Map[K, V]) SetClock(now func() time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = now
}

// Get returns the value for k, made by create when there is none (or it
// expired), and marks it used.
func (m *Map[K, V]) Get(k K, create func() V) V {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e, ok := m.lru.Get(k); ok && !m.expired(e, now) {
		m.lru.Add(k, entry[V]{v: e.v, used: now})
		return e.v
	}
	v := create()
	m.putLocked(k, v, now)
	return v
}

// Lookup returns the value for k without creating one, and marks it used.
func (m *Map[K, V]) Lookup(k K) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	e, ok := m.lru.Get(k)
	if !ok || m.expired(e, now) {
		var zero V
		return zero, false
	}
	m.lru.Add(k, entry[V]{v: e.v, used: now})
	return e.v, true
}

// Put sets the value for k.
func (m *Map[K, V]) Put(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(k, v, m.now())
}

// Len is the number of entries held, expired ones not yet dropped
// included.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

func (m *Map[K, V]) putLocked(k K, v V, now time.Time) {
	// The least recently used entries are at the back: drop the idle ones.
	for {
		_, old, ok := m.lru.GetOldest()
		if !ok || !m.expired(old, now) {
			break
		}
		m.lru.RemoveOldest()
	}
	m.lru.Add(k, entry[V]{v: v, used: now}) // evicts the oldest when full
}

func (m *Map[K, V]) expired(e entry[V], now time.Time) bool {
	return m.ttl > 0 && now.Sub(e.used) > m.ttl
}
