package persian

import (
	"unicode"
	"unicode/utf8"
)

// Span is a piece of a text: its byte offsets in the original string and
// the text itself, trimmed of surrounding space.
type Span struct {
	Start, End int
	Text       string
}

// maxQuotedRunes bounds how long a quotation may hold a sentence open:
// past it, a terminator inside quotes ends the sentence anyway, so one
// unbalanced « cannot swallow a whole article.
const maxQuotedRunes = 400

func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '؟', '؛', '…':
		return true
	}
	return false
}

func isOpenQuote(r rune) bool {
	switch r {
	case '«', '“', '(', '[':
		return true
	}
	return false
}

func isCloseQuote(r rune) bool {
	switch r {
	case '»', '”', ')', ']', '"', '\'':
		return true
	}
	return false
}

// Sentences splits text into sentences. A sentence ends at «.», «!», «?»,
// «؟», «؛» or «…» (with any closing quotes and further terminators that
// follow), and at every line break. A full stop between digits (۳.۵) does
// not end a sentence, nor does a terminator inside «…» quotes, unless the
// quotation runs on for more than a few hundred letters. Offsets refer to
// text; empty sentences are dropped. Invalid UTF-8 is kept in place by
// offset but replaced in Span.Text.
func Sentences(text string) []Span {
	var out []Span
	start := 0
	depth := 0
	quotedRunes := 0
	emit := func(end int) {
		if sp, ok := trimmedSpan(text, start, end); ok {
			out = append(out, sp)
		}
		start = end
		depth = 0
		quotedRunes = 0
	}
	for i := 0; i < len(text); {
		r, size := runeAt(text, i)
		next := i + size
		switch {
		case r == '\n':
			emit(i)
		case isOpenQuote(r):
			depth++
		case isCloseQuote(r) && depth > 0 && r != '"' && r != '\'':
			depth--
		case isTerminator(r):
			if r == '.' && betweenDigits(text, i, next) {
				break
			}
			end := absorbClosers(text, next)
			if depth > 0 && quotedRunes <= maxQuotedRunes && !closesQuote(text, next, end) {
				break
			}
			if end < len(text) {
				nr, _ := utf8.DecodeRuneInString(text[end:])
				if !unicode.IsSpace(nr) && !isOpenQuote(nr) {
					// «U.S.A» or «3.5» written without spaces: not a boundary.
					break
				}
			}
			emit(end)
			next = end
		}
		if depth > 0 {
			quotedRunes++
		}
		i = next
	}
	emit(len(text))
	return out
}

// absorbClosers returns the end of the run of terminators and closing
// quotes that starts at i.
func absorbClosers(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isTerminator(r) && !isCloseQuote(r) {
			break
		}
		i += size
	}
	return i
}

// closesQuote reports whether text[from:to] contains a closing quote, so a
// terminator followed by «»» ends the quoted sentence.
func closesQuote(text string, from, to int) bool {
	for _, r := range text[from:to] {
		if isCloseQuote(r) {
			return true
		}
	}
	return false
}

func betweenDigits(text string, i, next int) bool {
	if i == 0 || next >= len(text) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(text[:i])
	after, _ := utf8.DecodeRuneInString(text[next:])
	return unicode.IsDigit(before) && unicode.IsDigit(after)
}

// trimmedSpan trims white space and invisible marks from text[start:end].
func trimmedSpan(text string, start, end int) (Span, bool) {
	for start < end {
		r, size := utf8.DecodeRuneInString(text[start:end])
		if !unicode.IsSpace(r) && !isInvisible(r) {
			break
		}
		start += size
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) && !isInvisible(r) {
			break
		}
		end -= size
	}
	if start >= end {
		return Span{}, false
	}
	return Span{Start: start, End: end, Text: toValid(text[start:end])}, true
}

func toValid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}
