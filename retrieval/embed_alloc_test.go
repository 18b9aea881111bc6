package retrieval

import (
	"context"
	"math"
	"strconv"
	"testing"
)

// fixedEmbedder returns the same preallocated vectors on every call, so
// that what a test counts is the index's allocations, not the embedder's.
type fixedEmbedder struct{ vecs [][]float32 }

func (e fixedEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	return e.vecs[:len(texts)], nil
}

// TestEmbedChunksWritesOneMatrix: the embedded vectors are sanitised and
// normalised straight into one matrix, not copied one slice per vector
// (33 k vectors on hamshahri+farsnews, then copied once more into the
// matrix: two transient copies of the vectors during a cold build).
func TestEmbedChunksWritesOneMatrix(t *testing.T) {
	const n, dim = 1000, 64
	e := fixedEmbedder{vecs: make([][]float32, n)}
	for i := range e.vecs {
		e.vecs[i] = make([]float32, dim)
		e.vecs[i][i%dim] = float32(i + 1)
		e.vecs[i][(i+1)%dim] = float32(math.NaN())
	}
	chunks := make([]Chunk, n)
	todo := make([]int, n)
	for i := range chunks {
		chunks[i] = Chunk{ID: strconv.Itoa(i), Text: "متن " + strconv.Itoa(i)}
		todo[i] = i
	}
	ix := New(e, "fixed", Options{EmbedBatch: n, EmbedWorkers: 1})
	m, err := ix.embedChunks(context.Background(), chunks, todo)
	if err != nil {
		t.Fatal(err)
	}
	if m.dim != dim || len(m.data) != n*dim {
		t.Fatalf("matrix of %d×%d values, want %d×%d", len(m.data)/max(m.dim, 1), m.dim, n, dim)
	}
	for i := range n {
		row := m.row(i)
		if math.Abs(float64(row[i%dim])-1) > 1e-6 || row[(i+1)%dim] != 0 {
			t.Fatalf("row %d = %v: want the unit vector on %d, NaN zeroed", i, row, i%dim)
		}
	}
	allocs := testing.AllocsPerRun(3, func() {
		if _, err := ix.embedChunks(context.Background(), chunks, todo); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > n/10 {
		t.Errorf("%.0f allocations to embed %d chunks, want a few (one matrix)", allocs, n)
	}
}
