package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/persian"
	"github.com/philippgille/chromem-go"
	"golang.org/x/sync/errgroup"
)

// Options tune an [Index]. Zero values mean the defaults.
type Options struct {
	// Dir holds the snapshot (DATA_DIR). Empty keeps the index in memory.
	Dir string
	// Chunk sizes the passages.
	Chunk ChunkOptions
	// Ranking tunes how articles and passages are scored.
	Ranking Ranking
	// Load bounds what the corpus loader accepts.
	Load corpus.LoadOptions
	// EmbedBatch is the number of texts per Embed call; default 64.
	EmbedBatch int
	// EmbedWorkers is the number of concurrent Embed calls; default
	// GOMAXPROCS.
	EmbedWorkers int
	// Progress, when set, is called as chunks are embedded (done of total).
	Progress func(done, total int)
	// Now is the clock that stamps when content arrives (see
	// [Index.Arrived]), and the loader's clock for future dates unless
	// Load.Now is set; default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	o.Ranking = o.Ranking.withDefaults()
	if o.EmbedBatch <= 0 {
		o.EmbedBatch = 64
	}
	if o.EmbedWorkers <= 0 {
		o.EmbedWorkers = runtime.GOMAXPROCS(0)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Load.Now == nil {
		o.Load.Now = o.Now
	}
	return o
}

// ErrEmbedding is returned by [Index.Sync] when the embedder fails or
// returns vectors of the wrong number or shape.
var ErrEmbedding = errors.New("embedding failed")

// Index is the searchable corpus: chunks, their vectors in a chromem-go
// collection (the store of record, saved as the snapshot) and in one
// contiguous matrix for the query path, and a BM25 index. Search always
// reads a complete, immutable state; Sync builds the next state aside and
// swaps it in atomically, so a failed sync leaves the old one serving.
// It is safe for concurrent use.
type Index struct {
	embed    Embedder
	identity string
	opts     Options

	cur    atomic.Pointer[state]
	syncMu sync.Mutex // one sync at a time
}

// state is one complete, immutable version of the index.
type state struct {
	identity string
	chunks   []Chunk
	byHash   map[string]int32 // content hash → row, to reuse vectors
	vecs     matrix
	q8       quantized // int8 copy of vecs for the dense scan; empty below quantMin rows
	lex      *bm25     // over chunks (title + passage)
	// Articles: chunks of one article are contiguous, rows
	// artStart[a]..artStart[a+1]; chunkArt maps a row to its article.
	artStart []int32
	chunkArt []int32
	docLex   *bm25 // over whole articles (title + text)
	titleLex *bm25 // over titles
	db       *chromem.DB
	coll     *chromem.Collection
	articles int
	built    time.Time
	// units are the corpus units (files) the chunks came from, in row
	// order, and unitsKey the chunking they were chunked with; nil when
	// the state was synced from articles (SyncArticles) or is older.
	units    []unitRec
	unitsKey string
	// saved is set when this state is known to be the snapshot in
	// Options.Dir (it was loaded from it or saved to it).
	saved bool
	// maps are the snapshot mappings the state's chunks, vectors or int8
	// vectors point into (see mapfile.go): held so that they stay mapped
	// while the state is reachable.
	maps []*mapping
}

// New returns an empty index that embeds with embed. identity names the
// embedder and its parameters (model, dimension, version); it is stored
// with the snapshot and a change rebuilds every vector. New does no I/O:
// call [Index.Load] to read the snapshot.
func New(embed Embedder, identity string, opts Options) *Index {
	ix := &Index{embed: embed, identity: identity, opts: opts.withDefaults()}
	ix.cur.Store(emptyState(identity))
	return ix
}

func emptyState(identity string) *state {
	st, _ := newState(context.Background(), identity, nil, matrix{}, Ranking{}.withDefaults(), nil)
	return st
}

// Report says what a sync did.
type Report struct {
	Articles  int  // articles in the new index
	Chunks    int  // chunks in the new index
	Added     int  // chunks with a new id
	Updated   int  // chunks whose id existed with different content
	Removed   int  // chunks that are gone
	Unchanged int  // chunks with the same id and content
	Embedded  int  // chunks sent to the embedder (0 when nothing changed)
	Rebuilt   bool // every vector was recomputed (new index or new embedder)
	Problems  []corpus.Problem
	// SnapshotErr is set when the new index serves but could not be saved.
	SnapshotErr error
	// SnapshotKept, with SnapshotErr, says that a snapshot from an earlier
	// save is still in Options.Dir (older than the index now serving);
	// without one, the next start rebuilds from the corpus.
	SnapshotKept bool
	Duration     time.Duration
}

// Stats describes the serving index.
type Stats struct {
	Identity string
	Articles int
	Chunks   int
	Dim      int
	Built    time.Time
}

// Stats returns the size of the serving index.
func (ix *Index) Stats() Stats {
	s := ix.cur.Load()
	return Stats{Identity: s.identity, Articles: s.articles, Chunks: len(s.chunks), Dim: s.vecs.dim, Built: s.built}
}

// Sync loads the corpus from fsys and makes the index match it.
func (ix *Index) Sync(ctx context.Context, fsys fs.FS) (Report, error) {
	start := time.Now()
	c, err := corpus.Load(ctx, fsys, ix.opts.Load)
	if err != nil {
		return Report{Problems: c.Problems, Duration: time.Since(start)}, fmt.Errorf("load corpus: %w", err)
	}
	rep, err := ix.SyncArticles(ctx, c.Articles)
	rep.Problems = append(c.Problems, rep.Problems...)
	rep.Duration = time.Since(start)
	return rep, err
}

// SyncArticles makes the index hold exactly these articles. Chunks whose
// content hash is already indexed (by the same embedder) keep their vector;
// only new or changed chunks are embedded. The new state is saved (when
// Options.Dir is set) and swapped in; on error the old state keeps serving.
func (ix *Index) SyncArticles(ctx context.Context, articles []corpus.Article) (Report, error) {
	start := time.Now()
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	chunks, dupes := ix.chunkAll(articles)
	rep, err := ix.syncChunks(ctx, chunks, nil, nil)
	rep.Problems = append(dupes, rep.Problems...)
	rep.Duration = time.Since(start)
	return rep, err
}

// syncChunks makes the index hold these chunks (SyncArticles after the
// chunking); units, when not nil, are the corpus units they came from
// (SyncSource), and from, when not nil, the state some of the chunks were
// taken from (it may no longer be the serving one). The caller holds
// syncMu.
func (ix *Index) syncChunks(ctx context.Context, chunks []Chunk, units []unitRec, from *state) (Report, error) {
	start := time.Now()
	old := ix.cur.Load()
	// The chunks may be views of old's or from's mappings: both stay
	// reachable (so mapped) until the new state holds what it needs.
	defer runtime.KeepAlive(old)
	defer runtime.KeepAlive(from)
	reuse := old.identity == ix.identity && len(old.chunks) > 0
	rep := Report{Rebuilt: !reuse}

	oldByID := make(map[string]string, len(old.chunks))
	for _, c := range old.chunks {
		oldByID[c.ID] = c.Hash
	}
	var todo []int
	for i, c := range chunks {
		switch h, ok := oldByID[c.ID]; {
		case !ok:
			rep.Added++
		case h != c.Hash:
			rep.Updated++
		default:
			rep.Unchanged++
		}
		if !reuse {
			todo = append(todo, i)
		} else if _, ok := old.byHash[c.Hash]; !ok {
			todo = append(todo, i)
		}
	}
	newIDs := make(map[string]bool, len(chunks))
	for _, c := range chunks {
		newIDs[c.ID] = true
	}
	for id := range oldByID {
		if !newIDs[id] {
			rep.Removed++
		}
	}

	if reuse && len(todo) == 0 && old.saved && sameChunks(old.chunks, chunks) && ix.snapshotPresent() {
		// Nothing changed: the serving state, already on disk, stays; a
		// start with an unchanged corpus builds and writes nothing.
		rep.Articles = old.articles
		rep.Chunks = len(old.chunks)
		if units != nil && (!sameUnits(old.units, units) || old.unitsKey != ix.unitsKey()) {
			// Only what the units say changed (a file touched, a
			// snapshot without units): the same index, saved with them.
			st := *old
			st.units, st.unitsKey, st.saved = units, ix.unitsKey(), false
			ix.save(&st, &rep)
			ix.cur.Store(&st)
		}
		rep.Duration = time.Since(start)
		return rep, nil
	}

	defer syncGC()()
	var (
		fresh matrix
		pre   *prebuilt // the lexical indexes built with the vectors, or nil
		err   error
	)
	if e, ok := ix.embed.(*LocalEmbedder); ok && len(todo) > 0 {
		// Only the local embedder itself: a type that wraps it embeds
		// through its own Embed.
		var passages *bm25
		fresh, passages, err = ix.embedLocal(ctx, e, chunks, todo)
		pre = &prebuilt{lexical: lexical{lex: passages}}
	} else {
		fresh, err = ix.embedChunks(ctx, chunks, todo)
	}
	if err != nil {
		return rep, err
	}
	now := ix.opts.Now().UTC().Truncate(time.Second)
	for i := range chunks {
		chunks[i].Arrived = now
		if row, ok := old.byHash[chunks[i].Hash]; ok && !old.chunks[row].Arrived.IsZero() {
			chunks[i].Arrived = old.chunks[row].Arrived
		}
	}
	rep.Embedded = len(todo)

	dim := old.vecs.dim
	if len(todo) > 0 {
		dim = fresh.dim
		if reuse && dim != old.vecs.dim && len(todo) < len(chunks) {
			return rep, fmt.Errorf("%w: vectors have %d dimensions, the index %d", ErrEmbedding, dim, old.vecs.dim)
		}
	}
	if !reuse && len(todo) == 0 {
		dim = 0
	}
	vecs := fresh // every chunk embedded (todo is 0..n-1): the matrix as it is
	if len(todo) < len(chunks) || len(todo) == 0 {
		vecs = matrix{dim: dim, data: make([]float32, len(chunks)*dim)}
		next := 0
		for i, c := range chunks {
			row := vecs.data[i*dim : (i+1)*dim]
			if next < len(todo) && todo[next] == i {
				copy(row, fresh.row(next))
				next++
				continue
			}
			copy(row, old.vecs.row(int(old.byHash[c.Hash])))
		}
	}

	st, err := newState(ctx, ix.identity, chunks, vecs, ix.opts.Ranking, pre)
	if err != nil {
		return rep, err
	}
	// Chunks kept from the serving state may be views of its snapshot's
	// mapping, which must then stay mapped as long as st serves.
	st.maps = pinsOf(chunks, old.maps)
	if from != nil && from != old {
		for _, m := range pinsOf(chunks, from.maps) {
			if !slices.Contains(st.maps, m) {
				st.maps = append(st.maps, m)
			}
		}
	}
	if units != nil {
		st.units, st.unitsKey = units, ix.unitsKey()
	}
	ix.save(st, &rep)
	ix.cur.Store(st)
	rep.Articles = st.articles
	rep.Chunks = len(st.chunks)
	rep.Duration = time.Since(start)
	return rep, nil
}

// save writes st as the snapshot (when Options.Dir is set) and says how
// that went in rep.
func (ix *Index) save(st *state, rep *Report) {
	if ix.opts.Dir == "" {
		return
	}
	if rep.SnapshotErr = saveSnapshot(ix.opts.Dir, st); rep.SnapshotErr != nil {
		_, err := os.Stat(filepath.Join(ix.opts.Dir, snapshotName))
		rep.SnapshotKept = err == nil
	} else {
		st.saved = true
	}
}

// syncGCPercent is the GOGC a sync builds a new state at. The build's
// garbage (folded texts, embedding buffers, BM25 builders) is short-lived
// next to a live heap it is as large as, and at the default of 100 the
// heap grows to twice the live size on it: the cold start's peak RSS
// (docs/retrieval.md, Footprint). Collecting at 50 lowered it by about a
// quarter for a few percent of CPU. A sync that finds nothing changed
// does not lower it: there the live heap is the loaded index, which every
// extra collection marks again (at 1M chunks 9 s of CPU for 0.4 GB).
const syncGCPercent = 50

var syncGCState struct {
	sync.Mutex
	active int // syncs running
	prev   int // GOGC before the first of them
}

// syncGC sets GOGC to syncGCPercent while syncs build (of any index; the
// last one to finish restores it), unless the operator set GOGC, and
// returns what ends the sync's share.
func syncGC() func() {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	g := &syncGCState
	g.Lock()
	if g.active == 0 {
		g.prev = debug.SetGCPercent(syncGCPercent)
	}
	g.active++
	g.Unlock()
	return func() {
		g.Lock()
		g.active--
		if g.active == 0 {
			debug.SetGCPercent(g.prev)
		}
		g.Unlock()
	}
}

// sameChunks reports whether a sync's fresh chunks are exactly the
// serving ones: same ids, order, content, metadata and hashes, and every
// serving chunk already stamped with its arrival (which the sync would
// keep). Then the state the sync would build equals the serving one.
func sameChunks(old, fresh []Chunk) bool {
	if len(old) != len(fresh) {
		return false
	}
	for i, o := range old {
		f := fresh[i]
		if o.Arrived.IsZero() || o.ID != f.ID || o.Hash != f.Hash || o.ArticleID != f.ArticleID || o.N != f.N ||
			o.Title != f.Title || o.Source != f.Source || o.URL != f.URL || o.Start != f.Start || o.End != f.End ||
			!o.Date.Equal(f.Date) || o.Text != f.Text {
			return false
		}
	}
	return true
}

// snapshotPresent reports whether Options.Dir holds a snapshot file (an
// operator may have removed it since it was loaded or saved).
func (ix *Index) snapshotPresent() bool {
	if ix.opts.Dir == "" {
		return true
	}
	_, err := os.Stat(filepath.Join(ix.opts.Dir, snapshotName))
	return err == nil
}

// chunkAll chunks the articles in order, dropping articles whose id was
// already seen (reported as problems).
func (ix *Index) chunkAll(articles []corpus.Article) ([]Chunk, []corpus.Problem) {
	seen := make(map[string]bool, len(articles))
	var problems []corpus.Problem
	skip := make([]bool, len(articles))
	for i, a := range articles {
		if seen[a.ID] {
			problems = append(problems, corpus.Problem{Path: a.Path, Line: a.Line, Reason: fmt.Sprintf("duplicate id %q", a.ID), Skipped: true})
			skip[i] = true
			continue
		}
		seen[a.ID] = true
	}
	per := ix.chunkPer(articles, skip...)
	n := 0
	for _, cs := range per {
		n += len(cs)
	}
	chunks := make([]Chunk, 0, n) // sized once: no regrown copies
	for i, cs := range per {
		chunks = append(chunks, cs...)
		per[i] = nil
	}
	return chunks, problems
}

// chunkPer chunks each article (but those skip marks) on GOMAXPROCS
// workers.
func (ix *Index) chunkPer(articles []corpus.Article, skip ...bool) [][]Chunk {
	per := make([][]Chunk, len(articles))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				per[i] = ChunkArticle(articles[i], ix.opts.Chunk)
			}
		}()
	}
	for i := range articles {
		if i < len(skip) && skip[i] {
			continue
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return per
}

// embedChunks embeds chunks[todo[i]] in batches on a bounded number of
// workers; the first error cancels the rest. Vectors come back normalised
// and checked for count and dimension.
func (ix *Index) embedChunks(ctx context.Context, chunks []Chunk, todo []int) (matrix, error) {
	if len(todo) == 0 {
		return matrix{}, nil
	}
	// The vectors go straight into one matrix (row i for chunks[todo[i]]),
	// sanitised and normalised there: no copy per vector, none of the
	// whole set. It is allocated when the first batch tells the dimension.
	var (
		mu  sync.Mutex
		out matrix
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(ix.opts.EmbedWorkers)
	var done atomic.Int64
	batch := ix.opts.EmbedBatch
	for lo := 0; lo < len(todo); lo += batch {
		hi := min(lo+batch, len(todo))
		g.Go(func() error {
			texts := make([]string, hi-lo)
			for i := lo; i < hi; i++ {
				texts[i-lo] = chunks[todo[i]].EmbedText()
			}
			vecs, err := ix.embed.Embed(gctx, texts)
			if err != nil {
				return fmt.Errorf("%w: chunks %d–%d: %w", ErrEmbedding, lo, hi, err)
			}
			if len(vecs) != len(texts) {
				return fmt.Errorf("%w: got %d vectors for %d texts", ErrEmbedding, len(vecs), len(texts))
			}
			mu.Lock()
			defer mu.Unlock()
			if out.data == nil {
				if len(vecs[0]) == 0 {
					return fmt.Errorf("%w: empty vector", ErrEmbedding)
				}
				out = matrix{dim: len(vecs[0]), data: make([]float32, len(todo)*len(vecs[0]))}
			}
			for i, v := range vecs {
				if len(v) != out.dim {
					return fmt.Errorf("%w: vector %d has %d dimensions, want %d", ErrEmbedding, lo+i, len(v), out.dim)
				}
				row := out.row(lo + i)
				sanitizeInto(row, v)
				normalizeInPlace(row)
			}
			if p := ix.opts.Progress; p != nil {
				p(int(done.Add(int64(hi-lo))), len(todo))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return matrix{}, err
	}
	return out, nil
}

// embedLocal is embedChunks and the passages' BM25 index in one pass, for
// the local embedder: each chunk's text is folded once, for its terms and
// for the tokens its vector is hashed from, on EmbedWorkers goroutines
// (see buildBM25Par). chunks[todo[j]] is embedded into row j, normalised
// as embedChunks does; the BM25 index covers every chunk.
func (ix *Index) embedLocal(ctx context.Context, e *LocalEmbedder, chunks []Chunk, todo []int) (matrix, *bm25, error) {
	out := matrix{dim: e.Dim(), data: make([]float32, len(todo)*e.Dim())}
	row := make([]int32, len(chunks)) // chunk → its row in out, or -1
	for i := range row {
		row[i] = -1
	}
	for j, i := range todo {
		row[i] = int32(j)
	}
	var (
		mu   sync.Mutex
		done int
	)
	lex, err := buildBM25Par(len(chunks), ix.opts.EmbedWorkers, func() analyzer {
		var (
			fold     persian.Scratch
			sc       embedScratch
			parts    []string
			tokens   []persian.Token
			embedded int // since the last progress report
		)
		return func(i int, dst []string) ([]string, error) {
			if i%lexBlock == 0 && ctx.Err() != nil {
				return nil, fmt.Errorf("%w: chunks %d–%d: %w", ErrEmbedding, i, min(i+lexBlock, len(chunks)), ctx.Err())
			}
			parts = chunks[i].embedParts(parts[:0])
			dst, tokens = fold.AppendTermsTokens(dst, tokens[:0], parts...)
			if j := row[i]; j >= 0 {
				r := out.row(int(j))
				e.embedTokens(r, tokens, &sc)
				sanitizeInto(r, r)
				normalizeInPlace(r)
				embedded++
			}
			if p := ix.opts.Progress; p != nil && embedded > 0 && ((i+1)%lexBlock == 0 || i+1 == len(chunks)) {
				mu.Lock()
				done += embedded
				p(done, len(todo))
				mu.Unlock()
				embedded = 0
			}
			return dst, nil
		}
	}, ix.opts.Ranking.Passage, 0)
	if err != nil {
		return matrix{}, nil, err
	}
	return out, lex, nil
}

// sanitize copies v with NaN and infinities set to zero.
func sanitize(v []float32) []float32 {
	out := make([]float32, len(v))
	sanitizeInto(out, v)
	return out
}

// sanitizeInto copies v into dst (of v's length) with NaN and infinities
// set to zero.
func sanitizeInto(dst, v []float32) {
	for i, x := range v {
		if x == x && x < 3.4e38 && x > -3.4e38 {
			dst[i] = x
		} else {
			dst[i] = 0
		}
	}
}

// lexical holds a state's three BM25 indexes.
type lexical struct {
	lex, docLex, titleLex *bm25
}

// prebuilt is what a loaded snapshot gives a new state besides its chunks
// and vectors: the lexical indexes, the int8 vectors (empty: quantise),
// and the mapping they may all point into.
type prebuilt struct {
	lexical
	// decodeLexical, when set, gives the lexical indexes instead; it
	// runs beside the building of the collection.
	decodeLexical func() (lexical, error)
	q8            quantized
	m             *mapping
}

// newState builds the chromem-go collection and the lexical indexes over
// chunks whose vectors are the rows of vecs. Chunks of one article must be
// contiguous (as chunkAll and the snapshot keep them). pre, when not nil,
// holds the lexical indexes already built over these chunks (read from
// the snapshot), which are then used as they are, and the int8 vectors.
func newState(ctx context.Context, identity string, chunks []Chunk, vecs matrix, rk Ranking, pre *prebuilt) (*state, error) {
	st := &state{
		identity: identity,
		chunks:   chunks,
		byHash:   make(map[string]int32, len(chunks)),
		vecs:     vecs,
		built:    time.Now(),
	}
	for i, c := range chunks {
		if _, ok := st.byHash[c.Hash]; !ok {
			st.byHash[c.Hash] = int32(i)
		}
	}
	st.artStart, st.chunkArt = articleStarts(chunks)
	st.articles = len(st.artStart) - 1

	var m *mapping
	if pre != nil && pre.m != nil && pre.m.mapped {
		m = pre.m
		st.maps = []*mapping{m}
	}
	var (
		wg     sync.WaitGroup
		lexErr error
	)
	switch {
	case pre != nil && pre.q8.rows() == vecs.rows() && pre.q8.dim == vecs.dim:
		st.q8 = pre.q8
	case vecs.rows() >= quantMin && m == nil:
		// Beside the rest (a mapped matrix is read once, below).
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.q8 = quantize(vecs)
		}()
	case vecs.rows() >= quantMin:
		st.q8 = quantize(vecs)
	}
	switch {
	case pre != nil && pre.decodeLexical != nil:
		wg.Add(1)
		go func() {
			defer wg.Done()
			var l lexical
			l, lexErr = pre.decodeLexical()
			st.lex, st.docLex, st.titleLex = l.lex, l.docLex, l.titleLex
		}()
	case pre != nil && pre.lex != nil && pre.docLex != nil && pre.titleLex != nil:
		st.lex, st.docLex, st.titleLex = pre.lex, pre.docLex, pre.titleLex
	default:
		var have lexical
		if pre != nil {
			have = pre.lexical
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := buildLexical(chunks, st.artStart, rk, have)()
			st.lex, st.docLex, st.titleLex = l.lex, l.docLex, l.titleLex
		}()
	}
	// chromem-go reads every vector it is given (AddDocument checks that
	// it is normalised), which would make the whole mapped matrix
	// resident; the pages read are released batch by batch (clean pages
	// of the file: the kernel reads them again when a search needs them).
	release := func(lo, hi int) {
		if m != nil {
			m.release(vectorBytes(vecs.data[lo*vecs.dim : hi*vecs.dim]))
		}
	}
	db, coll, err := buildCollection(ctx, identity, chunks, vecs, release)
	wg.Wait()
	if err == nil {
		err = lexErr
	}
	if err != nil {
		return nil, err
	}
	st.db, st.coll = db, coll
	return st, nil
}

// articleStarts returns where each article's chunks start (chunks of one
// article are contiguous), with len(chunks) at the end, and each chunk's
// article.
func articleStarts(chunks []Chunk) (artStart, chunkArt []int32) {
	chunkArt = make([]int32, len(chunks))
	for i, c := range chunks {
		if i == 0 || c.ArticleID != chunks[i-1].ArticleID {
			artStart = append(artStart, int32(i))
		}
		chunkArt[i] = int32(len(artStart) - 1)
	}
	return append(artStart, int32(len(chunks))), chunkArt
}

// buildLexical starts building the BM25 indexes over chunks (articles
// starting at artStart, see articleStarts) that have does not hold, on a
// goroutine each (each on GOMAXPROCS workers), and returns what waits
// for them and gives all three.
func buildLexical(chunks []Chunk, artStart []int32, rk Ranking, have lexical) func() lexical {
	// The texts are given as each index asks for them, in pieces, not
	// joined: at 100k chunks the passages and whole articles are ~250 MB.
	article := func(a int) []Chunk { return chunks[artStart[a]:artStart[a+1]] }
	articles := len(artStart) - 1
	var wg sync.WaitGroup
	l := have
	build := func(into **bm25, count int, parts func(dst []string, i int) []string, params BM25Params, signature int) {
		if *into != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			*into = buildBM25Parts(count, parts, params, signature)
		}()
	}
	build(&l.lex, len(chunks), func(dst []string, i int) []string { return chunks[i].embedParts(dst) }, rk.Passage, 0)
	build(&l.docLex, articles, func(dst []string, a int) []string { return articleParts(dst, article(a)) }, rk.Article, signatureTerms)
	build(&l.titleLex, articles, func(dst []string, a int) []string { return append(dst, article(a)[0].Title) }, rk.Title, 0)
	return func() lexical {
		wg.Wait()
		return l
	}
}

// signatureTerms is how many characteristic terms are kept per article for
// pseudo-relevance feedback.
const signatureTerms = 40

// articleText puts an article back together from its chunks (which overlap
// by whole sentences): the title, then the text.
func articleText(chunks []Chunk) string {
	return strings.Join(articleParts(nil, chunks), "")
}

// articleParts appends to dst the pieces articleText joins.
func articleParts(dst []string, chunks []Chunk) []string {
	dst = append(dst, chunks[0].Title)
	end := -1
	for _, c := range chunks {
		switch {
		case end < 0:
			dst = append(dst, "\n", c.Text)
		case c.Start >= end:
			dst = append(dst, " ", c.Text)
		case c.End > end:
			dst = append(dst, c.Text[end-c.Start:])
		}
		end = max(end, c.End)
	}
	return dst
}

const collectionName = "chunks"

// releaseRows is how many rows buildCollection stores between two calls
// of its release (16 MB of 256-dimension vectors).
const releaseRows = 16384

// errNoEmbed guards chromem-go's trap: a nil embedding function silently
// means OpenAI. Our documents always carry their vectors.
func errNoEmbed(context.Context, string) ([]float32, error) {
	return nil, errors.New("chromem embedding is not used: vectors are computed by the index")
}

// buildCollection stores every chunk in a fresh in-memory chromem-go
// collection. The documents' embeddings alias the rows of vecs and their
// contents the chunks' texts, so both are held once; they carry no
// metadata, which nothing reads back (the chunks are the record) and which
// chromem-go would copy again.
// release, when not nil, is called on rows [lo, hi) once they are stored.
func buildCollection(ctx context.Context, identity string, chunks []Chunk, vecs matrix, release func(lo, hi int)) (*chromem.DB, *chromem.Collection, error) {
	db := chromem.NewDB()
	coll, err := db.CreateCollection(collectionName, map[string]string{"identity": identity, "dim": strconv.Itoa(vecs.dim)}, errNoEmbed)
	if err != nil {
		return nil, nil, fmt.Errorf("create collection: %w", err)
	}
	for i, c := range chunks {
		doc := chromem.Document{
			ID:        c.ID,
			Embedding: vecs.row(i),
			Content:   c.Text,
		}
		if err := coll.AddDocument(ctx, doc); err != nil {
			return nil, nil, fmt.Errorf("store chunk %s: %w", c.ID, err)
		}
		if release != nil && ((i+1)%releaseRows == 0 || i+1 == len(chunks)) {
			release(i/releaseRows*releaseRows, i+1)
		}
	}
	return db, coll, nil
}
