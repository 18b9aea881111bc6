package pgstate

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// candidate runs one replica's election in the background.
type candidate struct {
	l      *Leader
	stop   context.CancelFunc
	done   chan struct{}
	leads  atomic.Int32 // times it began leading
	ended  atomic.Int32 // times its job was stopped
	active atomic.Bool
}

func campaign(t *testing.T, db *DB, shared *atomic.Int32, most *atomic.Int32) *candidate {
	t.Helper()
	c := &candidate{l: NewLeader(db, "digest", quiet()), done: make(chan struct{})}
	c.l.Poll = 100 * time.Millisecond
	ctx, stop := context.WithCancel(context.Background())
	c.stop = stop
	go func() {
		defer close(c.done)
		c.l.Run(ctx, func(ctx context.Context) {
			c.leads.Add(1)
			c.active.Store(true)
			n := shared.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			<-ctx.Done()
			shared.Add(-1)
			c.active.Store(false)
			c.ended.Add(1)
		})
	}()
	t.Cleanup(func() { stop(); <-c.done })
	return c
}

// waitFor polls cond for up to 15s: a functional deadline, not a speed
// assertion (the takeover is polled every 100ms here).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func leaders(cs []*candidate) (n int, who *candidate) {
	for _, c := range cs {
		if c.active.Load() {
			n++
			who = c
		}
	}
	return n, who
}

func terms(cs []*candidate) (n int32) {
	for _, c := range cs {
		n += c.leads.Load()
	}
	return n
}

func TestLeaderOneAtATimeAndTakeover(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	var shared, most atomic.Int32
	var cs []*candidate
	for range 3 {
		cs = append(cs, campaign(t, openDB(t, schema), &shared, &most))
	}
	waitFor(t, "a leader", func() bool { n, _ := leaders(cs); return n == 1 })
	// Several poll rounds with everyone healthy: still exactly one.
	time.Sleep(500 * time.Millisecond)
	if n, _ := leaders(cs); n != 1 || most.Load() != 1 {
		t.Fatalf("%d leaders now, at most %d at once; want 1", n, most.Load())
	}
	_, first := leaders(cs)

	// The leader's session dies (its connection cut: the server ends the
	// session and frees the lock). Its job is stopped, and it campaigns
	// again like the others: one of them leads, in a new term.
	admin := openDB(t, schema)
	terminate := func(c *candidate) {
		t.Helper()
		var ok bool
		if err := admin.pool.QueryRow(context.Background(), "SELECT pg_terminate_backend($1)", int32(c.l.backendPID())).Scan(&ok); err != nil || !ok {
			t.Fatalf("terminate the leader's session: %v %v", ok, err)
		}
	}
	terminate(first)
	waitFor(t, "the old leader's job to stop", func() bool { return first.ended.Load() == 1 })
	waitFor(t, "a new term", func() bool { n, _ := leaders(cs); return n == 1 && terms(cs) == 2 })

	// A replica killed while leading: its session gone, it never comes
	// back; another one takes over.
	_, dead := leaders(cs)
	killed := time.Now()
	terminate(dead)
	dead.stop()
	<-dead.done
	waitFor(t, "a leader other than the dead one", func() bool { n, who := leaders(cs); return n == 1 && who != dead })
	t.Logf("taken over %v after the leader's session died (poll %v)", time.Since(killed).Round(time.Millisecond), first.l.Poll)

	// A leader stopping cleanly hands over too.
	_, second := leaders(cs)
	second.stop()
	<-second.done
	waitFor(t, "the last candidate to lead", func() bool { n, who := leaders(cs); return n == 1 && who != second && who != dead })
	if second.l.Leading() {
		t.Error("a stopped candidate still says it leads")
	}
}

func TestLeaderJobReturningGivesLockUp(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	a := NewLeader(openDB(t, schema), "digest", quiet())
	a.Poll = 100 * time.Millisecond
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var runs atomic.Int32
	var wg sync.WaitGroup
	wg.Go(func() {
		a.Run(ctx, func(context.Context) {
			if runs.Add(1) == 1 {
				return // the job ends by itself the first time
			}
			<-ctx.Done()
		})
	})
	// The lock was released and taken again (by the same candidate: no
	// one else runs).
	waitFor(t, "a second term", func() bool { return runs.Load() >= 2 })
	stop()
	wg.Wait()
}
