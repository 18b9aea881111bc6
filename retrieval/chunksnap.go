package retrieval

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unsafe"
)

// The snapshot keeps the chunks in three sections, so that a load reads
// only the small one:
//
//   - records, per chunk in row order (the ids are in the manifest), in
//     unsigned varints: article | n | title | source | url | start | end |
//     text length | hash length | date | arrived. A string field
//     (article, title, source, url) is 0 when it equals the chunk before's,
//     else its length + 1; the article's bytes follow it in the record,
//     the others' are in the strings section. A time is 0 when zero, else 1
//     and its Unix seconds (zig-zag varint).
//   - hashes: the chunks' content hashes, concatenated.
//   - strings: per chunk, its new title, source and url, then its text,
//     concatenated: every byte of it belongs to exactly one string.
//
// A loaded chunk's strings are views of the snapshot's mapping (see
// mapfile.go): the texts are neither copied nor read on load. The decoder
// checks the records' structure; the strings' UTF-8 is checked by the
// checksum pass (snapshot.go), which reads the file beside the mapping.

// appendRecords appends the records of chunks (prev the chunk before the
// first, or nil).
func appendRecords(b []byte, chunks []Chunk, prev *Chunk) []byte {
	ref := func(s string, same bool, inline bool) {
		if same {
			b = append(b, 0)
			return
		}
		b = binary.AppendUvarint(b, uint64(len(s))+1)
		if inline {
			b = append(b, s...)
		}
	}
	tm := func(t time.Time) {
		if t.IsZero() {
			b = append(b, 0)
			return
		}
		b = append(b, 1)
		b = binary.AppendVarint(b, t.Unix())
	}
	for i := range chunks {
		c := &chunks[i]
		p := prev != nil
		ref(c.ArticleID, p && prev.ArticleID == c.ArticleID, true)
		b = binary.AppendUvarint(b, uint64(c.N))
		ref(c.Title, p && prev.Title == c.Title, false)
		ref(c.Source, p && prev.Source == c.Source, false)
		ref(c.URL, p && prev.URL == c.URL, false)
		b = binary.AppendUvarint(b, uint64(c.Start))
		b = binary.AppendUvarint(b, uint64(c.End))
		b = binary.AppendUvarint(b, uint64(len(c.Text)))
		b = binary.AppendUvarint(b, uint64(len(c.Hash)))
		tm(c.Date)
		tm(c.Arrived)
		prev = c
	}
	return b
}

// appendStrings appends what the strings section holds of chunks (prev as
// for appendRecords).
func appendStrings(b []byte, chunks []Chunk, prev *Chunk) []byte {
	for i := range chunks {
		c := &chunks[i]
		if prev == nil || prev.Title != c.Title {
			b = append(b, c.Title...)
		}
		if prev == nil || prev.Source != c.Source {
			b = append(b, c.Source...)
		}
		if prev == nil || prev.URL != c.URL {
			b = append(b, c.URL...)
		}
		b = append(b, c.Text...)
		prev = c
	}
	return b
}

