package openaitest

import (
	"hash/fnv"
	"strings"
	"unicode"
)

// zwnj is the zero-width non-joiner, which is part of Persian words
// (e.g. "می‌خواهم").
const zwnj = '\u200c'

// Words splits text into the words HashEmbedding hashes: maximal runs of
// letters, marks, digits and ZWNJ, lower-cased. No other normalisation is
// applied (e.g. Arabic and Persian forms of ی and ک stay distinct).
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == zwnj)
	})
}

// HashEmbedding is the default embedding: a deterministic, signed, hashed
// bag of words of length dim. Each word of Words(text) adds +1 or -1 (chosen
// by its FNV-1a hash) to the coordinate its hash selects, so texts sharing
// words have positively correlated vectors and repeated words count more.
// The result is NOT normalised; a text without words gives the zero vector.
// dim <= 0 gives nil.
func HashEmbedding(text string, dim int) []float32 {
	if dim <= 0 {
		return nil
	}
	v := make([]float32, dim)
	for _, w := range Words(text) {
		h := fnv.New64a()
		_, _ = h.Write([]byte(w))
		x := h.Sum64()
		sign := float32(1)
		if x>>63 == 1 {
			sign = -1
		}
		v[x%uint64(dim)] += sign
	}
	return v
}
