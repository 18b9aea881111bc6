package retrieval

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestBM25KeepsNoTextCopies builds an index over long texts that each
// bring one new word and checks what stays live once the texts are gone:
// the vocabulary and the postings, not the folded copy of every text that
// a term (a map key cut from it) would pin.
func TestBM25KeepsNoTextCopies(t *testing.T) {
	filler := strings.Repeat("خبرگزاری گزارش داد که نشست امروز برگزار شد ", 200) // ~15 KB, a handful of terms
	const n = 600
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	texts := make([]string, n)
	for i := range texts {
		texts[i] = filler + fmt.Sprintf("واژه%dیکتا", i)
	}
	textBytes := n * len(texts[0])
	ix := buildBM25(texts, BM25Params{}, signatureTerms)
	texts = nil
	runtime.GC()
	runtime.ReadMemStats(&ms)
	kept := int64(ms.HeapAlloc) - int64(base)
	if len(ix.ids) < n {
		t.Fatalf("%d terms, want at least %d", len(ix.ids), n)
	}
	// n distinct terms with their postings and signatures: well under 1 MB.
	if kept > int64(textBytes)/20 {
		t.Fatalf("the index keeps %d KB live for %d KB of text", kept>>10, textBytes>>10)
	}
	runtime.KeepAlive(ix)
}
