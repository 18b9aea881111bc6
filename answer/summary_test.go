package answer

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestSummarizeLatestDay(t *testing.T) {
	c := New(testIndex(t), Options{})
	s, err := c.Summarize(context.Background(), SummaryRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// The newest day has one article: the days before it, up to a week,
	// fill the summary.
	if s.Period != "از ۹ مهر ۱۴۰۴ تا ۱۳ مهر ۱۴۰۴" || len(s.Stories) != 2 || len(s.Sources) != 2 || s.Sources[0].ArticleID != "dollar-1" {
		t.Fatalf("got %s", s)
	}
	if !strings.Contains(s.Stories[0].Text, "[۱]") {
		t.Errorf("story not cited: %q", s.Stories[0].Text)
	}
}

func TestSummarizePeriod(t *testing.T) {
	c := New(testIndex(t), Options{})
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	s, err := c.Summarize(context.Background(), SummaryRequest{From: day(9, 28), To: day(10, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Stories) != 2 || !strings.HasPrefix(s.Period, "از ۶ مهر ۱۴۰۴ تا ۹ مهر ۱۴۰۴") {
		t.Errorf("got %d stories, period %q", len(s.Stories), s.Period)
	}
	empty, err := c.Summarize(context.Background(), SummaryRequest{From: day(1, 1), To: day(1, 2)})
	if err != nil || len(empty.Stories) != 0 || !strings.Contains(empty.String(), "خبری نیست") || !strings.Contains(empty.Note, "۱۳ مهر ۱۴۰۴") {
		t.Errorf("empty period: %v %s", err, empty)
	}
}
