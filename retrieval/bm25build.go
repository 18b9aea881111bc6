package retrieval

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// lexBlock is how many texts a worker of buildBM25Par analyses at a time.
const lexBlock = 64

// An analyzer appends the lexical terms of text i (persian.Terms, in
// order, repeats kept) to dst. Each worker of buildBM25Par has its own,
// which may keep buffers between calls.
type analyzer func(i int, dst []string) ([]string, error)

// lexBlockOut is what a worker found in one block of texts: for each text
// its length in terms and its distinct terms in order of first
// occurrence, with their frequencies, by the worker's own term ids.
type lexBlockOut struct {
	worker int
	// newTerms are the worker's terms first met in this block, in the
	// order of their ids (the worker's earlier blocks hold the others).
	newTerms []string
	lens     []int32
	ends     []int32   // per text, where its counts end
	counts   []posting // doc is the worker's term id
	err      error
}

// lexWorker is one worker's vocabulary: its terms get ids in the order
// the worker meets them, so that a text's terms are counted without a map
// per text and the merge looks each term up once per worker, not once
// per text.
type lexWorker struct {
	ids   map[string]int32
	last  []int32 // per term: the last text counted in
	pos   []int32 // per term: its place in that text's counts
	terms []string
}

func (w *lexWorker) block(lo, hi int, analyze analyzer, out *lexBlockOut) {
	for i := lo; i < hi; i++ {
		var err error
		w.terms, err = analyze(i, w.terms[:0])
		if err != nil {
			out.err = err
			return
		}
		for _, t := range w.terms {
			id, ok := w.ids[t]
			if !ok {
				id = int32(len(w.last))
				// A clone: as a map key the term would keep the whole
				// folded text it was cut from alive.
				t = strings.Clone(t)
				w.ids[t] = id
				w.last = append(w.last, -1)
				w.pos = append(w.pos, 0)
				out.newTerms = append(out.newTerms, t)
			}
			if w.last[id] != int32(i) {
				w.last[id] = int32(i)
				w.pos[id] = int32(len(out.counts))
				out.counts = append(out.counts, posting{doc: id, tf: 1})
			} else {
				out.counts[w.pos[id]].tf++
			}
		}
		out.lens = append(out.lens, int32(len(w.terms)))
		out.ends = append(out.ends, int32(len(out.counts)))
	}
}

