package feed

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestFaults runs each broken feed next to a good one: the good one gets
// its articles, the broken one is reported in its row, its state and the
// observer, and nothing stored is lost.
func TestFaults(t *testing.T) {
	good := rssOf("خوب", rssItem("g-1", "https://good.ir/n/1", "خبر خوب", strings.Repeat(longText, 8), "Wed, 02 Dec 2026 07:00:00 +0330"))
	var written atomic.Int64
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus string
		wantNext   time.Duration // from the fake now; 0: don't check
		wantGone   bool
	}{
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, StatusGone, 24 * time.Hour, true},
		{"410", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) }, StatusGone, 24 * time.Hour, true},
		{"429 Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}, StatusRateLimited, 120 * time.Second, false},
		{"503 Retry-After date", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		}, StatusUnavailable, 0, false},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }, StatusUnavailable, 10 * time.Minute, false},
		{"no answer", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, StatusTimeout, 10 * time.Minute, false},
		{"stalled body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>کند</title>`))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, StatusTimeout, 0, false},
		{"malformed XML", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>شکسته</title><item><title>ناقص</title></chan`))
		}, StatusMalformed, 0, false},
		{"HTML instead of XML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!DOCTYPE html><html><head><title>صفحه خطا</title></head><body><h1>یافت نشد</h1></body></html>"))
		}, StatusNotAFeed, 0, false},
		{"50 MB body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>بزرگ</title>`))
			chunk := []byte(strings.Repeat("<item><title>x</title></item>", 1000))
			for n := 0; n < 50<<20; n += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				written.Add(int64(len(chunk)))
			}
		}, StatusTooLarge, 0, false},
		{"binary, not text", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.Write([]byte(strings.Repeat("\x00\xff\xfe\x81", 200)))
		}, StatusEncoding, 0, false},
		{"too many redirects", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		}, StatusHTTPError, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFeedServer(t)
			srv.serveBytes("/good", good, "application/rss+xml")
			srv.handle("/bad", tt.handler)
			srv.handle("/badx", tt.handler)
			srv.handle("/badxx", tt.handler)
			srv.handle("/badxxx", tt.handler)
			srv.handle("/badxxxx", tt.handler)
			c := newClock()
			rec := newRecorder()
			opts := testOptions(c)
			opts.Observer = rec
			opts.RequestTimeout = 2 * time.Second // the "no answer" and "stalled" cases wait this long; the good feed needs far less
			opts.MaxBodyBytes = 1 << 20
			p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/bad"}, {URL: srv.URL + "/good"}}, opts)
			rep := mustPoll(t, p)
			if r := row(t, rep, srv.URL+"/good"); r.Status != StatusOK || len(r.Added) != 1 {
				t.Errorf("good feed: %+v", r)
			}
			r := row(t, rep, srv.URL+"/bad")
			if r.Status != tt.wantStatus || r.Error == "" {
				t.Errorf("status %q (%q), want %q", r.Status, r.Error, tt.wantStatus)
			}
			st := p.List()[0]
			if st.LastStatus != tt.wantStatus || st.LastError == "" || st.Failures != 1 || st.Gone != tt.wantGone {
				t.Errorf("state %+v", st.State)
			}
			if tt.wantNext != 0 && !st.NextPoll.Equal(c.Now().Add(tt.wantNext)) {
				t.Errorf("next poll in %v, want %v", st.NextPoll.Sub(c.Now()), tt.wantNext)
			}
			if !st.NextPoll.After(c.Now()) {
				t.Errorf("next poll %v not after now", st.NextPoll)
			}
			if got := rec.fetches[srv.URL+"/bad"]; len(got) != 1 || got[0] != tt.wantStatus {
				t.Errorf("observer %v", got)
			}
			_, probs, _ := p.Articles(context.Background())
			if !hasProblem(probs, tt.wantStatus) {
				t.Errorf("problems %v lack %s", probs, tt.wantStatus)
			}
		})
	}
	if n := written.Load(); n >= 50<<20 {
		t.Errorf("the 50 MB body was written whole (%d bytes): it was read, not cut", n)
	}
}

