package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The snapshot is one file in Options.Dir:
//
//	magic "KHABARIX" | version u32 | metaLen u64 | chunksLen u64 | vectorsLen u64 | lexLen u64 |
//	sha256 of the rest | meta (gob) | chunks | vectors (see chunksnap.go) | lexical indexes (see lexsnap.go)
//
// Version 2 replaced chromem-go's export (version 1) with the chunk and
// vector sections, and added the lexical indexes, so that a warm start
// neither tokenises the corpus nor decodes gob maps; a version 1 snapshot
// is rejected (and the index rebuilt from the corpus). The chromem-go
// collection is rebuilt from the sections on load.
//
// It is written to a temporary file in the same directory, synced, and
// renamed over the old one, so a crash at any point leaves either the old
// or the new snapshot, whole. The checksum catches truncation and damage.
const (
	snapshotName    = "index.snapshot"
	snapshotTemp    = snapshotName + ".tmp-*"
	snapshotMagic   = "KHABARIX"
	snapshotVersion = 2
	sections        = 4 // meta, chunks, vectors, lexical
	sumOffset       = 8 + 4 + 8*sections
	headerLen       = sumOffset + sha256.Size
)

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
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	cw := &countWriter{w: bw}
	if err := gob.NewEncoder(cw).Encode(meta); err != nil {
		return fmt.Errorf("snapshot meta: %w", err)
	}
	var lens [sections]int64
	lens[0] = cw.n
	var buf []byte
	for i := range st.chunks {
		buf = appendChunks(buf[:0], st.chunks[i:i+1])
		if _, err := cw.Write(buf); err != nil {
			return fmt.Errorf("snapshot chunks: %w", err)
		}
	}
	lens[1] = cw.n - lens[0]
	for i := range st.vecs.rows() {
		buf = appendVectors(buf[:0], matrix{dim: st.vecs.dim, data: st.vecs.row(i)})
		if _, err := cw.Write(buf); err != nil {
			return fmt.Errorf("snapshot vectors: %w", err)
		}
	}
	lens[2] = cw.n - lens[0] - lens[1]
	if _, err := cw.Write(appendLexical(nil, st.lex, st.docLex, st.titleLex)); err != nil {
		return fmt.Errorf("snapshot lexical: %w", err)
	}
	lens[3] = cw.n - lens[0] - lens[1] - lens[2]
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("snapshot write: %w", err)
	}
	hdr := make([]byte, 0, headerLen)
	hdr = append(hdr, snapshotMagic...)
	hdr = binary.BigEndian.AppendUint32(hdr, snapshotVersion)
	for _, l := range lens {
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(l))
	}
	hdr = h.Sum(hdr)
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
	return decodeSnapshot(ctx, f, fi.Size(), rk)
}

// maxSnapshotDim bounds the vector dimension a snapshot may declare (the
// largest embedding models use a few thousand).
const maxSnapshotDim = 1 << 16

// decodeSnapshot reads the size-byte snapshot in r. The checksum catches
// damage; what it cannot catch (a snapshot written by a buggy or foreign
// program) is validated while decoding, so that a bad snapshot is an
// error wrapping [ErrSnapshot], never a panic or a state that panics later.
func decodeSnapshot(ctx context.Context, r io.ReaderAt, size int64, rk Ranking) (*state, error) {
	if size < headerLen {
		return nil, fmt.Errorf("%w: truncated (%d bytes)", ErrSnapshot, size)
	}
	hdr := make([]byte, headerLen)
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrSnapshot, err)
	}
	if string(hdr[:8]) != snapshotMagic {
		return nil, fmt.Errorf("%w: not a khabar snapshot", ErrSnapshot)
	}
	if v := binary.BigEndian.Uint32(hdr[8:]); v != snapshotVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrSnapshot, v, snapshotVersion)
	}
	var lens [sections]uint64
	var sum uint64
	body := uint64(size - headerLen)
	for k := range lens {
		lens[k] = binary.BigEndian.Uint64(hdr[12+8*k:])
		if lens[k] > body {
			sum = body + 1
			break
		}
		sum += lens[k]
	}
	if sum != body {
		return nil, fmt.Errorf("%w: truncated (%d bytes, header says %d+%v)", ErrSnapshot, size, headerLen, lens)
	}
	// Every section is read once, hashed on the way, into the memory it
	// is decoded from: the chunk section into one string the chunks'
	// texts are substrings of, the vectors straight into the matrix.
	h := sha256.New()
	src := io.TeeReader(io.NewSectionReader(r, headerLen, int64(body)), h)
	metaData := make([]byte, lens[0])
	if _, err := io.ReadFull(src, metaData); err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrSnapshot, err)
	}
	var meta snapshotMeta
	metaErr := gob.NewDecoder(bytes.NewReader(metaData)).Decode(&meta)
	if metaErr == nil {
		metaErr = meta.validate()
	}
	if metaErr == nil && uint64(meta.Dim)*uint64(len(meta.IDs))*4 != lens[2] {
		metaErr = fmt.Errorf("%d vector bytes for %d chunks of %d dimensions", lens[2], len(meta.IDs), meta.Dim)
	}
	var text strings.Builder
	var vecs matrix
	if metaErr == nil {
		text.Grow(int(lens[1]))
		vecs = matrix{dim: meta.Dim, data: make([]float32, lens[2]/4)}
	}
	if _, err := io.CopyN(&text, src, int64(lens[1])); err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrSnapshot, err)
	}
	vb := vectorBytes(vecs.data)
	if metaErr != nil {
		vb = make([]byte, lens[2]) // only to check the sum
	}
	if _, err := io.ReadFull(src, vb); err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrSnapshot, err)
	}
	lexData := make([]byte, lens[3])
	if _, err := io.ReadFull(src, lexData); err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrSnapshot, err)
	}
	if string(h.Sum(nil)) != string(hdr[sumOffset:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrSnapshot)
	}
	if metaErr != nil {
		return nil, fmt.Errorf("%w: meta: %w", ErrSnapshot, metaErr)
	}
	chunks, err := decodeChunks(text.String(), meta.IDs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	if err := validateChunks(chunks); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	fixVectorOrder(vecs.data)
	articles := 0
	for i, c := range chunks {
		if i == 0 || c.ArticleID != chunks[i-1].ArticleID {
			articles++
		}
	}
	var pre lexical
	if pre.lex, pre.docLex, pre.titleLex, err = decodeLexical(lexData, len(chunks), articles, rk); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
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
// the text is non-empty, valid UTF-8.
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
		case c.Text == "" || !utf8.ValidString(c.Text) || !utf8.ValidString(c.Title):
			return bad("empty or invalid text")
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