// buildBM25Par indexes count texts whose terms the analyzers give, on
// workers goroutines (each with the analyzer newAnalyzer returns) that
// analyse blocks of texts while the calling goroutine merges the blocks
// in order: term ids, postings and signatures are exactly those of one
// goroutine reading the texts in order (terms numbered as first met).
// With signature > 0 it also keeps that many characteristic terms per
// text. The first analyzer error is returned (the other blocks are
// skipped).
func buildBM25Par(count, workers int, newAnalyzer func() analyzer, params BM25Params, signature int) (*bm25, error) {
	workers = max(1, workers)
	blocks := (count + lexBlock - 1) / lexBlock
	ready := make([]chan *lexBlockOut, blocks)
	for b := range ready {
		ready[b] = make(chan *lexBlockOut, 1)
	}
	// At most inFlight blocks are analysed and not yet merged. A worker
	// takes a slot before it takes a block, so the block the merge waits
	// for always has one.
	inFlight := make(chan struct{}, 16*workers)
	free := make(chan *lexBlockOut, cap(inFlight)) // merged blocks, for reuse
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lw := &lexWorker{ids: make(map[string]int32)}
			analyze := newAnalyzer()
			for {
				inFlight <- struct{}{}
				b := int(next.Add(1) - 1)
				if b >= blocks {
					<-inFlight
					return
				}
				var out *lexBlockOut
				select {
				case out = <-free:
					*out = lexBlockOut{newTerms: out.newTerms[:0], lens: out.lens[:0], ends: out.ends[:0], counts: out.counts[:0]}
				default:
					out = &lexBlockOut{}
				}
				out.worker = w
				if !failed.Load() {
					lo := b * lexBlock
					hi := min(lo+lexBlock, count)
					lw.block(lo, hi, analyze, out)
					if out.err != nil {
						failed.Store(true)
					}
				}
				ready[b] <- out
			}
		}()
	}

	ix := &bm25{
		params: params.withDefaults(),
		ids:    make(map[string]int32),
		docLen: make([]float32, count),
	}
	// fwd holds every text's distinct terms (global ids) with their
	// frequencies, text after text; textEnd[i] is where text i's end.
	var fwd []posting
	textEnd := make([]int32, count)
	var df []int32
	local := make([][]int32, workers) // per worker: its term id → global id (-1: not yet looked up)
	terms := make([][]string, workers)
	var total float64
	var err error
	for b := range blocks {
		out := <-ready[b]
		<-inFlight
		// After a failure the blocks are skipped (merged empty); the
		// failed one is among them, so the error is returned.
		if err == nil {
			err = out.err
		}
		if err != nil {
			continue
		}
		w := out.worker
		terms[w] = append(terms[w], out.newTerms...)
		for range out.newTerms {
			local[w] = append(local[w], -1)
		}
		start := int32(0)
		for j, end := range out.ends {
			i := b*lexBlock + j
			n := out.lens[j]
			ix.docLen[i] = float32(n)
			total += float64(n)
			for _, c := range out.counts[start:end] {
				g := local[w][c.doc]
				if g < 0 {
					t := terms[w][c.doc]
					id, ok := ix.ids[t]
					if !ok {
						id = int32(len(df))
						ix.ids[t] = id
						df = append(df, 0)
					}
					local[w][c.doc] = id
					g = id
				}
				df[g]++
				fwd = append(fwd, posting{doc: g, tf: c.tf})
			}
			textEnd[i] = int32(len(fwd))
			start = end
		}
		if b == 3 && b+1 < blocks {
			// Room for the rest at the rate of the first blocks: fwd
			// is not regrown (and copied) a dozen times.
			done := (b + 1) * lexBlock
			fwd = slices.Grow(fwd, len(fwd)/done*(count-done)*9/8)
		}
		select {
		case free <- out:
		default:
		}
	}
	wg.Wait()
	if err != nil {
		return nil, err
	}

	// Postings by term, each sorted by text (the texts are read in
	// order), all in one array.
	flat := make([]posting, len(fwd))
	at := make([]int32, len(df))
	ix.postings = make([][]posting, len(df))
	off := int32(0)
	for g, n := range df {
		at[g] = off
		ix.postings[g] = flat[off : off+n : off+n]
		off += n
	}
	start := int32(0)
	for i, end := range textEnd {
		for _, p := range fwd[start:end] {
			flat[at[p.doc]] = posting{doc: int32(i), tf: p.tf}
			at[p.doc]++
		}
		start = end
	}
	if count > 0 {
		ix.avgLen = total / float64(count)
	}
	if ix.avgLen == 0 {
		ix.avgLen = 1
	}
	if signature > 0 {
		ix.signature = make([][]weighted, count)
		ix.signatures(fwd, textEnd, signature, workers)
	}
	return ix, nil
}

// signatures sets ix.signature[i] to the n characteristic terms of each
// text i, whose distinct terms are fwd[textEnd[i-1]:textEnd[i]], on
// workers goroutines.
func (ix *bm25) signatures(fwd []posting, textEnd []int32, n, workers int) {
	var wg sync.WaitGroup
	per := (len(textEnd) + workers - 1) / workers
	for lo := 0; lo < len(textEnd); lo += per {
		hi := min(lo+per, len(textEnd))
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []weighted
			for i := lo; i < hi; i++ {
				start := int32(0)
				if i > 0 {
					start = textEnd[i-1]
				}
				ix.signature[i] = ix.characteristic(fwd[start:textEnd[i]], ix.docLen[i], n, &buf)
			}
		}()
	}
	wg.Wait()
}
