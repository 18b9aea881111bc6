package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/khabar/khabar/corpus"
	"github.com/khabar/khabar/corpus/jsonfile"
)

// Observer receives what metrics need; the Prometheus side lives with the
// wiring. Its methods are called from the polling goroutines and must be
// safe for concurrent use. feed is the feed's URL.
type Observer interface {
	FetchDone(feed, status string)        // once per fetch, status one of the Status values
	ItemsAdded(feed string, n int)        // new articles of one fetch (n > 0)
	LastSuccess(feed string, t time.Time) // a fetch that ended ok, not_modified or unchanged
}

// Options tunes a [Poller]. Zero values mean the defaults.
type Options struct {
	Interval       time.Duration // between polls of a healthy feed; default 10 min, ±10% jitter
	RequestTimeout time.Duration // one HTTP request, body included; default 30 s
	MaxBodyBytes   int64         // a feed body; default 5 MiB
	MaxPageBytes   int64         // an article page; default 5 MiB
	MaxRedirects   int           // default 3
	HostInterval   time.Duration // between two requests to one host; default 1 s; negative: no limit
	MaxBackoff     time.Duration // cap of a failing feed's backoff; default 6 h
	GoneRetry      time.Duration // poll a gone (404/410) feed this often; default 24 h
	MaxAge         time.Duration // drop articles published longer ago; 0 keeps all
	SummaryRunes   int           // an item whose description and content are shorter is summary-only; default 400
	NoFullText     bool          // never fetch article pages
	Workers        int           // feeds fetched at once; default 4
	UserAgent      string        // default [DefaultUserAgent]
	// Client replaces the default client: one with the redirect limit that
	// refuses internal addresses. A given client keeps its own rules.
	Client *http.Client
	// AllowInternal lets the default client reach loopback, private and
	// link-local addresses (tests, an intranet feed, an HTTP proxy from the
	// environment on such an address). By default they are refused: a
	// feed's item links are third-party input.
	AllowInternal bool
	Observer      Observer         // nil: none
	Logger        *slog.Logger     // nil: discard
	Now           func() time.Time // default time.Now
	// Store, when set, keeps the registry, the states and the articles
	// instead of the folder given to [New] (a shared store: several
	// replicas, one of them polling).
	Store Store
	// OnPoll, when set, receives the report of every pass [Poller.Run]
	// makes, so that the index adds, replaces and deletes what changed.
	OnPoll func(Report)
}

