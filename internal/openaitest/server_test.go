package openaitest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/khabar/khabar/internal/openaitest"
)

const testKey = "sk-test-secret-key"

// newClient returns a fake and a real go-openai client talking to it.
func newClient(t *testing.T, opts openaitest.Options) (*openaitest.Server, *openai.Client) {
	t.Helper()
	fake := openaitest.New(t, opts)
	cfg := openai.DefaultConfig(opts.APIKey)
	cfg.BaseURL = fake.URL() + "/v1"
	return fake, openai.NewClientWithConfig(cfg)
}

func chatReq(text string) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model: "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "تو دستیار خبری هستی."},
			{Role: openai.ChatMessageRoleUser, Content: text},
		},
	}
}

// readStream collects a stream until an error; it returns the text, the
// number of chunks with content and the terminating error.
func readStream(stream *openai.ChatCompletionStream) (text string, contentChunks int, finish openai.FinishReason, err error) {
	var b strings.Builder
	for {
		resp, err := stream.Recv()
		if err != nil {
			return b.String(), contentChunks, finish, err
		}
		for _, c := range resp.Choices {
			if c.Delta.Content != "" {
				contentChunks++
				b.WriteString(c.Delta.Content)
			}
			if c.FinishReason != "" {
				finish = c.FinishReason
			}
		}
	}
}

func TestEmbeddingsBatch(t *testing.T) {
	inputs := []string{"اخبار اقتصادی امروز", "قیمت دلار در بازار", "هوای تهران آفتابی است"}
	tests := []struct {
		name   string
		dim    int
		format openai.EmbeddingEncodingFormat
	}{
		{"default dim", 0, ""},
		{"float", 32, openai.EmbeddingEncodingFormatFloat},
		{"base64", 16, openai.EmbeddingEncodingFormatBase64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, client := newClient(t, openaitest.Options{Dim: tt.dim})
			wantDim := tt.dim
			if wantDim == 0 {
				wantDim = openaitest.DefaultDim
			}
			resp, err := client.CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{
				Input:          inputs,
				Model:          openai.SmallEmbedding3,
				EncodingFormat: tt.format,
			})
			if err != nil {
				t.Fatalf("CreateEmbeddings: got error %v, want nil", err)
			}
			if got, want := len(resp.Data), len(inputs); got != want {
				t.Fatalf("len(Data): got %v, want %v", got, want)
			}
			if got, want := resp.Model, openai.SmallEmbedding3; got != want {
				t.Errorf("Model: got %v, want %v", got, want)
			}
			if resp.Usage.PromptTokens == 0 || resp.Usage.TotalTokens != resp.Usage.PromptTokens {
				t.Errorf("Usage: got %+v, want positive prompt tokens equal to total", resp.Usage)
			}
			for i, d := range resp.Data {
				if d.Index != i {
					t.Errorf("Data[%d].Index: got %v, want %v", i, d.Index, i)
				}
				if got := len(d.Embedding); got != wantDim {
					t.Errorf("len(Data[%d].Embedding): got %v, want %v", i, got, wantDim)
				}
				if want := openaitest.HashEmbedding(inputs[i], wantDim); !slices.Equal(d.Embedding, want) {
					t.Errorf("Data[%d].Embedding: got %v, want %v", i, d.Embedding, want)
				}
			}
			if got, want := fake.EmbeddedTexts(), inputs; !slices.Equal(got, want) {
				t.Errorf("EmbeddedTexts: got %v, want %v", got, want)
			}
		})
	}
}

func TestEmbeddingsCustomEmbedAndSingleInput(t *testing.T) {
	fake, client := newClient(t, openaitest.Options{
		Dim:   2,
		Embed: func(text string) []float32 { return []float32{float32(len(text)), 1} },
	})
	resp, err := client.CreateEmbeddings(context.Background(), openai.EmbeddingRequest{
		Input: "abc",
		Model: openai.SmallEmbedding3,
	})
	if err != nil {
		t.Fatalf("CreateEmbeddings: got error %v, want nil", err)
	}
	if got, want := resp.Data[0].Embedding, []float32{3, 1}; !slices.Equal(got, want) {
		t.Errorf("Embedding: got %v, want %v", got, want)
	}
	reqs := fake.EmbeddingRequests()
	if got, want := len(reqs), 1; got != want {
		t.Fatalf("len(EmbeddingRequests): got %v, want %v", got, want)
	}
	if got, want := reqs[0].Input, any("abc"); got != want {
		t.Errorf("Input: got %#v, want %#v", got, want)
	}
}

