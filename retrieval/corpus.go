package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
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

// LoadOptions bounds what [Load] accepts. Zero values mean the defaults.
type LoadOptions struct {
	MaxArticleBytes int64 // a .txt/.md file or one jsonl line; default 1 MiB
	MaxFileBytes    int64 // a .jsonl file; default 512 MiB
	// Now is the clock future dates are measured against: an article
	// dated more than a day after Now is kept without its date and
	// reported. Default time.Now.
	Now func() time.Time
}

const (
	defaultMaxArticleBytes = 1 << 20
	defaultMaxFileBytes    = 512 << 20
)

func (o LoadOptions) withDefaults() LoadOptions {
	if o.MaxArticleBytes <= 0 {
		o.MaxArticleBytes = defaultMaxArticleBytes
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = defaultMaxFileBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// maxFutureDate is how far after the clock an article may be dated: a
// day, for time zones (Tehran is ahead of UTC) and early publication.
const maxFutureDate = 24 * time.Hour

// Corpus is the result of a [Load]: the usable articles in a deterministic
// order (path, then line), every file or line that was skipped or repaired,
// and the number of corpus files (.txt, .md, .jsonl) examined.
type Corpus struct {
	Articles []Article
	Problems []Problem
	Files    int
}

// ErrNoArticles is returned (wrapped) by [Load] when the corpus holds no
// usable article at all.
var ErrNoArticles = errors.New("no usable articles")

// Load reads every .txt, .md and .jsonl file under fsys, in path order.
// Other extensions, dotfiles and dot-directories are ignored. Bad input never
// stops the load: an empty, binary, non-UTF-8, oversized or unreadable file,
// a malformed jsonl line or a duplicate id is skipped and reported in
// [Corpus.Problems]; a bad date, or one more than a day in the future
// (a typo, or a Jalali year read wrongly, that would otherwise become the
// latest news), is dropped and reported, the article kept. A symbolic link
// that leads out of fsys is reported and not followed. When no article is usable, Load returns the Corpus with its Problems
// together with an error wrapping [ErrNoArticles]. An error reading the root
// of fsys, or a done ctx, ends the load with an error.
func Load(ctx context.Context, fsys fs.FS, opts LoadOptions) (Corpus, error) {
	opts = opts.withDefaults()
	var c Corpus
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			c.Problems = append(c.Problems, Problem{Path: validPath(p), Reason: "unreadable: " + errText(err), Skipped: true})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if reason := symlinkProblem(fsys, p); reason != "" {
				c.Problems = append(c.Problems, Problem{Path: validPath(p), Reason: reason, Skipped: true})
				return nil
			}
		}
		if !d.IsDir() && corpusExt(p) != "" && !isReadme(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return Corpus{}, fmt.Errorf("load corpus: %w", err)
	}
	slices.Sort(files)

	seen := make(map[string]string) // id → where it was first seen
	future := opts.Now().Add(maxFutureDate)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return Corpus{}, fmt.Errorf("load corpus: %w", err)
		}
		c.Files++
		arts, probs := loadFile(ctx, fsys, p, opts)
		c.Problems = append(c.Problems, probs...)
		for _, a := range arts {
			if a.Date.After(future) {
				c.Problems = append(c.Problems, Problem{Path: a.Path, Line: a.Line,
					Reason: fmt.Sprintf("date %s is in the future (kept without a date)", a.Date.Format(time.DateOnly))})
				a.Date = time.Time{}
			}
			if first, ok := seen[a.ID]; ok {
				c.Problems = append(c.Problems, duplicateProblem(a, first))
				continue
			}
			seen[a.ID] = location(a.Path, a.Line)
			c.Articles = append(c.Articles, a)
		}
	}
	if err := ctx.Err(); err != nil {
		return Corpus{}, fmt.Errorf("load corpus: %w", err)
	}
	slices.SortStableFunc(c.Problems, func(a, b Problem) int {
		if n := strings.Compare(a.Path, b.Path); n != 0 {
			return n
		}
		return a.Line - b.Line
	})
	if len(c.Articles) == 0 {
		return c, fmt.Errorf("load corpus: %d files, %d problems: %w", c.Files, len(c.Problems), ErrNoArticles)
	}
	return c, nil
}

