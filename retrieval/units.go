package retrieval

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/khabar/khabar/corpus"
)

// unitRec is what a state holds of one unit of its corpus (a file): the
// fingerprint it was read at, its rows, the line of each of its articles,
// and the problems met reading it. It is saved in the snapshot's meta, so
// that the next start parses only the files that changed.
type unitRec struct {
	Path        string
	Fingerprint string
	Start, End  int32 // rows of its chunks
	Lines       []int32
	Problems    []corpus.Problem
}

// unitsKey is what, besides a unit's bytes, its chunks depend on.
func (ix *Index) unitsKey() string {
	o := ix.opts.Chunk.withDefaults()
	return fmt.Sprintf("c1 %d %d %d", o.TargetWords, o.MaxWords, o.Overlap)
}

// held is the [corpus.Known] of a state: the units it holds.
type held struct {
	st     *state
	byPath map[string]int
}

var _ corpus.Known = (*held)(nil)

func (ix *Index) heldOf(st *state) *held {
	h := &held{st: st, byPath: make(map[string]int, len(st.units))}
	if st.identity != ix.identity || st.unitsKey != ix.unitsKey() {
		return h // nothing held: another embedder or chunking
	}
	for i, u := range st.units {
		h.byPath[u.Path] = i
	}
	return h
}

func (h *held) rec(path string) *unitRec {
	if i, ok := h.byPath[path]; ok {
		return &h.st.units[i]
	}
	return nil
}

func (h *held) Fingerprint(path string) string {
	if u := h.rec(path); u != nil {
		return u.Fingerprint
	}
	return ""
}

func (h *held) articleRows(u *unitRec) []int32 {
	var starts []int32
	for r := u.Start; r < u.End; r++ {
		if r == u.Start || h.st.chunks[r].ArticleID != h.st.chunks[r-1].ArticleID {
			starts = append(starts, r)
		}
	}
	return starts
}

func (h *held) Articles(path string) []corpus.Held {
	u := h.rec(path)
	if u == nil {
		return nil
	}
	defer runtime.KeepAlive(h.st) // its mapping, until the ids are cloned
	starts := h.articleRows(u)
	out := make([]corpus.Held, len(starts))
	for i, r := range starts {
		// Cloned: the id may be a view of the snapshot's mapping.
		out[i] = corpus.Held{ID: cloneString(h.st.chunks[r].ArticleID), Line: int(u.Lines[i])}
	}
	return out
}

func (h *held) Texts(path string) []string {
	u := h.rec(path)
	if u == nil {
		return nil
	}
	var out []string
	for _, r := range h.articleRows(u) {
		out = append(out, h.st.document(int(h.st.chunkArt[r])).Text)
	}
	return out
}

// SyncSource reads src and makes the index hold its articles, as
// [Index.SyncArticles] does. When src is a [corpus.Fingerprinter], the
// units (files) whose fingerprint the serving state was built from are
// neither read nor chunked again: their chunks are the serving ones. The
// units are recorded in the state and its snapshot for the next sync.
func (ix *Index) SyncSource(ctx context.Context, src corpus.Source) (Report, error) {
	start := time.Now()
	fp, ok := src.(corpus.Fingerprinter)
	if !ok {
		arts, probs, err := src.Articles(ctx)
		if err != nil {
			return Report{Problems: probs, Duration: time.Since(start)}, err
		}
		rep, err := ix.SyncArticles(ctx, arts)
		rep.Problems = append(probs, rep.Problems...)
		rep.Duration = time.Since(start)
		return rep, err
	}
	old := ix.cur.Load()
	d, err := fp.ArticlesSince(ctx, ix.heldOf(old))
	if errors.Is(err, corpus.ErrStale) {
		d, err = fp.ArticlesSince(ctx, nil)
	}
	if err != nil {
		return Report{Problems: d.Problems, Duration: time.Since(start)}, err
	}
	if rep, ok := ix.allKept(old, d); ok {
		rep.Duration = time.Since(start)
		return rep, nil
	}
	chunks, units, probs, ok := ix.assemble(old, d)
	if !ok { // units that do not fit together (two of one path): sync as before, without units
		arts, probs, err := src.Articles(ctx)
		if err != nil {
			return Report{Problems: probs, Duration: time.Since(start)}, err
		}
		rep, err := ix.SyncArticles(ctx, arts)
		rep.Problems = append(probs, rep.Problems...)
		rep.Duration = time.Since(start)
		return rep, err
	}
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	rep, err := ix.syncChunks(ctx, chunks, units, old)
	rep.Problems = append(probs, rep.Problems...)
	rep.Duration = time.Since(start)
	return rep, err
}

