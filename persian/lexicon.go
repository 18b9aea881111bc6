package persian

import (
	"bufio"
	"embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The lexicon is data (lexicon/*.tsv), read once at start: spoken Persian
// mapped to the written forms news articles use, and groups of
// news-domain synonyms.
//
//go:embed lexicon/spoken.tsv lexicon/synonyms.tsv lexicon/contrast.tsv
var lexiconFiles embed.FS

// SpokenEntry is one line of lexicon/spoken.tsv: a spoken word or phrase
// and its written form, both as written in the file.
type SpokenEntry struct {
	Line            int
	Spoken, Written string
}

// SynonymGroup is one line of lexicon/synonyms.tsv: words or phrases that
// news articles use for the same thing.
type SynonymGroup struct {
	Line    int
	Members []string
}

// spokenRule is a spoken phrase as keys (one per word) and its written
// replacement, canonical.
type spokenRule struct {
	keys    []string
	written string
}

type lexicon struct {
	spoken   []SpokenEntry
	groups   []SynonymGroup
	classes  []SynonymGroup          // contrast classes, one a line
	contrast map[string][]int        // term → the classes it belongs to
	rules    map[string][]spokenRule // by first key, longest first
	synonyms map[string][]Synonym    // stemmed term → the other members' terms
}

var lex = mustLoadLexicon()

func mustLoadLexicon() *lexicon {
	l, err := loadLexicon()
	if err != nil {
		panic(err)
	}
	return l
}

// lexiconLines returns the non-comment lines of a lexicon file with their
// line numbers, each split at TABs.
func lexiconLines(name string) ([][]string, []int, error) {
	f, err := lexiconFiles.Open("lexicon/" + name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var rows [][]string
	var nums []int
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rows = append(rows, strings.Split(line, "\t"))
		nums = append(nums, n)
	}
	return rows, nums, sc.Err()
}

func loadLexicon() (*lexicon, error) {
	l := &lexicon{rules: map[string][]spokenRule{}, synonyms: map[string][]Synonym{}, contrast: map[string][]int{}}
	rows, nums, err := lexiconLines("spoken.tsv")
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if len(r) != 2 {
			return nil, fmt.Errorf("lexicon/spoken.tsv:%d: want spoken<TAB>written, got %d fields", nums[i], len(r))
		}
		e := SpokenEntry{Line: nums[i], Spoken: r[0], Written: r[1]}
		l.spoken = append(l.spoken, e)
		keys := spokenKeys(e.Spoken)
		if len(keys) == 0 {
			return nil, fmt.Errorf("lexicon/spoken.tsv:%d: empty spoken form", nums[i])
		}
		l.rules[keys[0]] = append(l.rules[keys[0]], spokenRule{keys: keys, written: Canonical(e.Written)})
	}
	for k, rs := range l.rules {
		// Longest phrase first, so «راه افتاد» wins over a rule for «راه».
		for i := 1; i < len(rs); i++ {
			for j := i; j > 0 && len(rs[j].keys) > len(rs[j-1].keys); j-- {
				rs[j], rs[j-1] = rs[j-1], rs[j]
			}
		}
		l.rules[k] = rs
	}
	rows, nums, err = lexiconLines("synonyms.tsv")
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		g := SynonymGroup{Line: nums[i], Members: r}
		l.groups = append(l.groups, g)
		terms := make([][]string, len(r))
		for j, m := range r {
			terms[j] = Terms(m)
		}
		for j := range r {
			for _, t := range terms[j] {
				for k := range r {
					if k == j {
						continue
					}
					for _, s := range terms[k] {
						if s != t {
							l.synonyms[t] = appendSynonym(l.synonyms[t], Synonym{Term: s, Weight: synonymWeight / float64(len(terms[k]))})
						}
					}
				}
			}
		}
	}
	rows, nums, err = lexiconLines("contrast.tsv")
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		l.classes = append(l.classes, SynonymGroup{Line: nums[i], Members: r})
		for _, m := range r {
			if key := strings.Join(Terms(m), " "); key != "" {
				l.contrast[key] = append(l.contrast[key], i)
			}
		}
	}
	return l, nil
}

// ContrastClasses returns the classes of lexicon/contrast.tsv, in file
// order: each names different things of one kind (sports, clubs,
// countries, provinces, months …).
func ContrastClasses() []SynonymGroup { return append([]SynonymGroup(nil), lex.classes...) }

// Contrasts returns, for a phrase's terms (as [Terms] gives them, joined by
// a space), the classes of lexicon/contrast.tsv it is a member of, as
// indexes into [ContrastClasses].
func Contrasts(terms string) []int { return lex.contrast[terms] }

