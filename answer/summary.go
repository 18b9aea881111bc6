package answer

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// SummaryRequest asks for the news of a period.
type SummaryRequest struct {
	// Text is what the reader asked for after /summary: a period
	// («دیروز», «۱۵ مهر», «از ۱ مهر تا ۱۰ مهر», an ISO date), a topic,
	// both, or nothing (the latest day with articles). A topic without a
	// period looks at the week up to the latest news.
	Text string
	// From and To bound the period (calendar dates, inclusive); both zero
	// means the latest day that has articles.
	From, To time.Time
	// Topic, when set, keeps only stories that match it.
	Topic string
	// MaxStories caps the stories; default 5.
	MaxStories int
}

// Summary is the news of a period, story by story, each cited.
type Summary struct {
	// Period names the period in Persian («۱۳ مهر ۱۴۰۴»).
	Period   string
	From, To time.Time
	Topic    string
	// Note is a Persian remark shown under the heading: why there are no
	// stories («no news in this period», «nothing on this topic»), or that
	// the period was moved to a year that has news. "" when there is none.
	Note    string
	Stories []Story
	// Sources are the cited articles; Sources[i].N == i+1.
	Sources []Source
}

// Story is one event of a summary: a sentence or two with citation markers
// and the outlets that reported it.
type Story struct {
	Text    string
	Outlets []string
}

// String renders the summary as plain text: its [Summary.Blocks] under
// «خلاصه اخبار».
func (s Summary) String() string { return PlainText(s.Blocks(MsgSummaryHeading)) }

// Summarize summarises the news of a period: its articles grouped into
// stories, the stories ranked by how many outlets reported them and by
// recency, each told in its most central sentence or two, cited, with the
// outlets named. Without a period it is the latest news: the newest day
// with articles and, when that day has few, the days before it, up to a
// week. Dates are read against the news, as in questions; a period
// without news says so and names the newest day the index has. A topic is
// found by retrieval, not by its words alone: the stories that match it in
// the period, or without a period in the latest days that have any.
func (c *Composer) Summarize(ctx context.Context, req SummaryRequest) (Summary, error) {
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	from, to, topic := req.From, req.To, req.Topic
	var s Summary
	if from.IsZero() && to.IsZero() {
		reading, dated, err := c.readPeriod(ctx, req.Text)
		if err != nil {
			return Summary{}, err
		}
		rest := req.Text
		if dated {
			from, to, rest = reading.Period.From, reading.Period.To, reading.Rest
			if reading.Moved() {
				s.Note = fmt.Sprintf(MsgSummaryMoved, periodPhrase(reading.Asked), periodPhrase(reading.Period))
			}
		}
		if topic == "" {
			topic = topicOf(rest)
		}
	}
	maxStories := req.MaxStories
	if maxStories <= 0 {
		maxStories = 5
	}
	s.Topic = topic
	dated := !from.IsZero() || !to.IsZero()
	if dated {
		has, err := c.ix.HasArticles(ctx, from, to)
		if err != nil {
			return Summary{}, fmt.Errorf("dates: %w", err)
		}
		if !has {
			s.From, s.To, s.Period = from, to, periodName(from, to)
			s.Note = strings.TrimSpace(fmt.Sprintf(MsgPeriodEmpty, periodPhrase(persian.Period{From: from, To: to})) + " " + c.latestNews(ctx))
			return s, nil
		}
	}
	var period []retrieval.Document
	switch {
	case topic != "":
		var err error
		if period, from, to, err = c.onTopic(ctx, topic, from, to); err != nil {
			return Summary{}, err
		}
		if len(period) == 0 {
			s.From, s.To, s.Period = from, to, periodName(from, to)
			if dated {
				s.Note = fmt.Sprintf(MsgTopicEmptyInPeriod, topic, periodPhrase(persian.Period{From: from, To: to}))
			} else {
				s.Note = fmt.Sprintf(MsgTopicEmpty, topic)
			}
			return s, nil
		}
	case dated:
		var err error
		if period, err = c.ix.Documents(ctx, from, to); err != nil {
			return Summary{}, fmt.Errorf("%w: %w", errNoDocuments, err)
		}
	default:
		var err error
		if period, from, to, err = latestNews(ctx, c.ix, maxStories); err != nil {
			return Summary{}, fmt.Errorf("%w: %w", errNoDocuments, err)
		}
	}
	s.From, s.To, s.Period = from, to, periodName(from, to)
	if from.IsZero() {
		return s, nil
	}
	s.Stories, s.Sources = c.tell(ctx, period, maxStories)
	return s, nil
}

