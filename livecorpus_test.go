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
	"time"

	"github.com/khabar/khabar/corpus/channel"
)

// TestLiveDirsJoinTheCorpus: with DATA_DIR, the posts of the channels
// that count join the seeds, named channels/<file>; those of a channel
// that no longer counts do not, nor does a SEEDS_DIR folder named like the
// channels' one (with a warning).
func TestLiveDirsJoinTheCorpus(t *testing.T) {
	data := t.TempDir()
	cfg := Config{DataDir: data}
	store := openChannels(cfg, quietLog())
	chat := channel.Chat{ID: -1, Title: "کانال", Username: "k"}
	posted := time.Date(2025, 10, 5, 22, 0, 0, 0, time.UTC)
	if _, err := store.Put(channel.Post{Chat: chat, MessageID: 2, Date: posted, Text: "خط دوم متروی شیراز نوزده ایستگاه دارد و پنجشنبه افتتاح شد."}); err != nil {
		t.Fatal(err)
	}
	gone := channel.Chat{ID: -3, Title: "کانال رفته"}
	if _, err := store.Put(channel.Post{Chat: gone, MessageID: 1, Date: posted, Text: "این پست از کانالی است که ربات دیگر مدیر آن نیست."}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SetAdmin(gone, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, channelsDir, "channel-3.jsonl.inactive")); err != nil {
		t.Fatalf("the channel that does not count: %v", err)
	}
	seeds := fstest.MapFS{
		"a.txt":            {Data: []byte("date 2025-10-05 به گزارش ایسنا، قیمت دلار در بازار تهران کاهش یافت.")},
		"channels/old.txt": {Data: []byte("date 2025-10-05 این پرونده زیر نام پوشه سوار شده پنهان می‌شود.")},
	}
	var logs bytes.Buffer
	src := corpusSources(cfg, seeds, store, "", slog.New(slog.NewTextHandler(&logs, nil))) // feeds does not exist: left out
	arts, probs, err := src.Articles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 || arts[0].ID != "a.txt" || arts[1].ID != "telegram/-1/2" || arts[1].Path != "channels/channel-1.jsonl" || arts[1].URL != "https://t.me/k/2" {
		t.Errorf("articles = %+v", arts)
	}
	if !strings.Contains(logs.String(), "hidden from the corpus") {
		t.Errorf("no warning about the hidden seeds folder:\n%s", logs.String())
	}
	if len(probs) != 0 {
		t.Errorf("problems: %v", probs)
	}

	// A missing SEEDS_DIR is still an error the commands recognise.
	_, _, err = corpusSources(cfg, os.DirFS(filepath.Join(data, "none")), store, "", quietLog()).Articles(context.Background())
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing seeds: %v, want fs.ErrNotExist", err)
	}
	// Without DATA_DIR, the corpus is the seeds.
	if got := corpusSources(Config{}, seeds, nil, "", quietLog()); len(got.Sources) != 1 || len(got.Additions) != 0 {
		t.Errorf("without DATA_DIR: %+v, want the seeds alone", got)
	} else if arts, _, _ := got.Articles(context.Background()); len(arts) != 2 || arts[1].ID != "channels/old.txt" {
		t.Errorf("without DATA_DIR: %+v, want every seed", arts)
	}
}