func TestHashEmbedding(t *testing.T) {
	a := openaitest.HashEmbedding("بانک مرکزی نرخ بهره را افزایش داد", 64)
	if got := openaitest.HashEmbedding("بانک مرکزی نرخ بهره را افزایش داد", 64); !slices.Equal(got, a) {
		t.Errorf("not deterministic: got %v, want %v", got, a)
	}
	var norm2 float32
	for _, x := range a {
		norm2 += x * x
	}
	if norm2 == 1 || norm2 == 0 {
		t.Errorf("squared norm: got %v, want neither 0 nor 1 (unnormalised)", norm2)
	}
	if got := openaitest.HashEmbedding("  ,. ", 8); !slices.Equal(got, make([]float32, 8)) {
		t.Errorf("no words: got %v, want zero vector", got)
	}
	dot := func(x, y []float32) (s float32) {
		for i := range x {
			s += x[i] * y[i]
		}
		return s
	}
	related := openaitest.HashEmbedding("نرخ بهره بانک", 64)
	if got := dot(a, related); got <= 0 {
		t.Errorf("dot with text sharing words: got %v, want > 0", got)
	}
	if got, want := openaitest.Words("می‌خواهم Hello, WORLD ۱۴۰۳"), []string{"می‌خواهم", "hello", "world", "۱۴۰۳"}; !slices.Equal(got, want) {
		t.Errorf("Words: got %q, want %q", got, want)
	}
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name       string
		clientKey  string
		wantStatus int // 0 means success
	}{
		{"right key", testKey, 0},
		{"wrong key", "sk-wrong-key", http.StatusUnauthorized},
		{"no key", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := openaitest.New(t, openaitest.Options{APIKey: testKey})
			cfg := openai.DefaultConfig(tt.clientKey)
			cfg.BaseURL = fake.BaseURL()
			client := openai.NewClientWithConfig(cfg)
			_, err := client.CreateChatCompletion(context.Background(), chatReq("سلام"))
			if tt.wantStatus == 0 {
				if err != nil {
					t.Fatalf("got error %v, want nil", err)
				}
				return
			}
			var apiErr *openai.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error: got %T %v, want *openai.APIError", err, err)
			}
			if got, want := apiErr.HTTPStatusCode, tt.wantStatus; got != want {
				t.Errorf("HTTPStatusCode: got %v, want %v", got, want)
			}
			for _, key := range []string{testKey, tt.clientKey} {
				if key != "" && strings.Contains(err.Error(), key) {
					t.Errorf("err.Error() = %q contains the key %q", err.Error(), key)
				}
			}
			reqs := fake.Requests(openaitest.PathChat)
			if got, want := len(reqs), 1; got != want {
				t.Fatalf("recorded requests: got %v, want %v", got, want)
			}
			if got, want := reqs[0].Header.Get("Authorization") == "", tt.clientKey == ""; got != want {
				t.Errorf("Authorization header absent: got %v, want %v", got, want)
			}
		})
	}
}

