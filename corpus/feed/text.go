package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText returns the readable text of an HTML fragment (an item's
// description or content): tags dropped, entities decoded, block elements
// on their own lines, scripts and styles removed. Plain text passes through
// with its entities decoded.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return cleanText(s)
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return cleanText(html.UnescapeString(s))
	}
	var b strings.Builder
	for _, n := range nodes {
		writeText(&b, n)
	}
	return cleanText(b.String())
}

// writeText appends the text under n to b, a newline around each block.
func writeText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(n.Data)
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Noscript, atom.Iframe, atom.Template:
			return
		case atom.Br:
			b.WriteByte('\n')
			return
		}
	}
	block := n.Type == html.ElementNode && isBlock(n.DataAtom)
	if block {
		b.WriteByte('\n')
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeText(b, c)
	}
	if block {
		b.WriteByte('\n')
	}
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Blockquote, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Table, atom.Tr,
		atom.Figure, atom.Figcaption, atom.Pre, atom.Hr, atom.Dl, atom.Dt, atom.Dd, atom.Aside, atom.Nav:
		return true
	}
	return false
}

// textSteps turn extracted text into article text, in order.
var textSteps = []func(string) string{normalizeSpaces, cutBoilerplate, dropEmptyLines}

// cleanText runs textSteps.
func cleanText(s string) string {
	for _, step := range textSteps {
		s = step(s)
	}
	return s
}

// normalizeSpaces turns \r\n into \n, collapses runs of spaces and tabs
// (keeping ZWNJ, which Persian words need) and trims every line.
func normalizeSpaces(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space, lineStart := false, true
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteByte('\n')
			space, lineStart = false, true
		case r == '\r':
		case unicode.IsSpace(r):
			space = !lineStart
		default:
			if space {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space, lineStart = false, false
		}
	}
	return b.String()
}

// boilerplateHeads are the headings after which a Persian news page has no
// more story: related news, tags, comments, share boxes. A line that is one
// of them (punctuation aside) ends the text.
var boilerplateHeads = []string{
	"اخبار مرتبط", "خبرهای مرتبط", "مطالب مرتبط", "مطالب پیشنهادی", "پیشنهاد سردبیر", "بیشتر بخوانید",
	"نظرات", "نظر شما", "ارسال نظر", "دیدگاه‌ها", "دیدگاه ها", "دیدگاه شما", "برچسب‌ها", "برچسب ها",
	"کلمات کلیدی", "پربازدیدترین", "پربازدیدترین‌ها", "آخرین اخبار", "اشتراک گذاری", "اشتراک‌گذاری",
	"related news", "comments", "tags",
}

// cutBoilerplate drops everything from the first boilerplate heading line
// on, when some story precedes it.
func cutBoilerplate(s string) string {
	lines := strings.Split(s, "\n")
	body := 0
	for i, l := range lines {
		key := strings.ToLower(strings.Trim(l, " :：«»-–—|•*#"))
		if body > 0 && slices.Contains(boilerplateHeads, key) {
			return strings.Join(lines[:i], "\n")
		}
		body += len(l)
	}
	return s
}

// dropEmptyLines removes blank lines at the ends and collapses inner runs
// of them into one.
func dropEmptyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

// trackingParams are query parameters that say who sent the reader, not
// which page they read.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "yclid": true, "mc_cid": true,
	"mc_eid": true, "igshid": true, "_ga": true, "ref_src": true, "cmpid": true,
	"s_cid": true, "ocid": true, "at_medium": true, "at_campaign": true,
}

// canonicalURL returns the identity of an article link: scheme and host in
// lower case, the default port, the fragment and the tracking parameters
// (utm_*, fbclid, gclid…) dropped, the remaining query sorted. It returns
// "" for a link that is not an absolute http(s) URL.
func canonicalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	u.Host = strings.ToLower(u.Host)
	u.Host = strings.TrimSuffix(u.Host, map[string]string{"http": ":80", "https": ":443"}[u.Scheme])
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if lk := strings.ToLower(k); strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode() // sorted by key
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

// contentHash identifies an article's text: its letters and digits, in
// lower case, spacing and punctuation aside, so that a re-encoded or
// re-spaced copy hashes the same.
func contentHash(title, text string) string {
	h := sha256.New()
	var buf [4]byte
	for _, s := range []string{title, "\x00", text} {
		for _, r := range strings.ToLower(s) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == 0 {
				n := utf8.EncodeRune(buf[:], r)
				h.Write(buf[:n])
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func shortHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// maxTitleRunes bounds a title derived from the text.
const maxTitleRunes = 90

// titleFrom derives a title from an untitled item's text: its first
// sentence, shortened on a word boundary with "…".
func titleFrom(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if i := strings.IndexAny(line, ".؟?!"); i > 0 {
		line = line[:i]
	}
	if utf8.RuneCountInString(line) <= maxTitleRunes {
		return line
	}
	cut := string([]rune(line)[:maxTitleRunes])
	if i := strings.LastIndex(cut, " "); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…"
}
