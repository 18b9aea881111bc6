package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/khabar/khabar/answer"
)

// cmdSummary prints the summary of the news the arguments ask for.
func cmdSummary(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	if _, err := a.openServing(ctx); err != nil {
		return err
	}
	s, err := a.composer.Summarize(ctx, answer.SummaryRequest{Text: strings.Join(args, " ")})
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	fmt.Fprintln(stdout, s)
	return nil
}
