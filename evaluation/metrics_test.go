package evaluation

import (
	"math"
	"testing"
	"time"
)

func set(ids ...string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScoreRanking(t *testing.T) {
	tests := []struct {
		name     string
		ranked   []string
		relevant map[string]bool
		want     ranking
	}{
		{"first is relevant", []string{"a", "b"}, set("a"), ranking{1, 1, 1, 1, 1, 1}},
		{"third of two relevant", []string{"x", "y", "a", "z", "b"}, set("a", "b"),
			ranking{0, 1, 1, 1.0 / 3, (1/math.Log2(4) + 1/math.Log2(6)) / (1 + 1/math.Log2(3)), 1}},
		{"none found", []string{"x"}, set("a"), ranking{}},
		{"found at 11 counts for recall only", append(make([]string, 10), "a"), set("a"), ranking{recall100: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scoreRanking(tt.ranked, tt.relevant)
			if !near(got.success1, tt.want.success1) || !near(got.success5, tt.want.success5) || !near(got.success10, tt.want.success10) ||
				!near(got.rr10, tt.want.rr10) || !near(got.ndcg10, tt.want.ndcg10) || !near(got.recall100, tt.want.recall100) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := latency(ds)
	if got.P50 != 50 || got.P95 != 95 || got.Max != 100 {
		t.Errorf("got %+v, want p50 50, p95 95, max 100", got)
	}
}
