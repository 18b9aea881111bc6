// Package synth grows a real news corpus to a size for scale measurements
// (issue 14): every article it emits is a real article perturbed — a new
// id, a date spread over years, its sentences shuffled, its numbers
// substituted — so that posting lists and vectors look like news at that
// size rather than repeats of one text. Its input is any corpus.jsonl
// (the evaluation corpora at run time, the seeds as a fallback); nothing it
// generates belongs in the repository.
package synth

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
)

// Article is one jsonl line of the corpus format the loader reads.
type Article struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Text   string `json:"text"`
	Source string `json:"source,omitempty"`
	Date   string `json:"date,omitempty"`
	URL    string `json:"url,omitempty"`
}

// maxLine bounds one input line (the loader's own limit is 1 MiB).
const maxLine = 4 << 20

// ReadJSONL reads the articles of a corpus.jsonl. Lines that are blank,
// malformed or without text are skipped and counted; a read error, or a
// file with no usable article, is an error.
func ReadJSONL(r io.Reader) (arts []Article, skipped int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var a Article
		if json.Unmarshal(line, &a) != nil || strings.TrimSpace(a.Text) == "" || !utf8.ValidString(a.Text) {
			skipped++
			continue
		}
		arts = append(arts, a)
	}
	if err := sc.Err(); err != nil {
		return arts, skipped, fmt.Errorf("read corpus: %w", err)
	}
	if len(arts) == 0 {
		return nil, skipped, errors.New("read corpus: no article with text")
	}
	return arts, skipped, nil
}

// Options tune a [Generator]. Zero values mean the defaults.
type Options struct {
	// Seed makes the output reproducible; the same seed and source give
	// the same articles.
	Seed uint64
	// From and To bound the dates given to the copies (calendar dates,
	// uniformly spread); default 2012-01-01 to 2025-12-31.
	From, To time.Time
}

func (o Options) withDefaults() Options {
	if o.From.IsZero() {
		o.From = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() || o.To.Before(o.From) {
		o.To = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	return o
}

// Generator emits perturbed copies of its source articles, cycling
// through them in order.
type Generator struct {
	src  []Article
	opts Options
	r    *rand.Rand
	n    int
}

// New returns a generator over src (which it does not modify).
func New(src []Article, opts Options) (*Generator, error) {
	if len(src) == 0 {
		return nil, errors.New("synth: no source articles")
	}
	opts = opts.withDefaults()
	return &Generator{src: src, opts: opts, r: rand.New(rand.NewPCG(opts.Seed, 0x6b686162))}, nil
}

// Next returns the next perturbed article: copy n/len(src) of source
// article n%len(src).
func (g *Generator) Next() Article {
	a := g.src[g.n%len(g.src)]
	copyNo := g.n / len(g.src)
	g.n++
	return Perturb(a, g.r, copyNo, g.opts)
}

// Perturb returns a copy of a with a new id (the source id with the copy
// number), a date drawn uniformly from [opts.From, opts.To], its
// sentences (persian.Sentences: also every line) in a shuffled order, one
// per line, and every run of digits (ASCII, Persian or Arabic-Indic) in
// the title and text replaced by random digits of the same script and
// length. The URL, when there is one, gets the copy number too.
func Perturb(a Article, r *rand.Rand, copyNo int, opts Options) Article {
	opts = opts.withDefaults()
	out := a
	out.ID = fmt.Sprintf("synth%d-%s", copyNo, a.ID)
	days := int(opts.To.Sub(opts.From).Hours()/24) + 1
	out.Date = opts.From.AddDate(0, 0, r.IntN(days)).Format(time.DateOnly)
	if a.URL != "" {
		out.URL = fmt.Sprintf("%s#synth%d", a.URL, copyNo)
	}
	out.Title = SubstituteNumbers(a.Title, r)
	spans := persian.Sentences(a.Text)
	sentences := make([]string, len(spans))
	for i, s := range spans {
		sentences[i] = s.Text
	}
	r.Shuffle(len(sentences), func(i, j int) { sentences[i], sentences[j] = sentences[j], sentences[i] })
	out.Text = SubstituteNumbers(strings.Join(sentences, "\n"), r)
	return out
}

// digitZero returns the zero of d's script and whether d is a digit.
func digitZero(d rune) (rune, bool) {
	for _, z := range []rune{'0', '۰', '٠'} {
		if d >= z && d <= z+9 {
			return z, true
		}
	}
	return 0, false
}

// SubstituteNumbers replaces every run of digits in s by random digits of
// the same script and length; a run that did not start with a zero does
// not start with one after.
func SubstituteNumbers(s string, r *rand.Rand) string {
	var b strings.Builder
	b.Grow(len(s))
	prevDigit := false
	for _, c := range s {
		z, ok := digitZero(c)
		if !ok {
			prevDigit = false
			b.WriteRune(c)
			continue
		}
		d := r.IntN(10)
		if !prevDigit && c != z {
			d = 1 + r.IntN(9)
		}
		prevDigit = true
		b.WriteRune(z + rune(d))
	}
	return b.String()
}

// Write writes n articles of g to w as jsonl.
func Write(w io.Writer, g *Generator, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for range n {
		if err := enc.Encode(g.Next()); err != nil {
			return fmt.Errorf("write corpus: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	return nil
}
