// Package jsonfile writes the files of khabar's live sources (feeds,
// channel posts) so that a crash never leaves half a file: each write goes
// to a temporary file in the same folder, is synced, and is renamed into
// place. It imports nothing of khabar.
package jsonfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to path through a temporary file in the same
// folder (named .<base>.tmp-*), synced and renamed into place; the folder
// is synced too, so the rename survives a power cut.
func WriteFile(path string, data []byte) error {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", base, err)
	}
	SyncDir(dir)
	return nil
}

// SyncDir syncs the folder dir, so that a rename in it is on disk; errors
// are ignored (some file systems cannot sync a folder).
func SyncDir(dir string) {
	if d, err := os.Open(filepath.Clean(dir)); err == nil {
		d.Sync()
		d.Close()
	}
}

// WriteJSON writes v as indented JSON, atomically (see [WriteFile]).
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFile(path, append(data, '\n'))
}

// ReadJSON reads path into v; a missing file leaves v as it is.
func ReadJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return nil
}

// RemoveStaleTemps removes the temporary files of writes in dir that a
// crash cut short.
func RemoveStaleTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, n := range names {
		os.Remove(n)
	}
}

// EncodeLines renders items as JSON lines (.jsonl), HTML characters left
// as they are.
func EncodeLines[T any](items []T) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// BadLine is a line of a .jsonl file that [ReadLines] skipped: its number
// (from 1) and why; Line 0 means the rest of the file was unreadable.
type BadLine struct {
	Line   int
	Reason string
}

// ReadLines reads the JSON lines of path into values of T, skipping blank
// lines and reporting those that do not decode or that valid refuses. An
// error is returned only when the file cannot be read at all.
func ReadLines[T any](path string, valid func(*T) bool) ([]*T, []BadLine, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	items, bad := DecodeLines(data, valid)
	return items, bad, nil
}

// DecodeLines decodes JSON lines held in memory as [ReadLines] reads a
// file's: blank lines skipped, the others that do not decode or that valid
// refuses reported.
func DecodeLines[T any](data []byte, valid func(*T) bool) ([]*T, []BadLine) {
	var items []*T
	var bad []BadLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		it := new(T)
		if err := json.Unmarshal(line, it); err != nil || !valid(it) {
			reason := "malformed line"
			if err != nil {
				reason += ": " + err.Error()
			}
			bad = append(bad, BadLine{Line: n, Reason: reason})
			continue
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, BadLine{Reason: "unreadable rest: " + err.Error()})
	}
	return items, bad
}

// WriteNew writes data to path like [WriteFile], but never replaces a
// file: the synced temporary file is linked into place, which fails with
// an error wrapping fs.ErrExist when path exists. The file is readable by
// all (0644), for a corpus folder other processes read.
func WriteNew(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("write %s: %w", base, fs.ErrExist)
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Link(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", base, err)
	}
	SyncDir(dir)
	return nil
}