// DefaultUserAgent names khabar to the feeds it polls.
const DefaultUserAgent = "khabar/1.0 (Persian news bot; feed reader)"

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Interval, 10*time.Minute)
	def(&o.RequestTimeout, 30*time.Second)
	def(&o.MaxBackoff, 6*time.Hour)
	def(&o.GoneRetry, 24*time.Hour)
	if o.HostInterval == 0 {
		o.HostInterval = time.Second
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 5 << 20
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = 5 << 20
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 3
	}
	if o.SummaryRunes <= 0 {
		o.SummaryRunes = 400
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Client == nil {
		o.Client = newHTTPClient(o.MaxRedirects, o.AllowInternal)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// State is what is known of one feed, persisted across restarts.
type State struct {
	Title         string    `json:"title,omitempty"` // the feed's own title
	LastFetch     time.Time `json:"last_fetch,omitzero"`
	LastSuccess   time.Time `json:"last_success,omitzero"`
	LastStatus    string    `json:"last_status,omitempty"` // a Status value; "" before the first fetch
	LastError     string    `json:"last_error,omitempty"`  // the reason of the last failure
	ItemsSeen     int       `json:"items_seen"`            // items in the last parsed fetch
	ArticlesAdded int       `json:"articles_added"`        // new articles, all fetches together
	NextPoll      time.Time `json:"next_poll,omitzero"`
	ETag          string    `json:"etag,omitempty"`
	LastModified  string    `json:"last_modified,omitempty"`
	BodyHash      string    `json:"body_hash,omitempty"` // of the last body ingested: the same body again is not parsed
	Failures      int       `json:"failures"`            // consecutive failed fetches
	Gone          bool      `json:"gone,omitempty"`
	Problems      []string  `json:"problems,omitempty"` // items skipped or repaired in the last parsed fetch
}

// FeedStatus is one row of [Poller.List]: what /feeds shows.
type FeedStatus struct {
	Number   int    // 1-based, as /feeds remove takes it
	URL      string // the feed
	Name     string // the configured name, or ""
	Outlet   string // the name, else the feed's title, else its host
	Origin   string // "config" (FEEDS) or "admin" (/feeds add)
	Articles int    // articles stored now
	State
}

// Problem is an item skipped or repaired, a bad stored line, or a failing
// feed.
type Problem struct {
	Feed    string // the feed URL (or the stored file)
	Item    string // the item's link or guid, "" for the whole feed
	Reason  string
	Skipped bool // the item was dropped; false: kept with a repair, or a feed fault
}

// String formats p as "feed: item: reason".
func (p Problem) String() string {
	if p.Item != "" {
		return p.Feed + ": " + p.Item + ": " + p.Reason
	}
	return p.Feed + ": " + p.Reason
}

// Sentinel errors of the feed list.
var (
	ErrDuplicate = errors.New("feed already listed")
	ErrNotFound  = errors.New("no such feed")
)

// feedEntry is one followed feed.
type feedEntry struct {
	Spec
	origin  string
	added   time.Time
	state   State
	records []*record
	file    string // base name of its .jsonl
	unsaved bool   // records changed and not yet written (a write failed)
}

func (f *feedEntry) outlet() string {
	switch {
	case f.Name != "":
		return f.Name
	case f.state.Title != "":
		return f.state.Title
	}
	return hostOf(f.URL)
}

// Poller follows a list of feeds: it polls them, keeps their articles in
// memory and on disk, and reports on them. Its methods are safe for
// concurrent use.
type Poller struct {
	dir   string // the file store's folder; "" with [Options.Store]
	store Store
	opts  Options
	fetch *fetcher

	pollMu sync.Mutex // one Poll at a time
	wake   chan struct{}

	mu         sync.Mutex
	config     []Spec
	feeds      []*feedEntry // config order, then admin order
	removed    []string     // configured feeds an admin removed
	byGUID     map[string]*record
	byURL      map[string]*record
	byHash     map[string]*record
	loadProbs  []Problem
	stateDirty bool
}

// New returns a Poller over the configured feeds and those an admin added,
// reading the state and articles stored in dir (created if missing), or in
// opts.Store when set (dir is then unused). It does no network I/O.
func New(dir string, configured []Spec, opts Options) (*Poller, error) {
	opts = opts.withDefaults()
	store := opts.Store
	if store == nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("feeds dir: %w", err)
		}
		store = NewFileStore(dir, opts.Logger)
	} else {
		dir = ""
	}
	p := &Poller{
		dir:    dir,
		store:  store,
		opts:   opts,
		fetch:  newFetcher(opts.Client, opts.UserAgent, opts.RequestTimeout, opts.HostInterval),
		wake:   make(chan struct{}, 1),
		config: configured,
	}
	ctx, cancel := p.storeContext()
	defer cancel()
	reg, err := store.Registry(ctx)
	if err != nil {
		return nil, fmt.Errorf("feeds registry: %w", err)
	}
	p.removed = reg.Removed
	seen := make(map[string]bool)
	for _, s := range configured {
		if seen[s.URL] || slices.Contains(reg.Removed, s.URL) {
			continue
		}
		seen[s.URL] = true
		p.feeds = append(p.feeds, &feedEntry{Spec: s, origin: "config"})
	}
	for _, a := range reg.Added {
		if seen[a.URL] {
			continue
		}
		seen[a.URL] = true
		p.feeds = append(p.feeds, &feedEntry{Spec: Spec{URL: a.URL, Name: a.Name}, origin: "admin", added: a.Added})
	}
	for _, f := range p.feeds {
		f.file = FileName(f.URL)
	}
	p.loadProbs = p.loadStored(ctx)
	if p.dir != "" {
		p.reportOrphans()
	}
	return p, nil
}

