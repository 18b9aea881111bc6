package persian

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// News leads: the outlet an article credits at its start («به گزارش
// تابناک،»), which the corpus loader takes for an article's source when it
// has none, and the lead dropped from the text a title is derived from.

func WithoutLead(text string) string {
	if OutletFromLead(text) == "" {
		return text
	}
	head := text[:min(len(text), 4*leadRunes)]
	i := strings.IndexAny(head, "،,:")
	if i < 0 {
		return text
	}
	_, size := utf8.DecodeRuneInString(head[i:])
	if rest := strings.TrimSpace(text[i+size:]); rest != "" {
		return rest
	}
	return text
}

// duplicateProblem reports a, whose id was first seen at first.

const leadRunes = 200

// leadToken is a word or a punctuation mark of an article's lead: its
// original text and, for words, the canonical form.
type leadToken struct {
	text  string
	canon string // "" for punctuation
	punct rune   // 0 for words
}

// Canonical forms of the words OutletFromLead looks for.
var (
	canonBe       = Canonical("به")
	canonGozaresh = Canonical("گزارش")
	canonAgency   = Canonical("خبرگزاری")
	canonReporter = Canonical("خبرنگار")
	canonAz       = Canonical("از")
	canonNaghl    = Canonical("نقل")
)

// notOutlet lists words that end an «به گزارش X،» match: X is a phrase,
// not an outlet («به گزارش رسیده،», «به گزارش خبرنگار ما،»).
var notOutlet = canonicalSet("رسیده واصله منابع ما")

// notColonOutlet lists words that show an «X:» lead is a quoted speaker or
// a label («وزیر کشور:», «رئیس‌جمهور گفت:», «توضیح:»), not an outlet.
var notColonOutlet = canonicalSet(`وزیر رئیس رییس رئیس‌جمهور سخنگو سخنگوی معاون نماینده مدیر مدیرعامل
	مدیرکل دبیر فرمانده استاندار دادستان امام رهبر سردار دکتر مهندس آیت‌الله حجت‌الاسلام
	گفت افزود نوشت اظهار تاکید تصریح گفته اعلام کرد گفت‌وگو
	توضیح نکته یادداشت پاسخ سوال سؤال پرسش گزارش خلاصه متن منبع عکس تصویر ویدئو فیلم
	ساعت تاریخ شماره بخش قسمت`)

func canonicalSet(words string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		set[Canonical(w)] = true
	}
	return set
}

// OutletFromLead names the outlet a news lead credits, in its original
// spelling, or returns "": «به گزارش تابناک،» → تابناک, «به گزارش
// خبرگزاری فارس،» → فارس, «خبرگزاری فارس:» → فارس, «به گزارش خبرنگار
// ایلنا،» → ایلنا, «به گزارش ایرنا از …» → ایرنا. The lead is either
// «به گزارش (خبرنگار )?(خبرگزاری )?X» followed by «،», «,», «:», «از» or
// «به نقل از», or «(خبرگزاری )?X:» at the very start, X being one to three
// words; words are compared in canonical form, so ي/ك and ZWNJ variants
// match.
func OutletFromLead(body string) string {
	toks := leadTokens(body, leadRunes)
	if len(toks) >= 2 && toks[0].canon == canonBe && toks[1].canon == canonGozaresh {
		return outletBefore(toks[2:], false)
	}
	return outletBefore(toks, true)
}

// outletBefore matches «(خبرنگار |خبرگزاری )*X» followed by the end of a
// lead, X being one to three words, and returns X without the words
// «خبرگزاری» and «خبرنگار». colonOnly accepts only «:» as the end and
// rejects speakers and labels.
func outletBefore(toks []leadToken, colonOnly bool) string {
	i := 0
	for i < len(toks) && (toks[i].canon == canonAgency || toks[i].canon == canonReporter) {
		i++
	}
	// «خبرگزاری X:» names an agency; a bare «X:» may be a speaker or a label.
	strict := colonOnly && i == 0
	return outletWords(toks[i:], colonOnly, strict)
}

// outletWords returns the first one to three words of toks when a lead end
// follows them.
func outletWords(toks []leadToken, colonOnly, strict bool) string {
	for j := 0; j < len(toks) && j < 3; j++ {
		t := toks[j]
		if t.punct != 0 || t.canon == "" || IsStopword(t.canon) || notOutlet[t.canon] ||
			strings.ContainsFunc(t.canon, unicode.IsDigit) || (strict && notColonOutlet[t.canon]) {
			return ""
		}
		if leadEnd(toks[j+1:], colonOnly) {
			return displayOutlet(toks[:j+1])
		}
	}
	return ""
}

// leadEnd reports whether toks starts with the end of a lead: «:», or
// also «،», «,», «از» and «به نقل از» unless colonOnly.
func leadEnd(toks []leadToken, colonOnly bool) bool {
	if len(toks) == 0 {
		return false
	}
	switch {
	case toks[0].punct == ':':
		return true
	case colonOnly:
		return false
	case toks[0].punct == '،' || toks[0].punct == ',':
		return true
	case toks[0].canon == canonAz:
		return true
	}
	return len(toks) >= 3 && toks[0].canon == canonBe && toks[1].canon == canonNaghl && toks[2].canon == canonAz
}

// displayOutlet joins the original words of an outlet name, keeping those
// after the last «خبرگزاری» and dropping «خبرنگار».
func displayOutlet(words []leadToken) string {
	var out []string
	for _, w := range words {
		switch w.canon {
		case canonAgency:
			out = out[:0]
		case canonReporter:
		default:
			out = append(out, w.text)
		}
	}
	return strings.Join(out, " ")
}

// leadTokens splits the first maxRunes runes of s into words (letters,
// digits, marks and joiners) and single punctuation marks; white space
// separates tokens, a line break is a punctuation token, other invisible
// format characters are dropped.
func leadTokens(s string, maxRunes int) []leadToken {
	var toks []leadToken
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			w := word.String()
			toks = append(toks, leadToken{text: w, canon: Canonical(w)})
			word.Reset()
		}
	}
	n := 0
	for _, r := range s {
		if n++; n > maxRunes {
			break
		}
		switch {
		case r == utf8.RuneError:
			flush()
			toks = append(toks, leadToken{text: "\uFFFD", punct: r})
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\u200C' || r == '\u200D':
			word.WriteRune(r)
		case r == '\n':
			flush()
			toks = append(toks, leadToken{text: "\n", punct: r})
		case unicode.IsSpace(r):
			flush()
		case unicode.Is(unicode.Cf, r):
		default:
			flush()
			toks = append(toks, leadToken{text: string(r), punct: r})
		}
	}
	flush()
	return toks
}
