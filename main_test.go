package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khabar/khabar/answer"
)

// mapenv is a getenv backed by a map.
func mapenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func testEnv(t *testing.T, extra ...string) map[string]string {
	t.Helper()
	vars := map[string]string{
		"DATA_DIR":  t.TempDir(),
		"ENV_FILE":  filepath.Join(t.TempDir(), "none.env"),
		"LOG_LEVEL": "warn",
	}
	os.WriteFile(vars["ENV_FILE"], nil, 0o644)
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	return vars
}

func runCmd(t *testing.T, vars map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, mapenv(vars), strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestAskAnswersFromSeeds(t *testing.T) {
	out, stderr, err := runCmd(t, testEnv(t), "", "ask", "وزیر دفاع عراق درباره روابط با آمریکا چه گفت؟")
	if err != nil {
		t.Fatalf("ask: %v\n%s", err, stderr)
	}
	for _, want := range []string{"[۱]", "تابناک", "۶ مهر ۱۴۰۴", "منابع:", "وزیر دفاع عراق"} {
		if !strings.Contains(out, want) {
			t.Errorf("answer lacks %q:\n%s", want, out)
		}
	}
}

func TestAskNotFound(t *testing.T) {
	out, _, err := runCmd(t, testEnv(t), "", "ask", "قیمت طلا در توکیو چقدر است؟")
	if err != nil {
		t.Fatal(err)
	}
	// The not-found sentence, citing nothing; the headlines on the topic
	// (gold in Tehran) may follow under their label.
	first, rest, _ := strings.Cut(strings.TrimSpace(out), "\n\n")
	if first != answer.MsgNotFound || strings.Contains(out, "[") || rest != "" && !strings.HasPrefix(rest, answer.MsgRelatedHeading) {
		t.Errorf("got %q, want the not-found sentence", out)
	}
}

func TestIndexTwiceEmbedsNothing(t *testing.T) {
	vars := testEnv(t)
	out, _, err := runCmd(t, vars, "", "index")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "unchanged;") || strings.Contains(out, " 0 embedded") {
		t.Errorf("first index: %s", out)
	}
	out, _, err = runCmd(t, vars, "", "index")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "; 0 embedded") || !strings.Contains(out, " 0 added, 0 updated, 0 removed") {
		t.Errorf("second index: %s", out)
	}
}

