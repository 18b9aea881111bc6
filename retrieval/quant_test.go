package retrieval

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestDotInt8(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{0, 1, 7, 31, 32, 33, 64, 100, 256, 257, 1536} {
		a, b := make([]int8, n), make([]int8, n)
		for i := range a {
			a[i], b[i] = int8(r.IntN(255)-127), int8(r.IntN(255)-127)
		}
		if n > 2 {
			a[0], b[0], a[n-1], b[n-1] = 127, -127, -127, -127
		}
		var want int32
		for i := range a {
			want += int32(a[i]) * int32(b[i])
		}
		if got := dotInt8(a, b); got != want {
			t.Errorf("n=%d: dotInt8 = %d, want %d", n, got, want)
		}
		if got := dotInt8Go(a, b); got != want {
			t.Errorf("n=%d: dotInt8Go = %d, want %d", n, got, want)
		}
	}
}

// clustered returns n unit vectors of dim dimensions around a few hundred
// centres, so that a query has near neighbours and many rivals.
func clustered(r *rand.Rand, n, dim int) matrix {
	centres := make([][]float32, 300)
	for c := range centres {
		centres[c] = make([]float32, dim)
		for i := range centres[c] {
			centres[c][i] = float32(r.NormFloat64())
		}
	}
	m := matrix{dim: dim, data: make([]float32, n*dim)}
	for row := range n {
		c := centres[r.IntN(len(centres))]
		v := m.row(row)
		for i := range v {
			v[i] = c[i] + 0.8*float32(r.NormFloat64())
		}
		normalizeInPlace(v)
	}
	return m
}

func TestQuantizedEstimate(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	m := clustered(r, 2000, 256)
	q := quantize(m)
	v := slices.Clone(m.row(5))
	want, got := make([]float32, m.rows()), make([]float32, m.rows())
	m.similarities(v, want)
	q.similarities(v, got)
	var worst float64
	for i := range want {
		worst = max(worst, math.Abs(float64(got[i]-want[i])))
	}
	if worst > 0.02 {
		t.Fatalf("int8 estimate off by up to %.4f from the float similarity, want ≤ 0.02", worst)
	}
	zero := make([]int8, 4)
	if s := quantizeRow(zero, make([]float32, 4)); s != 0 || slices.ContainsFunc(zero, func(x int8) bool { return x != 0 }) {
		t.Fatalf("zero vector: scale %v, %v", s, zero)
	}
}

// TestDenseScoresRecall checks the quantised scan on an index past
// quantMin: the ten best chunks are those of the float scan, with their
// float similarities, and every other chunk's estimate is close.
func TestDenseScoresRecall(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	m := clustered(r, quantMin+500, 64)
	st := &state{vecs: m, q8: quantize(m)}
	exact, got := make([]float32, m.rows()), make([]float32, m.rows())
	for trial := range 20 {
		v := slices.Clone(m.row(r.IntN(m.rows())))
		for i := range v {
			v[i] += 0.3 * float32(r.NormFloat64())
		}
		normalizeInPlace(v)
		m.similarities(v, exact)
		st.denseScores(v, got)
		want := best(exact, 10)
		have := best(got, 10)
		if !slices.Equal(have, want) {
			t.Fatalf("trial %d: best rows %v, float scan %v", trial, have, want)
		}
		for _, row := range want {
			if got[row] != exact[row] {
				t.Fatalf("trial %d: row %d scored %v, float %v", trial, row, got[row], exact[row])
			}
		}
		for i := range got {
			if math.Abs(float64(got[i]-exact[i])) > 0.02 {
				t.Fatalf("trial %d: row %d estimate %v, float %v", trial, i, got[i], exact[i])
			}
		}
	}
}

func best(scores []float32, k int) []int32 {
	top := newTopK(k)
	for i, s := range scores {
		top.add(int32(i), s)
	}
	var out []int32
	for _, s := range top.sorted() {
		out = append(out, s.doc)
	}
	return out
}
