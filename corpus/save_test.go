package corpus

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveNew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "uploads") // created on the first save
	data := []byte("date 2025-10-07 به گزارش ایرنا، یک زرافه در باغ وحش تهران متولد شد.")
	name, err := SaveNew(dir, ".txt", data)
	if err != nil {
		t.Fatal(err)
	}
	if name != ContentName(data, ".txt") || len(name) != 16+len(".txt") || !strings.HasSuffix(name, ".txt") {
		t.Errorf("name %q, want 16 hex digits of the content's hash and .txt", name)
	}
	if other := ContentName([]byte("x"), ".txt"); other == name {
		t.Errorf("two contents, one name %q", name)
	}
	got, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil || string(got) != string(data) {
		t.Fatalf("saved %q, %v", got, err)
	}
	if info, _ := os.Stat(filepath.Join(dir, name)); info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}

	// The same content again: nothing overwritten, fs.ErrExist.
	os.WriteFile(filepath.Join(dir, name), []byte("edited by hand"), 0o644)
	if _, err := SaveNew(dir, ".txt", data); !errors.Is(err, fs.ErrExist) {
		t.Errorf("saving twice: %v, want fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != "edited by hand" {
		t.Errorf("the file was overwritten: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left in the folder: %v, want the one file (no temporary file)", entries)
	}
}

func TestParseFile(t *testing.T) {
	arts, probs := ParseFile("uploads/a.jsonl", []byte(`{"id":"x","text":"خبر یک."}`+"\n{bad\n"+`{"text":"خبر دو."}`+"\n"), LoadOptions{})
	if got := articleIDs(arts); !equalStrings(got, []string{"x", "uploads/a.jsonl#3"}) || len(probs) != 1 {
		t.Errorf("jsonl: %q, %v", got, probs)
	}
	arts, probs = ParseFile("uploads/b.md", []byte("# عنوان\nمتن خبر."), LoadOptions{})
	if len(arts) != 1 || arts[0].Title != "عنوان" || len(probs) != 0 {
		t.Errorf("md: %+v, %v", arts, probs)
	}
	arts, probs = ParseFile("uploads/c.txt", []byte(strings.Repeat("خبر ", 100)), LoadOptions{MaxArticleBytes: 100})
	if len(arts) != 0 || len(probs) != 1 || !strings.Contains(probs[0].Reason, "file too large") || !probs[0].Skipped {
		t.Errorf("too large: %+v, %v", arts, probs)
	}
	if arts, probs = ParseFile("uploads/d.txt", []byte("  \n"), LoadOptions{}); len(arts) != 0 || len(probs) != 1 {
		t.Errorf("empty: %+v, %v", arts, probs)
	}
}
