package chat

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/retrieval"
)

var (
	_ answerer   = (*answer.Composer)(nil)
	_ summarizer = (*answer.Composer)(nil)
)

// waitFor bounds every wait of the tests.
const waitFor = 15 * time.Second

// testLogger logs to the test's output when KHABAR_TEST_LOG is set.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("KHABAR_TEST_LOG") == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// echoAnswerer answers every question with a cited sentence that repeats
// it, and records the questions in order.
type echoAnswerer struct {
	mu            sync.Mutex
	questions     []string
	conversations []string
}

func (e *echoAnswerer) Answer(_ context.Context, req answer.Request) (answer.Answer, error) {
	e.mu.Lock()
	e.questions = append(e.questions, req.Question)
	e.conversations = append(e.conversations, req.Conversation)
	e.mu.Unlock()
	p := retrieval.Passage{Chunk: retrieval.Chunk{ArticleID: "a", Title: "عنوان خبر", Source: "تابناک", URL: "https://example.com/a?x=1&y=2", Text: "متن قطعه."}, Coverage: 0.5}
	return answer.Answer{Question: req.Question, Text: "پاسخ به: " + req.Question + " [۱]", Mode: answer.ModeExtractive,
		Sources: []answer.Source{{N: 1, Passage: p}}, Passages: []retrieval.Passage{p}}, nil
}

func (e *echoAnswerer) asked() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.questions...)
}

// channelNews is a channel post that makes an article.
const channelNews = "وزیر نیرو از آغاز ساخت سد تازه‌ای در استان کرمان خبر داد. این سد تا سه سال دیگر آماده می‌شود."
