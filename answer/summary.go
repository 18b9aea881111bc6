package answer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// documenter lists the indexed articles of a period, or those that
// arrived in a span of time.
type documenter interface {
	Documents(from, to time.Time) []retrieval.Document
	Arrived(after, until time.Time) []retrieval.Document
	LatestDate() time.Time
}

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
	Stories  []Story
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

// Summarize summarises the news of a period (the latest day with articles
// unless the request names one): its articles grouped into stories, the
// stories ranked by how many outlets reported them and by recency, each
// told in its most central sentence or two, cited, with the outlets named.
// A topic keeps the stories that match it.
func (c *Composer) Summarize(ctx context.Context, req SummaryRequest) (Summary, error) {
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	docs, ok := c.search.(documenter)
	if !ok {
		return Summary{}, errNoDocuments
	}
	from, to, topic := req.From, req.To, req.Topic
	if from.IsZero() && to.IsZero() {
		p, rest, dated := persian.FindPeriod(req.Text, c.opts.Now())
		switch {
		case dated:
			from, to = p.From, p.To
		case persian.Canonical(rest) != "":
			// A topic alone: the week up to the latest news.
			to = docs.LatestDate()
			from = to.AddDate(0, 0, -6)
		default:
			from = docs.LatestDate()
			to = from
		}
		if topic == "" && persian.Canonical(rest) != "" {
			topic = strings.TrimSpace(rest)
		}
	}
	maxStories := req.MaxStories
	if maxStories <= 0 {
		maxStories = 5
	}
	s := Summary{From: from, To: to, Topic: topic, Period: periodName(from, to)}
	if from.IsZero() {
		return s, nil
	}
	period := docs.Documents(from, to)
	if topic != "" {
		var err error
		if period, err = c.onTopic(ctx, topic, from, to, period); err != nil {
			return Summary{}, err
		}
	}
	s.Stories, s.Sources = c.tell(ctx, period, maxStories)
	return s, nil
}

// Digest summarises the articles that arrived in the index in (after,
// until]: what is new since the previous digest. A digest with no stories
// has nothing new.
func (c *Composer) Digest(ctx context.Context, after, until time.Time, maxStories int) (Summary, error) {
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	docs, ok := c.search.(documenter)
	if !ok {
		return Summary{}, errNoDocuments
	}
	if maxStories <= 0 {
		maxStories = 5
	}
	arrived := docs.Arrived(after, until)
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

// onTopic keeps the documents that a search for topic within the period
// finds relevant.
func (c *Composer) onTopic(ctx context.Context, topic string, from, to time.Time, docs []retrieval.Document) ([]retrieval.Document, error) {
	res, err := c.search.Search(ctx, retrieval.Query{Text: topic, K: 50, PerArticle: 1, From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("search topic: %w", err)
	}
	terms := persian.Terms(topic)
	keep := map[string]bool{}
	for _, p := range res.Passages {
		if p.Score < topicShare*res.Passages[0].Score {
			continue
		}
		words := persian.Tokens(p.Title + " " + p.Text)
		for _, t := range terms {
			if matchStrength(t, words) > 0 {
				keep[p.ArticleID] = true
				break
			}
		}
	}
	var out []retrieval.Document
	for _, d := range docs {
		if keep[d.ID] {
			out = append(out, d)
		}
	}
	return out, nil
}

// topicShare is how close to the best match an article must score to be on
// the topic; it must also have a word of it, or a longer form («سیل»,
// «سیلاب»).
const topicShare = 0.6

// periodName names [from, to] in Persian: one date, or «از … تا …».
func periodName(from, to time.Time) string {
	return persian.Period{From: from, To: to}.String()
}
