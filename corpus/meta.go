package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
)

// completeArticle derives the source and title an article lacks.
func completeArticle(a *Article) {
	if a.Source == "" {
		a.Source = persian.OutletFromLead(a.Text)
	}
	if a.Title == "" {
		a.Title = titleFromText(persian.WithoutLead(a.Text))
	}
}

// withoutLead drops a credited lead («به گزارش تابناک،», «خبرگزاری فارس:»)
// from the start of text, so that a derived title begins with the news.

// ---- derived metadata ----

// maxTitleRunes bounds a derived title, "…" included.
const maxTitleRunes = 90

// titleFromText derives a title from the first sentence of text: trailing
// full stops removed, shortened on a word boundary.
func titleFromText(text string) string {
	// A first sentence longer than this is shortened anyway: don't split
	// a whole long article to find it.
	const window = 4 << 10
	if len(text) > window {
		cut := window
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	spans := persian.Sentences(text)
	if len(spans) == 0 {
		return ""
	}
	s := strings.Join(strings.Fields(spans[0].Text), " ")
	s = strings.TrimRight(s, ".؛;،, ")
	return shortenTitle(s, maxTitleRunes)
}

// shortenTitle cuts s to at most max runes, "…" included, on a word
// boundary when there is one in the second half of the allowance.
func shortenTitle(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	cut := runes[:max-1]
	if !unicode.IsSpace(runes[max-1]) {
		for i := len(cut) - 1; i >= len(cut)/2; i-- {
			if unicode.IsSpace(cut[i]) {
				cut = cut[:i]
				break
			}
		}
	}
	return strings.TrimRightFunc(string(cut), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("،,:;؛-–—", r)
	}) + "…"
}

// leadRunes is how much of the body sourceFromLead looks at.
