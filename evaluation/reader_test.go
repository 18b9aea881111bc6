package evaluation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExpectationScore(t *testing.T) {
	const cited = "دلار به ۱۱۴ هزار و ۶۰۰ تومان رسید. [۱]\n\nمنابع:\n[۱] تابناک — ۱۳ مهر ۱۴۰۴"
	tests := []struct {
		name  string
		want  Expectation
		reply string
		give  string // the outcome
	}{
		{"answer found", Expectation{Expect: ExpectAnswer, Answers: []string{"۱۱۴ هزار و ۶۰۰ تومان"}}, cited, OutcomePass},
		{"answer found in Latin digits", Expectation{Expect: ExpectAnswer, Answers: []string{"114 هزار و 600"}}, cited, OutcomePass},
		{"answer with Arabic letters and no ZWNJ",
			Expectation{Expect: ExpectAnswer, Answers: []string{"سانتي متر ميشود"}}, "کاهش ۴۲ سانتی متر می‌شود [1]", OutcomePass},
		{"any one answer is enough", Expectation{Expect: ExpectAnswer, Answers: []string{"یورو", "تابناک"}}, cited, OutcomePass},
		{"answer string missing", Expectation{Expect: ExpectAnswer, Answers: []string{"۱۳۳ هزار و ۸۰۰"}}, cited, OutcomeMissing},
		{"a part of a number is not the number", Expectation{Expect: ExpectAnswer, Answers: []string{"۱۴ هزار"}}, cited, OutcomeMissing},
		{"answer not cited", Expectation{Expect: ExpectAnswer, Answers: []string{"۱۱۴ هزار"}}, "دلار ۱۱۴ هزار تومان شد.", OutcomeNotFound},
		{"every group of all", Expectation{Expect: ExpectAnswer, All: [][]string{{"دلار"}, {"خبرآنلاین", "تابناک"}}}, cited, OutcomePass},
		{"one group of all unmet", Expectation{Expect: ExpectAnswer, All: [][]string{{"دلار"}, {"ایرنا"}}}, cited, OutcomeMissing},
		{"a cited outlet", Expectation{Expect: ExpectAnswer, Outlets: []string{"تابناک"}}, cited, OutcomePass},
		{"an outlet named in the text is not cited", Expectation{Expect: ExpectAnswer, Outlets: []string{"مهر"}}, cited, OutcomeMissing},
		{"an outlet of several words", Expectation{Expect: ExpectAnswer, Outlets: []string{"مهر", "همشهری آنلاین"}},
			"الف [۱][۲]\n\nمنابع:\n[۱] خبرگزاری مهر — ۱۳ مهر ۱۴۰۴ — «الف»\n[2] همشهری آنلاین — ۱۳ مهر ۱۴۰۴ — «ب»", OutcomePass},
		{"not found", Expectation{Expect: ExpectNotFound}, "در منابع موجود پاسخی برای این پرسش پیدا نکردم.", OutcomePass},
		{"not found but cited", Expectation{Expect: ExpectNotFound}, cited, OutcomeCited},
		{"not found naming the newest day", Expectation{Expect: ExpectNotFound, Answers: []string{"۲۰ مهر ۱۴۰۴"}}, "برای امروز خبری نیست؛ تازه‌ترین خبرها از ۲۰ مهر ۱۴۰۴ است.", OutcomePass},
		{"not found without the newest day", Expectation{Expect: ExpectNotFound, Answers: []string{"۲۰ مهر ۱۴۰۴"}}, "خبری نیست.", OutcomeMissing},
		{"near miss answered with the wrong fact", Expectation{Expect: ExpectNotFound, Forbidden: []string{"۱۱۴ هزار و ۶۰۰"}}, cited, OutcomeWrongFact},
		{"near miss answered with another fact", Expectation{Expect: ExpectNotFound, Forbidden: []string{"۲ بر صفر"}}, cited, OutcomeCited},
		{"related headlines are not a wrong fact",
			Expectation{Expect: ExpectNotFound, Forbidden: []string{"۲ بر صفر"}}, "پاسخی پیدا نکردم.\nخبرهای مرتبط:\n• سپاهان ۲ بر صفر تراکتور را برد", OutcomePass},
		{"small talk", Expectation{Expect: ExpectChat}, "سلام! پرسشی درباره اخبار دارید؟", OutcomePass},
		{"small talk cited", Expectation{Expect: ExpectChat}, "سلامت مردم در خطر است. [۱]", OutcomeCited},
		{"small talk empty", Expectation{Expect: ExpectChat}, " \n", OutcomeEmpty},
		{"summary", Expectation{Expect: ExpectSummary}, "خلاصه اخبار ۱۳ مهر\n\n• دلار ارزان شد. [۱]", OutcomePass},
		{"summary with nothing cited", Expectation{Expect: ExpectSummary}, "برای این بازه خبری در منابع نیست.", OutcomeNotFound},
		{"summary lacking the topic", Expectation{Expect: ExpectSummary, Answers: []string{"مترو"}}, "• دلار ارزان شد. [۱]", OutcomeMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.want.Score(Reply{Text: tt.reply}); got != tt.give {
				t.Errorf("got %q, want %q", got, tt.give)
			}
		})
	}
	notFound := Reply{Text: "در منابع موجود پاسخی برای این پرسش پیدا نکردم.", NotFound: true}
	if got := (Expectation{Expect: ExpectChat}).Score(notFound); got != OutcomeNotFound {
		t.Errorf("small talk searched and not found: got %q, want %q", got, OutcomeNotFound)
	}
	if got := (Expectation{Expect: ExpectNotFound}).Score(notFound); got != OutcomePass {
		t.Errorf("a far miss not found: got %q, want %q", got, OutcomePass)
	}
	// «چه خبر؟» answered with sentences that say «… خبر داد» is not a
	// summary, whatever it cites.
	answered := Reply{Text: "ستاد مدیریت بحران از آماده‌باش خبر داد. [۱]", Answer: true}
	if got := (Expectation{Expect: ExpectSummary}).Score(answered); got != OutcomeAnswered {
		t.Errorf("a summary request answered as a question: got %q, want %q", got, OutcomeAnswered)
	}
	if got := (Expectation{Expect: ExpectAnswer, Answers: []string{"خبر داد"}}).Score(answered); got != OutcomePass {
		t.Errorf("a question answered: got %q, want %q", got, OutcomePass)
	}
}

