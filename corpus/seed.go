package corpus

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
)

// a date and adds a Problem with Skipped false.
func ParseSeed(path string, data []byte) (Article, []Problem) {
	p := validPath(path)
	skip := func(reason string) (Article, []Problem) {
		return Article{}, []Problem{{Path: p, Reason: reason, Skipped: true}}
	}
	if reason := binaryProblem(data); reason != "" {
		return skip(reason)
	}
	if off := invalidUTF8Offset(data); off >= 0 {
		return skip(fmt.Sprintf("invalid UTF-8 at byte %d", off))
	}
	text := trimText(normalizeNewlines(string(data)))
	if text == "" {
		return skip("empty file")
	}

	var probs []Problem
	date, rest, bad, found := cutDateHeader(text)
	var title string
	if corpusExt(p) == ".md" {
		title, rest = cutMarkdownTitle(rest)
		if title != "" && !found {
			date, rest, bad, _ = cutDateHeader(trimText(rest))
		}
	}
	body := trimText(rest)
	if body == "" {
		return skip("missing text")
	}
	if bad != "" {
		probs = append(probs, badDateProblem(p, 0, bad))
	}
	a := Article{ID: p, Title: title, Text: body, Date: date, Path: p}
	completeArticle(&a)
	return a, probs
}

// ParseJSONL reads one article per line of r, a .jsonl file named path:
// {"id","title","text","source","date","url"}, unknown fields ignored,
// blank lines skipped. A malformed line, a line without text, a line longer
// than opts.MaxArticleBytes, a line that is not UTF-8 or whose id repeats an
// earlier line's is skipped and reported, and the rest of the file is still

// ---- the seed header ----

// cutDateHeader splits a leading "date YYYY-MM-DD" header off text (already
// trimmed of leading space). found reports a header; bad holds its value
// when it is not a valid date. A colon-less "date" followed by something
// that has no digit is ordinary text, not a header.
func cutDateHeader(text string) (date time.Time, rest, bad string, found bool) {
	const keyword = "date"
	if len(text) < len(keyword) || !strings.EqualFold(text[:len(keyword)], keyword) {
		return time.Time{}, text, "", false
	}
	after := text[len(keyword):]
	colon := strings.HasPrefix(after, ":")
	if colon {
		after = after[1:]
	} else if r, _ := utf8.DecodeRuneInString(after); after == "" || !isHorizontalSpace(r) {
		return time.Time{}, text, "", false
	}
	after = strings.TrimLeftFunc(after, isHorizontalSpace)
	end := strings.IndexFunc(after, unicode.IsSpace)
	if end < 0 {
		end = len(after)
	}
	value, rest := after[:end], after[end:]
	if value == "" {
		if !colon {
			return time.Time{}, text, "", false
		}
		return time.Time{}, rest, "", true
	}
	if !colon && !strings.ContainsFunc(value, unicode.IsDigit) {
		return time.Time{}, text, "", false
	}
	t, ok := persian.ParseDate(value)
	if !ok {
		return time.Time{}, rest, value, true
	}
	return t, rest, "", true
}

func isHorizontalSpace(r rune) bool {
	return r != '\n' && unicode.IsSpace(r)
}

// cutMarkdownTitle splits a first line "# Title" off text.
func cutMarkdownTitle(text string) (title, rest string) {
	text = strings.TrimLeftFunc(text, unicode.IsSpace)
	line, rest, _ := strings.Cut(text, "\n")
	if !strings.HasPrefix(line, "# ") && !strings.HasPrefix(line, "#\t") {
		return "", text
	}
	title = strings.Join(strings.Fields(strings.TrimRight(line[1:], "# \t")), " ")
	if title == "" {
		return "", text
	}
	return title, rest
}

// parseDate reads a calendar date: YYYY-MM-DD or YYYY/MM/DD (ASCII,
// Persian or Arabic-Indic digits), or an RFC 3339 timestamp, whose date is
// taken as written. Years 1300–1499 are read as Jalali (1404-07-06 is
