package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/khabar/khabar/evaluation"
	"github.com/khabar/khabar/retrieval"
	"github.com/khabar/khabar/retrieval/weaviate"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// errGuard is returned when a --min or --max guard fails.
var errGuard = errors.New("evaluation guard failed")

// evalArgs are eval's parsed flags.
type evalArgs struct {
	corpora, absent, mins, maxs listFlag
	questions                   string
	reader                      string // a reader set folder, instead of corpora and questions
	backend                     string // index backend; "" for INDEX_BACKEND
	now                         clockSetting
	k                           int
	json                        bool
}

// parseEval parses eval's flags (before the configuration is read, so
// that -h works whatever it holds).
func parseEval(args []string, stdout, stderr io.Writer) (evalArgs, error) {
	fl := newFlags("eval", commands["eval"])
	var ea evalArgs
	fl.Var(&ea.corpora, "corpus", "corpus.jsonl to index (repeatable)")
	fl.Var(&ea.absent, "absent", "corpus.jsonl to index alone and ask every question against, where none can be answered (repeatable)")
	fl.Var(&ea.mins, "min", "guard: metric=value, fail when the metric is below value (repeatable; metric names as in --json, e.g. retrieval.ndcg_at_10)")
	fl.Var(&ea.maxs, "max", "guard: metric=value, fail when the metric is above value (repeatable; e.g. search_latency.p95_ms)")
	fl.StringVar(&ea.questions, "questions", "", "questions.jsonl")
	fl.StringVar(&ea.reader, "reader", "", "a reader set folder (testdata/reader): its questions asked through the console chat")
	nowFlag(fl, &ea.now)
	fl.IntVar(&ea.k, "k", 10, "cut-off of the third printed success@ line: success is measured at 1, 5 and 10, and k is rounded up to one of them")
	fl.BoolVar(&ea.json, "json", false, "print one JSON object")
	fl.StringVar(&ea.backend, "backend", "", "index backend: in-process or weaviate (default INDEX_BACKEND); weaviate indexes into throwaway collections it deletes at the end")
	if err := parseArgs(fl, args, stdout, stderr); err != nil {
		return ea, err
	}
	if fl.NArg() > 0 {
		fl.Usage()
		return ea, fmt.Errorf("%w: eval takes no arguments, got %q", errUsage, fl.Arg(0))
	}
	switch ea.backend {
	case "", backendInProcess, backendWeaviate:
	default:
		fl.Usage()
		return ea, fmt.Errorf("%w: --backend is in-process or weaviate, not %q", errUsage, ea.backend)
	}
	if ea.reader != "" {
		if len(ea.corpora)+len(ea.absent) > 0 || ea.questions != "" {
			fl.Usage()
			return ea, fmt.Errorf("%w: --reader takes its corpus from the set; drop --corpus, --absent and --questions", errUsage)
		}
		return ea, nil
	}
	if len(ea.corpora) == 0 || ea.questions == "" {
		fl.Usage()
		return ea, fmt.Errorf("%w: eval needs --corpus and --questions (or --reader)", errUsage)
	}
	return ea, nil
}

func cmdEval(ctx context.Context, cfg Config, log *slog.Logger, ea evalArgs, stdout, stderr io.Writer) error {
	corpora, absent, mins, maxs := ea.corpora, ea.absent, ea.mins, ea.maxs
	questions, k, asJSON := &ea.questions, &ea.k, &ea.json
	lower, err := parseGuards("--min", mins)
	if err != nil {
		return err
	}
	upper, err := parseGuards("--max", maxs)
	if err != nil {
		return err
	}
	if ea.reader != "" {
		return evalReader(ctx, cfg, log, ea.reader, *asJSON, lower, upper, stdout, stderr)
	}
	client := newLLM(cfg)
	emb, identity := embedder(cfg, client)
	backend := ea.backend
	if backend == "" {
		backend = cfg.IndexBackend
	}
	var stores []*weaviate.Store
	defer func() {
		for _, st := range stores {
			if err := st.Drop(context.WithoutCancel(ctx)); err != nil {
				log.Warn("eval: could not delete the evaluation's Weaviate collections", "err", err)
			}
		}
	}()
	rep, err := evaluation.Run(ctx, evaluation.Config{
		Corpora:   corpora,
		Absent:    absent,
		Questions: *questions,
		K:         *k,
		NewIndex: func() (retrieval.Store, error) {
			if backend == backendWeaviate {
				st, err := openWeaviate(cfg, emb, identity, fmt.Sprintf("KhabarEval%dN%d", os.Getpid(), len(stores)), log)
				if err != nil {
					return nil, err
				}
				stores = append(stores, st)
				return st, nil
			}
			return retrieval.New(emb, identity, retrieval.Options{
				Chunk: retrieval.ChunkOptions{TargetWords: cfg.ChunkWords, MaxWords: cfg.ChunkMaxWords, Overlap: cfg.ChunkOverlap},
			}), nil
		},
		Answer:   answerOptions(cfg, client, log),
		Progress: stderr,
	})
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printEval(stdout, rep, *k)
	}
	return checkGuards(rep, lower, upper, stderr)
}

