package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/khabar/khabar/persian"
)

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
	return Fields{ID: f["id"], Title: f["title"], Text: f["text"], Source: f["source"], Date: f["date"], URL: f["url"]}.article(p, lineNo)
}

// Fields are the six fields of an article in the .jsonl format
// ({"id","title","text","source","date","url"}), as the live stores
// (corpus/feed, corpus/channel) keep them.
type Fields struct {
	ID, Title, Text, Source, Date, URL string
}

// Article is the article that a .jsonl line of these fields, line line of
// the file path, gives the loader: white space cleaned, the date read
// ([persian.ParseDate]), a missing title and source derived from the text,
// an id "path#line" when there is none, and a date more than a day after
// opts.Now dropped. When the article is unusable (no text, or a text larger
// than opts.MaxArticleBytes) its ID is "" and the Problem says why; a bad
// or future date keeps the article and is reported with Skipped false.
func (f Fields) Article(path string, line int, opts LoadOptions) (Article, []Problem) {
	opts = opts.withDefaults()
	p := validPath(path)
	if size := int64(len(f.Text)); size > opts.MaxArticleBytes {
		return Article{}, []Problem{{Path: p, Line: line, Skipped: true,
			Reason: fmt.Sprintf("article too large (%s > %s)", formatBytes(size), formatBytes(opts.MaxArticleBytes))}}
	}
	a, probs := f.article(p, line)
	if a.ID == "" {
		return a, probs
	}
	if prob, ok := dropFutureDate(&a, opts.Now().Add(maxFutureDate)); ok {
		probs = append(probs, prob)
	}
	return a, probs
}

// article builds the article of a decoded .jsonl line; p is a valid path.
func (f Fields) article(p string, lineNo int) (Article, []Problem) {
	text := trimText(normalizeNewlines(strings.ToValidUTF8(f.Text, "\uFFFD")))
	if text == "" {
		return Article{}, []Problem{{Path: p, Line: lineNo, Reason: "missing text", Skipped: true}}
	}
	a := Article{
		ID:     strings.TrimSpace(f.ID),
		Title:  strings.Join(strings.Fields(f.Title), " "),
		Text:   text,
		Source: strings.Join(strings.Fields(f.Source), " "),
		URL:    strings.TrimSpace(f.URL),
		Path:   p,
		Line:   lineNo,
	}
	if a.ID == "" {
		a.ID = p + "#" + strconv.Itoa(lineNo)
	}
	var probs []Problem
	if d := strings.TrimSpace(f.Date); d != "" {
		if t, ok := persian.ParseDate(d); ok {
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
