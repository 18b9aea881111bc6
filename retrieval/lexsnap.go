package retrieval

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// The snapshot's lexical section holds the three BM25 indexes (over
// chunks, articles and titles) as built, so that a warm start does not
// tokenise the corpus again (that was 80 % of loading a snapshot). Each
// index is, in unsigned varints unless said otherwise:
//
//	texts | length of each text in terms
//	terms | byte length of each term | the terms' bytes, concatenated (id order)
//	postings in all | per term: postings | first doc, then gaps (≥ 1) | term frequency of each
//	signatures? (0 or 1) | signature terms in all | per text: count | per term: id, weight (float32 bits, 4 bytes little-endian)
//
// The decoder validates everything the query path indexes with (doc and
// term ids in range, postings sorted, terms unique), so a foreign or
// buggy snapshot is an error, never a panic.

func appendLexical(b []byte, ixs ...*bm25) []byte {
	for _, ix := range ixs {
		b = appendBM25(b, ix)
	}
	return b
}

func appendBM25(b []byte, ix *bm25) []byte {
	b = binary.AppendUvarint(b, uint64(len(ix.docLen)))
	for _, l := range ix.docLen {
		b = binary.AppendUvarint(b, uint64(l))
	}
	terms := make([]string, len(ix.postings))
	for t, id := range ix.ids {
		terms[id] = t
	}
	b = binary.AppendUvarint(b, uint64(len(terms)))
	for _, t := range terms {
		b = binary.AppendUvarint(b, uint64(len(t)))
	}
	for _, t := range terms {
		b = append(b, t...)
	}
	total := 0
	for _, ps := range ix.postings {
		total += len(ps)
	}
	b = binary.AppendUvarint(b, uint64(total))
	for _, ps := range ix.postings {
		b = binary.AppendUvarint(b, uint64(len(ps)))
		prev := int32(0)
		for i, p := range ps {
			if i == 0 {
				b = binary.AppendUvarint(b, uint64(p.doc))
			} else {
				b = binary.AppendUvarint(b, uint64(p.doc-prev))
			}
			prev = p.doc
		}
		for _, p := range ps {
			b = binary.AppendUvarint(b, uint64(p.tf))
		}
	}
	if ix.signature == nil {
		return binary.AppendUvarint(b, 0)
	}
	b = binary.AppendUvarint(b, 1)
	total = 0
	for _, sig := range ix.signature {
		total += len(sig)
	}
	b = binary.AppendUvarint(b, uint64(total))
	for _, sig := range ix.signature {
		b = binary.AppendUvarint(b, uint64(len(sig)))
		for _, w := range sig {
			b = binary.AppendUvarint(b, uint64(w.term))
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(w.w))
		}
	}
	return b
}

// lexReader reads the section; the first error sticks.
type lexReader struct {
	b   []byte
	err error
}

var errLexShort = errors.New("lexical section truncated")

