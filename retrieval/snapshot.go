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
	"time"

	"github.com/philippgille/chromem-go"
)

// The snapshot is one file in Options.Dir:
//
//	magic "KHABARIX" | version u32 | metaLen u64 | dbLen u64 | sha256 of the rest | meta (gob) | chromem-go export (gob)
//
// It is written to a temporary file in the same directory, synced, and
// renamed over the old one, so a crash at any point leaves either the old
// or the new snapshot, whole. The checksum catches truncation and damage.
const (
	snapshotName    = "index.snapshot"
	snapshotTemp    = snapshotName + ".tmp-*"
	snapshotMagic   = "KHABARIX"
	snapshotVersion = 1
	headerLen       = 8 + 4 + 8 + 8 + sha256.Size
)

// ErrSnapshot marks a snapshot that is missing, damaged or of another
// format; the caller rebuilds from the corpus.
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
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("snapshot write: %w", err)
	}
	hdr := make([]byte, 0, headerLen)
	hdr = append(hdr, snapshotMagic...)
	hdr = binary.BigEndian.AppendUint32(hdr, snapshotVersion)
	hdr = binary.BigEndian.AppendUint64(hdr, uint64(metaLen))
	hdr = binary.BigEndian.AppendUint64(hdr, uint64(cw.n-metaLen))
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

// Load replaces the serving state with the snapshot in Options.Dir, and
// removes temporary files a crash left behind. It returns an error
// wrapping [ErrSnapshot] when there is no usable snapshot (none yet, damaged,
// another format or another embedder); the index then stays as it was, and
// the caller syncs from the corpus.
func (ix *Index) Load(ctx context.Context) error {
	if ix.opts.Dir == "" {
		return fmt.Errorf("%w: no data directory", ErrSnapshot)
	}
	if stale, _ := filepath.Glob(filepath.Join(ix.opts.Dir, snapshotTemp)); len(stale) > 0 {
		for _, p := range stale {
			os.Remove(p)
		}
	}
	st, err := loadSnapshot(ctx, filepath.Join(ix.opts.Dir, snapshotName), ix.opts.Ranking)
	if err != nil {
		return err
	}
	if st.identity != ix.identity {
		return fmt.Errorf("%w: made by embedder %q, configured %q", ErrSnapshot, st.identity, ix.identity)
	}
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
	hdr := make([]byte, headerLen)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrSnapshot, err)
	}
	if string(hdr[:8]) != snapshotMagic {
		return nil, fmt.Errorf("%w: not a khabar snapshot", ErrSnapshot)
	}
	if v := binary.BigEndian.Uint32(hdr[8:]); v != snapshotVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrSnapshot, v, snapshotVersion)
	}
	metaLen := int64(binary.BigEndian.Uint64(hdr[12:]))
	dbLen := int64(binary.BigEndian.Uint64(hdr[20:]))
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	if metaLen < 0 || dbLen < 0 || headerLen+metaLen+dbLen != fi.Size() {
		return nil, fmt.Errorf("%w: truncated (%d bytes, header says %d)", ErrSnapshot, fi.Size(), headerLen+metaLen+dbLen)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, headerLen, metaLen+dbLen)); err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrSnapshot, err)
	}
	if string(h.Sum(nil)) != string(hdr[28:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrSnapshot)
	}
	var meta snapshotMeta
	if err := gob.NewDecoder(bufio.NewReader(io.NewSectionReader(f, headerLen, metaLen))).Decode(&meta); err != nil {
		return nil, fmt.Errorf("%w: meta: %w", ErrSnapshot, err)
	}
	db := chromem.NewDB()
	if err := db.ImportFromReader(io.NewSectionReader(f, headerLen+metaLen, dbLen), ""); err != nil {
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
	vecs := matrix{dim: meta.Dim, data: make([]float32, len(meta.IDs)*meta.Dim)}
	for i, id := range meta.IDs {
		doc, err := coll.GetByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
		}
		if len(doc.Embedding) != meta.Dim {
			return nil, fmt.Errorf("%w: chunk %s has %d dimensions, want %d", ErrSnapshot, id, len(doc.Embedding), meta.Dim)
		}
		if chunks[i], err = chunkFromDocument(doc); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
		}
		copy(vecs.row(i), sanitize(doc.Embedding))
	}
	// Rebuild the collection over the contiguous rows so the imported
	// copies of the vectors can be freed.
	return newState(ctx, meta.Identity, chunks, vecs, rk)
}
