package answer

import (
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// candidate is a sentence of a retrieved passage.
type candidate struct {
	passage int   // index in the result's passages
	also    []int // passages of other articles carrying the same sentence
	rank    int   // rank of the passage's article among the results
	pos     int   // byte offset in the article
	text    string
	words   []string // canonical tokens
	grams   map[string]bool
	// prev is the candidate of the sentence before this one in its
	// passage, or -1 when it opens the passage.
	prev int
	// orphan is set for a sentence that opens with a pronoun or a
	// demonstrative («این برنامه …», «وی افزود …») and so needs the
	// sentence before it; personal is set when it is a personal pronoun
	// («او», «وی»), which names whoever the last sentence that is not an
	// orphan names.
	orphan, personal bool
	context          []string           // words of the sentence before, when this one refers back to it
	match            map[string]float64 // how well each question term occurs in words
	score            float64
}

// anaphors open a sentence that continues the one before («او …», «وی …»,
// «این برنامه …»): it inherits that sentence's subject, and is not shown
// without it.
var anaphors = map[string]bool{"او": true, "وی": true, "ان": true, "این": true, "انها": true, "ایشان": true, "اینها": true, "همین": true, "همان": true, "اینان": true}

// personalPronouns are the anaphors that name a person.
var personalPronouns = map[string]bool{"او": true, "وی": true, "ایشان": true}

// attributions open a sentence with whose words it reports: «به گفته
// وی»، «از نظر او»، «به اعتقاد این مقام».
var attributions = map[string]bool{"گفته": true, "نظر": true, "اعتقاد": true, "عقیده": true, "اعلام": true, "تاکید": true}

// officials are the nouns «این …» names a person by: «این مقام».
var officials = map[string]bool{"مقام": true, "مسئول": true, "مدیر": true, "مقام مسئول": true, "وزیر": true, "نماینده": true, "کارشناس": true, "سخنگو": true, "مدیرکل": true}

// refersBack reports whether a sentence (its canonical words) opens by
// referring back to the one before: with a pronoun or demonstrative, or
// an attribution to one («به گفته این مقام …»); personal when it names a
// person that way.
func refersBack(words []string) (orphan, personal bool) {
	if len(words) >= 3 && (words[0] == "به" || words[0] == "از" || words[0] == "طبق") && attributions[words[1]] {
		words = words[2:]
	}
	if !anaphors[words[0]] {
		return false, false
	}
	personal = personalPronouns[words[0]] || (len(words) > 1 && (words[0] == "این" || words[0] == "ان") && officials[words[1]])
	return true, personal
}

// maxChain bounds the sentences shown before one that refers back.
const maxChain = 2

// Sentence selection, chosen by the evaluation (docs/retrieval.md).
const (
	// rankDiscount lowers the sentences of each later article.
	rankDiscount = 0.1
	// keepRatio drops sentences scoring under this share of the best.
	keepRatio = 0.3
	// factoidKeepRatio is keepRatio for a question that asks for one
	// fact: support must be closer to the answer.
	factoidKeepRatio = 0.3
	// factoidSentences caps the sentences of a factoid answer.
	factoidSentences = 3
	// partialMatch is the credit for a longer form of a question word.
	partialMatch = 0.7
	// anaphorCredit is the credit a sentence opening with «او», «وی» …
	// gets for the question words of the sentence before it.
	anaphorCredit = 0.4
	// numberBonus favours sentences with a number when the question asks
	// how many, how much or when.
	numberBonus = 0.2
	// leadBonus favours an article's first sentence, the news lead, which
	// says who did what.
	leadBonus = 0.15
	// scoreGamma sharpens the discount of a later article by its score
	// relative to the best one's.
	scoreGamma = 1.0
	// weakArticle is the share of the best article's score under which a
	// later article is discounted.
	weakArticle = 0.7
	// articleShare is the share of a term's local weight measured within
	// the sentence's own article (see extract).
	articleShare = 0.5
	// fragmentPenalty shrinks the score of sentences of under four words.
	fragmentPenalty = 0.8
	// duplicateShare is the share of the shorter sentence's words two
	// sentences must share to be one sentence carried by several outlets.
	duplicateShare = 0.8
)

// extraction is an extractive answer: its text, its sources, and the
// sentences it quotes, the answering one first.
type extraction struct {
	text    string
	sources []Source
	lines   []candidate
	// answer is the line of the answering sentence (after the sentences
	// it refers back to).
	answer int
}

// termWeights returns the question's own terms with their idf and, for
// each, the lexicon's synonyms that were searched beside it.
func termWeights(res retrieval.Result) (map[string]float64, map[string][]retrieval.Term) {
	idf := make(map[string]float64, len(res.Terms))
	syn := map[string][]retrieval.Term{}
	for _, t := range res.Terms {
		if t.Expands == "" {
			idf[t.Text] = t.IDF
		}
	}
	for _, t := range res.Terms {
		if t.Expands != "" {
			if _, ok := idf[t.Expands]; ok {
				syn[t.Expands] = append(syn[t.Expands], t)
			}
		}
	}
	return idf, syn
}

// termMatch is how well question term t, or one of its synonyms, occurs
// among words.
func termMatch(t string, syn []retrieval.Term, words []string) float64 {
	m := matchStrength(t, words)
	// Synonyms: the words of a phrase («ایالات متحده») add up, to the
	// credit of the best synonym.
	var sum, most float64
	for _, s := range syn {
		sum += s.Weight * matchStrength(s.Text, words)
		most = max(most, s.Weight)
	}
	return max(m, min(sum, most))
}

// candidates splits the passages into sentences, once each: a sentence
// repeated by an overlapping chunk is dropped, and one carried by several
// outlets (the same words, or nearly) is kept once with all of them.
func candidates(res retrieval.Result) []candidate {
	var cands []candidate
	articleRank := map[string]int{}
	for pi, p := range res.Passages {
		if _, ok := articleRank[p.ArticleID]; !ok {
			articleRank[p.ArticleID] = len(articleRank)
		}
		prev := -1
		spans := sentences(p.Text)
		if p.Before != "" {
			// The sentence before the passage, which its first may refer to.
			spans = append([]persian.Span{{Text: p.Before, Start: p.BeforeStart - p.Start}}, spans...)
		}
		for _, s := range spans {
			words := persian.Tokens(s.Text)
			if len(words) == 0 {
				continue
			}
			orphan, personal := refersBack(words)
			grams := trigrams(words)
			if d := duplicateOf(cands, grams); d >= 0 {
				if a := res.Passages[cands[d].passage].ArticleID; a != p.ArticleID && !containsArticle(res, cands[d].also, p.ArticleID) {
					cands[d].also = append(cands[d].also, pi)
				} else if a == p.ArticleID && cands[d].prev < 0 && prev >= 0 && cands[prev].pos < cands[d].pos {
					// The same sentence opened another passage of the
					// article: here it has the sentence before it, which
					// it may refer back to («او افزود …»).
					cands[d].prev = prev
					if cands[d].orphan {
						cands[d].context = cands[prev].words
					}
				}
				prev = d
				continue
			}
			c := candidate{grams: grams, passage: pi, rank: articleRank[p.ArticleID], pos: p.Start + s.Start, text: s.Text, words: words, prev: prev, orphan: orphan, personal: personal}
			if orphan && prev >= 0 {
				c.context = cands[prev].words
			}
			cands = append(cands, c)
			prev = len(cands) - 1
		}
	}
	return cands
}

func containsArticle(res retrieval.Result, passages []int, article string) bool {
	for _, p := range passages {
		if res.Passages[p].ArticleID == article {
			return true
		}
	}
	return false
}

// sentences splits a passage into sentences, keeping a clause that ends
// with «؛» with the one that follows: a line is a whole sentence.
func sentences(text string) []persian.Span {
	var out []persian.Span
	for _, s := range persian.Sentences(text) {
		if n := len(out); n > 0 && strings.HasSuffix(out[n-1].Text, "؛") {
			out[n-1].Text = text[out[n-1].Start:s.End]
			out[n-1].End = s.End
			continue
		}
		out = append(out, s)
	}
	return out
}

// duplicateOf returns the candidate that a sentence nearly repeats, or
// -1: most of the shorter one's letter trigrams (spaces and ZWNJ ignored,
// so «هلال احمر» and «هلال‌احمر» agree) are the longer one's, and they
// are of similar length.
func duplicateOf(cands []candidate, grams map[string]bool) int {
	for i, c := range cands {
		shared := 0
		for g := range grams {
			if c.grams[g] {
				shared++
			}
		}
		small, large := min(len(grams), len(c.grams)), max(len(grams), len(c.grams))
		if small > 0 && float64(shared) >= duplicateShare*float64(small) && float64(shared) >= 0.6*float64(large) {
			return i
		}
	}
	return -1
}

// trigrams returns the letter trigrams of canonical words, read as one
// string without spaces.
func trigrams(words []string) map[string]bool {
	rs := []rune(strings.Join(words, ""))
	out := make(map[string]bool, len(rs))
	for i := 0; i+3 <= len(rs); i++ {
		out[string(rs[i:i+3])] = true
	}
	if len(rs) < 3 {
		out[string(rs)] = true
	}
	return out
}

// extract picks the sentences of the passages that best answer the
// question and cites each: the answering sentence first, then its support
// in the articles' own order; a sentence that opens with a pronoun comes
// with the sentence before it, or not at all.
//
// A question word is weighted by its idf in the corpus and by how rare it
// is among the candidate sentences: the topic («فرهاد مجیدی») occurs in
// most of them and says little about which one answers, while the rest of
// the question («کجا به دنیا آمد») picks the sentence.
func extract(res retrieval.Result, maxSentences int) extraction {
	return extractCounting(res, maxSentences, false)
}

// extractCounting is [extract]; with counted, a question that counts a
// thing («چند فیلم») is answered first by the best sentence that gives a
// number of it (see [promoteCounted]).
func extractCounting(res retrieval.Result, maxSentences int, counted bool) extraction {
	idf, syn := termWeights(res)
	cands := candidates(res)
	// Local weight: idf × log(1 + candidates / candidates containing it),
	// over all the candidates and over those of the sentence's own article
	// (what sets the answering sentence apart from the rest of its article:
	// «بلیت» in a report on an exhibition), half each.
	for i := range cands {
		cands[i].match = make(map[string]float64, len(idf))
		for t := range idf {
			cands[i].match[t] = termMatch(t, syn[t], cands[i].words)
		}
	}
	keys := make([]string, 0, len(idf))
	for t := range idf {
		keys = append(keys, t)
	}
	sort.Strings(keys)
	rarity := func(cs []int) map[string]float64 {
		out := make(map[string]float64, len(idf))
		for t := range idf {
			n := 0
			for _, i := range cs {
				if cands[i].match[t] > 0 {
					n++
				}
			}
			out[t] = math.Log(1 + float64(len(cs))/float64(1+n))
		}
		return out
	}
	all := make([]int, len(cands))
	byArticle := map[int][]int{}
	for i, c := range cands {
		all[i] = i
		byArticle[c.rank] = append(byArticle[c.rank], i)
	}
	global := rarity(all)
	weights := map[int]map[string]float64{}
	totals := map[int]float64{}
	for rank, cs := range byArticle {
		local := rarity(cs)
		w := make(map[string]float64, len(idf))
		for _, t := range keys {
			w[t] = idf[t] * (articleShare*local[t] + (1-articleShare)*global[t])
			totals[rank] += w[t] // in a fixed order: equal scores stay equal
		}
		weights[rank] = w
	}
	if len(cands) == 0 {
		return extraction{}
	}
	wantsNumber := asksForNumber(res.Question)
	asked := askedMeasures(res.Question)
	// A question for a result («نتیجه بازی …») favours the sentences
	// that give a score, in each article asked of.
	wantsResult := asksResult(res.Question)
	for i := range cands {
		c := &cands[i]
		weight, total := weights[c.rank], totals[c.rank]
		if total == 0 {
			continue
		}
		var got float64
		for _, t := range keys {
			w := weight[t]
			m := c.match[t]
			if c.context != nil {
				m = max(m, anaphorCredit*termMatch(t, syn[t], c.context))
			}
			got += w * m
		}
		c.score = got / total
		if len(c.words) < 4 {
			c.score *= fragmentPenalty
		}
		c.score *= max(0, 1-rankDiscount*float64(c.rank))
		if top := res.Passages[0].Score; top > 0 {
			// An article scored well under the best one speaks less for
			// the question; one scored alike (a wire copy, the other half
			// of a two-part question) keeps its weight.
			if r := res.Passages[c.passage].Score / top; r < weakArticle {
				c.score *= math.Pow(max(0, r/weakArticle), scoreGamma)
			}
		}
		if wantsNumber && hasNumber(c.words) {
			c.score *= 1 + numberBonus
		}
		if wantsResult && statesScore(c.words) {
			c.score *= 1 + numberBonus
		}
		if c.pos == 0 {
			c.score *= 1 + leadBonus
		}
	}
	order := make([]int, 0, len(cands))
	for i, c := range cands {
		if c.score > 0 {
			order = append(order, i)
		}
	}
	if len(order) == 0 {
		return extraction{}
	}
	sort.SliceStable(order, func(i, j int) bool { return cands[order[i]].score > cands[order[j]].score })
	if wantsNumber && len(asked) > 0 {
		// «بلیت … چند است؟»: in the best sentence's article, a sentence
		// that gives the value of the measure asked answers before the
		// article's lead, which names the rest of the question.
		top := cands[order[0]].rank
		states := func(i int) bool {
			c := cands[i]
			return c.rank == top && hasNumber(c.words) && namesAll(asked, syn, c.words)
		}
		for k, i := range order {
			if states(i) {
				// The best such sentence only: the rest keep their rank.
				copy(order[1:k+1], order[:k])
				order[0] = i
				break
			}
		}
	}
	promoteUnit(res.Question, cands, order)
	if counted {
		promoteCounted(res.Question, cands, order)
	}

	limit, ratio := maxSentences, keepRatio
	if isFactoid(res.Question) {
		limit, ratio = min(limit, factoidSentences), factoidKeepRatio
	}
	// The answering sentence: the best one that can be shown, with the
	// sentences it refers back to before it.
	first := -1
	for _, i := range order {
		if _, ok := antecedents(cands, i); ok {
			first = i
			break
		}
	}
	if first < 0 {
		first = order[0] // only orphans: the best is shown as it is
	}
	best := cands[first].score
	picked := map[int]bool{}
	var head, rest []int
	take := func(i int, into *[]int) {
		ante, _ := antecedents(cands, i)
		for _, a := range ante {
			if !picked[a] {
				picked[a] = true
				*into = append(*into, a)
			}
		}
		picked[i] = true
		*into = append(*into, i)
	}
	take(first, &head)
	for _, i := range order {
		c := cands[i]
		if len(head)+len(rest) >= limit || c.score < ratio*best {
			break
		}
		ante, ok := antecedents(cands, i)
		if picked[i] || !ok {
			continue
		}
		if by := restatedBy(cands, i, append(append([]int(nil), head...), rest...)); by >= 0 {
			// Another outlet's words for the figures already quoted: its
			// citation joins theirs instead of repeating them.
			picked[i] = true
			if !containsArticle(res, cands[by].also, res.Passages[cands[i].passage].ArticleID) &&
				res.Passages[cands[by].passage].ArticleID != res.Passages[cands[i].passage].ArticleID {
				cands[by].also = append(cands[by].also, cands[i].passage)
			}
			continue
		}
		need := 1
		for _, a := range ante {
			if !picked[a] {
				need++
			}
		}
		if len(head)+len(rest)+need > limit {
			continue
		}
		take(i, &rest)
	}
	// A question about two members of a kind («هوای اهواز … و هوای
	// تهران …») is answered for each: the best sentence that names a
	// member no chosen sentence names is quoted too, in place of the
	// weakest support when the answer is full.
	// quoteBest adds the best self-contained sentence that match accepts,
	// making room by dropping the last supporting sentence when the answer
	// is full.
	quoteBest := func(match func(i int) bool) {
		for _, i := range order {
			ante, ok := antecedents(cands, i)
			if picked[i] || !ok || len(ante) > 0 || !match(i) {
				continue
			}
			if len(head)+len(rest) >= limit {
				if len(rest) == 0 {
					return
				}
				drop := rest[len(rest)-1]
				picked[drop] = false
				rest = rest[:len(rest)-1]
			}
			take(i, &rest)
			return
		}
	}
	for _, m := range unnamedMembers(res.Question, cands, append(append([]int(nil), head...), rest...)) {
		quoteBest(func(i int) bool { return names(cands[i], m) })
	}
	// A question that names the outlets it asks of («ایسنا و مهر چند …
	// اعلام کردند؟») quotes each of them: the best sentence of a named
	// outlet no chosen sentence comes from.
	for _, outlet := range unquotedOutlets(res, cands, append(append([]int(nil), head...), rest...)) {
		quoteBest(func(i int) bool { return res.Passages[cands[i].passage].Source == outlet })
	}
	sort.SliceStable(rest, func(i, j int) bool {
		a, b := cands[rest[i]], cands[rest[j]]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.pos < b.pos
	})

	var ex extraction
	number := map[string]int{} // article id → source number
	cite := func(pi int) string {
		p := res.Passages[pi]
		n, ok := number[p.ArticleID]
		if !ok {
			n = len(ex.sources) + 1
			number[p.ArticleID] = n
			p.Title = display(p.Title)
			ex.sources = append(ex.sources, Source{N: n, Passage: p})
		}
		return persian.Marker(n)
	}
	var lines []string
	for _, i := range append(head, rest...) {
		c := cands[i]
		markers := cite(c.passage)
		for _, pi := range c.also {
			markers += cite(pi)
		}
		lines = append(lines, display(c.text)+" "+markers)
		if i == first {
			ex.answer = len(ex.lines)
		}
		ex.lines = append(ex.lines, c)
	}
	ex.text = strings.Join(lines, "\n")
	return ex
}

// restatedBy returns the chosen sentence that already states every
// figure of sentence i, when i states two or more («۱۱۴ هزار و ۶۰۰ تومان»
// told again by another outlet, in other words), or -1.
func restatedBy(cands []candidate, i int, chosen []int) int {
	figures := numbersOf(cands[i].words)
	if len(figures) < 2 {
		return -1
	}
	for _, j := range chosen {
		held := numbersOf(cands[j].words)
		all := true
		for f := range figures {
			all = all && held[f]
		}
		if all {
			return j
		}
	}
	return -1
}

// numbersOf returns the numbers written in digits among words.
func numbersOf(words []string) map[string]bool {
	out := map[string]bool{}
	for _, w := range words {
		if hasDigit(w) {
			out[w] = true
		}
	}
	return out
}

// unnamedMembers returns the members of a contrast class that the
// question names two or more of (two places, two clubs) and that none of
// the chosen sentences names, in the question's order.
func unnamedMembers(question string, cands []candidate, chosen []int) []string {
	terms := persian.Terms(persian.Written(question))
	asked := members(terms)
	var out []string
	seen := map[string]bool{}
	for _, t := range memberOrder(terms) {
		for _, class := range persian.Contrasts(t) {
			if len(asked[class]) < 2 || seen[t] {
				continue
			}
			seen[t] = true
			named := false
			for _, i := range chosen {
				named = named || names(cands[i], t)
			}
			if !named {
				out = append(out, t)
			}
		}
	}
	return out
}

// unquotedOutlets returns the outlets of the retrieved passages that the
// question names, when it names two or more («ایسنا و مهر»: one name alone
// may be a word, «مهر» the month), and that no chosen sentence comes from.
func unquotedOutlets(res retrieval.Result, cands []candidate, chosen []int) []string {
	question := " " + strings.Join(persian.Tokens(res.Question), " ") + " "
	var named []string
	seen := map[string]bool{}
	for _, p := range res.Passages {
		name := strings.Join(persian.Tokens(p.Source), " ")
		if p.Source == "" || seen[p.Source] || name == "" {
			continue
		}
		seen[p.Source] = true
		if strings.Contains(question, " "+name+" ") {
			named = append(named, p.Source)
		}
	}
	if len(named) < 2 {
		return nil
	}
	var out []string
	for _, o := range named {
		quoted := false
		for _, i := range chosen {
			quoted = quoted || res.Passages[cands[i].passage].Source == o
		}
		if !quoted {
			out = append(out, o)
		}
	}
	return out
}

// memberOrder returns the single terms and pairs of terms, in order, that
// [members] looks up.
func memberOrder(terms []string) []string {
	var out []string
	for i, t := range terms {
		out = append(out, t)
		if i+1 < len(terms) {
			out = append(out, t+" "+terms[i+1])
		}
	}
	return out
}

// names reports whether candidate c names contrast member m.
func names(c candidate, m string) bool {
	for _, ms := range members(persian.Terms(strings.Join(c.words, " "))) {
		if ms[m] {
			return true
		}
	}
	return false
}

// antecedents returns the sentences that candidate i refers back to, in
// article order: none for a sentence that does not open with a pronoun;
// the last sentence before it that names someone for «او», «وی»; the
// sentence before it, and what that one refers to, for «این …». ok is
// false when they are not among the candidates or the chain is too long.
func antecedents(cands []candidate, i int) (ante []int, ok bool) {
	for c := cands[i]; c.orphan; {
		j := c.prev
		if c.personal {
			for j >= 0 && cands[j].orphan {
				j = cands[j].prev
			}
		}
		if j < 0 || len(ante) == maxChain {
			return nil, false
		}
		ante = append([]int{j}, ante...)
		c = cands[j]
	}
	return ante, true
}

// factoidWords mark a question that asks for one fact: how many, how
// much, when, where, who.
var factoidWords = map[string]bool{"چند": true, "چقدر": true, "چندم": true, "چندمین": true, "چندتا": true, "کی": true, "کجا": true, "کجاست": true, "کدام": true, "کیست": true, "چقدره": true, "کدوم": true}

// isFactoid reports whether the question asks for one fact («چند»،
// «کی»، «کجا»، «چه کسی»، «چقدر»، «چه سالی»).
func isFactoid(question string) bool {
	toks := persian.Tokens(question)
	for i, w := range toks {
		if factoidWords[w] {
			return true
		}
		if w == "چه" && i+1 < len(toks) {
			switch toks[i+1] {
			case "کسی", "سالی", "تاریخی", "زمانی", "روزی", "ساعتی", "شهری", "کشوری", "تیمی":
				return true
			}
		}
	}
	return false
}

// matchStrength says how well a question term (canonical, stemmed) occurs
// among a sentence's words: 1 for the word itself or its stem, less for a
// longer form of it («کبد» in «کبدی», «دبیر» in «سردبیر») or a word with
// the same beginning («سازد», «سازند»), 0 for none.
func matchStrength(term string, words []string) float64 {
	best := 0.0
	tr := utf8.RuneCountInString(term)
	if isNumber(term) {
		// A number is met as itself: «۱۴۰۳» is not «۱۴۰۴», nor «۱۰» «۱۰۰».
		for _, w := range words {
			if w == term {
				return 1
			}
		}
		return 0
	}
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

// asksForNumber reports whether the question wants a number or a date
// (with [asksWhenOrHowMany]'s spoken forms: «قدش چقدره؟»).
func asksForNumber(question string) bool {
	if asksWhenOrHowMany(question) {
		return true
	}
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

// display returns a quoted sentence as a Persian reader expects it: Arabic
// ي ى ك as Persian ی ک, and numbers in Persian digits (with «٫» between
// a number's whole and decimal part), except digits that belong to a Latin
// word or a link («F-16», «t.me/x1»). Matching is done on the canonical
// form; this is for display only.
func display(s string) string {
	fields := strings.SplitAfter(s, " ")
	for i, f := range fields {
		if strings.Contains(f, "://") || strings.Contains(f, "www.") || strings.Contains(f, "t.me/") {
			continue
		}
		fields[i] = displayWord(f)
	}
	return strings.Join(fields, "")
}

func displayWord(w string) string {
	rs := []rune(w)
	latinNear := func(i, step int) bool {
		for j := i + step; j >= 0 && j < len(rs); j += step {
			r := rs[j]
			switch {
			case isDigit(r):
				continue
			case r == '-' || r == '_' || r == '/':
				continue
			}
			return r < 0x80 && unicode.IsLetter(r)
		}
		return false
	}
	out := make([]rune, len(rs))
	for i, r := range rs {
		switch {
		case r == 'ي' || r == 'ى':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		case r >= '٠' && r <= '٩':
			r = '۰' + (r - '٠')
		case r >= '0' && r <= '9' && !latinNear(i, -1) && !latinNear(i, 1):
			r = '۰' + (r - '0')
		case (r == '.' || r == '/') && i > 0 && i+1 < len(rs) && isDigit(rs[i-1]) && isDigit(rs[i+1]) && !latinNear(i, -1):
			if r == '.' {
				r = '٫'
			}
		}
		out[i] = r
	}
	return string(out)
}

func isDigit(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= '۰' && r <= '۹') || (r >= '٠' && r <= '٩')
}
