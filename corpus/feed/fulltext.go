package feed

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
	dropLinkClusters(art.Node)
	return cleanText(render.InnerText(art.Node))
}

// dropLinkClusters removes, under n, the blocks that are mostly links:
// menus, sidebars, lists of other stories that readability kept (a page laid
// out with tables, or a related list inside the story's container). A block
// goes when at least half of its text is link text; a paragraph with a link
// or two in its prose stays.
func dropLinkClusters(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode {
			text, links := linkDensity(c)
			if text > 0 && links*2 >= text && c.DataAtom != atom.A {
				n.RemoveChild(c)
			} else {
				dropLinkClusters(c)
			}
		}
		c = next
	}
}

// linkDensity returns the runes of text under n and how many of them are
// inside links, spaces aside.
func linkDensity(n *html.Node) (text, links int) {
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, inLink bool) {
		if n.Type == html.TextNode {
			k := 0
			for _, r := range n.Data {
				if !unicode.IsSpace(r) {
					k++
				}
			}
			text += k
			if inLink {
				links += k
			}
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			inLink = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inLink)
		}
	}
	walk(n, false)
	return text, links
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