func TestChatPlain(t *testing.T) {
	fake, client := newClient(t, openaitest.Options{APIKey: testKey})

	resp, err := client.CreateChatCompletion(context.Background(), chatReq("سلام"))
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if got, want := len(resp.Choices), 1; got != want {
		t.Fatalf("len(Choices): got %v, want %v", got, want)
	}
	c := resp.Choices[0]
	if got, want := c.Message.Content, openaitest.DefaultReply; got != want {
		t.Errorf("Content: got %v, want %v", got, want)
	}
	if got, want := c.Message.Role, openai.ChatMessageRoleAssistant; got != want {
		t.Errorf("Role: got %v, want %v", got, want)
	}
	if got, want := c.FinishReason, openai.FinishReasonStop; got != want {
		t.Errorf("FinishReason: got %v, want %v", got, want)
	}
	if got, want := resp.Model, "gpt-4o-mini"; got != want {
		t.Errorf("Model: got %v, want %v", got, want)
	}

	fake.SetChat(func(req openai.ChatCompletionRequest) string {
		return "پژواک: " + req.Messages[len(req.Messages)-1].Content
	})
	resp, err = client.CreateChatCompletion(context.Background(), chatReq("خبر تازه"))
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if got, want := resp.Choices[0].Message.Content, "پژواک: خبر تازه"; got != want {
		t.Errorf("Content: got %v, want %v", got, want)
	}
}

func TestChatStream(t *testing.T) {
	const reply = "بر اساس گزارش خبرگزاری [۱]، نرخ تورم کاهش یافت. منبع: [۲]"
	tests := []struct {
		name         string
		includeUsage bool
		stall        time.Duration
	}{
		{"plain", false, 0},
		{"with usage", true, 0},
		{"slow stream", false, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, client := newClient(t, openaitest.Options{
				Chat: func(openai.ChatCompletionRequest) string { return reply },
			})
			if tt.stall > 0 {
				fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{StreamStall: tt.stall})
			}
			req := chatReq("تورم")
			if tt.includeUsage {
				req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
			}
			start := time.Now()
			stream, err := client.CreateChatCompletionStream(context.Background(), req)
			if err != nil {
				t.Fatalf("CreateChatCompletionStream: got error %v, want nil", err)
			}
			defer stream.Close()

			var (
				text    strings.Builder
				chunks  int
				finish  openai.FinishReason
				usage   *openai.Usage
				recvErr error
			)
			for {
				resp, err := stream.Recv()
				if err != nil {
					recvErr = err
					break
				}
				if resp.Usage != nil {
					usage = resp.Usage
				}
				for _, c := range resp.Choices {
					if c.Delta.Content != "" {
						chunks++
						text.WriteString(c.Delta.Content)
					}
					if c.FinishReason != "" {
						finish = c.FinishReason
					}
				}
			}
			if !errors.Is(recvErr, io.EOF) {
				t.Errorf("final Recv error: got %v, want %v", recvErr, io.EOF)
			}
			if got, want := text.String(), reply; got != want {
				t.Errorf("text: got %v, want %v", got, want)
			}
			if got, want := chunks, len(openaitest.SplitReply(reply)); got != want || got < 2 {
				t.Errorf("content chunks: got %v, want %v (> 1)", got, want)
			}
			if got, want := finish, openai.FinishReasonStop; got != want {
				t.Errorf("finish reason: got %v, want %v", got, want)
			}
			if got, want := usage != nil, tt.includeUsage; got != want {
				t.Errorf("usage chunk present: got %v, want %v", got, want)
			}
			if tt.stall > 0 {
				if got, want := time.Since(start), time.Duration(chunks)*tt.stall; got < want {
					t.Errorf("slow stream took %v, want at least %v", got, want)
				}
			}
			reqs := fake.ChatRequests()
			if got, want := len(reqs), 1; got != want {
				t.Fatalf("ChatRequests: got %v, want %v", got, want)
			}
			if !reqs[0].Stream {
				t.Errorf("recorded Stream: got %v, want %v", reqs[0].Stream, true)
			}
		})
	}
}

func TestSplitReply(t *testing.T) {
	for _, reply := range []string{"", "ab", openaitest.DefaultReply, strings.Repeat("خبر ", 20)} {
		pieces := openaitest.SplitReply(reply)
		if got := strings.Join(pieces, ""); got != reply {
			t.Errorf("joined pieces: got %q, want %q", got, reply)
		}
		for i, p := range pieces {
			n := utf8.RuneCountInString(p)
			if n > 8 || (n < 3 && i != len(pieces)-1) {
				t.Errorf("piece %d of %q has %v runes, want 3..8", i, reply, n)
			}
		}
	}
	if got := len(openaitest.SplitReply(openaitest.DefaultReply)); got < 2 {
		t.Errorf("pieces of DefaultReply: got %v, want > 1", got)
	}
}

