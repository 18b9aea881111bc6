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

// minStemRunes is the shortest stem [Stem] leaves: shorter words keep
// their ending («تهران» is not «ته»+«ران», «بیان» is not stripped).
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
		if utf8.RuneCountInString(stem) >= minStemRunes {
			return stem
		}
	}
	return tok
}

// Terms returns the lexical terms of s: canonical tokens, stopwords
// removed, each stemmed. Documents and queries go through the same path.
func Terms(s string) []string {
	toks := Tokens(s)
	out := toks[:0]
	for _, t := range toks {
		if IsStopword(t) {
			continue
		}
		out = append(out, Stem(t))
	}
	return out
}
