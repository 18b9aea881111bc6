package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/khabar/khabar/corpus"
	"golang.org/x/sync/errgroup"
)

// Report is what one [Poller.Poll] did: one row per feed fetched, and the
// articles dropped for their age. An index syncs incrementally from it:
// add Added, replace Updated, delete Removed.
type Report struct {
	Feeds   []FeedReport
	Removed []string // IDs of articles dropped by MaxAge
}

// FeedReport is the outcome of one fetch of one feed.
type FeedReport struct {
	URL        string
	Outlet     string
	Status     string // a Status value, or "canceled"
	Error      string // the reason of a failure
	Seen       int    // items in the feed
	Duplicates int    // new items dropped as copies of a stored article
	Added      []corpus.Article
	Updated    []corpus.Article
	Problems   []Problem
}

// Added counts the new articles of all feeds.
func (r Report) Added() int {
	n := 0
	for _, f := range r.Feeds {
		n += len(f.Added)
	}
	return n
}

const (
	statusCanceled = "canceled"
	maxProblems    = 20 // kept per feed in its state
	maxFutureSkew  = time.Hour
	feedAccept     = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)

// Poll fetches every feed that is due, a few at a time, and stores what is
// new. A failing feed is reported in its row and its state, and backed off;
// it never stops the others. Poll returns an error only when ctx ends.
func (p *Poller) Poll(ctx context.Context) (Report, error) { return p.poll(ctx, false) }

// PollAll is [Poller.Poll] over every feed, due or not, backed off or gone:
// what `khabar feeds` does. Conditional GET still applies.
func (p *Poller) PollAll(ctx context.Context) (Report, error) { return p.poll(ctx, true) }

func (p *Poller) poll(ctx context.Context, all bool) (Report, error) {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()
	now := p.opts.Now()
	p.mu.Lock()
	var due []*feedEntry
	for _, f := range p.feeds {
		if all || !f.state.NextPoll.After(now) {
			due = append(due, f)
		}
	}
	p.mu.Unlock()

	rows := make([]FeedReport, len(due))
	var g errgroup.Group
	g.SetLimit(p.opts.Workers)
	for i, f := range due {
		g.Go(func() error {
			rows[i] = p.pollFeed(ctx, f)
			return nil
		})
	}
	g.Wait()
	rep := Report{Feeds: rows}

	p.mu.Lock()
	defer p.mu.Unlock()
	rep.Removed = p.pruneOld()
	for _, f := range p.feeds {
		if f.unsaved {
			if err := p.saveRecords(f); err != nil {
				p.opts.Logger.Warn("feed: save articles", "feed", f.URL, "err", err)
				continue
			}
			f.unsaved = false
		}
	}
	if p.stateDirty {
		if err := p.saveState(); err != nil {
			p.opts.Logger.Warn("feed: save state", "err", err)
		}
	}
	return rep, ctx.Err()
}

// pruneOld drops the articles published longer than MaxAge ago. p.mu must
// be held.
func (p *Poller) pruneOld() []string {
	if p.opts.MaxAge <= 0 {
		return nil
	}
	cut := p.opts.Now().Add(-p.opts.MaxAge)
	var ids []string
	for _, f := range p.feeds {
		keep := f.records[:0]
		for _, r := range f.records {
			if r.Published.Before(cut) {
				p.unindex(f, r)
				ids = append(ids, r.ID)
				f.unsaved = true
				continue
			}
			keep = append(keep, r)
		}
		clear(f.records[len(keep):])
		f.records = keep
	}
	return ids
}

// active reports whether f is still followed. p.mu must be held.
func (p *Poller) active(f *feedEntry) bool { return slices.Contains(p.feeds, f) }

