package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
)

// The snapshot is one file in Options.Dir:
//
//	magic "KHABARIX" | version u32 | length of each section u64 (8) |
//	xxhash64 of everything after the header u64 |
//	meta (gob) | chunk records | hashes | strings (see chunksnap.go) |
//	vectors | int8 vectors | int8 scales | lexical indexes (see lexsnap.go)
//
// Each numeric section (the vectors, the int8 vectors and their scales)
// starts at a multiple of sectionAlign bytes of the file, after zero
// padding, so that a load views it in the memory mapping of the file
// (mapfile.go) as it is: a warm start copies neither the texts nor the
// vectors, nor quantises them again, and the kernel reads their pages when
// a search first touches them.
//
// Version 2 held the chunks as one section of records with their strings
// inline (decoded as substrings of one string read into memory), no int8
// vectors, and a SHA-256 (seconds at a million chunks); version 1 was
// chromem-go's export. An older snapshot is rejected and the index
// rebuilt from the corpus.
//
// It is written to a temporary file in the same directory, synced, and
// renamed over the old one, so a crash at any point leaves either the old
// or the new snapshot, whole; a file is never written once renamed, so a
// process that still maps the old one keeps reading what it mapped. The
// checksum catches truncation and damage.
const (
	snapshotName    = "index.snapshot"
	snapshotTemp    = snapshotName + ".tmp-*"
	snapshotMagic   = "KHABARIX"
	snapshotVersion = 3
	sections        = 8
	sumOffset       = 8 + 4 + 8*sections
	headerLen       = sumOffset + 8
	sectionAlign    = 64
)

// The sections, in file order.
const (
	secMeta = iota
	secRecords
	secHashes
	secStrings
	secVectors
	secQ8
	secScales
	secLexical
)

// alignedSection reports whether section k starts at a multiple of
// sectionAlign.
func alignedSection(k int) bool { return k == secVectors || k == secQ8 || k == secScales }

// layout returns where each section of these lengths starts and the file's
// size, or false when they overflow.
func layout(lens [sections]uint64) (offs [sections]uint64, size uint64, ok bool) {
	pos := uint64(headerLen)
	for k, l := range lens {
		if alignedSection(k) {
			pos = (pos + sectionAlign - 1) / sectionAlign * sectionAlign
		}
		offs[k] = pos
		if l > math.MaxInt64-pos {
			return offs, 0, false
		}
		pos += l
	}
	return offs, pos, true
}

// ErrSnapshot marks a snapshot that is missing, damaged, inconsistent or
// of another format; the caller rebuilds from the corpus.
var ErrSnapshot = errors.New("unusable snapshot")

// snapshotMeta is what the chromem-go export does not say: the row order
// and the embedder that made the vectors.
type snapshotMeta struct {
	Identity string
	Dim      int
	Saved    time.Time
	IDs      []string
	// Units and UnitsKey are the state's corpus units (see unitRec),
	// added within version 2: gob leaves them empty when reading an older
	// snapshot (which the next sync then saves with them) and an older
	// binary skips them, so neither side rejects the other's snapshot.
	Units    []unitRec
	UnitsKey string
}

// snapshotFile is the part of *os.File the snapshot writer uses.
type snapshotFile interface {
	io.Writer
	io.WriterAt
	io.Seeker
	Sync() error
	Close() error
	Name() string
}

func osCreateTemp(dir, pattern string) (snapshotFile, error) { return os.CreateTemp(dir, pattern) }

// createTemp opens the temporary snapshot; tests replace it to simulate a
// full disk.
var createTemp = osCreateTemp

// testHookBeforeRename, when set (by tests), runs after the temporary
// snapshot is written and synced and before it is renamed into place.
var testHookBeforeRename func(tmp string)

