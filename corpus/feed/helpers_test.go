package feed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// feedServer serves routes registered by path and records the requests.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	routes   map[string]http.HandlerFunc
	hits     map[string]int
	reqs     []*http.Request
	keepReqs bool
}

func newFeedServer(t *testing.T) *feedServer {
	t.Helper()
	return startServer(t, &feedServer{routes: map[string]http.HandlerFunc{}, hits: map[string]int{}, keepReqs: true})
}

func startServer(t testing.TB, s *feedServer) *feedServer {
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.routes[r.URL.Path]
		s.hits[r.URL.Path]++
		if s.keepReqs {
			s.reqs = append(s.reqs, r.Clone(context.Background()))
		}
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// handle registers h at path.
func (s *feedServer) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	s.routes[path] = h
	s.mu.Unlock()
}

// hitCount returns how many requests path got.
func (s *feedServer) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// lastRequest returns the last request to path.
func (s *feedServer) lastRequest(path string) *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.reqs) - 1; i >= 0; i-- {
		if s.reqs[i].URL.Path == path {
			return s.reqs[i]
		}
	}
	return nil
}

// serveFixture serves a testdata file with a Content-Type and an ETag,
// answering 304 to a matching If-None-Match. {{BASE}} in the file becomes
// the server's URL.
func (s *feedServer) serveFixture(t *testing.T, path, file, contentType string) {
	t.Helper()
	body := readFixture(t, file)
	body = []byte(strings.ReplaceAll(string(body), "{{BASE}}", s.URL))
	s.serveBytes(path, body, contentType)
}

func (s *feedServer) serveBytes(path string, body []byte, contentType string) {
	etag := `"` + shortHash(string(body)) + `"`
	s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Wed, 02 Dec 2026 08:00:00 GMT")
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Write(body)
	})
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testOptions are fast options for tests: no per-host wait, a fake clock.
func testOptions(c *clock) Options {
	return Options{HostInterval: -1, Now: c.Now, RequestTimeout: 5 * time.Second, AllowInternal: true}
}

func mustPoller(t testing.TB, dir string, specs []Spec, opts Options) *Poller {
	t.Helper()
	p, err := New(dir, specs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustPoll(t testing.TB, p *Poller) Report {
	t.Helper()
	rep, err := p.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// row returns the report row of feed u.
func row(t *testing.T, rep Report, u string) FeedReport {
	t.Helper()
	for _, r := range rep.Feeds {
		if r.URL == u {
			return r
		}
	}
	t.Fatalf("no report row for %s in %+v", u, rep.Feeds)
	return FeedReport{}
}

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu      sync.Mutex
	fetches map[string][]string
	added   map[string]int
	success map[string]time.Time
}

func newRecorder() *recorder {
	return &recorder{fetches: map[string][]string{}, added: map[string]int{}, success: map[string]time.Time{}}
}

func (r *recorder) FetchDone(feed, status string) {
	r.mu.Lock()
	r.fetches[feed] = append(r.fetches[feed], status)
	r.mu.Unlock()
}

func (r *recorder) ItemsAdded(feed string, n int) {
	r.mu.Lock()
	r.added[feed] += n
	r.mu.Unlock()
}

func (r *recorder) LastSuccess(feed string, t time.Time) {
	r.mu.Lock()
	r.success[feed] = t
	r.mu.Unlock()
}

var _ Observer = (*recorder)(nil)