// view returns b's bytes as a string without copying them.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// decodeRecords reads len(ids) chunks from the records section rec, their
// strings views of the strings section strs and the hashes section
// hashes, both of which they must use up exactly. It returns the lengths
// of the strings section's strings in order (for the UTF-8 check). It
// reads rec only: not a byte of strs or hashes.
func decodeRecords(rec, strs, hashes []byte, ids []string) ([]Chunk, []int32, error) {
	r := &lexReader{b: rec}
	var off, hoff uint64
	spans := make([]int32, 0, len(ids)+len(ids)/4)
	take := func(n uint64) string {
		if r.err == nil && (n > uint64(len(strs))-off || n > math.MaxInt32) {
			r.err = fmt.Errorf("string of %d bytes past the strings section", n)
		}
		if r.err != nil {
			return ""
		}
		s := view(strs[off : off+n])
		off += n
		spans = append(spans, int32(n))
		return s
	}
	// ref reads a string field: prev when it says "same", else a string
	// of the strings section, or of the record itself when inline.
	ref := func(prev string, first, inline bool) string {
		v := r.uvarint()
		switch {
		case r.err != nil:
			return ""
		case v == 0 && first:
			r.err = fmt.Errorf("the first chunk repeats a string")
			return ""
		case v == 0:
			return prev
		case inline:
			if v-1 > uint64(len(r.b)) {
				r.err = errLexShort
				return ""
			}
			return view(r.bytes(int(v - 1)))
		}
		return take(v - 1)
	}
	num := func(what string) int {
		v := r.uvarint()
		if r.err == nil && v > math.MaxInt32 {
			r.err = fmt.Errorf("%s %d out of range", what, v)
		}
		return int(v)
	}
	tm := func() time.Time {
		flag := r.bytes(1)
		if r.err != nil || flag[0] == 0 {
			return time.Time{}
		}
		if flag[0] != 1 {
			r.err = fmt.Errorf("time flag %d", flag[0])
			return time.Time{}
		}
		v, n := binary.Varint(r.b)
		if n <= 0 {
			r.err = errLexShort
			return time.Time{}
		}
		r.b = r.b[n:]
		// Years 1–9999 (what RFC 3339 and the date format can say).
		if v < -62135596800 || v > 253402300799 {
			r.err = fmt.Errorf("time %d out of range", v)
			return time.Time{}
		}
		return time.Unix(v, 0).UTC()
	}
	chunks := make([]Chunk, len(ids))
	var prev Chunk
	for i, id := range ids {
		c := &chunks[i]
		c.ID = id
		first := i == 0
		c.ArticleID = ref(prev.ArticleID, first, true)
		c.N = num("chunk number")
		c.Title = ref(prev.Title, first, false)
		c.Source = ref(prev.Source, first, false)
		c.URL = ref(prev.URL, first, false)
		c.Start, c.End = num("start"), num("end")
		c.Text = take(r.uvarint())
		if hl := r.uvarint(); r.err == nil {
			if hl == 0 || hl > uint64(len(hashes))-hoff {
				r.err = fmt.Errorf("hash of %d bytes", hl)
			} else {
				c.Hash = view(hashes[hoff : hoff+hl])
				hoff += hl
			}
		}
		c.Date, c.Arrived = tm(), tm()
		if r.err != nil {
			return nil, nil, fmt.Errorf("chunk %s: %w", quoteShort(id), r.err)
		}
		if c.ArticleID == "" {
			return nil, nil, fmt.Errorf("chunk %s: missing article", quoteShort(id))
		}
		prev = *c
	}
	switch {
	case len(r.b) != 0:
		return nil, nil, fmt.Errorf("%d bytes after the chunk records", len(r.b))
	case off != uint64(len(strs)):
		return nil, nil, fmt.Errorf("%d bytes of the strings section unused", uint64(len(strs))-off)
	case hoff != uint64(len(hashes)):
		return nil, nil, fmt.Errorf("%d bytes of the hashes section unused", uint64(len(hashes))-hoff)
	}
	return chunks, spans, nil
}

// appendVectors appends the floats of v, little-endian.
func appendVectors(b []byte, v []float32) []byte {
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// vectorBytes views v's memory as bytes.
func vectorBytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

// appendInt8s appends v's bytes.
func appendInt8s(b []byte, v []int8) []byte {
	if len(v) == 0 {
		return b
	}
	return append(b, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v))...)
}

// floatsOf views b (little-endian floats on a little-endian machine, at a
// multiple of 4 bytes) as float32s.
func floatsOf(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

// int8sOf views b as int8s.
func int8sOf(b []byte) []int8 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(&b[0])), len(b))
}

// nativeFloats turns the little-endian floats in b into native ones in
// place (nothing to do on little-endian machines) and views them.
func nativeFloats(b []byte) []float32 {
	v := floatsOf(b)
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	}
	return v
}