func saveSnapshot(dir string, st *state) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("snapshot dir: %w", err)
	}
	lk, err := lockDir(dir, true)
	if err != nil {
		return fmt.Errorf("snapshot %w", err)
	}
	defer lk.unlock()
	removeStaleTemps(dir)
	f, err := createTemp(dir, snapshotTemp)
	if err != nil {
		return fmt.Errorf("snapshot temp file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()

	meta := snapshotMeta{Identity: st.identity, Dim: st.vecs.dim, Saved: time.Now().UTC(), IDs: make([]string, len(st.chunks)),
		Units: st.units, UnitsKey: st.unitsKey}
	for i, c := range st.chunks {
		meta.IDs[i] = c.ID
	}
	if _, err := f.Seek(headerLen, io.SeekStart); err != nil {
		return fmt.Errorf("snapshot seek: %w", err)
	}
	h := xxhash.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	cw := &countWriter{w: bw}
	var lens [sections]uint64
	var buf []byte
	// section writes section k with what fill appends to a buffer, called
	// for rows [lo, hi) in steps (a buffer per step, not the whole set).
	section := func(k int, what string, n int, fill func(b []byte, lo, hi int) []byte) error {
		if alignedSection(k) {
			pad := (sectionAlign - (headerLen+cw.n)%sectionAlign) % sectionAlign
			if _, err := cw.Write(make([]byte, pad)); err != nil {
				return fmt.Errorf("snapshot %s: %w", what, err)
			}
		}
		start := cw.n
		const step = 1024
		for lo := 0; lo < n; lo += step {
			buf = fill(buf[:0], lo, min(lo+step, n))
			if _, err := cw.Write(buf); err != nil {
				return fmt.Errorf("snapshot %s: %w", what, err)
			}
		}
		lens[k] = uint64(cw.n - start)
		return nil
	}
	if err := gob.NewEncoder(cw).Encode(meta); err != nil {
		return fmt.Errorf("snapshot meta: %w", err)
	}
	lens[secMeta] = uint64(cw.n)
	chunks := st.chunks
	prev := func(lo int) *Chunk {
		if lo == 0 {
			return nil
		}
		return &chunks[lo-1]
	}
	dim := st.vecs.dim
	q := st.q8
	if q.rows() != len(chunks) || q.dim != dim {
		q = quantized{} // none (below quantMin), or not of these rows
	}
	steps := []struct {
		k    int
		what string
		n    int
		fill func(b []byte, lo, hi int) []byte
	}{
		{secRecords, "chunks", len(chunks), func(b []byte, lo, hi int) []byte { return appendRecords(b, chunks[lo:hi], prev(lo)) }},
		{secHashes, "hashes", len(chunks), func(b []byte, lo, hi int) []byte {
			for _, c := range chunks[lo:hi] {
				b = append(b, c.Hash...)
			}
			return b
		}},
		{secStrings, "texts", len(chunks), func(b []byte, lo, hi int) []byte { return appendStrings(b, chunks[lo:hi], prev(lo)) }},
		{secVectors, "vectors", st.vecs.rows(), func(b []byte, lo, hi int) []byte { return appendVectors(b, st.vecs.data[lo*dim:hi*dim]) }},
		{secQ8, "int8 vectors", q.rows(), func(b []byte, lo, hi int) []byte { return appendInt8s(b, q.data[lo*dim:hi*dim]) }},
		{secScales, "int8 scales", q.rows(), func(b []byte, lo, hi int) []byte { return appendVectors(b, q.scale[lo:hi]) }},
	}
	for _, s := range steps {
		if err := section(s.k, s.what, s.n, s.fill); err != nil {
			return err
		}
	}
	start := cw.n
	if _, err := cw.Write(appendLexical(nil, st.lex, st.docLex, st.titleLex)); err != nil {
		return fmt.Errorf("snapshot lexical: %w", err)
	}
	lens[secLexical] = uint64(cw.n - start)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("snapshot write: %w", err)
	}
	hdr := make([]byte, 0, headerLen)
	hdr = append(hdr, snapshotMagic...)
	hdr = binary.BigEndian.AppendUint32(hdr, snapshotVersion)
	for _, l := range lens {
		hdr = binary.BigEndian.AppendUint64(hdr, l)
	}
	hdr = binary.BigEndian.AppendUint64(hdr, h.Sum64())
	if _, err := f.WriteAt(hdr, 0); err != nil {
		return fmt.Errorf("snapshot header: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("snapshot sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("snapshot close: %w", err)
	}
	if testHookBeforeRename != nil {
		testHookBeforeRename(tmp)
	}
	if err := os.Rename(tmp, filepath.Join(dir, snapshotName)); err != nil {
		return fmt.Errorf("snapshot rename: %w", err)
	}
	syncDir(dir)
	return nil
}

// removeStaleTemps removes the temporary snapshots in dir; the caller
// holds the writer lock, so no other process is writing one.
func removeStaleTemps(dir string) {
	stale, _ := filepath.Glob(filepath.Join(dir, snapshotTemp))
	for _, p := range stale {
		os.Remove(p)
	}
}

// syncDir makes the rename durable where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Load replaces the serving state with the snapshot in Options.Dir. It
// removes temporary files a crash left behind when no other process is
// writing a snapshot there (see lockName), and never waits for a writer.
// It returns an error wrapping [ErrSnapshot] when there is no usable
// snapshot (none yet, damaged, inconsistent, another format or another
// embedder); the index then stays as it was, and the caller syncs from the
// corpus.
func (ix *Index) Load(ctx context.Context) error {
	if ix.opts.Dir == "" {
		return fmt.Errorf("%w: no data directory", ErrSnapshot)
	}
	if lk, err := lockDir(ix.opts.Dir, false); err == nil {
		removeStaleTemps(ix.opts.Dir)
		lk.unlock()
	}
	st, err := loadSnapshot(ctx, filepath.Join(ix.opts.Dir, snapshotName), ix.opts.Ranking)
	if err != nil {
		return err
	}
	if st.identity != ix.identity {
		return fmt.Errorf("%w: made by embedder %q, configured %q", ErrSnapshot, st.identity, ix.identity)
	}
	st.saved = true
	ix.syncMu.Lock()
	ix.cur.Store(st)
	ix.syncMu.Unlock()
	return nil
}

func loadSnapshot(ctx context.Context, path string, rk Ranking) (*state, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	hdr, err := readHeader(f, fi.Size())
	if err != nil {
		return nil, err
	}
	m, err := mapFile(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%w: map: %w", ErrSnapshot, err)
	}
	return decodeMapped(ctx, m, f, hdr, rk)
}

// maxSnapshotDim bounds the vector dimension a snapshot may declare (the
// largest embedding models use a few thousand).
const maxSnapshotDim = 1 << 16

// snapshotHeader is a snapshot's header, checked against its size.
type snapshotHeader struct {
	lens, offs [sections]uint64
	size       uint64
	sum        uint64
}

func (h *snapshotHeader) section(data []byte, k int) []byte {
	return data[h.offs[k] : h.offs[k]+h.lens[k] : h.offs[k]+h.lens[k]]
}

// readHeader reads and checks the header of the size-byte snapshot r.
func readHeader(r io.ReaderAt, size int64) (snapshotHeader, error) {
	var h snapshotHeader
	if size < headerLen {
		return h, fmt.Errorf("%w: truncated (%d bytes)", ErrSnapshot, size)
	}
	hdr := make([]byte, headerLen)
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return h, fmt.Errorf("%w: header: %w", ErrSnapshot, err)
	}
	if string(hdr[:8]) != snapshotMagic {
		return h, fmt.Errorf("%w: not a khabar snapshot", ErrSnapshot)
	}
	if v := binary.BigEndian.Uint32(hdr[8:]); v != snapshotVersion {
		return h, fmt.Errorf("%w: version %d, want %d", ErrSnapshot, v, snapshotVersion)
	}
	for k := range h.lens {
		h.lens[k] = binary.BigEndian.Uint64(hdr[12+8*k:])
	}
	h.sum = binary.BigEndian.Uint64(hdr[sumOffset:])
	var ok bool
	h.offs, h.size, ok = layout(h.lens)
	if !ok || h.size != uint64(size) {
		return h, fmt.Errorf("%w: truncated (%d bytes, header says %v)", ErrSnapshot, size, h.lens)
	}
	return h, nil
}

