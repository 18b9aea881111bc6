package retrieval

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/khabar/khabar/corpus"
)

func sentencesOf(n int, word string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(strings.Repeat(word+" ", 9))
		b.WriteString(word + ".")
	}
	return b.String()
}

func TestChunkArticle(t *testing.T) {
	date := time.Date(2025, 9, 28, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		text       string
		opts       ChunkOptions
		wantChunks int
	}{
		{"short article is one chunk", "جمله اول. جمله دوم.", ChunkOptions{}, 1},
		{"ten-word sentences, target 30, overlap 1", sentencesOf(10, "خبر"), ChunkOptions{TargetWords: 30, Overlap: 1}, 5},
		{"no overlap", sentencesOf(9, "خبر"), ChunkOptions{TargetWords: 30, Overlap: -1}, 3},
		{"one endless sentence is cut on words", strings.Repeat("واژه ", 500), ChunkOptions{TargetWords: 100, MaxWords: 120}, 5},
		{"short tail folded into the last chunk", sentencesOf(6, "خبر") + " پایان.", ChunkOptions{TargetWords: 30, Overlap: -1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := corpus.Article{ID: "a.txt", Title: "عنوان", Source: "تابناک", Date: date, URL: "https://example.org/a", Text: tt.text}
			chunks := ChunkArticle(a, tt.opts)
			if len(chunks) != tt.wantChunks {
				t.Fatalf("got %d chunks, want %d", len(chunks), tt.wantChunks)
			}
			for i, c := range chunks {
				if strings.TrimSpace(c.Text) == "" {
					t.Errorf("chunk %d is empty", i)
				}
				if got := a.Text[c.Start:c.End]; got != c.Text {
					t.Errorf("chunk %d offsets give %q, want %q", i, got, c.Text)
				}
				if c.N != i || c.ArticleID != "a.txt" || c.ID != "a.txt#"+strconv.Itoa(i) {
					t.Errorf("chunk %d: got id %q n %d article %q", i, c.ID, c.N, c.ArticleID)
				}
				if c.Title != a.Title || c.Source != a.Source || !c.Date.Equal(date) || c.URL != a.URL {
					t.Errorf("chunk %d lost metadata: %+v", i, c)
				}
				if c.Hash == "" {
					t.Errorf("chunk %d has no hash", i)
				}
			}
		})
	}
}

func TestChunkOverlapRepeatsLastSentence(t *testing.T) {
	a := corpus.Article{ID: "a", Text: sentencesOf(6, "الف")}
	chunks := ChunkArticle(a, ChunkOptions{TargetWords: 30, Overlap: 1})
	if len(chunks) < 2 {
		t.Fatalf("got %d chunks, want at least 2", len(chunks))
	}
	if chunks[1].Start >= chunks[0].End {
		t.Errorf("chunk 1 starts at %d, after chunk 0 ends at %d: no overlap", chunks[1].Start, chunks[0].End)
	}
}

func TestChunkEmptyText(t *testing.T) {
	if got := ChunkArticle(corpus.Article{ID: "a", Title: "فقط عنوان", Text: " \n "}, ChunkOptions{}); len(got) != 1 || got[0].Text != "فقط عنوان" {
		t.Errorf("got %+v, want one chunk of the title", got)
	}
	if got := ChunkArticle(corpus.Article{ID: "a"}, ChunkOptions{}); len(got) != 0 {
		t.Errorf("got %d chunks of nothing, want 0", len(got))
	}
}

func TestChunkHashFollowsContent(t *testing.T) {
	a := corpus.Article{ID: "a", Title: "ت", Text: "یک. دو."}
	b := a
	b.Text = "یک. سه."
	if ChunkArticle(a, ChunkOptions{})[0].Hash == ChunkArticle(b, ChunkOptions{})[0].Hash {
		t.Error("different texts share a hash")
	}
	c := a
	c.URL = "https://example.org/x"
	if ChunkArticle(a, ChunkOptions{})[0].Hash != ChunkArticle(c, ChunkOptions{})[0].Hash {
		t.Error("a url change altered the content hash")
	}
}