// maxSymlinks bounds how many symbolic links one path may go through.
const maxSymlinks = 40

// symlinkProblem says why the symbolic link at p is not followed: it
// leads out of fsys (an absolute target, or «..» above the root, at any
// step of the chain), or it cannot be resolved. It returns "" for a link
// that stays inside; a broken one is left for the reader to report.
// Resolution is component by component, so a link through a linked folder
// that leaves is caught too.
func symlinkProblem(fsys fs.FS, p string) string {
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		return "symbolic link not followed: " + errText(err)
	}
	pending := strings.Split(target, "/")
	if isAbsLink(target) {
		return fmt.Sprintf("symbolic link to %s leaves the corpus folder (not followed)", quoteShort(target))
	}
	resolved := path.Dir(p)
	for links := 1; len(pending) > 0; {
		part := pending[0]
		pending = pending[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			if resolved == "." {
				return fmt.Sprintf("symbolic link to %s leaves the corpus folder (not followed)", quoteShort(target))
			}
			resolved = path.Dir(resolved)
			continue
		}
		next := path.Join(resolved, part)
		info, err := fs.Lstat(fsys, next)
		if err != nil {
			return "" // broken: reading it reports the error
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if links++; links > maxSymlinks {
			return "symbolic link not followed: too many links"
		}
		t, err := fs.ReadLink(fsys, next)
		if err != nil {
			return "symbolic link not followed: " + errText(err)
		}
		if isAbsLink(t) {
			return fmt.Sprintf("symbolic link to %s leaves the corpus folder (not followed)", quoteShort(target))
		}
		pending = append(strings.Split(t, "/"), pending...)
	}
	return ""
}

// isAbsLink reports whether a link target is absolute, in slash form or
// the platform's.
func isAbsLink(target string) bool { return path.IsAbs(target) || filepath.IsAbs(target) }

// corpusExt returns the lower-case extension of p when it is a corpus file
// (".txt", ".md" or ".jsonl"), and "" otherwise.
func corpusExt(p string) string {
	switch ext := strings.ToLower(path.Ext(p)); ext {
	case ".txt", ".md", ".jsonl":
		return ext
	}
	return ""
}

// isReadme reports whether p is a README, which describes a corpus folder
// and is not an article.
func isReadme(p string) bool {
	base := strings.ToLower(path.Base(p))
	return strings.TrimSuffix(base, path.Ext(base)) == "readme"
}

// loadFile reads one corpus file, checking its size before and while
// reading.
func loadFile(ctx context.Context, fsys fs.FS, p string, opts LoadOptions) ([]Article, []Problem) {
	problem := func(reason string) []Problem {
		return []Problem{{Path: validPath(p), Reason: reason, Skipped: true}}
	}
	jsonl := corpusExt(p) == ".jsonl"
	limit := opts.MaxArticleBytes
	if jsonl {
		limit = opts.MaxFileBytes
	}
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, problem("unreadable file: " + errText(err))
	}
	if !info.Mode().IsRegular() {
		return nil, problem("not a regular file")
	}
	if info.Size() > limit {
		return nil, problem(fmt.Sprintf("file too large (%s > %s)", formatBytes(info.Size()), formatBytes(limit)))
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, problem("unreadable file: " + errText(err))
	}
	defer f.Close()
	if jsonl {
		return ParseJSONL(p, &boundedReader{ctx: ctx, r: f, left: limit, limit: limit}, opts)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, problem("unreadable file: " + errText(err))
	}
	if int64(len(data)) > limit {
		return nil, problem(fmt.Sprintf("file too large (> %s)", formatBytes(limit)))
	}
	a, probs := ParseSeed(p, data)
	if a.ID == "" {
		return nil, probs
	}
	return []Article{a}, probs
}

