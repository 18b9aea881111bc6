package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Config configures a [Client].
type Config struct {
	// APIKey is sent as a bearer token; empty sends none (Ollama, vLLM).
	APIKey string
	// BaseURL is the API's base, e.g. http://localhost:11434/v1; empty
	// means OpenAI.
	BaseURL string
	// Timeout bounds one request; default 30 s.
	Timeout time.Duration
	// Retries is the number of retries after a retryable failure; default
	// 0 (none). A negative value also means none.
	Retries int
	// MinBackoff is the first pause before a retry, doubled each time (with
	// jitter) up to MaxBackoff; defaults 500 ms and 8 s.
	MinBackoff, MaxBackoff time.Duration
	// HTTPClient, when set, sends the requests (tests); it must not time out
	// on its own: Timeout does.
	HTTPClient *http.Client
}

// ErrEmptyReply is returned when the API answers with no choices, no text
// or no embeddings.
var ErrEmptyReply = errors.New("empty reply")

// Client calls an OpenAI-compatible API. It is safe for concurrent use.
type Client struct {
	api *openai.Client
	cfg Config
}

// New returns a client; it does no I/O.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 8 * time.Second
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	oc.HTTPClient = retryAfterRecorder{hc}
	return &Client{api: openai.NewClientWithConfig(oc), cfg: cfg}
}

// String describes the client without its key.
func (c *Client) String() string {
	base := c.cfg.BaseURL
	if base == "" {
		base = "OpenAI"
	}
	return fmt.Sprintf("llm.Client{base: %s, key set: %v}", base, c.cfg.APIKey != "")
}

// Embed returns one embedding per text, in order.
func (c *Client) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	var out [][]float32
	err := c.retry(ctx, "embeddings", func(ctx context.Context) error {
		resp, err := c.api.CreateEmbeddings(ctx, openai.EmbeddingRequest{Input: texts, Model: openai.EmbeddingModel(model)})
		if err != nil {
			return err
		}
		if len(resp.Data) != len(texts) {
			return fmt.Errorf("%w: %d embeddings for %d texts", ErrEmptyReply, len(resp.Data), len(texts))
		}
		vecs := make([][]float32, len(texts))
		for i, d := range resp.Data {
			idx := d.Index
			if idx < 0 || idx >= len(texts) || vecs[idx] != nil {
				idx = i // servers that do not number their embeddings
			}
			if len(d.Embedding) == 0 {
				return fmt.Errorf("%w: embedding %d is empty", ErrEmptyReply, i)
			}
			vecs[idx] = d.Embedding
		}
		out = vecs
		return nil
	})
	return out, err
}

// Message is one message of a chat.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// ChatRequest is a chat completion request.
type ChatRequest struct {
	Model    string
	Messages []Message
	// MaxTokens bounds the reply; 0 leaves it to the server.
	MaxTokens int
	// Temperature; 0 is sent as a tiny positive value, since go-openai
	// drops 0 and servers would use their default (often 1).
	Temperature float32
}

