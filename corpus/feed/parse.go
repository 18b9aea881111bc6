package feed

import (
	"bytes"
	"errors"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Tehran on machines without a zoneinfo database

	"github.com/mmcdole/gofeed"
)

// tehran is the readers' time zone: an article's calendar date is its day
// in Tehran.
var tehran = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Tehran"); err == nil {
		return loc
	}
	return time.FixedZone("IRST", 7*1800)
}()

// parsedFeed is a feed body turned into items.
type parsedFeed struct {
	title string
	items []item
}

// item is one feed entry, its text extracted from HTML.
type item struct {
	guid      string
	link      string
	title     string
	summary   string    // the description's text
	content   string    // the full content's text (content:encoded, atom content)
	raw       [3]string // title, description and content as the feed gave them (HTML)
	published time.Time
	srcHash   string // what the feed said about it: a change means an update
}

// parseFeed parses a UTF-8 feed body (see [decodeXML]).
func parseFeed(body []byte, contentType string) (parsedFeed, error) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		if looksHTML(body, contentType) {
			return parsedFeed{}, &fetchError{status: StatusNotAFeed, reason: "an HTML page, not a feed"}
		}
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return parsedFeed{}, &fetchError{status: StatusNotAFeed, reason: "not RSS, Atom or RDF"}
		}
		return parsedFeed{}, &fetchError{status: StatusMalformed, reason: firstLine(err.Error())}
	}
	if f.FeedType == "json" {
		return parsedFeed{}, &fetchError{status: StatusNotAFeed, reason: "a JSON feed; only RSS, Atom and RDF are read"}
	}
	p := parsedFeed{title: strings.Join(strings.Fields(f.Title), " ")}
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		x := item{
			guid:    strings.TrimSpace(it.GUID),
			link:    strings.TrimSpace(it.Link),
			raw:     [3]string{it.Title, it.Description, it.Content},
			srcHash: shortHash(it.Title, it.Description, it.Content, it.Link),
		}
		if x.link == "" && len(it.Links) > 0 {
			x.link = strings.TrimSpace(it.Links[0])
		}
		switch {
		case it.PublishedParsed != nil:
			x.published = *it.PublishedParsed
		case it.UpdatedParsed != nil:
			x.published = *it.UpdatedParsed
		}
		p.items = append(p.items, x)
	}
	return p, nil
}

// extract sets the item's text fields from its raw HTML; done only for the
// items that are new or changed.
func (it *item) extract() {
	it.title = strings.Join(strings.Fields(htmlText(it.raw[0])), " ")
	it.summary = htmlText(it.raw[1])
	it.content = htmlText(it.raw[2])
}

// looksHTML reports whether a body is a web page.
func looksHTML(body []byte, contentType string) bool {
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 1024)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) ||
		(strings.HasPrefix(strings.ToLower(contentType), "text/html") && bytes.Contains(head, []byte("<body")))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// calendarDate returns t's day in Tehran, at midnight UTC: the form of
// [corpus.Article.Date].
func calendarDate(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.In(tehran).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
