package evaluation

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// Question is one line of a questions.jsonl file.
type Question struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Answers  []string `json:"answers"`
	DocIDs   []string `json:"doc_ids"`
}

// Config says what to evaluate.
type Config struct {
	// Corpora are corpus.jsonl files indexed together.
	Corpora []string
	// Absent, when set, are corpora indexed alone; every question is also
	// asked against them, where none can be answered (e.g. persianqa's
	// questions against farsnews-corpus).
	Absent []string
	// Questions is the questions.jsonl file.
	Questions string
	// K is the cut-off of the printed success (rounded up to 1, 5 or 10,
	// where it is measured); rankings always go to 100.
	K int
	// NewIndex returns an empty index with the configured embedder: the
	// in-process *retrieval.Index or any other [retrieval.Store].
	NewIndex func() (retrieval.Store, error)
	// Answer configures the composer of the answer path.
	Answer answer.Options
	// Progress receives progress lines for long runs; may be nil.
	Progress io.Writer
}

// Report is the result of a run.
type Report struct {
	Corpora    []string  `json:"corpora"`
	Questions  string    `json:"questions"`
	Articles   int       `json:"articles"`
	Chunks     int       `json:"chunks"`
	IndexTime  float64   `json:"index_seconds"`
	Retrieval  Retrieval `json:"retrieval"`
	Search     Latency   `json:"search_latency"`
	AnswerTime Latency   `json:"answer_latency"`
	// Answers is set when the questions have gold answers.
	Answers *Answers `json:"answers,omitempty"`
	// Absent is set when Config.Absent was given.
	Absent *Absent `json:"absent,omitempty"`
	// Curve is the trade-off of the relevance floor (see [Point]).
	Curve []Point `json:"floor_curve,omitempty"`
}

// Answers are the answer-path figures for sets with gold answers.
type Answers struct {
	Answerable int `json:"answerable"`
	// Recall is the share of answerable questions whose reply contains a
	// gold answer (canonical form on both sides).
	Recall float64 `json:"answer_recall"`
	// Answered is the share of answerable questions that got an answer
	// rather than "not found".
	Answered float64 `json:"answered"`
	// Lacking are the questions whose answer is not in the indexed corpora
	// (no doc_ids, or none indexed).
	Lacking int `json:"lacking"`
	// NotFoundOnLacking is the share of those that got "not found".
	NotFoundOnLacking float64 `json:"not_found_on_lacking"`
	// NoAnswerPrecision and NoAnswerRecall rate "not found" as a
	// prediction that the corpus lacks the answer.
	NoAnswerPrecision float64 `json:"no_answer_precision"`
	NoAnswerRecall    float64 `json:"no_answer_recall"`
}

// Absent are the figures of the questions asked against Config.Absent.
type Absent struct {
	Corpora  []string `json:"corpora"`
	Articles int      `json:"articles"`
	// NotFound is the share of questions that got "not found".
	NotFound float64 `json:"not_found"`
}

// Point is one threshold of the relevance floor: the share of answerable
// questions still answered, of questions against the absent corpora told
// "not found", and of the set's own unanswerable questions told "not
// found".
type Point struct {
	Threshold        float64 `json:"threshold"`
	Answered         float64 `json:"answered"`
	AbsentNotFound   float64 `json:"absent_not_found"`
	LackingNotFound  float64 `json:"lacking_not_found"`
	CurrentThreshold bool    `json:"current,omitempty"`
}

