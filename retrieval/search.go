package retrieval

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/khabar/khabar/persian"
)

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
	// From and To, when set, keep only chunks dated within [From, To]
	// (calendar dates, inclusive). Undated chunks are then excluded.
	From, To time.Time
}

// Passage is a chunk found for a query, with the signals that ranked it.
type Passage struct {
	Chunk
	// Score is the fused rank score: higher is better; only the order is
	// meaningful.
	Score float64
	// Dense is the cosine similarity of the question and the chunk.
	Dense float64
	// Lexical is the chunk's BM25 score for the question.
	Lexical float64
	// Coverage is the share of the question's term weight (idf) that
	// occurs in the chunk, from 0 to 1.
	Coverage float64
	// DenseRank and LexicalRank are 1-based ranks in each list; 0 when
	// the chunk was not among that list's candidates.
	DenseRank, LexicalRank int
}

// Result holds the passages found for a query, best first.
type Result struct {
	Passages []Passage
	// QueryWeight is the total idf of the question's distinct terms; words
	// the corpus lacks weigh the most. 0 means the question has no terms.
	QueryWeight float64
	// Terms are the question's distinct lexical terms with their weight.
	Terms []Term
	// Degraded is set when the question could not be embedded and only the
	// lexical ranking was used.
	Degraded error
}

// Term is a lexical term of a question (canonical, stemmed) and its idf in
// the index.
type Term struct {
	Text string
	IDF  float64
}

// rrfK is the rank constant of reciprocal rank fusion.
const rrfK = 60

var scoresPool = sync.Pool{New: func() any { return new([]float32) }}

// Search finds the passages that best match q: the dense (vector) and
// lexical (BM25) rankings fused by reciprocal rank, at most q.PerArticle
// passages per article. An empty index or an empty question finds nothing,
// without an error.
func (ix *Index) Search(ctx context.Context, q Query) (Result, error) {
	st := ix.cur.Load()
	n := len(st.chunks)
	if n == 0 || persian.Canonical(q.Text) == "" {
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
	k = min(k, n)
	depth := min(n, max(200, 4*k*per))
	keep := dateFilter(st.chunks, q.From, q.To)

	var res Result
	terms, idfs := st.lex.queryTerms(q.Text)
	for i, w := range idfs {
		res.QueryWeight += w
		res.Terms = append(res.Terms, Term{Text: terms[i], IDF: w})
	}
	lexical := st.lexicalTop(terms, idfs, depth, keep)

	var dense []scored
	var qv []float32
	if st.vecs.dim > 0 {
		v, err := ix.embedQuery(ctx, q.Text)
		if err != nil {
			if ctx.Err() != nil {
				return Result{}, ctx.Err()
			}
			res.Degraded = err
		} else if len(v) == st.vecs.dim {
			qv = v
			dense = st.vecs.nearest(qv, depth, keep)
		} else {
			res.Degraded = fmt.Errorf("%w: question vector has %d dimensions, index %d", ErrEmbedding, len(v), st.vecs.dim)
		}
	}

	fused := make(map[int32]*Passage, len(dense)+len(lexical))
	get := func(doc int32) *Passage {
		p, ok := fused[doc]
		if !ok {
			p = &Passage{Chunk: st.chunks[doc]}
			fused[doc] = p
		}
		return p
	}
	for r, s := range dense {
		p := get(s.doc)
		p.Dense = float64(s.score)
		p.DenseRank = r + 1
		p.Score += 1.0 / float64(rrfK+r+1)
	}
	for r, s := range lexical {
		p := get(s.doc)
		p.Lexical = float64(s.score)
		p.LexicalRank = r + 1
		p.Score += 1.0 / float64(rrfK+r+1)
	}
	order := make([]int32, 0, len(fused))
	for doc := range fused {
		order = append(order, doc)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := fused[order[i]], fused[order[j]]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return order[i] < order[j]
	})

	taken := make(map[string]int)
	for _, doc := range order {
		p := fused[doc]
		if taken[p.ArticleID] >= per {
			continue
		}
		taken[p.ArticleID]++
		if p.DenseRank == 0 && qv != nil {
			// Not among the dense candidates: still report its similarity.
			p.Dense = float64(dot(qv, st.vecs.row(int(doc))))
		}
		p.Coverage = st.lex.coverage(terms, idfs, doc, res.QueryWeight)
		res.Passages = append(res.Passages, *p)
		if len(res.Passages) == k {
			break
		}
	}
	return res, nil
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

// lexicalTop returns the depth best chunks by BM25, best first; chunks
// that share no term with the question are not candidates.
func (st *state) lexicalTop(terms []string, idfs []float64, depth int, keep func(int) bool) []scored {
	if len(terms) == 0 {
		return nil
	}
	buf := scoresPool.Get().(*[]float32)
	defer scoresPool.Put(buf)
	n := len(st.chunks)
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	scores := (*buf)[:n]
	clear(scores)
	st.lex.score(terms, idfs, scores)
	top := newTopK(depth)
	for i, s := range scores {
		if s > 0 && (keep == nil || keep(i)) {
			if len(top.h) < depth || s > top.h[0].score {
				top.add(int32(i), s)
			}
		}
	}
	return top.sorted()
}

// dateFilter keeps chunks dated within [from, to]; nil keeps everything.
func dateFilter(chunks []Chunk, from, to time.Time) func(int) bool {
	if from.IsZero() && to.IsZero() {
		return nil
	}
	return func(i int) bool {
		d := chunks[i].Date
		if d.IsZero() {
			return false
		}
		if !from.IsZero() && d.Before(dateOnly(from)) {
			return false
		}
		if !to.IsZero() && d.After(dateOnly(to)) {
			return false
		}
		return true
	}
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
