package evaluation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/khabar/khabar/persian"
)

// The expectations a reader item can have (ReaderItem.Expect).
const (
	// ExpectAnswer: the reply cites a source ([n]) and carries an
	// acceptable string.
	ExpectAnswer = "answer"
	// ExpectNotFound: the reply cites nothing; it may have to carry an
	// acceptable string (the newest day the corpus covers, say).
	ExpectNotFound = "not_found"
	// ExpectChat: small talk, a non-empty reply that cites nothing.
	ExpectChat = "chat"
	// ExpectSummary: the reply cites sources; acceptable strings optional.
	ExpectSummary = "summary"
)

// ReaderCategories are the categories of a reader set, in report order.
var ReaderCategories = []string{
	"factual", "paraphrase", "colloquial", "spelling", "english",
	"relative_date", "absolute_date", "two_articles", "near_miss",
	"far_miss", "small_talk", "summary", "follow_up",
}

// Expectation is what a reply must be. Strings are matched on whole
// tokens of the canonical form (persian.Canonical) of both sides, so
// digit, letter and ZWNJ variants match.
type Expectation struct {
	Expect string `json:"expect"`
	// Answers are acceptable strings: the reply must carry one of them.
	Answers []string `json:"answers,omitempty"`
	// All are groups of acceptable strings: the reply must carry one
	// string of every group.
	All [][]string `json:"all,omitempty"`
	// Forbidden are wrong facts: a reply that cites a source and carries
	// one of them was answered with a wrong fact.
	Forbidden []string `json:"forbidden,omitempty"`
	// Outlets must each be among the cited sources: the outlet of a line
	// of the sources list («[۱] تابناک — ۶ مهر ۱۴۰۴ — «…»»).
	Outlets []string `json:"outlets,omitempty"`
}

// ReaderItem is one line of a reader set (testdata/reader/README.md).
type ReaderItem struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Question string `json:"question"`
	Expectation
	// LLM, when set, replaces the expectation in runs with a language
	// model (an English question is answered rather than declined).
	LLM *Expectation `json:"llm,omitempty"`
	// After is the id of the previous turn of the conversation; the two
	// share a chat.
	After string `json:"after,omitempty"`
	// Clocks are the clocks the item is meaningful at: "set" (the set's
	// own now) or a date YYYY-MM-DD; none means every clock.
	Clocks []string `json:"clocks,omitempty"`
	Note   string   `json:"note,omitempty"`

	file string
	line int
}

// ReaderSet is a reader set: its clock and its items in file order.
type ReaderSet struct {
	Dir string
	// Now is the set's clock, the day its relative dates refer to.
	Now time.Time
	// Corpus is the corpus folder the questions are about, resolved
	// against Dir.
	Corpus string
	Items  []ReaderItem
}

// readerMeta is set.json.
type readerMeta struct {
	Now    string `json:"now"`
	Corpus string `json:"corpus"`
}

// ReadReaderSet reads dir/set.json and every dir/*.jsonl, in name order,
// and checks the items.
func ReadReaderSet(dir string) (ReaderSet, error) {
	set := ReaderSet{Dir: dir}
	b, err := os.ReadFile(filepath.Join(dir, "set.json"))
	if err != nil {
		return set, err
	}
	var meta readerMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return set, fmt.Errorf("%s: %w", filepath.Join(dir, "set.json"), err)
	}
	if set.Now, err = time.Parse(time.RFC3339, meta.Now); err != nil {
		return set, fmt.Errorf("%s: now: %w", filepath.Join(dir, "set.json"), err)
	}
	if meta.Corpus == "" {
		return set, fmt.Errorf("%s: no corpus", filepath.Join(dir, "set.json"))
	}
	set.Corpus = meta.Corpus
	if !filepath.IsAbs(set.Corpus) {
		set.Corpus = filepath.Join(dir, set.Corpus)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return set, err
	}
	sort.Strings(files)
	for _, f := range files {
		items, err := readReaderItems(f)
		if err != nil {
			return set, err
		}
		set.Items = append(set.Items, items...)
	}
	if len(set.Items) == 0 {
		return set, fmt.Errorf("%s: no items", dir)
	}
	return set, checkReaderItems(set.Items)
}

