package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/persian"
)

// answerer answers one question.
type answerer interface {
	Answer(ctx context.Context, req answer.Request) (answer.Answer, error)
}

// Message is an incoming chat message, whatever the transport.
type Message struct {
	ChatID int64
	UserID int64
	Text   string
}

// Reply is what the chat says back. Answer is set when the reply is an
// answer to a question.
type Reply struct {
	Text   string
	Answer *answer.Answer
}

// Chat is the chat behaviour shared by every transport: commands, questions
// and the per-chat memory behind /sources. It is safe for concurrent use.
type Chat struct {
	answer answerer
	log    *slog.Logger

	mu   sync.Mutex
	last map[int64]answer.Answer
}

// NewChat returns a chat that answers with a.
func NewChat(a answerer, log *slog.Logger) *Chat {
	return &Chat{answer: a, log: log, last: map[int64]answer.Answer{}}
}

// Handle returns the reply to m.
func (c *Chat) Handle(ctx context.Context, m Message) Reply {
	text := strings.TrimSpace(strings.ToValidUTF8(m.Text, ""))
	if cmd, _, ok := parseCommand(text); ok {
		switch cmd {
		case "start":
			return Reply{Text: msgWelcome}
		case "help":
			return Reply{Text: msgHelp}
		case "sources":
			return Reply{Text: c.sources(m.ChatID)}
		default:
			return Reply{Text: msgUnknownCommand}
		}
	}
	return c.ask(ctx, m.ChatID, text)
}

func (c *Chat) ask(ctx context.Context, chatID int64, question string) Reply {
	a, err := c.answer.Answer(ctx, answer.Request{Question: question, Conversation: strconv.FormatInt(chatID, 10)})
	switch {
	case errors.Is(err, answer.ErrEmptyQuestion):
		return Reply{Text: answer.MsgEmptyQuestion}
	case err != nil:
		c.log.Error("answer failed", "chat", chatID, "err", err)
		return Reply{Text: msgInternalError}
	}
	c.mu.Lock()
	c.last[chatID] = a
	c.mu.Unlock()
	return Reply{Text: a.String(), Answer: &a}
}

// sources lists the passages behind the chat's last answer with scores.
func (c *Chat) sources(chatID int64) string {
	c.mu.Lock()
	a, ok := c.last[chatID]
	c.mu.Unlock()
	if !ok {
		return msgNoLastAnswer
	}
	if len(a.Passages) == 0 {
		return msgNoPassages
	}
	var b strings.Builder
	b.WriteString(msgSourcesHeading)
	for i, p := range a.Passages {
		src := answer.Source{N: i + 1, Passage: p}
		fmt.Fprintf(&b, "\n\n%s (%s %s)\n%s", src.Line(), msgScore, persian.Digits(fmt.Sprintf("%.2f", p.Coverage)), p.Text)
	}
	return b.String()
}

// parseCommand splits "/cmd@bot args" into "cmd" and "args".
func parseCommand(text string) (cmd, args string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	head, args, _ := strings.Cut(text[1:], " ")
	head, _, _ = strings.Cut(head, "@")
	return strings.ToLower(head), strings.TrimSpace(args), head != ""
}
