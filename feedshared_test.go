package main

import (
	"context"
	"slices"
	"testing"

	"github.com/khabar/khabar/corpus/feed"
)

// feedURLs lists the URLs p follows, with their origin.
func feedURLs(p feedPoller) []string {
	var out []string
	for _, f := range p.List() {
		out = append(out, f.Origin+" "+f.URL)
	}
	return out
}

// TestFeedsSharedAcrossReplicas: /feeds add and remove on one replica
// reach the other's poller through the registry in PostgreSQL, and the
// first replica's own feeds.json is imported once. (Nothing is fetched:
// no poller runs.)
func TestFeedsSharedAcrossReplicas(t *testing.T) {
	dbURL, _ := replicaDB(t)
	ctx := context.Background()
	open := func() *sharedState {
		s, err := openState(ctx, Config{StateBackend: "postgres", DatabaseURL: dbURL}, quietLog())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.close)
		return s
	}
	configured := []feed.Spec{{URL: "http://127.0.0.1:9/config.xml"}}
	dir1 := t.TempDir()
	poller := func(dir string) *feed.Poller {
		p, err := feed.New(dir, configured, feed.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	s1, s2 := open(), open()
	p1, p2 := poller(dir1), poller(t.TempDir())
	// A feed added on replica 1 before the switch: imported once.
	if _, err := p1.Add("http://127.0.0.1:9/old.xml", "قدیمی"); err != nil {
		t.Fatal(err)
	}
	if err := s1.importFeeds(ctx, dir1); err != nil {
		t.Fatal(err)
	}
	if err := s2.importFeeds(ctx, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	sync := func(want ...string) {
		t.Helper()
		if _, err := s2.reconcileFeeds(ctx, p2); err != nil {
			t.Fatal(err)
		}
		if got := feedURLs(p2); !slices.Equal(got, want) {
			t.Errorf("replica 2 follows %q, want %q", got, want)
		}
	}
	sync("config http://127.0.0.1:9/config.xml", "admin http://127.0.0.1:9/old.xml")

	admin := feedsAdmin{a: &app{log: quietLog(), feeds: p1}, shared: s1}
	if _, err := admin.Add("http://127.0.0.1:9/new.xml", "تازه"); err != nil {
		t.Fatal(err)
	}
	sync("config http://127.0.0.1:9/config.xml", "admin http://127.0.0.1:9/old.xml", "admin http://127.0.0.1:9/new.xml")
	if _, err := admin.Remove("http://127.0.0.1:9/config.xml"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Remove("http://127.0.0.1:9/old.xml"); err != nil {
		t.Fatal(err)
	}
	sync("admin http://127.0.0.1:9/new.xml")
	if changed, err := s2.reconcileFeeds(ctx, p2); changed || err != nil {
		t.Errorf("a second reconcile changed %v (%v): want nothing", changed, err)
	}
	if got := p2.List(); len(got) != 1 || got[0].Name != "تازه" {
		t.Errorf("the added feed's name on replica 2: %+v", got)
	}
}