// headerRecorder is an openai.HTTPDoer remembering the last response headers,
// the way a caller can read Retry-After, which go-openai errors do not carry.
type headerRecorder struct {
	mu     sync.Mutex
	header http.Header
}

func (h *headerRecorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		h.mu.Lock()
		h.header = resp.Header.Clone()
		h.mu.Unlock()
	}
	return resp, err
}

func TestFailNext429ThenSuccess(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{APIKey: testKey})
	rec := &headerRecorder{}
	cfg := fake.ClientConfig()
	cfg.HTTPClient = rec
	client := openai.NewClientWithConfig(cfg)

	fake.FailNext(openaitest.PathEmbeddings, 1, openaitest.Failure{Status: http.StatusTooManyRequests, RetryAfter: 7})
	req := openai.EmbeddingRequestStrings{Input: []string{"سلام"}, Model: openai.SmallEmbedding3}

	_, err := client.CreateEmbeddings(context.Background(), req)
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error: got %T %v, want *openai.APIError", err, err)
	}
	if got, want := apiErr.HTTPStatusCode, http.StatusTooManyRequests; got != want {
		t.Errorf("HTTPStatusCode: got %v, want %v", got, want)
	}
	if got, want := apiErr.Code, any("rate_limit_exceeded"); got != want {
		t.Errorf("Code: got %v, want %v", got, want)
	}
	rec.mu.Lock()
	retryAfter := rec.header.Get("Retry-After")
	rec.mu.Unlock()
	if got, want := retryAfter, "7"; got != want {
		t.Errorf("Retry-After: got %v, want %v", got, want)
	}

	if _, err := client.CreateEmbeddings(context.Background(), req); err != nil {
		t.Errorf("second request: got error %v, want nil", err)
	}
	if got, want := len(fake.Requests(openaitest.PathEmbeddings)), 2; got != want {
		t.Errorf("recorded requests: got %v, want %v", got, want)
	}
}

func TestFailNextStatus(t *testing.T) {
	tests := []struct {
		name       string
		failure    openaitest.Failure
		wantStatus int
		wantType   string
	}{
		{"500", openaitest.Failure{Status: http.StatusInternalServerError}, 500, "server_error"},
		{"503", openaitest.Failure{Status: http.StatusServiceUnavailable}, 503, "server_error"},
		{"zero failure is 500", openaitest.Failure{}, 500, "server_error"},
		{"400 with message", openaitest.Failure{Status: 400, Message: "bad model"}, 400, "invalid_request_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, client := newClient(t, openaitest.Options{})
			fake.FailNext(openaitest.PathChat, 1, tt.failure)
			_, err := client.CreateChatCompletion(context.Background(), chatReq("سلام"))
			var reqErr *openai.RequestError
			if errors.As(err, &reqErr) {
				t.Fatalf("error: got *openai.RequestError %v, want *openai.APIError", err)
			}
			var apiErr *openai.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error: got %T %v, want *openai.APIError", err, err)
			}
			if got, want := apiErr.HTTPStatusCode, tt.wantStatus; got != want {
				t.Errorf("HTTPStatusCode: got %v, want %v", got, want)
			}
			if got, want := apiErr.Type, tt.wantType; got != want {
				t.Errorf("Type: got %v, want %v", got, want)
			}
			if tt.failure.Message != "" && apiErr.Message != tt.failure.Message {
				t.Errorf("Message: got %v, want %v", apiErr.Message, tt.failure.Message)
			}
			if _, err := client.CreateChatCompletion(context.Background(), chatReq("سلام")); err != nil {
				t.Errorf("next request: got error %v, want nil", err)
			}
		})
	}
}

