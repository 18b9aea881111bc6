package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/khabar/khabar/corpus"
)

// craftSnapshot writes a snapshot of the test corpus into dir after tamper
// has changed its chunks (and possibly the dimension the manifest states):
// the checksum is valid, the content is what a buggy or foreign writer
// might produce.
func craftSnapshot(t *testing.T, dir string, tamper func(chunks []Chunk) (dim int)) {
	t.Helper()
	c, err := corpus.Load(context.Background(), testCorpus(), corpus.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var chunks []Chunk
	for _, a := range c.Articles {
		chunks = append(chunks, ChunkArticle(a, ChunkOptions{TargetWords: 20})...)
	}
	emb := NewLocalEmbedder(64)
	texts := make([]string, len(chunks))
	for i, c := range chunks {
		texts[i] = c.EmbedText()
	}
	rows, err := emb.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	vecs := matrix{dim: 64}
	for _, r := range rows {
		vecs.data = append(vecs.data, r...)
	}
	// The lexical indexes are those of the untampered chunks.
	st, err := newState(context.Background(), "test/v1", slices.Clone(chunks), vecs, Ranking{}.withDefaults(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dim := tamper(chunks)
	db, _, err := buildCollection(context.Background(), "test/v1", chunks, vecs, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.chunks, st.db, st.vecs = chunks, db, matrix{dim: dim, data: vecs.data}
	if err := saveSnapshot(dir, st); err != nil {
		t.Fatal(err)
	}
}

// secondChunk returns the index of the second chunk of an article that has
// several.
func secondChunk(t *testing.T, chunks []Chunk) int {
	t.Helper()
	for i := 1; i < len(chunks); i++ {
		if chunks[i].ArticleID == chunks[i-1].ArticleID {
			return i
		}
	}
	t.Fatal("no article with two chunks")
	return 0
}

func TestLoadRejectsInconsistentSnapshot(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, chunks []Chunk) int
	}{
		{"negative dimension", func(t *testing.T, chunks []Chunk) int { return -1 }},
		{"huge dimension", func(t *testing.T, chunks []Chunk) int { return 1 << 40 }},
		{"dimension differs from the vectors", func(t *testing.T, chunks []Chunk) int { return 32 }},
		{"negative chunk offset", func(t *testing.T, chunks []Chunk) int {
			i := secondChunk(t, chunks)
			chunks[i].Start = -5000
			return 64
		}},
		{"chunk end past its text", func(t *testing.T, chunks []Chunk) int {
			i := secondChunk(t, chunks)
			chunks[i].Start = chunks[i-1].End - 1
			chunks[i].End = chunks[i].Start + len(chunks[i].Text) + 100
			return 64
		}},
		{"offsets before the chunk before", func(t *testing.T, chunks []Chunk) int {
			i := secondChunk(t, chunks)
			chunks[i].Start, chunks[i].End = 0, len(chunks[i].Text)
			chunks[i-1].Start, chunks[i-1].End = 10, 10+len(chunks[i-1].Text)
			return 64
		}},
		{"chunks numbered out of order", func(t *testing.T, chunks []Chunk) int {
			i := secondChunk(t, chunks)
			chunks[i].N = 5
			chunks[i].ID = chunks[i].ArticleID + "#5"
			return 64
		}},
		{"id does not match its article", func(t *testing.T, chunks []Chunk) int {
			chunks[0].ID = "elsewhere#0"
			return 64
		}},
		{"chunk moved away from its article", func(t *testing.T, chunks []Chunk) int {
			i, last := secondChunk(t, chunks), len(chunks)-1
			chunks[i], chunks[last] = chunks[last], chunks[i]
			return 64
		}},
		{"text not UTF-8", func(t *testing.T, chunks []Chunk) int {
			chunks[0].Text = "\xff" + chunks[0].Text[1:]
			return 64
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			craftSnapshot(t, dir, func(chunks []Chunk) int { return tt.tamper(t, chunks) })
			ix := newTestIndex(t, newCounting(), dir)
			err := ix.Load(context.Background())
			if !errors.Is(err, ErrSnapshot) {
				t.Fatalf("got %v, want ErrSnapshot", err)
			}
			if got := ix.Stats().Chunks; got != 0 {
				t.Errorf("a rejected snapshot left %d chunks serving", got)
			}
			rep := mustSync(t, ix, testCorpus())
			if rep.Embedded != rep.Chunks || topArticle(t, ix, "وزیر دفاع عراق") != "iraq.txt" {
				t.Errorf("rebuild after a rejected snapshot: %+v", rep)
			}
		})
	}
}

// TestCraftedSnapshotIsValid guards the test above: untampered, the
// crafted snapshot loads.
func TestCraftedSnapshotIsValid(t *testing.T) {
	dir := t.TempDir()
	craftSnapshot(t, dir, func([]Chunk) int { return 64 })
	ix := newTestIndex(t, newCounting(), dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := topArticle(t, ix, "وزیر دفاع عراق"); got != "iraq.txt" {
		t.Errorf("top %q, want iraq.txt", got)
	}
}

// resealSnapshot makes data's header agree with its body: the lengths add
// up (with the numeric sections' padding) and the checksum matches, so
// that a fuzzed body reaches the decoder.
func resealSnapshot(data []byte) []byte {
	if len(data) < headerLen {
		return data
	}
	// Each section keeps its stated length while it fits; the last one
	// takes what is left (a section that does not fit, half of it).
	var lens [sections]uint64
	for k := range sections {
		lens[k] = binary.BigEndian.Uint64(data[12+8*k:])
	}
	size := uint64(len(data))
	for k := range sections {
		offs, _, _ := layout(lens)
		left := uint64(0)
		if offs[k] <= size {
			left = size - offs[k]
		}
		if lens[k] > left || k == sections-1 {
			lens[k] = left
			if k < sections-1 {
				lens[k] = left / 2
			}
		}
	}
	if _, total, ok := layout(lens); !ok || total != size {
		return data // the padding does not fit: rejected as truncated
	}
	for k, l := range lens {
		binary.BigEndian.PutUint64(data[12+8*k:], l)
	}
	binary.BigEndian.PutUint64(data[sumOffset:], xxhash.Sum64(data[headerLen:]))
	return data
}

// fuzzCorpus is the smallest corpus whose snapshot has every part the
// decoder validates: two articles, one with a title and two chunks.
func fuzzCorpus() fstest.MapFS {
	return fstest.MapFS{
		"a.md":  {Data: []byte("date 2025-09-28\n# عراق\nوزیر دفاع عراق گفت.\n\nبغداد آرام است.")},
		"b.txt": {Data: []byte("date 2025-10-05\nقیمت دلار.")},
	}
}

// FuzzSnapshot feeds the snapshot decoder arbitrary content behind a valid
// header and checksum: it must return a state or an error wrapping
// ErrSnapshot, never panic, and a state it returns must be searchable.
// The snapshot edited is small (two articles, one of two chunks, a title,
// 4-dimension vectors: every section and the feedback signatures in under
// a kilobyte) to keep each execution cheap.
func FuzzSnapshot(f *testing.F) {
	dir := f.TempDir()
	ix := New(NewLocalEmbedder(4), "fuzz", Options{Dir: dir, Chunk: ChunkOptions{TargetWords: 3}})
	if rep, err := ix.Sync(context.Background(), fuzzCorpus()); err != nil || rep.SnapshotErr != nil {
		f.Fatalf("Sync: %v, snapshot: %v", err, rep.SnapshotErr)
	}
	if st := ix.cur.Load(); len(st.chunks) != 3 || st.articles != 2 || st.chunks[0].Title != "عراق" || len(st.docLex.signature) != 2 {
		f.Fatalf("the seed lost a part it is meant to cover: %d chunks, %d articles, title %q", len(st.chunks), st.articles, st.chunks[0].Title)
	}
	good, err := os.ReadFile(filepath.Join(dir, snapshotName))
	if err != nil {
		f.Fatal(err)
	}
	// An input is an edit of the good snapshot: the cut bytes from at
	// replaced by patch (at and cut are clamped to it), then the header
	// resealed. Any snapshot is one edit away (cut everything, patch the
	// rest), so nothing is out of reach, but the inputs stay a few bytes
	// long and the fuzzer's minimisation of each new one (quadratic in
	// its length) stays instant. A whole 6 KB snapshot as the input made
	// the fuzzer spend its time minimising: ~20 executions in 45 s.
	f.Add(uint(0), uint(0), []byte{})
	// The lexical section (the last one) damaged: a gap, a count, a term.
	lexStart := len(good) - int(binary.BigEndian.Uint64(good[12+8*(sections-1):]))
	for _, off := range []int{0, 1, 7, 40, (len(good) - lexStart) / 2} {
		if lexStart+off < len(good) {
			f.Add(uint(lexStart+off), uint(1), []byte{good[lexStart+off] ^ 0x55})
		}
	}
	f.Add(uint(headerLen), uint(len(good)), []byte{})                     // truncated to the header
	f.Add(uint(0), uint(len(good)), bytes.Repeat([]byte{0}, headerLen+8)) // zeros
	f.Fuzz(func(t *testing.T, at, cut uint, patch []byte) {
		at = min(at, uint(len(good)))
		cut = min(cut, uint(len(good))-at)
		data := make([]byte, 0, len(good)+len(patch))
		data = append(append(append(data, good[:at]...), patch...), good[at+cut:]...)
		data = resealSnapshot(data)
		st, err := decodeSnapshot(context.Background(), bytes.NewReader(data), int64(len(data)), Ranking{}.withDefaults())
		if err != nil {
			if !errors.Is(err, ErrSnapshot) {
				t.Fatalf("error %v does not wrap ErrSnapshot", err)
			}
			return
		}
		ix := New(NewLocalEmbedder(4), st.identity, Options{})
		ix.cur.Store(st)
		if _, err := ix.Search(context.Background(), Query{Text: "وزیر دفاع عراق", K: 3}); err != nil {
			t.Fatalf("Search: %v", err)
		}
		if _, err := ix.Documents(context.Background(), time.Time{}, time.Time{}); err != nil {
			t.Fatalf("Documents: %v", err)
		}
		if _, err := ix.LatestDate(context.Background()); err != nil {
			t.Fatalf("LatestDate: %v", err)
		}
	})
}

// TestLoadDuringAnotherSave is serve saving its snapshot while an ask
// starts on the same DATA_DIR: the reader's Load must leave the writer's
// temporary file alone, and the save succeed.
func TestLoadDuringAnotherSave(t *testing.T) {
	dir := t.TempDir()
	writer := newTestIndex(t, newCounting(), dir)
	reader := newTestIndex(t, newCounting(), dir)
	var loadErr error
	loaded := false
	testHookBeforeRename = func(tmp string) {
		testHookBeforeRename = nil
		loadErr, loaded = reader.Load(context.Background()), true
		if _, err := os.Stat(tmp); err != nil {
			t.Errorf("the writer's temporary snapshot is gone after another Load: %v", err)
		}
	}
	t.Cleanup(func() { testHookBeforeRename = nil })
	rep, err := writer.Sync(context.Background(), testCorpus())
	if err != nil {
		t.Fatal(err)
	}
	if !loaded {
		t.Fatal("the hook did not run")
	}
	if !errors.Is(loadErr, ErrSnapshot) {
		t.Errorf("Load before any snapshot: got %v, want ErrSnapshot", loadErr)
	}
	if rep.SnapshotErr != nil {
		t.Fatalf("the save failed: %v", rep.SnapshotErr)
	}
	if err := reader.Load(context.Background()); err != nil {
		t.Fatalf("Load after the save: %v", err)
	}
	if got := reader.Stats().Articles; got != 5 {
		t.Errorf("reader has %d articles, want 5", got)
	}
}

// TestStaleTempRemovedOnlyWhenNoWriter: a temporary file whose writer is
// gone is removed by Load; while another process (here, another open of
// the lock file) holds the writer lock, nothing is removed.
func TestStaleTempRemovedOnlyWhenNoWriter(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "index.snapshot.tmp-123")
	if err := os.WriteFile(stale, []byte("half a snapshot"), 0o644); err != nil {
		t.Fatal(err)
	}
	lk, err := lockDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	ix := newTestIndex(t, newCounting(), dir)
	ix.Load(context.Background())
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("Load removed a temporary file while its writer holds the lock: %v", err)
	}
	lk.unlock()
	ix.Load(context.Background())
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file kept after the writer let go: %v", err)
	}
}