// appendSynonym adds s unless its term is there, keeping the higher weight.
func appendSynonym(ss []Synonym, s Synonym) []Synonym {
	for i := range ss {
		if ss[i].Term == s.Term {
			ss[i].Weight = max(ss[i].Weight, s.Weight)
			return ss
		}
	}
	return append(ss, s)
}

// synonymWeight is the credit of a synonym against the word itself; a
// phrase's words share it.
const synonymWeight = 0.6

// SpokenEntries returns the entries of lexicon/spoken.tsv, in file order.
func SpokenEntries() []SpokenEntry { return append([]SpokenEntry(nil), lex.spoken...) }

// SynonymGroups returns the groups of lexicon/synonyms.tsv, in file order.
func SynonymGroups() []SynonymGroup { return append([]SynonymGroup(nil), lex.groups...) }

// Synonym is a term that stands for another, with the share of the
// other's weight it carries (0 < Weight < 1).
type Synonym struct {
	Term   string
	Weight float64
}

// Synonyms returns the synonyms of a lexical term (canonical and stemmed,
// as [Terms] gives it), from the news-domain lexicon: «قیمت» → «نرخ»,
// «بها»; «تلفات» → «کشته», «جانباخته» …. Nil when it has none.
func Synonyms(term string) []Synonym { return lex.synonyms[term] }

// hasMarks reports whether a word carries harakat (a spoken form may be
// told from a written one only by them: «مُرد» is not «مرد»).
func hasMarks(w string) bool {
	for _, r := range w {
		if isDiacritic(r) {
			return true
		}
	}
	return false
}

// markedKey is the key of a word written with harakat: its letters
// unified, ZWNJ and tatweel deleted, the harakat kept.
func markedKey(w string) string {
	return mapRunes(w, func(r rune) rune {
		switch {
		case r == zwnj || r == tatweel || r == zwj:
			return -1
		case isDiacritic(r):
			return r
		}
		return unifyLetter(r)
	})
}

// rawWords splits text into its words as written (letters, marks, digits
// and ZWNJ), without canonicalising them.
func rawWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == zwnj)
	})
}

// spokenKeys are the keys of a spoken phrase, one per word: canonical, or
// marked (see [markedKey]) for a word with harakat.
func spokenKeys(phrase string) []string {
	var keys []string
	for _, w := range rawWords(phrase) {
		if hasMarks(w) {
			keys = append(keys, markedKey(w))
			continue
		}
		if c := Canonical(w); c != "" {
			keys = append(keys, c)
		}
	}
	return keys
}

// Written returns text in canonical form with its spoken words and phrases
// replaced by the written forms news articles use: «خط ده مترو کِی راه
// افتاد» → «خط ده مترو کی افتتاح شد», «گندم رو کیلویی چند از کشاورزا
// می‌خره» → «گندم را هر کیلوگرم چند از کشاورزان میخرد». Words that are not
// spoken forms are kept (canonical).
func Written(text string) string {
	words := rawWords(text)
	canon := make([]string, len(words))
	marked := make([]string, len(words))
	for i, w := range words {
		canon[i] = Canonical(w)
		if hasMarks(w) {
			marked[i] = markedKey(w)
		}
	}
	key := func(i int) []string {
		if marked[i] != "" {
			return []string{marked[i], canon[i]}
		}
		return []string{canon[i]}
	}
	var out []string
	for i := 0; i < len(words); {
		applied := false
	keys:
		for _, k := range key(i) {
			for _, r := range lex.rules[k] {
				if i+len(r.keys) <= len(words) && matchRule(r.keys, i, key) {
					out = append(out, r.written)
					i += len(r.keys)
					applied = true
					break keys
				}
			}
		}
		if !applied {
			if w, ok := spokenCopula(canon[i]); ok {
				out = append(out, w, "است")
			} else if canon[i] != "" {
				out = append(out, canon[i])
			}
			i++
		}
	}
	return strings.Join(out, " ")
}

// spokenCopula splits the spoken «‌ست» of a word ending in «ه» («بسته‌ست»
// → «بسته» and «است», «آلوده‌ست»), canonical (ZWNJ deleted).
func spokenCopula(w string) (string, bool) {
	stem, ok := strings.CutSuffix(w, "ست")
	if !ok || !strings.HasSuffix(stem, "ه") || utf8.RuneCountInString(stem) < 3 {
		return "", false
	}
	return stem, true
}

// matchRule reports whether the phrase keys occur at word i; the caller
// checks that the words are there.
func matchRule(keys []string, i int, key func(int) []string) bool {
	for j, k := range keys {
		found := false
		for _, c := range key(i + j) {
			if c == k {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
