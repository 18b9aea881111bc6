package retrieval

import "unicode/utf8"

// Weights of the relevance signals, relative to the lexical one, as the
// evaluation chose them (docs/retrieval.md, "The relevance floor").
const (
	relevanceDenseWeight   = 1.0
	relevanceGapWeight     = 0.4
	relevanceUnknownWeight = 0.5
)

// ScoreRelevance sets res.Relevance and the Relevance of each of its
// passages from the signals the result carries: the question's terms with
// their idf and document frequency (res.Terms), and each passage's
// Lexical, Dense and Score. [Index.Search] calls it; a [Store] backed by
// another engine calls it too, once it has filled those fields from term
// statistics of the same corpus, so that every backend rates passages by
// one formula.
//
// The relevance combines how much of the question's term weight a passage
// matches (its BM25 score over the question's total idf) and its dense
// similarity, and, for the result, those of its best passage with how
// clearly its best article stands out from the next one; it is discounted by the share of the question made of
// words the corpus never uses that are no typing error of a word it does
// («توکیو» asked of Tehran news). It is about 0.5 for unrelated passages,
// 1.5 and more for a clear answer; 0 when there are no passages or no
// terms.
func ScoreRelevance(res *Result) {
	res.Relevance = 0
	for i := range res.Passages {
		res.Passages[i].Relevance = 0
	}
	if len(res.Passages) == 0 {
		return
	}
	total, unknown := termWeight(res.Terms)
	if total == 0 {
		return
	}
	discount := 1 - relevanceUnknownWeight*unknown/total
	for i, p := range res.Passages {
		res.Passages[i].Relevance = (p.Lexical/total + relevanceDenseWeight*p.Dense) * discount
	}
	top := res.Passages[0]
	gap := 0.0
	for _, p := range res.Passages[1:] {
		if p.ArticleID != top.ArticleID {
			if top.Score > 0 {
				gap = (top.Score - p.Score) / top.Score
			}
			break
		}
	}
	// The best passage's own signals: the dense similarity of another
	// article's passage says nothing of how well this one answers (it
	// once lifted a Quds-day statement over the floor for «قهرمان فرمول
	// یک جهان کیه؟»).
	res.Relevance = (top.Lexical/total + relevanceDenseWeight*top.Dense + relevanceGapWeight*gap) * discount
}

// termWeight returns the question's total idf and the part of it made of
// words the corpus never uses (of three letters or more) that are not
// searched as a variant. A synonym searched beside a question term adds
// nothing (the term counts), nor does a word searched as its correction
// (the correction is among the terms, as a variant).
func termWeight(terms []Term) (total, unknown float64) {
	for _, t := range terms {
		switch {
		case t.Expands != "":
		case t.DF == 0 && t.Correction != "":
		case t.DF == 0 && utf8.RuneCountInString(t.Text) > 2:
			unknown += t.IDF
			total += t.IDF
		default:
			total += t.IDF
		}
	}
	return total, unknown
}