// fileTooLargeError is returned by a boundedReader past its limit: the file
// grew, or its size was misreported.
type fileTooLargeError struct{ limit int64 }

func (e *fileTooLargeError) Error() string {
	return fmt.Sprintf("file too large (> %s); the rest was not read", formatBytes(e.limit))
}

// boundedReader reads at most limit bytes of r, then fails with a
// fileTooLargeError if r has more; it also fails once ctx is done.
type boundedReader struct {
	ctx   context.Context
	r     io.Reader
	left  int64
	limit int64
	err   error // sticky
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n, b.left = int(b.left), 0
		b.err = &fileTooLargeError{limit: b.limit}
		return n, b.err
	}
	b.left -= int64(n)
	return n, err
}

// ParseSeed parses one .txt or .md file in the seed format: an optional
// "date YYYY-MM-DD" header (after optional white space and a BOM; "Date:"
// and Persian digits accepted; it may share the first line with the body),
// then, for .md files, an optional "# Title" line, then the body. The
// article's ID is path. When the file is unusable, the returned Article has
// an empty ID and the Problem says why; a bad date keeps the article without
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
// read. A bad date keeps the article without a date and is reported.
func ParseJSONL(path string, r io.Reader, opts LoadOptions) ([]Article, []Problem) {
	opts = opts.withDefaults()
	p := validPath(path)
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(binarySniffBytes)
	if reason := binaryProblem(head); reason != "" {
		return nil, []Problem{{Path: p, Reason: reason, Skipped: true}}
	}
	if bytes.HasPrefix(head, []byte(bom)) {
		_, _ = br.Discard(len(bom))
	}

	var (
		arts     []Article
		probs    []Problem
		seen     = make(map[string]int) // id → line
		lineNo   int
		nonBlank bool
	)
	for {
		raw, n, size, err := readLine(br, opts.MaxArticleBytes)
		if n == 0 && err == io.EOF {
			break
		}
		lineNo++
		if err != nil && err != io.EOF {
			reason := "read error: " + errText(err)
			if tooLarge := (*fileTooLargeError)(nil); errors.As(err, &tooLarge) {
				reason = tooLarge.Error()
			}
			probs = append(probs, Problem{Path: p, Line: lineNo, Reason: reason, Skipped: true})
			break
		}
		if size > opts.MaxArticleBytes {
			nonBlank = true
			probs = append(probs, Problem{Path: p, Line: lineNo, Skipped: true,
				Reason: fmt.Sprintf("line too large (%s > %s)", formatBytes(size), formatBytes(opts.MaxArticleBytes))})
		} else if line := bytes.TrimSpace(raw); len(line) > 0 {
			nonBlank = true
			a, lineProbs := parseJSONLine(p, lineNo, line)
			probs = append(probs, lineProbs...)
			if a.ID != "" {
				if first, ok := seen[a.ID]; ok {
					probs = append(probs, duplicateProblem(a, location(p, first)))
				} else {
					seen[a.ID] = lineNo
					arts = append(arts, a)
				}
			}
		}
		if err == io.EOF {
			break
		}
	}
	if !nonBlank && len(probs) == 0 {
		probs = append(probs, Problem{Path: p, Reason: "empty file", Skipped: true})
	}
	return arts, probs
}

// readLine reads one line of br, keeping at most a little more than max
// bytes of it; n is the line's full length, the line break included, and
// size its length without the line break.
func readLine(br *bufio.Reader, max int64) (line []byte, n, size int64, err error) {
	for {
		frag, err := br.ReadSlice('\n')
		n += int64(len(frag))
		if int64(len(line)) <= max {
			line = append(line, frag...)
		}
		if err != bufio.ErrBufferFull {
			return line, n, n - int64(len(frag)-len(bytes.TrimRight(frag, "\r\n"))), err
		}
	}
}

