// Package metrics holds khabar's Prometheus metrics: questions and how they
// were answered, latency per stage, Telegram errors and rate limits, reload
// results and the index size. main creates one [Metrics] and serves its
// registry on the ops listener; the bot reports through it.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics is khabar's set of metrics, registered in its own registry.
type Metrics struct {
	Registry *prometheus.Registry

	questions      *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	telegramErrors *prometheus.CounterVec
	rateLimited    prometheus.Counter
	reloads        *prometheus.CounterVec
	indexErrors    *prometheus.CounterVec
	feeds          *feedMetrics
}

// New returns the metrics, registered with Go and process collectors, and
// the index size read through size on every scrape (nil leaves it out).
func New(size func() (articles, chunks int)) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "khabar_questions_total",
			Help: "Questions answered, by chat type and answer mode (extractive, llm, notfound, error, refused).",
		}, []string{"chat", "mode"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "khabar_stage_seconds",
			Help:    "Time per stage of an answer: search, generate (LLM), answer (whole), send (Telegram).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"stage"}),
		telegramErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "khabar_telegram_errors_total",
			Help: "Failed Bot API calls, by method and error code (0: no answer).",
		}, []string{"method", "code"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "khabar_telegram_429_total",
			Help: "Bot API calls refused with 429 Too Many Requests.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "khabar_reloads_total",
			Help: "Corpus reloads, by result (ok, error).",
		}, []string{"result"}),
		indexErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "khabar_index_errors_total",
			Help: "Failed index calls (Weaviate down or too slow, a rejected query), by operation (search, documents, arrived, latest_date, has_articles, sync).",
		}, []string{"op"}),
	}
	m.Registry.MustRegister(m.questions, m.latency, m.telegramErrors, m.rateLimited, m.reloads, m.indexErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.feeds = newFeedMetrics(m.Registry)
	if size != nil {
		m.Registry.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "khabar_index_articles", Help: "Articles in the serving index."},
				func() float64 { a, _ := size(); return float64(a) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "khabar_index_chunks", Help: "Chunks in the serving index."},
				func() float64 { _, c := size(); return float64(c) }),
		)
	}
	return m
}

// Question counts a question by chat type ("private", "group") and how it
// was answered.
func (m *Metrics) Question(chat, mode string) {
	if m != nil {
		m.questions.WithLabelValues(chat, mode).Inc()
	}
}

// Stage records the time a stage took.
func (m *Metrics) Stage(stage string, d time.Duration) {
	if m != nil {
		m.latency.WithLabelValues(stage).Observe(d.Seconds())
	}
}

// TelegramError counts a failed Bot API call by its error code: the
// HTTP-like code Telegram answered with (429 for a flood wait), 0 when no
// answer came (a network error, a timeout). 429s are also counted apart.
func (m *Metrics) TelegramError(method string, code int) {
	if m == nil {
		return
	}
	if code == 429 {
		m.rateLimited.Inc()
	}
	m.telegramErrors.WithLabelValues(method, strconv.Itoa(code)).Inc()
}

// Reload counts a reload's result.
func (m *Metrics) Reload(err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.reloads.WithLabelValues(result).Inc()
}

// IndexError counts a failed index call by its operation.
func (m *Metrics) IndexError(op string) {
	if m != nil {
		m.indexErrors.WithLabelValues(op).Inc()
	}
}