// TestLoadDuringAnotherProcessSave is TestLoadDuringAnotherSave across
// processes: a child saves a snapshot and stops before the rename until
// told to go on; meanwhile the parent's Load must leave the child's
// temporary file alone.
func TestLoadDuringAnotherProcessSave(t *testing.T) {
	if dir := os.Getenv("KHABAR_TEST_SAVE_DIR"); dir != "" {
		testHookBeforeRename = func(tmp string) {
			fmt.Println("ready " + tmp)
			bufio.NewReader(os.Stdin).ReadString('\n') // the parent's go-ahead
		}
		rep, err := newTestIndex(t, newCounting(), dir).Sync(context.Background(), testCorpus())
		if err != nil || rep.SnapshotErr != nil {
			fmt.Printf("failed: %v %v\n", err, rep.SnapshotErr)
			os.Exit(4)
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadDuringAnotherProcessSave$")
	cmd.Env = append(os.Environ(), "KHABAR_TEST_SAVE_DIR="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewReader(stdout)
	var tmp string
	for tmp == "" {
		line, err := out.ReadString('\n')
		if err != nil {
			cmd.Wait()
			t.Fatalf("child ended before saving: %v", err)
		}
		tmp, _ = strings.CutPrefix(strings.TrimSpace(line), "ready ")
	}
	ix := newTestIndex(t, newCounting(), dir)
	ix.Load(context.Background())
	if _, err := os.Stat(tmp); err != nil {
		t.Errorf("the child's temporary snapshot is gone after the parent's Load: %v", err)
	}
	fmt.Fprintln(stdin, "go")
	stdin.Close()
	rest, _ := io.ReadAll(out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, rest)
	}
	if err := ix.Load(context.Background()); err != nil {
		t.Fatalf("Load after the child's save: %v", err)
	}
	if got := ix.Stats().Articles; got != 5 {
		t.Errorf("%d articles, want 5", got)
	}
}

// TestConcurrentSavesTakeTurns: two indexes on one DATA_DIR (serve and an
// index run) saving at once both succeed, and the snapshot left is whole.
func TestConcurrentSavesTakeTurns(t *testing.T) {
	dir := t.TempDir()
	a, b := newTestIndex(t, newCounting(), dir), newTestIndex(t, newCounting(), dir)
	errs := make(chan error, 2)
	for _, ix := range []*Index{a, b} {
		go func() {
			rep, err := ix.Sync(context.Background(), testCorpus())
			if err == nil {
				err = rep.SnapshotErr
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("save: %v", err)
		}
	}
	ix := newTestIndex(t, newCounting(), dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, snapshotTemp)); len(temps) != 0 {
		t.Errorf("temporary snapshots left: %v", temps)
	}
}
