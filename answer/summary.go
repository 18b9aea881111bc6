package answer

import (
	"context"
	"strings"
	"time"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// documenter lists the indexed articles of a period.
type documenter interface {
	Documents(from, to time.Time) []retrieval.Document
	LatestDate() time.Time
}

// SummaryRequest asks for the news of a period.
type SummaryRequest struct {
	// Text is what the reader asked for after /summary: a period
	// («دیروز», «۱۵ مهر»), a topic, both, or nothing.
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

// String renders the summary as plain text.
func (s Summary) String() string {
	var b strings.Builder
	b.WriteString(MsgSummaryHeading + " " + s.Period)
	if len(s.Stories) == 0 {
		b.WriteString("\n\n" + MsgSummaryEmpty)
		return b.String()
	}
	for _, st := range s.Stories {
		b.WriteString("\n\n• " + st.Text)
		if len(st.Outlets) > 1 {
			b.WriteString("\n" + MsgReportedBy + " " + strings.Join(st.Outlets, "، "))
		}
	}
	b.WriteString("\n\n" + MsgSourcesHeading)
	for _, src := range s.Sources {
		b.WriteString("\n" + src.Line())
	}
	return b.String()
}

// Summarize summarises the news of a period: the latest day with articles
// unless the request names one. Each article's lead sentence stands for it,
// newest first.
func (c *Composer) Summarize(ctx context.Context, req SummaryRequest) (Summary, error) {
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	docs, ok := c.search.(documenter)
	if !ok {
		return Summary{}, errNoDocuments
	}
	from, to := req.From, req.To
	if from.IsZero() && to.IsZero() {
		from = docs.LatestDate()
		to = from
	}
	max := req.MaxStories
	if max <= 0 {
		max = 5
	}
	s := Summary{From: from, To: to, Topic: req.Topic, Period: periodName(from, to)}
	if from.IsZero() {
		return s, nil
	}
	for _, d := range docs.Documents(from, to) {
		if len(s.Stories) == max {
			break
		}
		lead := leadSentence(d.Text)
		if lead == "" {
			continue
		}
		n := len(s.Sources) + 1
		s.Sources = append(s.Sources, Source{N: n, Passage: retrieval.Passage{Chunk: retrieval.Chunk{
			ArticleID: d.ID, Title: d.Title, Source: d.Source, URL: d.URL, Date: d.Date, Text: lead,
		}}})
		var outlets []string
		if d.Source != "" {
			outlets = []string{d.Source}
		}
		s.Stories = append(s.Stories, Story{Text: lead + " " + persian.Marker(n), Outlets: outlets})
	}
	return s, nil
}

// leadSentence is the first sentence of text.
func leadSentence(text string) string {
	for _, sp := range persian.Sentences(text) {
		return sp.Text
	}
	return ""
}

// periodName names [from, to] in Persian: one date, or «از … تا …».
func periodName(from, to time.Time) string {
	switch {
	case from.IsZero() && to.IsZero():
		return ""
	case to.IsZero() || from.Equal(to):
		return persian.FormatDate(from)
	case from.IsZero():
		return MsgUntil + " " + persian.FormatDate(to)
	}
	return MsgFrom + " " + persian.FormatDate(from) + " " + MsgUntil + " " + persian.FormatDate(to)
}
