package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/khabar/khabar/corpus"
)

// TestChunkArticleAllocations: chunking allocates per chunk (its id, its
// hash), not per sentence or per byte of text: the unchanged sync of a
// warm start chunks the whole corpus to see that nothing changed, and a
// slice of word offsets per sentence plus a copy of every chunk's text to
// hash it were ~100 MB of garbage per start on hamshahri+farsnews.
func TestChunkArticleAllocations(t *testing.T) {
	a := corpus.Article{ID: "a.txt", Title: "عنوان خبر", Text: strings.Repeat("وزیر دفاع عراق امروز در بغداد گفت همکاری ادامه دارد. ", 300)}
	chunks := ChunkArticle(a, ChunkOptions{})
	if len(chunks) < 10 {
		t.Fatalf("%d chunks: the article should make many", len(chunks))
	}
	allocs := testing.AllocsPerRun(5, func() { ChunkArticle(a, ChunkOptions{}) })
	t.Logf("%d chunks of 300 sentences: %.0f allocations", len(chunks), allocs)
	if limit := float64(4*len(chunks) + 40); allocs > limit {
		t.Errorf("%.0f allocations for %d chunks of 300 sentences, want at most %.0f", allocs, len(chunks), limit)
	}
}

// TestHashEmbedText: the hash is that of EmbedText, with and without a
// title to prepend, whatever the reused buffer held before.
func TestHashEmbedText(t *testing.T) {
	long := strings.Repeat("متن ", 400)
	buf := []byte(strings.Repeat("x", 2000))
	for _, c := range []Chunk{{Text: "متن"}, {Title: "عنوان", Text: "متن"}, {Title: "عنوان", Text: "عنوان و متن"}, {Title: "عنوان", Text: long}, {Text: long}, {Text: "کوتاه"}} {
		sum := sha256.Sum256([]byte(c.EmbedText()))
		var got string
		got, buf = hashEmbedText(c, buf)
		if want := hex.EncodeToString(sum[:16]); got != want {
			t.Errorf("hashEmbedText(%.20q) = %s, want %s", c.Title+"|"+c.Text, got, want)
		}
	}
}
