package retrieval

import (
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
)

// This file exports the pieces of the in-process ranker that an external
// index backend (retrieval/weaviate) needs to rank exactly like [Index]:
// the question's analysis against a vocabulary (variants, synonyms, idf),
// the article signatures and the pseudo-relevance feedback expansion. The
// backend keeps the vocabulary itself; these functions only compute.

// Vocabulary is the term statistics of one BM25 field: how many texts it
// has and how many of them contain a term (0: unknown).
type Vocabulary interface {
	Texts() int
	DF(term string) int
}

// Texts is the number of texts indexed.
func (ix *bm25) Texts() int { return len(ix.docLen) }

// DF is the number of texts that contain term.
func (ix *bm25) DF(term string) int { return ix.df(term) }

var _ Vocabulary = (*bm25)(nil)

// IDF is BM25's smoothed inverse document frequency of a term that df of
// n texts contain, as every BM25 index of the package computes it.
func IDF(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

func vocabIDF(v Vocabulary, t string) float64 { return IDF(v.Texts(), v.DF(t)) }

// Variant returns the known term that an unknown term t most likely
// stands for (a spoken ending dropped, or one typing error corrected; see
// the in-process index), or "" when t is known or has none.
func Variant(v Vocabulary, t string) string { return variantIn(v, t) }

// QueryPlan is a question analysed against the vocabularies of the
// passages and of the articles, as [Index.Search] analyses it.
type QueryPlan struct {
	// Text is the question in written form ("" when it has no words).
	Text string
	// Terms and IDFs are the passage-level terms searched: the question's
	// (unknown ones as their variants), then its news synonyms; the first
	// AsKnown weigh in coverage.
	Terms   []string
	IDFs    []float64
	AsKnown int
	// Result carries Question, Terms, QueryWeight and RareIDF, to be
	// completed with passages.
	Result Result
	// DocTerms are the question's article-level terms (feedback leaves
	// them out); ArticleTerms and ArticleIDFs the terms the article and
	// title rankings score, unknown ones as their variants.
	DocTerms     []string
	ArticleTerms []string
	ArticleIDFs  []float64
}

// PlanQuery analyses text against the passage vocabulary chunks and the
// article vocabulary docs.
func PlanQuery(chunks, docs Vocabulary, text string) QueryPlan {
	plan := QueryPlan{Result: Result{Question: text, RareIDF: IDF(chunks.Texts(), 1)}}
	written := persian.Written(text)
	if written == "" {
		return QueryPlan{}
	}
	plan.Text = written
	terms, idfs := vocabTerms(chunks, written)
	exp := vocabExpansions(chunks, terms, idfs)
	stands := map[string]bool{}
	for _, e := range exp {
		stands[e.Expands] = true
	}
	res := &plan.Result
	asked := make(map[string]bool, len(terms))
	for i, t := range terms {
		asked[t] = true
		tm := Term{Text: t, IDF: idfs[i], DF: chunks.DF(t)}
		if tm.DF == 0 && !stands[t] {
			if v := variantIn(chunks, t); v != "" {
				tm.Correction = v
				terms[i], idfs[i] = v, variantWeight*vocabIDF(chunks, v)
			}
		}
		res.Terms = append(res.Terms, tm)
	}
	terms, idfs = dedupe(terms, idfs)
	for i, t := range terms {
		res.QueryWeight += idfs[i]
		if !asked[t] {
			res.Terms = append(res.Terms, Term{Text: t, IDF: idfs[i], DF: chunks.DF(t), Variant: true})
		}
	}
	res.Terms = append(res.Terms, exp...)
	plan.AsKnown = len(terms)
	for _, e := range exp {
		terms = append(terms, e.Text)
		idfs = append(idfs, e.IDF)
	}
	plan.Terms, plan.IDFs = terms, idfs

	dterms, didfs := vocabTerms(docs, written)
	plan.DocTerms = dterms
	at, ai := append([]string(nil), dterms...), append([]float64(nil), didfs...)
	for i, t := range at {
		if v := variantIn(docs, t); v != "" {
			at[i], ai[i] = v, variantWeight*vocabIDF(docs, v)
		}
	}
	plan.ArticleTerms, plan.ArticleIDFs = dedupe(at, ai)
	return plan
}

// vocabTerms is [bm25.queryTerms] against a vocabulary.
func vocabTerms(v Vocabulary, q string) (terms []string, idfs []float64) {
	seen := make(map[string]bool)
	for _, t := range persian.Terms(q) {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
			idfs = append(idfs, vocabIDF(v, t))
		}
	}
	return terms, idfs
}

// vocabExpansions returns the lexicon's synonyms of the question's terms
// that the vocabulary holds and the question does not, each weighted by its
// share of the term's credit times the lower of the two idfs (a common
// synonym must not outweigh the rare word asked). The in-process search and
// the Weaviate adapter both expand with it.
func vocabExpansions(v Vocabulary, terms []string, idfs []float64) []Term {
	have := make(map[string]bool, len(terms))
	for _, t := range terms {
		have[t] = true
	}
	var out []Term
	for i, t := range terms {
		for _, s := range persian.Synonyms(t) {
			df := v.DF(s.Term)
			if have[s.Term] || df == 0 {
				continue
			}
			have[s.Term] = true
			out = append(out, Term{Text: s.Term, IDF: s.Weight * min(idfs[i], vocabIDF(v, s.Term)), DF: df, Expands: t, Weight: s.Weight})
		}
	}
	return out
}

