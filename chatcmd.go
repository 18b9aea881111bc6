// khabar chat: the console chat, driving the same chat.Chat as Telegram.

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/khabar/khabar/chat"
)

// consoleChat is the chat of `khabar chat`, which `khabar eval --reader`
// also drives: the console user is the operator, an admin without
// question limits.
func (a *app) consoleChat() *chat.Chat {
	return chat.New(a.composer, a.log, chat.Options{
		Summarizer: a.composer,
		Reload:     a.reload,
		Stats:      a.index.Stats,
	})
}

// consoleMessage is a line typed in the console chat of conversation id.
func consoleMessage(id int64, text string) chat.Message {
	return chat.Message{ChatID: id, UserID: id, Text: text, Admin: true}
}

func cmdChat(ctx context.Context, cfg Config, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	a, err := newApp(cfg, log, nil)
	if err != nil {
		return err
	}
	if _, err := a.openServing(ctx); err != nil {
		return err
	}
	console := a.consoleChat()
	interactive := false
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		interactive = true
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	prompt := func() {
		if interactive {
			fmt.Fprint(stdout, "> ")
		}
	}
	prompt()
	for sc.Scan() {
		if ctx.Err() != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			prompt()
			continue
		}
		reply := console.Handle(ctx, consoleMessage(1, line))
		fmt.Fprintln(stdout, reply.PlainText())
		if reply.Then != nil {
			fmt.Fprintln(stdout, reply.Then(ctx).PlainText())
		}
		fmt.Fprintln(stdout)
		prompt()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	return nil
}
