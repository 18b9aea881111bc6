package answer

import "github.com/khabar/khabar/retrieval"

// Floor is the relevance floor: below it the passages do not answer the
// question and the reply says so instead of quoting something unrelated.
type Floor struct {
	// Threshold is the lowest [Floor.Score] that is answered; default 0.5.
	Threshold float64
}

func (f Floor) withDefaults() Floor {
	if f.Threshold <= 0 {
		f.Threshold = 0.5
	}
	return f
}

// Score rates how likely the best passages of res are to answer the
// question, from 0 (unrelated) to 1.
func (f Floor) Score(res retrieval.Result) float64 {
	best := 0.0
	for _, p := range res.Passages {
		best = max(best, p.Coverage)
	}
	return best
}

// Relevant reports whether res clears the floor.
func (f Floor) Relevant(res retrieval.Result) bool {
	return len(res.Passages) > 0 && f.Score(res) >= f.Threshold
}