func TestChunkInvalidUTF8(t *testing.T) {
	// A long sentence with invalid bytes is cut on words: the offsets must
	// stay inside the text (they used to index past it and panic).
	text := strings.Repeat("واژه\xff ", 300) + "پایان."
	chunks := ChunkArticle(corpus.Article{ID: "a", Title: "عنوان\xfe", Text: text}, ChunkOptions{TargetWords: 50, MaxWords: 60})
	if len(chunks) == 0 {
		t.Fatal("got no chunks")
	}
	for i, c := range chunks {
		if !utf8.ValidString(c.Text) || !utf8.ValidString(c.Title) {
			t.Errorf("chunk %d is not valid UTF-8: %q", i, c.Text)
		}
		if c.Start < 0 || c.End < c.Start {
			t.Errorf("chunk %d: offsets %d–%d", i, c.Start, c.End)
		}
	}
}

// FuzzChunkArticle checks that any text chunks without a panic into
// non-empty, valid UTF-8 passages whose offsets give back their text in
// the (repaired) article text.
func FuzzChunkArticle(f *testing.F) {
	f.Add("جمله اول. جمله دوم.", "عنوان", 0, 0, 0)
	f.Add(sentencesOf(10, "خبر"), "", 30, 0, 1)
	f.Add(strings.Repeat("واژه\xff ", 300), "\xfe", 100, 120, 2)
	f.Add("«نقل قول. بی پایان", "t", 1, 1, 5)
	f.Fuzz(func(t *testing.T, text, title string, target, maxWords, overlap int) {
		opts := ChunkOptions{TargetWords: target % 500, MaxWords: maxWords % 500, Overlap: overlap % 10}
		chunks := ChunkArticle(corpus.Article{ID: "a", Title: title, Text: text}, opts)
		repaired := string([]rune(text))
		for i, c := range chunks {
			if strings.TrimSpace(c.Text) == "" {
				t.Fatalf("chunk %d is empty", i)
			}
			if !utf8.ValidString(c.Text) || !utf8.ValidString(c.Title) {
				t.Fatalf("chunk %d is not valid UTF-8: %q", i, c.Text)
			}
			if c.End > c.Start && (c.End > len(repaired) || repaired[c.Start:c.End] != c.Text) {
				t.Fatalf("chunk %d: offsets %d–%d do not give its text %q", i, c.Start, c.End, c.Text)
			}
			if c.N != i {
				t.Fatalf("chunk %d numbered %d", i, c.N)
			}
		}
	})
}

// TestAppendWordOffsetsAsUnicode: the word offsets are those of every
// rune unicode.IsSpace calls white space, in any script, valid or not.
func TestAppendWordOffsetsAsUnicode(t *testing.T) {
	reference := func(s string) []int {
		var offs []int
		inWord := false
		for i, r := range s {
			space := unicode.IsSpace(r)
			if !space && !inWord {
				offs = append(offs, i)
			}
			inWord = !space
		}
		return offs
	}
	texts := []string{"", " ", "a", " وزیر  دفاع\nعراق\t", "\xff a\xfe", "می\u200cشود", "x\u00a0y\u0085z\u1680w\u2003v\u3000u\u205fq",
		"\xd8a b", "a \xd8", "\xd8\xd8\xa7 \xc4 \xdf\xbf \xc2\xa0x"}
	for r := rune(0); r < 0x3100; r++ {
		if unicode.IsSpace(r) {
			texts = append(texts, "خبر"+string(r)+"نو"+string(r))
		}
	}
	for _, s := range texts {
		if got, want := appendWordOffsets(nil, s), reference(s); !slices.Equal(got, want) {
			t.Errorf("appendWordOffsets(%+q) = %v, want %v", s, got, want)
		}
	}
}
