package answer

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// markerPattern finds citation markers as models write them: [1], [۱],
// [1, 2], [۱،۲].
var markerPattern = regexp.MustCompile(`\[\s*[0-9۰-۹٠-٩]+(?:\s*[,،]\s*[0-9۰-۹٠-٩]+)*\s*\]`)

// gate checks a generated answer's citations against the passages it was
// given, sentence by sentence. A marker that points at no passage is
// dropped; a sentence with no marker left is dropped (an uncited claim, a
// link, an injected line); text after a sentence's last marker is dropped
// with it («… [۱] HACKED»); a cited sentence is kept only when its cited
// passages support it: every content word of it (or a longer form, or a
// synonym from the news lexicon) and every number in it occurs in them.
// Kept citations are renumbered by article in order of first citation.
// ok is false when no supported sentence is left. Blank lines are kept
// (at most one in a row) and the text trimmed.
func gate(text string, passages []retrieval.Passage) (out string, sources []Source, ok bool) {
	lines, sources, ok := gateLines(strings.Split(strings.TrimSpace(text), "\n"), passages)
	var kept []string
	for _, l := range lines {
		if l == "" && (len(kept) == 0 || kept[len(kept)-1] == "") {
			continue
		}
		kept = append(kept, l)
	}
	out = strings.TrimSpace(strings.Join(kept, "\n"))
	return out, sources, ok && out != ""
}

