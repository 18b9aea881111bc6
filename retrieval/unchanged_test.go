package retrieval

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// snapshotStat returns the snapshot's inode and modification time.
func snapshotStat(t *testing.T, dir string) (uint64, time.Time) {
	t.Helper()
	fi, err := os.Stat(filepath.Join(dir, snapshotName))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino, fi.ModTime()
}

// TestUnchangedStartWritesNothing is a restart with an unchanged corpus:
// Load, then Sync, must leave the snapshot file as it is (same inode, same
// modification time) and serve the loaded state.
func TestUnchangedStartWritesNothing(t *testing.T) {
	dir := t.TempDir()
	mustSync(t, newTestIndex(t, newCounting(), dir), testCorpus())
	ino, mtime := snapshotStat(t, dir)

	ix := newTestIndex(t, newCounting(), dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	loaded := ix.cur.Load()
	rep := mustSync(t, ix, testCorpus())
	if rep.Embedded != 0 || rep.Unchanged != rep.Chunks || rep.Chunks == 0 {
		t.Errorf("report %+v", rep)
	}
	if ino2, mtime2 := snapshotStat(t, dir); ino2 != ino || !mtime2.Equal(mtime) {
		t.Errorf("snapshot rewritten: inode %d → %d, mtime %v → %v", ino, ino2, mtime, mtime2)
	}
	if ix.cur.Load() != loaded {
		t.Error("the loaded state was rebuilt")
	}
	if got := topArticle(t, ix, "وزیر دفاع عراق"); got != "iraq.txt" {
		t.Errorf("top %q, want iraq.txt", got)
	}

	// A changed corpus is saved as before.
	before, err := os.ReadFile(filepath.Join(dir, snapshotName))
	if err != nil {
		t.Fatal(err)
	}
	changed := testCorpus()
	changed["new.txt"] = changed["metro.txt"]
	delete(changed, "metro.txt")
	mustSync(t, ix, changed)
	if after, err := os.ReadFile(filepath.Join(dir, snapshotName)); err != nil || string(after) == string(before) {
		t.Errorf("a changed corpus did not write a new snapshot (%v)", err)
	}
}

// TestUnchangedStartReadOnlyDir is the same restart on a DATA_DIR that
// cannot be written: nothing needs saving, so nothing fails.
func TestUnchangedStartReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Log("running as root: the directory stays writable, the check is on the report alone")
	}
	dir := t.TempDir()
	mustSync(t, newTestIndex(t, newCounting(), dir), testCorpus())
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	// As root, make a write fail anyway: the temporary file cannot be created.
	createTemp = func(string, string) (snapshotFile, error) { return nil, os.ErrPermission }
	t.Cleanup(func() { createTemp = osCreateTemp })

	ix := newTestIndex(t, newCounting(), dir)
	if err := ix.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := ix.Sync(context.Background(), testCorpus())
	if err != nil || rep.SnapshotErr != nil {
		t.Fatalf("Sync: %v, snapshot: %v", err, rep.SnapshotErr)
	}
}

// TestUnchangedSyncRetriesFailedSave: a sync whose save failed leaves a
// state that is not on disk; the next sync, even with nothing changed,
// saves it.
func TestUnchangedSyncRetriesFailedSave(t *testing.T) {
	dir := t.TempDir()
	ix := newTestIndex(t, newCounting(), dir)
	createTemp = func(string, string) (snapshotFile, error) { return nil, os.ErrPermission }
	rep, err := ix.Sync(context.Background(), testCorpus())
	createTemp = osCreateTemp
	if err != nil || rep.SnapshotErr == nil {
		t.Fatalf("Sync: %v, snapshot: %v (want a save error)", err, rep.SnapshotErr)
	}
	mustSync(t, ix, testCorpus())
	if _, err := os.Stat(filepath.Join(dir, snapshotName)); err != nil {
		t.Errorf("the retried save wrote no snapshot: %v", err)
	}
}