// storeTimeout bounds the store's work of one call.
const storeTimeout = 30 * time.Second

// storeContext is the context of a store call made outside a caller's
// context (Add, Remove, the state flushed after Run).
func (p *Poller) storeContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), storeTimeout)
}

// loadStored reads every followed feed's state and articles from the
// store, replacing those in memory, and returns the problems met. p.mu
// must be held, or p not shared yet.
func (p *Poller) loadStored(ctx context.Context) []Problem {
	var loadProbs []Problem
	states, err := p.store.States(ctx)
	if err != nil {
		// A damaged state costs a refetch, not the feeds: report and go on.
		loadProbs = append(loadProbs, Problem{Feed: stateName, Reason: "unreadable state, starting afresh: " + err.Error()})
		states = map[string]State{}
	}
	p.byGUID = make(map[string]*record)
	p.byURL = make(map[string]*record)
	p.byHash = make(map[string]*record)
	for _, f := range p.feeds {
		f.state = states[f.URL]
		f.records, f.unsaved = nil, false
		data, err := p.store.Articles(ctx, f.URL)
		if err != nil { // one feed's file never stops the others
			loadProbs = append(loadProbs, Problem{Feed: f.file, Reason: "unreadable articles file: " + err.Error(), Skipped: true})
		}
		recs, probs := decodeRecords(data, f.file)
		loadProbs = append(loadProbs, probs...)
		for _, r := range recs {
			if p.lookup(f, r.GUID, r.Canonical) != nil {
				continue
			}
			f.records = append(f.records, r)
			p.index(f, r)
		}
	}
	p.stateDirty = false
	return loadProbs
}