func TestIndexReportsBadFiles(t *testing.T) {
	seeds := t.TempDir()
	os.WriteFile(filepath.Join(seeds, "good.txt"), []byte("date 2025-10-01\nبه گزارش ایرنا، خبری خوب منتشر شد."), 0o644)
	os.WriteFile(filepath.Join(seeds, "empty.txt"), nil, 0o644)
	os.WriteFile(filepath.Join(seeds, "broken.jsonl"), []byte("{not json\n"), 0o644)
	out, _, err := runCmd(t, testEnv(t, "SEEDS_DIR", seeds), "", "index")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"articles 1", "empty.txt", "broken.jsonl:1"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestIndexWithNoUsableArticleFails(t *testing.T) {
	seeds := t.TempDir()
	os.WriteFile(filepath.Join(seeds, "empty.txt"), nil, 0o644)
	out, _, err := runCmd(t, testEnv(t, "SEEDS_DIR", seeds), "", "index")
	if err == nil {
		t.Fatalf("got no error; report:\n%s", out)
	}
	if !strings.Contains(out, "empty.txt") {
		t.Errorf("the report should name the bad file:\n%s", out)
	}
}

func TestChatAnswersEachLine(t *testing.T) {
	out, _, err := runCmd(t, testEnv(t), "/start\nوزیر دفاع عراق درباره روابط با آمریکا چه گفت؟\n\n/sources\n", "chat")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"سلام", "[۱] تابناک", "منابع آخرین پاسخ"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	tests := []struct{ key, value string }{
		{"TOP_K", "0"},
		{"TOP_K", "many"},
		{"EMBEDDER", "magic"},
		{"CHUNK_WORDS", "-3"},
		{"LOG_FORMAT", "xml"},
		{"LOG_LEVEL", "loud"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			_, err := loadConfig(mapenv(testEnv(t, tt.key, tt.value)))
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("got %v, want an error naming %s", err, tt.key)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestConfigDefaultsAndEnvFile(t *testing.T) {
	vars := testEnv(t)
	os.WriteFile(vars["ENV_FILE"], []byte("TOP_K=7\nCHUNK_WORDS=90\n"), 0o644)
	vars["CHUNK_WORDS"] = "100" // the environment wins over the file
	cfg, err := loadConfig(mapenv(vars))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TopK != 7 || cfg.ChunkWords != 100 || cfg.SeedsDir != "seeds" || cfg.Embedder != "local" {
		t.Errorf("got %+v", cfg)
	}
	if _, err := loadConfig(mapenv(map[string]string{"ENV_FILE": "/nonexistent/khabar.env"})); err == nil {
		t.Error("a missing ENV_FILE that was asked for should be an error")
	}
}

func TestConfigExampleDocumentsEveryVariable(t *testing.T) {
	data, err := os.ReadFile("config.example.env")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range configKeys() {
		if !strings.Contains(string(data), key+"=") {
			t.Errorf("config.example.env does not document %s", key)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	if _, _, err := runCmd(t, testEnv(t), "", "frobnicate"); !errors.Is(err, errUsage) {
		t.Errorf("got %v, want errUsage", err)
	}
	if _, _, err := runCmd(t, testEnv(t), ""); !errors.Is(err, errUsage) {
		t.Errorf("no command: got %v, want errUsage", err)
	}
}

func TestEvalOnFixtures(t *testing.T) {
	args := []string{"eval", "--corpus", "testdata/eval/corpus.jsonl", "--questions", "testdata/eval/questions.jsonl"}
	out, stderr, err := runCmd(t, testEnv(t), "", args...)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, stderr)
	}
	for _, want := range []string{"success@1      1.000", "MRR@10         1.000", "answer recall", "not found (lacking)    1.000", "relevance floor trade-off"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "indexing 4 articles") {
		t.Errorf("no progress on stderr: %q", stderr)
	}

	out, _, err = runCmd(t, testEnv(t), "", append(args, "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Retrieval struct {
			Success1 float64 `json:"success_at_1"`
			NDCG10   float64 `json:"ndcg_at_10"`
		} `json:"retrieval"`
		Answers struct {
			Lacking int `json:"lacking"`
		} `json:"answers"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if rep.Retrieval.Success1 != 1 || rep.Answers.Lacking != 1 {
		t.Errorf("got %+v", rep)
	}

	_, _, err = runCmd(t, testEnv(t), "", append(args, "--min", "retrieval.ndcg_at_10=1.01")...)
	if !errors.Is(err, errGuard) {
		t.Errorf("an impossible --min: got %v, want errGuard", err)
	}
	_, _, err = runCmd(t, testEnv(t), "", append(args, "--max", "search_latency.p95_ms=-1")...)
	if !errors.Is(err, errGuard) {
		t.Errorf("an impossible --max: got %v, want errGuard", err)
	}
	if _, _, err = runCmd(t, testEnv(t), "", "eval", "--questions", "x"); !errors.Is(err, errUsage) {
		t.Errorf("no corpus: got %v, want errUsage", err)
	}
}

func TestCorruptSnapshotIsRebuiltAndSaid(t *testing.T) {
	vars := testEnv(t, "SEEDS_DIR", smallSeeds(t), "LOG_LEVEL", "info")
	if _, _, err := runCmd(t, vars, "", "index"); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(vars["DATA_DIR"], "index.snapshot")
	data, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(snap, data[:len(data)/3], 0o644) // truncated
	out, logs, err := runCmd(t, vars, "", "index")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs, "building the index from the corpus") || !strings.Contains(logs, "truncated") {
		t.Errorf("the rebuild was not explained:\n%s", logs)
	}
	if !strings.Contains(out, "2 embedded") {
		t.Errorf("not rebuilt:\n%s", out)
	}
	out, _, _ = runCmd(t, vars, "", "ask", "قیمت دلار")
	if !strings.Contains(out, "[۱]") {
		t.Errorf("no answer after the rebuild:\n%s", out)
	}
}

func TestSummaryCommandGroupsStories(t *testing.T) {
	out, _, err := runCmd(t, testEnv(t), "", "summary", "۱۳", "مهر", "۱۴۰۴")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "خلاصه اخبار ۱۳ مهر ۱۴۰۴") || !strings.Contains(out, "گزارش‌شده توسط:") || !strings.Contains(out, "[۱]") {
		t.Errorf("got:\n%s", out)
	}
	// Every cited source is of that day.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "[") && !strings.Contains(line, "۱۳ مهر ۱۴۰۴") {
			t.Errorf("a source of another day: %s", line)
		}
	}
	out, _, err = runCmd(t, testEnv(t), "", "summary", "2020-01-01")
	if err != nil || !strings.Contains(out, "در منابع برای ۱۱ دی ۱۳۹۸ خبری نیست") || !strings.Contains(out, "۲۰ مهر ۱۴۰۴") {
		t.Errorf("an empty day: %v\n%s", err, out)
	}
}
