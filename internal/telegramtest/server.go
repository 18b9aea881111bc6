package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// DefaultToken is the bot token a Server accepts when Options.Token is empty.
const DefaultToken = "123:test-token"

// DownloadMethod is the pseudo method name under which FailNext scripts
// failures of file downloads (GET /file/bot<token>/<path>). It never
// matches a Bot API method.
const DownloadMethod = "@download"

// Options configures a Server. The zero value is ready to use.
type Options struct {
	// Token is the only bot token the fake accepts; requests with another
	// token get 401 {"ok":false,"error_code":401,"description":"Unauthorized"}.
	// It defaults to DefaultToken.
	Token string
	// BotUser is what getMe returns. Zero fields are filled with the defaults
	// ID 1000, FirstName "Khabar" and UserName "khabar_bot"; IsBot is always
	// true. Other fields, such as CanReadAllGroupMessages, are kept.
	BotUser tgbotapi.User
}

// Server is an in-process fake of the Telegram Bot API, served by an
// httptest.Server. It is safe for concurrent use.
type Server struct {
	t     testing.TB
	srv   *httptest.Server
	rt    http.RoundTripper // guarded transport to the fake
	token string
	bot   tgbotapi.User
	done  chan struct{} // closed when the test ends, to release long polls

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	calls    []Call
	failures []*scripted
	handlers map[string]HandlerFunc

	queue      []tgbotapi.Update
	extras     map[int]Extra // by update id
	nextUpdate int
	pollGen    int
	polling    int // long polls currently waiting
	allowed    []string

	nextMessage int
	chats       map[int64]tgbotapi.Chat
	users       map[int64]tgbotapi.User
	incoming    map[msgKey]tgbotapi.Message
	sent        []*Sent
	sentByKey   map[msgKey]*Sent

	commands      []tgbotapi.BotCommand
	webhookURL    string
	webhookSecret string
	admins        map[int64]map[int64]bool
	forums        map[int64]bool
	migrated      map[int64]int64 // group id → supergroup id

	files     map[string]*storedFile // by file_id
	nextFile  int
	downloads []string
}

type msgKey struct {
	chat int64
	id   int
}

// Call is the raw record of one Bot API request, including failed ones.
// A call is recorded when the fake has decided its answer (for a long-polling
// getUpdates, when the poll ends), atomically with any state change it causes.
type Call struct {
	// Method is the Bot API method, e.g. "sendMessage".
	Method string
	// Params holds the request parameters (query, form or multipart fields).
	Params url.Values
	// Uploads holds the files of a multipart request.
	Uploads []Upload
	// Time is when the request arrived.
	Time time.Time
	// Sent is when the client's transport began the request, for clients
	// made by Server.Client (zero otherwise): unlike Time, it is free of
	// the fake's own delays in accepting and reading requests.
	Sent time.Time
	// OK reports whether the answer was {"ok":true,...}.
	OK bool
	// ErrorCode and Description are the error envelope's fields, or the
	// HTTP status and "" for a Failure with a raw Body.
	ErrorCode   int
	Description string
	// Dropped reports that the connection was closed without an answer
	// (Failure.Drop), or that the client went away before the answer.
	Dropped bool
}

// Upload is a file sent in a multipart request.
type Upload struct {
	// Field is the form field, e.g. "document".
	Field string
	// Name is the file name from the multipart header.
	Name string
	// Content is the file's bytes.
	Content []byte
}

// Failure scripts a failed answer; see FailNext.
//
// Status defaults to 429 when RetryAfter is set, to 200 when Body is set and
// to 400 otherwise. Description defaults to a Telegram-like text for Status,
// e.g. "Too Many Requests: retry after 2". A Failure with only Delay set
// answers normally after the delay.
type Failure struct {
	// Status is the HTTP status and error_code, e.g. 429, 400, 500.
	Status int
	// Description is the error envelope's description.
	Description string
	// RetryAfter sets parameters.retry_after.
	RetryAfter int
	// Drop closes the connection without answering.
	Drop bool
	// Delay is waited before answering (or dropping); the wait ends early
	// when the client goes away or the test ends.
	Delay time.Duration
	// Body, when set, is written verbatim instead of a JSON envelope,
	// e.g. to send invalid JSON.
	Body string
}

func (f Failure) isError() bool {
	return f.Status != 0 || f.Description != "" || f.RetryAfter != 0 || f.Body != "" || f.Drop
}

type scripted struct {
	method string
	left   int
	f      Failure
}