func readReaderItems(path string) ([]ReaderItem, error) {
	var items []ReaderItem
	err := eachLine(path, func(line int, text string) error {
		if strings.HasPrefix(text, "//") {
			return nil
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		var it ReaderItem
		if err := dec.Decode(&it); err != nil {
			return err
		}
		it.file, it.line = path, line
		items = append(items, it)
		return nil
	})
	return items, err
}

// checkReaderItems rejects sets a run could not score honestly: unknown
// categories and expectations, duplicate ids, a follow-up whose previous
// turn is not an earlier item, answers expected without strings.
func checkReaderItems(items []ReaderItem) error {
	known := map[string]bool{}
	for _, c := range ReaderCategories {
		known[c] = true
	}
	seen := map[string]bool{}
	var errs []error
	for _, it := range items {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s:%d: %s: %s", it.file, it.line, it.ID, fmt.Sprintf(format, args...)))
		}
		switch {
		case it.ID == "":
			bad("no id")
		case seen[it.ID]:
			bad("duplicate id")
		}
		if !known[it.Category] {
			bad("unknown category %q", it.Category)
		}
		if strings.TrimSpace(it.Question) == "" {
			bad("no question")
		}
		checkExpectation(it.Expectation, bad)
		if it.LLM != nil {
			checkExpectation(*it.LLM, bad)
		}
		if it.After != "" && !seen[it.After] {
			bad("after %q: not an earlier item", it.After)
		}
		for _, c := range it.Clocks {
			if c == "set" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, c); err != nil {
				bad("clock %q is not \"set\" or YYYY-MM-DD", c)
			}
		}
		seen[it.ID] = true
	}
	return errors.Join(errs...)
}

func checkExpectation(e Expectation, bad func(string, ...any)) {
	switch e.Expect {
	case ExpectAnswer:
		if len(e.Answers)+len(e.All)+len(e.Outlets) == 0 {
			bad("an answer needs answers or all")
		}
	case ExpectNotFound, ExpectChat, ExpectSummary:
	default:
		bad("unknown expect %q", e.Expect)
	}
	for _, g := range e.All {
		if len(g) == 0 {
			bad("an empty group in all")
		}
	}
}

// ChatFunc sends text to the chat of a conversation, as a reader would,
// and returns the reply. Turns of one conversation share the id.
type ChatFunc func(ctx context.Context, conversation int64, text string) (Reply, error)

// Reply is what the chat said.
type Reply struct {
	Text string
	// Answer reports that the text was answered as a question (the
	// search and answer path), not as small talk or a summary request.
	Answer bool
	// NotFound reports that the text was answered as a question and
	// nothing answered it: small talk must not get that reply.
	NotFound bool
}

// ReaderConfig says how to run a reader set.
type ReaderConfig struct {
	Set ReaderSet
	// Now is the clock of the run; zero means the set's.
	Now time.Time
	// Chat is the reader's path through the program.
	Chat ChatFunc
	// LLM reports that the program answers with a language model: items
	// with an llm expectation are scored by it.
	LLM bool
}

// ReaderReport is the result of a reader run. Reader holds the guarded
// figures: "overall", one pass rate per category, "wrong_fact".
type ReaderReport struct {
	Set     string             `json:"set"`
	Now     string             `json:"now"`
	SetNow  bool               `json:"set_clock"`
	Items   int                `json:"items"`
	Skipped int                `json:"skipped"`
	Reader  map[string]float64 `json:"reader"`
	// Categories are the counts behind the pass rates.
	Categories map[string]ReaderCount `json:"categories"`
	Results    []ReaderResult         `json:"results"`
}

// ReaderCount is one category's items and passes.
type ReaderCount struct {
	Items  int `json:"items"`
	Passed int `json:"passed"`
}

// The outcomes of an item (ReaderResult.Outcome).
const (
	OutcomePass      = "pass"
	OutcomeWrongFact = "wrong_fact" // cites a source and carries a forbidden string
	OutcomeNotFound  = "not_found"  // an answer or summary was expected, nothing was cited; or small talk was searched and not found
	OutcomeCited     = "cited"      // not found or small talk was expected, a source was cited
	OutcomeAnswered  = "answered"   // a summary was expected, the text was answered as a question
	OutcomeMissing   = "missing"    // the expected strings are not in the reply
	OutcomeEmpty     = "empty"      // no reply
	OutcomeError     = "error"      // the chat failed
)

// ReaderResult is how one item went.
type ReaderResult struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Question string `json:"question"`
	Expect   string `json:"expect"`
	Outcome  string `json:"outcome"`
	Pass     bool   `json:"pass"`
	Reply    string `json:"reply"`
}

