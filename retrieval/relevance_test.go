package retrieval

import (
	"testing"

	"github.com/khabar/khabar/persian"
)

// relevanceResult is a result for question whose terms all occur in the
// corpus, with passages of the given articles and scores.
func relevanceResult(question string, ps ...Passage) Result {
	res := Result{Question: question, Passages: ps}
	for _, t := range persian.Terms(question) {
		res.Terms = append(res.Terms, Term{Text: t, IDF: 2, DF: 3})
		res.QueryWeight += 2
	}
	return res
}

func TestScoreRelevance(t *testing.T) {
	answered := relevanceResult("قیمت دلار",
		Passage{Chunk: Chunk{ArticleID: "a"}, Score: 1, Lexical: 5, Dense: 0.4},
		Passage{Chunk: Chunk{ArticleID: "b"}, Score: 0.2})
	clone := func(r Result) Result {
		r.Passages = append([]Passage(nil), r.Passages...)
		r.Terms = append([]Term(nil), r.Terms...)
		return r
	}
	unknown := clone(answered)
	unknown.Terms = append(unknown.Terms, Term{Text: "توکیو", IDF: 5, DF: 0})
	typo := clone(answered)
	typo.Terms = append(typo.Terms, Term{Text: "دلاار", IDF: 5, DF: 0, Correction: "دلار"})
	for _, r := range []*Result{&answered, &unknown, &typo} {
		ScoreRelevance(r)
	}

	// The floor's threshold (answer.Floor) is 1.0.
	if answered.Relevance < 1 {
		t.Errorf("a clear match rates %v, under 1", answered.Relevance)
	}
	// 5/4 lexical + 0.4 dense + 0.4·(1−0.2)/1 gap.
	if want := 5.0/4 + 0.4 + 0.4*0.8; !near(answered.Relevance, want) {
		t.Errorf("result relevance %v, want %v", answered.Relevance, want)
	}
	if want := 5.0/4 + 0.4; !near(answered.Passages[0].Relevance, want) {
		t.Errorf("passage relevance %v, want %v", answered.Passages[0].Relevance, want)
	}
	if got := answered.Passages[1].Relevance; got != 0 {
		t.Errorf("a passage matching nothing rates %v", got)
	}
	if unknown.Relevance >= 1 || unknown.Relevance >= typo.Relevance {
		t.Errorf("a question about a word the corpus never uses rates %v (with a typo instead %v)", unknown.Relevance, typo.Relevance)
	}
	if unknown.Passages[0].Relevance >= typo.Passages[0].Relevance {
		t.Errorf("the unknown word does not discount the passage: %v, typo %v", unknown.Passages[0].Relevance, typo.Passages[0].Relevance)
	}

	// Another article's passage closer in meaning does not lift the
	// result: its relevance is the best passage's.
	closer := relevanceResult("قیمت دلار",
		Passage{Chunk: Chunk{ArticleID: "a"}, Score: 1, Lexical: 5, Dense: 0.1},
		Passage{Chunk: Chunk{ArticleID: "b"}, Score: 0.2, Dense: 0.9})
	ScoreRelevance(&closer)
	if want := 5.0/4 + 0.1 + 0.4*0.8; !near(closer.Relevance, want) {
		t.Errorf("with a closer passage of another article: result relevance %v, want %v", closer.Relevance, want)
	}

	empty := Result{Relevance: 3}
	ScoreRelevance(&empty)
	if empty.Relevance != 0 {
		t.Errorf("no passages: relevance %v", empty.Relevance)
	}
	noTerms := Result{Passages: []Passage{{Lexical: 3, Dense: 0.9, Relevance: 2}}}
	ScoreRelevance(&noTerms)
	if noTerms.Relevance != 0 || noTerms.Passages[0].Relevance != 0 {
		t.Errorf("no terms: relevance %v, passage %v", noTerms.Relevance, noTerms.Passages[0].Relevance)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