// latestNews returns the articles of the newest day with news and, while
// they are fewer than enough, of the days before it, up to a week; and the
// period they span.
func latestNews(ctx context.Context, ix index, enough int) ([]retrieval.Document, time.Time, time.Time, error) {
	to, err := ix.LatestDate(ctx)
	if err != nil || to.IsZero() {
		return nil, to, to, err
	}
	from := to
	period, err := ix.Documents(ctx, from, to)
	if err != nil {
		return nil, from, to, err
	}
	for back := 1; back < latestDays && len(period) < enough; back++ {
		d := to.AddDate(0, 0, -back)
		more, err := ix.Documents(ctx, d, d)
		if err != nil {
			return nil, from, to, err
		}
		if len(more) > 0 {
			period, from = append(period, more...), d
		}
	}
	return period, from, to, nil
}

// latestDays bounds the days the latest news spans.
const latestDays = 7

// Digest summarises the articles that arrived in the index in (after,
// until]: what is new since the previous digest. A digest with no stories
// has nothing new.
func (c *Composer) Digest(ctx context.Context, after, until time.Time, maxStories int) (Summary, error) {
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	if maxStories <= 0 {
		maxStories = 5
	}
	arrived, err := c.ix.Arrived(ctx, after, until)
	if err != nil {
		return Summary{}, fmt.Errorf("%w: %w", errNoDocuments, err)
	}
	var s Summary
	for _, d := range arrived {
		if d.Date.IsZero() {
			continue
		}
		if s.From.IsZero() || d.Date.Before(s.From) {
			s.From = d.Date
		}
		if d.Date.After(s.To) {
			s.To = d.Date
		}
	}
	s.Period = periodName(s.From, s.To)
	s.Stories, s.Sources = c.tell(ctx, arrived, maxStories)
	return s, nil
}

// tell groups docs into stories and tells the best maxStories of them:
// written by the model when one is configured (checked like an answer),
// else, or when the model fails, in the articles' own most central
// sentences.
func (c *Composer) tell(ctx context.Context, docs []retrieval.Document, maxStories int) ([]Story, []Source) {
	clusters := clusterStories(docs)
	clusters = clusters[:min(len(clusters), maxStories)]
	if c.opts.LLM != nil && len(clusters) > 0 {
		stories, sources, err := c.generateStories(ctx, clusters)
		if err == nil {
			return stories, sources
		}
		c.opts.Log.Warn("generated summary failed; extractive summary given", "err", err)
	}
	return extractiveStories(clusters)
}

// extractiveStories tells each story in its most central sentences,
// citing the articles quoted.
func extractiveStories(clusters []story) ([]Story, []Source) {
	var stories []Story
	var sources []Source
	number := map[string]int{}
	for _, st := range clusters {
		var parts []string
		for _, cs := range centralSentences(st, sentencesPerStory(st)) {
			d := st.docs[cs.doc]
			n, ok := number[d.ID]
			if !ok {
				n = len(sources) + 1
				number[d.ID] = n
				sources = append(sources, Source{N: n, Passage: retrieval.Passage{Chunk: retrieval.Chunk{
					ArticleID: d.ID, Title: d.Title, Source: d.Source, URL: d.URL, Date: d.Date, Text: cs.text,
				}}})
			}
			parts = append(parts, cs.text+" "+persian.Marker(n))
		}
		if len(parts) > 0 {
			stories = append(stories, Story{Text: strings.Join(parts, " "), Outlets: outletsOf(st.docs)})
		}
	}
	return stories, sources
}

// sentencesPerStory is two for a story several articles report, else one.
func sentencesPerStory(st story) int {
	if len(st.docs) > 1 {
		return 2
	}
	return 1
}