// HandlerFunc answers a Bot API call in place of the built-in behaviour; see
// Handle. It returns the JSON-marshalable result, or a non-nil Failure (whose
// Drop and Delay are ignored) to answer with an error.
type HandlerFunc func(c Call) (result any, fail *Failure)

// New starts a fake Bot API server. It is closed by t.Cleanup, which first
// ends pending long polls and delays.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{
		t:           t,
		token:       opts.Token,
		bot:         opts.BotUser,
		done:        make(chan struct{}),
		changed:     make(chan struct{}),
		handlers:    map[string]HandlerFunc{},
		nextUpdate:  1,
		nextMessage: 1,
		nextFile:    1,
		chats:       map[int64]tgbotapi.Chat{},
		users:       map[int64]tgbotapi.User{},
		incoming:    map[msgKey]tgbotapi.Message{},
		sentByKey:   map[msgKey]*Sent{},
		admins:      map[int64]map[int64]bool{},
		extras:      map[int]Extra{},
		forums:      map[int64]bool{},
		migrated:    map[int64]int64{},
		files:       map[string]*storedFile{},
	}
	if s.token == "" {
		s.token = DefaultToken
	}
	if s.bot.ID == 0 {
		s.bot.ID = 1000
	}
	if s.bot.FirstName == "" {
		s.bot.FirstName = "Khabar"
	}
	if s.bot.UserName == "" {
		s.bot.UserName = "khabar_bot"
	}
	s.bot.IsBot = true
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	base := s.srv.Client().Transport
	s.rt = &guard{base: base, host: s.srv.Listener.Addr().String()}
	t.Cleanup(func() {
		close(s.done)
		s.srv.Close()
	})
	return s
}

// guard keeps a client from reaching anything but the fake.
type guard struct {
	base http.RoundTripper
	host string
}

func (g *guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != g.host {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("telegramtest: refusing request to %s: only the fake at %s may be reached", r.URL.Redacted(), g.host)
	}
	r = r.Clone(r.Context())
	r.Header.Set(sentHeader, strconv.FormatInt(time.Now().UnixNano(), 10))
	return g.base.RoundTrip(r)
}

// sentHeader carries Call.Sent from the guarded transport to the server.
const sentHeader = "X-Telegramtest-Sent"

// URL returns the server's base URL, e.g. "http://127.0.0.1:40123".
func (s *Server) URL() string { return s.srv.URL }

// APIEndpoint returns the endpoint format tgbotapi expects, URL()+"/bot%s/%s".
func (s *Server) APIEndpoint() string { return s.srv.URL + "/bot%s/%s" }

// FileURL returns the download URL of a file_path, as the bot should build
// it: URL()+"/file/bot<token>/<path>".
func (s *Server) FileURL(path string) string {
	return s.srv.URL + "/file/bot" + s.token + "/" + strings.TrimPrefix(path, "/")
}

// Token returns the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// BotUser returns the user getMe answers with.
func (s *Server) BotUser() tgbotapi.User { return s.bot }

// Client returns a new HTTP client for the server; callers may set its
// Timeout. It refuses requests to any other host, so a bot using it cannot
// reach the real Telegram.
func (s *Server) Client() *http.Client { return &http.Client{Transport: s.rt} }

// Bot returns a tgbotapi client talking to the server through Client. It
// calls t.Fatal if getMe fails, so call it from the test goroutine.
func (s *Server) Bot(t testing.TB) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(s.token, s.APIEndpoint(), s.Client())
	if err != nil {
		t.Fatalf("telegramtest: NewBotAPIWithClient: %v", err)
	}
	return bot
}

// Calls returns the recorded calls of method in arrival order of their
// answers, or all calls if method is "".
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsLocked(method)
}

func (s *Server) callsLocked(method string) []Call {
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, cloneCall(c))
		}
	}
	return out
}

// WaitCalls waits until at least n calls of method ("" = any) are recorded
// and returns them. When ctx is done or the test ends first, it returns the
// calls so far and an error.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) ([]Call, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		calls := s.callsLocked(method)
		if len(calls) >= n {
			return calls, nil
		}
		if err := s.waitLocked(ctx, nil); err != nil {
			return calls, fmt.Errorf("telegramtest: waiting for %d %q calls, got %d: %w", n, method, len(calls), err)
		}
	}
}

