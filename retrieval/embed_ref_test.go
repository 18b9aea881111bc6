package retrieval

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/khabar/khabar/persian"
)

// embedReference is the local embedder as it was written first, one
// allocation per feature: the vectors Embed gives must stay these, bit
// for bit (a change of features bumps localVersion instead).
func embedReference(e *LocalEmbedder, text string) []float32 {
	acc := make([]float64, e.dim)
	add := func(h uint64, w float64) {
		if h&(1<<63) != 0 {
			w = -w
		}
		acc[h%uint64(e.dim)] += w
	}
	var bounds []int
	for _, tok := range persian.Tokens(text) {
		if !persian.IsStopword(tok) {
			add(fnv64a("t:"+persian.Stem(tok)), e.termWeight)
		}
		w := "<" + tok + ">"
		bounds = bounds[:0]
		for i := range w {
			bounds = append(bounds, i)
		}
		bounds = append(bounds, len(w))
		runes := len(bounds) - 1
		for n := e.minN; n <= e.maxN; n++ {
			for i := 0; i+n <= runes; i++ {
				add(fnv64a(w[bounds[i]:bounds[i+n]]), e.ngramWeight)
			}
		}
	}
	for i, x := range acc {
		if x < 0 {
			acc[i] = -math.Sqrt(-x)
		} else {
			acc[i] = math.Sqrt(x)
		}
	}
	var sum float64
	for _, x := range acc {
		sum += x * x
	}
	out := make([]float32, len(acc))
	if sum == 0 {
		return out
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range acc {
		out[i] = float32(x * inv)
	}
	return out
}

// embedTexts are texts for the embedder: Persian news, stopwords only,
// ZWNJ words, harakat, Latin, digits, invalid UTF-8, empty, long tokens.
var embedTexts = []string{
	"", " ", "و از به", "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟",
	"کتاب‌های تازه در نمایشگاه بین‌المللی عرضه می‌شود", "حتماً مُحَمَّد", "Khabar 1404 ۱۴۰۴ ١٤٠٤",
	"a\xffb c\xfe", "e\u0301 café \uFEFB", strings.Repeat("بلند", 40), "x",
}

// TestLocalEmbedderMatchesReference: Embed, which reuses its buffers
// and hashes slices of one, gives the reference vectors bit for bit, in
// any order and batch.
func TestLocalEmbedderMatchesReference(t *testing.T) {
	for _, dim := range []int{64, 256, 100} {
		e := NewLocalEmbedder(dim)
		texts := append(append([]string(nil), embedTexts...), embedTexts...)
		got, err := e.Embed(context.Background(), texts)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range texts {
			want := embedReference(e, s)
			for d := range want {
				if math.Float32bits(got[i][d]) != math.Float32bits(want[d]) {
					t.Fatalf("dim %d, %+q: value %d is %v, reference %v", dim, s, d, got[i][d], want[d])
				}
			}
		}
	}
}
