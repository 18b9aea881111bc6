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

const (
	giraffe         = "date 2025-10-07 به گزارش ایرنا، یک زرافه در باغ وحش تهران متولد شد و بازدیدکنندگان بسیاری برای دیدن آن آمدند."
	giraffeQuestion = "زرافه باغ وحش تهران"
	zebra           = "date 2025-10-08 به گزارش ایسنا، گورخری از باغ وحش مشهد به باغ وحش تبریز منتقل شد."
)

// TestUploadsFolderIsPartOfTheCorpus: the articles in DATA_DIR/uploads are
// indexed with SEEDS_DIR's, at every start and after /reload; an upload
// named like a seed is its own article (uploads/<name>), and one with a
// seed's text is not indexed twice; neither is reported as a duplicate.
func TestUploadsFolderIsPartOfTheCorpus(t *testing.T) {
	seeds := smallSeeds(t)
	vars := testEnv(t, "SEEDS_DIR", seeds)
	uploads := filepath.Join(vars["DATA_DIR"], "uploads")
	os.MkdirAll(uploads, 0o755)
	dollar, err := os.ReadFile(filepath.Join(seeds, "dollar.txt"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(uploads, "0123456789abcdef.txt"), []byte(giraffe), 0o644)
	os.WriteFile(filepath.Join(uploads, "iraq.txt"), []byte(zebra), 0o644) // a seed's name
	os.WriteFile(filepath.Join(uploads, "fedcba9876543210.txt"), dollar, 0o644)

	out, _, err := runCmd(t, vars, "", "index")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "articles 4,") || strings.Contains(out, "duplicate") {
		t.Errorf("want 2 seeds + 2 new uploads and no duplicate:\n%s", out)
	}
	answer, _, err := runCmd(t, vars, "", "ask", giraffeQuestion)
	if err != nil || !strings.Contains(answer, "زرافه") {
		t.Errorf("the upload is not answered after a restart: %v\n%s", err, answer)
	}
	answer, _, _ = runCmd(t, vars, "", "ask", "گورخر باغ وحش مشهد")
	if !strings.Contains(answer, "گورخر") {
		t.Errorf("the upload named like a seed is not answered:\n%s", answer)
	}
	answer, _, _ = runCmd(t, vars, "", "ask", "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	if !strings.Contains(answer, "وزیر دفاع عراق") {
		t.Errorf("the seed named like an upload is lost:\n%s", answer)
	}

	// A new upload is in after /reload.
	os.WriteFile(filepath.Join(uploads, "1111111111111111.md"), []byte("date 2025-10-09 به گزارش مهر، نخستین قطار برقی میان قم و کاشان راه اندازی شد."), 0o644)
	out, _, err = runCmd(t, vars, "/reload\nقطار برقی قم و کاشان\n", "chat")
	if err != nil || !strings.Contains(out, "قطار برقی") {
		t.Errorf("chat after /reload: %v\n%s", err, out)
	}
}

// TestNoArticlesAnywhereIsOneError: an empty SEEDS_DIR and no uploads is
// the loader's error, prefixed once, and "index synced" is not logged.
func TestNoArticlesAnywhereIsOneError(t *testing.T) {
	vars := testEnv(t, "SEEDS_DIR", t.TempDir(), "LOG_LEVEL", "info")
	_, logs, err := runCmd(t, vars, "", "index")
	if err == nil {
		t.Fatal("no articles: got no error")
	}
	if strings.Count(err.Error(), "load corpus") != 1 {
		t.Errorf("got %q, want one load corpus prefix", err)
	}
	if strings.Contains(logs, "index synced") {
		t.Errorf("index synced logged for a failed sync:\n%s", logs)
	}
}

// TestServeSavesUploadsInDataDir: an admin's file lands in
// DATA_DIR/uploads (SEEDS_DIR is read-only in the Docker image and is not
// written to), is answered at once, and again after a restart.
func TestServeSavesUploadsInDataDir(t *testing.T) {
	fake := telegramtest.New(t, telegramtest.Options{})
	seeds := smallSeeds(t)
	vars := testEnv(t, "SEEDS_DIR", seeds, "TELEGRAM_BOT_TOKEN", fake.Token(),
		"TELEGRAM_API_ENDPOINT", fake.APIEndpoint(), "ADMIN_USER_IDS", "1")
	if err := os.Chmod(seeds, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(seeds, 0o755) })
	var logs syncBuffer
	stop := startServe(t, vars, &logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitPolling(ctx); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	fake.AddFile("doc-1", "documents/file_1.txt", []byte(giraffe))
	admin, from := tgbotapi.Chat{ID: 1, Type: "private"}, tgbotapi.User{ID: 1}
	fake.PushMessage(tgbotapi.Message{Chat: &admin, From: &from, Document: &tgbotapi.Document{FileID: "doc-1", FileName: "giraffe.txt", FileSize: len(giraffe)}})
	if _, err := fake.WaitCalls(ctx, "editMessageText", 1); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	if report := fake.Messages(admin.ID)[0].Visible; !strings.Contains(report, "uploads/") {
		t.Errorf("upload report: %q", report)
	}
	saved, _ := filepath.Glob(filepath.Join(vars["DATA_DIR"], "uploads", "*.txt"))
	if len(saved) != 1 {
		t.Fatalf("files in DATA_DIR/uploads: %q\n%s", saved, logs.String())
	}
	if entries, _ := os.ReadDir(seeds); len(entries) != 2 {
		t.Errorf("SEEDS_DIR was written to: %d entries", len(entries))
	}
	reader := tgbotapi.Chat{ID: 5, Type: "private"}
	fake.PushText(reader, tgbotapi.User{ID: 5}, giraffeQuestion)
	msgs, err := fake.WaitMessages(ctx, reader.ID, 1)
	if err != nil || !strings.Contains(msgs[0].Visible, "زرافه") {
		t.Errorf("the upload is not answered: %v %+v", err, msgs)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"ask", giraffeQuestion}, mapenv(vars), strings.NewReader(""), &out, &bytes.Buffer{}); err != nil || !strings.Contains(out.String(), "زرافه") {
		t.Errorf("after a restart: %v\n%s", err, out.String())
	}
}
