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
// given. A marker that points at no passage is dropped; a marker whose
// passage shares no word with its sentence is dropped; the rest are
// renumbered by article in order of first citation. ok is false when no
// valid citation is left.
func gate(text string, passages []retrieval.Passage) (out string, sources []Source, ok bool) {
	number := map[string]int{}               // article id → source number
	words := make([][]string, len(passages)) // each passage's words, when first needed
	passageWords := func(n int) []string {
		if words[n] == nil {
			words[n] = persian.Tokens(passages[n].Title + " " + passages[n].Text)
		}
		return words[n]
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if strings.TrimSpace(line) == "" {
			lines = append(lines, "")
			continue
		}
		var parts []string
		for _, sp := range splitKeepingMarkers(line) {
			sentence, cited := stripMarkers(sp)
			terms := persian.Terms(strings.Join(persian.Tokens(sentence), " ")) // ZWNJ words whole, not by their parts
			var kept []int
			for _, n := range cited {
				if n < 1 || n > len(passages) {
					continue // points nowhere
				}
				p := passages[n-1]
				if !sharesWords(terms, passageWords(n-1)) {
					continue // the passage does not say this
				}
				src, seen := number[p.ArticleID]
				if !seen {
					src = len(sources) + 1
					number[p.ArticleID] = src
					sources = append(sources, Source{N: src, Passage: p})
				}
				if !containsInt(kept, src) {
					kept = append(kept, src)
				}
			}
			for _, k := range kept {
				sentence += " " + persian.Marker(k)
			}
			parts = append(parts, sentence)
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	out = strings.TrimSpace(strings.Join(lines, "\n"))
	return out, sources, len(sources) > 0
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
