// khabar ask: one question answered from the corpus.

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/khabar/khabar/chat"
)

// cmdAsk answers the question of args (its words joined) and prints the
// answer as plain text.
func cmdAsk(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	question := strings.Join(args, " ")
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	if _, err := a.openServing(ctx); err != nil {
		return err
	}
	c := chat.New(a.composer, log, chat.Options{Summarizer: a.composer})
	reply := c.Handle(ctx, chat.Message{Text: question})
	fmt.Fprintln(stdout, reply.PlainText())
	return nil
}