// jsonFields are the fields of a jsonl line the loader reads.
var jsonFields = []string{"id", "title", "text", "source", "date", "url"}

// parseJSONLine parses one non-blank jsonl line.
func parseJSONLine(p string, lineNo int, line []byte) (Article, []Problem) {
	skip := func(reason string) (Article, []Problem) {
		return Article{}, []Problem{{Path: p, Line: lineNo, Reason: reason, Skipped: true}}
	}
	if off := invalidUTF8Offset(line); off >= 0 {
		return skip(fmt.Sprintf("invalid UTF-8 at byte %d", off))
	}
	if line[0] != '{' {
		return skip("malformed JSON: not an object")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return skip("malformed JSON: " + strings.TrimPrefix(err.Error(), "json: "))
	}
	f := make(map[string]string, len(jsonFields))
	for _, name := range jsonFields {
		s, err := stringField(obj[name], name == "id")
		if err != nil {
			return skip(fmt.Sprintf("malformed JSON: field %q: %v", name, err))
		}
		f[name] = s
	}
	text := trimText(normalizeNewlines(f["text"]))
	if text == "" {
		return skip("missing text")
	}
	a := Article{
		ID:     strings.TrimSpace(f["id"]),
		Title:  strings.Join(strings.Fields(f["title"]), " "),
		Text:   text,
		Source: strings.Join(strings.Fields(f["source"]), " "),
		URL:    strings.TrimSpace(f["url"]),
		Path:   p,
		Line:   lineNo,
	}
	if a.ID == "" {
		a.ID = p + "#" + strconv.Itoa(lineNo)
	}
	var probs []Problem
	if d := strings.TrimSpace(f["date"]); d != "" {
		if t, ok := parseDate(d); ok {
			a.Date = t
		} else {
			probs = append(probs, badDateProblem(p, lineNo, d))
		}
	}
	completeArticle(&a)
	return a, probs
}

// stringField decodes a JSON string (null and a missing field give "");
// numbers are accepted too when number is set, as written.
func stringField(raw json.RawMessage, number bool) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return strings.ToValidUTF8(s, "\uFFFD"), err
	}
	if number && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		return string(raw), nil
	}
	return "", errors.New("not a string")
}

// completeArticle derives the source and title an article lacks.
func completeArticle(a *Article) {
	if a.Source == "" {
		a.Source = sourceFromLead(a.Text)
	}
	if a.Title == "" {
		a.Title = titleFromText(withoutLead(a.Text))
	}
}

// withoutLead drops a credited lead («به گزارش تابناک،», «خبرگزاری فارس:»)
// from the start of text, so that a derived title begins with the news.
func withoutLead(text string) string {
	if sourceFromLead(text) == "" {
		return text
	}
	head := text[:min(len(text), 4*leadRunes)]
	i := strings.IndexAny(head, "،,:")
	if i < 0 {
		return text
	}
	_, size := utf8.DecodeRuneInString(head[i:])
	if rest := strings.TrimSpace(text[i+size:]); rest != "" {
		return rest
	}
	return text
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

// ---- encoding checks ----

const (
	bom              = "\uFEFF"
	binarySniffBytes = 8 << 10
)

// binaryProblem says why data is not text: a UTF-16 byte-order mark, a NUL
// byte or more than 10% control characters other than \n, \r and \t in the
// first 8 KiB. It returns "" for text.
func binaryProblem(data []byte) string {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "binary file (UTF-16 text; save it as UTF-8)"
	}
	head := data[:min(len(data), binarySniffBytes)]
	if bytes.IndexByte(head, 0) >= 0 {
		return "binary file"
	}
	var runes, controls int
	for _, r := range string(head) {
		runes++
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			controls++
		}
	}
	if controls*10 > runes {
		return "binary file"
	}
	return ""
}