// onTopic finds the articles on topic: within [from, to] when a period is
// given, else in the latest days that have a few (the week up to the newest
// article, widened to the month, the year, all while it has fewer than
// three). An article is on the topic when
// its best passage holds most of the topic's term weight, or, for a field
// of news («اقتصاد», «ورزشی»), words of that field. It returns the articles
// and the period they span (or the period searched, when none is found).
func (c *Composer) onTopic(ctx context.Context, topic string, from, to time.Time) ([]retrieval.Document, time.Time, time.Time, error) {
	windows := [][2]time.Time{{from, to}}
	if from.IsZero() && to.IsZero() {
		latest, err := c.ix.LatestDate(ctx)
		if err != nil {
			return nil, from, to, fmt.Errorf("%w: %w", errNoDocuments, err)
		}
		windows = windows[:0]
		for _, days := range topicWindows {
			windows = append(windows, [2]time.Time{latest.AddDate(0, 0, 1-days), latest})
		}
		windows = append(windows, [2]time.Time{})
	}
	query, field := topic, fieldOf(topic)
	if field != nil {
		query = strings.Join(field, " ")
	}
	var keep map[string]bool
	var first, last time.Time
	for _, w := range windows {
		if len(keep) >= topicEnough {
			break
		}
		res, err := c.ix.Search(ctx, retrieval.Query{Text: query, K: topicArticles, PerArticle: 1, From: w[0], To: w[1]})
		if err != nil {
			return nil, from, to, fmt.Errorf("search topic: %w", err)
		}
		keep, first, last = map[string]bool{}, time.Time{}, time.Time{}
		for _, p := range res.Passages {
			if !onTopic(p, res.Terms, field) {
				continue
			}
			keep[p.ArticleID] = true
			if first.IsZero() || p.Date.Before(first) {
				first = p.Date
			}
			if p.Date.After(last) {
				last = p.Date
			}
		}
	}
	if len(keep) == 0 {
		return nil, from, to, nil
	}
	all, err := c.ix.Documents(ctx, first, last)
	if err != nil {
		return nil, from, to, fmt.Errorf("%w: %w", errNoDocuments, err)
	}
	var out []retrieval.Document
	for _, d := range all {
		if keep[d.ID] {
			out = append(out, d)
		}
	}
	return out, first, last, nil
}

// onTopic reports whether passage p is on the topic searched: its words
// (or longer forms of them: «سیلاب» for «سیل») hold most of the topic's
// term weight; or, for a field of news, its article's title (its lead)
// uses a word of the field, for a word deeper in the text («قیمت بلیت» in
// a film festival's report) does not make an economic story.
func onTopic(p retrieval.Passage, terms []retrieval.Term, field []string) bool {
	if field != nil {
		words := map[string]bool{}
		for _, t := range persian.Terms(p.Title) {
			words[t] = true
		}
		for _, t := range field {
			if words[t] {
				return true
			}
		}
		return false
	}
	words := persian.Tokens(p.Title + " " + p.Text)
	var total, have float64
	for _, t := range terms {
		if t.Variant || t.Expands != "" {
			continue // a correction or a synonym stands in for a word counted once
		}
		total += t.IDF
		if hasForm(t.Text, words) || t.Correction != "" && hasForm(t.Correction, words) {
			have += t.IDF
		}
	}
	return total > 0 && have/total >= topicCoverage
}

// hasForm reports whether words hold term (canonical, stemmed), its
// inflections or a longer word it begins («سیل» in «سیلاب»).
func hasForm(term string, words []string) bool {
	long := utf8.RuneCountInString(term) >= 3
	for _, w := range words {
		if w == term || persian.Stem(w) == term || long && strings.HasPrefix(w, term) {
			return true
		}
	}
	return false
}

// Bounds of a topic's search.
const (
	// topicCoverage is the share of the topic's term weight (idf) an
	// article's best passage must hold: «قیمت دلار» needs both words,
	// «مذاکرات هسته‌ای ایران و آمریکا» may miss its commonest.
	topicCoverage = 0.75
	// topicArticles is how many articles a topic search looks at.
	topicArticles = 50
	// topicEnough is how many articles on the topic end the widening of
	// its window.
	topicEnough = 3
)

// topicWindows are the spans, in days up to the newest article, in which a
// topic without a period is looked for, shortest first.
var topicWindows = []int{7, 31, 366}

// topicOf is the topic of a summary request without its period: the words
// that introduce it («درباره», «از», «اخبار») taken off.
func topicOf(text string) string {
	m := splitMessage(text)
	i := 0
	for i < len(m.toks) {
		if n := m.match(i, topicWords); n > 0 {
			i += n
		} else if n := m.match(i, heads); n > 0 {
			i += n
		} else {
			break
		}
	}
	return m.text(i, len(m.toks))
}

// periodName names [from, to] in Persian: one date, or «از … تا …».
func periodName(from, to time.Time) string {
	return persian.Period{From: from, To: to}.String()
}
