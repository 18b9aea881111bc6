package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndexFailsWhenTheSnapshotIsNotSaved: index exists to save the
// snapshot, so a save that fails is a failed command, and the report does
// not promise a previous snapshot that does not exist. (Tests run as root,
// which chmod does not stop: DATA_DIR is a file here.)
func TestIndexFailsWhenTheSnapshotIsNotSaved(t *testing.T) {
	vars := testEnv(t)
	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	vars["DATA_DIR"] = file
	out, stderr, err := runCmd(t, vars, "", "index")
	if err == nil {
		t.Fatalf("index succeeded without saving the snapshot:\n%s", out)
	}
	if !strings.Contains(out, "snapshot not saved") || !strings.Contains(out, "no previous one") {
		t.Errorf("report does not say the snapshot was not saved and none exists:\n%s", out)
	}
	if strings.Contains(out+stderr, "previous one is kept") {
		t.Errorf("claims a previous snapshot is kept, but there is none:\n%s\n%s", out, stderr)
	}
}

// TestIndexSaveFailureKeepsThePreviousSnapshot: when an earlier snapshot
// exists, a failed save says so, and still fails the command.
func TestIndexSaveFailureKeepsThePreviousSnapshot(t *testing.T) {
	vars := testEnv(t)
	if _, stderr, err := runCmd(t, vars, "", "index"); err != nil {
		t.Fatalf("first index: %v\n%s", err, stderr)
	}
	// A directory where the lock file should be makes every save fail.
	lock := filepath.Join(vars["DATA_DIR"], "index.lock")
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lock, 0o755); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, vars, "", "index")
	if err == nil {
		t.Fatalf("index succeeded without saving the snapshot:\n%s", out)
	}
	if !strings.Contains(out, "previous one is kept") {
		t.Errorf("report does not say the previous snapshot is kept:\n%s", out)
	}
}