func (r ChatRequest) openai(stream bool) openai.ChatCompletionRequest {
	msgs := make([]openai.ChatCompletionMessage, len(r.Messages))
	for i, m := range r.Messages {
		msgs[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	t := r.Temperature
	if t <= 0 {
		t = 1e-6
	}
	// max_tokens, not OpenAI's newer max_completion_tokens: Ollama, vLLM,
	// LocalAI and llama.cpp server understand only the former.
	return openai.ChatCompletionRequest{Model: r.Model, Messages: msgs, MaxTokens: r.MaxTokens, Temperature: t, Stream: stream}
}

// Chat returns the model's reply.
func (c *Client) Chat(ctx context.Context, req ChatRequest) (string, error) {
	var out string
	err := c.retry(ctx, "chat", func(ctx context.Context) error {
		resp, err := c.api.CreateChatCompletion(ctx, req.openai(false))
		if err != nil {
			return err
		}
		if len(resp.Choices) == 0 || strings.TrimSpace(resp.Choices[0].Message.Content) == "" {
			return ErrEmptyReply
		}
		out = resp.Choices[0].Message.Content
		return nil
	})
	return out, err
}

// ChatStream streams the model's reply: onText receives the text so far
// after every piece. A stream that breaks is retried from the start (the
// text shown restarts). It returns the whole reply.
func (c *Client) ChatStream(ctx context.Context, req ChatRequest, onText func(string)) (string, error) {
	var out string
	err := c.retry(ctx, "chat stream", func(ctx context.Context) error {
		stream, err := c.api.CreateChatCompletionStream(ctx, req.openai(true))
		if err != nil {
			return err
		}
		defer stream.Close()
		var b strings.Builder
		for {
			chunk, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			if len(chunk.Choices) == 0 || chunk.Choices[0].Delta.Content == "" {
				continue
			}
			b.WriteString(chunk.Choices[0].Delta.Content)
			if onText != nil {
				onText(b.String())
			}
		}
		if strings.TrimSpace(b.String()) == "" {
			return ErrEmptyReply
		}
		out = b.String()
		return nil
	})
	return out, err
}

// retry runs call with a per-request timeout until it succeeds, fails for
// good, runs out of retries or ctx is done. Errors are redacted.
func (c *Client) retry(ctx context.Context, what string, call func(context.Context) error) error {
	backoff := c.cfg.MinBackoff
	var last error
	for attempt := 0; ; attempt++ {
		hint := new(time.Duration)
		rctx, cancel := context.WithTimeout(context.WithValue(ctx, retryAfterKey{}, hint), c.cfg.Timeout)
		err := call(rctx)
		timedOut := rctx.Err() != nil && ctx.Err() == nil
		cancel()
		if err == nil {
			return nil
		}
		last = err
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		if !timedOut && !Retryable(err) || attempt >= c.cfg.Retries {
			return c.wrap(what, attempt+1, err)
		}
		wait := backoff + time.Duration(rand.Int64N(int64(backoff)/2+1))
		if *hint > wait {
			wait = *hint
		}
		backoff = min(2*backoff, c.cfg.MaxBackoff)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (after %v)", what, ctx.Err(), c.wrap(what, attempt+1, last))
		case <-t.C:
		}
	}
}

// Retryable reports whether err is worth another try: a 429, a 5xx, a
// timeout, a dropped connection, or an empty or malformed reply.
func Retryable(err error) bool {
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return retryableStatus(reqErr.HTTPStatusCode)
	}
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return retryableStatus(apiErr.HTTPStatusCode)
	}
	var netErr net.Error
	switch {
	case errors.Is(err, ErrEmptyReply), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &netErr):
		return true
	}
	// Malformed JSON bodies and broken streams surface as plain errors.
	msg := err.Error()
	return strings.Contains(msg, "invalid character") || strings.Contains(msg, "unexpected end of JSON") ||
		strings.Contains(msg, "connection reset")
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500 || code == 0
}

// Error is a failed call, its message cleaned of secrets.
type Error struct {
	What     string
	Attempts int
	Status   int // HTTP status, 0 when none
	msg      string
	err      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s failed after %d attempt(s): %s", e.What, e.Attempts, e.msg)
}

// Unwrap gives the context errors and ErrEmptyReply to errors.Is; the
// library's own errors, which may quote the server, are not exposed.
func (e *Error) Unwrap() error {
	switch {
	case errors.Is(e.err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(e.err, context.Canceled):
		return context.Canceled
	case errors.Is(e.err, ErrEmptyReply):
		return ErrEmptyReply
	}
	return nil
}

func (c *Client) wrap(what string, attempts int, err error) error {
	e := &Error{What: what, Attempts: attempts, err: err}
	var reqErr *openai.RequestError
	var apiErr *openai.APIError
	switch {
	case errors.As(err, &reqErr):
		e.Status = reqErr.HTTPStatusCode
	case errors.As(err, &apiErr):
		e.Status = apiErr.HTTPStatusCode
	}
	e.msg = c.redact(err.Error())
	if e.Status != 0 && !strings.Contains(e.msg, strconv.Itoa(e.Status)) {
		e.msg = fmt.Sprintf("HTTP %d: %s", e.Status, e.msg)
	}
	return e
}

// keyPattern matches API keys as servers quote them, masked or not.
var keyPattern = regexp.MustCompile(`(sk|pk|key)-[A-Za-z0-9_\-*.]{4,}`)

// redact removes the API key, and anything that looks like one, from s.
func (c *Client) redact(s string) string {
	if c.cfg.APIKey != "" {
		s = strings.ReplaceAll(s, c.cfg.APIKey, "***")
	}
	return keyPattern.ReplaceAllString(s, "$1-***")
}

type retryAfterKey struct{}

// retryAfterRecorder notes a 429's Retry-After (seconds) for the retry
// loop; go-openai's errors do not carry response headers.
type retryAfterRecorder struct{ c *http.Client }

func (r retryAfterRecorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.c.Do(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		if hint, ok := req.Context().Value(retryAfterKey{}).(*time.Duration); ok {
			if secs, perr := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); perr == nil && secs > 0 {
				*hint = min(time.Duration(secs)*time.Second, time.Minute)
			}
		}
	}
	return resp, err
}
