package feed

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestIfModifiedSince(t *testing.T) {
	srv := newFeedServer(t)
	body := readFixture(t, "atom.xml")
	const lastMod = "Wed, 02 Dec 2026 08:00:00 GMT"
	srv.handle("/atom", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", lastMod)
		w.Write(body)
	})
	c := newClock()
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/atom"}}, testOptions(c))
	mustPoll(t, p)
	st := p.List()[0]
	if d := st.NextPoll.Sub(c.Now()); d < 9*time.Minute || d > 11*time.Minute {
		t.Errorf("next poll in %v, want 10 min ±10%%", d)
	}
	c.Advance(time.Hour)
	rep := mustPoll(t, p)
	if r := row(t, rep, srv.URL+"/atom"); r.Status != StatusNotModified {
		t.Errorf("second poll %+v", r)
	}
}

func TestRedirectFollowed(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/new/rss", "rss_utf8.xml", "application/rss+xml")
	srv.handle("/old/rss", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/mid/rss", http.StatusMovedPermanently)
	})
	srv.handle("/mid/rss", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new/rss", http.StatusFound)
	})
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/old/rss"}}, opts)
	if rep := mustPoll(t, p); rep.Added() != 3 {
		t.Errorf("added %d through two redirects, want 3", rep.Added())
	}
}

func TestUntitledItemAndSince(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveBytes("/u", rssOf("بی‌عنوان",
		rssItem("u-1", "https://u.ir/1", "", "رئیس سازمان برنامه و بودجه گفت لایحه بودجه سال آینده هفته بعد به مجلس می‌رود. "+strings.Repeat(longText, 6), "Wed, 02 Dec 2026 07:00:00 +0330")),
		"application/rss+xml")
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/u"}}, opts)
	start := c.Now()
	rep := mustPoll(t, p)
	if len(rep.Feeds[0].Added) != 1 {
		t.Fatalf("%+v", rep)
	}
	if got, want := rep.Feeds[0].Added[0].Title, "رئیس سازمان برنامه و بودجه گفت لایحه بودجه سال آینده هفته بعد به مجلس می‌رود"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if got := p.Since(start.Add(-time.Second)); len(got) != 1 {
		t.Errorf("since before the poll: %d articles, want 1", len(got))
	}
	if got := p.Since(start); len(got) != 0 {
		t.Errorf("since the poll: %d articles, want 0", len(got))
	}
}