func TestRetryAfterDate(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		give string
		want time.Duration
	}{
		{"120", 2 * time.Minute},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{"-5", 0},
		{"soon", 0},
		{"", 0},
		{"99999999", 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.give, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

// TestItemFaults: items without link or date, invalid UTF-8 in a feed, a
// mojibake item, a feed that suddenly has no items, and a gone feed that
// keeps its articles.
func TestItemFaults(t *testing.T) {
	srv := newFeedServer(t)
	text := strings.Repeat(longText, 8)
	feed := rssOf("ناقص",
		rssItem("n-1", "", "خبر بی‌پیوند", "بی‌پیوند "+text, "Wed, 02 Dec 2026 07:00:00 +0330"),
		rssItem("n-2", "https://n.ir/2", "خبر بی‌تاریخ", "بی‌تاریخ "+text, ""),
		rssItem("n-3", "https://n.ir/3", "Ø®Ø¨Ø± Ø®Ø±Ø§Ø¨", "Ø§ÛŒÙ† Ù…ØªÙ† Ø®Ø±Ø§Ø¨ Ø§Ø³Øª Ùˆ Ù†Ø¨Ø§ÛŒØ¯ Ù†Ù…Ø§ÛŒÙ‡ Ø´ÙˆØ¯", "Wed, 02 Dec 2026 07:00:00 +0330"),
	)
	// One stray invalid byte in an otherwise UTF-8 feed.
	feed = []byte(strings.Replace(string(feed), "بی‌پیوند "+text, "بی‌پیوند \xff"+text, 1))
	srv.serveBytes("/n", feed, "application/rss+xml; charset=utf-8")
	c := newClock()
	opts := testOptions(c)
	opts.NoFullText = true
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/n"}}, opts)
	rep := mustPoll(t, p)
	r := row(t, rep, srv.URL+"/n")
	if r.Status != StatusOK || len(r.Added) != 2 {
		t.Fatalf("report %+v", r)
	}
	for _, want := range []string{"no link", "no date; the fetch time used", "mojibake text", "invalid UTF-8 bytes dropped"} {
		if !hasProblem(r.Problems, want) {
			t.Errorf("problems %v lack %q", r.Problems, want)
		}
	}
	arts := map[string]bool{}
	for _, a := range r.Added {
		arts[a.Title] = true
		if strings.ContainsRune(a.Text, '\uFFFD') || looksMojibake([]byte(a.Text)) {
			t.Errorf("%q: text %q", a.Title, a.Text)
		}
		if a.Title == "خبر بی‌تاریخ" && !a.Date.Equal(calendarDate(c.Now())) {
			t.Errorf("undated item dated %v, want the fetch day", a.Date)
		}
	}
	if !arts["خبر بی‌پیوند"] || !arts["خبر بی‌تاریخ"] {
		t.Errorf("added %v", arts)
	}

	// Suddenly no items: what was fetched stays.
	srv.serveBytes("/n", rssOf("ناقص"), "application/rss+xml")
	c.Advance(time.Hour)
	rep = mustPoll(t, p)
	if r := row(t, rep, srv.URL+"/n"); r.Status != StatusOK || !hasProblem(r.Problems, "no items") {
		t.Errorf("zero items: %+v", r)
	}
	if got := len(articlesOf(t, p)); got != 2 {
		t.Errorf("after an empty feed %d articles, want 2", got)
	}
	// Gone: marked, articles kept.
	srv.handle("/n", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	c.Advance(time.Hour)
	mustPoll(t, p)
	if st := p.List()[0]; !st.Gone || st.Articles != 2 {
		t.Errorf("gone feed: %+v", st)
	}
}

func TestBackoff(t *testing.T) {
	srv := newFeedServer(t)
	srv.handle("/down", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	c := newClock()
	opts := testOptions(c)
	opts.MaxBackoff = time.Hour
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/down"}}, opts)
	want := []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		mustPoll(t, p)
		st := p.List()[0]
		if got := st.NextPoll.Sub(c.Now()); got != w || st.Failures != i+1 {
			t.Errorf("failure %d: next poll in %v (failures %d), want %v", i+1, got, st.Failures, w)
		}
		c.Advance(st.NextPoll.Sub(c.Now()))
	}
	if n := srv.hitCount("/down"); n != len(want) {
		t.Errorf("%d requests, want %d", n, len(want))
	}
	// Recovery resets the count.
	srv.serveBytes("/down", rssOf("بازگشت"), "application/rss+xml")
	mustPoll(t, p)
	if st := p.List()[0]; st.Failures != 0 || st.LastStatus != StatusOK || st.LastError != "" {
		t.Errorf("after recovery %+v", st.State)
	}
}

func TestHostLimiterIsPerHost(t *testing.T) {
	f := newFetcher(http.DefaultClient, DefaultUserAgent, time.Second, time.Hour)
	ctx := context.Background()
	if err := f.wait(ctx, "https://a.ir/rss"); err != nil {
		t.Fatal(err)
	}
	if err := f.wait(ctx, "https://b.ir/rss"); err != nil {
		t.Errorf("another host had to wait: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := f.wait(short, "https://A.ir/other"); err == nil {
		t.Error("a second request to a.ir within the interval did not wait")
	}
}

func TestPollCanceled(t *testing.T) {
	srv := newFeedServer(t)
	srv.handle("/slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := newClock()
	p := mustPoller(t, t.TempDir(), []Spec{{URL: srv.URL + "/slow"}}, testOptions(c))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.hitCount("/slow") == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	rep, err := p.Poll(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want canceled", err)
	}
	if r := row(t, rep, srv.URL+"/slow"); r.Status != statusCanceled {
		t.Errorf("row %+v", r)
	}
	if st := p.List()[0]; st.Failures != 0 || st.LastStatus != "" {
		t.Errorf("a shutdown counted as a failure: %+v", st.State)
	}
}
