package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/khabar/khabar/corpus"
)

func TestLiveDirsJoinTheCorpus(t *testing.T) {
	data := t.TempDir()
	os.MkdirAll(filepath.Join(data, channelsDir), 0o755)
	line := `{"id":"telegram/-1/2","text":"خط دوم متروی شیراز نوزده ایستگاه دارد و پنجشنبه افتتاح شد.","source":"کانال","date":"2025-10-06T01:30:00+03:30","url":"https://t.me/k/2"}` + "\n"
	os.WriteFile(filepath.Join(data, channelsDir, "channel-1.jsonl"), []byte(line), 0o644)
	os.WriteFile(filepath.Join(data, channelsDir, "channel-3.jsonl.inactive"), []byte(line), 0o644)
	seeds := fstest.MapFS{
		"a.txt":            {Data: []byte("date 2025-10-05 به گزارش ایسنا، قیمت دلار در بازار تهران کاهش یافت.")},
		"channels/old.txt": {Data: []byte("date 2025-10-05 این پرونده زیر نام پوشه سوار شده پنهان می‌شود.")},
	}
	var logs bytes.Buffer
	fsys := withLiveDirs(seeds, data, slog.New(slog.NewTextHandler(&logs, nil)), channelsDir, "feeds") // feeds does not exist: left out
	c, err := corpus.Load(context.Background(), fsys, corpus.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Articles) != 2 || c.Articles[0].ID != "a.txt" || c.Articles[1].ID != "telegram/-1/2" || c.Articles[1].Path != "channels/channel-1.jsonl" {
		t.Errorf("articles = %+v", c.Articles)
	}
	if !strings.Contains(logs.String(), "hidden from the corpus") {
		t.Errorf("no warning about the hidden seeds folder:\n%s", logs.String())
	}
	if len(c.Problems) != 0 {
		t.Errorf("problems: %v", c.Problems)
	}
	if _, err := fs.Stat(fsys, "../x"); err == nil {
		t.Error("an invalid path was accepted")
	}
	if info, err := fs.Stat(fsys, channelsDir); err != nil || !info.IsDir() || info.Name() != channelsDir {
		t.Errorf("Stat(channels) = %v, %v", info, err)
	}

	// A missing SEEDS_DIR is still an error the commands recognise.
	_, err = corpus.Load(context.Background(), withLiveDirs(os.DirFS(filepath.Join(data, "none")), data, quietLog(), channelsDir), corpus.LoadOptions{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing seeds: %v, want fs.ErrNotExist", err)
	}
	// Without DATA_DIR, the corpus is the seeds.
	if got := withLiveDirs(seeds, "", quietLog(), channelsDir); got == nil {
		t.Error("nil corpus")
	} else if _, ok := got.(fstest.MapFS); !ok {
		t.Errorf("without DATA_DIR: %T, want the seeds", got)
	}
}