// ReadQuestions reads a questions.jsonl file.
func ReadQuestions(path string) ([]Question, error) {
	var qs []Question
	err := eachLine(path, func(_ int, text string) error {
		var q Question
		if err := json.Unmarshal([]byte(text), &q); err != nil {
			return err
		}
		qs = append(qs, q)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s: no questions", path)
	}
	return qs, nil
}

// eachLine calls f with each non-blank line of the file at path, trimmed,
// and its number (from 1); an error of f is returned with the file and
// line it came from.
func eachLine(path string, f func(line int, text string) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	br := bufio.NewReader(file)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if text := strings.TrimSpace(string(b)); text != "" {
			if ferr := f(line, text); ferr != nil {
				return fmt.Errorf("%s:%d: %w", path, line, ferr)
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
}

func readCorpora(paths []string) ([]corpus.Article, error) {
	var all []corpus.Article
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		arts, problems := corpus.ParseJSONL(filepath.Base(p), f, corpus.LoadOptions{})
		f.Close()
		if len(arts) == 0 {
			return nil, fmt.Errorf("%s: no articles (%d problems)", p, len(problems))
		}
		all = append(all, arts...)
	}
	return all, nil
}

func (c Config) progress(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, format+"\n", args...)
	}
}

// Run indexes the corpora, asks every question and measures.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.K <= 0 {
		cfg.K = 10
	}
	rep := Report{Corpora: cfg.Corpora, Questions: cfg.Questions}
	qs, err := ReadQuestions(cfg.Questions)
	if err != nil {
		return rep, err
	}
	arts, err := readCorpora(cfg.Corpora)
	if err != nil {
		return rep, err
	}
	indexed := make(map[string]bool, len(arts))
	for _, a := range arts {
		indexed[a.ID] = true
	}
	cfg.progress("indexing %d articles…", len(arts))
	ix, err := cfg.NewIndex()
	if err != nil {
		return rep, fmt.Errorf("index: %w", err)
	}
	start := time.Now()
	sync, err := ix.SyncArticles(ctx, arts)
	if err != nil {
		return rep, fmt.Errorf("index: %w", err)
	}
	rep.IndexTime = time.Since(start).Seconds()
	rep.Articles, rep.Chunks = sync.Articles, sync.Chunks
	cfg.progress("indexed %d chunks in %.1fs", rep.Chunks, rep.IndexTime)

	withAnswers := false
	for _, q := range qs {
		if len(q.Answers) > 0 {
			withAnswers = true
			break
		}
	}
	composer := answer.New(ix, cfg.Answer)
	floor := composer.Floor()

	var searchTimes, answerTimes []time.Duration
	var ans Answers
	var answerableScores, lackingScores []float64
	var tp, fp, fn int
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if i > 0 && i%200 == 0 {
			cfg.progress("%d/%d questions", i, len(qs))
		}
		relevant := map[string]bool{}
		for _, id := range q.DocIDs {
			if indexed[id] {
				relevant[id] = true
			}
		}
		if len(q.DocIDs) > 0 {
			t0 := time.Now()
			res, err := ix.Search(ctx, retrieval.Query{Text: q.Question, K: 100, PerArticle: 1})
			searchTimes = append(searchTimes, time.Since(t0))
			if err != nil {
				return rep, fmt.Errorf("search %s: %w", q.ID, err)
			}
			ranked := make([]string, len(res.Passages))
			for j, p := range res.Passages {
				ranked[j] = p.ArticleID
			}
			rep.Retrieval.add(scoreRanking(ranked, relevant))
		}
		if !withAnswers {
			continue
		}
		t0 := time.Now()
		a, err := composer.Answer(ctx, answer.Request{Question: q.Question})
		answerTimes = append(answerTimes, time.Since(t0))
		if err != nil && !errors.Is(err, answer.ErrEmptyQuestion) {
			return rep, fmt.Errorf("answer %s: %w", q.ID, err)
		}
		lacking := len(relevant) == 0
		notFound := err != nil || a.NotFound()
		switch {
		case lacking && notFound:
			tp++ // rightly said "not found"
		case !lacking && notFound:
			fp++ // said "not found" though the answer is indexed
		case lacking && !notFound:
			fn++ // answered though the corpora lack the answer
		}
		if lacking {
			ans.Lacking++
			lackingScores = append(lackingScores, a.Relevance)
			if notFound {
				ans.NotFoundOnLacking++
			}
			continue
		}
		ans.Answerable++
		answerableScores = append(answerableScores, a.Relevance)
		if !notFound {
			ans.Answered++
			if containsAnswer(a.Text, q.Answers) {
				ans.Recall++
			}
		}
	}
	rep.Retrieval.finish()
	rep.Search = latency(searchTimes)
	rep.AnswerTime = latency(answerTimes)
	if withAnswers {
		ans.Recall = ratio(ans.Recall, ans.Answerable)
		ans.Answered = ratio(ans.Answered, ans.Answerable)
		ans.NotFoundOnLacking = ratio(ans.NotFoundOnLacking, ans.Lacking)
		ans.NoAnswerPrecision = ratio(float64(tp), tp+fp)
		ans.NoAnswerRecall = ratio(float64(tp), tp+fn)
		rep.Answers = &ans
	}

	var absentScores []float64
	if len(cfg.Absent) > 0 {
		abs, scores, err := runAbsent(ctx, cfg, qs)
		if err != nil {
			return rep, err
		}
		rep.Absent = abs
		absentScores = scores
	}
	if withAnswers {
		rep.Curve = curve(floor.Threshold, answerableScores, absentScores, lackingScores)
	}
	return rep, nil
}

