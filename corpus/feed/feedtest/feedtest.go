// Package feedtest is the contract of a [feed.Store]: one table of tests
// that every implementation passes (corpus/feed's FileStore in its tests,
// pgstate.Feeds in pgstate's), so that a Poller behaves the same over
// either.
//
// It imports corpus/feed and the standard library only.
package feedtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus/feed"
)

// Open returns a fresh, empty store for one test, and reopen, which
// returns another handle on the same stored data (a restart: a new
// process, or another replica).
type Open func(t *testing.T) (s feed.Store, reopen func() feed.Store)

// Run runs the contract on the stores open returns.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s feed.Store, reopen func() feed.Store)
	}{
		{"Empty", empty},
		{"Registry", registry},
		{"RemoveForgets", removeForgets},
		{"StatesAndArticles", statesAndArticles},
		{"SurvivesReopen", survivesReopen},
		{"PollerStateSurvivesRestart", pollerRestart},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, reopen := open(t)
			tc.run(t, s, reopen)
		})
	}
}

var at = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func empty(t *testing.T, s feed.Store, _ func() feed.Store) {
	ctx := context.Background()
	reg, err := s.Registry(ctx)
	if err != nil || len(reg.Added)+len(reg.Removed) > 0 {
		t.Errorf("Registry of an empty store = %+v, %v", reg, err)
	}
	if st, err := s.States(ctx); err != nil || len(st) > 0 {
		t.Errorf("States of an empty store = %v, %v", st, err)
	}
	if data, err := s.Articles(ctx, "https://none.example/rss"); err != nil || data != nil {
		t.Errorf("Articles of an unknown feed = %q, %v", data, err)
	}
}

