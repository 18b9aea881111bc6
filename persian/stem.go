package persian

import (
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
	return appendTerms(make([]string, 0, len(ws)), ws, nil)
}

// AppendTermsTokens appends [Terms](s) to terms and [Tokens](s) to
// tokens, folding s once when it can (text without the rare runes that
// need NFKC: see foldTable). The strings may share one folded copy of s.
func AppendTermsTokens(terms, tokens []string, s string) ([]string, []string) {
	k, ok := keepZWNJTable.apply(s)
	if !ok {
		return append(terms, Terms(s)...), append(tokens, Tokens(s)...)
	}
	// Folded by the tables, Tokens(s) is this with every ZWNJ deleted,
	// and ZWNJ is not white space: its tokens are the words joined, but
	// for words that were only joiners.
	ws := fields(k)
	return appendTerms(terms, ws, &tokens), tokens
}

// appendTerms appends the terms of the words ws (see [Terms]) to out and,
// when tokens is not nil, each word joined (ZWNJ deleted; none empty) to
// *tokens.
func appendTerms(out, ws []string, tokens *[]string) []string {
	for _, w := range ws {
		joined := w
		split := strings.Contains(w, zwnjString)
		if split {
			joined = strings.ReplaceAll(w, zwnjString, "")
		}
		if joined == "" {
			continue
		}
		if tokens != nil {
			*tokens = append(*tokens, joined)
		}
		stem := ""
		if !IsStopword(joined) {
			stem = Stem(joined)
			out = append(out, stem)
		}
		if !split {
			continue
		}
		for _, part := range strings.Split(w, zwnjString) {
			if part == "" || IsStopword(part) {
				continue
			}
			if p := Stem(part); p != stem {
				out = append(out, p)
			}
		}
	}
	return out
}

const zwnjString = string(zwnj)
