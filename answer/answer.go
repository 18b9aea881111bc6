package answer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// ErrEmptyQuestion is returned for a question with no words.
var ErrEmptyQuestion = errors.New("empty question")

// errNoDocuments is returned by [Composer.Summarize] when the searcher
// cannot list articles.
var errNoDocuments = errors.New("the index cannot list articles")

// searcher is what the composer needs of the index.
type searcher interface {
	Search(ctx context.Context, q retrieval.Query) (retrieval.Result, error)
}

// Mode says how an answer was made.
type Mode string

// The modes of an [Answer].
const (
	ModeExtractive Mode = "extractive"
	ModeNotFound   Mode = "notfound"
)

// Answer is a reply to a question: Persian text with inline markers [۱],
// the sources those markers point to, and the passages retrieval found.
type Answer struct {
	// Question is the question as asked.
	Question string
	// Text is the answer body with inline citation markers.
	Text string
	// Sources are the cited articles, numbered in order of first citation;
	// Sources[i].N == i+1.
	Sources []Source
	// Passages are all passages retrieval returned, best first (for
	// /sources), cited or not.
	Passages []retrieval.Passage
	// Mode says how the answer was made.
	Mode Mode
	// Note is a short Persian remark shown under the answer, or "".
	Note string
	// Relevance is the relevance floor's score of the passages (see
	// [Floor.Score]).
	Relevance float64
}

// NotFound reports whether the answer says that nothing was found.
func (a Answer) NotFound() bool { return a.Mode == ModeNotFound }

// Source is one cited article and the passage that was quoted from it.
type Source struct {
	N int
	retrieval.Passage
}

// Line renders the source as «[۱] تابناک — ۶ مهر ۱۴۰۴ — «عنوان»», with
// the url at the end when the article has one. Missing parts are left out.
func (s Source) Line() string {
	parts := []string{persian.Marker(s.N)}
	meta := s.MetaParts()
	parts = append(parts, strings.Join(meta, msgSeparator))
	line := strings.Join(parts, " ")
	if s.URL != "" {
		line += msgSeparator + s.URL
	}
	return line
}

// MetaParts are the outlet, the Jalali date and the quoted title, the ones
// that are known.
func (s Source) MetaParts() []string {
	var meta []string
	if s.Source != "" {
		meta = append(meta, s.Source)
	}
	if d := persian.FormatDate(s.Date); d != "" {
		meta = append(meta, d)
	}
	title := s.Title
	if title == "" {
		title = msgUntitled
	}
	meta = append(meta, "«"+title+"»")
	return meta
}

// String renders the answer as plain text: the body, then the sources.
func (a Answer) String() string {
	var b strings.Builder
	b.WriteString(a.Text)
	if a.Note != "" {
		b.WriteString("\n\n")
		b.WriteString(a.Note)
	}
	if len(a.Sources) > 0 {
		b.WriteString("\n\n")
		b.WriteString(MsgSourcesHeading)
		for _, s := range a.Sources {
			b.WriteString("\n")
			b.WriteString(s.Line())
		}
	}
	return b.String()
}

// Options tune a [Composer]. Zero values mean the defaults.
type Options struct {
	// K is the number of passages retrieved per question; default 5.
	K int
	// MaxSentences caps the sentences quoted in an extractive answer;
	// default 4.
	MaxSentences int
	// Floor decides when the passages do not answer the question.
	Floor Floor
}

func (o Options) withDefaults() Options {
	if o.K <= 0 {
		o.K = 5
	}
	if o.MaxSentences <= 0 {
		o.MaxSentences = 4
	}
	o.Floor = o.Floor.withDefaults()
	return o
}

// Floor returns the composer's relevance floor.
func (c *Composer) Floor() Floor { return c.opts.Floor }

// Composer answers questions from an index.
type Composer struct {
	search searcher
	opts   Options
}

// New returns a composer that retrieves with s.
func New(s searcher, opts Options) *Composer {
	return &Composer{search: s, opts: opts.withDefaults()}
}

// Request is a question to answer.
type Request struct {
	// Question is the question as the reader wrote it.
	Question string
	// Conversation keys the memory of earlier turns that makes follow-up
	// questions work (a chat id); "" asks without memory.
	Conversation string
	// Stream, when set, receives the growing text of a generated answer
	// (for a message edited as it is written). The final answer, checked
	// and cited, is the one returned.
	Stream func(text string)
}

// Answer retrieves passages for the request's question and answers it
// extractively, or says that nothing was found.
func (c *Composer) Answer(ctx context.Context, req Request) (Answer, error) {
	question := strings.TrimSpace(strings.ToValidUTF8(req.Question, ""))
	if persian.Canonical(question) == "" {
		return Answer{}, ErrEmptyQuestion
	}
	res, err := c.search.Search(ctx, retrieval.Query{Text: question, K: c.opts.K})
	if err != nil {
		return Answer{}, fmt.Errorf("search: %w", err)
	}
	a := Answer{Question: question, Passages: res.Passages, Relevance: c.opts.Floor.Score(res)}
	if !c.opts.Floor.Relevant(res) {
		a.Mode = ModeNotFound
		a.Text = MsgNotFound
		return a, nil
	}
	a.Mode = ModeExtractive
	a.Text, a.Sources = extract(res, c.opts.MaxSentences)
	if len(a.Sources) == 0 {
		a.Mode = ModeNotFound
		a.Text = MsgNotFound
	}
	return a, nil
}
