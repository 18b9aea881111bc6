package main

import (
	"go/build"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDependenciesPointOneWay pins the layout of README's Architecture:
// main → bot → chat → answer → retrieval → corpus → persian, nothing but
// main imports bot, chat knows nothing of Telegram, and the leaf and
// external-engine packages import none of the layers above them.
func TestDependenciesPointOneWay(t *testing.T) {
	const mod = "github.com/khabar/khabar/"
	forbidden := map[string][]string{
		"persian":   {"*"},
		"corpus":    {"retrieval", "answer", "chat", "bot", "llm", "pgstate"},
		"retrieval": {"answer", "chat", "bot", "llm", "pgstate", "digest", "metrics"},
		"answer":    {"chat", "bot", "pgstate", "digest", "metrics"},
		"chat":      {"bot", "pgstate", "metrics", "llm"},
		"pgstate":   {"bot", "chat", "answer", "retrieval"},
		"llm":       {"*"},
		"metrics":   {"*"},
	}
	telegram := "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	err := filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); dir != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "seeds" || name == "tools") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			return nil // no Go files here
		}
		rel := filepath.ToSlash(dir)
		for _, imp := range pkg.Imports {
			if imp == telegram && rel != "bot" && !strings.HasPrefix(rel, "internal/") && rel != "." {
				t.Errorf("%s imports the Telegram client: only bot (and main) speak Telegram", rel)
			}
			dep, ok := strings.CutPrefix(imp, mod)
			if !ok {
				continue
			}
			if dep == "bot" && rel != "." {
				t.Errorf("%s imports bot: nothing but main does", rel)
			}
			for layer, bans := range forbidden {
				if rel != layer && !strings.HasPrefix(rel, layer+"/") {
					continue
				}
				top, _, _ := strings.Cut(dep, "/")
				if strings.HasPrefix(dep, layer) {
					continue // its own subpackages
				}
				if slices.Contains(bans, "*") || slices.Contains(bans, top) {
					t.Errorf("%s imports %s, against the layout", rel, dep)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