// decodeSnapshot reads the size-byte snapshot in r into memory and decodes
// it (the tests' and the fuzzer's way in; a load maps the file).
func decodeSnapshot(ctx context.Context, r io.ReaderAt, size int64, rk Ranking) (*state, error) {
	hdr, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrSnapshot, err)
	}
	return decodeMapped(ctx, &mapping{data: data}, r, hdr, rk)
}

// decodeMapped decodes the snapshot in m (its header hdr), whose bytes r
// reads too. The checksum catches damage; what it cannot catch (a
// snapshot written by a buggy or foreign program) is validated, so that a
// bad snapshot is an error wrapping [ErrSnapshot], never a panic or a
// state that panics later.
//
// The small sections (meta, chunk records, hashes, lexical indexes) are
// decoded from m; the large ones (strings, vectors) are only viewed. The
// checksum and the checks of the large sections' content (UTF-8 strings,
// finite floats) read the file through r into a small buffer, not through
// m, so that a load does not make the whole mapping resident.
func decodeMapped(ctx context.Context, m *mapping, r io.ReaderAt, hdr snapshotHeader, rk Ranking) (*state, error) {
	sec := func(k int) []byte { return hdr.section(m.data, k) }
	var meta snapshotMeta
	err := gob.NewDecoder(bytes.NewReader(sec(secMeta))).Decode(&meta)
	if err == nil {
		err = meta.validate()
	}
	n := uint64(len(meta.IDs))
	if err == nil && uint64(meta.Dim)*n*4 != hdr.lens[secVectors] {
		err = fmt.Errorf("%d vector bytes for %d chunks of %d dimensions", hdr.lens[secVectors], n, meta.Dim)
	}
	q8 := hdr.lens[secQ8] > 0 || hdr.lens[secScales] > 0
	if err == nil && q8 && (hdr.lens[secQ8] != uint64(meta.Dim)*n || hdr.lens[secScales] != 4*n) {
		err = fmt.Errorf("%d int8 vector bytes and %d scale bytes for %d chunks of %d dimensions", hdr.lens[secQ8], hdr.lens[secScales], n, meta.Dim)
	}
	if err != nil {
		err = fmt.Errorf("meta: %w", err)
	}
	var (
		chunks []Chunk
		spans  []int32
	)
	if err == nil {
		chunks, spans, err = decodeRecords(sec(secRecords), sec(secStrings), sec(secHashes), meta.IDs)
	}
	m.release(sec(secMeta))
	m.release(sec(secRecords))
	if err == nil {
		err = validateChunks(chunks)
	}
	// The checksum pass reads the whole file: it runs beside the decoding
	// of the lexical indexes and the chromem-go collection, whose result
	// is dropped if it fails.
	type verdict struct {
		sum     uint64
		content error
	}
	verified := make(chan verdict, 1)
	go func() {
		sum, content := verifyBody(r, &hdr, spans)
		verified <- verdict{sum, content}
	}()
	var st *state
	if err == nil {
		st, err = decodeState(ctx, m, &hdr, &meta, chunks, rk)
	}
	v := <-verified
	switch {
	case v.sum != hdr.sum:
		return nil, fmt.Errorf("%w: checksum mismatch", ErrSnapshot)
	case errors.Is(err, ErrSnapshot) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return nil, err
	case err == nil && v.content != nil:
		err = v.content
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	return st, nil
}

// decodeState builds the state of a snapshot whose meta and chunks are
// decoded and checked: the vectors and int8 vectors as views of m, the
// lexical indexes decoded, the chromem-go collection built.
func decodeState(ctx context.Context, m *mapping, hdr *snapshotHeader, meta *snapshotMeta, chunks []Chunk, rk Ranking) (*state, error) {
	sec := func(k int) []byte { return hdr.section(m.data, k) }
	vecs := matrix{dim: meta.Dim, data: nativeFloats(sec(secVectors))}
	pre := prebuilt{m: m}
	if hdr.lens[secQ8] > 0 {
		pre.q8 = quantized{dim: meta.Dim, data: int8sOf(sec(secQ8)), scale: nativeFloats(sec(secScales))}
	}
	articles := 0
	for i, c := range chunks {
		if i == 0 || c.ArticleID != chunks[i-1].ArticleID {
			articles++
		}
	}
	pre.decodeLexical = func() (l lexical, err error) {
		l.lex, l.docLex, l.titleLex, err = decodeLexical(sec(secLexical), len(chunks), articles, rk)
		m.release(sec(secLexical))
		return l, err
	}
	st, err := newState(ctx, meta.Identity, chunks, vecs, rk, &pre)
	if err != nil {
		return nil, err
	}
	if validUnits(meta.Units, chunks) {
		st.units, st.unitsKey = meta.Units, meta.UnitsKey
	} // else: read every unit on the next sync, which records them again
	return st, nil
}

// verifyBody reads everything after the header through r, in order, into
// a buffer of a megabyte (larger only for a longer string), and returns
// its xxhash and the first content error: padding that is not zero, a
// float that is not finite (vectors) or negative (scales), a string of
// the strings section (of the lengths spans, when not nil) that is not
// UTF-8.
func verifyBody(r io.ReaderAt, hdr *snapshotHeader, spans []int32) (uint64, error) {
	h := xxhash.New()
	buf := make([]byte, 1<<20)
	var bad error
	fail := func(err error) {
		if bad == nil {
			bad = err
		}
	}
	// read hashes [off, off+n) and gives it to check.
	read := func(off, n uint64, check func([]byte)) bool {
		if n > uint64(len(buf)) {
			buf = make([]byte, n)
		}
		b := buf[:n]
		if _, err := r.ReadAt(b, int64(off)); err != nil {
			fail(fmt.Errorf("read: %w", err))
			return false
		}
		h.Write(b)
		if check != nil {
			check(b)
		}
		return true
	}
	// chunked reads [off, off+n) a buffer at a time.
	chunked := func(off, n uint64, check func([]byte)) bool {
		for n > 0 {
			step := min(n, 1<<20)
			if !read(off, step, check) {
				return false
			}
			off, n = off+step, n-step
		}
		return true
	}
	scales := func(b []byte) {
		for i := 0; i+4 <= len(b); i += 4 {
			x := math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))
			if x != x || x > math.MaxFloat32 || x < 0 {
				fail(fmt.Errorf("int8 scale %v", x))
				return
			}
		}
	}
	vectors := func(b []byte) {
		if !allFinite(b) {
			fail(errors.New("a vector holds NaN or an infinity"))
		}
	}
	pos := uint64(headerLen)
	for k := range sections {
		if pad := hdr.offs[k] - pos; pad > 0 && !read(pos, pad, func(b []byte) {
			if !allZero(b) {
				fail(errors.New("padding is not zero"))
			}
		}) {
			return 0, bad
		}
		off, n := hdr.offs[k], hdr.lens[k]
		ok := true
		switch {
		case k == secVectors:
			ok = chunked(off, n, vectors)
		case k == secScales:
			ok = chunked(off, n, scales)
		case k == secStrings && spans != nil:
			// A window of whole strings, each checked on its own.
			for j := 0; ok && j < len(spans); {
				w, e := uint64(0), j
				for e < len(spans) && (e == j || w+uint64(spans[e]) <= uint64(len(buf))) {
					w += uint64(spans[e])
					e++
				}
				lo := j
				ok = read(off, w, func(b []byte) {
					for _, l := range spans[lo:e] {
						if !utf8.Valid(b[:l]) {
							fail(errors.New("a text is not UTF-8"))
							return
						}
						b = b[l:]
					}
				})
				off, j = off+w, e
			}
		default:
			ok = chunked(off, n, nil)
		}
		if !ok {
			return 0, bad
		}
		pos = hdr.offs[k] + hdr.lens[k]
	}
	return h.Sum64(), bad
}