func TestFailNextFIFO(t *testing.T) {
	fake, client := newClient(t, openaitest.Options{})
	fake.FailNext(openaitest.PathChat, 2, openaitest.Failure{Status: 500})
	fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{Status: 429})
	fake.FailNext(openaitest.PathEmbeddings, 1, openaitest.Failure{Status: 503})
	var got []int
	for range 4 {
		_, err := client.CreateChatCompletion(context.Background(), chatReq("سلام"))
		status := 200
		var apiErr *openai.APIError
		if errors.As(err, &apiErr) {
			status = apiErr.HTTPStatusCode
		} else if err != nil {
			t.Fatalf("got error %v, want nil or *openai.APIError", err)
		}
		got = append(got, status)
	}
	if want := []int{500, 500, 429, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses: got %v, want %v", got, want)
	}
}

func TestFailNextBody(t *testing.T) {
	t.Run("ollama style error", func(t *testing.T) {
		fake, client := newClient(t, openaitest.Options{})
		fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{Status: 404, Body: `{"error":"model not found"}`})
		_, err := client.CreateChatCompletion(context.Background(), chatReq("سلام"))
		// Check RequestError first: errors.As to *APIError also succeeds,
		// through RequestError.Unwrap, yielding an empty APIError.
		var reqErr *openai.RequestError
		if !errors.As(err, &reqErr) {
			t.Fatalf("error: got %T %v, want *openai.RequestError", err, err)
		}
		if got, want := reqErr.HTTPStatusCode, 404; got != want {
			t.Errorf("HTTPStatusCode: got %v, want %v", got, want)
		}
		if got, want := string(reqErr.Body), `{"error":"model not found"}`; got != want {
			t.Errorf("Body: got %v, want %v", got, want)
		}
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 0 || apiErr.Message != "" {
			t.Errorf("wrapped APIError: got %#v, want empty", apiErr)
		}
	})
	t.Run("empty choices", func(t *testing.T) {
		fake, client := newClient(t, openaitest.Options{})
		fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{Body: `{"choices":[]}`})
		resp, err := client.CreateChatCompletion(context.Background(), chatReq("سلام"))
		if err != nil {
			t.Fatalf("got error %v, want nil", err)
		}
		if got, want := len(resp.Choices), 0; got != want {
			t.Errorf("len(Choices): got %v, want %v", got, want)
		}
	})
	t.Run("not json", func(t *testing.T) {
		fake, client := newClient(t, openaitest.Options{})
		fake.FailNext(openaitest.PathEmbeddings, 1, openaitest.Failure{Body: "not json"})
		_, err := client.CreateEmbeddings(context.Background(), openai.EmbeddingRequest{Input: "x", Model: openai.SmallEmbedding3})
		if err == nil {
			t.Fatalf("got error %v, want a decoding error", err)
		}
	})
}

func TestDelayHonoursClientTimeout(t *testing.T) {
	fake, client := newClient(t, openaitest.Options{})
	fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{Delay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.CreateChatCompletion(ctx, chatReq("سلام"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got error %v, want %v", err, context.DeadlineExceeded)
	}
	if got, want := time.Since(start), 5*time.Second; got > want {
		t.Errorf("took %v, want under %v", got, want)
	}
	// A short delay alone gives a normal, late answer.
	fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{Delay: 20 * time.Millisecond})
	start = time.Now()
	if _, err := client.CreateChatCompletion(context.Background(), chatReq("سلام")); err != nil {
		t.Errorf("got error %v, want nil", err)
	}
	if got, want := time.Since(start), 20*time.Millisecond; got < want {
		t.Errorf("took %v, want at least %v", got, want)
	}
}

func TestDrop(t *testing.T) {
	fake, client := newClient(t, openaitest.Options{})
	fake.FailNext(openaitest.PathEmbeddings, 1, openaitest.Failure{Drop: true})
	_, err := client.CreateEmbeddings(context.Background(), openai.EmbeddingRequest{Input: "x", Model: openai.SmallEmbedding3})
	if err == nil {
		t.Fatalf("got error %v, want a connection error", err)
	}
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		t.Errorf("got *openai.APIError %v, want a transport error", err)
	}
}

