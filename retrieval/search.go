package retrieval

import (
	"context"
	"fmt"
	"runtime"

	"slices"
	"sort"
	"sync"
	"time"

	"github.com/khabar/khabar/persian"
)

// Ranking tunes how articles and passages are scored. Zero values mean the
// defaults, which the evaluation chose (docs/retrieval.md); a negative
// weight turns its signal off.
type Ranking struct {
	// Article is BM25 over whole articles (title + text); default k1 2.0,
	// b 0.75.
	Article BM25Params
	// Passage is BM25 over chunks, which picks passages within an article
	// and measures coverage; default k1 1.2, b 0.75.
	Passage BM25Params
	// Title is BM25 over titles; default k1 1.2, b 0.5.
	Title BM25Params
	// DenseWeight weighs the best cosine similarity of an article's chunks;
	// default 0.5.
	DenseWeight float64
	// TitleWeight weighs the title match; default 0.1.
	TitleWeight float64
	// FeedbackDocs, FeedbackTerms and FeedbackWeight configure pseudo-
	// relevance feedback: the FeedbackTerms most characteristic terms of the
	// FeedbackDocs best articles expand the question, weighted by
	// FeedbackWeight; defaults 10, 30 and 0.7.
	FeedbackDocs   int
	FeedbackTerms  int
	FeedbackWeight float64
}

func (r Ranking) withDefaults() Ranking {
	if r.Article == (BM25Params{}) {
		r.Article = BM25Params{K1: 2.0, B: 0.75}
	}
	if r.Passage == (BM25Params{}) {
		r.Passage = BM25Params{K1: 1.2, B: 0.75}
	}
	if r.Title == (BM25Params{}) {
		r.Title = BM25Params{K1: 1.2, B: 0.5}
	}
	def := func(x *float64, d float64) {
		switch {
		case *x == 0:
			*x = d
		case *x < 0:
			*x = 0
		}
	}
	def(&r.DenseWeight, 0.5)
	def(&r.TitleWeight, 0.1)
	def(&r.FeedbackWeight, 0.7)
	if r.FeedbackDocs <= 0 {
		r.FeedbackDocs = 10
	}
	if r.FeedbackTerms <= 0 {
		r.FeedbackTerms = 30
	}
	return r
}

// Query is a search request.
type Query struct {
	// Text is the question.
	Text string
	// K is the number of passages wanted (default 5); it is clamped to
	// what the index holds.
	K int
	// PerArticle caps the passages taken from one article (default 2), so
	// that answers draw on several articles.
	PerArticle int
	// From and To, when set, keep only articles dated within [From, To]
	// (calendar dates, inclusive). Undated articles are then excluded.
	From, To time.Time
}

// Passage is a chunk found for a query, with the signals that ranked it.
type Passage struct {
	Chunk
	// Score ranks the passage's article (fused: article BM25, dense
	// similarity, title, feedback); higher is better, only the order is
	// meaningful.
	Score float64
	// Dense is the cosine similarity of the question and the chunk.
	Dense float64
	// Lexical is the chunk's BM25 score for the question.
	Lexical float64
	// Coverage is the share of the question's term weight (idf) that
	// occurs in the chunk, from 0 to 1.
	Coverage float64
	// Relevance rates how well the passage alone answers the question
	// (see [ScoreRelevance]).
	Relevance float64
	// Before is the last sentence of the article before the chunk ("" for
	// its first chunk), and BeforeStart its byte offset in the article: a
	// chunk that opens with «او …» or «این برنامه …» refers back to it.
	// Only the first ten passages of a result carry it.
	Before      string
	BeforeStart int
}

// Result holds the passages found for a query, best first.
type Result struct {
	// Question is the question as searched.
	Question string
	Passages []Passage
	// QueryWeight is the total idf of the terms searched: the question's
	// distinct terms, or their variants for words the corpus never uses
	// (the unexplained ones weigh the most). 0 means no terms.
	QueryWeight float64
	// Terms are the question's distinct lexical terms with their weight.
	Terms []Term
	// RareIDF is the idf of a word only one passage of the index uses:
	// the most a known term can weigh, against which a term's rarity is
	// measured.
	RareIDF float64
	// Degraded is set when the question could not be embedded and only the
	// lexical ranking was used.
	Degraded error
	// Relevance rates how likely the passages are to answer the question
	// (see [ScoreRelevance]); the answer's relevance floor compares it
	// with its threshold.
	Relevance float64
}

