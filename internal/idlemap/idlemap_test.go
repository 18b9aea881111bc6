package idlemap

import (
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestIdleEntriesExpireAndUseRenews(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	m := New[int, string](time.Minute, 10)
	m.SetClock(c.now)
	m.Put(1, "a")
	m.Put(2, "b")
	c.t = c.t.Add(50 * time.Second)
	if v, ok := m.Lookup(1); !ok || v != "a" { // renews 1
		t.Fatalf("Lookup(1) = %q, %v", v, ok)
	}
	c.t = c.t.Add(20 * time.Second) // 2 idle for 70s, 1 for 20s
	if _, ok := m.Lookup(2); ok {
		t.Error("2 idle longer than the ttl is still there")
	}
	if _, ok := m.Lookup(1); !ok {
		t.Error("1, used 20s ago, expired")
	}
	m.Put(3, "c") // drops the idle 2 from the back
	if m.Len() != 2 {
		t.Errorf("Len = %d, want 2 (1 and 3)", m.Len())
	}
}

func TestFullMapDropsLeastRecentlyUsed(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	m := New[int, int](time.Hour, 3)
	m.SetClock(c.now)
	for i := 1; i <= 3; i++ {
		m.Put(i, i)
		c.t = c.t.Add(time.Second)
	}
	m.Get(1, func() int { t.Fatal("1 was created again"); return 0 })
	m.Put(4, 4) // 2 is the least recently used
	if _, ok := m.Lookup(2); ok {
		t.Error("2 was kept, 1 used more recently")
	}
	for _, k := range []int{1, 3, 4} {
		if _, ok := m.Lookup(k); !ok {
			t.Errorf("%d was dropped", k)
		}
	}
	if m.Len() != 3 {
		t.Errorf("Len = %d, want 3", m.Len())
	}
}

func TestGetCreatesOnceUntilExpired(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	m := New[string, *int](time.Minute, 10)
	m.SetClock(c.now)
	made := 0
	create := func() *int { made++; n := made; return &n }
	a := m.Get("u", create)
	b := m.Get("u", create)
	if a != b || made != 1 {
		t.Fatalf("Get made %d values", made)
	}
	c.t = c.t.Add(2 * time.Minute)
	if m.Get("u", create) == a || made != 2 {
		t.Error("an expired value was returned")
	}
}
