package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// feedMetrics are the live news feeds' metrics. The feed label is the
// feed's URL: one series per followed feed, a set the admins bound.
type feedMetrics struct {
	fetches     *prometheus.CounterVec
	added       *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
}

func newFeedMetrics(reg *prometheus.Registry) *feedMetrics {
	f := &feedMetrics{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "khabar_feed_fetch_total",
			Help: "Feed fetches, by feed URL and status (ok, not_modified, unchanged, gone, rate_limited, unavailable, http_error, timeout, too_large, not_a_feed, malformed, bad_encoding, network_error).",
		}, []string{"feed", "status"}),
		added: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "khabar_feed_items_added_total",
			Help: "New articles stored from a feed.",
		}, []string{"feed"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "khabar_feed_last_success_timestamp_seconds",
			Help: "Unix time of a feed's last fetch that ended ok, not_modified or unchanged.",
		}, []string{"feed"}),
	}
	reg.MustRegister(f.fetches, f.added, f.lastSuccess)
	return f
}

// FetchDone counts one fetch of a feed by its status. With ItemsAdded and
// LastSuccess it makes *Metrics a feed.Observer.
func (m *Metrics) FetchDone(feed, status string) {
	if m != nil {
		m.feeds.fetches.WithLabelValues(feed, status).Inc()
	}
}

// ItemsAdded counts the new articles of one fetch.
func (m *Metrics) ItemsAdded(feed string, n int) {
	if m != nil && n > 0 {
		m.feeds.added.WithLabelValues(feed).Add(float64(n))
	}
}

// LastSuccess records when a feed was last fetched successfully.
func (m *Metrics) LastSuccess(feed string, t time.Time) {
	if m != nil {
		m.feeds.lastSuccess.WithLabelValues(feed).Set(float64(t.UnixNano()) / 1e9)
	}
}
