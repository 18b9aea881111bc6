package main

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/corpus/feed"
	"github.com/khabar/khabar/retrieval"
)

// newsItem is one item of a test feed.
type newsItem struct {
	GUID, Title, Link, Text string
	Date                    time.Time
}

// newsServer serves RSS 2.0 feeds at paths, with ETag conditional GET, and
// broken answers at the paths set with breakPath.
type newsServer struct {
	*httptest.Server
	mu     sync.Mutex
	feeds  map[string][]newsItem
	broken map[string]int // status to answer with; 0: an HTML page
	hits   map[string]int
}

func newNewsServer(t testing.TB) *newsServer {
	t.Helper()
	s := &newsServer{feeds: map[string][]newsItem{}, broken: map[string]int{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// set replaces the items of the feed at path.
func (s *newsServer) set(path string, items ...newsItem) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feeds[path] = items
	return s.URL + path
}

// add appends items to the feed at path.
func (s *newsServer) add(path string, items ...newsItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feeds[path] = append(s.feeds[path], items...)
}

// breakPath makes path answer with status (0: an HTML page, not a feed).
func (s *newsServer) breakPath(path string, status int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broken[path] = status
	return s.URL + path
}

func (s *newsServer) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *newsServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	status, isBroken := s.broken[r.URL.Path]
	items, ok := s.feeds[r.URL.Path]
	items = append([]newsItem(nil), items...)
	s.mu.Unlock()
	switch {
	case isBroken && status == 0:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><html><body><p>این صفحه خبرخوان نیست</p></body></html>")
		return
	case isBroken:
		http.Error(w, "broken", status)
		return
	case !ok:
		http.NotFound(w, r)
		return
	}
	body := rss(items)
	etag := fmt.Sprintf(`"%x"`, len(body)*31+len(items))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	fmt.Fprint(w, body)
}

// rss renders items as an RSS 2.0 feed.
func rss(items []newsItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>خبرگزاری آزمون</title><link>https://news.example.ir/</link><description>آزمون</description>`)
	for _, it := range items {
		fmt.Fprintf(&b, "<item><guid>%s</guid><title>%s</title><link>%s</link><pubDate>%s</pubDate><description>%s</description></item>",
			html.EscapeString(it.GUID), html.EscapeString(it.Title), html.EscapeString(it.Link),
			it.Date.Format(time.RFC1123Z), html.EscapeString(it.Text))
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

// testFeedOptions lets the poller reach the loopback test server, without
// the per-host pause or article-page fetches, and reports each synced poll
// on the returned channel, until the test ends.
func testFeedOptions(t testing.TB) <-chan syncedPoll {
	t.Helper()
	ch := make(chan syncedPoll, 100)
	feedTestOptions = func(o *feed.Options) {
		o.AllowInternal = true
		o.HostInterval = -1
		o.NoFullText = true
	}
	feedSynced = func(rep feed.Report, irep retrieval.Report, err error) {
		select {
		case ch <- syncedPoll{rep, irep, err}:
		default:
		}
	}
	t.Cleanup(func() { feedTestOptions, feedSynced = nil, nil })
	return ch
}

// syncedPoll is a poll whose changes were synced into the index.
type syncedPoll struct {
	feed  feed.Report
	index retrieval.Report
	err   error
}

// quakeItem, dollarItem and rainItem are realistic news items, long enough
// to be full text.
func quakeItem(at time.Time) newsItem {
	return newsItem{GUID: "quake-1", Title: "زلزله پنج ریشتری بم را لرزاند", Link: "https://news.example.ir/1404/quake-bam",
		Date: at, Text: strings.Repeat("به گزارش خبرگزاری آزمون، زلزله‌ای به بزرگی پنج ریشتر بامداد امروز شهر بم در استان کرمان را لرزاند. مدیر بحران استان گفت تاکنون خسارت جانی گزارش نشده و تیم‌های امدادی به روستاهای اطراف اعزام شده‌اند. ", 3)}
}

func dollarItem(at time.Time) newsItem {
	return newsItem{GUID: "dollar-1", Title: "قیمت دلار در بازار تهران کاهش یافت", Link: "https://news.example.ir/1404/dollar",
		Date: at, Text: strings.Repeat("به گزارش خبرگزاری آزمون، قیمت دلار در بازار آزاد تهران امروز کاهش یافت. فعالان بازار ارز این کاهش را به اخبار مذاکرات و عرضه بیشتر ارز در سامانه نیما نسبت دادند. ", 3)}
}

func rainItem(at time.Time) newsItem {
	return newsItem{GUID: "rain-1", Title: "بارش باران پاییزی در گیلان آغاز شد", Link: "https://news.example.ir/1404/rain-gilan",
		Date: at, Text: strings.Repeat("به گزارش خبرگزاری آزمون، بارش باران پاییزی در استان گیلان آغاز شد و اداره کل هواشناسی استان از ادامه بارش‌ها تا پایان هفته و احتمال آب‌گرفتگی معابر در رشت خبر داد. ", 3)}
}
