package feed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRegistryAddRemoveList(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	cfg := []Spec{{URL: "https://isna.ir/rss", Name: "ایسنا"}, {URL: "https://irna.ir/rss"}}
	p := mustPoller(t, dir, cfg, testOptions(c))
	st, err := p.Add(" https://Tasnim.ir/rss ", "  تسنیم  نیوز ")
	if err != nil {
		t.Fatal(err)
	}
	if st.Number != 3 || st.URL != "https://tasnim.ir/rss" || st.Name != "تسنیم نیوز" || st.Origin != "admin" {
		t.Errorf("added %+v", st)
	}
	if _, err := p.Add("https://isna.ir/rss", ""); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := p.Add("ftp://x.ir/rss", ""); !errors.Is(err, ErrBadURL) {
		t.Errorf("bad URL: %v", err)
	}
	if _, err := p.Remove("7"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove 7: %v", err)
	}
	if st, err := p.Remove("1"); err != nil || st.URL != "https://isna.ir/rss" {
		t.Errorf("remove 1: %+v, %v", st, err)
	}
	if _, err := p.Add("https://farsnews.ir/rss", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Remove("https://farsnews.ir/rss"); err != nil {
		t.Fatal(err)
	}
	got := urls(p.List())
	if want := "https://irna.ir/rss https://tasnim.ir/rss"; got != want {
		t.Errorf("list %q, want %q", got, want)
	}
	for i, s := range p.List() {
		if s.Number != i+1 {
			t.Errorf("row %d numbered %d", i, s.Number)
		}
	}
	if s := p.List()[0]; s.Outlet != "irna.ir" {
		t.Errorf("outlet of an unnamed, unfetched feed %q, want the host", s.Outlet)
	}

	// Persisted: a restart with the same configuration sees the same list,
	// the removed configured feed included.
	p2 := mustPoller(t, dir, cfg, testOptions(c))
	if got2 := urls(p2.List()); got2 != got {
		t.Errorf("after restart %q, want %q", got2, got)
	}
	if s := p2.List()[1]; s.Name != "تسنیم نیوز" || s.Origin != "admin" {
		t.Errorf("after restart %+v", s)
	}
	// Adding a removed configured feed brings it back.
	if _, err := p2.Add("https://isna.ir/rss", "ایسنا"); err != nil {
		t.Fatal(err)
	}
	p3 := mustPoller(t, dir, cfg, testOptions(c))
	if got3 := urls(p3.List()); !strings.Contains(got3, "https://isna.ir/rss") {
		t.Errorf("re-added feed lost: %q", got3)
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left", e.Name())
		}
	}
}

func urls(ss []FeedStatus) string {
	var us []string
	for _, s := range ss {
		us = append(us, s.URL)
	}
	return strings.Join(us, " ")
}

func TestRemoveDropsArticles(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml")
	dir := t.TempDir()
	c := newClock()
	p := mustPoller(t, dir, nil, testOptions(c))
	if _, err := p.Add(srv.URL+"/rss", ""); err != nil {
		t.Fatal(err)
	}
	mustPoll(t, p)
	if n := len(articlesOf(t, p)); n != 3 {
		t.Fatalf("%d articles", n)
	}
	if _, err := p.Remove("1"); err != nil {
		t.Fatal(err)
	}
	if n := len(articlesOf(t, p)); n != 0 {
		t.Errorf("%d articles after remove", n)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.jsonl")); len(m) != 0 {
		t.Errorf("articles files left: %v", m)
	}
}

func TestMaxAge(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml")
	c := newClock() // 2026-12-02 09:00 UTC
	opts := testOptions(c)
	opts.NoFullText = true
	opts.MaxAge = 6 * time.Hour // drops 22:10 UTC on 1 Dec
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/rss"}}, opts)
	if rep := mustPoll(t, p); rep.Added() != 2 {
		t.Errorf("added %d, want 2 (one item too old)", rep.Added())
	}
	c.Advance(4 * time.Hour) // now 13:00, the cut 07:00: 06:00Z (09:30+0330) and 04:00Z go
	rep := mustPoll(t, p)
	if len(rep.Removed) != 2 {
		t.Errorf("removed %v, want 2 ids", rep.Removed)
	}
	if n := len(articlesOf(t, p)); n != 0 {
		t.Errorf("%d articles left", n)
	}
}

func TestRunPollsAndStops(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml")
	dir := t.TempDir()
	reports := make(chan Report, 100)
	opts := Options{HostInterval: -1, NoFullText: true, AllowInternal: true, OnPoll: func(r Report) { reports <- r }}
	p := mustPoller(t, dir, nil, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, time.Hour) }()
	if _, err := p.Add(srv.URL+"/rss", ""); err != nil { // wakes Run
		t.Fatal(err)
	}
	for added := 0; added < 3; {
		added += (<-reports).Added()
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	p2 := mustPoller(t, dir, nil, opts)
	if st := p2.List(); len(st) != 1 || st[0].LastStatus != StatusOK || st[0].ETag == "" {
		t.Errorf("state after Run %+v", st)
	}
}

// cancelOnAdd cancels a context when articles are added: a shutdown that
// lands after a pass stored articles and before it returned.
type cancelOnAdd struct {
	*recorder
	cancel context.CancelFunc
}

func (c cancelOnAdd) ItemsAdded(feed string, n int) { c.cancel() }

func TestRunReportsAPassCutShort(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	added := 0
	opts := Options{HostInterval: -1, NoFullText: true, AllowInternal: true,
		Observer: cancelOnAdd{newRecorder(), cancel},
		OnPoll:   func(r Report) { added += r.Added() }}
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/rss"}}, opts)
	if err := p.Run(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if added != 3 {
		t.Errorf("OnPoll saw %d added articles, want 3", added)
	}
}
