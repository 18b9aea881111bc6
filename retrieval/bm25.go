package retrieval

import (
	"math"
	"sort"

	"github.com/khabar/khabar/persian"
)

// BM25Params are the Okapi BM25 constants.
type BM25Params struct {
	K1 float64 // term-frequency saturation; default 1.2
	B  float64 // length normalisation; default 0.75
}

func (p BM25Params) withDefaults() BM25Params {
	if p.K1 <= 0 {
		p.K1 = 1.2
	}
	if p.B < 0 || p.B > 1 {
		p.B = 0.75
	}
	return p
}

type posting struct {
	doc int32
	tf  float32
}

// bm25 is an in-memory inverted index over the lexical terms of the chunks
// (persian.Terms: canonical, stopwords removed, stemmed). It is immutable
// once built and safe for concurrent reads.
type bm25 struct {
	params   BM25Params
	postings map[string][]posting
	docLen   []float32
	avgLen   float64
}

// termsOf returns the term frequencies of one chunk's lexical text.
func termsOf(text string) (map[string]float32, int) {
	terms := persian.Terms(text)
	tf := make(map[string]float32, len(terms))
	for _, t := range terms {
		tf[t]++
	}
	return tf, len(terms)
}

func buildBM25(texts []string, params BM25Params) *bm25 {
	ix := &bm25{
		params:   params.withDefaults(),
		postings: make(map[string][]posting),
		docLen:   make([]float32, len(texts)),
	}
	var total float64
	for i, text := range texts {
		tf, n := termsOf(text)
		ix.docLen[i] = float32(n)
		total += float64(n)
		for t, f := range tf {
			ix.postings[t] = append(ix.postings[t], posting{doc: int32(i), tf: f})
		}
	}
	if len(texts) > 0 {
		ix.avgLen = total / float64(len(texts))
	}
	if ix.avgLen == 0 {
		ix.avgLen = 1
	}
	return ix
}

// idf is BM25's smoothed inverse document frequency, never negative.
func (ix *bm25) idf(term string) float64 {
	n := float64(len(ix.docLen))
	df := float64(len(ix.postings[term]))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// queryTerms returns the distinct lexical terms of q with their idf. Terms
// no chunk contains are kept: they score nothing but weigh in coverage.
func (ix *bm25) queryTerms(q string) (terms []string, idfs []float64) {
	seen := make(map[string]bool)
	for _, t := range persian.Terms(q) {
		if seen[t] {
			continue
		}
		seen[t] = true
		terms = append(terms, t)
		idfs = append(idfs, ix.idf(t))
	}
	return terms, idfs
}

// score adds the BM25 score of every chunk that contains a query term into
// scores (len = number of chunks) and returns it.
func (ix *bm25) score(terms []string, idfs []float64, scores []float32) []float32 {
	k1, b := ix.params.K1, ix.params.B
	for qi, t := range terms {
		idf := idfs[qi]
		for _, p := range ix.postings[t] {
			tf := float64(p.tf)
			norm := k1 * (1 - b + b*float64(ix.docLen[p.doc])/ix.avgLen)
			scores[p.doc] += float32(idf * tf * (k1 + 1) / (tf + norm))
		}
	}
	return scores
}

// has reports whether chunk doc contains term (postings are sorted by doc).
func (ix *bm25) has(term string, doc int32) bool {
	ps := ix.postings[term]
	i := sort.Search(len(ps), func(i int) bool { return ps[i].doc >= doc })
	return i < len(ps) && ps[i].doc == doc
}

// coverage is the share of the question's term weight found in chunk doc.
func (ix *bm25) coverage(terms []string, idfs []float64, doc int32, total float64) float64 {
	if total == 0 {
		return 0
	}
	var w float64
	for i, t := range terms {
		if ix.has(t, doc) {
			w += idfs[i]
		}
	}
	return w / total
}
