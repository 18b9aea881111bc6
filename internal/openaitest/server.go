package openaitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Paths served by the fake, as they appear in [Request.Path] and as accepted
// by [Server.FailNext] and [Server.Requests].
const (
	PathEmbeddings = "/v1/embeddings"
	PathChat       = "/v1/chat/completions"
)

// DefaultDim is the embedding dimension used when [Options.Dim] is zero.
const DefaultDim = 64

// DefaultReply is the chat reply used when no chat function is configured.
const DefaultReply = "پاسخ آزمایشی [۱]"

// Options configures a [Server]. The zero value is usable.
type Options struct {
	// APIKey, when non-empty, is required: requests without the header
	// "Authorization: Bearer <APIKey>" get 401 with an OpenAI error body
	// (which never contains the key). When empty, no authentication is
	// checked.
	APIKey string

	// Dim is the embedding dimension; DefaultDim when zero or negative.
	// The request's "dimensions" field is ignored.
	Dim int

	// Embed computes the embedding of one input text. It must return a
	// slice of length Dim and be safe for concurrent use. When nil,
	// HashEmbedding(text, Dim) is used.
	Embed func(text string) []float32

	// Chat computes the assistant reply to a chat request. It must be safe
	// for concurrent use. When nil, every reply is DefaultReply. It can be
	// replaced later with [Server.SetChat].
	Chat func(req openai.ChatCompletionRequest) string
}

// Request is one HTTP request received by the fake, as recorded before any
// failure scripting or validation was applied.
type Request struct {
	Method string      // HTTP method, normally POST
	Path   string      // URL path, e.g. PathChat
	Header http.Header // a copy of the request headers
	Body   []byte      // the raw request body
	Time   time.Time   // when the request arrived
}

// Failure describes how a scripted request fails; see [Server.FailNext].
//
// Fields apply in this order: Delay; then Drop; then Body; then Status.
// Status defaults to 500 (so a zero Failure answers 500 with an OpenAI error
// body), except when Delay, StreamCut or StreamStall is set: then, unless
// Status >= 400, a normal answer follows, delayed or with the stream fault.
type Failure struct {
	// Status is the HTTP status. With no Body and Status >= 400, the body is
	// an OpenAI-style error {"error":{"message","type","code"}}, which the
	// client returns as *openai.APIError. With Body set, zero means 200.
	Status int

	// RetryAfter, when positive, sets the Retry-After header (seconds) on
	// whatever answer is sent. Note that go-openai does not expose response
	// headers on errors; read it through a custom ClientConfig.HTTPClient.
	RetryAfter int

	// Message overrides the message of the OpenAI error body.
	Message string

	// Body is sent verbatim (Content-Type application/json) instead of a
	// generated body, e.g. "not json", `{"error":"model not found"}`
	// (Ollama style) or `{"choices":[]}` (an empty 200).
	Body string

	// Delay sleeps before answering. If the client gives up (its request
	// context ends) meanwhile, nothing is sent; if the server is closed
	// meanwhile, the connection is dropped.
	Delay time.Duration

	// Drop closes the connection without sending any response.
	Drop bool

	// StreamCut, for a streamed chat request, sends the role chunk and the
	// first half of the content chunks (at least one), then closes the
	// connection without a finish chunk or [DONE]. Ignored for other
	// requests.
	StreamCut bool

	// StreamStall, for a streamed chat request, sleeps this long before each
	// chunk after the first content chunk (a slow stream). The stream ends
	// early if the client gives up, and the connection is dropped if the
	// server is closed meanwhile. Ignored for other requests.
	StreamStall time.Duration
}

// Server is a fake OpenAI-compatible API server. It is safe for concurrent
// use.
type Server struct {
	t      testing.TB
	srv    *httptest.Server
	apiKey string
	dim    int
	embed  func(string) []float32

	done      chan struct{} // closed when the server shuts down
	closeOnce sync.Once

	mu       sync.Mutex
	chat     func(openai.ChatCompletionRequest) string
	requests []Request
	failures map[string][]Failure
	seq      int
}

// New starts a fake server on a loopback address. It is closed by
// t.Cleanup, or earlier by [Server.Close].
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	dim := opts.Dim
	if dim <= 0 {
		dim = DefaultDim
	}
	s := &Server{
		t:        t,
		apiKey:   opts.APIKey,
		dim:      dim,
		embed:    opts.Embed,
		chat:     opts.Chat,
		done:     make(chan struct{}),
		failures: make(map[string][]Failure),
	}
	if s.embed == nil {
		s.embed = func(text string) []float32 { return HashEmbedding(text, dim) }
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.Close)
	return s
}