// Refresh reads every followed feed's state and articles from the store
// again, dropping those in memory: a replica that does not poll (another
// one does, into a shared store) brings its list, its digests' articles
// and its /feeds in line, and one about to poll starts from where the
// last poller stopped. It waits for a pass in progress.
func (p *Poller) Refresh(ctx context.Context) error {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	probs := p.loadStored(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	p.loadProbs = probs
	return nil
}

// reportOrphans reports the .jsonl files of dir that belong to no followed
// feed (a feed dropped from FEEDS): kept on disk, not served.
func (p *Poller) reportOrphans() {
	files, _ := filepath.Glob(filepath.Join(p.dir, "*.jsonl"))
	for _, path := range files {
		name := filepath.Base(path)
		if !slices.ContainsFunc(p.feeds, func(f *feedEntry) bool { return f.file == name }) {
			p.loadProbs = append(p.loadProbs, Problem{Feed: name, Reason: "articles of a feed no longer followed: kept on disk, not served"})
		}
	}
}

// hostOf returns the lower-case host of a URL, or "" for a bad one.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// guidKey scopes a guid to its feed's host: guids are unique per publisher
// only.
func guidKey(f *feedEntry, guid string) string { return hostOf(f.URL) + "\x00" + guid }

// hashKey scopes a content hash to an outlet: the same story from two
// outlets stays two articles.
func hashKey(outlet, hash string) string { return outlet + "\x00" + hash }

// lookup finds the stored article of an item, by guid, then canonical URL.
// p.mu must be held.
func (p *Poller) lookup(f *feedEntry, guid, canonical string) *record {
	if guid != "" {
		if r := p.byGUID[guidKey(f, guid)]; r != nil {
			return r
		}
	}
	if canonical != "" {
		return p.byURL[canonical]
	}
	return nil
}

// index adds r to the dedupe maps. p.mu must be held.
func (p *Poller) index(f *feedEntry, r *record) {
	if r.GUID != "" {
		p.byGUID[guidKey(f, r.GUID)] = r
	}
	if r.Canonical != "" {
		p.byURL[r.Canonical] = r
	}
	p.byHash[hashKey(r.Source, r.Hash)] = r
}

// unindex removes r from the dedupe maps. p.mu must be held.
func (p *Poller) unindex(f *feedEntry, r *record) {
	if r.GUID != "" && p.byGUID[guidKey(f, r.GUID)] == r {
		delete(p.byGUID, guidKey(f, r.GUID))
	}
	if r.Canonical != "" && p.byURL[r.Canonical] == r {
		delete(p.byURL, r.Canonical)
	}
	if k := hashKey(r.Source, r.Hash); p.byHash[k] == r {
		delete(p.byHash, k)
	}
}

// saveState writes every feed's state. p.mu must be held.
func (p *Poller) saveState() error {
	states := make(map[string]State, len(p.feeds))
	for _, f := range p.feeds {
		states[f.URL] = f.state
	}
	ctx, cancel := p.storeContext()
	defer cancel()
	if err := p.store.SaveStates(ctx, states); err != nil {
		return err
	}
	p.stateDirty = false
	return nil
}

// saveRecords writes a feed's articles. p.mu must be held.
func (p *Poller) saveRecords(f *feedEntry) error {
	data, err := jsonfile.EncodeLines(f.records)
	if err != nil {
		return err
	}
	ctx, cancel := p.storeContext()
	defer cancel()
	return p.store.SaveArticles(ctx, f.URL, data)
}

// Add starts following the feed at rawURL under an optional outlet name,
// persistently; it is polled at the next pass. A feed already followed is
// [ErrDuplicate]; a bad URL wraps [ErrBadURL].
func (p *Poller) Add(rawURL, name string) (FeedStatus, error) {
	u, err := ValidateURL(rawURL)
	if err != nil {
		return FeedStatus{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.feeds {
		if f.URL == u {
			return FeedStatus{}, fmt.Errorf("%s: %w", u, ErrDuplicate)
		}
	}
	f := &feedEntry{Spec: Spec{URL: u, Name: strings.Join(strings.Fields(name), " ")}, origin: "admin", added: p.opts.Now(), file: FileName(u)}
	if i := slices.Index(p.removed, u); i >= 0 { // a configured feed back
		p.removed = slices.Delete(p.removed, i, i+1)
		f.origin = "config"
	}
	ctx, cancel := p.storeContext()
	defer cancel()
	// A shared store may hold it already: another replica added it.
	if err := p.store.Add(ctx, u, f.Name, f.added); err != nil && !errors.Is(err, ErrDuplicate) {
		if f.origin == "config" {
			p.removed = append(p.removed, u)
		}
		return FeedStatus{}, fmt.Errorf("add feed: %w", err)
	}
	p.feeds = append(p.feeds, f)
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return p.status(len(p.feeds)-1, f), nil
}

// Remove stops following a feed, given by its URL or its [FeedStatus.Number],
// and drops its articles (from memory and disk); it returns the feed as it
// was. A configured feed stays removed across restarts until added again.
func (p *Poller) Remove(key string) (FeedStatus, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var err error
	i := -1
	if n, err := strconv.Atoi(strings.TrimSpace(key)); err == nil {
		if n >= 1 && n <= len(p.feeds) {
			i = n - 1
		}
	} else if u, err := ValidateURL(key); err == nil {
		i = slices.IndexFunc(p.feeds, func(f *feedEntry) bool { return f.URL == u })
	}
	if i < 0 {
		return FeedStatus{}, fmt.Errorf("%q: %w", key, ErrNotFound)
	}
	f := p.feeds[i]
	st := p.status(i, f)
	p.feeds = slices.Delete(p.feeds, i, i+1)
	if f.origin == "config" {
		p.removed = append(p.removed, f.URL)
	}
	ctx, cancel := p.storeContext()
	defer cancel()
	if f.origin == "config" {
		err = p.store.RemoveConfigured(ctx, f.URL)
	} else {
		_, err = p.store.RemoveAdded(ctx, f.URL) // false: another replica removed it
	}
	if err != nil {
		p.feeds = slices.Insert(p.feeds, i, f)
		if f.origin == "config" {
			p.removed = p.removed[:len(p.removed)-1]
		}
		return FeedStatus{}, fmt.Errorf("remove feed: %w", err)
	}
	for _, r := range f.records {
		p.unindex(f, r)
	}
	p.stateDirty = true
	return st, nil
}

// List returns every followed feed, numbered, in order.
func (p *Poller) List() []FeedStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]FeedStatus, len(p.feeds))
	for i, f := range p.feeds {
		out[i] = p.status(i, f)
	}
	return out
}

