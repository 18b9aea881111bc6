package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unsafe"

	"github.com/khabar/khabar/corpus"
)

// loadMapped saves testCorpus into a fresh directory and returns an index
// that loaded it, checking that the load mapped the file (where the
// platform can) and that the chunks are views of the mapping.
func loadMapped(t *testing.T) (*Index, string) {
	t.Helper()
	dir := t.TempDir()
	mustSync(t, newTestIndex(t, newCounting(), dir), testCorpus())
	ix := newTestIndex(t, newCounting(), dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !canMap {
		t.Skip("no memory mapping on this platform")
	}
	st := ix.cur.Load()
	if len(st.maps) != 1 || !st.maps[0].mapped {
		t.Fatalf("loaded state holds %d mappings, want 1", len(st.maps))
	}
	for _, c := range st.chunks {
		if !st.maps[0].pointsInto(&c) || !st.maps[0].contains(unsafe.Pointer(unsafe.StringData(c.Text))) {
			t.Fatalf("chunk %s is not a view of the mapping", c.ID)
		}
	}
	if !st.maps[0].contains(unsafe.Pointer(&st.vecs.data[0])) {
		t.Fatal("the vectors are not a view of the mapping")
	}
	return ix, dir
}

// kept is what a caller holds on to after a search: results and
// documents.
type kept struct {
	results []Result
	docs    []Document
}

func keepResults(t *testing.T, ix *Index) kept {
	t.Helper()
	var k kept
	for _, q := range []string{"وزیر دفاع عراق", "قیمت دلار در بازار تهران", "متروی تهران", "هشدار سیل گیلان", "فوتبال ایران"} {
		res, err := ix.Search(context.Background(), Query{Text: q, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Passages) == 0 {
			t.Fatalf("%q found nothing", q)
		}
		k.results = append(k.results, res)
	}
	docs, err := ix.Documents(context.Background(), time.Time{}, time.Time{})
	if err != nil || len(docs) == 0 {
		t.Fatalf("Documents: %v, %d", err, len(docs))
	}
	k.docs = docs
	return k
}

// touch reads every byte of every string the kept results hold: a string
// left pointing into an unmapped snapshot faults here.
func (k kept) touch() (sum int) {
	add := func(ss ...string) {
		for _, s := range ss {
			for i := 0; i < len(s); i++ {
				sum += int(s[i])
			}
		}
	}
	for _, r := range k.results {
		add(r.Question)
		for _, p := range r.Passages {
			add(p.ID, p.ArticleID, p.Title, p.Source, p.URL, p.Text, p.Hash, p.Before)
		}
		for _, tm := range r.Terms {
			add(tm.Text, tm.Correction, tm.Expands)
		}
	}
	for _, d := range k.docs {
		add(d.ID, d.Title, d.Source, d.URL, d.Text)
	}
	return sum
}

// collectUntil runs the collector until cond holds (cleanups run on their
// own goroutine after a cycle), or fails after a few seconds.
func collectUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 200 {
		runtime.GC()
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: not after 200 collections", what)
}

// changedCorpus is testCorpus with every text changed (no chunk kept).
func changedCorpus() fstest.MapFS {
	out := fstest.MapFS{}
	for name, f := range testCorpus() {
		out[name] = &fstest.MapFile{Data: append(slices.Clone(f.Data), " این خبر به‌روز شد."...)}
	}
	return out
}

// TestMappedResultsOutliveTheMapping: results and documents taken from a
// mapped snapshot stay readable after a sync replaced the state (and the
// snapshot file) and the old mapping was unmapped.
func TestMappedResultsOutliveTheMapping(t *testing.T) {
	ix, _ := loadMapped(t)
	k := keepResults(t, ix)
	want := k.touch()
	before := unmapped.Load()
	rep := mustSync(t, ix, changedCorpus())
	if rep.Updated == 0 {
		t.Fatalf("the changed corpus changed nothing: %+v", rep)
	}
	if n := len(ix.cur.Load().maps); n != 0 {
		t.Fatalf("a state of new chunks holds %d mappings, want 0", n)
	}
	collectUntil(t, "the old mapping unmapped", func() bool { return unmapped.Load() > before })
	if got := k.touch(); got != want {
		t.Errorf("kept results changed after the unmapping: sum %d, want %d", got, want)
	}
	// The new state serves (from Go memory).
	if got := topArticle(t, ix, "وزیر دفاع عراق"); got != "iraq.txt" {
		t.Errorf("top %q, want iraq.txt", got)
	}
}

// TestKeptChunksPinTheMapping: a sync that keeps chunks of the loaded
// state (the unchanged files) builds a state whose chunks are views of the
// old mapping, which must then stay mapped while that state serves, even
// though the snapshot file was replaced.
func TestKeptChunksPinTheMapping(t *testing.T) {
	ix, _ := loadMapped(t)
	old := ix.cur.Load().maps[0]
	files := testCorpus()
	src := &corpus.Multi{Sources: []corpus.Source{&corpus.Folder{FS: files}}}
	if rep, err := ix.SyncSource(context.Background(), src); err != nil || rep.SnapshotErr != nil {
		t.Fatalf("SyncSource: %v, %v", err, rep.SnapshotErr) // records the units
	}
	files["dollar.txt"] = &fstest.MapFile{Data: append(slices.Clone(files["dollar.txt"].Data), " قیمت طلا هم پایین آمد."...)}
	rep, err := ix.SyncSource(context.Background(), src)
	if err != nil || rep.SnapshotErr != nil || rep.Updated == 0 {
		t.Fatalf("SyncSource: %v, %v, %+v", err, rep.SnapshotErr, rep)
	}
	st := ix.cur.Load()
	if len(st.maps) != 1 || st.maps[0] != old {
		t.Fatalf("the new state holds %d mappings, want the loaded one", len(st.maps))
	}
	kept := 0
	for _, c := range st.chunks {
		if old.pointsInto(&c) {
			kept++
		}
	}
	if kept == 0 {
		t.Fatal("no chunk of the new state is a view of the old mapping: the test tests nothing")
	}
	before := unmapped.Load()
	old, st = nil, nil
	for range 5 {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if unmapped.Load() != before {
		t.Fatal("the mapping was unmapped while a serving state points into it")
	}
	sum := 0
	for _, c := range ix.cur.Load().chunks { // faults if unmapped
		for i := 0; i < len(c.Text); i++ {
			sum += int(c.Text[i])
		}
	}
	if got := topArticle(t, ix, "وزیر دفاع عراق"); got != "iraq.txt" || sum == 0 {
		t.Errorf("top %q, want iraq.txt", got)
	}
	// Once no state points into it, it goes.
	mustSync(t, ix, changedCorpus())
	collectUntil(t, "the pinned mapping unmapped", func() bool { return unmapped.Load() > before })
}

// TestSearchWhileReloading searches on several goroutines while another
// loads the snapshot again and again and syncs changed corpora (each load
// a new mapping, each sync a new file), with collections in between; run
// with -race. Every result is read whole after the reloads.
func TestSearchWhileReloading(t *testing.T) {
	ix, dir := loadMapped(t)
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		all  []kept
		errs = make(chan error, 8)
	)
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qs := []string{"وزیر دفاع عراق", "قیمت دلار", "متروی تهران", "سیل"}
			for i := 0; ctx.Err() == nil; i++ {
				res, err := ix.Search(context.Background(), Query{Text: qs[(g+i)%len(qs)], K: 5})
				if err != nil {
					errs <- err
					return
				}
				docs, err := ix.Documents(context.Background(), time.Time{}, time.Time{})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				all = append(all, kept{results: []Result{res}, docs: docs})
				mu.Unlock()
				runtime.Gosched()
			}
		}()
	}
	for i := range 6 {
		corp := testCorpus()
		if i%2 == 1 {
			corp = changedCorpus()
		}
		other := New(newCounting(), "test/v1", Options{Dir: dir, Chunk: ChunkOptions{TargetWords: 20}})
		mustSync(t, other, corp) // a new file renamed over the mapped one
		if err := ix.Load(context.Background()); err != nil {
			t.Fatalf("Load %d: %v", i, err)
		}
		runtime.GC()
	}
	mustSync(t, ix, changedCorpus())
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for range 5 {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if len(all) == 0 {
		t.Fatal("no search ran")
	}
	sum := 0
	for _, k := range all {
		sum += k.touch()
	}
	if sum == 0 {
		t.Error("nothing read")
	}
}

// TestSnapshotKeepsInt8Vectors: the int8 vectors are saved and loaded as
// they are (views of the mapping), not computed again.
func TestSnapshotKeepsInt8Vectors(t *testing.T) {
	dir := t.TempDir()
	src := newTestIndex(t, newCounting(), "")
	mustSync(t, src, testCorpus())
	st := *src.cur.Load()
	if st.q8.rows() != 0 {
		t.Fatal("a small index has int8 vectors: the test needs one below quantMin")
	}
	st.q8 = quantize(st.vecs)
	st.q8.data[0]++ // not what quantize gives: only a saved copy has it
	if err := saveSnapshot(dir, &st); err != nil {
		t.Fatal(err)
	}
	ix := newTestIndex(t, newCounting(), dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := ix.cur.Load()
	if !slices.Equal(got.q8.data, st.q8.data) || !slices.Equal(got.q8.scale, st.q8.scale) || got.q8.dim != st.q8.dim {
		t.Fatal("the loaded int8 vectors differ from the saved ones")
	}
	if canMap && !got.maps[0].contains(unsafe.Pointer(&got.q8.data[0])) {
		t.Error("the int8 vectors are not a view of the mapping")
	}
	for _, p := range [...]unsafe.Pointer{unsafe.Pointer(&got.vecs.data[0]), unsafe.Pointer(&got.q8.data[0]), unsafe.Pointer(&got.q8.scale[0])} {
		if uintptr(p)%sectionAlign != 0 {
			t.Errorf("a numeric section at %#x, not a multiple of %d", p, sectionAlign)
		}
	}
}

// TestBuildCollectionReleasesEveryRow: the rows chromem-go read are all
// released, in order, in steps of releaseRows.
func TestBuildCollectionReleasesEveryRow(t *testing.T) {
	n := 2*releaseRows + 5
	chunks := make([]Chunk, n)
	vecs := matrix{dim: 2, data: make([]float32, 2*n)}
	for i := range chunks {
		chunks[i] = Chunk{ID: fmt.Sprint("a#", i), Text: "x"}
		vecs.data[2*i] = 1
	}
	var got [][2]int
	if _, _, err := buildCollection(context.Background(), "t", chunks, vecs, func(lo, hi int) { got = append(got, [2]int{lo, hi}) }); err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{0, releaseRows}, {releaseRows, 2 * releaseRows}, {2 * releaseRows, n}}
	if !slices.Equal(got, want) {
		t.Errorf("released %v, want %v", got, want)
	}
}

// TestAllFinite: every float of a buffer is checked, whatever its place
// (even or odd, the last of an odd count), against a plain loop.
func TestAllFinite(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		for n := 1; n <= 9; n++ {
			for at := -1; at < n; at++ {
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(i) - 3.5 // negatives, zero-ish, the largest finite too
				}
				v[0] = math.MaxFloat32
				if n > 1 {
					v[1] = -math.MaxFloat32
				}
				if at >= 0 {
					v[at] = bad
				}
				if got, want := allFinite(appendVectors(nil, v)), at < 0; got != want {
					t.Errorf("%d floats, %v at %d: allFinite %v, want %v", n, bad, at, got, want)
				}
			}
		}
	}
}

