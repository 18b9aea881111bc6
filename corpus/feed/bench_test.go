package feed

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// benchFeeds serves n feeds of m items each at /f/<i>; prefix makes the
// items of one setup differ from another's.
func benchFeeds(b *testing.B, srv *feedServer, n, m int, prefix string) []Spec {
	b.Helper()
	body := strings.Repeat("متن خبر برای سنجش کارایی خوراک‌ها که به اندازه یک خبر کوتاه واقعی است. ", 20)
	specs := make([]Spec, n)
	for i := range n {
		items := make([]string, m)
		for j := range m {
			link := fmt.Sprintf("https://bench%d.example.ir/%s/news/%d", i, prefix, j)
			items[j] = fmt.Sprintf(`<item><title>خبر %d از خوراک %d</title><link>%s</link><guid>%s</guid>`+
				`<pubDate>Wed, 02 Dec 2026 07:%02d:00 +0330</pubDate><description>%s</description></item>`,
				j, i, link, link, j%60, fmt.Sprintf("%s شماره %d %d %s", prefix, i, j, body))
		}
		path := fmt.Sprintf("/f/%d", i)
		srv.serveBytes(path, rssOf(fmt.Sprintf("خوراک %d", i), items...), "application/rss+xml; charset=utf-8")
		specs[i] = Spec{URL: srv.URL + path}
	}
	return specs
}

func benchServer(b *testing.B) *feedServer {
	s := &feedServer{routes: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	return startServer(b, s)
}

// BenchmarkPoll200Feeds: one pass over 200 feeds of 50 items each, all
// already stored: "mostly_304" has 190 feeds answer 304 and 10 answer 200
// with the same items but a new <lastBuildDate> each time (so they are
// parsed; nothing is new); "all_304" has every feed answer 304.
func BenchmarkPoll200Feeds(b *testing.B) {
	for _, bc := range []struct {
		name string
		full int // feeds that ignore If-None-Match
	}{{"mostly_304", 10}, {"all_304", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := benchServer(b)
			specs := benchFeeds(b, srv, 200, 50, "p")
			for i := range bc.full {
				path := fmt.Sprintf("/f/%d", i)
				items := benchItemsOf(srv, path)
				var n atomic.Int64
				srv.handle(path, func(w http.ResponseWriter, r *http.Request) {
					build := fmt.Sprintf("<lastBuildDate>%d</lastBuildDate>", n.Add(1))
					w.Write(rssOf(fmt.Sprintf("خوراک %d", i), append([]string{build}, items...)...))
				})
			}
			c := newClock()
			opts := testOptions(c)
			opts.NoFullText = true
			p := mustPoller(b, b.TempDir(), specs, opts)
			if rep := mustPoll(b, p); rep.Added() != 200*50 {
				b.Fatalf("setup added %d", rep.Added())
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				c.Advance(time.Hour)
				rep := mustPoll(b, p)
				if len(rep.Feeds) != 200 || rep.Added() != 0 {
					b.Fatalf("pass: %d feeds, %d added", len(rep.Feeds), rep.Added())
				}
			}
		})
	}
}

// benchItemsOf fetches the items a bench path serves (its body, between
// <title> of the channel and </channel>).
func benchItemsOf(srv *feedServer, path string) []string {
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	s := sb.String()
	i := strings.Index(s, "<item>")
	j := strings.LastIndex(s, "</channel>")
	return []string{s[i:j]}
}

// BenchmarkIngest10000Items: 200 feeds × 50 new items into an empty store;
// reports the heap the stored articles add.
func BenchmarkIngest10000Items(b *testing.B) {
	srv := benchServer(b)
	specs := benchFeeds(b, srv, 200, 50, "i")
	var ms runtime.MemStats
	var added float64
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		c := newClock()
		opts := testOptions(c)
		opts.NoFullText = true
		p := mustPoller(b, b.TempDir(), specs, opts)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		b.StartTimer()
		rep := mustPoll(b, p)
		b.StopTimer()
		if rep.Added() != 10000 {
			b.Fatalf("added %d", rep.Added())
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		added += float64(ms.HeapAlloc) - float64(before)
		runtime.KeepAlive(p)
		b.StartTimer()
	}
	b.ReportMetric(added/float64(b.N)/(1<<20), "MB-heap-added")
}
