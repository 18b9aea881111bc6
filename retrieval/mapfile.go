package retrieval

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// A mapping holds a snapshot file's bytes for the states that point into
// them: where the platform allows (mapfile_mmap.go) a read-only memory
// mapping, elsewhere (or on a big-endian machine, whose floats need
// converting) the file read into memory. The chunk strings, the vectors
// and the int8 vectors of a loaded state are views of it, so a warm start
// neither copies them nor makes them resident: the kernel reads a page
// when a search first touches it, and may drop it again (it is the page
// cache's, clean).
//
// Lifetime: those views are not Go pointers, so nothing the collector sees
// keeps the mapping alive through them. Every state that holds a view
// holds the *mapping (state.maps), and the memory is unmapped by a cleanup
// when the last such state is unreachable. Nothing that leaves the index
// may point into a mapping: the exported methods clone what they return
// (see cloneChunk). A method that reads a state's views keeps the state
// reachable until its last read (runtime.KeepAlive): a []Chunk or a
// vector slice alone does not keep the mapping, and a concurrent Load or
// Sync may drop the last other reference to the state.
//
// A sync that keeps chunks of a state gives the new state that state's
// mappings (pinsOf), so a state's chunks may point into a mapping it did
// not load.
type mapping struct {
	data   []byte
	mapped bool // data is a memory mapping (else Go memory)
}

// unmapped counts the mappings whose cleanup ran (for tests).
var unmapped atomic.Int64

// mapFile maps (or reads) the size bytes of f. The caller closes f when
// it likes: the mapping outlives it.
func mapFile(f *os.File, size int64) (*mapping, error) {
	if size != int64(int(size)) {
		return nil, fmt.Errorf("snapshot of %d bytes too large for this platform", size)
	}
	if size > 0 && canMap && binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		data, err := mmapFile(f, int(size))
		if err == nil {
			m := &mapping{data: data, mapped: true}
			runtime.AddCleanup(m, func(b []byte) {
				munmap(b)
				unmapped.Add(1)
			}, data)
			return m, nil
		}
		// A file system that cannot map (some FUSE or network ones):
		// read it instead.
	}
	data := make([]byte, size)
	if _, err := f.ReadAt(data, 0); err != nil && !(err == io.EOF && size == 0) {
		return nil, err
	}
	return &mapping{data: data}, nil
}

// contains reports whether s's bytes lie in the mapping.
func (m *mapping) contains(p unsafe.Pointer) bool {
	if len(m.data) == 0 || p == nil {
		return false
	}
	base := uintptr(unsafe.Pointer(&m.data[0]))
	return uintptr(p) >= base && uintptr(p) < base+uintptr(len(m.data))
}

// release tells the kernel that the mapped bytes b (a part of m.data) are
// not needed for now: their pages leave the process's resident set and
// are read again (from the page cache, usually) when next touched. It
// does nothing on memory that is not a mapping.
func (m *mapping) release(b []byte) {
	if !m.mapped || len(b) == 0 {
		return
	}
	base := uintptr(unsafe.Pointer(&m.data[0]))
	lo := uintptr(unsafe.Pointer(&b[0])) - base
	hi := lo + uintptr(len(b))
	page := uintptr(os.Getpagesize())
	lo = lo / page * page
	hi = min((hi+page-1)/page*page, uintptr(len(m.data)))
	dontNeed(m.data[lo:hi])
}

// pinsOf returns the mappings of maps that chunks point into: what a
// state built from chunks must hold.
func pinsOf(chunks []Chunk, maps []*mapping) []*mapping {
	var out []*mapping
	for _, m := range maps {
		if !m.mapped {
			// Go memory: the strings keep it alive themselves.
			continue
		}
		for i := range chunks {
			if m.pointsInto(&chunks[i]) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// pointsInto reports whether a string of c lies in m.
func (m *mapping) pointsInto(c *Chunk) bool {
	for _, s := range [...]string{c.ID, c.ArticleID, c.Title, c.Source, c.URL, c.Text, c.Hash} {
		if m.contains(unsafe.Pointer(unsafe.StringData(s))) {
			return true
		}
	}
	return false
}

// cloneChunk returns c with its strings copied: what leaves the index.
func cloneChunk(c Chunk) Chunk {
	c.ID = cloneString(c.ID)
	c.ArticleID = cloneString(c.ArticleID)
	c.Title = cloneString(c.Title)
	c.Source = cloneString(c.Source)
	c.URL = cloneString(c.URL)
	c.Text = cloneString(c.Text)
	c.Hash = cloneString(c.Hash)
	return c
}

// cloneString copies s (strings.Clone, which returns "" for "" too).
func cloneString(s string) string {
	if s == "" {
		return ""
	}
	b := make([]byte, len(s))
	copy(b, s)
	return unsafe.String(&b[0], len(b))
}
