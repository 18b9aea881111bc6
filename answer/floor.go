package answer

import "github.com/khabar/khabar/retrieval"

// Floor is the relevance floor: below it the best passage does not answer
// the question and the reply says so instead of quoting something
// unrelated.
type Floor struct {
	// MinCoverage is the share of the question's term weight the best
	// passage must contain; default 0.5.
	MinCoverage float64
}

func (f Floor) withDefaults() Floor {
	if f.MinCoverage <= 0 {
		f.MinCoverage = 0.5
	}
	return f
}

// Relevant reports whether the best passage of res clears the floor.
func (f Floor) Relevant(res retrieval.Result) bool {
	if len(res.Passages) == 0 {
		return false
	}
	best := 0.0
	for _, p := range res.Passages {
		best = max(best, p.Coverage)
	}
	return best >= f.MinCoverage
}
