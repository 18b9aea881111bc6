package retrieval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
)

// Embedder turns a batch of texts into vectors, one per text, in order.
// The local embedder and the OpenAI embedder both satisfy it; the index
// L2-normalises whatever it gets.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// LocalEmbedder is the default, offline embedder: a deterministic
// hashed bag of features (canonical, stemmed terms and character n-grams
// of the canonical tokens), with signed hashing, a signed square root per
// dimension and L2 normalisation. It needs no model, no download and no network.
type LocalEmbedder struct {
	dim         int
	minN, maxN  int
	termWeight  float64
	ngramWeight float64
}

// localVersion changes whenever the features change, so that an index
// built by an older local embedder is rebuilt.
const localVersion = 3

// NewLocalEmbedder returns a local embedder producing vectors of dim
// dimensions (default 256 when dim <= 0).
func NewLocalEmbedder(dim int) *LocalEmbedder {
	if dim <= 0 {
		dim = 256
	}
	return &LocalEmbedder{dim: dim, minN: 3, maxN: 4, termWeight: 1, ngramWeight: 0.6}
}

// Identity names the embedder and everything that shapes its vectors; it is
// stored with the index, and a change rebuilds it.
func (e *LocalEmbedder) Identity() string {
	return fmt.Sprintf("local/v%d/dim=%d/ngram=%d-%d/w=%.2f", localVersion, e.dim, e.minN, e.maxN, e.ngramWeight)
}

// Dim is the length of the vectors e produces.
func (e *LocalEmbedder) Dim() int { return e.dim }

// Embed embeds every text. It never fails except on a cancelled context.
func (e *LocalEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var sc embedScratch
	for i, t := range texts {
		if i%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = make([]float32, e.dim)
		e.embedTokens(out[i], persian.TokenTerms(t), &sc)
	}
	return out, nil
}

// embedScratch is the buffers one embedding goroutine reuses.
type embedScratch struct {
	acc    []float64
	w      []byte   // «<tok>»
	bounds []int    // rune starts in w, and its length
	hashes []uint64 // of the n-grams of w, n by n
}

// embedTokens writes into dst (of e.dim) the vector of a text whose
// canonical tokens are tokens (persian.TokenTerms).
func (e *LocalEmbedder) embedTokens(dst []float32, tokens []persian.Token, sc *embedScratch) {
	if cap(sc.acc) < e.dim {
		sc.acc = make([]float64, e.dim)
	}
	acc := sc.acc[:e.dim]
	clear(acc)
	dim := uint64(e.dim)
	mask := dim - 1 // h % dim is h & mask for a power of two
	pow2 := dim&mask == 0
	add := func(h uint64, w float64) {
		if h&(1<<63) != 0 {
			w = -w
		}
		if pow2 {
			acc[h&mask] += w
		} else {
			acc[h%dim] += w
		}
	}
	for _, tok := range tokens {
		if tok.Term != "" { // not a stopword
			add(fnv64aFrom(fnvTermPrefix, tok.Term), e.termWeight)
		}
		// Character n-grams of «<tok>», hashed from slices of one buffer.
		w := append(append(append(sc.w[:0], '<'), tok.Text...), '>')
		sc.w = w
		bounds := sc.bounds[:0]
		for i := 0; i < len(w); {
			bounds = append(bounds, i)
			size := 1
			switch c := w[i]; {
			case c < utf8.RuneSelf:
			case c >= 0xC2 && c <= 0xDF && i+1 < len(w) && w[i+1]&0xC0 == 0x80:
				size = 2 // a valid two-byte rune (the Arabic letters)
			default:
				_, size = utf8.DecodeRune(w[i:])
			}
			i += size
		}
		bounds = append(bounds, len(w))
		sc.bounds = bounds
		runes := len(bounds) - 1
		// The hash of the n-gram at i goes on from that of the (n-1)-gram
		// (FNV reads bytes in order); the features are then added in the
		// order n by n, i by i, as the sums depend on it.
		grams := e.maxN - e.minN + 1
		hs := slices.Grow(sc.hashes[:0], grams*runes)[:grams*runes]
		sc.hashes = hs
		for i := 0; i+e.minN <= runes; i++ {
			h := fnv64aBytes(w[bounds[i]:bounds[i+e.minN]])
			hs[i] = h
			for n := e.minN + 1; n <= e.maxN && i+n <= runes; n++ {
				h = fnv64aBytesFrom(h, w[bounds[i+n-1]:bounds[i+n]])
				hs[(n-e.minN)*runes+i] = h
			}
		}
		for n := e.minN; n <= e.maxN; n++ {
			for i := 0; i+n <= runes; i++ {
				add(hs[(n-e.minN)*runes+i], e.ngramWeight)
			}
		}
	}
	// Signed square root per dimension: repeated features count less than
	// linearly (sublinear term frequency, as BM25 saturates it).
	for i, x := range acc {
		if x < 0 {
			acc[i] = -math.Sqrt(-x)
		} else {
			acc[i] = math.Sqrt(x)
		}
	}
	normalizeInto(dst, acc)
}

// fnv64a is FNV-1a: stable across processes and Go versions, unlike maphash.
func fnv64a(s string) uint64 { return fnv64aFrom(fnvOffset, s) }

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvTermPrefix is fnv64a("t:"), the state a term's hash goes on from.
var fnvTermPrefix = fnv64a("t:")

// fnv64aFrom goes on hashing s from state h: fnv64aFrom(fnv64a(a), b) is
// fnv64a(a + b).
func fnv64aFrom(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnv64aBytes(b []byte) uint64 { return fnv64aBytesFrom(fnvOffset, b) }

// fnv64aBytesFrom goes on hashing b from state h.
func fnv64aBytesFrom(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// normalizeInto writes v scaled to unit length into dst (zero stays zero).
func normalizeInto(dst []float32, v []float64) {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	if sum == 0 {
		clear(dst)
		return
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		dst[i] = float32(x * inv)
	}
}

// normalizeInPlace L2-normalises v and reports whether it had any length.
func normalizeInPlace(v []float32) bool {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		return false
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
	return true
}
