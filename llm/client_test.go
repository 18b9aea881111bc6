package llm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/khabar/khabar/internal/openaitest"
	"github.com/khabar/khabar/llm"
)

const key = "sk-test-0123456789abcdef"

func newClient(t *testing.T, fake *openaitest.Server, retries int, timeout time.Duration) *llm.Client {
	t.Helper()
	return llm.New(llm.Config{APIKey: key, BaseURL: fake.BaseURL(), Retries: retries, Timeout: timeout, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
}

func chatReq() llm.ChatRequest {
	return llm.ChatRequest{Model: "m", Messages: []llm.Message{{Role: "user", Content: "سلام"}}}
}

func TestEmbedBatch(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{APIKey: key, Dim: 8})
	c := newClient(t, fake, 0, time.Second)
	vecs, err := c.Embed(context.Background(), "emb", []string{"یک", "دو", "سه"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 3 || len(vecs[0]) != 8 {
		t.Fatalf("got %d vectors of %d", len(vecs), len(vecs[0]))
	}
	want := openaitest.HashEmbedding("دو", 8)
	for i := range want {
		if vecs[1][i] != want[i] {
			t.Fatalf("vector 1 is not the embedding of its text")
		}
	}
}

func TestChatStreamGrows(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{APIKey: key, Chat: func(openai.ChatCompletionRequest) string {
		return "پاسخی نسبتاً بلند برای آزمایش جریان [۱]"
	}})
	c := newClient(t, fake, 0, time.Second)
	var seen []string
	got, err := c.ChatStream(context.Background(), chatReq(), func(s string) { seen = append(seen, s) })
	if err != nil {
		t.Fatal(err)
	}
	if got != "پاسخی نسبتاً بلند برای آزمایش جریان [۱]" || len(seen) < 2 || seen[len(seen)-1] != got {
		t.Errorf("got %q after %d pieces", got, len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if !strings.HasPrefix(seen[i], seen[i-1]) {
			t.Fatalf("the text shrank: %q then %q", seen[i-1], seen[i])
		}
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		failure  openaitest.Failure
		n        int
		retries  int
		wantErr  bool
		attempts int
	}{
		{"429 then success", openaitest.Failure{Status: 429, RetryAfter: 1}, 1, 2, false, 2},
		{"500 twice then success", openaitest.Failure{Status: 500}, 2, 2, false, 3},
		{"persistent 500", openaitest.Failure{Status: 500}, 5, 2, true, 3},
		{"no choices then success", openaitest.Failure{Body: `{"choices":[]}`}, 1, 1, false, 2},
		{"garbage then success", openaitest.Failure{Status: 200, Body: "not json"}, 1, 1, false, 2},
		{"dropped connection then success", openaitest.Failure{Drop: true}, 1, 1, false, 2},
		{"400 is not retried", openaitest.Failure{Status: 400}, 1, 3, true, 1},
		{"ollama-style error", openaitest.Failure{Status: 404, Body: `{"error":"model not found"}`}, 1, 3, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := openaitest.New(t, openaitest.Options{APIKey: key})
			fake.FailNext(openaitest.PathChat, tt.n, tt.failure)
			c := newClient(t, fake, tt.retries, time.Second)
			start := time.Now()
			_, err := c.Chat(context.Background(), chatReq())
			if (err != nil) != tt.wantErr {
				t.Fatalf("got %v, want error %v", err, tt.wantErr)
			}
			if got := len(fake.Requests(openaitest.PathChat)); got != tt.attempts {
				t.Errorf("got %d requests, want %d", got, tt.attempts)
			}
			if tt.failure.RetryAfter > 0 && time.Since(start) < time.Duration(tt.failure.RetryAfter)*time.Second {
				t.Errorf("Retry-After %ds not honoured: retried after %v", tt.failure.RetryAfter, time.Since(start))
			}
		})
	}
}

func TestTimeoutWithinBudget(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{APIKey: key})
	fake.FailNext(openaitest.PathChat, 10, openaitest.Failure{Delay: 5 * time.Second})
	c := newClient(t, fake, 1, 100*time.Millisecond)
	_, err := c.Chat(context.Background(), chatReq())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	if len(fake.Requests(openaitest.PathChat)) != 2 {
		t.Errorf("got %d requests, want 2 (one retry)", len(fake.Requests(openaitest.PathChat)))
	}
	// The caller's budget wins over retries.
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	c = newClient(t, fake, 10, time.Second)
	start := time.Now()
	if _, err := c.Chat(ctx, chatReq()); err == nil {
		t.Fatal("no error past the budget")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v past a 150 ms budget", d)
	}
}

func TestErrorsNeverCarryTheKey(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{APIKey: key})
	fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{Status: 401, Body: `{"error":{"message":"Incorrect API key provided: ` + key + `. Also sk-proj-****abcd.","type":"invalid_request_error"}}`})
	c := newClient(t, fake, 3, time.Second)
	_, err := c.Chat(context.Background(), chatReq())
	if err == nil {
		t.Fatal("no error")
	}
	var e *llm.Error
	if !errors.As(err, &e) || e.Status != 401 {
		t.Errorf("got %#v, want an *llm.Error with status 401", err)
	}
	if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "abcd") || strings.Contains(c.String(), key) {
		t.Errorf("the key leaked: %v / %s", err, c)
	}
}
