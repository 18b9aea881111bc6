package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/khabar/khabar/evaluation"
)

// evalReader runs a reader set (testdata/reader/README.md) through the
// console chat, the reader's own path: intents, summaries and follow-up
// memory are exercised as `khabar chat` exercises them. The clock is
// --now (or NOW) when given, else the set's.
func evalReader(ctx context.Context, cfg Config, log *slog.Logger, dir string, asJSON bool, lower, upper map[string]float64, stdout, stderr io.Writer) error {
	set, err := evaluation.ReadReaderSet(dir)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	now := cfg.Now.t
	if now.IsZero() {
		now = set.Now
	}
	cfg.Now = clockSetting{t: now}
	cfg.SeedsDir = set.Corpus
	cfg.DataDir = "" // an index in memory: the set's corpus, not the operator's snapshot
	// Nor the operator's Weaviate index, which a sync of the set's corpus
	// would overwrite.
	cfg.IndexBackend = backendInProcess
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	if _, err := a.open(ctx); err != nil {
		return err
	}
	chat := a.consoleChat()
	rep, err := evaluation.RunReader(ctx, evaluation.ReaderConfig{
		Set: set,
		Now: now,
		LLM: cfg.LLM(),
		Chat: func(ctx context.Context, id int64, text string) (evaluation.Reply, error) {
			reply := chat.Handle(ctx, consoleMessage(id, text))
			r := evaluation.Reply{Text: reply.PlainText(), Answer: reply.Answer != nil, NotFound: reply.Answer != nil && reply.Answer.NotFound()}
			if reply.Then != nil {
				r.Text += "\n" + reply.Then(ctx).PlainText()
			}
			return r, nil
		},
	})
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printReader(stdout, rep)
	}
	return checkGuards(rep, lower, upper, stderr)
}

// printReader writes the per-category pass rates, the overall rate, the
// wrong facts and every failing item with its reply's first line.
func printReader(w io.Writer, rep evaluation.ReaderReport) {
	clock := "the set's clock"
	if !rep.SetNow {
		clock = "not the set's clock"
	}
	fmt.Fprintf(w, "reader set: %s\nnow: %s (%s)\n", rep.Set, rep.Now, clock)
	fmt.Fprintf(w, "items: %d asked, %d skipped at this clock\n\n", rep.Items, rep.Skipped)
	fmt.Fprintf(w, "%-15s %6s %6s %7s\n", "category", "items", "passed", "rate")
	names := slices.Clone(evaluation.ReaderCategories)
	for n := range rep.Categories {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range names {
		c, ok := rep.Categories[n]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "%-15s %6d %6d %7s\n", n, c.Items, c.Passed, f3(rep.Reader[n]))
	}
	fmt.Fprintf(w, "%-15s %6d %6.0f %7s\n", "overall", rep.Items, rep.Reader["passed"], f3(rep.Reader["overall"]))
	fmt.Fprintf(w, "wrong facts: %.0f\n", rep.Reader["wrong_fact"])
	var failed []evaluation.ReaderResult
	for _, r := range rep.Results {
		if !r.Pass {
			failed = append(failed, r)
		}
	}
	if len(failed) == 0 {
		return
	}
	fmt.Fprintf(w, "\nfailing items (%d):\n", len(failed))
	for _, r := range failed {
		fmt.Fprintf(w, "%s [%s, want %s, got %s] %s\n    → %s\n", r.ID, r.Category, r.Expect, r.Outcome, r.Question, shorten(r.FirstLine(), 160))
	}
}

// shorten cuts s to at most n runes, on a word boundary where it can.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
