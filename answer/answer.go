package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/khabar/khabar/llm"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// ErrEmptyQuestion is returned for a question with no words.
var ErrEmptyQuestion = errors.New("empty question")

// errNoDocuments is returned (wrapped) by [Composer.Summarize] and
// [Composer.Digest] when the index cannot list articles.
var errNoDocuments = errors.New("the index cannot list articles")

// index is what the composer needs of the index: search, the articles of
// a period or of a span of arrival, and its dates. Every [retrieval.Store]
// has it, the in-process *retrieval.Index among them.
type index interface {
	Search(ctx context.Context, q retrieval.Query) (retrieval.Result, error)
	Documents(ctx context.Context, from, to time.Time) ([]retrieval.Document, error)
	Arrived(ctx context.Context, after, until time.Time) ([]retrieval.Document, error)
	LatestDate(ctx context.Context) (time.Time, error)
	HasArticles(ctx context.Context, from, to time.Time) (bool, error)
}

var (
	_ index = retrieval.Store(nil)
	_ index = (*retrieval.Index)(nil)
)

// Mode says how an answer was made.
type Mode string

// The modes of an [Answer].
const (
	ModeExtractive Mode = "extractive"
	ModeGenerated  Mode = "llm"
	ModeNotFound   Mode = "notfound"
	// ModeLanguage is a question in another language asked without a
	// model to read it: the reply says how to ask, citing nothing.
	ModeLanguage Mode = "language"
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
	// Related are, for a not-found reply to a question that was searched,
	// the best passages of up to [maxRelated] articles on its topic that do
	// not answer it: their headlines are listed, labelled, citing nothing.
	// Empty when the passages were too far from the question.
	Related []retrieval.Passage
	// Note is a short Persian remark shown under the answer, or "".
	Note string
	// Relevance is the retrieval result's relevance (see
	// [retrieval.Result.Relevance]), which the floor compares; 0 when the
	// quoted sentences do not meet the question's constraints (a near
	// miss).
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

// String renders the answer as plain text: its [Answer.Blocks].
func (a Answer) String() string { return PlainText(a.Blocks()) }

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
	// Conversations, when set, keeps the conversations' turns instead of
	// the in-process memory (several replicas sharing one store); the
	// bounds above still apply.
	Conversations ConversationStore
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
	ix     index
	opts   Options
	memory conversations
}

