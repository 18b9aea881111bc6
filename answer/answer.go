package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/khabar/khabar/internal/llm"

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
	ModeGenerated  Mode = "llm"
	ModeNotFound   Mode = "notfound"
)

// Answer is a reply to a question: Persian text with inline markers [۱],
// the sources those markers point to, and the passages retrieval found.
type Answer struct {
	// Question is the question as asked.
	Question string
	// Standalone is the question as searched: a follow-up made standalone.
	Standalone string
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
	// [Floor.Score]); 0 when the quoted sentences do not meet the
	// question's constraints (a near miss).
	Relevance float64
	// Period names the dates the question asked about («دیروز» → «۱۲ مهر
	// ۱۴۰۴»), to which the search was limited; "" when it named none.
	Period string
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
	if a.Period != "" {
		b.WriteString("\n\n")
		b.WriteString(MsgPeriod + " " + a.Period)
	}
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

// chatModel is an OpenAI-compatible chat API; *llm.Client satisfies it.
type chatModel interface {
	Chat(ctx context.Context, req llm.ChatRequest) (string, error)
	ChatStream(ctx context.Context, req llm.ChatRequest, onText func(string)) (string, error)
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
	// LLM, when set, writes the answers (checked and cited; the extractive
	// answer is the fallback). Nil keeps khabar offline.
	LLM chatModel
	// Model is the chat model's name.
	Model string
	// Budget bounds the generative part of an answer, retries included;
	// default 60 s. Past it the extractive answer is given.
	Budget time.Duration
	// MemoryTurns and MemoryTTL bound the memory of each conversation for
	// follow-up questions; defaults 4 turns and 30 minutes. A negative
	// MemoryTurns turns the memory off.
	MemoryTurns int
	MemoryTTL   time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Log receives operator messages (LLM failures); default discards.
	Log *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.K <= 0 {
		o.K = 5
	}
	if o.MaxSentences <= 0 {
		o.MaxSentences = 4
	}
	o.Floor = o.Floor.withDefaults()
	if o.Budget <= 0 {
		o.Budget = 60 * time.Second
	}
	switch {
	case o.MemoryTurns == 0:
		o.MemoryTurns = 4
	case o.MemoryTurns < 0:
		o.MemoryTurns = 0
	}
	if o.MemoryTTL <= 0 {
		o.MemoryTTL = 30 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// Composer answers questions from an index. It is safe for concurrent use.
type Composer struct {
	search searcher
	opts   Options
	memory *memory
}

// New returns a composer that retrieves with s.
func New(s searcher, opts Options) *Composer {
	opts = opts.withDefaults()
	return &Composer{search: s, opts: opts, memory: newMemory(opts.MemoryTurns, opts.MemoryTTL, opts.Now)}
}

// Floor returns the composer's relevance floor.
func (c *Composer) Floor() Floor { return c.opts.Floor }

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

// Answer answers the request's question from the index: a follow-up is
// first made standalone, passages are retrieved, and below the relevance
// floor the answer says that nothing was found. With an LLM the model
// writes the answer and its citations are checked; on any failure the
// extractive answer is given with a short note.
func (c *Composer) Answer(ctx context.Context, req Request) (Answer, error) {
	question := strings.TrimSpace(strings.ToValidUTF8(req.Question, ""))
	if persian.Canonical(question) == "" {
		return Answer{}, ErrEmptyQuestion
	}
	standalone := c.standalone(ctx, req.Conversation, question)
	q := retrieval.Query{Text: standalone, K: c.opts.K}
	period, rest, dated := persian.FindPeriod(standalone, c.opts.Now())
	if dated {
		q.From, q.To = period.From, period.To
		if persian.Canonical(rest) != "" {
			q.Text = rest
		}
	}
	res, err := c.search.Search(ctx, q)
	if err != nil {
		return Answer{}, fmt.Errorf("search: %w", err)
	}
	a := Answer{Question: question, Standalone: standalone, Passages: res.Passages, Relevance: c.opts.Floor.Score(res)}
	if dated {
		a.Period = period.String()
	}
	defer func() {
		c.memory.add(req.Conversation, turn{question: question, standalone: standalone, answer: a.Text})
	}()
	if !c.opts.Floor.Relevant(res) {
		a.Mode, a.Text = ModeNotFound, MsgNotFound
		return a, nil
	}
	a.Mode = ModeExtractive
	ex := extract(res, c.opts.MaxSentences)
	a.Text, a.Sources = ex.text, ex.sources
	if len(a.Sources) == 0 {
		a.Mode, a.Text = ModeNotFound, MsgNotFound
		return a, nil
	}
	if !meetsConstraints(res, ex) {
		// A near miss: the passages are on the topic, not on the fact asked.
		a.Mode, a.Text, a.Sources, a.Relevance = ModeNotFound, MsgNotFound, nil, 0
		return a, nil
	}
	if c.opts.LLM == nil {
		return a, nil
	}
	gen, err := c.generate(ctx, question, res.Passages, req.Stream)
	if err != nil {
		c.opts.Log.Warn("generative answer failed; extractive answer given", "err", err)
		a.Note = MsgLLMFallback
		return a, nil
	}
	a.Mode, a.Text, a.Sources = gen.Mode, gen.Text, gen.Sources
	return a, nil
}

// errUnusable is a generated answer that fails the checks.
var errUnusable = errors.New("generated answer unusable")

// generate asks the model, within the budget, and checks its answer.
func (c *Composer) generate(ctx context.Context, question string, passages []retrieval.Passage, stream func(string)) (Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Budget)
	defer cancel()
	req := llm.ChatRequest{Model: c.opts.Model, Messages: chatMessages(question, passages), MaxTokens: 800}
	var text string
	var err error
	if stream != nil {
		text, err = c.opts.LLM.ChatStream(ctx, req, func(s string) { stream(persianMarkers(s)) })
	} else {
		text, err = c.opts.LLM.Chat(ctx, req)
	}
	if err != nil {
		return Answer{}, err
	}
	if saysNotFound(text) {
		return Answer{Mode: ModeNotFound, Text: MsgNotFound}, nil
	}
	if !mostlyPersian(text) {
		return Answer{}, fmt.Errorf("%w: not in Persian", errUnusable)
	}
	out, sources, ok := gate(text, passages)
	if !ok {
		return Answer{}, fmt.Errorf("%w: no valid citation", errUnusable)
	}
	return Answer{Mode: ModeGenerated, Text: out, Sources: sources}, nil
}

// standalone returns the question as it should be searched: a follow-up
// in a conversation with recent turns is rewritten by the model, or
// without one carries the previous question's words.
func (c *Composer) standalone(ctx context.Context, conversation, question string) string {
	turns := c.memory.recent(conversation)
	if len(turns) == 0 {
		return question
	}
	if c.opts.LLM != nil {
		rctx, cancel := context.WithTimeout(ctx, c.opts.Budget/3)
		defer cancel()
		text, err := c.opts.LLM.Chat(rctx, llm.ChatRequest{Model: c.opts.Model, Messages: rewriteMessages(turns, question), MaxTokens: 120})
		if text = strings.TrimSpace(text); err == nil && text != "" && persian.Canonical(text) != "" && len([]rune(text)) < 400 {
			return text
		}
		if err != nil {
			c.opts.Log.Warn("follow-up rewrite failed; carrying the previous question's words", "err", err)
		}
	}
	if isFollowUp(question) {
		return carryOver(question, turns[len(turns)-1])
	}
	return question
}