// TestLoadRejectsNonFiniteVectors: a snapshot (with a valid checksum)
// whose vectors hold a NaN or an infinity, or whose int8 scales are
// negative, is rejected: a mapped snapshot is read only, so a load can no
// longer zero them as it did.
func TestLoadRejectsNonFiniteVectors(t *testing.T) {
	src := newTestIndex(t, newCounting(), "")
	mustSync(t, src, testCorpus())
	for name, tamper := range map[string]func(st *state){
		"NaN":            func(st *state) { st.vecs.data[70] = float32(math.NaN()) },
		"infinity":       func(st *state) { st.vecs.data[len(st.vecs.data)-1] = float32(math.Inf(-1)) },
		"negative scale": func(st *state) { st.q8.scale[1] = -st.q8.scale[1] },
	} {
		t.Run(name, func(t *testing.T) {
			st := *src.cur.Load()
			st.vecs.data = slices.Clone(st.vecs.data)
			st.q8 = quantize(st.vecs)
			tamper(&st)
			dir := t.TempDir()
			if err := saveSnapshot(dir, &st); err != nil {
				t.Fatal(err)
			}
			if err := newTestIndex(t, newCounting(), dir).Load(context.Background()); !errors.Is(err, ErrSnapshot) {
				t.Fatalf("got %v, want ErrSnapshot", err)
			}
		})
	}
}

// TestSyncPinsTheStateItTookChunksFrom: chunks assembled from one state
// and synced after a Load made another state serve (SyncSource assembles
// before it takes the sync lock) keep the first state's mapping.
func TestSyncPinsTheStateItTookChunksFrom(t *testing.T) {
	a, _ := loadMapped(t)
	from := a.cur.Load()
	dirB := t.TempDir()
	mustSync(t, newTestIndex(t, newCounting(), dirB), changedCorpus())
	ix := newTestIndex(t, newCounting(), dirB)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	serving := ix.cur.Load()
	ix.syncMu.Lock()
	_, err := ix.syncChunks(context.Background(), slices.Clone(from.chunks), nil, from)
	ix.syncMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	st := ix.cur.Load()
	if st == serving || len(st.maps) != 1 || st.maps[0] != from.maps[0] {
		t.Fatalf("the new state holds %d mappings, want the one its chunks came from", len(st.maps))
	}
}