// New returns a composer that retrieves from ix.
func New(ix index, opts Options) *Composer {
	opts = opts.withDefaults()
	var mem conversations = newMemory(opts.MemoryTurns, opts.MemoryTTL, opts.Now)
	if opts.Conversations != nil {
		mem = &storeMemory{store: opts.Conversations, turns: opts.MemoryTurns, ttl: opts.MemoryTTL, now: opts.Now}
	}
	return &Composer{ix: ix, opts: opts, memory: mem}
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
	standalone, rewritten := c.standalone(ctx, req.Conversation, question)
	if !rewritten && !persianScript(question) {
		// Offline, or the model failed: another language cannot be read.
		return Answer{Question: question, Standalone: question, Mode: ModeLanguage, Text: MsgPersianOnly}, nil
	}
	q := retrieval.Query{Text: standalone, K: c.opts.K}
	cont, continues := continuation{}, false
	if !rewritten {
		cont, continues = c.continued(ctx, req.Conversation, question, standalone)
		if continues {
			standalone = cont.standalone
		}
	}
	reading, dated, err := c.readPeriod(ctx, standalone)
	if err != nil {
		return Answer{}, err
	}
	about, pastYear := false, 0
	if dated {
		q.From, q.To = reading.Period.From, reading.Period.To
		if about = reading.Period.WholeMonths(); about {
			// A month or a year is what the question is about («تورم
			// شهریور»): reports on it come out in the weeks after, and a
			// month's name stays in the query so that passages naming it
			// rank first («امسال», «پارسال» name nothing an article says).
			q.To = q.To.AddDate(0, 0, aboutLagDays)
			if len(persian.Months(standalone)) == 0 && persian.Canonical(reading.Rest) != "" {
				q.Text = reading.Rest
			}
			if y, ok := c.pastYear(reading.Period); ok {
				// A past year («پارسال») is told all through the next one.
				pastYear, q.To = y, persian.FromJalali(y+2, 1, 1).AddDate(0, 0, -1)
			}
		} else if persian.Canonical(reading.Rest) != "" {
			q.Text = reading.Rest
		}
	}
	a := Answer{Question: question, Standalone: standalone}
	defer func() {
		t := turn{question: question, standalone: standalone, answer: a.Text}
		if !a.NotFound() {
			for _, s := range a.Sources {
				t.articles = append(t.articles, s.ArticleID)
			}
		}
		c.memory.add(req.Conversation, t)
	}()
	if dated {
		has, err := c.ix.HasArticles(ctx, q.From, q.To)
		if err != nil {
			return Answer{}, fmt.Errorf("dates: %w", err)
		}
		if !has {
			a.Mode, a.Text, a.Note = ModeNotFound, fmt.Sprintf(MsgPeriodEmpty, periodPhrase(reading.Period)), c.latestNews(ctx)
			return a, nil
		}
		a.Period = reading.Period.String()
		if reading.Moved() {
			a.Note = fmt.Sprintf(MsgPeriodMoved, periodPhrase(reading.Asked), periodPhrase(reading.Period))
		}
	}
	floor, res := c.opts.Floor, cont.res
	if continues {
		floor = cont.floor
	} else if res, err = c.ix.Search(ctx, q); err != nil {
		return Answer{}, fmt.Errorf("search: %w", err)
	} else {
		res = c.byOutlets(ctx, q, res)
	}
	if dated && !about && !c.opts.Floor.Relevant(res) {
		// An evening's event is reported the next day: «۱۷ مهر بازی …».
		next := q
		next.Text, next.To = standalone, q.To.AddDate(0, 0, 1)
		if later, err := c.ix.Search(ctx, next); err == nil && c.opts.Floor.Relevant(later) {
			res = later
		}
	}
	if rewritten && !c.opts.Floor.Relevant(res) {
		// The model's query found nothing: the reader's own words may.
		q.Text = question
		if orig, err := c.ix.Search(ctx, q); err == nil && c.opts.Floor.Relevant(orig) {
			res, standalone = orig, question
			a.Standalone = standalone
		}
	}
	a.Passages, a.Relevance = res.Passages, res.Relevance
	notFound := func() (Answer, error) {
		a.Mode, a.Text, a.Sources = ModeNotFound, MsgNotFound, nil
		a.Related = c.related(res)
		return a, nil
	}
	if !floor.Relevant(res) {
		return notFound()
	}
	a.Mode = ModeExtractive
	ex := extract(res, c.opts.MaxSentences)
	a.Text, a.Sources = ex.text, ex.sources
	if len(a.Sources) == 0 {
		return notFound()
	}
	if pastYear > 0 && !aboutYear(pastYear, a) {
		return notFound()
	}
	if about {
		if found, other := otherMonth(reading.Period, a); other {
			a.Note = fmt.Sprintf(MsgOtherMonth, periodPhrase(reading.Period), found)
			return notFound()
		}
	}
	checked := res
	if continues {
		checked = wholeQuestion(res, question, cont.standalone)
	}
	// «چند فیلم» is shown with «۱۸۰ فیلم» first; what is shown is what
	// must give what is asked. When only the count does, it must be the
	// count of the story the question found: a sentence of the article the
	// answer came from, not another's figure (a footballer's age for a
	// surgeon's).
	plain := answers(checked, ex)
	shown, shownAnswers := ex, plain
	if countedNoun(res.Question) != "" { // else the counting extraction is ex
		shown = extractCounting(res, c.opts.MaxSentences, true)
		shownAnswers = len(shown.sources) > 0 && answers(checked, shown)
	}
	switch {
	case shownAnswers && (plain || oneArticle(res, ex, shown)):
		a.Text, a.Sources = shown.text, shown.sources
	case plain:
	default:
		// A near miss: the passages are on the topic, not on the fact asked.
		a.Relevance = 0
		return notFound()
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
	if a.NotFound() {
		a.Related = c.related(res)
	}
	return a, nil
}

// maxRelated bounds the related headlines of a not-found reply.
const maxRelated = 3

// relatedShare is the share of the floor's threshold the passages must
// score for a not-found reply to list their headlines: under it they are
// not on the question's topic.
const relatedShare = 0.8

// related returns the passages whose headlines a not-found reply lists:
// the best passage of each of the first [maxRelated] articles with a title,
// when the passages score at least [relatedShare] of the floor's threshold
// (a near miss, or a question just under the floor); none for passages far
// from the question. Titles are shown as quoted sentences are, with any
// citation-like marker removed, so that the reply cites nothing.
func (c *Composer) related(res retrieval.Result) []retrieval.Passage {
	if res.Relevance < relatedShare*c.opts.Floor.Threshold {
		return nil
	}
	var out []retrieval.Passage
	seen := map[string]bool{}
	for _, p := range res.Passages {
		if seen[p.ArticleID] || len(out) == maxRelated {
			continue
		}
		seen[p.ArticleID] = true
		title := strings.Join(strings.Fields(markerPattern.ReplaceAllString(p.Title, " ")), " ")
		if title == "" {
			continue
		}
		p.Title = display(title)
		out = append(out, p)
	}
	return out
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

// standalone returns the question as it should be searched, and whether
// the model rewrote it. With a model every question is rewritten into a
// standalone Persian search query (a follow-up, English, colloquial
// Persian); without one, or when the model fails, a follow-up in a
// conversation with recent turns carries the previous question's words.
func (c *Composer) standalone(ctx context.Context, conversation, question string) (string, bool) {
	turns := c.memory.recent(conversation)
	if c.opts.LLM != nil {
		rctx, cancel := context.WithTimeout(ctx, c.opts.Budget/3)
		defer cancel()
		text, err := c.opts.LLM.Chat(rctx, llm.ChatRequest{Model: c.opts.Model, Messages: rewriteMessages(turns, question), MaxTokens: 120})
		text = strings.Trim(strings.TrimSpace(text), "«»\"")
		// A rewrite that carries citation markers is an answer, not a
		// query: its marker numbers would become the question's numbers.
		_, markers := stripMarkers(text)
		if err == nil && len(markers) == 0 && persianScript(text) && persian.Canonical(text) != "" && len([]rune(text)) < 400 {
			return text, true
		}
		if err != nil {
			c.opts.Log.Warn("question rewrite failed; searching the question as asked", "err", err)
		}
	}
	if len(turns) > 0 && isFollowUp(question) {
		return carryOver(question, turns[len(turns)-1]), false
	}
	return question, false
}

// persianScript reports whether s is written in the Persian (Arabic)
// script: it has a letter of it («قیمت iPhone چند است؟»), or no letter at
// all.
func persianScript(s string) bool {
	arabic, latin := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r):
			arabic++
		case unicode.IsLetter(r):
			latin++
		}
	}
	return arabic > 0 || latin == 0
}

