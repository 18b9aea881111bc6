package retrieval

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/khabar/khabar/corpus"
)

// openCounting is an fs.FS that counts the opens of every file. The
// loader opens a file it parses twice (the fingerprint's hash, then the
// parse) and one it leaves out once (the hash).
type openCounting struct {
	fs.FS
	mu    sync.Mutex
	opens map[string]int
}

func (o *openCounting) Open(name string) (fs.File, error) {
	o.mu.Lock()
	o.opens[name]++
	o.mu.Unlock()
	return o.FS.Open(name)
}

// Stat is not counted (fs.Stat would otherwise open the file).
func (o *openCounting) Stat(name string) (fs.FileInfo, error) { return fs.Stat(o.FS, name) }

func (o *openCounting) reset() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	got := o.opens
	o.opens = make(map[string]int)
	return got
}

var unitTime = time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)

// unitCorpus is testCorpus with a jsonl file holding a malformed line.
func unitCorpus() fstest.MapFS {
	m := testCorpus()
	for _, f := range m {
		f.ModTime = unitTime
	}
	m["wire.jsonl"] = &fstest.MapFile{ModTime: unitTime, Data: []byte(
		`{"id":"w1","title":"بورس","text":"شاخص بورس تهران امروز دو درصد رشد کرد و به رکورد تازه رسید."}` + "\n" +
			`{"id":"w2","text":"متن ناقص",` + "\n" +
			`{"id":"w3","title":"بنزین","text":"سهمیه بنزین خانوارها در ماه آینده تغییر نمی‌کند."}` + "\n")}
	return m
}

func source(fsys fs.FS) *corpus.Multi {
	return &corpus.Multi{Sources: []corpus.Source{&corpus.Folder{FS: fsys}}}
}

func syncSource(t *testing.T, ix *Index, src corpus.Source) Report {
	t.Helper()
	rep, err := ix.SyncSource(context.Background(), src)
	if err != nil {
		t.Fatalf("SyncSource: %v", err)
	}
	if rep.SnapshotErr != nil {
		t.Fatalf("snapshot: %v", rep.SnapshotErr)
	}
	return rep
}

// fullChunks is what a sync reading every file makes of fsys.
func fullChunks(t *testing.T, fsys fs.FS) ([]Chunk, []corpus.Problem) {
	t.Helper()
	arts, probs, err := source(fsys).Articles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ix := newTestIndex(t, newCounting(), "")
	rep, err := ix.SyncArticles(context.Background(), arts)
	if err != nil {
		t.Fatal(err)
	}
	return ix.cur.Load().chunks, append(probs, rep.Problems...)
}