// invalidUTF8Offset returns the offset of the first byte of b that is not
// part of valid UTF-8, or -1.
func invalidUTF8Offset(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// trimText trims white space and invisible format characters (a BOM,
// ZWNJ, direction marks) from both ends of s.
func trimText(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
	})
}

// normalizeNewlines turns \r\n and lone \r into \n.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

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
	t, ok := parseDate(value)
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
// 2025-09-28); Gregorian years must lie in 1800–2199.
func parseDate(s string) (time.Time, bool) {
	s = persian.ASCIIDigits(strings.TrimSpace(s))
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		y, m, d := t.Date()
		s = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	}
	sep := "-"
	if strings.Count(s, "/") == 2 {
		sep = "/"
	}
	parts := strings.Split(s, sep)
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) > 2 || len(parts[2]) > 2 {
		return time.Time{}, false
	}
	var n [3]int
	for i, part := range parts {
		v, err := strconv.Atoi(part)
		if err != nil || v < 0 || part == "" || part[0] == '+' {
			return time.Time{}, false
		}
		n[i] = v
	}
	y, m, d := n[0], n[1], n[2]
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	switch {
	case y >= 1300 && y < 1500:
		t := persian.FromJalali(y, m, d)
		if jy, jm, jd := persian.JalaliDate(t); jy != y || jm != m || jd != d {
			return time.Time{}, false
		}
		return t, true
	case y >= 1800 && y < 2200:
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if t.Day() != d {
			return time.Time{}, false
		}
		return t, true
	}
	return time.Time{}, false
}

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
const leadRunes = 200

// leadToken is a word or a punctuation mark of an article's lead: its
// original text and, for words, the canonical form.
type leadToken struct {
	text  string
	canon string // "" for punctuation
	punct rune   // 0 for words
}

// Canonical forms of the words sourceFromLead looks for.
var (
	canonBe       = persian.Canonical("به")
	canonGozaresh = persian.Canonical("گزارش")
	canonAgency   = persian.Canonical("خبرگزاری")
	canonReporter = persian.Canonical("خبرنگار")
	canonAz       = persian.Canonical("از")
	canonNaghl    = persian.Canonical("نقل")
)

// notOutlet lists words that end an «به گزارش X،» match: X is a phrase,
// not an outlet («به گزارش رسیده،», «به گزارش خبرنگار ما،»).
var notOutlet = canonicalSet("رسیده واصله منابع ما")

// notColonOutlet lists words that show an «X:» lead is a quoted speaker or
// a label («وزیر کشور:», «رئیس‌جمهور گفت:», «توضیح:»), not an outlet.
var notColonOutlet = canonicalSet(`وزیر رئیس رییس رئیس‌جمهور سخنگو سخنگوی معاون نماینده مدیر مدیرعامل
	مدیرکل دبیر فرمانده استاندار دادستان امام رهبر سردار دکتر مهندس آیت‌الله حجت‌الاسلام
	گفت افزود نوشت اظهار تاکید تصریح گفته اعلام کرد گفت‌وگو
	توضیح نکته یادداشت پاسخ سوال سؤال پرسش گزارش خلاصه متن منبع عکس تصویر ویدئو فیلم
	ساعت تاریخ شماره بخش قسمت`)

func canonicalSet(words string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		set[persian.Canonical(w)] = true
	}
	return set
}