// allFinite reports whether the little-endian float32s in b (a multiple
// of 8 bytes but for the last float) are all finite: no exponent of all
// ones. Two floats at a time, without a branch per float: adding 1 to an
// exponent of all ones carries into the float's sign bit, which nothing
// else reaches (the sign bit is masked off first).
func allFinite(b []byte) bool {
	const (
		exp  = 0x7f800000_7f800000
		one  = 0x00800000_00800000
		sign = 0x80000000_80000000
	)
	var acc uint64
	i := 0
	for ; i+8 <= len(b); i += 8 {
		acc |= binary.LittleEndian.Uint64(b[i:])&exp + one
	}
	if i+4 <= len(b) {
		acc |= uint64(binary.LittleEndian.Uint32(b[i:]))&(exp>>32) + one>>32
	}
	return acc&sign == 0
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// validUnits reports whether units cover chunks in order, each on whole
// articles with one line per article.
func validUnits(units []unitRec, chunks []Chunk) bool {
	if len(units) == 0 {
		return false
	}
	var row int32
	for i, u := range units {
		if u.Start != row || u.End < u.Start || int(u.End) > len(chunks) || (i > 0 && units[i-1].Path >= u.Path) {
			return false
		}
		articles := 0
		for r := u.Start; r < u.End; r++ {
			if r == u.Start || chunks[r].ArticleID != chunks[r-1].ArticleID {
				if chunks[r].N != 0 {
					return false
				}
				articles++
			}
		}
		if articles != len(u.Lines) {
			return false
		}
		row = u.End
	}
	return int(row) == len(chunks)
}

// isChunkID reports whether id is article + "#" + n, without building it.
func isChunkID(id, article string, n int) bool {
	rest, ok := strings.CutPrefix(id, article)
	return ok && len(rest) > 1 && rest[0] == '#' && rest[1:] == strconv.Itoa(n)
}

// validate checks the manifest: a dimension in range (positive when there
// are chunks) and unique, non-empty chunk ids.
func (m snapshotMeta) validate() error {
	switch {
	case m.Dim < 0 || m.Dim > maxSnapshotDim:
		return fmt.Errorf("dimension %d out of range", m.Dim)
	case m.Dim == 0 && len(m.IDs) > 0:
		return fmt.Errorf("dimension 0 for %d chunks", len(m.IDs))
	}
	seen := make(map[string]bool, len(m.IDs))
	for _, id := range m.IDs {
		if id == "" {
			return errors.New("empty chunk id")
		}
		if seen[id] {
			return fmt.Errorf("chunk %s listed twice", quoteShort(id))
		}
		seen[id] = true
	}
	return nil
}

// validateChunks checks what the rest of the index relies on and
// [ChunkArticle] guarantees: each article's chunks are contiguous and
// numbered from 0 (with unique "article#n" ids, an article that came back
// later would repeat "article#0"), offsets are ordered and span the
// chunk's text (a title-only chunk, alone in its article, has none), and
// the text is non-empty (verifyBody checks that it is UTF-8). It reads no
// byte of the texts.
func validateChunks(chunks []Chunk) error {
	for i, c := range chunks {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("chunk %s: %s", quoteShort(c.ID), fmt.Sprintf(format, args...))
		}
		first := i == 0 || c.ArticleID != chunks[i-1].ArticleID
		switch {
		case first && c.N != 0, !first && c.N != chunks[i-1].N+1:
			return bad("numbered %d out of order", c.N)
		case !isChunkID(c.ID, c.ArticleID, c.N):
			return bad("id does not match article %s and number %d", quoteShort(c.ArticleID), c.N)
		case c.Text == "":
			return bad("empty text")
		case c.Start < 0 || c.End < c.Start:
			return bad("offsets %d–%d", c.Start, c.End)
		case c.End-c.Start != len(c.Text) && !(c.Start == 0 && c.End == 0 && first && (i+1 == len(chunks) || chunks[i+1].ArticleID != c.ArticleID)):
			return bad("offsets %d–%d do not span its %d bytes", c.Start, c.End, len(c.Text))
		case !first && c.Start < chunks[i-1].Start:
			return bad("starts at %d, before the chunk before it (%d)", c.Start, chunks[i-1].Start)
		}
	}
	return nil
}

// quoteShort quotes s for an error message, cut to 40 runes.
func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}