// Term is a lexical term of a question (canonical, stemmed), its idf over
// chunks and the number of chunks that contain it (0: the corpus never
// uses the word).
type Term struct {
	Text string
	IDF  float64
	DF   int
	// Correction is, for a word the corpus never uses, the known word it
	// most likely stands for (a typing error, a spoken ending), or "".
	Correction string
	// Variant marks the correction of another term, searched in its place.
	Variant bool
	// Expands is, for a synonym from the news lexicon searched beside a
	// question term («نرخ» for «قیمت»), that question term; its IDF is
	// already discounted by Weight, the synonym's share of the term's
	// credit. "" for the question's own terms.
	Expands string
	Weight  float64
}

var floatPool = sync.Pool{New: func() any { return new([]float32) }}

// scratch returns a zeroed []float32 of length n from the pool; put it back
// with release.
func scratch(n int) *[]float32 {
	buf := floatPool.Get().(*[]float32)
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	*buf = (*buf)[:n]
	clear(*buf)
	return buf
}

func release(buf *[]float32) { floatPool.Put(buf) }

// Search finds the passages that best answer q. Articles are ranked by a
// fusion of BM25 over whole articles, the best dense similarity of their
// chunks, a title match, and pseudo-relevance feedback; within each of the
// best articles the passages that match best are taken, at most
// q.PerArticle each. An empty index or an empty question finds nothing,
// without an error.
func (ix *Index) Search(ctx context.Context, q Query) (Result, error) {
	st := ix.cur.Load()
	// The chunks' strings and the vectors may be views of st's snapshot
	// mapping, which only st keeps mapped: st stays reachable until the
	// last of them is read (mapfile.go).
	defer runtime.KeepAlive(st)
	if len(st.chunks) == 0 || persian.Canonical(q.Text) == "" {
		return Result{}, nil
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	k := q.K
	if k <= 0 {
		k = 5
	}
	per := q.PerArticle
	if per <= 0 {
		per = 2
	}
	k = min(k, len(st.chunks))
	rk := ix.opts.Ranking

	res := Result{Question: q.Text, RareIDF: st.lex.idfDF(1)}
	// Spoken words are searched as the written forms articles use.
	text := persian.Written(q.Text)
	if text == "" {
		return Result{}, nil
	}
	terms, idfs := st.lex.queryTerms(text)
	// News synonyms of the question's terms, at a discount; a word the
	// corpus never uses is searched as its synonyms when it has some
	// («میخرد» as «خرید»), else as its spelling variant.
	exp := vocabExpansions(st.lex, terms, idfs)
	stands := map[string]bool{}
	for _, e := range exp {
		stands[e.Expands] = true
	}
	asked := make(map[string]bool, len(terms))
	for i, t := range terms {
		asked[t] = true
		tm := Term{Text: t, IDF: idfs[i], DF: st.lex.df(t)}
		if tm.DF == 0 && !stands[t] {
			// A word the corpus never uses is searched as its variant.
			if v := st.lex.variant(t); v != "" {
				tm.Correction = v
				terms[i], idfs[i] = v, variantWeight*st.lex.idf(v)
			}
		}
		res.Terms = append(res.Terms, tm)
	}
	terms, idfs = dedupe(terms, idfs)
	for i, t := range terms {
		res.QueryWeight += idfs[i]
		if !asked[t] {
			res.Terms = append(res.Terms, Term{Text: t, IDF: idfs[i], DF: st.lex.df(t), Variant: true})
		}
	}
	res.Terms = append(res.Terms, exp...)
	asKnown := len(terms) // the terms coverage is measured on
	for _, e := range exp {
		terms = append(terms, e.Text)
		idfs = append(idfs, e.IDF)
	}

	// Per-chunk signals: passage BM25 and dense similarity.
	chunkLex := scratch(len(st.chunks))
	defer release(chunkLex)
	st.lex.score(terms, idfs, *chunkLex)
	var dense *[]float32
	if st.vecs.dim > 0 && rk.DenseWeight > 0 {
		qv, err := ix.embedQuery(ctx, text)
		switch {
		case err != nil && ctx.Err() != nil:
			return Result{}, ctx.Err()
		case err != nil:
			res.Degraded = err
		case len(qv) != st.vecs.dim:
			res.Degraded = fmt.Errorf("%w: question vector has %d dimensions, index %d", ErrEmbedding, len(qv), st.vecs.dim)
		default:
			dense = scratch(len(st.chunks))
			defer release(dense)
			st.denseScores(qv, *dense)
		}
	}

	// The question's terms over whole articles, once for the ranking and
	// the feedback.
	dterms, didfs := st.docLex.queryTerms(text)
	scores := st.articleScores(dterms, didfs, rk, dense)
	defer release(scores)
	if rk.FeedbackWeight > 0 {
		st.feedback(dterms, rk, *scores)
	}

	// Best articles, then their best passages.
	keep := st.articleFilter(q.From, q.To)
	if keep != nil {
		st.preferRecent(*scores, q.From, q.To)
	}
	top := newTopK(k)
	for a, s := range *scores {
		if s > 0 && (keep == nil || keep(a)) {
			if len(top.h) < k || s > top.h[0].score {
				top.add(int32(a), s)
			}
		}
	}
	maxLex := float32(1e-9)
	for _, x := range *chunkLex {
		maxLex = max(maxLex, x)
	}
	for _, art := range top.sorted() {
		for _, row := range st.bestChunks(art.doc, per, *chunkLex, maxLex, dense, rk.DenseWeight) {
			// Cloned: the chunk may be a view of the snapshot's mapping,
			// which must not outlive the state (mapfile.go).
			p := Passage{Chunk: cloneChunk(st.chunks[row]), Score: float64(art.score), Lexical: float64((*chunkLex)[row])}
			if dense != nil {
				p.Dense = float64((*dense)[row])
			}
			p.Coverage = st.lex.coverage(terms[:asKnown], idfs[:asKnown], row, res.QueryWeight)
			if row > st.artStart[art.doc] && len(res.Passages) < beforeLimit {
				prev := st.chunks[row-1]
				p.Before, p.BeforeStart = sentenceBefore(prev, p.Start)
				p.Before = cloneString(p.Before) // the chunk's text may be a view of the mapped snapshot
			}
			res.Passages = append(res.Passages, p)
			if len(res.Passages) == k {
				ScoreRelevance(&res)
				return res, nil
			}
		}
	}
	ScoreRelevance(&res)
	return res, nil
}

// beforeLimit bounds the passages that carry the sentence before them
// (answers quote from the first few; a long ranking need not pay for it).
const beforeLimit = 10

// dedupe keeps the first of repeated terms (a variant may equal a word the
// question already has).
func dedupe(terms []string, weights []float64) ([]string, []float64) {
	seen := make(map[string]bool, len(terms))
	outT, outW := terms[:0], weights[:0]
	for i, t := range terms {
		if !seen[t] {
			seen[t] = true
			outT = append(outT, t)
			outW = append(outW, weights[i])
		}
	}
	return outT, outW
}

// articleScores fuses, per article: BM25 over the article for the
// question's terms (unknown ones searched as their variants), normalised by
// the best, the best dense similarity of its chunks, and the title match.
// The caller releases the result.
func (st *state) articleScores(terms []string, idfs []float64, rk Ranking, dense *[]float32) *[]float32 {
	n := st.articles
	doc := scratch(n)
	dterms, didfs := dedupe(st.docLex.withVariants(slices.Clone(terms), slices.Clone(idfs)))
	st.docLex.score(dterms, didfs, *doc)
	title := scratch(n)
	defer release(title)
	if rk.TitleWeight > 0 {
		st.titleLex.score(dterms, didfs, *title)
	}
	dmax, tmax := maxOf(*doc), maxOf(*title)
	out := *doc
	for a := range out {
		s := float64(out[a]) / dmax
		if t := (*title)[a]; t > 0 {
			s += rk.TitleWeight * float64(t) / tmax
		}
		if dense != nil {
			best := float32(-1)
			for _, v := range (*dense)[st.artStart[a]:st.artStart[a+1]] {
				best = max(best, v)
			}
			if best > 0 {
				s += rk.DenseWeight * float64(best)
			}
		}
		out[a] = float32(s)
	}
	return doc
}

func maxOf(xs []float32) float64 {
	m := float32(1e-9)
	for _, x := range xs {
		m = max(m, x)
	}
	return float64(m)
}

// feedback expands the question with the terms that characterise the
// best-scored articles (pseudo-relevance feedback, from each article's
// precomputed signature) and adds the expansion's normalised BM25 score to
// scores.
func (st *state) feedback(qterms []string, rk Ranking, scores []float32) {
	top := newTopK(rk.FeedbackDocs)
	for a, s := range scores {
		if s > 0 {
			top.add(int32(a), s)
		}
	}
	best := top.sorted()
	if len(best) == 0 {
		return
	}
	lex := st.docLex
	inQuestion := make(map[int32]bool, len(qterms))
	for _, t := range qterms {
		if id, ok := lex.ids[t]; ok {
			inQuestion[id] = true
		}
	}
	weight := map[int32]float64{}
	for rank, art := range best {
		for _, t := range lex.signature[art.doc] {
			if !inQuestion[t.term] {
				weight[t.term] += float64(t.w) / float64(rank+1)
			}
		}
	}
	exp := make([]weighted, 0, len(weight))
	for t, w := range weight {
		exp = append(exp, weighted{t, float32(w)})
	}
	sort.Slice(exp, func(i, j int) bool {
		if exp[i].w != exp[j].w {
			return exp[i].w > exp[j].w
		}
		return exp[i].term < exp[j].term
	})
	exp = exp[:min(len(exp), rk.FeedbackTerms)]
	var sum float64
	for _, x := range exp {
		sum += float64(x.w)
	}
	if sum == 0 {
		return
	}
	es := scratch(len(scores))
	defer release(es)
	for _, x := range exp {
		lex.scoreID(x.term, lex.idfOf(x.term)*float64(x.w)/sum, *es)
	}
	emax := maxOf(*es)
	for a, e := range *es {
		if e > 0 && scores[a] > 0 {
			scores[a] += float32(rk.FeedbackWeight * float64(e) / emax)
		}
	}
}

// bestChunks returns up to per rows of article art, best first by passage
// BM25 (normalised) plus weighted dense similarity. After the first, only
// chunks that share a term with the question are taken.
func (st *state) bestChunks(art int32, per int, lex []float32, maxLex float32, dense *[]float32, wDense float64) []int32 {
	lo, hi := st.artStart[art], st.artStart[art+1]
	type cand struct {
		row   int32
		score float64
	}
	cands := make([]cand, 0, hi-lo)
	for row := lo; row < hi; row++ {
		s := float64(lex[row] / maxLex)
		if dense != nil {
			s += wDense * float64((*dense)[row])
		}
		cands = append(cands, cand{row, s})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var out []int32
	for i, c := range cands {
		if len(out) == per || (i > 0 && lex[c.row] == 0) {
			break
		}
		out = append(out, c.row)
	}
	return out
}

func (ix *Index) embedQuery(ctx context.Context, text string) ([]float32, error) {
	vs, err := ix.embed.Embed(ctx, []string{text})
	if err != nil {
		return nil, fmt.Errorf("%w: question: %w", ErrEmbedding, err)
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("%w: got %d vectors for the question", ErrEmbedding, len(vs))
	}
	v := sanitize(vs[0])
	normalizeInPlace(v)
	return v, nil
}

// recencyWeight is the most a date-limited search adds for recency: enough
// to order near-ties newest first, not to outweigh a better match.
const recencyWeight = 0.01

// preferRecent adds to each scored article a bonus that grows with its
// date within [from, to] (open ends: the index's dates).
func (st *state) preferRecent(scores []float32, from, to time.Time) {
	var first, last time.Time
	for a := range st.articles {
		d := st.chunks[st.artStart[a]].Date
		if d.IsZero() {
			continue
		}
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if d.After(last) {
			last = d
		}
	}
	if !from.IsZero() {
		first = dateOnly(from)
	}
	if !to.IsZero() {
		last = dateOnly(to)
	}
	span := last.Sub(first).Hours() + 24
	for a, s := range scores {
		d := st.chunks[st.artStart[a]].Date
		if s > 0 && !d.IsZero() {
			scores[a] += float32(recencyWeight * d.Sub(first).Hours() / span)
		}
	}
}

// articleFilter keeps articles dated within [from, to]; nil keeps all.
func (st *state) articleFilter(from, to time.Time) func(int) bool {
	if from.IsZero() && to.IsZero() {
		return nil
	}
	from, to = dateOnly(from), dateOnly(to)
	return func(a int) bool {
		d := st.chunks[st.artStart[a]].Date
		if d.IsZero() {
			return false
		}
		return (from.IsZero() || !d.Before(from)) && (to.IsZero() || !d.After(to))
	}
}

func dateOnly(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// sentenceBefore returns the last sentence of chunk prev that starts
// before offset start of the article, and its offset: with chunks that
// overlap, prev's last sentence is also the first of the next chunk, and
// the one before it is what that chunk refers back to («او افزود …»).
func sentenceBefore(prev Chunk, start int) (string, int) {
	spans := persian.Sentences(prev.Text)
	for i := len(spans) - 1; i >= 0; i-- {
		if at := prev.Start + spans[i].Start; at < start {
			return spans[i].Text, at
		}
	}
	return "", 0
}
