package metrics

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsMove(t *testing.T) {
	m := New(func() (int, int) { return 52, 102 })
	m.Question("private", "extractive")
	m.Question("private", "extractive")
	m.Question("group", "notfound")
	m.Stage("search", 3*time.Millisecond)
	m.TelegramError("sendMessage", 429)
	m.TelegramError("sendMessage", 0)
	m.Reload(nil)
	m.Reload(errors.New("boom"))

	if got := testutil.ToFloat64(m.questions.WithLabelValues("private", "extractive")); got != 2 {
		t.Errorf("questions: got %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.rateLimited); got != 1 {
		t.Errorf("429s: got %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.telegramErrors.WithLabelValues("sendMessage", "0")); got != 1 {
		t.Errorf("errors without an answer: got %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.reloads.WithLabelValues("error")); got != 1 {
		t.Errorf("failed reloads: got %v, want 1", got)
	}
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(`
# HELP khabar_index_chunks Chunks in the serving index.
# TYPE khabar_index_chunks gauge
khabar_index_chunks 102
`), "khabar_index_chunks"); err != nil {
		t.Error(err)
	}
	var nilMetrics *Metrics // a bot without metrics
	nilMetrics.Question("private", "extractive")
	nilMetrics.Stage("search", time.Second)
}
