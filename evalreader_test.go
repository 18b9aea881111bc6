package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/khabar/khabar/internal/openaitest"
)

// A two-article corpus: a bus story of 19 Mehr 1404 and a dam story of
// 20 Mehr 1404.
var readerCorpus = map[string]string{
	"bus.txt": "date 2025-10-11\nبه گزارش همشهری آنلاین، ۱۵۰ دستگاه اتوبوس برقی روز شنبه ۱۹ مهر ۱۴۰۴ به ناوگان اتوبوسرانی پایتخت اضافه شد. " +
		"مدیرعامل شرکت واحد اتوبوسرانی گفت این اتوبوس‌ها با هر بار شارژ حدود ۲۵۰ کیلومتر پیمایش دارند.\n",
	"dam.txt": "date 2025-10-12\nبه گزارش خبرآنلاین، حجم آب ذخیره‌شده در پنج سد تأمین‌کننده آب تهران به ۲۲۰ میلیون مترمکعب رسیده که تنها ۱۱ درصد ظرفیت این سدهاست. " +
		"مدیرعامل آب منطقه‌ای تهران از شهروندان خواست مصرف آب را ۱۰ درصد کاهش دهند.\n",
}

// writeReaderSet writes a reader set with its corpus into a temporary
// folder and returns the folder.
func writeReaderSet(t *testing.T, items ...string) string {
	t.Helper()
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	if err := os.Mkdir(corpus, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range readerCorpus {
		if err := os.WriteFile(filepath.Join(corpus, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	meta := `{"now": "2025-10-12T12:00:00+03:30", "corpus": "corpus"}`
	if err := os.WriteFile(filepath.Join(dir, "set.json"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(strings.Join(items, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type readerJSON struct {
	Items   int                `json:"items"`
	Skipped int                `json:"skipped"`
	Reader  map[string]float64 `json:"reader"`
	Results []struct {
		ID      string `json:"id"`
		Outcome string `json:"outcome"`
		Reply   string `json:"reply"`
	} `json:"results"`
}

func runReader(t *testing.T, vars map[string]string, args ...string) (readerJSON, string, error) {
	t.Helper()
	out, stderr, err := runCmd(t, vars, "", append([]string{"eval", "--json"}, args...)...)
	var rep readerJSON
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil && err == nil {
		t.Fatalf("eval --reader --json: %v\n%s\n%s", jerr, out, stderr)
	}
	return rep, stderr, err
}

func TestEvalReaderAsksThroughTheConsoleChat(t *testing.T) {
	dir := writeReaderSet(t,
		`{"id":"bus","category":"factual","question":"چند اتوبوس برقی به ناوگان تهران اضافه شد؟","expect":"answer","answers":["۱۵۰ دستگاه"]}`,
		// /sources lists the passages of the chat's last answer: it
		// proves the follow-up is asked in the root's chat.
		`{"id":"bus-sources","category":"follow_up","question":"/sources","expect":"answer","answers":["اتوبوس برقی"],"after":"bus"}`,
		`{"id":"alone-sources","category":"follow_up","question":"/sources","expect":"not_found"}`,
		`{"id":"yesterday","category":"relative_date","question":"دیروز چند اتوبوس برقی به ناوگان اضافه شد؟","expect":"answer","answers":["۱۵۰ دستگاه"],"clocks":["set"]}`,
		`{"id":"far","category":"far_miss","question":"قیمت طلا در توکیو چقدر است؟","expect":"not_found"}`,
		`{"id":"near","category":"near_miss","question":"حجم آب سدهای تهران چقدر است؟","expect":"not_found","forbidden":["۱۱ درصد"]}`,
		// Small talk that was searched and not found fails, although
		// the not-found reply cites nothing.
		`{"id":"searched","category":"small_talk","question":"قیمت طلا در توکیو چقدر است؟","expect":"chat"}`,
		// A summary is a summary: /summary is one, a question answered
		// is not, whatever it cites.
		`{"id":"summary","category":"summary","question":"/summary ۱۹ مهر ۱۴۰۴","expect":"summary","answers":["اتوبوس برقی"]}`,
		`{"id":"answered","category":"summary","question":"چند اتوبوس برقی به ناوگان اضافه شد؟","expect":"summary"}`,
	)
	vars := testEnv(t)
	rep, stderr, err := runReader(t, vars, "--reader", dir)
	if err != nil {
		t.Fatalf("eval --reader: %v\n%s", err, stderr)
	}
	outcomes := map[string]string{}
	for _, r := range rep.Results {
		outcomes[r.ID] = r.Outcome
	}
	want := map[string]string{"bus": "pass", "bus-sources": "pass", "alone-sources": "pass", "yesterday": "pass", "far": "pass", "near": "wrong_fact", "searched": "not_found", "summary": "pass", "answered": "answered"}
	for id, o := range want {
		if outcomes[id] != o {
			t.Errorf("%s: got %q, want %q\n%+v", id, outcomes[id], o, rep.Results)
		}
	}
	if rep.Items != 9 || rep.Reader["overall"] != 6.0/9 || rep.Reader["wrong_fact"] != 1 || rep.Reader["near_miss"] != 0 {
		t.Errorf("items %d, reader %v", rep.Items, rep.Reader)
	}
	if _, err := os.Stat(filepath.Join(vars["DATA_DIR"], "index.snapshot")); err == nil {
		t.Error("the reader run wrote a snapshot into DATA_DIR")
	}

	// The wall clock of 1405 makes «دیروز» another day: --now decides
	// which items are asked, the set's clock being the default.
	rep, _, err = runReader(t, vars, "--reader", dir, "--now", "2026-12-02")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Items != 8 || rep.Skipped != 1 {
		t.Errorf("--now 2026-12-02: %d asked, %d skipped; want 8 and 1", rep.Items, rep.Skipped)
	}
}

func TestEvalReaderGuards(t *testing.T) {
	dir := writeReaderSet(t,
		`{"id":"bus","category":"factual","question":"چند اتوبوس برقی به ناوگان تهران اضافه شد؟","expect":"answer","answers":["۱۵۰ دستگاه"]}`,
		`{"id":"far","category":"far_miss","question":"قیمت طلا در توکیو چقدر است؟","expect":"not_found"}`,
		`{"id":"near","category":"near_miss","question":"حجم آب سدهای تهران چقدر است؟","expect":"not_found","forbidden":["۱۱ درصد"]}`,
	)
	tests := []struct {
		name   string
		guards []string
		want   error
	}{
		{"levels reached", []string{"--min", "reader.overall=0.66", "--min", "reader.factual=1", "--max", "reader.wrong_fact=1"}, nil},
		{"overall below", []string{"--min", "reader.overall=0.9"}, errGuard},
		{"a category below", []string{"--min", "reader.near_miss=0.8"}, errGuard},
		{"a wrong fact", []string{"--max", "reader.wrong_fact=0"}, errGuard},
		{"an unknown figure", []string{"--min", "reader.sport=0"}, errGuard},
		{"a bad guard", []string{"--min", "reader.overall"}, errUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := runCmd(t, testEnv(t), "", append([]string{"eval", "--reader", dir}, tt.guards...)...)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v\n%s", err, tt.want, stderr)
			}
		})
	}
	if _, _, err := runCmd(t, testEnv(t), "", "eval", "--reader", dir, "--corpus", "x.jsonl"); !errors.Is(err, errUsage) {
		t.Errorf("--reader with --corpus: got %v, want errUsage", err)
	}
}

func TestEvalReaderText(t *testing.T) {
	dir := writeReaderSet(t,
		`{"id":"bus","category":"factual","question":"چند اتوبوس برقی به ناوگان تهران اضافه شد؟","expect":"answer","answers":["۱۵۰ دستگاه"]}`,
		`{"id":"near","category":"near_miss","question":"حجم آب سدهای تهران چقدر است؟","expect":"not_found","forbidden":["۱۱ درصد"]}`,
	)
	out, stderr, err := runCmd(t, testEnv(t), "", "eval", "--reader", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"factual", "near_miss", "overall", "0.500", "wrong facts: 1", "failing items (1):", "near [near_miss, want not_found, got wrong_fact]", "→ به گزارش خبرآنلاین"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// The clock reaches the question path: «دیروز» is 19 Mehr 1404 at NOW or
// --now 2025-10-12, and another day at the wall clock.
func TestClockSetting(t *testing.T) {
	dir := t.TempDir()
	for name, body := range readerCorpus {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	const q = "دیروز چند اتوبوس برقی به ناوگان اضافه شد؟"
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"NOW", []string{"NOW", "2025-10-12"}, []string{"ask", q}},
		{"NOW as RFC 3339", []string{"NOW", "2025-10-12T09:00:00+03:30"}, []string{"ask", q}},
		{"--now", nil, []string{"ask", "--now", "2025-10-12", q}},
		{"--now wins over NOW", []string{"NOW", "2030-01-01"}, []string{"ask", "--now", "2025-10-12", q}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := runCmd(t, testEnv(t, append([]string{"SEEDS_DIR", dir}, tc.env...)...), "", tc.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if !strings.Contains(out, "۱۵۰ دستگاه") || !strings.Contains(out, "۱۹ مهر ۱۴۰۴") {
				t.Errorf("not answered for 19 Mehr 1404:\n%s", out)
			}
		})
	}
	t.Run("chat --now", func(t *testing.T) {
		out, stderr, err := runCmd(t, testEnv(t, "SEEDS_DIR", dir), q+"\n", "chat", "--now", "2025-10-12")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if !strings.Contains(out, "۱۵۰ دستگاه") {
			t.Errorf("not answered:\n%s", out)
		}
	})
	t.Run("summary --now", func(t *testing.T) {
		out, stderr, err := runCmd(t, testEnv(t, "SEEDS_DIR", dir), "", "summary", "--now", "2025-10-12", "دیروز")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if !strings.Contains(out, "۱۹ مهر ۱۴۰۴") || !strings.Contains(out, "اتوبوس") {
			t.Errorf("not yesterday's summary:\n%s", out)
		}
	})
	t.Run("the wall clock", func(t *testing.T) {
		out, _, err := runCmd(t, testEnv(t, "SEEDS_DIR", dir), "", "ask", q)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, "۱۹ مهر ۱۴۰۴") {
			t.Errorf("the wall clock read «دیروز» as 19 Mehr 1404:\n%s", out)
		}
	})
	t.Run("a bad NOW", func(t *testing.T) {
		_, _, err := runCmd(t, testEnv(t, "NOW", "yesterday"), "", "ask", q)
		if err == nil || !strings.Contains(err.Error(), "NOW") {
			t.Errorf("got %v, want an error naming NOW", err)
		}
	})
	t.Run("a bad --now", func(t *testing.T) {
		_, _, err := runCmd(t, testEnv(t), "", "ask", "--now", "13 mehr", q)
		if !errors.Is(err, errUsage) {
			t.Errorf("got %v, want errUsage", err)
		}
	})
}

// With a language model configured, an item's llm expectation replaces
// its own: an English question is to be answered, not declined.
func TestEvalReaderWithAModel(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{APIKey: mainTestKey, Chat: func(openai.ChatCompletionRequest) string {
		return "۱۵۰ دستگاه اتوبوس برقی به ناوگان اتوبوسرانی پایتخت اضافه شد [1]."
	}})
	dir := writeReaderSet(t,
		`{"id":"en","category":"english","question":"How many electric buses joined Tehran's fleet?","expect":"chat","answers":["فارسی"],"llm":{"expect":"answer","answers":["۱۵۰ دستگاه"]}}`,
		`{"id":"fa","category":"factual","question":"چند اتوبوس برقی به ناوگان تهران اضافه شد؟","expect":"answer","answers":["۱۵۰ دستگاه"]}`,
	)
	expects := func(vars map[string]string) map[string]string {
		out, stderr, err := runCmd(t, vars, "", "eval", "--json", "--reader", dir)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		var rep struct {
			Results []struct{ ID, Expect, Outcome string } `json:"results"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, r := range rep.Results {
			m[r.ID] = r.Expect
			if r.ID == "fa" && r.Outcome != "pass" {
				t.Errorf("fa: %s", r.Outcome)
			}
		}
		return m
	}
	if got := expects(testEnv(t))["en"]; got != "chat" {
		t.Errorf("offline: en scored as %q, want chat", got)
	}
	got := expects(testEnv(t, "OPENAI_BASE_URL", fake.BaseURL(), "OPENAI_API_KEY", mainTestKey))
	if got["en"] != "answer" {
		t.Errorf("with a model: en scored as %q, want answer", got["en"])
	}
	if len(fake.ChatRequests()) == 0 {
		t.Error("the model was never asked: the reader run did not use the configured model")
	}
}

// TestEvalReaderStaysInProcess: with INDEX_BACKEND=weaviate configured,
// the reader set is indexed in memory all the same, never into the
// operator's Weaviate (which a sync of the set's corpus would overwrite).
func TestEvalReaderStaysInProcess(t *testing.T) {
	saved := indexStartWait
	indexStartWait = 200 * time.Millisecond
	t.Cleanup(func() { indexStartWait = saved })
	dir := writeReaderSet(t,
		`{"id":"bus","category":"factual","question":"چند اتوبوس برقی به ناوگان تهران اضافه شد؟","expect":"answer","answers":["۱۵۰ دستگاه"]}`)
	vars := testEnv(t, "INDEX_BACKEND", "weaviate", "WEAVIATE_URL", closedURL(t))
	rep, stderr, err := runReader(t, vars, "--reader", dir)
	if err != nil || rep.Items != 1 || rep.Reader["overall"] != 1 {
		t.Fatalf("eval --reader with INDEX_BACKEND=weaviate: %v, %+v\n%s", err, rep, stderr)
	}
}