// fakeChat answers from a table and records which conversation each
// question was asked in.
type fakeChat struct {
	replies map[string]string
	asked   []string
	conv    map[string]int64
}

func (f *fakeChat) chat(_ context.Context, id int64, text string) (Reply, error) {
	f.asked = append(f.asked, text)
	f.conv[text] = id
	r, ok := f.replies[text]
	if !ok {
		return Reply{}, errors.New("no reply")
	}
	return Reply{Text: r}, nil
}

func item(id, cat, q string, e Expectation) ReaderItem {
	return ReaderItem{ID: id, Category: cat, Question: q, Expectation: e}
}

func TestRunReader(t *testing.T) {
	setNow := time.Date(2025, 10, 12, 12, 0, 0, 0, time.UTC)
	ans := func(s ...string) Expectation { return Expectation{Expect: ExpectAnswer, Answers: s} }
	followUp := item("f2", "follow_up", "یورو چطور؟", ans("۱۳۳ هزار"))
	followUp.After = "f1"
	second := item("f3", "follow_up", "سکه چی؟", ans("۱۱۱ میلیون"))
	second.After = "f2"
	relative := item("r1", "relative_date", "دیروز چه خبر بود؟", Expectation{Expect: ExpectSummary})
	relative.Clocks = []string{"set"}
	relFollow := item("r2", "follow_up", "بیشتر بگو", Expectation{Expect: ExpectSummary})
	relFollow.After = "r1"
	english := item("e1", "english", "What was the dollar rate?", Expectation{Expect: ExpectChat, Answers: []string{"فارسی"}})
	english.LLM = &Expectation{Expect: ExpectAnswer, Answers: []string{"۱۱۴ هزار"}}
	set := ReaderSet{Dir: "set", Now: setNow, Items: []ReaderItem{
		item("f1", "factual", "دلار چند شد؟", ans("۱۱۴ هزار")),
		followUp,
		second,
		item("n1", "near_miss", "خط ۱۱ کی افتتاح می‌شود؟", Expectation{Expect: ExpectNotFound, Forbidden: []string{"خط ۱۰"}}),
		item("n2", "near_miss", "استقلال و سپاهان چند شد؟", Expectation{Expect: ExpectNotFound, Forbidden: []string{"۲ بر صفر"}}),
		item("s1", "small_talk", "سلام", Expectation{Expect: ExpectChat}),
		relative,
		relFollow,
		english,
		item("x1", "far_miss", "بی‌پاسخ", Expectation{Expect: ExpectNotFound}),
	}}
	replies := map[string]string{
		"دلار چند شد؟":             "دلار ۱۱۴ هزار و ۶۰۰ تومان شد. [۱]",
		"یورو چطور؟":               "یورو ۱۳۳ هزار و ۸۰۰ تومان شد. [۱]",
		"سکه چی؟":                  "دلار ۱۱۴ هزار و ۶۰۰ تومان شد. [۱]",
		"خط ۱۱ کی افتتاح می‌شود؟":  "خط ۱۰ مترو ۹ مهر افتتاح شد. [۱]",
		"استقلال و سپاهان چند شد؟": "پاسخی پیدا نکردم.",
		"سلام":                      "سلام!",
		"دیروز چه خبر بود؟":         "• اتوبوس برقی [۱]",
		"بیشتر بگو":                 "• سدهای تهران [۱]",
		"What was the dollar rate?": "لطفاً پرسش را به فارسی بنویسید.",
	}

	t.Run("the set's clock", func(t *testing.T) {
		f := &fakeChat{replies: replies, conv: map[string]int64{}}
		rep, err := RunReader(context.Background(), ReaderConfig{Set: set, Chat: f.chat})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Items != 10 || rep.Skipped != 0 {
			t.Errorf("items %d, skipped %d, want 10 and 0", rep.Items, rep.Skipped)
		}
		if f.conv["یورو چطور؟"] != f.conv["دلار چند شد؟"] || f.conv["سکه چی؟"] != f.conv["دلار چند شد؟"] {
			t.Errorf("the follow-ups were not asked in their conversation: %v", f.conv)
		}
		if f.conv["بیشتر بگو"] != f.conv["دیروز چه خبر بود؟"] {
			t.Errorf("r2 not in r1's conversation: %v", f.conv)
		}
		ids := map[int64]bool{}
		for _, id := range f.conv {
			ids[id] = true
		}
		// f1-f3, n1, n2, s1, r1-r2, e1, x1: seven conversations.
		if len(ids) != 7 {
			t.Errorf("%d conversations, want 7: %v", len(ids), f.conv)
		}
		want := map[string]float64{
			"factual": 1, "follow_up": 2.0 / 3, "near_miss": 0.5, "small_talk": 1,
			"relative_date": 1, "english": 1, "far_miss": 0,
			"overall": 7.0 / 10, "wrong_fact": 1, "passed": 7,
		}
		for k, v := range want {
			if got, ok := rep.Reader[k]; !ok || fmt.Sprintf("%.4f", got) != fmt.Sprintf("%.4f", v) {
				t.Errorf("reader.%s = %v (present %v), want %v", k, got, ok, v)
			}
		}
		outcomes := map[string]string{}
		for _, r := range rep.Results {
			outcomes[r.ID] = r.Outcome
		}
		for id, o := range map[string]string{"f3": OutcomeMissing, "n1": OutcomeWrongFact, "n2": OutcomePass, "x1": OutcomeError} {
			if outcomes[id] != o {
				t.Errorf("%s: got %q, want %q", id, outcomes[id], o)
			}
		}
	})

	t.Run("another clock skips the set's relative dates and their follow-ups", func(t *testing.T) {
		f := &fakeChat{replies: replies, conv: map[string]int64{}}
		rep, err := RunReader(context.Background(), ReaderConfig{Set: set, Chat: f.chat, Now: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Items != 8 || rep.Skipped != 2 || rep.SetNow {
			t.Errorf("items %d, skipped %d, set clock %v; want 8, 2, false", rep.Items, rep.Skipped, rep.SetNow)
		}
		for _, q := range f.asked {
			if q == "دیروز چه خبر بود؟" || q == "بیشتر بگو" {
				t.Errorf("%q asked at another clock", q)
			}
		}
		if _, ok := rep.Reader["relative_date"]; ok {
			t.Error("a category with no item asked has a rate")
		}
	})

	t.Run("a dated clock", func(t *testing.T) {
		dated := item("d1", "absolute_date", "اخبار امروز", Expectation{Expect: ExpectNotFound})
		dated.Clocks = []string{"2026-12-02"}
		s := ReaderSet{Now: setNow, Items: []ReaderItem{dated}}
		f := &fakeChat{replies: map[string]string{"اخبار امروز": "خبری نیست"}, conv: map[string]int64{}}
		for _, tc := range []struct {
			now  time.Time
			want int
		}{{setNow, 0}, {time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), 1}, {time.Date(2026, 12, 2, 21, 0, 0, 0, time.UTC), 0}} {
			rep, err := RunReader(context.Background(), ReaderConfig{Set: s, Chat: f.chat, Now: tc.now})
			if err != nil {
				t.Fatal(err)
			}
			// 21:00 UTC is already 3 Dec in Tehran.
			if rep.Items != tc.want {
				t.Errorf("now %s: %d items asked, want %d", tc.now, rep.Items, tc.want)
			}
		}
	})

	t.Run("with a model", func(t *testing.T) {
		f := &fakeChat{replies: replies, conv: map[string]int64{}}
		rep, err := RunReader(context.Background(), ReaderConfig{Set: set, Chat: f.chat, LLM: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Reader["english"] != 0 {
			t.Errorf("english = %v with a model, want 0 (the reply declined instead of answering)", rep.Reader["english"])
		}
	})
}

func writeSet(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadReaderSet(t *testing.T) {
	const meta = `{"now": "2025-10-12T12:00:00+03:30", "corpus": "corpus"}`
	dir := writeSet(t, map[string]string{
		"set.json": meta,
		"b.jsonl":  `{"id":"b1","category":"follow_up","question":"یورو چطور؟","expect":"answer","answers":["یورو"],"after":"a1"}` + "\n",
		"a.jsonl":  `// a comment line` + "\n" + `{"id":"a1","category":"factual","question":"دلار؟","expect":"answer","all":[["دلار"],["تومان","ریال"]]}` + "\n\n",
	})
	set, err := ReadReaderSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Items) != 2 || set.Items[0].ID != "a1" || set.Items[1].After != "a1" {
		t.Errorf("items %+v: want a1 then b1, in file name order", set.Items)
	}
	if set.Corpus != filepath.Join(dir, "corpus") || set.Now.Format(time.RFC3339) != "2025-10-12T12:00:00+03:30" {
		t.Errorf("corpus %q, now %s", set.Corpus, set.Now)
	}

	bad := []struct{ name, line, want string }{
		{"unknown category", `{"id":"x","category":"sport","question":"q","expect":"not_found"}`, "unknown category"},
		{"unknown expect", `{"id":"x","category":"factual","question":"q","expect":"yes"}`, "unknown expect"},
		{"answer without strings", `{"id":"x","category":"factual","question":"q","expect":"answer"}`, "needs answers"},
		{"follow-up of a later item", `{"id":"x","category":"follow_up","question":"q","expect":"chat","after":"y"}` + "\n" + `{"id":"y","category":"factual","question":"q","expect":"chat"}`, "not an earlier item"},
		{"duplicate id", `{"id":"x","category":"factual","question":"q","expect":"chat"}` + "\n" + `{"id":"x","category":"factual","question":"q","expect":"chat"}`, "duplicate id"},
		{"bad clock", `{"id":"x","category":"factual","question":"q","expect":"chat","clocks":["tomorrow"]}`, "clock"},
		{"a misspelt field", `{"id":"x","category":"factual","question":"q","expect":"chat","forbiden":["a"]}`, "unknown field"},
		{"an empty group", `{"id":"x","category":"factual","question":"q","expect":"answer","all":[[]]}`, "empty group"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSet(t, map[string]string{"set.json": meta, "q.jsonl": tt.line + "\n"})
			_, err := ReadReaderSet(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
	if _, err := ReadReaderSet(writeSet(t, map[string]string{"set.json": `{"now":"2025-10-12","corpus":"c"}`, "q.jsonl": ""})); err == nil {
		t.Error("a date-only now: want an error (RFC 3339 is required)")
	}
}
