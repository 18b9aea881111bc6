package digest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
)

// ErrCorrupt is returned by [Open] for a store file that bbolt cannot read
// safely: bbolt trusts its file and panics on a truncated or damaged one,
// at every start.
var ErrCorrupt = errors.New("digest store is damaged")

// The on-disk layout of bbolt v1.4 (go.etcd.io/bbolt/internal/common),
// read here without mmap so that damage is an error, not a panic.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16 // id uint64, flags uint16, count uint16, overflow uint32
	metaSize       = 64 // magic, version, pageSize, flags uint32; root {pgid, seq}; freelist, pgid, txid, checksum uint64
	branchElemSize = 16 // pos, ksize uint32, pgid uint64
	leafElemSize   = 16 // flags, pos, ksize, vsize uint32
	bucketHdrSize  = 16 // root pgid, sequence uint64

	branchPage   = 0x01
	leafPage     = 0x02
	metaPage     = 0x04
	freelistPage = 0x10
	bucketLeaf   = 0x01
	noFreelist   = ^uint64(0)
	maxTreeDepth = 64
)

// checkFile verifies a bbolt file before bbolt maps it: a valid meta page
// (magic, version, checksum), every page up to the high-water mark present
// (a truncated file fails here), and every page reachable from the root
// and the freelist in bounds, of the right kind and naming its own id (a
// page overwritten with garbage fails here). A missing or empty file is
// fine: Open creates it.
func checkFile(path string) error {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(data) == 0:
		return nil
	}
	m, err := readMeta(data)
	if err != nil {
		return err
	}
	c := checker{data: data, pageSize: uint64(m.pageSize), high: m.pgid, seen: map[uint64]bool{}}
	if m.pgid < 4 || m.pgid > uint64(len(data))/c.pageSize {
		return fmt.Errorf("%w: %d pages expected, the file holds %d (truncated)", ErrCorrupt, m.pgid, uint64(len(data))/c.pageSize)
	}
	if m.freelist != noFreelist {
		if err := c.freelist(m.freelist); err != nil {
			return err
		}
	}
	return c.tree(m.root, 0)
}

type meta struct {
	pageSize                   uint32
	root, freelist, pgid, txid uint64
}

// readMeta returns the meta page bbolt would use: the valid one with the
// higher transaction id.
func readMeta(data []byte) (meta, error) {
	var best meta
	var found bool
	var firstErr error
	offsets := []uint64{0}
	if len(data) >= pageHeaderSize+metaSize {
		// bbolt finds the second meta page one page after the first,
		// with the first's page size.
		offsets = append(offsets, uint64(binary.LittleEndian.Uint32(data[pageHeaderSize+8:])))
	}
	for _, off := range offsets {
		m, err := parseMeta(data, off)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if !found || m.txid > best.txid {
			best, found = m, true
		}
	}
	if !found {
		return meta{}, firstErr
	}
	return best, nil
}

func parseMeta(data []byte, off uint64) (meta, error) {
	if off > uint64(len(data)) || uint64(len(data))-off < pageHeaderSize+metaSize {
		return meta{}, fmt.Errorf("%w: no meta page (truncated)", ErrCorrupt)
	}
	p := data[off:]
	if binary.LittleEndian.Uint16(p[8:]) != metaPage {
		return meta{}, fmt.Errorf("%w: bad meta page", ErrCorrupt)
	}
	b := p[pageHeaderSize : pageHeaderSize+metaSize]
	le := binary.LittleEndian
	if le.Uint32(b[0:]) != boltMagic || le.Uint32(b[4:]) != boltVersion {
		return meta{}, fmt.Errorf("%w: not a bbolt file (or a damaged meta page)", ErrCorrupt)
	}
	h := fnv.New64a()
	h.Write(b[:56])
	if h.Sum64() != le.Uint64(b[56:]) {
		return meta{}, fmt.Errorf("%w: meta page checksum", ErrCorrupt)
	}
	m := meta{pageSize: le.Uint32(b[8:]), root: le.Uint64(b[16:]), freelist: le.Uint64(b[32:]), pgid: le.Uint64(b[40:]), txid: le.Uint64(b[48:])}
	if m.pageSize < 512 || m.pageSize > 1<<16 || m.pageSize&(m.pageSize-1) != 0 {
		return meta{}, fmt.Errorf("%w: page size %d", ErrCorrupt, m.pageSize)
	}
	return m, nil
}

type checker struct {
	data     []byte
	pageSize uint64
	high     uint64 // the high-water mark: pages [0, high) exist
	seen     map[uint64]bool
}

