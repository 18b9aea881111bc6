package feed

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
)

// isSummaryOnly reports whether an item carries only a summary: no full
// content and a description shorter than minRunes.
func isSummaryOnly(it item, minRunes int) bool {
	return utf8.RuneCountInString(it.content) < minRunes && utf8.RuneCountInString(it.summary) < minRunes
}

// extractPage returns the main text of a web page (already decoded to
// UTF-8) through go-readability, boilerplate cut; "" when it finds none.
func extractPage(page []byte, pageURL string) string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return ""
	}
	u, _ := url.Parse(pageURL)
	p := readability.NewParser()
	art, err := p.ParseAndMutate(doc, u)
	if err != nil || art.Node == nil {
		return ""
	}
	return cleanText(render.InnerText(art.Node))
}

// fullText fetches an item's page and returns its main text, or "" and a
// reason when the page cannot be had or has no text longer than the
// summary.
func (p *Poller) fullText(ctx context.Context, it item) (string, string) {
	resp, err := p.fetch.get(ctx, it.link, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5", "", "", p.opts.MaxPageBytes)
	if err != nil {
		return "", "full text: " + err.Error()
	}
	if resp.notModified {
		return "", "full text: unexpected 304"
	}
	if ct := strings.ToLower(resp.contentType); ct != "" && !strings.Contains(ct, "html") {
		return "", "full text: page is " + ct
	}
	d, err := decodeHTML(resp.body, resp.contentType)
	if err != nil {
		return "", "full text: " + err.Error()
	}
	text := extractPage(d.text, resp.finalURL)
	if utf8.RuneCountInString(text) <= utf8.RuneCountInString(it.summary) {
		return "", "full text: page has no text beyond the summary"
	}
	return text, ""
}
