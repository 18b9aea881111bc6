package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/khabar/khabar/internal/openaitest"
)

const mainTestKey = "sk-main-test-abcdef0123456789"

func smallSeeds(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "iraq.txt"), []byte("date 2025-09-28 به گزارش تابناک، وزیر دفاع عراق گفت روابط بغداد و واشنگتن وارد مرحله‌ای تازه شده است. او افزود همکاری امنیتی با آمریکا ادامه دارد."), 0o644)
	os.WriteFile(filepath.Join(dir, "dollar.txt"), []byte("date 2025-10-05 به گزارش ایسنا، قیمت دلار در بازار تهران کاهش یافت."), 0o644)
	return dir
}

func TestOpenAIEmbeddingModelSwitchRebuilds(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{APIKey: mainTestKey, Dim: 24})
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "EMBEDDER", "openai", "OPENAI_BASE_URL", fake.BaseURL(),
		"OPENAI_API_KEY", mainTestKey, "OPENAI_EMBEDDING_MODEL", "emb-1", "LOG_LEVEL", "debug")

	out, logs, err := runCmd(t, vars, "", "index")
	if err != nil || !strings.Contains(out, "2 embedded") {
		t.Fatalf("first index: %v\n%s", err, out)
	}
	fake.Reset()
	out, logs2, err := runCmd(t, vars, "", "index")
	if err != nil || !strings.Contains(out, "0 embedded") || len(fake.EmbeddedTexts()) != 0 {
		t.Fatalf("restart: %v, the API embedded %d texts\n%s", err, len(fake.EmbeddedTexts()), out)
	}
	vars["OPENAI_EMBEDDING_MODEL"] = "emb-2"
	fake.Reset()
	out, logs3, err := runCmd(t, vars, "", "index")
	if err != nil || !strings.Contains(out, "2 embedded") || len(fake.EmbeddedTexts()) != 2 {
		t.Fatalf("new model: %v, the API embedded %d texts\n%s", err, len(fake.EmbeddedTexts()), out)
	}
	for _, l := range []string{logs, logs2, logs3, out} {
		if strings.Contains(l, mainTestKey) {
			t.Errorf("the API key reached the output or logs:\n%s", l)
		}
	}
}

func TestAskWithLLM(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{APIKey: mainTestKey, Chat: func(openai.ChatCompletionRequest) string {
		return "وزیر دفاع عراق گفت روابط بغداد و واشنگتن وارد مرحله‌ای تازه شده است [1]."
	}})
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "OPENAI_BASE_URL", fake.BaseURL(), "OPENAI_API_KEY", mainTestKey, "LOG_LEVEL", "debug")
	out, logs, err := runCmd(t, vars, "", "ask", "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "مرحله‌ای تازه شده است. [۱]") || !strings.Contains(out, "[۱] تابناک") {
		t.Errorf("got:\n%s", out)
	}
	if strings.Contains(logs+out, mainTestKey) {
		t.Errorf("the API key leaked")
	}

	// The API down: the extractive answer with the note.
	fake.FailNext(openaitest.PathChat, 20, openaitest.Failure{Status: 503})
	vars["OPENAI_RETRIES"] = "1"
	out, logs, err = runCmd(t, vars, "", "ask", "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	if err != nil || !strings.Contains(out, "مدل زبانی در دسترس نبود") || !strings.Contains(out, "[۱]") {
		t.Errorf("API down: %v\n%s", err, out)
	}
	if strings.Contains(logs+out, mainTestKey) {
		t.Errorf("the API key leaked:\n%s", logs)
	}
}

func TestConfigRedactsSecrets(t *testing.T) {
	vars := testEnv(t, "OPENAI_API_KEY", mainTestKey, "TELEGRAM_BOT_TOKEN", "123456:ABCDEFsecretsecret", "WEBHOOK_SECRET", "hook_secret_1")
	out, _, err := runCmd(t, vars, "", "config")
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{mainTestKey, "ABCDEFsecretsecret", "hook_secret_1"} {
		if strings.Contains(out, secret) {
			t.Errorf("config printed a secret:\n%s", out)
		}
	}
	if !strings.Contains(out, "OPENAI_API_KEY=***") || !strings.Contains(out, "TELEGRAM_BOT_TOKEN=***") {
		t.Errorf("secrets not shown as set:\n%s", out)
	}
}