// page returns the bytes of page id (with its overflow pages) after
// checking that it lies in the file and names itself.
func (c *checker) page(id uint64, flags ...uint16) ([]byte, uint16, error) {
	if id < 2 || id >= c.high {
		return nil, 0, fmt.Errorf("%w: page %d out of range", ErrCorrupt, id)
	}
	start := id * c.pageSize
	h := c.data[start:]
	le := binary.LittleEndian
	if le.Uint64(h) != id {
		return nil, 0, fmt.Errorf("%w: page %d is not what its place holds", ErrCorrupt, id)
	}
	span := (uint64(le.Uint32(h[12:])) + 1) * c.pageSize
	if id+span/c.pageSize > c.high || start+span > uint64(len(c.data)) {
		return nil, 0, fmt.Errorf("%w: page %d overflows the file", ErrCorrupt, id)
	}
	f := le.Uint16(h[8:])
	for _, want := range flags {
		if f == want {
			return c.data[start : start+span], f, nil
		}
	}
	return nil, 0, fmt.Errorf("%w: page %d has type %#x", ErrCorrupt, id, f)
}

func (c *checker) freelist(id uint64) error {
	p, _, err := c.page(id, freelistPage)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	n, at := uint64(le.Uint16(p[10:])), uint64(pageHeaderSize)
	if n == 0xFFFF {
		n, at = le.Uint64(p[at:]), at+8
	}
	if n > (uint64(len(p))-at)/8 {
		return fmt.Errorf("%w: freelist page %d", ErrCorrupt, id)
	}
	for i := range n {
		if free := le.Uint64(p[at+8*i:]); free < 2 || free >= c.high {
			return fmt.Errorf("%w: freelist page %d names page %d", ErrCorrupt, id, free)
		}
	}
	return nil
}

// tree checks the bucket tree rooted at page id.
func (c *checker) tree(id uint64, depth int) error {
	if depth > maxTreeDepth || c.seen[id] {
		return fmt.Errorf("%w: page %d is reached twice", ErrCorrupt, id)
	}
	c.seen[id] = true
	p, flags, err := c.page(id, branchPage, leafPage)
	if err != nil {
		return err
	}
	if flags == leafPage {
		return c.leaf(p, id, depth)
	}
	le := binary.LittleEndian
	n := uint64(le.Uint16(p[10:]))
	if n == 0 || pageHeaderSize+n*branchElemSize > uint64(len(p)) {
		return fmt.Errorf("%w: branch page %d", ErrCorrupt, id)
	}
	for i := range n {
		e := pageHeaderSize + i*branchElemSize
		pos, ksize := uint64(le.Uint32(p[e:])), uint64(le.Uint32(p[e+4:]))
		if e+pos+ksize > uint64(len(p)) {
			return fmt.Errorf("%w: branch page %d", ErrCorrupt, id)
		}
		if err := c.tree(le.Uint64(p[e+8:]), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// leaf checks the elements of a leaf page p (a page of the file, or a
// bucket stored inline in its parent's value) and the buckets it holds.
func (c *checker) leaf(p []byte, id uint64, depth int) error {
	le := binary.LittleEndian
	n := uint64(le.Uint16(p[10:]))
	if pageHeaderSize+n*leafElemSize > uint64(len(p)) {
		return fmt.Errorf("%w: leaf page %d", ErrCorrupt, id)
	}
	for i := range n {
		e := pageHeaderSize + i*leafElemSize
		flags, pos := le.Uint32(p[e:]), uint64(le.Uint32(p[e+4:]))
		ksize, vsize := uint64(le.Uint32(p[e+8:])), uint64(le.Uint32(p[e+12:]))
		if e+pos+ksize+vsize > uint64(len(p)) {
			return fmt.Errorf("%w: leaf page %d", ErrCorrupt, id)
		}
		if flags&bucketLeaf == 0 {
			continue
		}
		v := p[e+pos+ksize : e+pos+ksize+vsize]
		if len(v) < bucketHdrSize {
			return fmt.Errorf("%w: bucket header in page %d", ErrCorrupt, id)
		}
		if root := le.Uint64(v); root != 0 {
			if err := c.tree(root, depth+1); err != nil {
				return err
			}
			continue
		}
		inline := v[bucketHdrSize:]
		if len(inline) < pageHeaderSize || le.Uint16(inline[8:]) != leafPage || depth >= maxTreeDepth {
			return fmt.Errorf("%w: inline bucket in page %d", ErrCorrupt, id)
		}
		if err := c.leaf(inline, id, depth+1); err != nil {
			return err
		}
	}
	return nil
}