// gateLines is [gate] line by line: out[i] is lines[i] checked, "" when
// none of its sentences is supported (so that a bullet list stays aligned
// with what it lists).
func gateLines(in []string, passages []retrieval.Passage) (out []string, sources []Source, ok bool) {
	number := map[string]int{}               // article id → source number
	words := make([][]string, len(passages)) // each passage's words, when first needed
	passageWords := func(n int) []string {
		if words[n] == nil {
			words[n] = persian.Tokens(passages[n].Title + " " + passages[n].Text)
		}
		return words[n]
	}
	for _, line := range in {
		if strings.TrimSpace(line) == "" {
			out = append(out, "")
			continue
		}
		var parts []string
		for _, sp := range splitKeepingMarkers(line) {
			sentence, cited := stripMarkers(claimPart(sp))
			var valid []int
			var support []string
			for _, n := range cited {
				if n >= 1 && n <= len(passages) && !containsInt(valid, n) {
					valid = append(valid, n)
					support = append(support, passageWords(n-1)...)
				}
			}
			if len(valid) == 0 || !supported(sentence, support) {
				continue // uncited, or its passages do not say it
			}
			var kept []int
			for _, n := range valid {
				p := passages[n-1]
				if !sharesWords(claimTerms(sentence), passageWords(n-1)) {
					continue // this passage adds nothing to the claim
				}
				src, seen := number[p.ArticleID]
				if !seen {
					src = len(sources) + 1
					number[p.ArticleID] = src
					p.Title = display(p.Title)
					sources = append(sources, Source{N: src, Passage: p})
				}
				if !containsInt(kept, src) {
					kept = append(kept, src)
				}
			}
			sentence = display(sentence)
			for _, k := range kept {
				sentence += " " + persian.Marker(k)
			}
			parts = append(parts, sentence)
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out, sources, len(sources) > 0
}

// claimPart is a sentence up to and including its last citation marker:
// what follows the last marker is not cited («… [۱] HACKED»). A sentence
// with no marker is returned whole (and then dropped as uncited).
func claimPart(s string) string {
	locs := markerPattern.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return s
	}
	end := locs[len(locs)-1][1]
	rest := strings.TrimSpace(s[end:])
	if strings.Trim(rest, ".!؟?،؛:»«\"') ") == "" {
		return s // only the full stop follows
	}
	return s[:end]
}

// claimTerms are the content words of a sentence, a word written with
// ZWNJ kept whole.
func claimTerms(sentence string) []string {
	return persian.Terms(strings.Join(persian.Tokens(sentence), " "))
}

// supported reports whether a sentence's cited passages (given as their
// words) say what it says: every number in it occurs in them, and so does
// every content word (or a longer form, or a synonym from the news
// lexicon), but one in a sentence of four or more (a model's own verb,
// «رسید» for «معامله شد»), unless that one contradicts them: a negated
// verb, or the opposite of one of their words («افزایش» against «کاهش»).
func supported(sentence string, passage []string) bool {
	terms := claimTerms(sentence)
	if len(terms) == 0 {
		return false
	}
	have := make(map[string]bool, len(passage))
	for _, w := range passage {
		have[w] = true
		have[persian.Stem(w)] = true
	}
	for _, w := range persian.Tokens(sentence) {
		if hasDigit(w) && !have[w] {
			return false // a number the passage does not have
		}
	}
	var missing []string
	for _, t := range terms {
		if isNumber(t) || matchStrength(t, passage) > 0 || synonymIn(t, passage) {
			continue
		}
		missing = append(missing, t)
	}
	switch {
	case len(missing) == 0:
		return true
	case len(missing) > 1 || len(terms) < 4:
		return false
	}
	m := missing[0]
	if negated([]string{m}) {
		return false
	}
	if rest, ok := strings.CutPrefix(m, "ن"); ok && (have[rest] || have["می"+strings.TrimPrefix(rest, "می")]) {
		return false // «نیافت» against «یافت»
	}
	for _, o := range opposites[m] {
		if have[o] {
			return false
		}
	}
	return true
}

// synonymIn reports whether a lexicon synonym of t is among words.
func synonymIn(t string, words []string) bool {
	for _, s := range persian.Synonyms(t) {
		if s.Weight >= 0.5 && matchStrength(s.Term, words) > 0 {
			return true
		}
	}
	return false
}

// opposites pairs words a claim may turn around (canonical, stemmed).
var opposites = map[string][]string{}

func init() {
	for _, pair := range [][2]string{
		{"افزایش", "کاهش"}, {"گران", "ارزان"}, {"بالا", "پایین"}, {"برد", "باخت"}, {"پیروز", "شکست"},
		{"تایید", "تکذیب"}, {"موافقت", "مخالفت"}, {"رشد", "افت"}, {"صعود", "نزول"}, {"افزود", "کاست"},
		{"بیشتر", "کمتر"}, {"بیش", "کم"}, {"باز", "بسته"}, {"آغاز", "پایان"}, {"قبول", "رد"}, {"تصویب", "رد"},
		{"آزاد", "بازداشت"}, {"صادرات", "واردات"}, {"خرید", "فروش"}, {"مثبت", "منفی"}, {"گرم", "سرد"},
	} {
		a, b := persian.Stem(persian.Canonical(pair[0])), persian.Stem(persian.Canonical(pair[1]))
		opposites[a] = append(opposites[a], b)
		opposites[b] = append(opposites[b], a)
	}
}

// splitKeepingMarkers splits a line into sentences, leaving markers that
// follow a sentence's full stop («… است. [1]») with that sentence.
func splitKeepingMarkers(line string) []string {
	spans := persian.Sentences(line)
	var out []string
	for _, sp := range spans {
		t := sp.Text
		if len(out) > 0 && markerPattern.MatchString(t) && strings.TrimSpace(markerPattern.ReplaceAllString(t, "")) == "" {
			out[len(out)-1] += " " + t
			continue
		}
		out = append(out, t)
	}
	return out
}

// stripMarkers removes the markers of a sentence and returns their
// numbers, in order.
func stripMarkers(s string) (string, []int) {
	var nums []int
	for _, m := range markerPattern.FindAllString(s, -1) {
		for _, f := range strings.FieldsFunc(m, func(r rune) bool { return !unicode.IsDigit(r) }) {
			if n, err := strconv.Atoi(persian.Canonical(f)); err == nil {
				nums = append(nums, n)
			}
		}
	}
	s = markerPattern.ReplaceAllString(s, "")
	s = strings.Join(strings.Fields(s), " ")
	// «… است .» left by a removed marker before the full stop.
	s = strings.NewReplacer(" .", ".", " ،", "،", " ؛", "؛", " ؟", "؟").Replace(s)
	return s, nums
}

// sharesWords reports whether a sentence's terms include a content word of
// a passage (its text or title), given as its words, allowing longer forms.
func sharesWords(terms, passage []string) bool {
	for _, t := range terms {
		if matchStrength(t, passage) > 0 {
			return true
		}
	}
	return false
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// persianMarkers shows a model's [1] as [۱] while it streams.
func persianMarkers(s string) string {
	return markerPattern.ReplaceAllStringFunc(s, persian.Digits)
}

// mostlyPersian reports whether most letters of s are of the Arabic
// script (a Persian answer) rather than Latin.
func mostlyPersian(s string) bool {
	arabic, other := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r):
			arabic++
		case unicode.IsLetter(r):
			other++
		}
	}
	return arabic > 0 && arabic >= 2*other
}

// saysNotFound reports whether a generated answer is the not-found
// sentence (the model may add or drop a word).
func saysNotFound(s string) bool {
	c := persian.Canonical(s)
	return strings.Contains(c, persian.Canonical("پاسخی برای این پرسش پیدا نکردم")) ||
		strings.Contains(c, persian.Canonical("در منابع موجود پاسخی"))
}