// WeightedTerm is a term with a weight, and its rank in the vocabulary
// (ties between equal weights go to the lower rank, as in the in-process
// index, whose term ids follow the first occurrence over the articles in
// order).
type WeightedTerm struct {
	Term   string  `json:"t"`
	Weight float64 `json:"w"`
	Rank   int32   `json:"r"`
}

// SignatureTerms is how many characteristic terms an article signature
// keeps for pseudo-relevance feedback.
const SignatureTerms = signatureTerms

// Signature returns the SignatureTerms terms of text with the highest
// (tf / length) · idf, ties by rank: the article signature pseudo-relevance
// feedback draws on. idf gives a term's article-level idf, rank its rank
// in the article vocabulary.
func Signature(text string, idf func(term string) float64, rank func(term string) int32) []WeightedTerm {
	order, tf, n := termsOf(text)
	if n == 0 {
		return nil
	}
	ws := make([]WeightedTerm, len(order))
	for i, t := range order {
		ws[i] = WeightedTerm{Term: t, Weight: float64(tf[t] / float32(n) * float32(idf(t))), Rank: rank(t)}
	}
	sort.SliceStable(ws, func(i, j int) bool {
		if ws[i].Weight != ws[j].Weight {
			return ws[i].Weight > ws[j].Weight
		}
		return ws[i].Rank < ws[j].Rank
	})
	return ws[:min(SignatureTerms, len(ws))]
}

// FeedbackTerms returns the expansion pseudo-relevance feedback adds to a
// question: from the signatures of the best articles (best first), the
// rk.FeedbackTerms terms with the highest rank-discounted weight that the
// question (docTerms) does not have, each with its share of the total.
// An expansion term t adds share · idf(t) · BM25-tf(t) to an article.
func FeedbackTerms(signatures [][]WeightedTerm, docTerms []string, rk Ranking) []WeightedTerm {
	rk = rk.withDefaults()
	inQuestion := make(map[string]bool, len(docTerms))
	for _, t := range docTerms {
		inQuestion[t] = true
	}
	weight := map[string]float64{}
	ranks := map[string]int32{}
	for rank, sig := range signatures {
		for _, t := range sig {
			if !inQuestion[t.Term] {
				weight[t.Term] += float64(float32(t.Weight)) / float64(rank+1)
				ranks[t.Term] = t.Rank
			}
		}
	}
	exp := make([]WeightedTerm, 0, len(weight))
	for t, w := range weight {
		exp = append(exp, WeightedTerm{Term: t, Weight: float64(float32(w)), Rank: ranks[t]})
	}
	sort.Slice(exp, func(i, j int) bool {
		if exp[i].Weight != exp[j].Weight {
			return exp[i].Weight > exp[j].Weight
		}
		return exp[i].Rank < exp[j].Rank
	})
	exp = exp[:min(len(exp), rk.FeedbackTerms)]
	var sum float64
	for _, x := range exp {
		sum += x.Weight
	}
	if sum == 0 {
		return nil
	}
	for i := range exp {
		exp[i].Weight /= sum
	}
	return exp
}

// WithDefaults returns r with its zero fields set to the defaults the
// in-process index uses (negative weights as 0: the signal is off).
func (r Ranking) WithDefaults() Ranking { return r.withDefaults() }

// ArticleText puts an article back together from its chunks, as the
// article-level BM25 indexes it: the title, a newline, then the text.
func ArticleText(chunks []Chunk) string { return articleText(chunks) }

// NormalizeVector returns v with NaN and infinities set to zero, scaled
// to unit length, and whether it has a length at all (a zero vector stays
// zero).
func NormalizeVector(v []float32) ([]float32, bool) {
	out := sanitize(v)
	return out, normalizeInPlace(out)
}

// BeforeSentence returns the last sentence of the chunk before a passage
// and its byte offset in the article ("" and 0 when prev has none).
func BeforeSentence(prev Chunk) (string, int) {
	if spans := persian.Sentences(prev.Text); len(spans) > 0 {
		last := spans[len(spans)-1]
		return last.Text, prev.Start + last.Start
	}
	return "", 0
}

// BeforeLimit is how many passages of a result carry the sentence before
// them.
const BeforeLimit = beforeLimit

// RecencyWeight is the most a date-limited search adds for recency.
const RecencyWeight = recencyWeight

// DateOnly returns t's calendar date at midnight UTC (zero stays zero).
func DateOnly(t time.Time) time.Time { return dateOnly(t) }

