// Package weaviate is an index backend on Weaviate, the distributed
// vector and BM25 engine, for an archive that outgrows one machine. It
// ranks exactly as the in-process [retrieval.Index] does (the reference):
// Weaviate holds the passages with khabar's vectors and khabar's canonical
// terms (whitespace-tokenised, no stopwords, so Persian normalisation stays
// khabar's) and answers BM25 and nearest-vector queries; the fusion runs
// here, client-side, with the tuned formula. What the formula needs and
// Weaviate does not expose (the vocabulary with its document frequencies,
// the article signatures) is computed at sync and stored in Weaviate beside
// the passages, so every khabar replica reads the same.
//
// Each sync writes a complete new version (collections <Prefix>V<n>Article,
// Title, Chunk and Meta) and then points the alias <Prefix>Current at it:
// readers keep the old version until the swap, a sync that fails halfway
// deletes what it wrote and leaves the old version serving.
package weaviate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/khabar/khabar/retrieval"
	wv "github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/fault"
)

// Options configure a [Store]. Zero values mean the defaults.
type Options struct {
	// URL is Weaviate's address (WEAVIATE_URL), e.g. http://127.0.0.1:8080.
	URL string
	// APIKey, when set, authenticates (WEAVIATE_API_KEY). It never appears
	// in errors or logs.
	APIKey string
	// Prefix starts every collection name; default "Khabar". Two indexes
	// with different prefixes share a Weaviate without meeting.
	Prefix string
	// Shards and Replicas are the collections' shard count and replication
	// factor (WEAVIATE_SHARDS, WEAVIATE_REPLICAS); default 1 and 1. The
	// ranking does not depend on the shards (idf and lengths are khabar's);
	// reads ask one replica (consistency ONE), so a search is answered
	// while any replica of each shard is up.
	Shards, Replicas int
	// Timeout bounds one request to Weaviate; default 10s. A sync's
	// requests each get it, a search as a whole gets it; a schema change
	// (a collection created or deleted, the alias moved: a Raft round and
	// shards opened or closed, ~0.2 s on a quiet node, seconds on a busy
	// one) gets schemaTimeouts of it, a batch of objects batchTimeouts.
	Timeout time.Duration
	// Chunk sizes the passages, as for the in-process index.
	Chunk retrieval.ChunkOptions
	// Ranking tunes the fusion, as for the in-process index.
	Ranking retrieval.Ranking
	// EmbedBatch is the number of texts per Embed call; default 64.
	EmbedBatch int
	// Candidates is how many articles each of the BM25 and vector lists
	// brings into the fusion, at least; default 200.
	Candidates int
	// Now stamps arrivals; default time.Now.
	Now func() time.Time
	// Log receives migrations and clean-ups; default slog.Default().
	Log *slog.Logger
	// HTTPClient, when set, carries every request (tests put a slow proxy
	// in front); its own Timeout is kept.
	HTTPClient *http.Client
}

// schemaTimeouts and batchTimeouts are the Timeouts a schema change and a
// batch of objects get.
const (
	schemaTimeouts = 4
	batchTimeouts  = 6
)

