package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/persian"
)

// Chunk is a passage of an article: a few consecutive sentences with the
// article's metadata and its byte offsets in Article.Text.
type Chunk struct {
	ID        string // ArticleID + "#" + N
	ArticleID string
	N         int // position in the article, from 0
	Title     string
	Source    string
	Date      time.Time
	URL       string
	Start     int // byte offset of Text in the article's text
	End       int
	Text      string
	Hash      string // hash of the text that is embedded; equal hashes share a vector
	// Arrived is when this content first entered the index (kept across
	// syncs while the content is unchanged); zero before it is indexed.
	Arrived time.Time
}

// ChunkOptions sizes chunks. Zero sizes mean the defaults.
type ChunkOptions struct {
	TargetWords int // close a chunk once it has this many words; default 120
	MaxWords    int // split a sentence longer than this on word boundaries; default 220
	Overlap     int // sentences repeated at the start of the next chunk; 0 means none
}

func (o ChunkOptions) withDefaults() ChunkOptions {
	if o.TargetWords <= 0 {
		o.TargetWords = 120
	}
	if o.MaxWords <= 0 {
		o.MaxWords = 220
	}
	if o.MaxWords < o.TargetWords {
		o.MaxWords = o.TargetWords
	}
	if o.Overlap < 0 {
		o.Overlap = 0
	}
	return o
}

// ChunkArticle splits a into sentence-aware chunks of about
// opts.TargetWords words, each repeating the last opts.Overlap sentences of
// the one before. A non-empty article always gets at least one chunk; an
// article with no text at all gets one chunk of its title, or none.
//
// Text that is not valid UTF-8 is repaired first, each invalid byte
// replaced with U+FFFD (as Go's string([]rune(s)) does); the chunks'
// offsets then refer to the repaired text. The loader never yields such
// text, but any caller may.
func ChunkArticle(a corpus.Article, opts ChunkOptions) []Chunk {
	opts = opts.withDefaults()
	a.Text, a.Title = validUTF8(a.Text), validUTF8(a.Title)
	a.Source, a.URL = validUTF8(a.Source), validUTF8(a.URL)
	pieces := splitLong(persian.Sentences(a.Text), opts.MaxWords)
	var chunks []Chunk
	var hbuf []byte // reused to hash every chunk
	add := func(start, end int, text string) {
		c := Chunk{
			ID:        a.ID + "#" + strconv.Itoa(len(chunks)),
			ArticleID: a.ID,
			N:         len(chunks),
			Title:     a.Title,
			Source:    a.Source,
			Date:      a.Date,
			URL:       a.URL,
			Start:     start,
			End:       end,
			Text:      text,
		}
		c.Hash, hbuf = hashEmbedText(c, hbuf)
		chunks = append(chunks, c)
	}
	if len(pieces) == 0 {
		if t := strings.TrimSpace(a.Title); t != "" {
			add(0, 0, t)
		}
		return chunks
	}
	for first := 0; first < len(pieces); {
		last, words := first, 0
		for last < len(pieces) {
			words += pieces[last].words
			last++
			if words >= opts.TargetWords {
				break
			}
		}
		// Fold a short tail into this chunk rather than leave a scrap.
		if rest := wordsIn(pieces[last:]); rest > 0 && rest < opts.TargetWords/3 && words+rest <= opts.MaxWords {
			last = len(pieces)
		}
		start, end := pieces[first].Start, pieces[last-1].End
		add(start, end, a.Text[start:end])
		if last == len(pieces) {
			break
		}
		next := last - opts.Overlap
		if next <= first {
			next = first + 1
		}
		first = next
	}
	return chunks
}

// EmbedText is the text that represents c to the embedder and the lexical
// ranker: the title, then the passage.
func (c Chunk) EmbedText() string {
	if c.Title == "" || strings.HasPrefix(c.Text, c.Title) {
		return c.Text
	}
	return c.Title + "\n" + c.Text
}

// embedParts appends to dst the pieces EmbedText joins.
func (c Chunk) embedParts(dst []string) []string {
	if c.Title == "" || strings.HasPrefix(c.Text, c.Title) {
		return append(dst, c.Text)
	}
	return append(dst, c.Title, "\n", c.Text)
}

type piece struct {
	persian.Span
	words int
}

func wordsIn(ps []piece) int {
	n := 0
	for _, p := range ps {
		n += p.words
	}
	return n
}

// splitLong turns sentences into pieces, cutting any sentence of more than
// maxWords words at word boundaries.
func splitLong(spans []persian.Span, maxWords int) []piece {
	out := make([]piece, 0, len(spans))
	var words []int // reused: one buffer for every sentence
	for _, s := range spans {
		words = appendWordOffsets(words[:0], s.Text)
		if len(words) <= maxWords {
			out = append(out, piece{s, len(words)})
			continue
		}
		for i := 0; i < len(words); i += maxWords {
			j := min(i+maxWords, len(words))
			from := words[i]
			to := len(s.Text)
			if j < len(words) {
				to = len(strings.TrimRightFunc(s.Text[:words[j]], unicode.IsSpace))
			}
			out = append(out, piece{persian.Span{Start: s.Start + from, End: s.Start + to, Text: s.Text[from:to]}, j - i})
		}
	}
	return out
}

// appendWordOffsets appends the byte offset of every space-separated word
// in s to offs.
func appendWordOffsets(offs []int, s string) []int {
	inWord := false
	for i := 0; i < len(s); {
		space, size := spaceAt(s, i)
		if !space && !inWord {
			offs = append(offs, i)
		}
		inWord = !space
		i += size
	}
	return offs
}

// spaceAt reports whether the rune at s[i] is white space (unicode.IsSpace)
// and its size, without the Unicode tables for ASCII and the Arabic letters.
func spaceAt(s string, i int) (bool, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return asciiSpace[c], 1
	}
	if c >= 0xC4 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		return false, 2 // a valid two-byte rune from U+0100 to U+07FF: Latin, Greek … Arabic
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r >= 0x100 && r < 0x1680 {
		return false, size // no white space between Latin-1 and Ogham
	}
	return unicode.IsSpace(r), size
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// validUTF8 returns s with each byte that is not part of valid UTF-8
// replaced with U+FFFD, byte for byte as persian.Sentences reports it.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

// hashEmbedText is the content hash of c: the first 16 bytes of the
// SHA-256 of c.EmbedText() in hex, computed in buf (returned for reuse)
// without building that string or allocating per chunk.
func hashEmbedText(c Chunk, buf []byte) (string, []byte) {
	buf = buf[:0]
	if c.Title != "" && !strings.HasPrefix(c.Text, c.Title) { // as EmbedText
		buf = append(append(buf, c.Title...), '\n')
	}
	buf = append(buf, c.Text...)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16]), buf
}