// allKept reports whether d gives exactly old's units, old serving and
// on disk: every unit kept as it was, or read (a live source's) into the
// same chunks. Then nothing changed, and the whole corpus is neither
// assembled (at 1M chunks the copy of the chunks alone is ~200 MB) nor
// compared id by id.
func (ix *Index) allKept(old *state, d corpus.Delta) (Report, bool) {
	if len(d.Units) != len(old.units) || old.identity != ix.identity ||
		old.unitsKey != ix.unitsKey() || !old.saved || len(old.chunks) == 0 {
		return Report{}, false
	}
	probs := slices.Clone(d.Problems)
	per := ix.chunkPer(d.Articles)
	next := 0
	for i, u := range d.Units {
		o := &old.units[i]
		if u.Path != o.Path || u.Fingerprint != o.Fingerprint {
			return Report{}, false
		}
		if u.Kept {
			probs = append(probs, o.Problems...)
			continue
		}
		var (
			fresh []Chunk
			lines []int32
		)
		for ; next < len(d.Articles) && d.Articles[next].Path == u.Path; next++ {
			if len(per[next]) > 0 {
				lines = append(lines, int32(d.Articles[next].Line))
			}
			fresh = append(fresh, per[next]...)
		}
		if !sameChunks(old.chunks[o.Start:o.End], fresh) || !slices.Equal(lines, o.Lines) || !slices.Equal(u.Problems, o.Problems) {
			return Report{}, false
		}
	}
	if next != len(d.Articles) {
		return Report{}, false
	}
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	if ix.cur.Load() != old || !ix.snapshotPresent() {
		return Report{}, false
	}
	sortProblems(probs)
	return Report{Articles: old.articles, Chunks: len(old.chunks), Unchanged: len(old.chunks), Problems: probs}, true
}

// assemble puts the chunks of d together in unit order: a kept unit's
// from old, the others chunked now. It reports false when d's articles
// and units do not match (an article of no unit, out of order, a unit
// twice, an id twice).
func (ix *Index) assemble(old *state, d corpus.Delta) ([]Chunk, []unitRec, []corpus.Problem, bool) {
	h := ix.heldOf(old)
	per := ix.chunkPer(d.Articles)
	var (
		chunks []Chunk
		units  = make([]unitRec, 0, len(d.Units))
		probs  = slices.Clone(d.Problems)
		ids    = make(map[string]bool, len(old.chunks)/4+len(d.Articles))
		next   int // next article of d
	)
	for i, u := range d.Units {
		if i > 0 && d.Units[i-1].Path >= u.Path {
			return nil, nil, nil, false
		}
		rec := unitRec{Path: u.Path, Fingerprint: u.Fingerprint, Start: int32(len(chunks))}
		if u.Kept {
			o := h.rec(u.Path)
			if o == nil {
				return nil, nil, nil, false
			}
			for r := o.Start; r < o.End; r++ {
				c := old.chunks[r]
				if c.N == 0 {
					if ids[c.ArticleID] {
						return nil, nil, nil, false
					}
					ids[c.ArticleID] = true
				}
				chunks = append(chunks, c)
			}
			rec.Lines, rec.Problems = o.Lines, o.Problems
			probs = append(probs, o.Problems...)
		} else {
			for ; next < len(d.Articles) && d.Articles[next].Path == u.Path; next++ {
				a := d.Articles[next]
				if ids[a.ID] {
					return nil, nil, nil, false
				}
				ids[a.ID] = true
				if len(per[next]) > 0 {
					rec.Lines = append(rec.Lines, int32(a.Line))
				}
				chunks = append(chunks, per[next]...)
			}
			rec.Problems = u.Problems
		}
		rec.End = int32(len(chunks))
		units = append(units, rec)
	}
	if next != len(d.Articles) {
		return nil, nil, nil, false
	}
	sortProblems(probs)
	return chunks, units, probs, true
}

// sortProblems puts problems in path, then line order, as the loader does.
func sortProblems(probs []corpus.Problem) {
	slices.SortStableFunc(probs, func(a, b corpus.Problem) int {
		if a.Path != b.Path {
			if a.Path < b.Path {
				return -1
			}
			return 1
		}
		return a.Line - b.Line
	})
}

// sameUnits reports whether two states' units are the same.
func sameUnits(a, b []unitRec) bool {
	return slices.EqualFunc(a, b, func(x, y unitRec) bool {
		return x.Path == y.Path && x.Fingerprint == y.Fingerprint && x.Start == y.Start && x.End == y.End &&
			slices.Equal(x.Lines, y.Lines) && slices.Equal(x.Problems, y.Problems)
	})
}