func TestTitleFrom(t *testing.T) {
	long := strings.Repeat("کلمه ", 30)
	tests := []struct{ give, want string }{
		{"جمله اول. جمله دوم.", "جمله اول"},
		{"آیا باران می‌بارد؟ شاید", "آیا باران می‌بارد"},
		{"خط اول\nخط دوم", "خط اول"},
		{long, strings.TrimSpace(strings.Repeat("کلمه ", 18)) + "…"},
	}
	for _, tt := range tests {
		if got := titleFrom(tt.give); got != tt.want {
			t.Errorf("titleFrom(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

// TestConcurrentUse polls while feeds are added, removed, listed and read;
// run with -race.
func TestConcurrentUse(t *testing.T) {
	srv := newFeedServer(t)
	for i := range 6 {
		path := fmt.Sprintf("/c/%d", i)
		srv.serveBytes(path, rssOf(fmt.Sprintf("خوراک %d", i),
			rssItem(fmt.Sprintf("c-%d", i), fmt.Sprintf("https://c%d.ir/1", i), fmt.Sprintf("خبر %d", i), strings.Repeat(longText, 7)+fmt.Sprint(i), "Wed, 02 Dec 2026 07:00:00 +0330")),
			"application/rss+xml")
	}
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/c/0"}, {URL: srv.URL + "/c/1"}}, opts)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for range 5 {
			if _, err := p.Poll(context.Background()); err != nil {
				t.Error(err)
			}
			c.Advance(time.Hour)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 2; i < 6; i++ {
			if _, err := p.Add(fmt.Sprintf("%s/c/%d", srv.URL, i), ""); err != nil {
				t.Error(err)
			}
		}
		if _, err := p.Remove(srv.URL + "/c/2"); err != nil {
			t.Error(err)
		}
	}()
	go func() {
		defer wg.Done()
		for range 20 {
			p.List()
			p.Articles(context.Background())
			p.Since(time.Time{})
		}
	}()
	wg.Wait()
	c.Advance(time.Hour)
	mustPoll(t, p)
	arts, _, _ := p.Articles(context.Background())
	if len(p.List()) != 5 || len(arts) != 5 {
		t.Errorf("%d feeds and %d articles, want 5 and 5", len(p.List()), len(arts))
	}
	for _, a := range arts {
		if a.Title == "خبر 2" {
			t.Error("the removed feed's article is still there")
		}
	}
}

func TestInternalAddressesRefused(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml")
	c := newClock()
	opts := testOptions(c)
	opts.AllowInternal = false
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/rss"}}, opts)
	rep := mustPoll(t, p)
	if r := rep.Feeds[0]; r.Status != StatusNetwork || !strings.Contains(r.Error, "loopback") || srv.hitCount("/rss") != 0 {
		t.Errorf("a loopback feed was fetched: %+v, %d hits", r, srv.hitCount("/rss"))
	}
	for _, tt := range []struct {
		ip   string
		want bool
	}{{"127.0.0.1", true}, {"10.1.2.3", true}, {"169.254.169.254", true}, {"100.64.0.1", true}, {"::1", true}, {"fd00::1", true}, {"0.0.0.0", true}, {"93.184.216.34", false}, {"2a00:1450::1", false}} {
		if got := isInternal(net.ParseIP(tt.ip)); got != tt.want {
			t.Errorf("isInternal(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
}

func TestResolveLink(t *testing.T) {
	base := "https://example.ir/fa/rss/all"
	tests := []struct{ give, want string }{
		{"https://other.ir/n/1", "https://other.ir/n/1"},
		{"/fa/news/7", "https://example.ir/fa/news/7"},
		{"news/8", "https://example.ir/fa/rss/news/8"},
		{"//cdn.example.ir/n/9", "https://cdn.example.ir/n/9"},
		{"javascript:alert(1)", ""},
		{"mailto:editor@example.ir", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := resolveLink(base, tt.give); got != tt.want {
			t.Errorf("resolveLink(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestOrphanFilesReported(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml")
	dir := t.TempDir()
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	mustPoll(t, mustPoller(t, dir, []Spec{{URL: srv.URL + "/rss"}}, opts))
	p := mustPoller(t, dir, nil, opts) // the feed left FEEDS
	arts, probs, _ := p.Articles(context.Background())
	if len(arts) != 0 || !hasProblem(probs, "no longer followed") {
		t.Errorf("%d articles, problems %v", len(arts), probs)
	}
}

// TestWriteFailureKeepsArticles: when the articles file cannot be written,
// the articles stay in memory, the failure is reported, the validators are
// not kept (so a restart fetches them again), and the next pass stores
// them.
func TestWriteFailureKeepsArticles(t *testing.T) {
	srv := newFeedServer(t)
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml")
	dir := t.TempDir()
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	u := srv.URL + "/rss"
	blocker := filepath.Join(dir, FileName(u))
	if err := os.Mkdir(blocker, 0o755); err != nil { // a rename onto a directory fails
		t.Fatal(err)
	}
	p := mustPoller(t, dir, []Spec{{URL: u}}, opts)
	rep := mustPoll(t, p)
	if r := rep.Feeds[0]; len(r.Added) != 3 || !hasProblem(r.Problems, "not yet stored") {
		t.Fatalf("report %+v", r)
	}
	if n := len(articlesOf(t, p)); n != 3 {
		t.Errorf("%d articles in memory, want 3", n)
	}
	if st := p.List()[0]; st.ETag != "" {
		t.Errorf("validators kept although the articles were not stored: %q", st.ETag)
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	mustPoll(t, p) // not due: the pass only retries the write
	p2 := mustPoller(t, dir, []Spec{{URL: u}}, opts)
	if n := len(articlesOf(t, p2)); n != 3 {
		t.Errorf("after the retry and a restart %d articles, want 3", n)
	}
}

// TestSamePageInTwoFeeds: an aggregator feed that links to another feed's
// article with its own summary neither duplicates nor rewrites it.
func TestSamePageInTwoFeeds(t *testing.T) {
	srv := newFeedServer(t)
	date := "Wed, 02 Dec 2026 07:00:00 +0330"
	srv.serveBytes("/own", rssOf("منبع", rssItem("o-1", "https://own.ir/n/1", "خبر اصلی", "متن اصلی "+strings.Repeat(longText, 8), date)), "application/rss+xml")
	srv.serveBytes("/agg", rssOf("گردآورنده", rssItem("x-1", "https://own.ir/n/1?utm_source=agg", "خبر اصلی", "خلاصه دیگر "+strings.Repeat(longText, 8), date)), "application/rss+xml")
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	opts.Workers = 1 // /own first
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/own"}, {URL: srv.URL + "/agg"}}, opts)
	rep := mustPoll(t, p)
	if r := row(t, rep, srv.URL+"/agg"); len(r.Added) != 0 || len(r.Updated) != 0 || r.Duplicates != 1 {
		t.Errorf("aggregator row %+v", r)
	}
	for range 2 {
		c.Advance(time.Hour)
		rep = mustPoll(t, p)
		for _, r := range rep.Feeds {
			if len(r.Added)+len(r.Updated) != 0 {
				t.Errorf("%s changed stored articles: %+v", r.URL, r)
			}
		}
	}
	arts, _, _ := p.Articles(context.Background())
	if len(arts) != 1 || !strings.HasPrefix(arts[0].Text, "متن اصلی") || arts[0].Source != "منبع" {
		t.Errorf("articles %+v", arts)
	}
}

func TestPollAllIgnoresSchedule(t *testing.T) {
	srv := newFeedServer(t)
	srv.handle("/down", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	srv.serveFixture(t, "/rss", "rss_utf8.xml", "application/rss+xml")
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/down"}, {URL: srv.URL + "/rss"}}, opts)
	mustPoll(t, p)
	rep, err := p.PollAll(context.Background()) // nothing is due, the failing feed is backed off
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Feeds) != 2 || srv.hitCount("/down") != 2 || srv.hitCount("/rss") != 2 {
		t.Errorf("PollAll fetched %d feeds (%d, %d hits)", len(rep.Feeds), srv.hitCount("/down"), srv.hitCount("/rss"))
	}
	if r := row(t, rep, srv.URL+"/rss"); r.Status != StatusNotModified {
		t.Errorf("conditional GET not used: %+v", r)
	}
}

// TestSameBodyNotParsed: a server without ETag or Last-Modified that sends
// the same body again costs no parse and no write.
func TestSameBodyNotParsed(t *testing.T) {
	srv := newFeedServer(t)
	body := readFixture(t, "rss_utf8.xml")
	srv.handle("/rss", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	dir := t.TempDir()
	c := newClock()
	rec := newRecorder()
	opts := testOptions(c)
	opts.NoFullText = true
	opts.Observer = rec
	u := srv.URL + "/rss"
	p := mustPoller(t, dir, []Spec{{URL: u}}, opts)
	mustPoll(t, p)
	c.Advance(time.Hour)
	mustPoll(t, p) // the first unchanged answer records the status change
	before := fileStamps(t, dir)
	c.Advance(time.Hour)
	rep := mustPoll(t, p)
	if r := rep.Feeds[0]; r.Status != StatusUnchanged || r.Seen != 0 {
		t.Errorf("row %+v", r)
	}
	if !equalMaps(before, fileStamps(t, dir)) {
		t.Error("an unchanged body wrote to the store")
	}
	if st := p.List()[0]; st.ItemsSeen != 3 || st.Articles != 3 {
		t.Errorf("state %+v", st)
	}
	if got := strings.Join(rec.fetches[u], ","); got != "ok,unchanged,unchanged" {
		t.Errorf("observer %s", got)
	}
	// A changed body is parsed again.
	changed := []byte(strings.Replace(string(body), "</channel>", rssItem("n-9", "https://example.ir/news/9", "خبر تازه", strings.Repeat(longText, 8), "Wed, 02 Dec 2026 08:00:00 +0330")+"</channel>", 1))
	srv.handle("/rss", func(w http.ResponseWriter, r *http.Request) { w.Write(changed) })
	c.Advance(time.Hour)
	if rep := mustPoll(t, p); rep.Added() != 1 {
		t.Errorf("changed body added %d, want 1", rep.Added())
	}
}

func TestFutureDateClamped(t *testing.T) {
	srv := newFeedServer(t)
	// 09:00 UTC now; "13:30 GMT" is Tehran time mislabelled as GMT.
	srv.serveBytes("/f", rssOf("آینده",
		rssItem("f-1", "https://f.ir/1", "خبر آینده", strings.Repeat(longText, 8), "Wed, 02 Dec 2026 13:30:00 GMT"),
		rssItem("f-2", "https://f.ir/2", "خبر نزدیک", strings.Repeat(longText, 9), "Wed, 02 Dec 2026 09:30:00 GMT")),
		"application/rss+xml")
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/f"}}, opts)
	r := mustPoll(t, p).Feeds[0]
	if len(r.Added) != 2 || !hasProblem(r.Problems, "dated in the future") || len(r.Problems) != 1 {
		t.Fatalf("row %+v", r)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rec := range p.feeds[0].records {
		want := c.Now()
		if rec.Title == "خبر نزدیک" {
			want = time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC) // within the skew: kept
		}
		if !rec.Published.Equal(want) {
			t.Errorf("%s published %v, want %v", rec.Title, rec.Published, want)
		}
	}
}