// FirstLine is the first non-empty line of the reply.
func (r ReaderResult) FirstLine() string {
	for _, l := range strings.Split(r.Reply, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// citation is a citation marker, [۱] or [1].
var citation = regexp.MustCompile(`\[[0-9۰-۹]+\]`)

// sourceLine is a line of a sources list: the marker, the outlet, a dash.
var sourceLine = regexp.MustCompile(`^\[[0-9۰-۹]+\]\s*([^—]+?)\s+—`)

// CitedOutlets returns the outlets of the reply's sources list.
func CitedOutlets(reply string) []string {
	var out []string
	for _, l := range strings.Split(reply, "\n") {
		if m := sourceLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// Cites reports whether reply carries a citation marker.
func Cites(reply string) bool { return citation.MatchString(reply) }

// Score scores one reply against the expectation. A reply that cites
// nothing is not an answer, so its related headlines never count as a
// wrong fact.
func (e Expectation) Score(r Reply) string {
	reply := r.Text
	cited := Cites(reply)
	switch {
	case strings.TrimSpace(reply) == "":
		return OutcomeEmpty
	case e.Expect == ExpectChat && r.NotFound:
		return OutcomeNotFound
	case e.Expect == ExpectSummary && (r.Answer || r.NotFound):
		return OutcomeAnswered
	case cited && len(e.Forbidden) > 0 && containsAnswer(reply, e.Forbidden):
		return OutcomeWrongFact
	}
	switch e.Expect {
	case ExpectAnswer, ExpectSummary:
		if !cited {
			return OutcomeNotFound
		}
	default:
		if cited {
			return OutcomeCited
		}
	}
	if len(e.Answers) > 0 && !containsAnswer(reply, e.Answers) {
		return OutcomeMissing
	}
	for _, g := range e.All {
		if !containsAnswer(reply, g) {
			return OutcomeMissing
		}
	}
	if len(e.Outlets) > 0 {
		cited := CitedOutlets(reply)
		for _, o := range e.Outlets {
			if !containsAnswer(strings.Join(cited, " | "), []string{o}) {
				return OutcomeMissing
			}
		}
	}
	return OutcomePass
}

// applies reports whether an item is meaningful at the run's clock.
func (it ReaderItem) applies(now time.Time, setClock bool) bool {
	if len(it.Clocks) == 0 {
		return true
	}
	day := now.In(persian.Tehran()).Format(time.DateOnly)
	for _, c := range it.Clocks {
		if c == "set" && setClock || c == day {
			return true
		}
	}
	return false
}

// RunReader asks every item of the set that applies at the run's clock,
// in file order, each conversation in its own chat, and scores the replies.
func RunReader(ctx context.Context, cfg ReaderConfig) (ReaderReport, error) {
	now := cfg.Now
	if now.IsZero() {
		now = cfg.Set.Now
	}
	setClock := now.Equal(cfg.Set.Now)
	rep := ReaderReport{
		Set:        cfg.Set.Dir,
		Now:        now.Format(time.RFC3339),
		SetNow:     setClock,
		Reader:     map[string]float64{},
		Categories: map[string]ReaderCount{},
	}
	conv := map[string]int64{} // item id → conversation
	skipped := map[string]bool{}
	var next int64
	wrong := 0
	for _, it := range cfg.Set.Items {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if skipped[it.After] || !it.applies(now, setClock) {
			skipped[it.ID] = true
			rep.Skipped++
			continue
		}
		id, ok := conv[it.After]
		if it.After == "" || !ok {
			next++
			id = next
		}
		conv[it.ID] = id
		reply, err := cfg.Chat(ctx, id, it.Question)
		want := it.Expectation
		if cfg.LLM && it.LLM != nil {
			want = *it.LLM
		}
		outcome := OutcomeError
		if err == nil {
			outcome = want.Score(reply)
		} else if ctx.Err() != nil {
			return rep, ctx.Err()
		} else {
			reply.Text = err.Error()
		}
		res := ReaderResult{ID: it.ID, Category: it.Category, Question: it.Question, Expect: want.Expect,
			Outcome: outcome, Pass: outcome == OutcomePass, Reply: reply.Text}
		rep.Results = append(rep.Results, res)
		c := rep.Categories[it.Category]
		c.Items++
		if res.Pass {
			c.Passed++
		}
		rep.Categories[it.Category] = c
		if outcome == OutcomeWrongFact {
			wrong++
		}
	}
	rep.Items = len(rep.Results)
	passed := 0
	for name, c := range rep.Categories {
		rep.Reader[name] = ratio(float64(c.Passed), c.Items)
		passed += c.Passed
	}
	rep.Reader["overall"] = ratio(float64(passed), rep.Items)
	rep.Reader["wrong_fact"] = float64(wrong)
	rep.Reader["passed"] = float64(passed)
	return rep, nil
}
