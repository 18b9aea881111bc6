package retrieval

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/khabar/khabar/corpus"
)

// countingEmbedder wraps the local embedder, counts the texts it embeds
// and can be told to fail.
type countingEmbedder struct {
	*LocalEmbedder
	texts atomic.Int64
	fail  atomic.Bool
}

func newCounting() *countingEmbedder { return &countingEmbedder{LocalEmbedder: NewLocalEmbedder(64)} }

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.fail.Load() {
		return nil, errors.New("embedder down")
	}
	c.texts.Add(int64(len(texts)))
	return c.LocalEmbedder.Embed(ctx, texts)
}

// testCorpus is a small news corpus in the seed format.
func testCorpus() fstest.MapFS {
	return fstest.MapFS{
		"iraq.txt":     {Data: []byte("date 2025-09-28 به گزارش تابناک، وزیر دفاع عراق گفت روابط بغداد و واشنگتن وارد مرحله‌ای تازه شده است. او افزود همکاری امنیتی با آمریکا ادامه دارد.\n\nوزیر دفاع عراق درباره داعش گفت بقایای این گروه هنوز در بیابان‌ها فعال‌اند.")},
		"dollar.txt":   {Data: []byte("date 2025-10-05\nبه گزارش ایسنا، قیمت دلار در بازار آزاد تهران امروز ۱۶۰۰ تومان کاهش یافت و به ۱۱۴ هزار و ۶۰۰ تومان رسید. قیمت سکه نیز ارزان شد.")},
		"metro.txt":    {Data: []byte("date 2025-10-01\nبه گزارش همشهری آنلاین، فاز نخست خط ۱۰ متروی تهران با ۶ ایستگاه افتتاح شد. طول این خط ۹ کیلومتر است.")},
		"flood.txt":    {Data: []byte("date 2025-10-04\nخبرگزاری فارس: هشدار نارنجی سیل برای استان‌های گیلان و مازندران صادر شد. بارش شدید باران تا پایان هفته ادامه دارد.")},
		"football.txt": {Data: []byte("date 2025-10-10\nبه گزارش ایرنا، تیم ملی فوتبال ایران در دیداری دوستانه تانزانیا را ۲ بر ۱ شکست داد.")},
	}
}

func newTestIndex(t *testing.T, emb Embedder, dir string) *Index {
	t.Helper()
	return New(emb, "test/v1", Options{Dir: dir, Chunk: ChunkOptions{TargetWords: 20}})
}

func mustSync(t *testing.T, ix *Index, fsys fstest.MapFS) Report {
	t.Helper()
	rep, err := ix.Sync(context.Background(), fsys)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if rep.SnapshotErr != nil {
		t.Fatalf("snapshot: %v", rep.SnapshotErr)
	}
	return rep
}

func topArticle(t *testing.T, ix *Index, q string) string {
	t.Helper()
	res, err := ix.Search(context.Background(), Query{Text: q, K: 3})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	if len(res.Passages) == 0 {
		return ""
	}
	return res.Passages[0].ArticleID
}

func TestSyncEmbedsOnlyWhatChanged(t *testing.T) {
	emb := newCounting()
	ix := newTestIndex(t, emb, t.TempDir())
	corpus := testCorpus()

	rep := mustSync(t, ix, corpus)
	if rep.Added != rep.Chunks || rep.Embedded != rep.Chunks || !rep.Rebuilt || rep.Articles != 5 {
		t.Fatalf("first sync: %+v", rep)
	}
	total := rep.Chunks

	emb.texts.Store(0)
	rep = mustSync(t, ix, corpus)
	if rep.Embedded != 0 || emb.texts.Load() != 0 || rep.Unchanged != total || rep.Added+rep.Updated+rep.Removed != 0 {
		t.Fatalf("unchanged sync: %+v, embedder saw %d texts", rep, emb.texts.Load())
	}

	// Edit one article: only its changed chunks are embedded.
	edited := testCorpus()
	edited["metro.txt"] = &fstest.MapFile{Data: []byte("date 2025-10-01\nبه گزارش همشهری آنلاین، فاز نخست خط ۱۰ متروی تهران با هفت ایستگاه افتتاح شد. طول این خط ۹ کیلومتر است.")}
	emb.texts.Store(0)
	rep = mustSync(t, ix, edited)
	if rep.Embedded != 1 || emb.texts.Load() != 1 || rep.Updated != 1 || rep.Unchanged != total-1 {
		t.Fatalf("edit sync: %+v, embedder saw %d texts", rep, emb.texts.Load())
	}
	if got := topArticle(t, ix, "متروی تهران چند ایستگاه دارد؟ هفت"); got != "metro.txt" {
		t.Errorf("after edit: top article %q, want metro.txt", got)
	}

	// Delete it: its chunks leave the index and search.
	delete(edited, "metro.txt")
	rep = mustSync(t, ix, edited)
	if rep.Removed != 1 || rep.Embedded != 0 {
		t.Fatalf("delete sync: %+v", rep)
	}
	res, _ := ix.Search(context.Background(), Query{Text: "خط ۱۰ متروی تهران", K: 10})
	for _, p := range res.Passages {
		if p.ArticleID == "metro.txt" {
			t.Errorf("deleted article still found: %+v", p.Chunk)
		}
	}
}