// URL returns the server's base URL without the API prefix, e.g.
// "http://127.0.0.1:1234".
func (s *Server) URL() string { return s.srv.URL }

// BaseURL returns URL()+"/v1", the value for openai.ClientConfig.BaseURL.
func (s *Server) BaseURL() string { return s.srv.URL + "/v1" }

// ClientConfig returns openai.DefaultConfig(APIKey) pointed at the fake, with
// an HTTP client whose idle connections are closed with the server.
func (s *Server) ClientConfig() openai.ClientConfig {
	cfg := openai.DefaultConfig(s.apiKey)
	cfg.BaseURL = s.BaseURL()
	cfg.HTTPClient = s.srv.Client()
	return cfg
}

// Close shuts the server down: pending delays and stalls end with a dropped
// connection, and later requests fail to connect. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// SetChat replaces the function computing chat replies; nil restores the
// default (DefaultReply). f must be safe for concurrent use.
func (s *Server) SetChat(f func(req openai.ChatCompletionRequest) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat = f
}

// FailNext scripts the next n requests to path (e.g. PathChat) to fail as f
// describes. Scripted failures for a path are consumed in the order they were
// scripted, one per request, whatever its method or body. n <= 0 does
// nothing.
func (s *Server) FailNext(path string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[path] = append(s.failures[path], f)
	}
}

// Requests returns copies of the recorded requests to path in arrival order;
// path "" returns all requests. Requests that failed (scripted, unauthorised,
// malformed, unknown path) are included.
func (s *Server) Requests(path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if path != "" && r.Path != path {
			continue
		}
		out = append(out, Request{
			Method: r.Method,
			Path:   r.Path,
			Header: r.Header.Clone(),
			Body:   bytes.Clone(r.Body),
			Time:   r.Time,
		})
	}
	return out
}

// ChatRequests returns the decoded bodies of the recorded requests to
// PathChat, in arrival order, including ones that were answered with a
// scripted failure. Bodies that are not valid JSON are skipped.
func (s *Server) ChatRequests() []openai.ChatCompletionRequest {
	var out []openai.ChatCompletionRequest
	for _, r := range s.Requests(PathChat) {
		var req openai.ChatCompletionRequest
		if err := json.Unmarshal(r.Body, &req); err != nil {
			continue
		}
		out = append(out, req)
	}
	return out
}

// EmbeddingRequests returns the decoded bodies of the recorded requests to
// PathEmbeddings, in arrival order, including ones that were answered with a
// scripted failure. Input is normalised to string, []string, []int or
// [][]int according to what was sent. Bodies that are not valid JSON are
// skipped.
func (s *Server) EmbeddingRequests() []openai.EmbeddingRequest {
	var out []openai.EmbeddingRequest
	for _, r := range s.Requests(PathEmbeddings) {
		var req openai.EmbeddingRequest
		if err := json.Unmarshal(r.Body, &req); err != nil {
			continue
		}
		req.Input = normaliseInput(req.Input)
		out = append(out, req)
	}
	return out
}

// EmbeddedTexts returns every input text of the recorded embedding requests,
// flattened in arrival order. Token inputs are skipped.
func (s *Server) EmbeddedTexts() []string {
	var out []string
	for _, req := range s.EmbeddingRequests() {
		switch in := req.Input.(type) {
		case string:
			out = append(out, in)
		case []string:
			out = append(out, in...)
		}
	}
	return out
}

// Reset forgets the recorded requests and the pending scripted failures.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.failures = make(map[string][]Failure)
}

// normaliseInput turns a JSON-decoded embeddings input into string,
// []string, []int or [][]int when it has that shape; otherwise it is
// returned unchanged.
func normaliseInput(in any) any {
	list, ok := in.([]any)
	if !ok {
		return in
	}
	if strs, ok := asStrings(list); ok {
		return strs
	}
	if ints, ok := asInts(list); ok {
		return ints
	}
	var nested [][]int
	for _, item := range list {
		sub, ok := item.([]any)
		if !ok {
			return in
		}
		ints, ok := asInts(sub)
		if !ok {
			return in
		}
		nested = append(nested, ints)
	}
	return nested
}

func asStrings(list []any) ([]string, bool) {
	out := make([]string, 0, len(list))
	for _, item := range list {
		str, ok := item.(string)
		if !ok {
			return nil, false
		}
		out = append(out, str)
	}
	return out, true
}

