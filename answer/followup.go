package answer

import (
	"context"
	"slices"
	"strings"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// focusK is how many passages a search for a follow-up takes, with no cap
// per article, so that those of the articles the conversation is about
// are among them.
const focusK = 30

// minOwnShare is the share of a question's own term weight (idf) the
// passage of the previous answer's articles must hold for the question to
// be read as going on about them.
const minOwnShare = 0.4

// ownFloorShare is the share of the floor's threshold that the previous
// answer's articles must reach for the question's own words alone: its
// subject is theirs, which the question leaves out («چند تا تماشاگر
// اومده بودن؟»), so it scores less than a question that names it.
const ownFloorShare = 0.5

// continuation is how a question goes on about the previous answer's
// articles: their passages that answer it, and the standalone question
// remembered for the next turn.
type continuation struct {
	standalone string
	res        retrieval.Result // the passages of the articles, rated
	floor      Floor            // the floor res cleared
}

// continued reads a question in a conversation as going on about the
// articles the previous answer cited, when they answer it: «چند تا
// تماشاگر اومده بودن؟» after «سپاهان با تراکتور چند چند شد؟» is about that
// match, not the largest crowd of the week. Only the passages of the
// previous answer's articles are kept, searched with the question's own
// words (the articles are its subject), or else with the previous
// question's words too (see [carryOver]); they must clear the floor, meet
// the question's constraints and hold at least [minOwnShare] of the weight
// of its own words (a question on another story, «سیل مازندران کی آمد؟»,
// holds none). ok is
// false when the question is read as it is (standalone); a dated question
// always is: its period is its subject.
func (c *Composer) continued(ctx context.Context, conversation, question, standalone string) (continuation, bool) {
	turns := c.memory.recent(conversation)
	if len(turns) == 0 {
		return continuation{}, false
	}
	prev := turns[len(turns)-1]
	if len(prev.articles) == 0 {
		return continuation{}, false
	}
	carried := standalone
	if carried == question {
		carried = carryOver(question, prev)
	}
	if _, dated, err := c.readPeriod(ctx, carried); err != nil || dated {
		return continuation{}, false
	}
	for i, query := range []string{question, carried} {
		floor := c.opts.Floor
		if i == 0 {
			floor.Threshold *= ownFloorShare
		}
		res, err := c.ix.Search(ctx, focusQuery(query, c.opts.K))
		if err != nil {
			return continuation{}, false
		}
		res = focusOn(res, prev.articles, c.opts.K)
		if !floor.Relevant(res) {
			continue
		}
		ex := extract(res, c.opts.MaxSentences)
		if len(ex.sources) > 0 && answers(wholeQuestion(res, question, carried), ex) && ownShare(res, ex, question) >= minOwnShare {
			return continuation{standalone: carried, res: res, floor: floor}, true
		}
	}
	return continuation{}, false
}

// focusQuery is the search for text among the articles of a conversation:
// more passages than k, with no cap per article.
func focusQuery(text string, k int) retrieval.Query {
	return retrieval.Query{Text: text, K: max(focusK, k), PerArticle: focusK}
}

// wholeQuestion is res read with the numbers of the carried question that
// the question leaves out: they name what the conversation is about («خط
// ۱۰»), and a sentence that repeats them gives no count. Only the numbers:
// the carried question's own asks («چند درصد …») are not this question's.
func wholeQuestion(res retrieval.Result, question, carried string) retrieval.Result {
	own := map[string]bool{}
	for _, w := range persian.Tokens(question) {
		own[w] = true
	}
	var add []string
	for _, w := range persian.Tokens(carried) {
		if isNumber(w) && !own[w] {
			own[w] = true
			add = append(add, w)
		}
	}
	res.Question = strings.TrimSpace(question + " " + strings.Join(add, " "))
	return res
}

// focusOn keeps the passages of res from articles, at most k, and rates
// the result again.
func focusOn(res retrieval.Result, articles []string, k int) retrieval.Result {
	kept := make([]retrieval.Passage, 0, k)
	for _, p := range res.Passages {
		if len(kept) < k && slices.Contains(articles, p.ArticleID) {
			kept = append(kept, p)
		}
	}
	res.Passages = kept
	retrieval.ScoreRelevance(&res)
	return res
}

// ownShare returns the share of the question's own term weight that the
// passage of the answering sentence (with its title) holds: the words the
// reader typed, not those carried from the previous question.
func ownShare(res retrieval.Result, ex extraction, question string) float64 {
	own := map[string]bool{}
	for _, t := range persian.Terms(question) {
		own[t] = true
	}
	for _, t := range persian.Terms(persian.Written(question)) {
		own[t] = true
	}
	var total, held float64
	for _, c := range constraints(res, ex) {
		if !own[c.term] || c.corrected {
			continue // a spoken or mistyped form tells no story from another
		}
		total += c.idf
		if c.inPassage {
			held += c.idf
		}
	}
	if total == 0 {
		return 1 // nothing of its own: all it asks is carried
	}
	return held / total
}

// oneArticle reports whether the answering sentences of two extractions of
// res are from one article.
func oneArticle(res retrieval.Result, a, b extraction) bool {
	if len(a.lines) == 0 || len(b.lines) == 0 {
		return false
	}
	return res.Passages[a.lines[a.answer].passage].ArticleID == res.Passages[b.lines[b.answer].passage].ArticleID
}
