package chat

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/retrieval"
)

var _ answerer = (*answer.Composer)(nil)

// scriptedAnswerer returns a fixed answer or error and records questions.
type scriptedAnswerer struct {
	a         answer.Answer
	err       error
	questions []string
}

func (s *scriptedAnswerer) Answer(_ context.Context, req answer.Request) (answer.Answer, error) {
	q := req.Question
	s.questions = append(s.questions, q)
	if s.err != nil {
		return answer.Answer{}, s.err
	}
	a := s.a
	a.Question = q
	return a, nil
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func sampleAnswer() answer.Answer {
	p := retrieval.Passage{Chunk: retrieval.Chunk{ArticleID: "a", Title: "عنوان", Source: "تابناک", Text: "متن کامل قطعه."}, Coverage: 0.75}
	return answer.Answer{Text: "جمله پاسخ. [۱]", Mode: answer.ModeExtractive, Sources: []answer.Source{{N: 1, Passage: p}}, Passages: []retrieval.Passage{p}}
}

func TestChatCommands(t *testing.T) {
	ans := &scriptedAnswerer{a: sampleAnswer()}
	c := New(ans, discard(), Options{})
	ctx := context.Background()
	tests := []struct{ name, give, want string }{
		{"start", "/start", MsgWelcome},
		{"help with bot name", "/help@khabar_bot", msgHelpHeading + "\n• " + helpAsk + "\n• " + helpSummary + "\n• " + helpSources + "\n• " + helpHelp},
		{"sources before any answer", "/sources", MsgNoLastAnswer},
		{"unknown command", "/frobnicate", msgUnknownCommand},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Handle(ctx, Message{ChatID: 5, Text: tt.give}).PlainText(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if len(ans.questions) != 0 {
		t.Errorf("commands reached the answerer: %q", ans.questions)
	}
}

func TestChatQuestionThenSources(t *testing.T) {
	ans := &scriptedAnswerer{a: sampleAnswer()}
	c := New(ans, discard(), Options{})
	ctx := context.Background()
	r := c.Handle(ctx, Message{ChatID: 5, Text: "  پرسش؟ \xff"})
	if r.Answer == nil || !strings.Contains(r.PlainText(), "[۱] تابناک") {
		t.Fatalf("got %+v", r)
	}
	if ans.questions[0] != "پرسش؟" {
		t.Errorf("question %q, want it trimmed and valid UTF-8", ans.questions[0])
	}
	src := c.Handle(ctx, Message{ChatID: 5, Text: "/sources"}).PlainText()
	if !strings.Contains(src, "متن کامل قطعه.") || !strings.Contains(src, "۰.۷۵") {
		t.Errorf("sources: %q", src)
	}
	// Another chat has no last answer.
	if got := c.Handle(ctx, Message{ChatID: 6, Text: "/sources"}).PlainText(); got != MsgNoLastAnswer {
		t.Errorf("other chat: got %q", got)
	}
}

func TestChatErrorsArePolite(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"empty question", answer.ErrEmptyQuestion, answer.MsgEmptyQuestion},
		{"failure", errors.New("index exploded: secret details"), MsgInternalError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(&scriptedAnswerer{err: tt.err}, discard(), Options{})
			if got := c.Handle(context.Background(), Message{Text: "x"}).PlainText(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestConversationPerMemberAndTopic: the memory behind follow-ups is a
// private chat's own; in a group each member's, per forum topic, so that
// a member's question is not read as going on about another's.
func TestConversationPerMemberAndTopic(t *testing.T) {
	e := &echoAnswerer{}
	c := New(e, testLogger(t), Options{})
	ctx := context.Background()
	for _, m := range []Message{
		{ChatID: 5, UserID: 5, Private: true, Text: "خط ۱۰ مترو کی افتتاح شد؟"},
		{ChatID: 5, UserID: 5, Private: true, Text: "چند تا ایستگاه داره؟"},
		{ChatID: -100, UserID: 1, Text: "/ask سپاهان با تراکتور چند چند شد؟"},
		{ChatID: -100, UserID: 2, Text: "/ask گل اولش رو دقیقه چند زدن؟"},
		{ChatID: -100, UserID: 1, Thread: 7, Text: "/ask گل اولش رو دقیقه چند زدن؟"},
		{ChatID: -100, UserID: 1, Text: "/ask گل اولش رو دقیقه چند زدن؟"},
		{ChatID: -100, UserID: -100, Text: "/ask گل اولش رو دقیقه چند زدن؟"}, // an anonymous admin
	} {
		c.Handle(ctx, m)
	}
	got := e.conversations
	if len(got) != 7 {
		t.Fatalf("want 7 questions answered, got %d: %v", len(got), e.asked())
	}
	same := func(i, j int) bool { return got[i] == got[j] }
	switch {
	case !same(0, 1):
		t.Errorf("a private chat is one conversation: %q, %q", got[0], got[1])
	case same(2, 3):
		t.Errorf("two members of a group share a conversation: %q", got[2])
	case same(2, 4):
		t.Errorf("two forum topics share a conversation: %q", got[2])
	case !same(2, 5):
		t.Errorf("a member's questions in one topic are not one conversation: %q, %q", got[2], got[5])
	case same(2, 6) || same(0, 2):
		t.Errorf("conversations collide: %v", got)
	}
}