func parseGuards(flagName string, specs []string) (map[string]float64, error) {
	guards := map[string]float64{}
	for _, m := range specs {
		name, val, ok := strings.Cut(m, "=")
		v, err := strconv.ParseFloat(val, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("%w: %s %q is not metric=value", errUsage, flagName, m)
		}
		guards[name] = v
	}
	return guards, nil
}

// checkGuards compares the report's figures (flattened JSON names such as
// retrieval.ndcg_at_10) with the lower and upper bounds.
func checkGuards(rep any, lower, upper map[string]float64, w io.Writer) error {
	if len(lower)+len(upper) == 0 {
		return nil
	}
	flat := map[string]float64{}
	b, _ := json.Marshal(rep)
	var tree map[string]any
	json.Unmarshal(b, &tree)
	flatten("", tree, flat)
	var failed []string
	check := func(bounds map[string]float64, below bool) {
		names := make([]string, 0, len(bounds))
		for n := range bounds {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			got, ok := flat[n]
			switch {
			case !ok:
				failed = append(failed, fmt.Sprintf("%s: no such figure", n))
			case below && got < bounds[n]:
				failed = append(failed, fmt.Sprintf("%s = %.4f < %.4f", n, got, bounds[n]))
			case !below && got > bounds[n]:
				failed = append(failed, fmt.Sprintf("%s = %.4f > %.4f", n, got, bounds[n]))
			case below:
				fmt.Fprintf(w, "guard ok: %s = %.4f ≥ %.4f\n", n, got, bounds[n])
			default:
				fmt.Fprintf(w, "guard ok: %s = %.4f ≤ %.4f\n", n, got, bounds[n])
			}
		}
	}
	check(lower, true)
	check(upper, false)
	if len(failed) > 0 {
		return fmt.Errorf("%w: %s", errGuard, strings.Join(failed, "; "))
	}
	return nil
}

func flatten(prefix string, v any, out map[string]float64) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			flatten(name, x, out)
		}
	case float64:
		out[prefix] = t
	}
}

func printEval(w io.Writer, rep evaluation.Report, k int) {
	r := rep.Retrieval
	fmt.Fprintf(w, "corpora: %s\n", strings.Join(rep.Corpora, " + "))
	fmt.Fprintf(w, "questions: %s (%d with relevant articles)\n", rep.Questions, r.Questions)
	fmt.Fprintf(w, "index: %d articles, %d chunks in %.2fs\n\n", rep.Articles, rep.Chunks, rep.IndexTime)
	fmt.Fprintf(w, "%-14s %s\n", "success@1", f3(r.Success1))
	fmt.Fprintf(w, "%-14s %s\n", "success@5", f3(r.Success5))
	cut, success := successAt(r, k)
	fmt.Fprintf(w, "%-14s %s\n", fmt.Sprintf("success@%d", cut), f3(success))
	fmt.Fprintf(w, "%-14s %s\n", "MRR@10", f3(r.MRR10))
	fmt.Fprintf(w, "%-14s %s\n", "nDCG@10", f3(r.NDCG10))
	fmt.Fprintf(w, "%-14s %s\n", "recall@100", f3(r.Recall100))
	fmt.Fprintf(w, "%-14s p50 %.2f ms, p95 %.2f ms\n", "search", rep.Search.P50, rep.Search.P95)
	if a := rep.Answers; a != nil {
		fmt.Fprintf(w, "%-14s p50 %.2f ms, p95 %.2f ms\n", "answer", rep.AnswerTime.P50, rep.AnswerTime.P95)
		fmt.Fprintf(w, "\nanswers: %d answerable, %d lacking an answer in the corpora\n", a.Answerable, a.Lacking)
		fmt.Fprintf(w, "%-22s %s\n", "answer recall", f3(a.Recall))
		fmt.Fprintf(w, "%-22s %s\n", "answered (answerable)", f3(a.Answered))
		fmt.Fprintf(w, "%-22s %s\n", "not found (lacking)", f3(a.NotFoundOnLacking))
		fmt.Fprintf(w, "%-22s %s\n", "no-answer precision", f3(a.NoAnswerPrecision))
		fmt.Fprintf(w, "%-22s %s\n", "no-answer recall", f3(a.NoAnswerRecall))
	}
	if ab := rep.Absent; ab != nil {
		fmt.Fprintf(w, "\nagainst %s alone (%d articles): not found %s\n", strings.Join(ab.Corpora, " + "), ab.Articles, f3(ab.NotFound))
	}
	if len(rep.Curve) > 0 {
		fmt.Fprintf(w, "\nrelevance floor trade-off:\n%-10s %-10s %-14s %s\n", "threshold", "answered", "absent→n/f", "unanswerable→n/f")
		for _, p := range rep.Curve {
			mark := ""
			if p.CurrentThreshold {
				mark = "  ← current"
			}
			fmt.Fprintf(w, "%-10.3f %-10s %-14s %s%s\n", p.Threshold, f3(p.Answered), f3(p.AbsentNotFound), f3(p.LackingNotFound), mark)
		}
	}
}

// successAt returns the cut-off success is measured at that k rounds up
// to (1, 5 or 10; 10 beyond), and the success there.
func successAt(r evaluation.Retrieval, k int) (int, float64) {
	switch {
	case k <= 1:
		return 1, r.Success1
	case k <= 5:
		return 5, r.Success5
	}
	return 10, r.Success10
}

func f3(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
