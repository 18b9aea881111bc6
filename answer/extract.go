package answer

import (
	"sort"
	"strings"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// candidate is a sentence of a retrieved passage.
type candidate struct {
	passage int // index in the result's passages
	pos     int // byte offset in the passage
	text    string
	score   float64
}

// maxPerPassage caps the sentences quoted from one passage.
const maxPerPassage = 2

// extract picks the sentences of the passages that best match the
// question's terms, cites each, and returns the text and the cited sources.
func extract(res retrieval.Result, maxSentences int) (string, []Source) {
	weight := make(map[string]float64, len(res.Terms))
	for _, t := range res.Terms {
		weight[t.Text] = t.IDF
	}
	var cands []candidate
	for pi, p := range res.Passages {
		for _, s := range persian.Sentences(p.Text) {
			sc := sentenceScore(s.Text, weight, res.QueryWeight)
			if sc <= 0 {
				continue
			}
			// Earlier passages rank higher; ties go to the better passage.
			sc *= 1 - 0.05*float64(pi)
			cands = append(cands, candidate{passage: pi, pos: s.Start, text: s.Text, score: sc})
		}
	}
	if len(cands) == 0 {
		return "", nil
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	best := cands[0].score
	var picked []candidate
	perPassage := map[int]int{}
	seen := map[string]bool{}
	for _, c := range cands {
		if len(picked) == maxSentences || c.score < 0.5*best {
			break
		}
		key := persian.Canonical(c.text)
		if seen[key] || perPassage[c.passage] == maxPerPassage {
			continue
		}
		seen[key] = true
		perPassage[c.passage]++
		picked = append(picked, c)
	}
	sort.SliceStable(picked, func(i, j int) bool {
		if picked[i].passage != picked[j].passage {
			return picked[i].passage < picked[j].passage
		}
		return picked[i].pos < picked[j].pos
	})

	var sources []Source
	number := map[string]int{} // article id → source number
	var lines []string
	for _, c := range picked {
		p := res.Passages[c.passage]
		n, ok := number[p.ArticleID]
		if !ok {
			n = len(sources) + 1
			number[p.ArticleID] = n
			sources = append(sources, Source{N: n, Passage: p})
		}
		lines = append(lines, c.text+" "+persian.Marker(n))
	}
	return strings.Join(lines, "\n"), sources
}

// sentenceScore is the share of the question's term weight the sentence
// contains, with a small penalty for fragments.
func sentenceScore(sentence string, weight map[string]float64, total float64) float64 {
	if total == 0 {
		return 0
	}
	terms := persian.Terms(sentence)
	var got float64
	seen := map[string]bool{}
	for _, t := range terms {
		if w, ok := weight[t]; ok && !seen[t] {
			seen[t] = true
			got += w
		}
	}
	score := got / total
	if len(terms) < 4 {
		score *= 0.8
	}
	return score
}