// checkLikeFull checks that ix holds what reading every file of fsys
// gives, and that rep reports the same problems.
func checkLikeFull(t *testing.T, ix *Index, fsys fs.FS, rep Report) {
	t.Helper()
	want, probs := fullChunks(t, fsys)
	got := ix.cur.Load().chunks
	same := func(a, b Chunk) bool {
		return a.ID == b.ID && a.Text == b.Text && a.Hash == b.Hash && a.Title == b.Title && a.Date.Equal(b.Date)
	}
	if !slices.EqualFunc(got, want, same) {
		ids := func(cs []Chunk) (out []string) {
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		t.Errorf("chunks %v, a full read gives %v", ids(got), ids(want))
	}
	if !slices.Equal(rep.Problems, probs) {
		t.Errorf("problems %v, a full read gives %v", rep.Problems, probs)
	}
}

func loadedIndex(t *testing.T, emb Embedder, dir string) *Index {
	t.Helper()
	ix := newTestIndex(t, emb, dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestSyncSourceSkipsUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	m := unitCorpus()
	fsys := &openCounting{FS: m, opens: map[string]int{}}
	emb := newCounting()
	rep := syncSource(t, newTestIndex(t, emb, dir), source(fsys))
	if rep.Embedded == 0 || rep.Chunks == 0 {
		t.Fatalf("first sync %+v", rep)
	}
	opens := fsys.reset()
	for name := range m {
		if opens[name] != 2 {
			t.Errorf("first sync opened %s %d times, want 2 (hash, parse)", name, opens[name])
		}
	}
	ino, mtime := snapshotStat(t, dir)

	// A restart with nothing changed parses nothing and writes nothing.
	ix := loadedIndex(t, emb, dir)
	loaded := ix.cur.Load()
	rep = syncSource(t, ix, source(fsys))
	opens = fsys.reset()
	for name := range m {
		if opens[name] != 1 {
			t.Errorf("unchanged start opened %s %d times, want 1 (hash only)", name, opens[name])
		}
	}
	if rep.Embedded != 0 || rep.Unchanged != rep.Chunks || rep.Added+rep.Updated+rep.Removed != 0 {
		t.Errorf("unchanged start: %+v", rep)
	}
	if ix.cur.Load() != loaded {
		t.Error("the loaded state was replaced")
	}
	if ino2, mtime2 := snapshotStat(t, dir); ino2 != ino || !mtime2.Equal(mtime) {
		t.Error("unchanged start rewrote the snapshot")
	}
	checkLikeFull(t, ix, m, rep) // the malformed line of wire.jsonl is still reported
	if len(rep.Problems) != 1 || rep.Problems[0].Path != "wire.jsonl" || rep.Problems[0].Line != 2 {
		t.Errorf("problems %v, want wire.jsonl:2", rep.Problems)
	}

	// Touched, same bytes: read again, the index unchanged, the new
	// fingerprint saved, so that the next start skips it again.
	m["metro.txt"].ModTime = unitTime.Add(time.Hour)
	rep = syncSource(t, ix, source(fsys))
	if opens = fsys.reset(); opens["metro.txt"] != 2 || opens["iraq.txt"] != 1 {
		t.Errorf("touched: opens %v", opens)
	}
	if rep.Embedded != 0 || rep.Unchanged != rep.Chunks {
		t.Errorf("touched: %+v", rep)
	}
	checkLikeFull(t, ix, m, rep)
	ix = loadedIndex(t, emb, dir)
	syncSource(t, ix, source(fsys))
	if opens = fsys.reset(); opens["metro.txt"] != 1 {
		t.Errorf("after the touch was saved metro.txt opened %d times, want 1", opens["metro.txt"])
	}

	// Changed bytes, same size and mtime: caught by the content hash.
	old := string(m["dollar.txt"].Data)
	changed := strings.Replace(old, "۱۶۰۰", "۱۷۰۰", 1)
	if changed == old || len(changed) != len(old) {
		t.Fatal("bad edit")
	}
	m["dollar.txt"].Data = []byte(changed)
	texts := emb.texts.Load()
	rep = syncSource(t, ix, source(fsys))
	if opens = fsys.reset(); opens["dollar.txt"] != 2 || opens["flood.txt"] != 1 {
		t.Errorf("changed: opens %v", opens)
	}
	if rep.Updated == 0 || emb.texts.Load() == texts {
		t.Errorf("changed: %+v", rep)
	}
	checkLikeFull(t, ix, m, rep)

	// Removed and added files.
	delete(m, "football.txt")
	m["sport.txt"] = &fstest.MapFile{ModTime: unitTime, Data: []byte("date 2025-10-11\nبه گزارش ورزش سه، تیم والیبال ایران برزیل را شکست داد.")}
	rep = syncSource(t, ix, source(fsys))
	if opens = fsys.reset(); opens["sport.txt"] != 2 || opens["iraq.txt"] != 1 || opens["football.txt"] != 0 {
		t.Errorf("removed and added: opens %v", opens)
	}
	if rep.Removed == 0 || rep.Added == 0 {
		t.Errorf("removed and added: %+v", rep)
	}
	checkLikeFull(t, ix, m, rep)
	if got := topArticle(t, ix, "والیبال برزیل"); got != "sport.txt" {
		t.Errorf("top %q, want sport.txt", got)
	}

	// What was saved is what a restart keeps.
	ix = loadedIndex(t, emb, dir)
	rep = syncSource(t, ix, source(fsys))
	if opens = fsys.reset(); opens["sport.txt"] != 1 || opens["dollar.txt"] != 1 {
		t.Errorf("restart: opens %v", opens)
	}
	checkLikeFull(t, ix, m, rep)
}

// TestSyncSourceStaleHeldID: a changed file that now holds the id of an
// article of a later, unchanged file makes that one a duplicate; the
// sync notices and reads everything.
func TestSyncSourceStaleHeldID(t *testing.T) {
	dir := t.TempDir()
	m := fstest.MapFS{
		"a.jsonl": {ModTime: unitTime, Data: []byte(`{"id":"x1","text":"متن نخست درباره بازار."}` + "\n")},
		"b.jsonl": {ModTime: unitTime, Data: []byte(`{"id":"x2","text":"متن دوم درباره باران."}` + "\n")},
	}
	syncSource(t, newTestIndex(t, newCounting(), dir), source(m))
	m["a.jsonl"].Data = []byte(`{"id":"x1","text":"متن نخست درباره بازار."}` + "\n" + `{"id":"x2","text":"متن تازه."}` + "\n")
	ix := loadedIndex(t, newCounting(), dir)
	rep := syncSource(t, ix, source(m))
	checkLikeFull(t, ix, m, rep)
	if len(rep.Problems) != 1 || rep.Problems[0].Path != "b.jsonl" {
		t.Errorf("problems %v, want the duplicate in b.jsonl", rep.Problems)
	}
	// b.jsonl depends on a.jsonl now: it is read every time, and when
	// a.jsonl gives x2 back, b's article returns.
	m["a.jsonl"].Data = []byte(`{"id":"x1","text":"متن نخست درباره بازار."}` + "\n")
	rep = syncSource(t, ix, source(m))
	checkLikeFull(t, ix, m, rep)
	if len(rep.Problems) != 0 || rep.Articles != 2 {
		t.Errorf("after a.jsonl gave x2 back: %+v", rep)
	}
}

// TestSyncSourceOldSnapshot: a snapshot saved without units (by
// SyncArticles, or by an older binary) loads; the next sync reads every
// file once and saves the units, and the one after skips them.
func TestSyncSourceOldSnapshot(t *testing.T) {
	dir := t.TempDir()
	m := unitCorpus()
	mustSync(t, newTestIndex(t, newCounting(), dir), m) // Index.Sync: no units
	ino, _ := snapshotStat(t, dir)
	fsys := &openCounting{FS: m, opens: map[string]int{}}
	ix := loadedIndex(t, newCounting(), dir)
	if ix.cur.Load().units != nil {
		t.Fatal("units from a snapshot saved without them")
	}
	rep := syncSource(t, ix, source(fsys))
	if rep.Embedded != 0 {
		t.Errorf("upgrade embedded %d", rep.Embedded)
	}
	if opens := fsys.reset(); opens["iraq.txt"] != 2 {
		t.Errorf("upgrade opens %v", opens)
	}
	if ino2, _ := snapshotStat(t, dir); ino2 == ino {
		t.Error("the units were not saved")
	}
	ix = loadedIndex(t, newCounting(), dir)
	rep = syncSource(t, ix, source(fsys))
	if opens := fsys.reset(); opens["iraq.txt"] != 1 || opens["wire.jsonl"] != 1 {
		t.Errorf("after the upgrade: opens %v", opens)
	}
	checkLikeFull(t, ix, m, rep)
}

// TestSyncSourceOtherChunking: a change of the chunk sizes reads every
// file again.
func TestSyncSourceOtherChunking(t *testing.T) {
	dir := t.TempDir()
	m := unitCorpus()
	syncSource(t, newTestIndex(t, newCounting(), dir), source(m))
	fsys := &openCounting{FS: m, opens: map[string]int{}}
	ix := New(newCounting(), "test/v1", Options{Dir: dir, Chunk: ChunkOptions{TargetWords: 5}})
	if err := ix.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	syncSource(t, ix, source(fsys))
	if opens := fsys.reset(); opens["iraq.txt"] != 2 {
		t.Errorf("opens %v, want every file read", opens)
	}
}

func TestSyncSourceUploadsAgainstKept(t *testing.T) {
	dir := t.TempDir()
	seeds := unitCorpus()
	up := t.TempDir()
	src := func() *corpus.Multi {
		return &corpus.Multi{Sources: []corpus.Source{&corpus.Folder{FS: seeds}},
			Additions: []corpus.Source{&corpus.Folder{FS: os.DirFS(up), Prefix: "uploads", Optional: true}}}
	}
	syncSource(t, newTestIndex(t, newCounting(), dir), src())
	// An upload with the text of a kept seed is left out, as a full read does.
	if err := os.WriteFile(filepath.Join(up, "again.txt"), seeds["metro.txt"].Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(up, "new.txt"), []byte("خبر تازه درباره قطار سریع‌السیر تهران و قم."), 0o644); err != nil {
		t.Fatal(err)
	}
	ix := loadedIndex(t, newCounting(), dir)
	rep := syncSource(t, ix, src())
	arts, _, err := src().Articles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Articles != len(arts) || len(arts) != len(seeds)+2 {
		t.Errorf("%d articles, a full read gives %d (want %d: the seeds, wire.jsonl's second, new.txt)", rep.Articles, len(arts), len(seeds)+2)
	}
}

// liveSource is a source without fingerprints (as the feeds are).
type liveSource struct{ arts []corpus.Article }

func (l *liveSource) Articles(context.Context) ([]corpus.Article, []corpus.Problem, error) {
	return l.arts, nil, nil
}

// TestSyncSourceLiveSource: next to files, a source without fingerprints
// is read every time; when it gives the same articles nothing is rebuilt
// or written, and when it changes the index follows it.
func TestSyncSourceLiveSource(t *testing.T) {
	dir := t.TempDir()
	m := unitCorpus()
	live := &liveSource{arts: []corpus.Article{{ID: "feeds/1", Path: "feeds/a.jsonl", Line: 1,
		Title: "خبر زنده", Text: "قطار سریع‌السیر تهران و قم امروز آزمایش شد."}}}
	src := &corpus.Multi{Sources: []corpus.Source{&corpus.Folder{FS: m}, live}}
	syncSource(t, newTestIndex(t, newCounting(), dir), src)
	ino, mtime := snapshotStat(t, dir)
	like := func(ix *Index) {
		t.Helper()
		arts, _, err := src.Articles(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		full := newTestIndex(t, newCounting(), "")
		if _, err := full.SyncArticles(context.Background(), arts); err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(ix.cur.Load().chunks, full.cur.Load().chunks, func(a, b Chunk) bool { return a.ID == b.ID && a.Hash == b.Hash }) {
			t.Error("chunks differ from a full read")
		}
	}
	ix := loadedIndex(t, newCounting(), dir)
	loaded := ix.cur.Load()
	if rep := syncSource(t, ix, src); rep.Unchanged != rep.Chunks || rep.Embedded != 0 {
		t.Errorf("unchanged: %+v", rep)
	}
	if ix.cur.Load() != loaded {
		t.Error("the loaded state was replaced")
	}
	if ino2, mtime2 := snapshotStat(t, dir); ino2 != ino || !mtime2.Equal(mtime) {
		t.Error("an unchanged sync rewrote the snapshot")
	}
	like(ix)
	live.arts[0].Text = "قطار سریع‌السیر تهران و قم امروز به راه افتاد."
	if rep := syncSource(t, ix, src); rep.Updated != 1 || rep.Embedded != 1 {
		t.Errorf("changed live article: %+v", rep)
	}
	like(ix)
	if got := topArticle(t, ix, "قطار سریع‌السیر قم"); got != "feeds/1" {
		t.Errorf("top %q, want feeds/1", got)
	}
}

// TestSyncSourceUnitsCollide: two sources with articles of one path (no
// unit can stand for them) sync as SyncArticles does.
func TestSyncSourceUnitsCollide(t *testing.T) {
	m := unitCorpus()
	live := &liveSource{arts: []corpus.Article{{ID: "live1", Path: "iraq.txt", Line: 1, Text: "خبری با مسیری تکراری."}}}
	src := &corpus.Multi{Sources: []corpus.Source{&corpus.Folder{FS: m}, live}}
	ix := newTestIndex(t, newCounting(), t.TempDir())
	rep := syncSource(t, ix, src)
	arts, _, err := src.Articles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Articles != len(arts) || ix.cur.Load().units != nil {
		t.Errorf("%d articles (a full read: %d), units %v", rep.Articles, len(arts), ix.cur.Load().units)
	}
}