func registry(t *testing.T, s feed.Store, _ func() feed.Store) {
	ctx := context.Background()
	for i := range 3 {
		if err := s.Add(ctx, fmt.Sprintf("https://f%d.example/rss", i), fmt.Sprintf("خبرگزاری %d", i), at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Add(ctx, "https://f1.example/rss", "", at); !errors.Is(err, feed.ErrDuplicate) {
		t.Errorf("second Add = %v, want ErrDuplicate", err)
	}
	if err := s.RemoveConfigured(ctx, "https://config.example/rss"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveConfigured(ctx, "https://config.example/rss"); err != nil {
		t.Errorf("RemoveConfigured again: %v", err)
	}
	reg, err := s.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Added) != 3 {
		t.Fatalf("added = %+v", reg.Added)
	}
	for i, a := range reg.Added {
		if a.URL != fmt.Sprintf("https://f%d.example/rss", i) || a.Name != fmt.Sprintf("خبرگزاری %d", i) || !a.Added.Equal(at.Add(time.Duration(i)*time.Minute)) {
			t.Errorf("added[%d] = %+v", i, a)
		}
	}
	if !reflect.DeepEqual(reg.Removed, []string{"https://config.example/rss"}) {
		t.Errorf("removed = %v", reg.Removed)
	}
	// A removed configured feed added back is not removed any more.
	if err := s.Add(ctx, "https://config.example/rss", "", at); err != nil {
		t.Fatal(err)
	}
	if reg, err := s.Registry(ctx); err != nil || len(reg.Removed) != 0 {
		t.Errorf("after adding it back: removed = %v, %v", reg.Removed, err)
	}
	// Removed again, it is removed, not an added feed.
	if err := s.RemoveConfigured(ctx, "https://config.example/rss"); err != nil {
		t.Fatal(err)
	}
	reg, _ = s.Registry(ctx)
	for _, a := range reg.Added {
		if a.URL == "https://config.example/rss" {
			t.Errorf("a configured feed removed again is still added: %+v", reg.Added)
		}
	}
	if had, err := s.RemoveAdded(ctx, "https://f0.example/rss"); !had || err != nil {
		t.Errorf("RemoveAdded = %v, %v; want true", had, err)
	}
	if had, err := s.RemoveAdded(ctx, "https://f0.example/rss"); had || err != nil {
		t.Errorf("RemoveAdded again = %v, %v; want false", had, err)
	}
	if reg, _ := s.Registry(ctx); len(reg.Added) != 2 || reg.Added[0].URL != "https://f1.example/rss" {
		t.Errorf("after RemoveAdded: %+v", reg.Added)
	}
}

func removeForgets(t *testing.T, s feed.Store, _ func() feed.Store) {
	ctx := context.Background()
	added, configured, other := "https://added.example/rss", "https://config.example/rss", "https://other.example/rss"
	if err := s.Add(ctx, added, "", at); err != nil {
		t.Fatal(err)
	}
	states := map[string]feed.State{added: {ETag: `"a"`}, configured: {ETag: `"c"`}, other: {ETag: `"o"`}}
	if err := s.SaveStates(ctx, states); err != nil {
		t.Fatal(err)
	}
	for u := range states {
		if err := s.SaveArticles(ctx, u, []byte(`{"id":"x","text":"t"}`+"\n")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RemoveAdded(ctx, added); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveConfigured(ctx, configured); err != nil {
		t.Fatal(err)
	}
	got, err := s.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[added]; ok {
		t.Error("state of a removed added feed kept")
	}
	if _, ok := got[configured]; ok {
		t.Error("state of a removed configured feed kept")
	}
	if got[other].ETag != `"o"` {
		t.Errorf("state of another feed lost: %+v", got)
	}
	for _, u := range []string{added, configured} {
		if data, err := s.Articles(ctx, u); data != nil || err != nil {
			t.Errorf("articles of removed %s = %q, %v", u, data, err)
		}
	}
	if data, _ := s.Articles(ctx, other); data == nil {
		t.Error("articles of another feed lost")
	}
}

func statesAndArticles(t *testing.T, s feed.Store, _ func() feed.Store) {
	ctx := context.Background()
	u := "https://www.isna.ir/rss"
	want := feed.State{Title: "ایسنا", LastFetch: at, LastSuccess: at, LastStatus: feed.StatusOK, ItemsSeen: 20, ArticlesAdded: 7,
		NextPoll: at.Add(10 * time.Minute), ETag: `"abc"`, LastModified: "Wed, 02 Dec 2026 08:00:00 GMT", BodyHash: "h",
		Failures: 0, Problems: []string{"item 3: no text"}}
	if err := s.SaveStates(ctx, map[string]feed.State{u: want, "https://b.example/rss": {Failures: 2, LastError: "timeout", Gone: true}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameState(got[u], want) {
		t.Errorf("state = %+v, want %+v", got[u], want)
	}
	if b := got["https://b.example/rss"]; b.Failures != 2 || b.LastError != "timeout" || !b.Gone {
		t.Errorf("second state = %+v", b)
	}
	one := []byte(`{"id":"a","title":"t","text":"x"}` + "\n")
	two := append(one, []byte(`{"id":"b","title":"t2","text":"y"}`+"\n")...)
	if err := s.SaveArticles(ctx, u, one); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveArticles(ctx, u, two); err != nil {
		t.Fatal(err)
	}
	if data, err := s.Articles(ctx, u); string(data) != string(two) || err != nil {
		t.Errorf("articles = %q, %v; want the last saved", data, err)
	}
}

// sameState compares states, times by instant (a store may change their
// location).
func sameState(a, b feed.State) bool {
	if !a.LastFetch.Equal(b.LastFetch) || !a.LastSuccess.Equal(b.LastSuccess) || !a.NextPoll.Equal(b.NextPoll) {
		return false
	}
	a.LastFetch, a.LastSuccess, a.NextPoll = b.LastFetch, b.LastSuccess, b.NextPoll
	return reflect.DeepEqual(a, b)
}

func survivesReopen(t *testing.T, s feed.Store, reopen func() feed.Store) {
	ctx := context.Background()
	u := "https://a.example/rss"
	if err := s.Add(ctx, u, "الف", at); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveConfigured(ctx, "https://c.example/rss"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveStates(ctx, map[string]feed.State{u: {ETag: `"e"`, ArticlesAdded: 3}}); err != nil {
		t.Fatal(err)
	}
	jsonl := []byte(`{"id":"a","title":"t","text":"x"}` + "\n")
	if err := s.SaveArticles(ctx, u, jsonl); err != nil {
		t.Fatal(err)
	}
	r := reopen()
	reg, err := r.Registry(ctx)
	if err != nil || len(reg.Added) != 1 || reg.Added[0].URL != u || reg.Added[0].Name != "الف" || !reflect.DeepEqual(reg.Removed, []string{"https://c.example/rss"}) {
		t.Errorf("registry after reopen = %+v, %v", reg, err)
	}
	if st, err := r.States(ctx); err != nil || st[u].ETag != `"e"` || st[u].ArticlesAdded != 3 {
		t.Errorf("states after reopen = %+v, %v", st, err)
	}
	if data, err := r.Articles(ctx, u); string(data) != string(jsonl) || err != nil {
		t.Errorf("articles after reopen = %q, %v", data, err)
	}
}

// Server is an RSS feed at /rss for tests: its items can be added, it
// answers a matching If-None-Match with 304, and it counts the requests.
type Server struct {
	*httptest.Server
	mu    sync.Mutex
	items []string
	hits  int
	full  int // 200 answers
}

// NewServer starts a feed server, closed when t ends.
func NewServer(t testing.TB) *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// URL is the feed's URL.
func (s *Server) URL() string { return s.Server.URL + "/rss" }

// AddItem publishes an item (a Persian title and text, a guid of its own).
func (s *Server) AddItem(title, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.items) + 1
	s.items = append(s.items, fmt.Sprintf(`<item><title>%s</title><link>https://news.example/%d</link><guid>news-%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
		title, n, n, time.Now().Add(-time.Duration(10-n)*time.Minute).UTC().Format(time.RFC1123Z), text))
}

// Hits returns how many requests the feed had, and how many it answered
// in full (200).
func (s *Server) Hits() (all, full int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits, s.full
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/rss" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits++
	etag := fmt.Sprintf(`"v%d"`, len(s.items))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.full++
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("ETag", etag)
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>خبرگزاری آزمون</title><link>https://news.example/</link>`)
	for _, it := range s.items {
		fmt.Fprint(w, it)
	}
	fmt.Fprint(w, `</channel></rss>`)
}

// Text is a Persian article text long enough to be taken as a full text
// (no page fetch).
func Text(topic string) string {
	s := "گزارش خبرنگار ما درباره " + topic + " حاکی است که مسئولان استان امروز جزئیات تازه‌ای را اعلام کردند."
	for len([]rune(s)) < 600 {
		s += " به گفته کارشناسان این موضوع در روزهای آینده نیز پیگیری خواهد شد و نتایج آن اعلام می‌شود."
	}
	return s
}

// Options are a Poller's options for a test Server on loopback.
func Options(store feed.Store) feed.Options {
	return feed.Options{Store: store, AllowInternal: true, HostInterval: -1, NoFullText: true, Interval: time.Minute}
}

func pollerRestart(t *testing.T, s feed.Store, reopen func() feed.Store) {
	ctx := context.Background()
	srv := NewServer(t)
	srv.AddItem("زلزله در کرمان", Text("زلزله کرمان"))
	srv.AddItem("بارش برف در تهران", Text("برف تهران"))
	p, err := feed.New("", nil, Options(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Add(srv.URL(), "آزمون"); err != nil {
		t.Fatal(err)
	}
	rep, err := p.PollAll(ctx)
	if err != nil || rep.Added() != 2 {
		t.Fatalf("first poll: %d added, %v; %+v", rep.Added(), err, rep.Feeds)
	}
	// A restart: a new poller over the same stored data.
	q, err := feed.New("", nil, Options(reopen()))
	if err != nil {
		t.Fatal(err)
	}
	list := q.List()
	if len(list) != 1 || list[0].URL != srv.URL() || list[0].Origin != "admin" || list[0].Articles != 2 || list[0].ETag != `"v2"` || list[0].ArticlesAdded != 2 {
		t.Fatalf("after restart: %+v", list)
	}
	if arts, _, _ := q.Articles(ctx); len(arts) != 2 {
		t.Errorf("articles after restart: %d, want 2", len(arts))
	}
	rep, err = q.PollAll(ctx)
	if err != nil || rep.Added() != 0 || len(rep.Feeds) != 1 || rep.Feeds[0].Status != feed.StatusNotModified {
		t.Fatalf("poll after restart: %+v, %v; want not_modified (the ETag kept)", rep.Feeds, err)
	}
	if all, full := srv.Hits(); all != 2 || full != 1 {
		t.Errorf("feed requests: %d, %d full; want 2, 1", all, full)
	}
	srv.AddItem("افتتاح پل جدید", Text("پل"))
	rep, err = q.PollAll(ctx)
	if err != nil || rep.Added() != 1 {
		t.Fatalf("poll of a new item: %+v, %v", rep.Feeds, err)
	}
	r, err := feed.New("", nil, Options(reopen()))
	if err != nil {
		t.Fatal(err)
	}
	if l := r.List(); len(l) != 1 || l[0].Articles != 3 || l[0].ArticlesAdded != 3 {
		t.Errorf("after a second restart: %+v", l)
	}
}
