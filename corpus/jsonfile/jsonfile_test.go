package jsonfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAndReadJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	v := map[string]int{"keep": 1}
	if err := ReadJSON(path, &v); err != nil || v["keep"] != 1 {
		t.Fatalf("a missing file: %v, %v; want no error and v untouched", err, v)
	}
	if err := WriteJSON(path, map[string]int{"a": 2}); err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if err := ReadJSON(path, &got); err != nil || got["a"] != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
	os.WriteFile(path, []byte("{broken"), 0o644)
	if err := ReadJSON(path, &got); err == nil {
		t.Error("a malformed file read without an error")
	}
}

func TestFailedWriteKeepsTheOldFileAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.jsonl")
	if err := WriteFile(path, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	// A folder where the file should be makes the rename fail.
	blocked := filepath.Join(dir, "b.jsonl")
	os.MkdirAll(filepath.Join(blocked, "x"), 0o755)
	if err := WriteFile(blocked, []byte("new\n")); err == nil {
		t.Fatal("a write over a folder succeeded")
	}
	if data, _ := os.ReadFile(path); string(data) != "old\n" {
		t.Errorf("got %q", data)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ".a.jsonl.tmp-123"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "a.jsonl"), nil, 0o644)
	RemoveStaleTemps(dir)
	m, _ := filepath.Glob(filepath.Join(dir, "*"))
	hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(m) != 1 || len(hidden) != 0 {
		t.Errorf("left %v %v, want a.jsonl alone", m, hidden)
	}
}

func TestEncodeLines(t *testing.T) {
	got, err := EncodeLines([]map[string]string{{"t": "<b>خبر</b>"}, {"t": "دو"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\"t\":\"<b>خبر</b>\"}\n{\"t\":\"دو\"}\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReadLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.jsonl")
	os.WriteFile(path, []byte("{\"n\":1}\n\n{broken\n{\"n\":0}\n{\"n\":3}\n"), 0o644)
	type item struct{ N int }
	got, bad, err := ReadLines(path, func(it *item) bool { return it.N != 0 })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].N != 1 || got[1].N != 3 {
		t.Errorf("items %+v", got)
	}
	if len(bad) != 2 || bad[0].Line != 3 || bad[1].Line != 4 {
		t.Errorf("bad lines %+v, want lines 3 and 4", bad)
	}
	if _, _, err := ReadLines(filepath.Join(t.TempDir(), "none"), func(*item) bool { return true }); err == nil {
		t.Error("a missing file read without an error")
	}
}