// runAbsent asks every question against an index of cfg.Absent alone.
func runAbsent(ctx context.Context, cfg Config, qs []Question) (*Absent, []float64, error) {
	arts, err := readCorpora(cfg.Absent)
	if err != nil {
		return nil, nil, err
	}
	cfg.progress("indexing %d articles of the absent corpora…", len(arts))
	ix, err := cfg.NewIndex()
	if err != nil {
		return nil, nil, fmt.Errorf("absent index: %w", err)
	}
	if _, err := ix.SyncArticles(ctx, arts); err != nil {
		return nil, nil, fmt.Errorf("absent index: %w", err)
	}
	composer := answer.New(ix, cfg.Answer)
	abs := &Absent{Corpora: cfg.Absent, Articles: len(arts)}
	var scores []float64
	for _, q := range qs {
		a, err := composer.Answer(ctx, answer.Request{Question: q.Question})
		if err != nil && !errors.Is(err, answer.ErrEmptyQuestion) {
			return nil, nil, fmt.Errorf("answer %s: %w", q.ID, err)
		}
		scores = append(scores, a.Relevance)
		if err != nil || a.NotFound() {
			abs.NotFound++
		}
	}
	abs.NotFound = ratio(abs.NotFound, len(qs))
	return abs, scores, nil
}

// curve sweeps the floor's threshold.
func curve(current float64, answerable, absent, lacking []float64) []Point {
	thresholds := []float64{current}
	for t := 0.1; t < 2.0001; t += 0.1 {
		thresholds = append(thresholds, t)
	}
	sort.Float64s(thresholds)
	var out []Point
	for _, t := range thresholds {
		if len(out) > 0 && abs(out[len(out)-1].Threshold-t) < 1e-9 {
			out[len(out)-1].CurrentThreshold = out[len(out)-1].CurrentThreshold || t == current
			continue
		}
		out = append(out, Point{
			Threshold:        t,
			Answered:         shareAtLeast(answerable, t),
			AbsentNotFound:   1 - shareAtLeast(absent, t),
			LackingNotFound:  1 - shareAtLeast(lacking, t),
			CurrentThreshold: t == current,
		})
	}
	return out
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func shareAtLeast(scores []float64, t float64) float64 {
	if len(scores) == 0 {
		return 0
	}
	n := 0
	for _, s := range scores {
		if s >= t {
			n++
		}
	}
	return float64(n) / float64(len(scores))
}

func ratio(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return x / float64(n)
}

// containsAnswer reports whether reply contains one of the gold answers,
// both in canonical form and matched on whole tokens.
func containsAnswer(reply string, golds []string) bool {
	r := " " + persian.Canonical(reply) + " "
	for _, g := range golds {
		if c := persian.Canonical(g); c != "" && strings.Contains(r, " "+c+" ") {
			return true
		}
	}
	return false
}
