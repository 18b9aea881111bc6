package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/khabar/khabar/internal/telegramtest"
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
	seeds := t.TempDir()
	article := "date 2025-10-05\nبه گزارش ایسنا، قیمت دلار در بازار آزاد تهران امروز کاهش یافت."
	if err := os.WriteFile(filepath.Join(seeds, "a.txt"), []byte(article), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := testEnv(t, "SEEDS_DIR", seeds)
	if _, stderr, err := runCmd(t, vars, "", "index"); err != nil {
		t.Fatalf("first index: %v\n%s", err, stderr)
	}
	// A changed corpus, so that the second index has something to save (an
	// unchanged one writes nothing).
	if err := os.WriteFile(filepath.Join(seeds, "b.txt"), []byte(strings.Replace(article, "دلار", "یورو", 1)), 0o644); err != nil {
		t.Fatal(err)
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

// TestAskServesTheSnapshotWithoutACorpus: with a valid snapshot, an empty
// or missing SEEDS_DIR (a volume not mounted) is a warning, and the
// question is answered from the snapshot.
func TestAskServesTheSnapshotWithoutACorpus(t *testing.T) {
	tests := []struct {
		name  string
		seeds func(t *testing.T) string
	}{
		{"empty folder", func(t *testing.T) string { return t.TempDir() }},
		{"missing folder", func(t *testing.T) string { return filepath.Join(t.TempDir(), "not-mounted") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := testEnv(t, "SEEDS_DIR", smallSeeds(t))
			if _, stderr, err := runCmd(t, vars, "", "index"); err != nil {
				t.Fatalf("index: %v\n%s", err, stderr)
			}
			vars["SEEDS_DIR"] = tt.seeds(t)
			out, logs, err := runCmd(t, vars, "", "ask", "قیمت دلار")
			if err != nil {
				t.Fatalf("ask: %v\n%s", err, logs)
			}
			if !strings.Contains(out, "[۱]") {
				t.Errorf("no answer from the snapshot:\n%s", out)
			}
			if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "answering from the snapshot") {
				t.Errorf("no warning about the corpus:\n%s", logs)
			}
		})
	}
}

// TestEmptyCorpusWithoutSnapshotFails: with nothing to serve, an empty or
// missing SEEDS_DIR stays an error.
func TestEmptyCorpusWithoutSnapshotFails(t *testing.T) {
	for name, seeds := range map[string]string{
		"empty folder":   t.TempDir(),
		"missing folder": filepath.Join(t.TempDir(), "not-mounted"),
	} {
		t.Run(name, func(t *testing.T) {
			out, logs, err := runCmd(t, testEnv(t, "SEEDS_DIR", seeds), "", "ask", "قیمت دلار")
			if err == nil {
				t.Fatalf("ask succeeded with no corpus and no snapshot:\n%s\n%s", out, logs)
			}
		})
	}
}

// TestIndexWithoutACorpusFails: index syncs with the corpus, so a missing
// corpus fails it even when a snapshot exists.
func TestIndexWithoutACorpusFails(t *testing.T) {
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t))
	if _, stderr, err := runCmd(t, vars, "", "index"); err != nil {
		t.Fatalf("index: %v\n%s", err, stderr)
	}
	vars["SEEDS_DIR"] = t.TempDir()
	if out, _, err := runCmd(t, vars, "", "index"); err == nil {
		t.Fatalf("index succeeded on an empty corpus:\n%s", out)
	}
}

// TestServeAnswersFromTheSnapshotWithoutACorpus: serve in a container whose
// seeds volume is not mounted starts, warns, and answers from the snapshot
// (it used to exit, and the container to restart forever).
func TestServeAnswersFromTheSnapshotWithoutACorpus(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "TELEGRAM_BOT_TOKEN", fake.Token(),
		"TELEGRAM_API_ENDPOINT", fake.APIEndpoint())
	if _, stderr, err := runCmd(t, vars, "", "index"); err != nil {
		t.Fatalf("index: %v\n%s", err, stderr)
	}
	vars["SEEDS_DIR"] = filepath.Join(t.TempDir(), "not-mounted")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	go func() {
		done <- run(ctx, []string{"serve"}, mapenv(vars), strings.NewReader(""), &bytes.Buffer{}, &stderr)
		wcancel() // serve ended: stop waiting for it
	}()
	if err := fake.WaitPolling(wctx); err != nil {
		cancel()
		t.Fatalf("serve did not start: %v, %v", err, <-done)
	}
	reader := tgbotapi.Chat{ID: 5, Type: "private"}
	fake.PushText(reader, tgbotapi.User{ID: 5}, "قیمت دلار")
	msgs, err := fake.WaitMessages(wctx, reader.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[0].Visible, "[۱]") {
		t.Errorf("answer: %q, want one cited from the snapshot", msgs[0].Visible)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if logs := stderr.String(); !strings.Contains(logs, "answering from the snapshot") {
		t.Errorf("no warning about the corpus:\n%s", logs)
	}
}

// TestFutureDatedArticleIsNotTheLatestNews: an article dated decades
// ahead (a typo) is reported by index, and the latest news summary is of
// the newest real day.
func TestFutureDatedArticleIsNotTheLatestNews(t *testing.T) {
	seeds := smallSeeds(t)
	if err := os.WriteFile(filepath.Join(seeds, "typo.txt"), []byte("date 2099-10-05 به گزارش ایرنا، مسابقه فوتبال آینده برگزار شد."), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := testEnv(t, "SEEDS_DIR", seeds)
	out, stderr, err := runCmd(t, vars, "", "index")
	if err != nil {
		t.Fatalf("index: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "typo.txt: date 2099-10-05 is in the future") {
		t.Errorf("the future date is not reported:\n%s", out)
	}
	out, _, err = runCmd(t, vars, "", "summary")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "خلاصه اخبار ۱۳ مهر ۱۴۰۴") || strings.Contains(out, "فوتبال") {
		t.Errorf("the latest news is not of the newest real day (13 Mehr 1404):\n%s", out)
	}
}