// FailNext makes the next n calls of method fail as f describes. Method ""
// matches any Bot API method; DownloadMethod matches file downloads. Scripted
// failures are consumed in the order they were added.
func (s *Server) FailNext(method string, n int, f Failure) {
	if n <= 0 {
		s.t.Errorf("telegramtest: FailNext(%q, %d): n must be positive", method, n)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &scripted{method: method, left: n, f: f})
}

// Handle replaces the behaviour of method with h (nil restores the built-in
// one). It can also add methods the fake does not know. h runs without the
// server's lock, so it may call the Server's methods.
func (s *Server) Handle(method string, h HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.handlers, method)
		return
	}
	s.handlers[method] = h
}

func (s *Server) takeFailure(method string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sc := range s.failures {
		if sc.method == method || sc.method == "" && method != DownloadMethod {
			sc.left--
			if sc.left == 0 {
				s.failures = append(s.failures[:i], s.failures[i+1:]...)
			}
			return sc.f, true
		}
	}
	return Failure{}, false
}

// broadcastLocked wakes everything waiting for a state change.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

var errServerClosed = errors.New("telegramtest: server closed")

// waitLocked releases s.mu until the state changes, ctx is done, the server
// closes or timer fires. It returns nil only for a state change.
func (s *Server) waitLocked(ctx context.Context, timer <-chan time.Time) error {
	ch := s.changed
	s.mu.Unlock()
	defer s.mu.Lock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errServerClosed
	case <-timer:
		return context.DeadlineExceeded
	}
}

// sleep waits d, the request's end or the test's end; it reports whether d
// fully elapsed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// apiError is an error answer of the Bot API.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	migrateTo  int64
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

type envelope struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *apiErrorParams `json:"parameters,omitempty"`
}

type apiErrorParams struct {
	RetryAfter      int   `json:"retry_after,omitempty"`
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
}

// answer is an HTTP response decided by a handler.
type answer struct {
	status int
	body   []byte
}

// encodeLocked completes c with the outcome, records it and returns the
// HTTP answer.
func (s *Server) encodeLocked(c *Call, result any, e *apiError) answer {
	env := envelope{OK: e == nil, Result: result}
	status := http.StatusOK
	if e != nil {
		status = e.code
		env.ErrorCode, env.Description = e.code, e.desc
		if e.retryAfter > 0 || e.migrateTo != 0 {
			env.Parameters = &apiErrorParams{RetryAfter: e.retryAfter, MigrateToChatID: e.migrateTo}
		}
	} else if result == nil {
		env.Result = true
	}
	body, err := json.Marshal(env)
	if err != nil {
		s.t.Errorf("telegramtest: %s: encoding the result: %v", c.Method, err)
		status = http.StatusInternalServerError
		env = envelope{ErrorCode: status, Description: "Internal Server Error: telegramtest could not encode the result"}
		body, _ = json.Marshal(env)
	}
	c.OK, c.ErrorCode, c.Description = env.OK, env.ErrorCode, env.Description
	s.recordLocked(*c)
	return answer{status: status, body: body}
}

func (s *Server) recordLocked(c Call) {
	s.calls = append(s.calls, c)
	s.broadcastLocked()
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recordLocked(c)
}