func TestSyncNewEmbedderRebuilds(t *testing.T) {
	dir := t.TempDir()
	mustSync(t, newTestIndex(t, newCounting(), dir), testCorpus())

	emb := newCounting()
	ix := New(emb, "test/v2", Options{Dir: dir, Chunk: ChunkOptions{TargetWords: 20}})
	if err := ix.Load(context.Background()); !errors.Is(err, ErrSnapshot) {
		t.Fatalf("Load with another embedder: got %v, want ErrSnapshot", err)
	}
	rep := mustSync(t, ix, testCorpus())
	if !rep.Rebuilt || rep.Embedded != rep.Chunks || emb.texts.Load() != int64(rep.Chunks) {
		t.Errorf("got %+v, want every chunk embedded again", rep)
	}
}

func TestFailedSyncKeepsServing(t *testing.T) {
	emb := newCounting()
	ix := newTestIndex(t, emb, t.TempDir())
	mustSync(t, ix, testCorpus())

	emb.fail.Store(true)
	edited := testCorpus()
	edited["new.txt"] = &fstest.MapFile{Data: []byte("date 2025-10-11\nخبر تازه درباره سدهای تهران.")}
	if _, err := ix.Sync(context.Background(), edited); !errors.Is(err, ErrEmbedding) {
		t.Fatalf("got %v, want ErrEmbedding", err)
	}
	if got := topArticle(t, ix, "وزیر دفاع عراق"); got != "iraq.txt" {
		t.Errorf("after a failed sync: top %q, want the old index serving iraq.txt", got)
	}
	if got := ix.Stats().Articles; got != 5 {
		t.Errorf("after a failed sync: %d articles, want the old 5", got)
	}

	// A corpus with no usable article is an error too, and changes nothing.
	if _, err := ix.Sync(context.Background(), fstest.MapFS{"bad.txt": {Data: []byte("\xff\xfe")}}); !errors.Is(err, corpus.ErrNoArticles) {
		t.Fatalf("got %v, want corpus.ErrNoArticles", err)
	}
	if got := ix.Stats().Articles; got != 5 {
		t.Errorf("after an empty corpus: %d articles, want 5", got)
	}
}

func TestSnapshotRestartEmbedsNothing(t *testing.T) {
	dir := t.TempDir()
	mustSync(t, newTestIndex(t, newCounting(), dir), testCorpus())

	emb := newCounting()
	ix := newTestIndex(t, emb, dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := topArticle(t, ix, "قیمت دلار در بازار تهران"); got != "dollar.txt" {
		t.Errorf("from the snapshot: top %q, want dollar.txt", got)
	}
	emb.texts.Store(0) // the question above was embedded
	rep := mustSync(t, ix, testCorpus())
	if rep.Embedded != 0 || emb.texts.Load() != 0 {
		t.Errorf("restart sync embedded %d (embedder saw %d), want 0", rep.Embedded, emb.texts.Load())
	}
}

func TestLoadRejectsDamagedSnapshot(t *testing.T) {
	tests := []struct {
		name   string
		damage func(data []byte) []byte
	}{
		{"truncated", func(d []byte) []byte { return d[:len(d)/2] }},
		{"header only", func(d []byte) []byte { return d[:headerLen] }},
		{"flipped byte", func(d []byte) []byte { d[len(d)-10] ^= 0xff; return d }},
		{"not a snapshot", func([]byte) []byte { return []byte("hello") }},
		{"empty", func([]byte) []byte { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			mustSync(t, newTestIndex(t, newCounting(), dir), testCorpus())
			path := filepath.Join(dir, snapshotName)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tt.damage(data), 0o644); err != nil {
				t.Fatal(err)
			}
			ix := newTestIndex(t, newCounting(), dir)
			if err := ix.Load(context.Background()); !errors.Is(err, ErrSnapshot) {
				t.Fatalf("got %v, want ErrSnapshot", err)
			}
			rep := mustSync(t, ix, testCorpus())
			if rep.Embedded != rep.Chunks || topArticle(t, ix, "وزیر دفاع عراق") != "iraq.txt" {
				t.Errorf("rebuild after damage: %+v", rep)
			}
		})
	}
}