// pollFeed fetches and ingests one feed.
func (p *Poller) pollFeed(ctx context.Context, f *feedEntry) FeedReport {
	p.mu.Lock()
	etag, lastMod := f.state.ETag, f.state.LastModified
	row := FeedReport{URL: f.URL, Outlet: f.outlet()}
	p.mu.Unlock()

	resp, err := p.fetch.get(ctx, f.URL, feedAccept, etag, lastMod, p.opts.MaxBodyBytes)
	if ctx.Err() != nil {
		row.Status = statusCanceled
		return row
	}
	if err == nil && resp.notModified {
		p.notModified(f, resp, StatusNotModified)
		row.Status = StatusNotModified
		return row
	}
	if err == nil {
		sum := sha256.Sum256(resp.body)
		resp.bodyHash = hex.EncodeToString(sum[:16])
		p.mu.Lock()
		same := resp.bodyHash == f.state.BodyHash
		p.mu.Unlock()
		if same { // a server without conditional GET sent what it sent last time
			p.notModified(f, resp, StatusUnchanged)
			row.Status = StatusUnchanged
			return row
		}
	}
	var parsed parsedFeed
	var note string
	if err == nil {
		var d decoded
		if d, err = decodeXML(resp.body, resp.contentType); err != nil {
			err = &fetchError{status: StatusEncoding, reason: err.Error()}
		} else {
			note = d.note
			parsed, err = parseFeed(d.text, resp.contentType)
		}
	}
	var fe *fetchError
	if errors.As(err, &fe) {
		p.failed(f, fe)
		row.Status, row.Error = fe.status, fe.reason
		return row
	}
	if err != nil { // not produced today; kept as a failure all the same
		fe = &fetchError{status: StatusNetwork, reason: err.Error()}
		p.failed(f, fe)
		row.Status, row.Error = fe.status, fe.reason
		return row
	}
	return p.ingest(ctx, f, parsed, resp, note, row)
}

// notModified records a 304, or a body the same as last time (status
// unchanged): no parse, and no write unless the feed recovers from failures
// or changes its validators.
func (p *Poller) notModified(f *feedEntry, resp response, status string) {
	now := p.opts.Now()
	p.mu.Lock()
	st := &f.state
	// ok → not_modified alone is not worth a write: both are successes.
	if st.Failures != 0 || st.Gone ||
		(resp.etag != "" && resp.etag != st.ETag) || (resp.lastModified != "" && resp.lastModified != st.LastModified) {
		p.stateDirty = true
	}
	st.LastFetch, st.LastSuccess = now, now
	st.LastStatus, st.LastError = status, ""
	st.Failures, st.Gone = 0, false
	if resp.etag != "" {
		st.ETag = resp.etag
	}
	if resp.lastModified != "" {
		st.LastModified = resp.lastModified
	}
	st.NextPoll = now.Add(jittered(p.opts.Interval))
	p.mu.Unlock()
	if o := p.opts.Observer; o != nil {
		o.FetchDone(f.URL, status)
		o.LastSuccess(f.URL, now)
	}
}

// failed records a failed fetch and schedules the next one: a gone feed
// rarely, a rate-limited or unavailable one after its Retry-After, others
// after a capped exponential backoff.
func (p *Poller) failed(f *feedEntry, fe *fetchError) {
	now := p.opts.Now()
	p.mu.Lock()
	st := &f.state
	st.LastFetch = now
	st.LastStatus, st.LastError = fe.status, fe.reason
	st.Failures++
	delay := p.backoff(st.Failures)
	switch {
	case fe.status == StatusGone:
		st.Gone = true
		delay = p.opts.GoneRetry
	case fe.retryAfter > 0:
		delay = max(fe.retryAfter, time.Second)
	}
	st.NextPoll = now.Add(delay)
	p.stateDirty = true
	failures := st.Failures
	p.mu.Unlock()
	p.opts.Logger.Warn("feed: fetch failed", "feed", f.URL, "status", fe.status, "reason", fe.reason,
		"failures", failures, "next_poll", now.Add(delay).Format(time.RFC3339))
	if o := p.opts.Observer; o != nil {
		o.FetchDone(f.URL, fe.status)
	}
}

// candidate is an item that is new or changed.
type candidate struct {
	it        item
	canonical string
	text      string
	fullText  bool
}

