package retrieval

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unsafe"
)

// The snapshot's chunk section holds, per chunk in row order (the ids are
// in the manifest), in unsigned varints and length-prefixed strings:
//
//	article | n | title | source | url | start | end | text | hash | date | arrived
//
// where a time is 0 when zero, else 1 and its Unix seconds (zig-zag
// varint). The vector section is the matrix, row after row, float32
// little-endian. Both replace chromem-go's gob export, whose decoding
// held every message in memory twice (~250 MB on hamshahri + farsnews)
// and whose maps of metadata cost a third of the load.

func appendChunks(b []byte, chunks []Chunk) []byte {
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	tm := func(t time.Time) {
		if t.IsZero() {
			b = append(b, 0)
			return
		}
		b = append(b, 1)
		b = binary.AppendVarint(b, t.Unix())
	}
	for _, c := range chunks {
		str(c.ArticleID)
		b = binary.AppendUvarint(b, uint64(c.N))
		str(c.Title)
		str(c.Source)
		str(c.URL)
		b = binary.AppendUvarint(b, uint64(c.Start))
		b = binary.AppendUvarint(b, uint64(c.End))
		str(c.Text)
		str(c.Hash)
		tm(c.Date)
		tm(c.Arrived)
	}
	return b
}

// decodeChunks reads len(ids) chunks from s; their strings are substrings
// of s (the text is held once, in the section as read, with no allocation
// per chunk).
func decodeChunks(s string, ids []string) ([]Chunk, error) {
	r := &lexReader{b: unsafe.Slice(unsafe.StringData(s), len(s))}
	pos := func() int { return len(s) - len(r.b) }
	str := func() string {
		n := r.count(len(r.b), "string length")
		start := pos()
		r.bytes(n)
		if r.err != nil {
			return ""
		}
		return s[start : start+n]
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
	for i, id := range ids {
		c := &chunks[i]
		c.ID = id
		c.ArticleID = str()
		c.N = num("chunk number")
		c.Title, c.Source, c.URL = str(), str(), str()
		c.Start, c.End = num("start"), num("end")
		c.Text, c.Hash = str(), str()
		c.Date, c.Arrived = tm(), tm()
		if r.err != nil {
			return nil, fmt.Errorf("chunk %s: %w", quoteShort(id), r.err)
		}
		if c.ArticleID == "" || c.Hash == "" {
			return nil, fmt.Errorf("chunk %s: missing article or hash", quoteShort(id))
		}
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the chunks", len(r.b))
	}
	return chunks, nil
}

// appendVectors appends the matrix's floats, little-endian.
func appendVectors(b []byte, m matrix) []byte {
	for _, x := range m.data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// vectorBytes views v's memory as bytes, to read the vector section into
// it without a copy; fixVectorOrder then makes the floats native.
func vectorBytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

// fixVectorOrder turns little-endian floats read into v's memory into
// native ones (nothing to do on little-endian machines) and zeroes NaN and
// infinities.
func fixVectorOrder(v []float32) {
	little := binary.NativeEndian.Uint16([]byte{1, 0}) == 1
	b := vectorBytes(v)
	for i := range v {
		if !little {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		if x := v[i]; x != x || x > math.MaxFloat32 || x < -math.MaxFloat32 {
			v[i] = 0
		}
	}
}