func TestStreamCut(t *testing.T) {
	const reply = "این یک پاسخ نسبتاً طولانی برای آزمایش قطع شدن جریان است."
	fake, client := newClient(t, openaitest.Options{
		Chat: func(openai.ChatCompletionRequest) string { return reply },
	})
	fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{StreamCut: true})
	stream, err := client.CreateChatCompletionStream(context.Background(), chatReq("سلام"))
	if err != nil {
		t.Fatalf("CreateChatCompletionStream: got error %v, want nil", err)
	}
	defer stream.Close()
	text, chunks, finish, err := readStream(stream)
	if err == nil || errors.Is(err, io.EOF) {
		t.Errorf("Recv error: got %v, want a non-EOF error", err)
	}
	if chunks < 1 || !strings.HasPrefix(reply, text) || text == reply {
		t.Errorf("received text: got %q (%d chunks), want a proper non-empty prefix of %q", text, chunks, reply)
	}
	if finish != "" {
		t.Errorf("finish reason: got %v, want none", finish)
	}
}

func TestStreamStallTimeout(t *testing.T) {
	fake, client := newClient(t, openaitest.Options{})
	fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{StreamStall: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	stream, err := client.CreateChatCompletionStream(ctx, chatReq("سلام"))
	if err != nil {
		t.Fatalf("CreateChatCompletionStream: got error %v, want nil", err)
	}
	defer stream.Close()
	_, chunks, _, err := readStream(stream)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Recv error: got %v, want %v", err, context.DeadlineExceeded)
	}
	if got, want := chunks, 1; got != want {
		t.Errorf("content chunks before stall: got %v, want %v", got, want)
	}
}

func TestRequestsRecorded(t *testing.T) {
	fake, client := newClient(t, openaitest.Options{APIKey: testKey})
	fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{Status: 500})
	req := chatReq("آخرین خبرها چیست؟")
	req.Temperature = 0.2
	for range 2 {
		_, _ = client.CreateChatCompletion(context.Background(), req)
	}
	if _, err := client.CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{
		Input: []string{"یک", "دو"}, Model: openai.SmallEmbedding3,
	}); err != nil {
		t.Fatalf("CreateEmbeddings: got error %v, want nil", err)
	}

	if got, want := len(fake.Requests("")), 3; got != want {
		t.Errorf("Requests(\"\"): got %v, want %v", got, want)
	}
	chats := fake.Requests(openaitest.PathChat)
	if got, want := len(chats), 2; got != want {
		t.Fatalf("Requests(PathChat): got %v, want %v", got, want)
	}
	for _, r := range chats {
		if got, want := r.Header.Get("Authorization"), "Bearer "+testKey; got != want {
			t.Errorf("Authorization: got %v, want %v", got, want)
		}
		if got, want := r.Method, http.MethodPost; got != want {
			t.Errorf("Method: got %v, want %v", got, want)
		}
		if r.Time.IsZero() {
			t.Errorf("Time: got zero, want arrival time")
		}
	}
	decoded := fake.ChatRequests()
	if got, want := len(decoded), 2; got != want {
		t.Fatalf("ChatRequests: got %v, want %v", got, want)
	}
	for _, d := range decoded {
		if got, want := d.Messages, req.Messages; len(got) != len(want) || got[1].Content != want[1].Content || got[0].Role != want[0].Role {
			t.Errorf("Messages: got %+v, want %+v", got, want)
		}
		if got, want := d.Temperature, float32(0.2); got != want {
			t.Errorf("Temperature: got %v, want %v", got, want)
		}
	}
	embs := fake.EmbeddingRequests()
	if got, want := len(embs), 1; got != want {
		t.Fatalf("EmbeddingRequests: got %v, want %v", got, want)
	}
	if got, ok := embs[0].Input.([]string); !ok || !slices.Equal(got, []string{"یک", "دو"}) {
		t.Errorf("Input: got %#v, want %#v", embs[0].Input, []string{"یک", "دو"})
	}

	fake.Reset()
	if got := fake.Requests(""); len(got) != 0 {
		t.Errorf("after Reset: got %v requests, want 0", len(got))
	}
}

