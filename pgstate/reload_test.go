package pgstate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// versions collects what a watcher reports.
type versions struct {
	mu  sync.Mutex
	got []string
}

func (v *versions) add(s string) { v.mu.Lock(); v.got = append(v.got, s); v.mu.Unlock() }
func (v *versions) list() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.got...)
}

func watch(t *testing.T, r *Reload) *versions {
	t.Helper()
	v := &versions{}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.WatchReload(ctx, v.add) })
	t.Cleanup(func() { stop(); wg.Wait() })
	waitFor(t, "the watcher to listen", func() bool { return r.backendPID() != 0 })
	return v
}

func TestReloadReachesOtherReplicasAndSurvivesReconnect(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	ctx := context.Background()
	a := NewReload(openDB(t, schema), quiet())
	if err := a.NotifyReload(ctx, "v1"); err != nil {
		t.Fatal(err)
	}
	b := NewReload(openDB(t, schema), quiet())
	b.MinBackoff, b.MaxBackoff = 300*time.Millisecond, 300*time.Millisecond
	gotB := watch(t, b)
	gotA := watch(t, a)

	if err := a.NotifyReload(ctx, "v2"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "v2 at b", func() bool { return strings.Join(gotB.list(), ",") == "v2" })

	// b's connection is cut, and v3 is announced before it is back: it
	// finds v3 in index_version when it reconnects.
	var ok bool
	if err := a.db.pool.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int32(b.backendPID())).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate: %v %v", ok, err)
	}
	if err := a.NotifyReload(ctx, "v3"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "v3 at b", func() bool { return strings.Join(gotB.list(), ",") == "v2,v3" })

	// b announces v4: a hears it; neither hears its own.
	if err := b.NotifyReload(ctx, "v4"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "v4 at a", func() bool { return strings.Join(gotA.list(), ",") == "v4" })
	time.Sleep(200 * time.Millisecond) // a report of its own would have come by now
	if got := strings.Join(gotB.list(), ","); got != "v2,v3" {
		t.Errorf("b reported %s, want v2,v3 (the baseline v1 and its own v4 not)", got)
	}
	if cur, err := a.Current(ctx); cur != "v4" || err != nil {
		t.Errorf("Current = %q, %v", cur, err)
	}
	if err := a.NotifyReload(ctx, ""); !errors.Is(err, ErrBadVersion) {
		t.Errorf("empty version: %v", err)
	}
}

// TestReloadBaselineTakenBeforeTheSync: a replica reads the version
// before its first index sync ([Reload.Baseline]); a version announced
// after that, while it syncs and before its watcher listens, is reported
// when the watcher starts, even the first version ever announced.
func TestReloadBaselineTakenBeforeTheSync(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	ctx := context.Background()
	a := NewReload(openDB(t, schema), quiet())
	b := NewReload(openDB(t, schema), quiet())
	if err := b.Baseline(ctx); err != nil { // nothing announced yet
		t.Fatal(err)
	}
	if err := a.NotifyReload(ctx, "v1"); err != nil {
		t.Fatal(err)
	}
	got := watch(t, b)
	waitFor(t, "v1 at b", func() bool { return strings.Join(got.list(), ",") == "v1" })

	// Without a baseline the version found at the start is the baseline.
	c := NewReload(openDB(t, schema), quiet())
	gotC := watch(t, c)
	time.Sleep(200 * time.Millisecond)
	if l := gotC.list(); len(l) != 0 {
		t.Errorf("a watcher without a baseline reported %v at start", l)
	}
}
