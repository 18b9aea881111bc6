package retrieval

import (
	"cmp"
	"math"
	"runtime"
	"slices"
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

// weighted is a term (by id) with a weight.
type weighted struct {
	term int32
	w    float32
}

// bm25 is an in-memory inverted index over the lexical terms of a set of
// texts (persian.Terms: canonical, stopwords removed, stemmed). It is
// immutable once built and safe for concurrent reads.
type bm25 struct {
	params   BM25Params
	ids      map[string]int32 // term → id
	postings [][]posting      // by term id, sorted by doc
	docLen   []float32
	avgLen   float64
	// signature holds, per text, its most characteristic terms by
	// (tf / length) · idf, for pseudo-relevance feedback; nil unless asked.
	signature [][]weighted
}

// termsOf returns the distinct terms of one text in order of first
// occurrence, their frequencies, and the text's length in terms. The order
// makes term ids, and so every tie broken by id, the same on every build.
func termsOf(text string) (order []string, tf map[string]float32, n int) {
	terms := persian.Terms(text)
	tf = make(map[string]float32, len(terms))
	for _, t := range terms {
		if tf[t] == 0 {
			order = append(order, t)
		}
		tf[t]++
	}
	return order, tf, len(terms)
}

// buildBM25 indexes texts. With signature > 0 it also keeps that many
// characteristic terms per text.
func buildBM25(texts []string, params BM25Params, signature int) *bm25 {
	return buildBM25Func(len(texts), func(i int) string { return texts[i] }, params, signature)
}

// buildBM25Func indexes the texts text(0) … text(count-1), asking for each
// once, on GOMAXPROCS goroutines (text must be safe for concurrent use): a
// caller that builds them on demand holds a few at a time.
func buildBM25Func(count int, text func(int) string, params BM25Params, signature int) *bm25 {
	return buildBM25Parts(count, func(dst []string, i int) []string { return append(dst, text(i)) }, params, signature)
}

// buildBM25Parts is buildBM25Func of texts given in pieces: text i is the
// pieces parts appends to dst, joined (parts must be safe for concurrent
// use). The pieces are folded into a buffer, not joined first.
func buildBM25Parts(count int, parts func(dst []string, i int) []string, params BM25Params, signature int) *bm25 {
	ix, _ := buildBM25Par(count, runtime.GOMAXPROCS(0), func() analyzer {
		var (
			sc    persian.Scratch
			texts []string
		)
		return func(i int, dst []string) ([]string, error) {
			texts = parts(texts[:0], i)
			return sc.AppendTerms(dst, texts...), nil
		}
	}, params, signature)
	return ix
}

// characteristic returns the n terms of one text with the highest
// (tf / length) · idf, ties to the lower term id; buf, when not nil, is
// scratch space kept between calls.
func (ix *bm25) characteristic(terms []posting, length float32, n int, buf *[]weighted) []weighted {
	if length == 0 {
		return nil
	}
	var ws []weighted
	if buf != nil {
		ws = (*buf)[:0]
	}
	for _, t := range terms {
		ws = append(ws, weighted{term: t.doc, w: t.tf / length * float32(ix.idfOf(t.doc))})
	}
	if buf != nil {
		*buf = ws
	}
	// A total order (term ids are distinct, weights finite): any sort
	// gives the same terms in the same order.
	slices.SortFunc(ws, func(a, b weighted) int {
		switch {
		case a.w != b.w:
			return cmp.Compare(b.w, a.w)
		default:
			return cmp.Compare(a.term, b.term)
		}
	})
	return append([]weighted(nil), ws[:min(n, len(ws))]...)
}

// idf is BM25's smoothed inverse document frequency, never negative.
func (ix *bm25) idf(term string) float64 {
	id, ok := ix.ids[term]
	if !ok {
		return ix.idfDF(0)
	}
	return ix.idfOf(id)
}

// df is the number of texts that contain term.
func (ix *bm25) df(term string) int {
	if id, ok := ix.ids[term]; ok {
		return len(ix.postings[id])
	}
	return 0
}

func (ix *bm25) idfOf(id int32) float64 { return ix.idfDF(len(ix.postings[id])) }

func (ix *bm25) idfDF(df int) float64 {
	n := float64(len(ix.docLen))
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// queryTerms returns the distinct lexical terms of q with their idf. Terms
// no text contains are kept: they score nothing but weigh in coverage.
func (ix *bm25) queryTerms(q string) (terms []string, idfs []float64) {
	seen := make(map[string]bool)
	for _, t := range persian.Terms(q) {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
			idfs = append(idfs, ix.idf(t))
		}
	}
	return terms, idfs
}

// score adds, for every text that contains a term, weight · BM25 into
// scores (len = number of texts). weights are the terms' idf for a plain
// query.
func (ix *bm25) score(terms []string, weights []float64, scores []float32) {
	for qi, t := range terms {
		if id, ok := ix.ids[t]; ok {
			ix.scoreID(id, weights[qi], scores)
		}
	}
}

func (ix *bm25) scoreID(id int32, weight float64, scores []float32) {
	k1, b := ix.params.K1, ix.params.B
	for _, p := range ix.postings[id] {
		tf := float64(p.tf)
		norm := k1 * (1 - b + b*float64(ix.docLen[p.doc])/ix.avgLen)
		scores[p.doc] += float32(weight * tf * (k1 + 1) / (tf + norm))
	}
}

// has reports whether text doc contains term (postings are sorted by doc).
func (ix *bm25) has(term string, doc int32) bool {
	id, ok := ix.ids[term]
	if !ok {
		return false
	}
	ps := ix.postings[id]
	i := sort.Search(len(ps), func(i int) bool { return ps[i].doc >= doc })
	return i < len(ps) && ps[i].doc == doc
}

// coverage is the share of the question's term weight found in text doc.
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

// persianLetters are the letters a typo may have dropped, swapped in or
// replaced (canonical form: no Arabic variants).
var persianLetters = []rune("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئ")

// minTypoRunes is the shortest unknown word worth correcting: shorter ones
// have too many neighbours.
const minTypoRunes = 4

// correction returns the known term one edit (a deletion, insertion,
// substitution or swap of neighbours) away from an unknown term t, the one
// most texts contain, or "" when t is known, short, or has none.
func (ix *bm25) correction(t string) string { return correctionIn(ix, t) }

// spokenEndings are endings of spoken Persian that a question adds to a
// word the corpus knows: «رنگیه» (رنگ), «اسمشون» (اسم), «ایرانه» (ایران).
var spokenEndings = []string{"یه", "شون", "شو", "مون", "تون", "ه", "ن", "ش", "ای", "ی"}

// variant returns the known term that an unknown term t most likely
// stands for: t without a spoken ending, or its correction (see
// [bm25.correction]); "" when t is known or has none.
func (ix *bm25) variant(t string) string { return variantIn(ix, t) }

// variantWeight discounts a variant against the word the user wrote.
const variantWeight = 0.8

// withVariants replaces every unknown term of the question that has a
// variant (see [bm25.variant]) with that variant, at a discount.
func (ix *bm25) withVariants(terms []string, idfs []float64) ([]string, []float64) {
	for i, t := range terms {
		if v := ix.variant(t); v != "" {
			terms[i] = v
			idfs[i] = variantWeight * ix.idf(v)
		}
	}
	return terms, idfs
}