// aboutLagDays is how long after a month or a year the reports on it are
// published: monthly statistics come out in the first weeks of the next.
const aboutLagDays = 42

// readPeriod reads the period that text names, against the news: when
// the index cannot tell which periods have news, the error is returned.
func (c *Composer) readPeriod(ctx context.Context, text string) (persian.Reading, bool, error) {
	var failed error
	has := func(p persian.Period) bool {
		if failed != nil {
			return false
		}
		ok, err := c.ix.HasArticles(ctx, p.From, p.To)
		failed = err
		return ok
	}
	reading, dated := persian.ReadPeriod(text, c.opts.Now(), has)
	if failed != nil {
		return persian.Reading{}, false, fmt.Errorf("dates: %w", failed)
	}
	return reading, dated, nil
}

// latestNews names the newest day the index has news of, as a note, or ""
// when it has no dated article or cannot tell.
func (c *Composer) latestNews(ctx context.Context) string {
	latest, err := c.ix.LatestDate(ctx)
	if err != nil {
		c.opts.Log.Warn("the index cannot tell its latest date; no note given", "err", err)
		return ""
	}
	if latest.IsZero() {
		return ""
	}
	return fmt.Sprintf(MsgLatestNews, persian.FormatDate(latest))
}

// otherMonth reports whether an answer about month p speaks of another
// month: its sentences (or, when they name none, its cited passages) name
// other months more often than p. found names the month they name most.
func otherMonth(p persian.Period, a Answer) (found persian.Month, other bool) {
	y, m, _ := persian.JalaliDate(p.From)
	if ly, lm, _ := persian.JalaliDate(p.To); ly != y || lm != m {
		return persian.Month{}, false // not a single month
	}
	months := persian.Months(a.Text)
	if len(months) == 0 {
		for _, s := range a.Sources {
			months = append(months, persian.Months(s.Text)...)
		}
	}
	asked, counts := 0, map[persian.Month]int{}
	for _, mm := range months {
		if mm.Month == m && (mm.Year == 0 || mm.Year == y) {
			asked++
			continue
		}
		counts[mm]++
		if counts[mm] > counts[found] || counts[mm] == counts[found] && found.Year == 0 {
			found = mm
		}
	}
	return found, len(months)-asked > asked
}

