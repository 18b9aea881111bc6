package weaviate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/retrieval"
	"github.com/weaviate/weaviate/entities/models"
)

// deadURL is the address of a port nothing listens on.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// TestDownServerIsAnErrorNotAPanic needs no Weaviate: every call to a
// server that is not there fails with ErrUnavailable, counted.
func TestDownServerIsAnErrorNotAPanic(t *testing.T) {
	ctx := context.Background()
	s, err := Open(retrieval.NewLocalEmbedder(32), "local-32", Options{URL: deadURL(t), APIKey: "sekret-key", Timeout: time.Second})
	if err != nil {
		t.Fatalf("open must not contact the server: %v", err)
	}
	if err := s.Ready(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("ready: %v, want ErrUnavailable", err)
	}
	if _, err := s.Search(ctx, retrieval.Query{Text: "قیمت دلار"}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("search: %v, want ErrUnavailable", err)
	} else if strings.Contains(err.Error(), "sekret-key") {
		t.Errorf("the API key leaks into the error: %v", err)
	}
	if _, err := s.SyncArticles(ctx, smallCorpus()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("sync: %v, want ErrUnavailable", err)
	}
	if _, err := s.Documents(ctx, time.Time{}, time.Time{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("documents: %v", err)
	}
	if _, err := s.LatestDate(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("latest: %v", err)
	}
	if s.Failures() < 4 {
		t.Errorf("failures counted: %d", s.Failures())
	}
	// The answer path turns it into an error (the bot's polite reply), not
	// a crash.
	if _, err := answer.New(s, answer.Options{}).Answer(ctx, answer.Request{Question: "قیمت دلار چند است؟"}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("answer: %v, want ErrUnavailable", err)
	}
	if st := s.Stats(); st.Articles != 0 {
		t.Errorf("stats of a store never reached: %+v", st)
	}
}

func TestWaitReadyRetries(t *testing.T) {
	s, err := Open(retrieval.NewLocalEmbedder(32), "local-32", Options{URL: deadURL(t), Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if err := s.WaitReady(ctx, 100*time.Millisecond); !errors.Is(err, ErrUnavailable) {
		t.Errorf("wait ready on a dead server: %v", err)
	}
	if s.Failures() < 2 {
		t.Errorf("wait ready tried %d times", s.Failures())
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{{URL: "ftp://x"}, {URL: "http://user:pw@"}, {URL: "http://127.0.0.1:1", Prefix: "lower"}, {URL: "http://127.0.0.1:1", Prefix: "Bad-Name"}} {
		if _, err := Open(retrieval.NewLocalEmbedder(32), "x", o); err == nil {
			t.Errorf("Open(%+v) accepted", o)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("credentials in error: %v", err)
		}
	}
}

// slowProxy forwards to Weaviate, delaying every GraphQL request while
// slow is set.
func slowProxy(t *testing.T, target string, slow *atomic.Bool, delay time.Duration) string {
	t.Helper()
	return delayingProxy(t, target, slow, delay, func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/graphql") })
}

// delayingProxy is slowProxy for the requests match picks.
func delayingProxy(t *testing.T, target string, slow *atomic.Bool, delay time.Duration, match func(*http.Request) bool) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow.Load() && match(r) {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestSlowServerTimesOut(t *testing.T) {
	ctx := context.Background()
	var slow atomic.Bool
	proxy := slowProxy(t, weaviateURL(t), &slow, 3*time.Second)
	s := openTest(t, Options{URL: proxy, Timeout: 500 * time.Millisecond})
	if _, err := s.SyncArticles(ctx, smallCorpus()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Search(ctx, retrieval.Query{Text: "قیمت دلار"}); err != nil {
		t.Fatal(err)
	}
	slow.Store(true)
	start := time.Now()
	_, err := s.Search(ctx, retrieval.Query{Text: "قیمت دلار"})
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("slow search: %v, want ErrUnavailable", err)
	}
	if took := time.Since(start); took > 2500*time.Millisecond {
		t.Errorf("slow search took %v: the timeout did not cut it", took)
	}
	slow.Store(false)
	if _, err := s.Search(ctx, retrieval.Query{Text: "قیمت دلار"}); err != nil {
		t.Errorf("search once the server is fast again: %v", err)
	}
}

// TestSlowSchemaChangeIsWaitedFor: deleting a collection is a Raft round
// and its shards closed, ~0.2 s on a quiet node and seconds on a busy one
// (once over 10 s in CI); a sync waits schemaTimeouts of the Timeout for
// it, not one Timeout as for a read.
func TestSlowSchemaChangeIsWaitedFor(t *testing.T) {
	ctx := context.Background()
	var slow atomic.Bool
	proxy := delayingProxy(t, weaviateURL(t), &slow, 3*time.Second, func(r *http.Request) bool {
		return r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/v1/schema/")
	})
	s := openTest(t, Options{URL: proxy, Timeout: 2 * time.Second})
	if _, err := s.SyncArticles(ctx, smallCorpus()); err != nil {
		t.Fatal(err)
	}
	slow.Store(true)
	defer slow.Store(false)
	if _, err := s.SyncArticles(ctx, smallCorpus()[:1]); err != nil {
		t.Fatalf("a sync whose collection deletes each take longer than one Timeout: %v", err)
	}
	res, err := s.Search(ctx, retrieval.Query{Text: "قیمت دلار", K: 1})
	if err != nil || len(res.Passages) != 1 || res.Passages[0].ArticleID != "a" {
		t.Errorf("search after the slow sync: %v, %v", res.Passages, err)
	}
}

// TestOlderSchemaIsRebuilt: a version written by another khabar (its
// info says another schema) is not searched, is logged, and the next sync
// rebuilds it.
func TestOlderSchemaIsRebuilt(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	if _, err := s.SyncArticles(ctx, smallCorpus()); err != nil {
		t.Fatal(err)
	}
	v, err := s.current(ctx)
	if err != nil || v == nil {
		t.Fatal(v, err)
	}
	inf := v.info
	inf.Schema = 0
	data, _ := json.Marshal(inf)
	if err := s.insert(ctx, []*models.Object{{Class: v.names.meta, ID: strfmtUUID(objectID("info", "")),
		Properties: map[string]any{"kind": "info", "page": 0, "data": string(data)}}}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s2, err := Open(retrieval.NewLocalEmbedder(64), "local-64", Options{URL: s.opts.URL, Prefix: s.opts.Prefix, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s2.Search(ctx, retrieval.Query{Text: "قیمت دلار"})
	if err != nil || len(res.Passages) != 0 {
		t.Errorf("search on an older schema: %d passages, %v", len(res.Passages), err)
	}
	if !strings.Contains(logs.String(), "another khabar") {
		t.Errorf("no log line for the older schema: %q", logs.String())
	}
	rep, err := s2.SyncArticles(ctx, smallCorpus())
	if err != nil || !rep.Rebuilt || rep.Embedded != rep.Chunks {
		t.Fatalf("rebuild: %+v, %v", rep, err)
	}
	res, err = s2.Search(ctx, retrieval.Query{Text: "قیمت دلار", K: 1})
	if err != nil || len(res.Passages) != 1 || res.Passages[0].ArticleID != "a" {
		t.Errorf("search after the rebuild: %v, %v", res.Passages, err)
	}
}

// TestReadersKeepTheOldVersionDuringASync: searches running while a sync
// writes the next version are answered, from the old version, until the
// swap.
func TestReadersKeepTheOldVersionDuringASync(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	if _, err := s.SyncArticles(ctx, smallCorpus()[:2]); err != nil {
		t.Fatal(err)
	}
	checked := false
	s.afterWrite = func() error {
		// The new version is written in full but not swapped in: readers
		// still see the old one.
		res, err := s.Search(ctx, retrieval.Query{Text: "سفر وزیر خارجه به مسکو"})
		if err != nil {
			t.Errorf("search during the sync: %v", err)
		}
		for _, p := range res.Passages {
			if p.ArticleID == "c" {
				t.Errorf("a reader saw the version being written")
			}
		}
		if st := s.Stats(); st.Articles != 2 {
			t.Errorf("stats during the sync: %+v", st)
		}
		checked = true
		return nil
	}
	if _, err := s.SyncArticles(ctx, smallCorpus()); err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Fatal("the hook did not run")
	}
	res, err := s.Search(ctx, retrieval.Query{Text: "سفر وزیر خارجه به مسکو", K: 1})
	if err != nil || len(res.Passages) == 0 || res.Passages[0].ArticleID != "c" {
		t.Errorf("after the swap: %v, %v", res.Passages, err)
	}
}

// TestAliasUnreadableServesTheLastVersion: with the schema unreadable (a
// Raft cluster short of a quorum) and the data readable, a store that has
// seen a version keeps answering from it; one that has not fails politely.
func TestAliasUnreadableServesTheLastVersion(t *testing.T) {
	ctx := context.Background()
	u, _ := url.Parse(weaviateURL(t))
	rp := httputil.NewSingleHostReverseProxy(u)
	var broken atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() && strings.HasPrefix(r.URL.Path, "/v1/aliases") {
			http.Error(w, "no leader", http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer srv.Close()
	s := openTest(t, Options{URL: srv.URL})
	if _, err := s.SyncArticles(ctx, smallCorpus()); err != nil {
		t.Fatal(err)
	}
	broken.Store(true)
	res, err := s.Search(ctx, retrieval.Query{Text: "قیمت دلار", K: 1})
	if err != nil || len(res.Passages) != 1 || res.Passages[0].ArticleID != "a" {
		t.Errorf("search with the alias unreadable: %v, %v", res.Passages, err)
	}
	fresh, err := Open(retrieval.NewLocalEmbedder(64), "local-64", Options{URL: srv.URL, Prefix: s.opts.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Search(ctx, retrieval.Query{Text: "قیمت دلار"}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("a store that never saw a version: %v, want ErrUnavailable", err)
	}
	broken.Store(false)
}