func asInts(list []any) ([]int, bool) {
	out := make([]int, 0, len(list))
	for _, item := range list {
		f, ok := item.(float64)
		if !ok || f != float64(int(f)) {
			return nil, false
		}
		out = append(out, int(f))
	}
	return out, true
}

// record stores the request and pops the next scripted failure for its path.
func (s *Server) record(r *http.Request, body []byte) (f Failure, failing bool, seq int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.requests = append(s.requests, Request{
		Method: r.Method,
		Path:   r.URL.Path,
		Header: r.Header.Clone(),
		Body:   body,
		Time:   time.Now(),
	})
	if q := s.failures[r.URL.Path]; len(q) > 0 {
		f, failing = q[0], true
		if len(q) == 1 {
			delete(s.failures, r.URL.Path)
		} else {
			s.failures[r.URL.Path] = q[1:]
		}
	}
	return f, failing, s.seq
}

func (s *Server) chatFunc() func(openai.ChatCompletionRequest) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chat
}

// serveHTTP is the fake's single handler.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(r.Body)
	f, failing, seq := s.record(r, body)
	w.Header().Set("X-Request-Id", fmt.Sprintf("req_fake_%d", seq))
	if readErr != nil {
		writeError(w, http.StatusBadRequest, "could not read request body")
		return
	}

	var mods Failure // effects applied to a normal answer
	if failing {
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		if handled := s.fail(w, r, f); handled {
			return
		}
		mods = f
	}

	if s.apiKey != "" && r.Header.Get("Authorization") != "Bearer "+s.apiKey {
		msg := "Incorrect API key provided."
		if r.Header.Get("Authorization") == "" {
			msg = "You didn't provide an API key."
		}
		writeError(w, http.StatusUnauthorized, msg)
		return
	}

	switch r.URL.Path {
	case PathEmbeddings, PathChat:
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path))
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("Method %s not allowed for %s", r.Method, r.URL.Path))
		return
	}
	if r.URL.Path == PathEmbeddings {
		s.handleEmbeddings(w, body)
		return
	}
	s.handleChat(w, r, body, seq, mods)
}

// fail applies a scripted failure. It reports whether the response has been
// fully handled; if not, a normal answer follows.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, f Failure) bool {
	if f.Delay > 0 && !s.sleep(r, f.Delay) {
		s.abort(w, r)
		return true
	}
	if f.Drop {
		s.dropConn(w)
		return true
	}
	if f.Body != "" {
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, f.Body)
		return true
	}
	status := f.Status
	if status == 0 && f.Delay == 0 && !f.StreamCut && f.StreamStall == 0 {
		status = http.StatusInternalServerError
	}
	if status >= 400 {
		msg := f.Message
		if msg == "" {
			msg = fmt.Sprintf("openaitest: scripted failure (HTTP %d %s)", status, http.StatusText(status))
		}
		writeError(w, status, msg)
		return true
	}
	return false
}

// sleep waits for d, the end of the request or the server's shutdown. It
// reports whether the full duration elapsed.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

// abort ends a response cut short by sleep. If the client is still waiting
// (the server is shutting down), the connection is dropped so that the
// client sees an error rather than an empty or cleanly ended response.
func (s *Server) abort(w http.ResponseWriter, r *http.Request) {
	if r.Context().Err() == nil {
		s.dropConn(w)
	}
}

// dropConn closes the underlying connection, flushing whatever was already
// written. The client sees a connection error (or a truncated body).
func (s *Server) dropConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		s.t.Errorf("openaitest: cannot hijack connection to drop it: %v", err)
		writeError(w, http.StatusInternalServerError, "openaitest: cannot drop connection")
		return
	}
	_ = conn.Close()
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError writes an OpenAI-style error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	typ, code := errorKind(status)
	writeJSON(w, status, openai.ErrorResponse{Error: &openai.APIError{
		Message: msg,
		Type:    typ,
		Code:    code,
	}})
}

// errorKind returns OpenAI-like error type and code for an HTTP status.
func errorKind(status int) (typ, code string) {
	switch {
	case status == http.StatusUnauthorized:
		return "invalid_request_error", "invalid_api_key"
	case status == http.StatusNotFound:
		return "invalid_request_error", "unknown_url"
	case status == http.StatusMethodNotAllowed:
		return "invalid_request_error", "method_not_allowed"
	case status == http.StatusTooManyRequests:
		return "requests", "rate_limit_exceeded"
	case status >= 500:
		return "server_error", "server_error"
	case status >= 400:
		return "invalid_request_error", "invalid_request"
	default:
		return "api_error", "api_error"
	}
}