// pastYear returns the Jalali year p is, when p is one whole year before
// the current one.
func (c *Composer) pastYear(p persian.Period) (int, bool) {
	y, m, d := persian.JalaliDate(p.From)
	ny, nm, nd := persian.JalaliDate(p.To.AddDate(0, 0, 1))
	now, _, _ := persian.JalaliDate(c.opts.Now().In(persian.Tehran()))
	return y, m == 1 && d == 1 && nm == 1 && nd == 1 && ny == y+1 && y < now
}

// lastYear are the words a report of the next year names a past year by.
var lastYear = []string{"سال گذشته", "سال قبل", "سال پیش", "پارسال"}

// aboutYear reports whether a sentence of answer a speaks of Jalali year
// y: it names y, or its source was published in y, or, published the year
// after, it speaks of «سال گذشته». A report of the next year that names
// neither («امسال …», «کنکور ۱۴۰۴») is about its own year.
func aboutYear(y int, a Answer) bool {
	digits := strconv.Itoa(y)
	for _, line := range strings.Split(a.Text, "\n") {
		text := persian.Canonical(line)
		if strings.Contains(text, digits) {
			return true
		}
		for _, m := range sentenceMarker.FindAllStringSubmatch(persian.ASCIIDigits(line), -1) {
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > len(a.Sources) {
				continue
			}
			switch py, _, _ := persian.JalaliDate(a.Sources[n-1].Date); py {
			case y:
				return true
			case y + 1:
				for _, w := range lastYear {
					if strings.Contains(" "+text+" ", " "+persian.Canonical(w)+" ") {
						return true
					}
				}
			}
		}
	}
	return false
}

// sentenceMarker is a citation marker of an extractive sentence, in ASCII
// digits.
var sentenceMarker = regexp.MustCompile(`\[(\d+)\]`)

// periodPhrase names p inside a sentence: «۱۳ مهر ۱۴۰۴», «شهریور ۱۴۰۴»,
// «بازهٔ از … تا …».
func periodPhrase(p persian.Period) string {
	y, m, d := persian.JalaliDate(p.From)
	if ty, _, _ := persian.JalaliDate(p.To); m == 1 && d == 1 && ty == y && !p.From.Equal(p.To) {
		return msgYear + " " + persian.Itoa(y) // «امسال» so far
	}
	s := p.String()
	if strings.HasPrefix(s, "از ") {
		return msgSpan + " " + s
	}
	return s
}