// correctionIn returns the known term one typing error away from an
// unknown term t, the one most texts contain, or "" when t is known,
// short, or has none. A typing error is a letter left out, two neighbours
// swapped, a letter (or a syllable) typed twice or with a neighbouring
// key, a letter written for one that sounds alike (see [slip] and
// [extraLetter]), or an opening «ب» the corpus writes apart; «واتیکان» is
// no typing error of «باتیکان», nor «رولز» of «روز» (a name the corpus
// does not know is not read as a common word it does).
func correctionIn(v Vocabulary, t string) string {
	if v.DF(t) > 0 {
		return ""
	}
	r := []rune(t)
	if len(r) < minTypoRunes {
		return ""
	}
	best, bestDF := "", 0
	try := func(c []rune) {
		s := string(c)
		if df := v.DF(s); df > 0 && (df > bestDF || (df == bestDF && s < best)) {
			best, bestDF = s, df
		}
	}
	buf := make([]rune, 0, len(r)+1)
	for i := range r {
		if extraLetter(r, i) {
			try(append(append(buf[:0], r[:i]...), r[i+1:]...)) // deletion
		}
		if i+1 < len(r) {
			sw := append(buf[:0], r...)
			sw[i], sw[i+1] = sw[i+1], sw[i]
			try(sw) // swap
		}
		for _, l := range persianLetters {
			if l != r[i] && slip(r[i], l) {
				sub := append(buf[:0], r...)
				sub[i] = l
				try(sub) // substitution
			}
		}
	}
	for i := 0; i <= len(r); i++ {
		for _, l := range persianLetters {
			ins := append(append(append(buf[:0], r[:i]...), l), r[i:]...)
			try(ins) // insertion
		}
	}
	return best
}

// variantIn returns the known term that an unknown term t most likely
// stands for: t without a spoken ending, or its correction (see
// [correctionIn]); "" when t is known or has none.
func variantIn(v Vocabulary, t string) string {
	if v.DF(t) > 0 {
		return ""
	}
	for _, e := range spokenEndings {
		base, ok := strings.CutSuffix(t, e)
		if !ok || utf8.RuneCountInString(base) < 2 {
			continue
		}
		if stem := persian.Stem(base); !persian.IsStopword(stem) {
			if v.DF(stem) > 0 {
				return stem
			}
		}
	}
	return correctionIn(v, t)
}

// CorrectionIn returns the term of v that an unknown term t is a typing
// error of (see [correctionIn]): the answer's checks read a misspelt
// member of a contrast class («والیبل») as the member, even when the
// corpus never names it.
func CorrectionIn(v Vocabulary, t string) string { return correctionIn(v, t) }

// persianKeys are the letter rows of the standard Persian keyboard
// (ISIRI 9147), each row set off half a key from the one above it.
var persianKeys = [3][]rune{
	[]rune("ضصثقفغعهخحجچ"),
	[]rune("شسیبلاتنمکگ"),
	[]rune("ظطزرذدپو"),
}

// soundAlike are the groups of letters Persian writes for one sound (or
// nearly): a writer may put one for another.
var soundAlike = []string{"تط", "ثسص", "حه", "ذزضظ", "قغ", "اآع", "بپ", "جچ", "کگ", "یئ", "وؤ"}

// slip reports whether a writer who meant letter want may have typed got
// instead: a neighbouring key, or a letter that sounds alike.
func slip(got, want rune) bool {
	for _, g := range soundAlike {
		if strings.ContainsRune(g, got) && strings.ContainsRune(g, want) {
			return true
		}
	}
	return neighbourKeys(got, want)
}

// neighbourKeys reports whether two letters' keys touch: side by side in
// a row, or one above the other (a key of a row lies under the key of
// the row above it at the same place and the one after it).
func neighbourKeys(a, b rune) bool {
	row, col := keyOf(a)
	brow, bcol := keyOf(b)
	if row < 0 || brow < 0 {
		return false
	}
	if row > brow {
		row, col, brow, bcol = brow, bcol, row, col
	}
	switch brow - row {
	case 0:
		return col-bcol == 1 || bcol-col == 1
	case 1:
		return col == bcol || col == bcol+1
	}
	return false
}

func keyOf(l rune) (row, col int) {
	for i, keys := range persianKeys {
		for j, k := range keys {
			if k == l {
				return i, j
			}
		}
	}
	return -1, -1
}

// extraLetter reports whether letter i of r may be one typed by mistake
// or one the corpus writes apart: the same letter as one next to it or
// one further (a letter or a syllable typed twice: «نمایشگگاه»، «فروردگاه»),
// a neighbouring key of the letter before or after it, or an opening «ب»
// (a verb's «بخوانند» for «خوانند», «به» written joined: «بوجود»).
func extraLetter(r []rune, i int) bool {
	if i == 0 && r[0] == 'ب' {
		return true
	}
	for _, d := range []int{-2, -1, 1, 2} {
		if j := i + d; j >= 0 && j < len(r) && r[j] == r[i] {
			return true
		}
	}
	return i > 0 && neighbourKeys(r[i], r[i-1]) || i+1 < len(r) && neighbourKeys(r[i], r[i+1])
}