// sourceFromLead names the outlet a news lead credits, in its original
// spelling, or returns "": «به گزارش تابناک،» → تابناک, «به گزارش
// خبرگزاری فارس،» → فارس, «خبرگزاری فارس:» → فارس, «به گزارش خبرنگار
// ایلنا،» → ایلنا, «به گزارش ایرنا از …» → ایرنا. The lead is either
// «به گزارش (خبرنگار )?(خبرگزاری )?X» followed by «،», «,», «:», «از» or
// «به نقل از», or «(خبرگزاری )?X:» at the very start, X being one to three
// words; words are compared in canonical form, so ي/ك and ZWNJ variants
// match.
func sourceFromLead(body string) string {
	toks := leadTokens(body, leadRunes)
	if len(toks) >= 2 && toks[0].canon == canonBe && toks[1].canon == canonGozaresh {
		return outletBefore(toks[2:], false)
	}
	return outletBefore(toks, true)
}

// outletBefore matches «(خبرنگار |خبرگزاری )*X» followed by the end of a
// lead, X being one to three words, and returns X without the words
// «خبرگزاری» and «خبرنگار». colonOnly accepts only «:» as the end and
// rejects speakers and labels.
func outletBefore(toks []leadToken, colonOnly bool) string {
	i := 0
	for i < len(toks) && (toks[i].canon == canonAgency || toks[i].canon == canonReporter) {
		i++
	}
	// «خبرگزاری X:» names an agency; a bare «X:» may be a speaker or a label.
	strict := colonOnly && i == 0
	return outletWords(toks[i:], colonOnly, strict)
}

// outletWords returns the first one to three words of toks when a lead end
// follows them.
func outletWords(toks []leadToken, colonOnly, strict bool) string {
	for j := 0; j < len(toks) && j < 3; j++ {
		t := toks[j]
		if t.punct != 0 || t.canon == "" || persian.IsStopword(t.canon) || notOutlet[t.canon] ||
			strings.ContainsFunc(t.canon, unicode.IsDigit) || (strict && notColonOutlet[t.canon]) {
			return ""
		}
		if leadEnd(toks[j+1:], colonOnly) {
			return displayOutlet(toks[:j+1])
		}
	}
	return ""
}

// leadEnd reports whether toks starts with the end of a lead: «:», or
// also «،», «,», «از» and «به نقل از» unless colonOnly.
func leadEnd(toks []leadToken, colonOnly bool) bool {
	if len(toks) == 0 {
		return false
	}
	switch {
	case toks[0].punct == ':':
		return true
	case colonOnly:
		return false
	case toks[0].punct == '،' || toks[0].punct == ',':
		return true
	case toks[0].canon == canonAz:
		return true
	}
	return len(toks) >= 3 && toks[0].canon == canonBe && toks[1].canon == canonNaghl && toks[2].canon == canonAz
}

// displayOutlet joins the original words of an outlet name, keeping those
// after the last «خبرگزاری» and dropping «خبرنگار».
func displayOutlet(words []leadToken) string {
	var out []string
	for _, w := range words {
		switch w.canon {
		case canonAgency:
			out = out[:0]
		case canonReporter:
		default:
			out = append(out, w.text)
		}
	}
	return strings.Join(out, " ")
}

// leadTokens splits the first maxRunes runes of s into words (letters,
// digits, marks and joiners) and single punctuation marks; white space
// separates tokens, a line break is a punctuation token, other invisible
// format characters are dropped.
func leadTokens(s string, maxRunes int) []leadToken {
	var toks []leadToken
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			w := word.String()
			toks = append(toks, leadToken{text: w, canon: persian.Canonical(w)})
			word.Reset()
		}
	}
	n := 0
	for _, r := range s {
		if n++; n > maxRunes {
			break
		}
		switch {
		case r == utf8.RuneError:
			flush()
			toks = append(toks, leadToken{text: "\uFFFD", punct: r})
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\u200C' || r == '\u200D':
			word.WriteRune(r)
		case r == '\n':
			flush()
			toks = append(toks, leadToken{text: "\n", punct: r})
		case unicode.IsSpace(r):
			flush()
		case unicode.Is(unicode.Cf, r):
		default:
			flush()
			toks = append(toks, leadToken{text: string(r), punct: r})
		}
	}
	flush()
	return toks
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