// ingest stores the new and changed items of a parsed feed.
func (p *Poller) ingest(ctx context.Context, f *feedEntry, parsed parsedFeed, resp response, note string, row FeedReport) FeedReport {
	now := p.opts.Now()
	var probs []Problem
	problem := func(it item, reason string, skipped bool) {
		key := it.link
		if key == "" {
			key = it.guid
		}
		if key == "" {
			key = it.title
		}
		probs = append(probs, Problem{Feed: f.URL, Item: key, Reason: reason, Skipped: skipped})
	}
	if note != "" {
		probs = append(probs, Problem{Feed: f.URL, Reason: note})
	}
	if len(parsed.items) == 0 {
		probs = append(probs, Problem{Feed: f.URL, Reason: "the feed has no items; stored articles kept"})
	}

	// Which items are new or changed: a lookup under the lock.
	var cands []candidate
	p.mu.Lock()
	if parsed.title != "" {
		f.state.Title = parsed.title
	}
	base := resp.finalURL
	if base == "" {
		base = f.URL
	}
	for _, it := range parsed.items {
		it.link = resolveLink(base, it.link)
		c := candidate{it: it, canonical: canonicalURL(it.link)}
		if ex := p.lookup(f, it.guid, c.canonical); ex != nil && (ex.Feed != f.URL || ex.SrcHash == it.srcHash) {
			// Unchanged, or another feed's article (the same page in two
			// feeds): only the feed an article came from updates it.
			if ex.Feed != f.URL && ex.Added.After(f.state.LastSuccess) {
				row.Duplicates++
			}
			continue
		}
		if p.opts.MaxAge > 0 && !it.published.IsZero() && it.published.Before(now.Add(-p.opts.MaxAge)) {
			continue
		}
		c.it.extract()
		cands = append(cands, c)
	}
	p.mu.Unlock()

	// The pages of summary-only items, outside the lock.
	for i := range cands {
		c := &cands[i]
		c.text = c.it.content
		if runeLen(c.it.summary) > runeLen(c.text) {
			c.text = c.it.summary
		}
		if p.opts.NoFullText || c.canonical == "" || !isSummaryOnly(c.it, p.opts.SummaryRunes) {
			continue
		}
		if ctx.Err() != nil {
			row.Status = statusCanceled
			return row
		}
		if text, why := p.fullText(ctx, c.it); text != "" {
			c.text, c.fullText = text, true
		} else {
			problem(c.it, why+"; the summary kept", false)
		}
	}

	p.mu.Lock()
	if !p.active(f) {
		p.mu.Unlock()
		row.Status = statusCanceled
		return row
	}
	outlet := f.outlet()
	row.Outlet = outlet
	for _, c := range cands {
		it := c.it
		text := c.text
		if text == "" {
			text = it.title
		}
		if text == "" {
			problem(it, "no text", true)
			continue
		}
		if it.title == "" {
			it.title = titleFrom(text)
		}
		if looksMojibake([]byte(it.title + "\n" + text)) {
			problem(it, "mojibake text", true)
			continue
		}
		hash := contentHash(it.title, text)
		published, noDate := it.published.UTC(), false
		if it.published.IsZero() {
			published, noDate = now.UTC(), true
		}
		future := published.After(now.Add(maxFutureSkew))
		if future { // a wrong time zone, or a scheduled post: never dated ahead of the news
			published = now.UTC()
		}
		if ex := p.lookup(f, it.guid, c.canonical); ex != nil && ex.Feed != f.URL {
			row.Duplicates++ // stored meanwhile from another feed
			continue
		} else if ex != nil { // an update
			owner := f
			if ex.Hash != hash {
				p.unindex(owner, ex)
				ex.Title, ex.Text, ex.Hash, ex.FullText = it.title, text, hash, c.fullText
				ex.URL = it.link
				if c.canonical != "" {
					ex.Canonical = c.canonical
				}
				if !noDate {
					ex.Published, ex.NoDate = published, false
					ex.Date = published.In(tehran).Format(time.RFC3339)
				}
				ex.Updated = now.UTC()
				p.index(owner, ex)
				row.Updated = append(row.Updated, ex.article(owner.file, slices.Index(owner.records, ex)+1))
			}
			ex.SrcHash = it.srcHash
			owner.unsaved = true
			continue
		}
		if p.byHash[hashKey(outlet, hash)] != nil {
			row.Duplicates++
			continue
		}
		if noDate {
			problem(it, "no date; the fetch time used", false)
		}
		if future {
			problem(it, "dated in the future ("+it.published.Format(time.RFC3339)+"); the fetch time used", false)
		}
		if it.link == "" {
			problem(it, "no link", false)
		}
		r := &record{
			ID:        articleID(f, it, c.canonical, hash),
			Title:     it.title,
			Text:      text,
			Source:    outlet,
			Date:      published.In(tehran).Format(time.RFC3339),
			URL:       it.link,
			Feed:      f.URL,
			GUID:      it.guid,
			Canonical: c.canonical,
			Hash:      hash,
			SrcHash:   it.srcHash,
			Published: published,
			Added:     now.UTC(),
			NoDate:    noDate,
			FullText:  c.fullText,
		}
		f.records = append(f.records, r)
		p.index(f, r)
		f.unsaved = true
		row.Added = append(row.Added, r.article(f.file, len(f.records)))
	}
	if f.unsaved {
		if err := p.saveRecords(f); err != nil {
			probs = append(probs, Problem{Feed: f.URL, Reason: "articles kept in memory, not yet stored: " + err.Error()})
			p.opts.Logger.Warn("feed: save articles", "feed", f.URL, "err", err)
		} else {
			f.unsaved = false
		}
	}
	st := &f.state
	if !f.unsaved { // else keep the old validators: a restart must fetch these items again
		st.ETag, st.LastModified, st.BodyHash = resp.etag, resp.lastModified, resp.bodyHash
	}
	st.LastFetch, st.LastSuccess = now, now
	st.LastStatus, st.LastError = StatusOK, ""
	st.Failures, st.Gone = 0, false
	st.ItemsSeen = len(parsed.items)
	st.ArticlesAdded += len(row.Added)
	st.NextPoll = now.Add(jittered(p.opts.Interval))
	st.Problems = nil
	for _, pr := range probs[:min(len(probs), maxProblems)] {
		st.Problems = append(st.Problems, problemLine(pr))
	}
	p.stateDirty = true
	p.mu.Unlock()

	row.Status, row.Seen, row.Problems = StatusOK, len(parsed.items), probs
	for _, pr := range probs {
		p.opts.Logger.Info("feed: item problem", "feed", f.URL, "item", pr.Item, "reason", pr.Reason, "skipped", pr.Skipped)
	}
	if o := p.opts.Observer; o != nil {
		o.FetchDone(f.URL, StatusOK)
		if len(row.Added) > 0 {
			o.ItemsAdded(f.URL, len(row.Added))
		}
		o.LastSuccess(f.URL, now)
	}
	return row
}

// problemLine renders an item problem for a feed's state.
func problemLine(pr Problem) string {
	if pr.Item == "" {
		return pr.Reason
	}
	return pr.Item + ": " + pr.Reason
}

// articleID is stable per item: the feed's host and a hash of the item's
// guid, else its canonical link, else its content.
func articleID(f *feedEntry, it item, canonical, hash string) string {
	identity := "h:" + hash
	switch {
	case it.guid != "":
		identity = "g:" + it.guid
	case canonical != "":
		identity = "u:" + canonical
	}
	return fmt.Sprintf("feed:%s:%s", strings.TrimPrefix(hostOf(f.URL), "www."), shortHash(identity))
}

// resolveLink makes an item link absolute against the feed's URL and keeps
// it only when it is http(s): a javascript: or mailto: link is no article
// link.
func resolveLink(base, link string) string {
	if link == "" {
		return ""
	}
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	u, err := b.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}
