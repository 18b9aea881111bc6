package corpus

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Article is one news article as loaded from the corpus.
type Article struct {
	ID     string    // seed files: the slash path in the fs ("000_ce323faa9758fc94.txt", "sub/x.md"); jsonl: the line's "id", or "<path>#<line>" when it has none
	Title  string    // given, or the first sentence, shortened on a word boundary to at most 90 runes with "…"
	Text   string    // the body: original text, trimmed, \r\n turned into \n, the date header removed
	Source string    // given, or derived from the lead («به گزارش تابناک،» → تابناک); "" when unknown
	Date   time.Time // the calendar date at midnight UTC; zero when unknown
	URL    string
	Path   string // the file it came from (slash path in the fs)
	Line   int    // jsonl line number (1-based); 0 for seed files
}

// Problem is one file or line the loader skipped or repaired.
type Problem struct {
	Path    string
	Line    int    // 0 for a whole file
	Reason  string // short English reason: "empty file", "malformed JSON: …", …
	Skipped bool   // true when the article or file was dropped; false when it was kept with a repair (a bad date)
}

// String formats p as "a.jsonl:3: malformed JSON: …" or "b.txt: empty file".
func (p Problem) String() string {
	if p.Line > 0 {
		return p.Path + ":" + strconv.Itoa(p.Line) + ": " + p.Reason
	}
	return p.Path + ": " + p.Reason
}

// duplicateProblem reports a, whose id was first seen at first.
func duplicateProblem(a Article, first string) Problem {
	return Problem{Path: a.Path, Line: a.Line, Skipped: true,
		Reason: fmt.Sprintf("duplicate id %s (first in %s)", quoteShort(a.ID), first)}
}

func badDateProblem(p string, line int, date string) Problem {
	return Problem{Path: p, Line: line, Reason: fmt.Sprintf("bad date %s (kept without a date)", quoteShort(date))}
}

// location formats a file or a jsonl line as "a.jsonl:3" or "b.txt".
func location(p string, line int) string {
	if line > 0 {
		return p + ":" + strconv.Itoa(line)
	}
	return p
}

// ---- small helpers ----

// formatBytes renders a size as "512 B", "3.5 KB", "9.1 MB" or "1 GB"
// (binary units).
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, suffix := float64(n)/unit, "KB"
	for _, s := range []string{"MB", "GB", "TB"} {
		if v < unit {
			break
		}
		v, suffix = v/unit, s
	}
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + " " + suffix
}

// quoteShort quotes s for a Problem reason, cut to 40 runes.
func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}

// validPath makes a file name safe to return: file systems may hold names
// that are not UTF-8. An empty name becomes "-", so that an article parsed
// from it still has an ID.
func validPath(p string) string {
	if p == "" {
		return "-"
	}
	return strings.ToValidUTF8(p, "\uFFFD")
}

// errText is err's message as valid UTF-8.
func errText(err error) string {
	return strings.ToValidUTF8(err.Error(), "\uFFFD")
}
