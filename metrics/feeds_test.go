package metrics

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/khabar/khabar/corpus/feed"
)

var _ feed.Observer = (*Metrics)(nil)

// TestFeedMetricsThroughThePoller polls a good and a broken feed through
// a real poller reporting to the metrics, and reads the registry.
func TestFeedMetricsThroughThePoller(t *testing.T) {
	item := func(i int) string {
		return fmt.Sprintf("<item><guid>g%d</guid><title>خبر %d</title><link>https://news.example.ir/%d</link><pubDate>%s</pubDate><description>%s</description></item>",
			i, i, i, time.Now().Add(-time.Hour).Format(time.RFC1123Z), strings.Repeat("متن خبر آزمایشی درباره بارش باران در گیلان. ", 20))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken.xml" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>آزمون</title>%s%s%s</channel></rss>`, item(1), item(2), item(3))
	}))
	defer srv.Close()
	good, broken := srv.URL+"/news.xml", srv.URL+"/broken.xml"

	m := New(nil)
	start := time.Now()
	p, err := feed.New(t.TempDir(), []feed.Spec{{URL: good}, {URL: broken}}, feed.Options{
		Observer: m, AllowInternal: true, HostInterval: -1, NoFullText: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := p.PollAll(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		got  float64
		want float64
		what string
	}{
		{testutil.ToFloat64(m.feeds.fetches.WithLabelValues(good, "ok")), 1, "ok fetches"},
		{testutil.ToFloat64(m.feeds.fetches.WithLabelValues(good, "not_modified")), 1, "304s"},
		{testutil.ToFloat64(m.feeds.fetches.WithLabelValues(broken, "unavailable")), 2, "failed fetches"},
		{testutil.ToFloat64(m.feeds.added.WithLabelValues(good)), 3, "items added"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	if last := testutil.ToFloat64(m.feeds.lastSuccess.WithLabelValues(good)); last < float64(start.Unix()) || last > float64(time.Now().Unix()+1) {
		t.Errorf("last success %v, not in [%d, now]", last, start.Unix())
	}
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(fmt.Sprintf(`
# HELP khabar_feed_items_added_total New articles stored from a feed.
# TYPE khabar_feed_items_added_total counter
khabar_feed_items_added_total{feed=%q} 3
`, good)), "khabar_feed_items_added_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.feeds.lastSuccess); n != 1 {
		t.Errorf("%d last-success series, want 1 (the broken feed never succeeded)", n)
	}
	var nilMetrics *Metrics
	nilMetrics.FetchDone(good, "ok")
	nilMetrics.ItemsAdded(good, 1)
	nilMetrics.LastSuccess(good, time.Now())
}