func (a answer) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	w.Write(a.body)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, r, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" || strings.Contains(method, "/") {
		http.Error(w, `{"ok":false,"error_code":404,"description":"Not Found"}`, http.StatusNotFound)
		return
	}
	s.serveAPI(w, r, token, method)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, token, method string) {
	c := Call{Method: method, Time: time.Now()}
	if ns, err := strconv.ParseInt(r.Header.Get(sentHeader), 10, 64); err == nil {
		c.Sent = time.Unix(0, ns)
	}
	params, uploads, perr := parseRequest(r)
	c.Params, c.Uploads = params, uploads

	respond := func(result any, e *apiError) {
		s.mu.Lock()
		a := s.encodeLocked(&c, result, e)
		s.mu.Unlock()
		a.write(w)
	}
	if perr != nil {
		respond(nil, badRequest("can't parse request: "+perr.Error()))
		return
	}
	if token != s.token {
		respond(nil, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	if f, ok := s.takeFailure(method); ok {
		if !s.sleep(r.Context(), f.Delay) {
			c.Dropped = true
			s.record(c)
			return
		}
		if f.isError() {
			s.fail(w, &c, f)
			return
		}
	}
	for key, values := range params {
		for _, v := range values {
			if !utf8.ValidString(v) || !utf8.ValidString(key) {
				respond(nil, badRequest("strings must be encoded in UTF-8"))
				return
			}
		}
	}

	s.mu.Lock()
	h := s.handlers[method]
	s.mu.Unlock()
	if h != nil {
		result, fail := h(cloneCall(c))
		if fail != nil {
			f := *fail
			f.Drop, f.Delay = false, 0
			s.fail(w, &c, f)
			return
		}
		respond(result, nil)
		return
	}

	builtin := s.builtin(method)
	if builtin == nil {
		s.t.Logf("telegramtest: bot called unsupported method %q (use Server.Handle to fake it)", method)
		respond(nil, &apiError{code: http.StatusNotFound, desc: "Not Found: method not found"})
		return
	}
	s.mu.Lock()
	result, e := builtin(r.Context(), &c)
	if e == nil && r.Context().Err() != nil && method == "getUpdates" {
		c.Dropped = true // the long poll was abandoned by the client
	}
	a := s.encodeLocked(&c, result, e)
	s.mu.Unlock()
	a.write(w)
}

// fail answers c with the scripted failure f, after any delay.
func (s *Server) fail(w http.ResponseWriter, c *Call, f Failure) {
	if f.Drop {
		c.Dropped = true
		s.record(*c)
		hj, ok := w.(http.Hijacker)
		if !ok {
			s.t.Errorf("telegramtest: Failure.Drop: the connection cannot be hijacked")
			http.Error(w, "cannot drop", http.StatusBadGateway)
			return
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			s.t.Errorf("telegramtest: Failure.Drop: %v", err)
			return
		}
		conn.Close()
		return
	}
	if f.Body != "" {
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		c.ErrorCode = status
		s.record(*c)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, f.Body)
		return
	}
	e := &apiError{code: f.Status, desc: f.Description, retryAfter: f.RetryAfter}
	if e.code == 0 {
		e.code = http.StatusBadRequest
		if f.RetryAfter > 0 {
			e.code = http.StatusTooManyRequests
		}
	}
	if e.desc == "" {
		e.desc = defaultDescription(e.code, f.RetryAfter)
	}
	s.mu.Lock()
	a := s.encodeLocked(c, nil, e)
	s.mu.Unlock()
	a.write(w)
}

func defaultDescription(code, retryAfter int) string {
	switch code {
	case http.StatusTooManyRequests:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	case http.StatusForbidden:
		return "Forbidden: bot was blocked by the user"
	case http.StatusConflict:
		return "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	}
	if text := http.StatusText(code); text != "" {
		return text
	}
	return fmt.Sprintf("Error %d", code)
}

// parseRequest reads the parameters of a form-encoded, multipart or JSON
// request, plus the query string.
func parseRequest(r *http.Request) (url.Values, []Upload, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return url.Values{}, nil, err
		}
		var uploads []Upload
		for field, headers := range r.MultipartForm.File {
			for _, fh := range headers {
				f, err := fh.Open()
				if err != nil {
					return cloneValues(r.Form), uploads, err
				}
				content, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					return cloneValues(r.Form), uploads, err
				}
				uploads = append(uploads, Upload{Field: field, Name: fh.Filename, Content: content})
			}
		}
		sort.SliceStable(uploads, func(i, j int) bool { return uploads[i].Field < uploads[j].Field })
		return cloneValues(r.Form), uploads, nil
	case "application/json":
		values := cloneValues(r.URL.Query())
		var obj map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&obj); err != nil && err != io.EOF {
			return values, nil, err
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				values.Set(k, str)
			} else {
				values.Set(k, string(raw))
			}
		}
		return values, nil, nil
	default:
		if err := r.ParseForm(); err != nil {
			return url.Values{}, nil, err
		}
		return cloneValues(r.Form), nil, nil
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func cloneCall(c Call) Call {
	c.Params = cloneValues(c.Params)
	if c.Uploads != nil {
		c.Uploads = append([]Upload(nil), c.Uploads...)
	}
	return c
}

// MaxInWindow returns the largest number of calls whose Sent time (Time
// when Sent is zero) falls within one half-open window [t, t+d), over
// every t: a sender that keeps to n calls per d never gets more than n.
// Calls may be in any order.
func MaxInWindow(calls []Call, d time.Duration) int {
	times := make([]time.Time, len(calls))
	for i, c := range calls {
		times[i] = c.Sent
		if c.Sent.IsZero() {
			times[i] = c.Time
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	most, first := 0, 0
	for last, t := range times {
		for !t.Before(times[first].Add(d)) {
			first++
		}
		most = max(most, last-first+1)
	}
	return most
}