func TestRawHTTPErrors(t *testing.T) {
	fake := openaitest.New(t, openaitest.Options{})
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		want   int
	}{
		{"unknown path", http.MethodPost, "/v1/completions", `{}`, http.StatusNotFound},
		{"missing v1 prefix", http.MethodPost, "/embeddings", `{}`, http.StatusNotFound},
		{"malformed chat", http.MethodPost, openaitest.PathChat, `{"messages":`, http.StatusBadRequest},
		{"malformed embeddings", http.MethodPost, openaitest.PathEmbeddings, `nope`, http.StatusBadRequest},
		{"empty messages", http.MethodPost, openaitest.PathChat, `{"model":"m","messages":[]}`, http.StatusBadRequest},
		{"missing input", http.MethodPost, openaitest.PathEmbeddings, `{"model":"m"}`, http.StatusBadRequest},
		{"bad encoding format", http.MethodPost, openaitest.PathEmbeddings, `{"model":"m","input":"x","encoding_format":"int8"}`, http.StatusBadRequest},
		{"GET chat", http.MethodGet, openaitest.PathChat, ``, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, fake.URL()+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			defer resp.Body.Close()
			if got := resp.StatusCode; got != tt.want {
				t.Errorf("status: got %v, want %v", got, tt.want)
			}
			body, _ := io.ReadAll(resp.Body)
			if !strings.HasPrefix(string(body), `{"error":{`) {
				t.Errorf("body: got %s, want an OpenAI error object", body)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	fake, client := newClient(t, openaitest.Options{})
	fake.FailNext(openaitest.PathChat, 3, openaitest.Failure{Status: 503})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			if i%2 == 0 {
				_, err := client.CreateChatCompletion(context.Background(), chatReq("سلام"))
				errs <- err
				return
			}
			_, err := client.CreateEmbeddings(context.Background(), openai.EmbeddingRequest{Input: []string{"a", "b"}, Model: openai.SmallEmbedding3})
			errs <- err
			fake.SetChat(nil)
			_ = fake.Requests("")
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
		}
	}
	if got, want := failed, 3; got != want {
		t.Errorf("failed requests: got %v, want %v", got, want)
	}
	if got, want := len(fake.Requests("")), 20; got != want {
		t.Errorf("recorded requests: got %v, want %v", got, want)
	}
}

func TestClose(t *testing.T) {
	fake, client := newClient(t, openaitest.Options{})
	fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{Delay: 10 * time.Second})
	fake.FailNext(openaitest.PathChat, 1, openaitest.Failure{StreamStall: 10 * time.Second})
	plainErr := make(chan error, 1)
	go func() {
		_, err := client.CreateChatCompletion(context.Background(), chatReq("سلام"))
		plainErr <- err
	}()
	streamErr := make(chan error, 1)
	go func() {
		for len(fake.Requests(openaitest.PathChat)) == 0 {
			time.Sleep(time.Millisecond) // keep the scripted order
		}
		stream, err := client.CreateChatCompletionStream(context.Background(), chatReq("سلام"))
		if err != nil {
			streamErr <- err
			return
		}
		defer stream.Close()
		_, _, _, err = readStream(stream)
		streamErr <- err
	}()
	for len(fake.Requests(openaitest.PathChat)) < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the stream reach its stall
	start := time.Now()
	fake.Close()
	if got, want := time.Since(start), 5*time.Second; got > want {
		t.Errorf("Close took %v, want under %v", got, want)
	}
	if err := <-plainErr; err == nil {
		t.Errorf("delayed request: got error %v, want a connection error", err)
	}
	if err := <-streamErr; err == nil || errors.Is(err, io.EOF) {
		t.Errorf("stalled stream: got error %v, want a non-EOF error", err)
	}

	fake.Close()
	fake.Close() // idempotent
	if _, err := client.CreateChatCompletion(context.Background(), chatReq("سلام")); err == nil {
		t.Errorf("after Close: got error %v, want a connection error", err)
	}
}
