package answer

import (
	"unicode/utf8"

	"github.com/khabar/khabar/retrieval"
)

// Floor is the relevance floor: below it the passages do not answer the
// question and the reply says so instead of quoting something unrelated.
//
// Its score combines four signals of the retrieval result, weighted as the
// evaluation chose them (docs/retrieval.md): how much of the question's
// term weight the best passage matches (its BM25 score over the question's
// total idf), the best dense similarity, how clearly the best article
// stands out from the next one, and the share of the question made of words
// the corpus never uses and that are no typing error of a word it does
// («توکیو» asked of Tehran news).
type Floor struct {
	// Threshold is the lowest [Floor.Score] that is answered; default
	// 1.0, calibrated so that 95% of answerable PersianQA questions are
	// answered.
	Threshold float64
}

// Weights of the floor's signals, relative to the lexical one.
const (
	floorDenseWeight   = 1.0
	floorGapWeight     = 0.4
	floorUnknownWeight = 0.5
)

func (f Floor) withDefaults() Floor {
	if f.Threshold <= 0 {
		f.Threshold = 1.0
	}
	return f
}

// Score rates how likely the passages of res are to answer the question:
// about 0.5 for unrelated passages, 1.5 and more for a clear answer.
func (f Floor) Score(res retrieval.Result) float64 {
	if len(res.Passages) == 0 {
		return 0
	}
	var total, unknown float64
	for _, t := range res.Terms {
		switch {
		case t.Expands != "":
			// A synonym stands in for a question term, which counts.
		case t.DF == 0 && t.Correction != "":
			// Searched as its variant, which is among the terms.
		case t.DF == 0 && utf8.RuneCountInString(t.Text) > 2:
			unknown += t.IDF
			total += t.IDF
		default:
			total += t.IDF
		}
	}
	if total == 0 {
		return 0
	}
	top := res.Passages[0]
	dense := 0.0
	for _, p := range res.Passages {
		dense = max(dense, p.Dense)
	}
	gap := 0.0
	for _, p := range res.Passages[1:] {
		if p.ArticleID != top.ArticleID {
			if top.Score > 0 {
				gap = (top.Score - p.Score) / top.Score
			}
			break
		}
	}
	score := top.Lexical/total + floorDenseWeight*dense + floorGapWeight*gap
	return score * (1 - floorUnknownWeight*unknown/total)
}

// Relevant reports whether res clears the floor.
func (f Floor) Relevant(res retrieval.Result) bool {
	return len(res.Passages) > 0 && f.Score(res) >= f.Threshold
}
