// khabar index: sync the index with the corpus and print the report.

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/khabar/khabar/retrieval"
)

// cmdIndex syncs the index with the corpus (building it on a first run)
// and prints the report.
func cmdIndex(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	var bar *progressbar.ProgressBar
	var progress func(done, total int)
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("embedding"), progressbar.OptionClearOnFinish())
			}
			bar.Set(done)
		}
	}
	a, err := newApp(cfg, log, progress)
	if err != nil {
		return err
	}
	rep, err := a.open(ctx)
	if bar != nil {
		bar.Finish()
	}
	printReport(stdout, rep)
	if err == nil && rep.SnapshotErr != nil {
		// Saving the snapshot is what index is for.
		err = fmt.Errorf("index: snapshot not saved: %w", rep.SnapshotErr)
	}
	return err
}

// printReport writes a sync report for an operator.
func printReport(w io.Writer, rep retrieval.Report) {
	fmt.Fprintf(w, "articles %d, chunks %d: %d added, %d updated, %d removed, %d unchanged; %d embedded in %s\n",
		rep.Articles, rep.Chunks, rep.Added, rep.Updated, rep.Removed, rep.Unchanged, rep.Embedded, rep.Duration.Round(time.Millisecond))
	if rep.Rebuilt && rep.Embedded > 0 {
		fmt.Fprintln(w, "every vector was (re)computed: new index or new embedder")
	}
	for _, p := range rep.Problems {
		verb := "skipped"
		if !p.Skipped {
			verb = "repaired"
		}
		fmt.Fprintf(w, "%s: %s\n", verb, p)
	}
	if rep.SnapshotErr != nil {
		fmt.Fprintf(w, "snapshot not saved (%s): %v\n", snapshotFallback(rep), rep.SnapshotErr)
	}
}

// snapshotFallback says what a start finds when the snapshot was not saved.
func snapshotFallback(rep retrieval.Report) string {
	if rep.SnapshotKept {
		return "the previous one is kept, older than this index"
	}
	return "there is no previous one: the next start rebuilds from the corpus"
}