// TestCrashBeforeRename runs a child process that syncs a changed corpus
// and dies right after writing the temporary snapshot, before the rename.
// The old snapshot must still load, and the temporary file be cleaned up.
func TestCrashBeforeRename(t *testing.T) {
	if dir := os.Getenv("KHABAR_TEST_CRASH_DIR"); dir != "" {
		testHookBeforeRename = func(string) { os.Exit(3) }
		edited := testCorpus()
		delete(edited, "iraq.txt")
		newTestIndex(t, newCounting(), dir).Sync(context.Background(), edited)
		t.Fatal("the hook did not run")
	}
	dir := t.TempDir()
	mustSync(t, newTestIndex(t, newCounting(), dir), testCorpus())

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashBeforeRename$")
	cmd.Env = append(os.Environ(), "KHABAR_TEST_CRASH_DIR="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child: got %v, want exit status 3\n%s", err, out)
	}
	temps, _ := filepath.Glob(filepath.Join(dir, snapshotTemp))
	if len(temps) != 1 {
		t.Fatalf("got %d temporary snapshots after the crash, want 1", len(temps))
	}

	ix := newTestIndex(t, newCounting(), dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatalf("Load after crash: %v", err)
	}
	if got := ix.Stats().Articles; got != 5 {
		t.Errorf("after crash: %d articles, want the old snapshot's 5", got)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, snapshotTemp)); len(temps) != 0 {
		t.Errorf("temporary snapshots left after Load: %v", temps)
	}
}

func TestSnapshotSaveFailureKeepsOldSnapshot(t *testing.T) {
	dir := t.TempDir()
	ix := newTestIndex(t, newCounting(), dir)
	mustSync(t, ix, testCorpus())
	before, err := os.ReadFile(filepath.Join(dir, snapshotName))
	if err != nil {
		t.Fatal(err)
	}

	createTemp = func(dir, pattern string) (snapshotFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		return &fullDisk{File: f, room: 1000}, nil
	}
	t.Cleanup(func() { createTemp = osCreateTemp })

	edited := testCorpus()
	edited["new.txt"] = &fstest.MapFile{Data: []byte("date 2025-10-11\nخبر تازه درباره سدهای تهران و کم‌آبی.")}
	rep, err := ix.Sync(context.Background(), edited)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if rep.SnapshotErr == nil || !strings.Contains(rep.SnapshotErr.Error(), "no space") {
		t.Errorf("SnapshotErr = %v, want a no-space error", rep.SnapshotErr)
	}
	if !rep.SnapshotKept {
		t.Error("SnapshotKept is false, but the previous snapshot is there")
	}
	if got := topArticle(t, ix, "سدهای تهران کم‌آبی"); got != "new.txt" {
		t.Errorf("the new index should serve despite the failed save: top %q", got)
	}
	after, _ := os.ReadFile(filepath.Join(dir, snapshotName))
	if string(after) != string(before) {
		t.Error("the old snapshot was changed by a failed save")
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, snapshotTemp)); len(temps) != 0 {
		t.Errorf("temporary snapshots left behind: %v", temps)
	}
}

// fullDisk is a temporary file that runs out of space after room bytes.
type fullDisk struct {
	*os.File
	room int
}

func (f *fullDisk) Write(p []byte) (int, error) {
	if len(p) > f.room {
		n, _ := f.File.Write(p[:f.room])
		f.room = 0
		return n, errNoSpace
	}
	f.room -= len(p)
	return f.File.Write(p)
}

var errNoSpace = errors.New("write: no space left on device")

func TestSearchWhileSyncing(t *testing.T) {
	ix := newTestIndex(t, NewLocalEmbedder(64), "")
	mustSync(t, ix, testCorpus())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				res, err := ix.Search(ctx, Query{Text: "وزیر دفاع عراق", K: 2})
				if err != nil && ctx.Err() == nil {
					t.Errorf("Search: %v", err)
					return
				}
				if err == nil && (len(res.Passages) == 0 || res.Passages[0].ArticleID != "iraq.txt") {
					t.Errorf("mid-sync search found %+v", res.Passages)
					return
				}
			}
		}()
	}
	for i := range 10 {
		edited := testCorpus()
		edited["extra.txt"] = &fstest.MapFile{Data: []byte("خبر شماره " + strings.Repeat("تازه ", i+1))}
		if _, err := ix.Sync(context.Background(), edited); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
}