// status renders one feed. p.mu must be held.
func (p *Poller) status(i int, f *feedEntry) FeedStatus {
	st := f.state
	st.Problems = slices.Clone(st.Problems)
	return FeedStatus{Number: i + 1, URL: f.URL, Name: f.Name, Outlet: f.outlet(), Origin: f.origin, Articles: len(f.records), State: st}
}

// Articles returns every stored article, feed by feed in list order and in
// order of arrival within a feed, with the problems of loading the store
// and of each feed's last fetch. It satisfies the shape of a
// corpus.Source.
func (p *Poller) Articles(ctx context.Context) ([]corpus.Article, []Problem, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var arts []corpus.Article
	probs := slices.Clone(p.loadProbs)
	for _, f := range p.feeds {
		for i, r := range f.records {
			arts = append(arts, r.article(f.file, i+1))
		}
		if f.state.LastError != "" {
			probs = append(probs, Problem{Feed: f.URL, Reason: f.state.LastStatus + ": " + f.state.LastError})
		}
		for _, s := range f.state.Problems {
			probs = append(probs, Problem{Feed: f.URL, Reason: s})
		}
	}
	return arts, probs, nil
}

// Since returns the articles that arrived (or were updated) after t, oldest
// first: what a digest sends.
func (p *Poller) Since(t time.Time) []corpus.Article {
	p.mu.Lock()
	defer p.mu.Unlock()
	type dated struct {
		at time.Time
		a  corpus.Article
	}
	var ds []dated
	for _, f := range p.feeds {
		for i, r := range f.records {
			at := r.Added
			if r.Updated.After(at) {
				at = r.Updated
			}
			if at.After(t) {
				ds = append(ds, dated{at, r.article(f.file, i+1)})
			}
		}
	}
	slices.SortStableFunc(ds, func(a, b dated) int { return a.at.Compare(b.at) })
	out := make([]corpus.Article, len(ds))
	for i, d := range ds {
		out[i] = d.a
	}
	return out
}

// article converts a stored record.
func (r *record) article(file string, line int) corpus.Article {
	return corpus.Article{
		ID:     r.ID,
		Title:  r.Title,
		Text:   r.Text,
		Source: r.Source,
		Date:   calendarDate(r.Published),
		URL:    r.URL,
		Path:   file,
		Line:   line,
	}
}

// Flush writes the feeds' state now (a pass that only met 304s leaves it
// in memory).
func (p *Poller) Flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.saveState()
}

// Run polls the due feeds until ctx is done: a pass, then a sleep until the
// next feed is due (at most interval; default [Options.Interval]), or
// until [Poller.Add] adds one. It flushes the state before returning.
func (p *Poller) Run(ctx context.Context, interval time.Duration) error {
	if interval > 0 {
		p.mu.Lock()
		p.opts.Interval = interval
		p.mu.Unlock()
	}
	defer func() {
		if err := p.Flush(); err != nil {
			p.opts.Logger.Warn("feed: save state", "err", err)
		}
	}()
	for {
		rep, err := p.Poll(ctx)
		if p.opts.OnPoll != nil && len(rep.Feeds)+len(rep.Removed) > 0 {
			p.opts.OnPoll(rep) // a pass cut short by ctx may have stored articles too
		}
		if err != nil {
			return nil // ctx is done: Poll fails for nothing else
		}
		wait := p.untilNext()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-p.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// untilNext returns how long until the next feed is due, within [1 s,
// interval].
func (p *Poller) untilNext() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.opts.Now()
	wait := p.opts.Interval
	for _, f := range p.feeds {
		wait = min(wait, f.state.NextPoll.Sub(now))
	}
	return max(wait, time.Second)
}

// jittered returns d ±10%.
func jittered(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// backoff is the wait after the n-th consecutive failure: the interval,
// doubled per further failure, capped.
func (p *Poller) backoff(n int) time.Duration {
	d := p.opts.Interval
	for i := 1; i < n && d < p.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.opts.MaxBackoff)
}

// runeLen is a shorthand.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
