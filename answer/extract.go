package answer

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// candidate is a sentence of a retrieved passage.
type candidate struct {
	passage int // index in the result's passages
	rank    int // rank of the passage's article among the results
	pos     int // byte offset in the passage
	text    string
	words   []string           // canonical tokens
	context []string           // words of the sentence before, when this one refers back to it
	match   map[string]float64 // how well each question term occurs in words
	score   float64
}

// anaphors open a sentence that continues the one before («او …», «وی …»):
// it inherits that sentence's subject.
var anaphors = map[string]bool{"او": true, "وی": true, "ان": true, "این": true, "انها": true, "ایشان": true}

// Sentence selection, chosen by the evaluation (docs/retrieval.md).
const (
	// rankDiscount lowers the sentences of each later article.
	rankDiscount = 0.1
	// keepRatio drops sentences scoring under this share of the best.
	keepRatio = 0.3
	// partialMatch is the credit for a longer form of a question word.
	partialMatch = 0.7
	// anaphorCredit is the credit a sentence opening with «او», «وی» …
	// gets for the question words of the sentence before it.
	anaphorCredit = 0.4
	// numberBonus favours sentences with a number when the question asks
	// how many, how much or when.
	numberBonus = 0.2
	// fragmentPenalty shrinks the score of sentences of under four words.
	fragmentPenalty = 0.8
)

// extract picks the sentences of the passages that best match the
// question, cites each, and returns the text and the cited sources.
//
// A question word is weighted by its idf in the corpus and by how rare it
// is among the candidate sentences: the topic («فرهاد مجیدی») occurs in
// most of them and says little about which one answers, while the rest of
// the question («کجا به دنیا آمد») picks the sentence.
func extract(res retrieval.Result, maxSentences int) (string, []Source) {
	idf := make(map[string]float64, len(res.Terms))
	for _, t := range res.Terms {
		idf[t.Text] = t.IDF
	}
	var cands []candidate
	seen := map[string]bool{}
	articleRank := map[string]int{}
	for pi, p := range res.Passages {
		if _, ok := articleRank[p.ArticleID]; !ok {
			articleRank[p.ArticleID] = len(articleRank)
		}
		var prev []string
		for _, s := range persian.Sentences(p.Text) {
			words := persian.Tokens(s.Text)
			var context []string
			if len(words) > 0 && anaphors[words[0]] {
				context = prev
			}
			prev = words
			key := strings.Join(words, " ")
			if seen[key] {
				continue // overlapping chunks and wire copies repeat sentences
			}
			seen[key] = true
			cands = append(cands, candidate{passage: pi, rank: articleRank[p.ArticleID], pos: s.Start, text: s.Text, words: words, context: context})
		}
	}
	// Local weight: idf × log(1 + candidates / candidates containing it).
	weight := make(map[string]float64, len(idf))
	var total float64
	for i := range cands {
		cands[i].match = make(map[string]float64, len(idf))
		for t := range idf {
			cands[i].match[t] = matchStrength(t, cands[i].words)
		}
	}
	for t, w := range idf {
		n := 0
		for _, c := range cands {
			if c.match[t] > 0 {
				n++
			}
		}
		w *= math.Log(1 + float64(len(cands))/float64(1+n))
		weight[t] = w
		total += w
	}
	if total == 0 {
		return "", nil
	}
	wantsNumber := asksForNumber(res.Question)
	kept := cands[:0]
	for _, c := range cands {
		var got float64
		for t, w := range weight {
			m := c.match[t]
			if c.context != nil {
				m = max(m, anaphorCredit*matchStrength(t, c.context))
			}
			got += w * m
		}
		if got == 0 {
			continue
		}
		c.score = got / total
		if len(c.words) < 4 {
			c.score *= fragmentPenalty
		}
		c.score *= max(0, 1-rankDiscount*float64(c.rank))
		if wantsNumber && hasNumber(c.words) {
			c.score *= 1 + numberBonus
		}
		kept = append(kept, c)
	}
	if len(kept) == 0 {
		return "", nil
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].score > kept[j].score })
	best := kept[0].score
	var picked []candidate
	for _, c := range kept {
		if len(picked) == maxSentences || c.score < keepRatio*best {
			break
		}
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

// matchStrength says how well a question term (canonical, stemmed) occurs
// among a sentence's words: 1 for the word itself or its stem, less for a
// longer form of it («کبد» in «کبدی», «دبیر» in «سردبیر») or a word with
// the same beginning («سازد», «سازند»), 0 for none.
func matchStrength(term string, words []string) float64 {
	best := 0.0
	tr := utf8.RuneCountInString(term)
	for _, w := range words {
		switch {
		case w == term || persian.Stem(w) == term:
			return 1
		case tr >= 3 && strings.HasPrefix(w, term), tr >= 4 && strings.Contains(w, term):
			best = max(best, partialMatch)
		case tr >= 4 && commonPrefix(w, term) >= tr-1:
			best = max(best, partialMatch)
		}
	}
	return best
}

// commonPrefix counts the runes a and b begin with alike.
func commonPrefix(a, b string) int {
	n := 0
	for a != "" && b != "" {
		ra, sa := utf8.DecodeRuneInString(a)
		rb, sb := utf8.DecodeRuneInString(b)
		if ra != rb {
			break
		}
		n++
		a, b = a[sa:], b[sb:]
	}
	return n
}

// numberWords mark a question that asks how many, how much or when.
var numberWords = map[string]bool{"چند": true, "چقدر": true, "چندم": true, "چندتا": true, "سالی": true, "تاریخی": true, "زمانی": true, "کی": true, "چندمین": true, "سال": true}

// asksForNumber reports whether the question wants a number or a date.
func asksForNumber(question string) bool {
	for _, w := range persian.Tokens(question) {
		if numberWords[w] {
			return true
		}
	}
	return false
}

func hasNumber(words []string) bool {
	for _, w := range words {
		for _, r := range w {
			if r >= '0' && r <= '9' {
				return true
			}
		}
	}
	return false
}