func (o Options) withDefaults() Options {
	if o.Prefix == "" {
		o.Prefix = "Khabar"
	}
	if o.Shards <= 0 {
		o.Shards = 1
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.EmbedBatch <= 0 {
		o.EmbedBatch = 64
	}
	if o.Candidates <= 0 {
		o.Candidates = 200
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	o.Ranking = o.Ranking.WithDefaults()
	return o
}

// ErrUnavailable wraps every failure to reach Weaviate (down, refusing,
// too slow): the caller tells the reader to try again later.
var ErrUnavailable = errors.New("weaviate unavailable")

// Store is an index backend on Weaviate. It is safe for concurrent use.
type Store struct {
	opts     Options
	embed    retrieval.Embedder
	identity string
	client   *wv.Client
	base     string // scheme://host, for the readiness probe
	http     *http.Client

	cur    atomic.Pointer[version] // the version last resolved
	loadMu sync.Mutex              // one version load at a time
	syncMu sync.Mutex

	failures atomic.Int64
	// afterWrite, in tests, runs between writing a version and the swap.
	afterWrite func() error
}

// Open returns a store on the Weaviate at opts.URL. It does not contact
// Weaviate: a server that is down at start is reported by [Store.Ready]
// and by every call until it is up.
func Open(embed retrieval.Embedder, identity string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if !validPrefix(opts.Prefix) {
		return nil, fmt.Errorf("weaviate: prefix %q must be a capital letter then letters or digits", opts.Prefix)
	}
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("weaviate: URL %q is not http(s)://host:port", redactURL(opts.URL))
	}
	hc := opts.HTTPClient
	if hc == nil {
		// Every call bounds its own request by its context; the client's
		// limit is only a backstop, as long as the longest of those.
		hc = &http.Client{Timeout: batchTimeouts * opts.Timeout}
	}
	cfg := wv.Config{Host: u.Host, Scheme: u.Scheme, ConnectionClient: hc, Timeout: opts.Timeout}
	if opts.APIKey != "" {
		// The key goes in a header on our own client (AuthConfig would
		// contact the server now, and Open must not).
		cfg.Headers = map[string]string{"Authorization": "Bearer " + opts.APIKey}
	}
	client, err := wv.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("weaviate: client: %w", err)
	}
	return &Store{opts: opts, embed: embed, identity: identity, client: client, base: u.Scheme + "://" + u.Host, http: hc}, nil
}

func validPrefix(p string) bool {
	if p == "" || p[0] < 'A' || p[0] > 'Z' {
		return false
	}
	for _, r := range p {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// redactURL drops user info from a URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	u.User = nil
	return u.String()
}

// Failures counts the calls that failed because Weaviate could not be
// reached or answered too slowly (for the metrics).
func (s *Store) Failures() int64 { return s.failures.Load() }

// Ready reports whether Weaviate answers its readiness probe and the
// serving version (if any) can be read.
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/v1/.well-known/ready", nil)
	if err != nil {
		return err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return s.unavailable(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s.unavailable(fmt.Errorf("readiness probe answered %d", resp.StatusCode))
	}
	_, err = s.current(ctx)
	return err
}

// WaitReady polls [Store.Ready] every interval until it succeeds or ctx
// ends (a Weaviate that starts after khabar).
func (s *Store) WaitReady(ctx context.Context, every time.Duration) error {
	for {
		err := s.Ready(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(every):
		}
	}
}

// unavailable counts and wraps a transport failure; other errors (a
// rejected query, a schema problem) pass through.
func (s *Store) unavailable(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	s.failures.Add(1)
	return fmt.Errorf("%w: %s", ErrUnavailable, scrub(err.Error(), s.opts.APIKey))
}

// isTransport reports whether err is a network failure, a timeout or a
// server error (5xx), as opposed to a query Weaviate rejected.
func isTransport(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var we *fault.WeaviateClientError
	if errors.As(err, &we) {
		if we.DerivedFromError != nil {
			var inner *fault.WeaviateClientError
			if errors.As(we.DerivedFromError, &inner) {
				return isTransport(inner)
			}
			return true // the request itself failed
		}
		return we.StatusCode >= 500
	}
	return false
}

// wrap turns a client error into ErrUnavailable when it is a transport
// failure, and removes the API key from its text either way.
func (s *Store) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	if isTransport(err) {
		return s.unavailable(fmt.Errorf("%s: %w", what, err))
	}
	return fmt.Errorf("weaviate: %s: %s", what, scrub(err.Error(), s.opts.APIKey))
}

func scrub(msg, secret string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, "[redacted]")
}

// Stats describes the version last seen serving.
func (s *Store) Stats() retrieval.Stats {
	v := s.cur.Load()
	if v == nil {
		return retrieval.Stats{Identity: s.identity}
	}
	return retrieval.Stats{Identity: v.info.Identity, Articles: v.info.Articles, Chunks: v.info.Chunks, Dim: v.info.Dim, Built: v.info.Built}
}
