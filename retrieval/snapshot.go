package retrieval

import (
	"bufio"
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

	"github.com/philippgille/chromem-go"
)

// The snapshot is one file in Options.Dir:
//
//	magic "KHABARIX" | version u32 | metaLen u64 | dbLen u64 | lexLen u64 | sha256 of the rest |
//	meta (gob) | chromem-go export (gob) | lexical indexes (see lexsnap.go)
//
// Version 2 added the lexical indexes: a version 1 snapshot is rejected
// (and the index rebuilt from the corpus).
//
// It is written to a temporary file in the same directory, synced, and
// renamed over the old one, so a crash at any point leaves either the old
// or the new snapshot, whole. The checksum catches truncation and damage.
const (
	snapshotName    = "index.snapshot"
	snapshotTemp    = snapshotName + ".tmp-*"
	snapshotMagic   = "KHABARIX"
	snapshotVersion = 2
	sumOffset       = 8 + 4 + 8 + 8 + 8
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

	meta := snapshotMeta{Identity: st.identity, Dim: st.vecs.dim, Saved: time.Now().UTC(), IDs: make([]string, len(st.chunks))}
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
	metaLen := cw.n
	if err := st.db.ExportToWriter(cw, false, "", collectionName); err != nil {
		return fmt.Errorf("snapshot export: %w", err)
	}
	dbLen := cw.n - metaLen
	if _, err := cw.Write(appendLexical(nil, st.lex, st.docLex, st.titleLex)); err != nil {
		return fmt.Errorf("snapshot lexical: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("snapshot write: %w", err)
	}
	hdr := make([]byte, 0, headerLen)
	hdr = append(hdr, snapshotMagic...)
	hdr = binary.BigEndian.AppendUint32(hdr, snapshotVersion)
	hdr = binary.BigEndian.AppendUint64(hdr, uint64(metaLen))
	hdr = binary.BigEndian.AppendUint64(hdr, uint64(dbLen))
	hdr = binary.BigEndian.AppendUint64(hdr, uint64(cw.n-metaLen-dbLen))
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
	metaLen, dbLen, lexLen := binary.BigEndian.Uint64(hdr[12:]), binary.BigEndian.Uint64(hdr[20:]), binary.BigEndian.Uint64(hdr[28:])
	if body := uint64(size - headerLen); metaLen > body || dbLen > body || lexLen > body || metaLen+dbLen+lexLen != body {
		return nil, fmt.Errorf("%w: truncated (%d bytes, header says %d+%d+%d+%d)", ErrSnapshot, size, headerLen, metaLen, dbLen, lexLen)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, headerLen, int64(metaLen+dbLen+lexLen))); err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrSnapshot, err)
	}
	if string(h.Sum(nil)) != string(hdr[sumOffset:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrSnapshot)
	}
	var meta snapshotMeta
	if err := gob.NewDecoder(bufio.NewReader(io.NewSectionReader(r, headerLen, int64(metaLen)))).Decode(&meta); err != nil {
		return nil, fmt.Errorf("%w: meta: %w", ErrSnapshot, err)
	}
	if err := meta.validate(); err != nil {
		return nil, fmt.Errorf("%w: meta: %w", ErrSnapshot, err)
	}
	db := chromem.NewDB()
	if err := db.ImportFromReader(io.NewSectionReader(r, headerLen+int64(metaLen), int64(dbLen)), ""); err != nil {
		return nil, fmt.Errorf("%w: import: %w", ErrSnapshot, err)
	}
	coll := db.GetCollection(collectionName, errNoEmbed)
	if coll == nil {
		return nil, fmt.Errorf("%w: no %q collection", ErrSnapshot, collectionName)
	}
	if coll.Count() != len(meta.IDs) {
		return nil, fmt.Errorf("%w: %d documents, manifest lists %d", ErrSnapshot, coll.Count(), len(meta.IDs))
	}
	chunks := make([]Chunk, len(meta.IDs))
	embeddings := make([][]float32, len(meta.IDs))
	for i, id := range meta.IDs {
		doc, err := coll.GetByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
		}
		if doc.ID != id {
			return nil, fmt.Errorf("%w: document %q is stored as %q", ErrSnapshot, doc.ID, id)
		}
		if len(doc.Embedding) != meta.Dim {
			return nil, fmt.Errorf("%w: chunk %s has %d dimensions, want %d", ErrSnapshot, id, len(doc.Embedding), meta.Dim)
		}
		if chunks[i], err = chunkFromDocument(doc); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
		}
		embeddings[i] = doc.Embedding
	}
	if err := validateChunks(chunks); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	// Rebuild the collection over contiguous rows so the imported copies
	// of the vectors can be freed.
	vecs := matrix{dim: meta.Dim, data: make([]float32, len(chunks)*meta.Dim)}
	for i, e := range embeddings {
		copy(vecs.row(i), sanitize(e))
	}
	lexData := make([]byte, lexLen)
	if _, err := r.ReadAt(lexData, headerLen+int64(metaLen+dbLen)); err != nil {
		return nil, fmt.Errorf("%w: lexical: %w", ErrSnapshot, err)
	}
	articles := 0
	for i, c := range chunks {
		if i == 0 || c.ArticleID != chunks[i-1].ArticleID {
			articles++
		}
	}
	var pre lexical
	var err error
	if pre.lex, pre.docLex, pre.titleLex, err = decodeLexical(lexData, len(chunks), articles, rk); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	return newState(ctx, meta.Identity, chunks, vecs, rk, &pre)
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
