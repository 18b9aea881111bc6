package retrieval

import (
	"container/heap"

	"sort"

	"gonum.org/v1/gonum/blas/blas32"
)

// matrix holds n vectors of dim float32s in one contiguous slice, row i at
// data[i*dim:(i+1)*dim]. The query path scans it directly: chromem-go's own
// QueryEmbedding pays a channel send and a lock per document (~60 ms at
// 100k chunks here), a plain scan of one slice a fraction of that.
type matrix struct {
	dim  int
	data []float32
}

func (m *matrix) rows() int {
	if m.dim == 0 {
		return 0
	}
	return len(m.data) / m.dim
}

func (m *matrix) row(i int) []float32 { return m.data[i*m.dim : (i+1)*m.dim : (i+1)*m.dim] }

// dot is the inner product of two equal-length vectors, computed by
// gonum's assembly kernel (SSE on amd64): about twice as fast as a plain
// Go loop, which the query path, a scan of every vector, feels.
func dot(a, b []float32) float32 {
	return blas32.Dot(blas32.Vector{N: len(a), Inc: 1, Data: a}, blas32.Vector{N: len(a), Inc: 1, Data: b[:len(a)]})
}

type scored struct {
	doc   int32
	score float32
}

// minHeap keeps the best k scores seen so far, the worst on top.
type minHeap []scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].score < h[j].score }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topK keeps the k best of a stream of scores.
type topK struct {
	k int
	h minHeap
}

func newTopK(k int) *topK { return &topK{k: k, h: make(minHeap, 0, k)} }

func (t *topK) add(doc int32, score float32) {
	if len(t.h) < t.k {
		heap.Push(&t.h, scored{doc, score})
		return
	}
	if score > t.h[0].score {
		t.h[0] = scored{doc, score}
		heap.Fix(&t.h, 0)
	}
}

// sorted returns the kept scores, best first (ties by lower doc).
func (t *topK) sorted() []scored {
	out := append([]scored(nil), t.h...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].doc < out[j].doc
	})
	return out
}

// parallelMin is the number of rows below which a scan stays on one
// goroutine: the hand-off costs more than it saves.
const parallelMin = 20000

// similarities writes the dot product of q with every row into out
// (len = rows), one shard per CPU for large matrices.
func (m *matrix) similarities(q []float32, out []float32) {
	parallelRows(m.rows(), func(lo, hi int) { m.simRange(q, out, lo, hi) })
}

func (m *matrix) simRange(q []float32, out []float32, lo, hi int) {
	dim := m.dim
	for i := lo; i < hi; i++ {
		out[i] = dot(q, m.data[i*dim:(i+1)*dim])
	}
}
