package persian

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// suffixes are stripped by [Stem], longest first. They are canonical (ZWNJ
// already deleted, so «کتاب‌ها» arrives as «کتابها»).
var suffixes = []string{
	"هایی", "های", "ها",
	"ترین", "تر",
	"یان", "ان",
	"ات",
}

// minStemRunes is the shortest stem [Stem] leaves for most suffixes.
const minStemRunes = 3

// Stem strips one inflectional suffix (plural ها/ان/ات, comparative تر and
// superlative ترین) from a canonical token, keeping at least three letters.
// It is deliberately light: it conflates the forms of a word that matter
// for matching without reaching for a dictionary.
func Stem(tok string) string {
	if !endsLikeSuffix(tok) {
		return tok
	}
	for _, suf := range suffixes {
		if !strings.HasSuffix(tok, suf) {
			continue
		}
		stem := tok[:len(tok)-len(suf)]
		if utf8.RuneCountInString(stem) >= minStem(suf) {
			return stem
		}
	}
	return tok
}

// suffixEnds are the last letters of the suffixes (each two bytes).
var suffixEnds = func() []string {
	var ends []string
	for _, suf := range suffixes {
		_, size := utf8.DecodeLastRuneInString(suf)
		if end := suf[len(suf)-size:]; !slices.Contains(ends, end) {
			ends = append(ends, end)
		}
	}
	return ends
}()

// endsLikeSuffix reports whether tok ends with the last letter of a
// suffix: without it no suffix can match.
func endsLikeSuffix(tok string) bool {
	for _, end := range suffixEnds {
		if strings.HasSuffix(tok, end) {
			return true
		}
	}
	return false
}

// minStem is the shortest stem left when suf is stripped. Plural ان/یان
// and ات and comparative تر need four letters, so that «ایران», «تهران»,
// «انسان» and «فیلتر» keep their ending (ایر, تهر, انس and فیل would
// collide with other words).
func minStem(suf string) int {
	switch suf {
	case "ان", "یان", "ات", "تر":
		return 4
	}
	return minStemRunes
}

// Terms returns the lexical terms of s: canonical words, stopwords
// removed, each stemmed; documents and queries go through the same path.
// A word written with ZWNJ gives its joined form and also each part that
// differs from it: «قطب‌نما» gives قطبنما, قطب and نما, so that it also
// matches «قطب نما» written with a space.
func Terms(s string) []string {
	ws := words(s)
	return appendTerms(make([]string, 0, len(ws)), ws)
}

// AppendTerms appends [Terms](s) to terms.
func AppendTerms(terms []string, s string) []string {
	return appendTerms(terms, words(s))
}

// A Token is a canonical token (one of [Tokens]) with its lexical term:
// Stem(Text), or "" for a stopword.
type Token struct {
	Text, Term string
}

// TokenTerms returns the tokens of s (see [Tokens]) with their terms.
func TokenTerms(s string) []Token {
	toks := Tokens(s)
	out := make([]Token, len(toks))
	for i, t := range toks {
		out[i] = Token{Text: t, Term: tokenTerm(t)}
	}
	return out
}

func tokenTerm(tok string) string {
	if IsStopword(tok) {
		return ""
	}
	return Stem(tok)
}

// A Scratch gives the terms and tokens of texts given in parts, folding
// each text once into a buffer it reuses: text made only of the runes
// fold maps by its tables (almost all of our text) costs it one
// allocation, the folded copy the strings are cut from. Other text goes
// through [Terms] and [TokenTerms]. A Scratch is not safe for concurrent
// use.
type Scratch struct {
	buf   []byte
	words wordSpans
}

// fold returns the parts, joined, folded by keepZWNJTable, with their
// words in sc.words (the fields of the result); false when one has a
// rune the table does not map (or invalid UTF-8: a part cut inside a
// rune too).
func (sc *Scratch) fold(parts []string) (string, bool) {
	buf := sc.buf[:0]
	sc.words.reset()
	for _, p := range parts {
		var ok bool
		if buf, ok = keepZWNJTable.appendWords(buf, p, &sc.words); !ok {
			sc.buf = buf[:0]
			return "", false
		}
	}
	sc.words.end(len(buf))
	sc.buf = buf[:0]
	return string(buf), true
}

// AppendTerms appends [Terms] of the parts joined to terms.
func (sc *Scratch) AppendTerms(terms []string, parts ...string) []string {
	k, ok := sc.fold(parts)
	if !ok {
		return append(terms, Terms(strings.Join(parts, ""))...)
	}
	for _, w := range sc.words.spans {
		terms, _, _ = appendWordTerms(terms, k[w.start:w.end], w.split)
	}
	return terms
}

// AppendTermsTokens appends [Terms] of the parts joined to terms and
// their [TokenTerms] to tokens.
func (sc *Scratch) AppendTermsTokens(terms []string, tokens []Token, parts ...string) ([]string, []Token) {
	k, ok := sc.fold(parts)
	if !ok {
		s := strings.Join(parts, "")
		return append(terms, Terms(s)...), append(tokens, TokenTerms(s)...)
	}
	// Folded by the tables, Tokens(s) is this with every ZWNJ deleted,
	// and ZWNJ is not white space: its tokens are the words joined, but
	// for words that were only joiners.
	for _, w := range sc.words.spans {
		var tok Token
		var ok bool
		terms, tok, ok = appendWordTerms(terms, k[w.start:w.end], w.split)
		if ok {
			tokens = append(tokens, tok)
		}
	}
	return terms, tokens
}

// appendTerms appends the terms of the words ws (see [Terms]) to out.
func appendTerms(out, ws []string) []string {
	for _, w := range ws {
		out, _, _ = appendWordTerms(out, w, strings.Contains(w, zwnjString))
	}
	return out
}

// appendWordTerms appends the terms of one word w to out (see [Terms])
// and returns its token: w joined (ZWNJ deleted) with its term; ok is
// false when w is only joiners. split says that w holds a ZWNJ.
func appendWordTerms(out []string, w string, split bool) (_ []string, tok Token, ok bool) {
	joined := w
	if split {
		joined = strings.ReplaceAll(w, zwnjString, "")
	}
	if joined == "" {
		return out, Token{}, false
	}
	stem := tokenTerm(joined)
	if stem != "" {
		out = append(out, stem)
	}
	if split {
		for _, part := range strings.Split(w, zwnjString) {
			if part == "" || IsStopword(part) {
				continue
			}
			if p := Stem(part); p != stem {
				out = append(out, p)
			}
		}
	}
	return out, Token{Text: joined, Term: stem}, true
}

const zwnjString = string(zwnj)
