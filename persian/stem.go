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

// AppendTerms appends [Terms](s) to terms.
func AppendTerms(terms []string, s string) []string {
	return appendTerms(terms, words(s), nil)
}

// AppendTermsTokens appends [Terms](s) to terms and [Tokens](s) to
// tokens, folding s once when it can (see [Scratch]).
func AppendTermsTokens(terms, tokens []string, s string) ([]string, []string) {
	var sc Scratch
	return sc.AppendTermsTokens(terms, tokens, s)
}

// A Scratch gives the terms and tokens of texts given in parts, folding
// each text once into a buffer it reuses: text made only of the runes
// fold maps by its tables (almost all of our text) costs it one
// allocation, the folded copy the strings are cut from. Other text goes
// through [Terms] and [Tokens]. A Scratch is not safe for concurrent use.
type Scratch struct {
	buf []byte
}

// fold returns the parts, joined, folded by keepZWNJTable; false when one
// has a rune the table does not map (or invalid UTF-8).
func (sc *Scratch) fold(parts []string) (string, bool) {
	buf := sc.buf[:0]
	for _, p := range parts {
		var ok bool
		if buf, ok = keepZWNJTable.appendTo(buf, p); !ok {
			sc.buf = buf[:0]
			return "", false
		}
	}
	sc.buf = buf[:0]
	return string(buf), true
}

// AppendTerms appends [Terms] of the parts joined to terms.
func (sc *Scratch) AppendTerms(terms []string, parts ...string) []string {
	k, ok := sc.fold(parts)
	if !ok {
		return append(terms, Terms(strings.Join(parts, ""))...)
	}
	return appendFieldTerms(terms, k, nil)
}

// AppendTermsTokens appends [Terms] of the parts joined to terms and
// their [Tokens] to tokens.
func (sc *Scratch) AppendTermsTokens(terms, tokens []string, parts ...string) ([]string, []string) {
	k, ok := sc.fold(parts)
	if !ok {
		s := strings.Join(parts, "")
		return append(terms, Terms(s)...), append(tokens, Tokens(s)...)
	}
	// Folded by the tables, Tokens(s) is this with every ZWNJ deleted,
	// and ZWNJ is not white space: its tokens are the words joined, but
	// for words that were only joiners.
	return appendFieldTerms(terms, k, &tokens), tokens
}

// appendFieldTerms is appendTerms of fields(k), without the slice.
func appendFieldTerms(out []string, k string, tokens *[]string) []string {
	start := -1
	for i := 0; i < len(k); {
		sp, size := spaceAt(k, i)
		switch {
		case sp && start >= 0:
			out = appendWordTerms(out, k[start:i], tokens)
			start = -1
		case !sp && start < 0:
			start = i
		}
		i += size
	}
	if start >= 0 {
		out = appendWordTerms(out, k[start:], tokens)
	}
	return out
}

// appendTerms appends the terms of the words ws (see [Terms]) to out and,
// when tokens is not nil, each word joined (ZWNJ deleted; none empty) to
// *tokens.
func appendTerms(out, ws []string, tokens *[]string) []string {
	for _, w := range ws {
		out = appendWordTerms(out, w, tokens)
	}
	return out
}

// appendWordTerms is appendTerms of one word.
func appendWordTerms(out []string, w string, tokens *[]string) []string {
	joined := w
	split := strings.Contains(w, zwnjString)
	if split {
		joined = strings.ReplaceAll(w, zwnjString, "")
	}
	if joined == "" {
		return out
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
		return out
	}
	for _, part := range strings.Split(w, zwnjString) {
		if part == "" || IsStopword(part) {
			continue
		}
		if p := Stem(part); p != stem {
			out = append(out, p)
		}
	}
	return out
}

const zwnjString = string(zwnj)
