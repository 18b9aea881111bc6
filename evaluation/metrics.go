package evaluation

import (
	"math"
	"slices"
	"time"
)

// Retrieval holds the article-level ranking metrics, averaged over the
// questions that have relevant articles.
type Retrieval struct {
	Questions int     `json:"questions"`
	Success1  float64 `json:"success_at_1"`
	Success5  float64 `json:"success_at_5"`
	Success10 float64 `json:"success_at_10"`
	MRR10     float64 `json:"mrr_at_10"`
	NDCG10    float64 `json:"ndcg_at_10"`
	Recall100 float64 `json:"recall_at_100"`
}

// ranking scores one ranked list of article ids against the relevant set.
type ranking struct {
	success1, success5, success10, rr10, ndcg10, recall100 float64
}

func scoreRanking(ranked []string, relevant map[string]bool) ranking {
	var r ranking
	if len(relevant) == 0 {
		return r
	}
	found := 0
	var dcg float64
	for i, id := range ranked {
		if i >= 100 {
			break
		}
		if !relevant[id] {
			continue
		}
		found++
		rank := i + 1
		if rank <= 10 {
			dcg += 1 / math.Log2(float64(rank)+1)
			if r.rr10 == 0 {
				r.rr10 = 1 / float64(rank)
			}
		}
		if rank <= 1 {
			r.success1 = 1
		}
		if rank <= 5 {
			r.success5 = 1
		}
		if rank <= 10 {
			r.success10 = 1
		}
	}
	var idcg float64
	for i := range min(10, len(relevant)) {
		idcg += 1 / math.Log2(float64(i+1)+1)
	}
	r.ndcg10 = dcg / idcg
	r.recall100 = float64(found) / float64(len(relevant))
	return r
}

func (m *Retrieval) add(r ranking) {
	m.Questions++
	m.Success1 += r.success1
	m.Success5 += r.success5
	m.Success10 += r.success10
	m.MRR10 += r.rr10
	m.NDCG10 += r.ndcg10
	m.Recall100 += r.recall100
}

func (m *Retrieval) finish() {
	if m.Questions == 0 {
		return
	}
	n := float64(m.Questions)
	m.Success1 /= n
	m.Success5 /= n
	m.Success10 /= n
	m.MRR10 /= n
	m.NDCG10 /= n
	m.Recall100 /= n
}

// Latency summarises durations in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	Max float64 `json:"max_ms"`
}

func latency(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return Latency{P50: ms(quantile(s, 0.50)), P95: ms(quantile(s, 0.95)), Max: ms(s[len(s)-1])}
}

// quantile returns the nearest-rank quantile q of sorted.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
