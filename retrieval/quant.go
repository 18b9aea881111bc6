package retrieval

import (
	"math"
	"runtime"
	"sync"
)

// The dense scan of a large index reads every vector for every question:
// at a million chunks of 256 float32s that is 1 GB per query, which memory
// bandwidth, not arithmetic, bounds. The scan therefore runs over int8
// copies of the vectors (a quarter of the bytes), and the rerankRows best
// rows by that estimate get their exact float similarity from the float
// matrix (the vectors chromem-go stores). Every other row keeps its
// estimate, which is within about 1 % of the vector lengths (all 1) of the
// float one: article scores take the best similarity of any chunk, so the
// estimate still counts for articles outside the candidates.

// quantMin is the number of rows below which the float scan is used as it
// is: it is fast enough, and the int8 copy would only cost memory.
const quantMin = 20000

// rerankRows is how many of the best rows by the int8 estimate are scored
// again on the float vectors (BenchmarkQuantRecall measures what it keeps).
const rerankRows = 1000

// quantized holds the rows of a matrix as int8s, row i at
// data[i*dim:(i+1)*dim] with scale[i] such that row ≈ scale·data (symmetric,
// per-row: scale = max |x| / 127).
type quantized struct {
	dim   int
	data  []int8
	scale []float32
}

func (q *quantized) rows() int { return len(q.scale) }

// quantizeRow writes v as int8s into dst and returns its scale.
func quantizeRow(dst []int8, v []float32) float32 {
	var m float32
	for _, x := range v {
		m = max(m, float32(math.Abs(float64(x))))
	}
	if m == 0 {
		clear(dst)
		return 0
	}
	inv := 127 / m
	for i, x := range v {
		dst[i] = int8(math.Round(float64(x * inv)))
	}
	return m / 127
}

// quantize returns the int8 copy of m, built on every CPU.
func quantize(m matrix) quantized {
	n := m.rows()
	q := quantized{dim: m.dim, data: make([]int8, len(m.data)), scale: make([]float32, n)}
	parallelRows(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			q.scale[i] = quantizeRow(q.data[i*m.dim:(i+1)*m.dim], m.row(i))
		}
	})
	return q
}

// parallelRows calls f on one range of [0, n) per CPU (one range for small n).
func parallelRows(n int, f func(lo, hi int)) {
	shards := runtime.GOMAXPROCS(0)
	if n < parallelMin || shards < 2 {
		f(0, n)
		return
	}
	per := (n + shards - 1) / shards
	var wg sync.WaitGroup
	for s := range shards {
		lo, hi := s*per, min((s+1)*per, n)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

// similarities writes the estimated dot product of v (float) with every
// row into out (len = rows).
func (q *quantized) similarities(v []float32, out []float32) {
	qv := make([]int8, q.dim)
	qs := quantizeRow(qv, v)
	dim := q.dim
	parallelRows(q.rows(), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = float32(dotInt8(qv, q.data[i*dim:(i+1)*dim])) * qs * q.scale[i]
		}
	})
}

// dotInt8Go is the portable inner product of two equal-length int8
// vectors.
func dotInt8Go(a, b []int8) int32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += int32(a[i]) * int32(b[i])
		s1 += int32(a[i+1]) * int32(b[i+1])
		s2 += int32(a[i+2]) * int32(b[i+2])
		s3 += int32(a[i+3]) * int32(b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += int32(a[i]) * int32(b[i])
	}
	return s0 + s1 + s2 + s3
}

// denseScores writes the similarity of the question vector v with every
// chunk into out: the float scan for small indexes; for large ones the
// int8 estimate, with the rerankRows best rows scored again exactly.
func (st *state) denseScores(v []float32, out []float32) {
	if st.q8.rows() == 0 {
		st.vecs.similarities(v, out)
		return
	}
	st.q8.similarities(v, out)
	top := newTopK(rerankRows)
	for i, s := range out {
		if len(top.h) < rerankRows || s > top.h[0].score {
			top.add(int32(i), s)
		}
	}
	for _, c := range top.h {
		out[c.doc] = dot(v, st.vecs.row(int(c.doc)))
	}
}