func (r *lexReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errLexShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a count that cannot exceed max nor the bytes left (every
// counted item takes at least one byte).
func (r *lexReader) count(max int, what string) int {
	v := r.uvarint()
	if r.err == nil && (v > uint64(max) || v > uint64(len(r.b))) {
		r.err = fmt.Errorf("%s: %d out of range", what, v)
	}
	if r.err != nil {
		return 0
	}
	return int(v)
}

func (r *lexReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.err = errLexShort
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// decodeLexical reads the three indexes of a state with chunks chunks and
// articles articles.
func decodeLexical(data []byte, chunks, articles int, rk Ranking) (lex, docLex, titleLex *bm25, err error) {
	r := &lexReader{b: data}
	read := func(n int, params BM25Params, sig bool, what string) *bm25 {
		ix := r.bm25(n, params, sig)
		if r.err != nil && !errors.Is(r.err, errLexWhere) {
			r.err = fmt.Errorf("%w: %s: %w", errLexWhere, what, r.err)
		}
		return ix
	}
	lex = read(chunks, rk.Passage, false, "chunks")
	docLex = read(articles, rk.Article, true, "articles")
	titleLex = read(articles, rk.Title, false, "titles")
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %d bytes after the indexes", errLexWhere, len(r.b))
	}
	if r.err != nil {
		return nil, nil, nil, r.err
	}
	return lex, docLex, titleLex, nil
}

var errLexWhere = errors.New("lexical index")

// maxTermBytes bounds a term (persian.Terms keeps words, never long runs).
const maxTermBytes = 1 << 16

func (r *lexReader) bm25(texts int, params BM25Params, wantSig bool) *bm25 {
	n := r.count(texts, "texts")
	if r.err == nil && n != texts {
		r.err = fmt.Errorf("%d texts, the snapshot holds %d", n, texts)
	}
	if r.err != nil {
		return nil
	}
	ix := &bm25{params: params.withDefaults(), docLen: make([]float32, n)}
	var total float64
	for i := range ix.docLen {
		l := r.uvarint()
		if l > math.MaxInt32 {
			r.err = fmt.Errorf("text %d: length %d", i, l)
		}
		ix.docLen[i] = float32(l)
		total += float64(l)
	}
	ix.avgLen = 1
	if n > 0 && total > 0 {
		ix.avgLen = total / float64(n)
	}
	nt := r.count(math.MaxInt32, "terms")
	lens := make([]int, nt)
	sum := 0
	for i := range lens {
		lens[i] = r.count(maxTermBytes, "term length")
		sum += lens[i]
		if r.err == nil && lens[i] == 0 {
			r.err = errors.New("empty term")
		}
	}
	raw := r.bytes(sum)
	if r.err != nil {
		return nil
	}
	// One string holds every term's bytes; the terms are its substrings.
	vocab, off := string(raw), 0
	ix.ids = make(map[string]int32, nt)
	for id, l := range lens {
		t := vocab[off : off+l]
		off += l
		if !utf8.ValidString(t) {
			r.err = fmt.Errorf("term %d is not UTF-8", id)
			return nil
		}
		if _, dup := ix.ids[t]; dup {
			r.err = fmt.Errorf("term %q listed twice", quoteShort(t))
			return nil
		}
		ix.ids[t] = int32(id)
	}
	// Postings: counts are read first into one flat array, sliced per term.
	ix.postings = make([][]posting, nt)
	// Each posting takes at least two bytes (doc, frequency).
	flat := make([]posting, 0, r.count(len(r.b)/2, "postings in all"))
	for id := range ix.postings {
		c := r.count(n, "postings")
		if r.err == nil && c > cap(flat)-len(flat) {
			r.err = fmt.Errorf("term %d: more postings than the total", id)
		}
		if r.err != nil {
			return nil
		}
		start := len(flat)
		doc := uint64(0)
		for i := range c {
			d := r.uvarint()
			if i > 0 {
				if r.err == nil && (d == 0 || d >= uint64(n)) {
					r.err = fmt.Errorf("term %d: postings not sorted", id)
				}
				d += doc
			}
			if r.err == nil && d >= uint64(n) {
				r.err = fmt.Errorf("term %d: text %d of %d", id, d, n)
			}
			if r.err != nil {
				return nil
			}
			doc = d
			flat = append(flat, posting{doc: int32(d)})
		}
		for i := range c {
			tf := r.uvarint()
			if r.err == nil && (tf == 0 || tf > math.MaxInt32) {
				r.err = fmt.Errorf("term %d: frequency %d", id, tf)
			}
			flat[start+i].tf = float32(tf)
		}
		if c > 0 {
			ix.postings[id] = flat[start:len(flat):len(flat)]
		}
	}
	has := r.uvarint()
	switch {
	case r.err != nil:
		return nil
	case has > 1 || (has == 1) != wantSig:
		r.err = fmt.Errorf("signatures flag %d", has)
		return nil
	case has == 0:
		return ix
	}
	ix.signature = make([][]weighted, n)
	// Each signature term takes at least five bytes (id, weight).
	sigs := make([]weighted, 0, r.count(len(r.b)/5, "signature terms in all"))
	for i := range ix.signature {
		c := r.count(nt, "signature")
		if r.err == nil && c > cap(sigs)-len(sigs) {
			r.err = fmt.Errorf("text %d: more signature terms than the total", i)
		}
		if r.err != nil {
			return nil
		}
		start := len(sigs)
		for range c {
			t := r.uvarint()
			w := r.bytes(4)
			if r.err == nil && t >= uint64(nt) {
				r.err = fmt.Errorf("text %d: signature term %d of %d", i, t, nt)
			}
			if r.err != nil {
				return nil
			}
			wf := math.Float32frombits(binary.LittleEndian.Uint32(w))
			if wf != wf || math.IsInf(float64(wf), 0) {
				wf = 0
			}
			sigs = append(sigs, weighted{term: int32(t), w: wf})
		}
		if c > 0 {
			ix.signature[i] = sigs[start:len(sigs):len(sigs)]
		}
	}
	return ix
}
