package bot

import (
	"net/url"
	"strings"

	"github.com/khabar/khabar/answer"
	"github.com/khabar/khabar/chat"
	"github.com/khabar/khabar/persian"
)

// rlm is the RIGHT-TO-LEFT MARK that starts every message, so that a reply
// beginning with a Latin word or a number still reads right to left.
const rlm = "\u200f"

// separator joins the parts of a source line.
const separator = " — "

// Long source lists are folded into an expandable blockquote.
const (
	foldSources     = 3
	foldSourceUTF16 = 600
)

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// escape makes s safe as text or as a double-quoted attribute value in
// Telegram's HTML parse mode: invalid UTF-8 is dropped and & < > " become
// the four named entities Telegram knows.
func escape(s string) string {
	return htmlEscaper.Replace(strings.ToValidUTF8(s, ""))
}

// utf16Len is the length of s in UTF-16 code units, Telegram's unit.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// linkable reports whether u is an absolute http(s) URL Telegram accepts
// in a link.
func linkable(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" && !strings.ContainsAny(u, " \n\t")
}

// replyHTML renders a chat's reply in Telegram's HTML.
func replyHTML(r chat.Reply) string { return blocksHTML(r.Blocks) }

// answerHTML renders an answer's blocks: the body with its citation
// markers, the period, the note in italics, then the cited sources with
// linked titles. The console shows the same blocks as plain text.
func answerHTML(a answer.Answer) string { return blocksHTML(a.Blocks()) }

// blocksHTML renders blocks in Telegram's HTML, as [answer.PlainText]
// renders them in plain text: the same visible text, blank lines between
// blocks, with headings in bold, remarks in italics and titles linked.
func blocksHTML(blocks []answer.Block) string {
	parts := make([]string, len(blocks))
	for i, bl := range blocks {
		switch bl.Kind {
		case answer.BlockHeading:
			parts[i] = "<b>" + escape(bl.Text) + "</b>"
		case answer.BlockNote:
			parts[i] = "<i>" + escape(bl.Text) + "</i>"
		case answer.BlockStory:
			parts[i] = escape(answer.StoryBullet + bl.Text)
			if r := bl.ReportedBy(); r != "" {
				parts[i] += "\n<i>" + escape(r) + "</i>"
			}
		case answer.BlockSources:
			parts[i] = sourcesHTML(bl.Sources)
		case answer.BlockPassage:
			parts[i] = passageHTML(bl)
		case answer.BlockRelated:
			parts[i] = relatedHTML(bl.Sources)
		default:
			parts[i] = escape(bl.Text)
		}
	}
	return strings.Join(parts, "\n\n")
}

// sourcesHTML renders the heading and one line per source; a long list is
// folded into an expandable blockquote.
func sourcesHTML(srcs []answer.Source) string {
	lines := make([]string, len(srcs))
	size := 0
	for i, s := range srcs {
		lines[i] = sourceLineHTML(s)
		size += utf16Len(s.Line())
	}
	body := strings.Join(lines, "\n")
	if len(srcs) > foldSources || size > foldSourceUTF16 {
		body = "<blockquote expandable>" + body + "</blockquote>"
	}
	return "<b>" + escape(answer.MsgSourcesHeading) + "</b>\n" + body
}

// relatedHTML renders a not-found reply's related headlines: the heading
// in italics and one bullet per article, its title linked, no marker.
func relatedHTML(srcs []answer.Source) string {
	lines := []string{"<i>" + escape(answer.MsgRelatedHeading) + "</i>"}
	for _, s := range srcs {
		lines = append(lines, escape(answer.RelatedBullet)+metaHTML(s))
	}
	return strings.Join(lines, "\n")
}

// metaHTML renders a source's outlet, date and title, the title linked
// to the article when it has a usable url.
func metaHTML(s answer.Source) string {
	meta := s.MetaParts()
	parts := make([]string, len(meta))
	for i, m := range meta {
		parts[i] = escape(m)
	}
	if last := len(parts) - 1; last >= 0 && linkable(s.URL) {
		parts[last] = `<a href="` + escape(s.URL) + `">` + parts[last] + "</a>"
	}
	return strings.Join(parts, separator)
}

// sourceLineHTML renders «[۱] تابناک — ۶ مهر ۱۴۰۴ — «عنوان»» with the title
// linked to the article when it has a usable url.
func sourceLineHTML(s answer.Source) string {
	return "<b>" + escape(persian.Marker(s.N)) + "</b> " + metaHTML(s)
}

// passageHTML renders a passage of /sources: its source line with its
// label, then its text folded into an expandable blockquote.
func passageHTML(bl answer.Block) string {
	line := ""
	if len(bl.Sources) > 0 {
		line = sourceLineHTML(bl.Sources[0])
	}
	if bl.Label != "" {
		line += " (" + escape(bl.Label) + ")"
	}
	return line + "\n<blockquote expandable>" + escape(bl.Text) + "</blockquote>"
}

// summaryHTML renders a summary: the heading with its period, one bullet
// per story with the outlets that reported it, then the sources.
func summaryHTML(s answer.Summary) string {
	return summaryWithHeading(answer.MsgSummaryHeading, s)
}

// summaryWithHeading renders s as summaryHTML does, under heading.
func summaryWithHeading(heading string, s answer.Summary) string {
	return blocksHTML(s.Blocks(heading))
}

// previewHTML renders the growing text of a streamed answer, cut to fit
// one message.
func previewHTML(text string, limit int) string {
	text = strings.TrimSpace(strings.ToValidUTF8(text, ""))
	const ellipsis = " …"
	if utf16Len(escape(text)) <= limit {
		return escape(text) + ellipsis
	}
	// Cut on a rune boundary until the escaped text fits.
	n := 0
	cut := len(text)
	for i, r := range text {
		w := utf16Len(escape(string(r)))
		if n+w > limit-utf16Len(ellipsis) {
			cut = i
			break
		}
		n += w
	}
	return escape(text[:cut]) + ellipsis
}

// plainText is what a user sees of html: tags removed, entities decoded.
// It is the fallback when Telegram rejects the markup.
func plainText(html string) string {
	var b strings.Builder
	for _, a := range atomize(html) {
		if a.kind == atomText {
			b.WriteRune(a.r)
		}
	}
	return b.String()
}
