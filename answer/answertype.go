package answer

import (
	"slices"
	"strings"

	"github.com/khabar/khabar/persian"
	"github.com/khabar/khabar/retrieval"
)

// answers reports whether the sentences an extractive answer quotes answer
// the question: they meet its distinctive constraints ([meetsConstraints])
// and give the kind of value it asks for ([unmetType]).
func answers(res retrieval.Result, ex extraction) bool {
	return meetsConstraints(res, ex) && unmetGiven(res, ex) == ""
}

// unmetGiven names the first way the quoted sentences fail to give what
// the question asks for, or "":
//   - a code of the question, letters and digits together («COP29»,
//     «F-35»), that no quoted sentence or title has: like a number, it names
//     one thing of a series and its neighbour («COP30») is another;
//   - a member of a kind the question names («کنکور ارشد»، «جو») that no
//     quoted sentence or title names, while they name another member of
//     it («کنکور سراسری»، «گندم»): the answer is about the other one;
//   - a count or an amount («چند نفر»، «چند واحد»، «چقدر») that no quoted
//     sentence gives a value for (see [statesValue]).
func unmetGiven(res retrieval.Result, ex extraction) string {
	if len(ex.lines) == 0 {
		return "nothing quoted"
	}
	for _, c := range constraints(res, ex) {
		if !c.inCited && isCode(c.term) {
			return "code"
		}
	}
	asked := askedMembers(questionRead(res))
	var cited []string
	for _, l := range ex.lines {
		cited = append(append(cited, l.words...), persian.Tokens(res.Passages[l.passage].Title)...)
	}
	if aboutOther(asked, cited) {
		return "another member"
	}
	unit, counts := askedUnit(res.Question)
	if counts && !statesValue(res, ex, unit) {
		return "no value"
	}
	return ""
}

// statesValue reports whether some quoted sentence gives a value for the
// count or amount a question asks: a number that is not only the day of a
// date («۲۲ مهر»), in unit when one is asked («چند واحد» is not answered
// by «رشد ۱.۴ درصدی»), beside every measure the question names («بلیت»),
// in a sentence that, with its article's title, is not about another
// member of a kind the question names: «حدود ۳۵ هزار تماشاگر این بازی را …
// دیدند», of the match with Tanzania, gives no crowd of the match with
// Burkina Faso; «بلیت … برای بازدیدکنندگان ایرانی» no price for foreigners.
func statesValue(res retrieval.Result, ex extraction, unit string) bool {
	_, syn := termWeights(res)
	measured := askedMeasures(res.Question)
	asked := askedMembers(questionRead(res))
	for _, l := range ex.lines {
		if !statesNumber(l.words) || onlyDates(l.words) || !namesAll(measured, syn, l.words) {
			continue
		}
		if unit != "" && !statesInUnit(l.words, unit) {
			continue
		}
		title := persian.Tokens(res.Passages[l.passage].Title)
		if !aboutOther(asked, append(slices.Clone(l.words), title...)) {
			return true
		}
	}
	return false
}

// questionRead is the question with the words its typing errors stand
// for: the known word the search read one as, or the member of a contrast
// class it misspells when the corpus never names that member («والیبل»
// for «والیبال»). A member asked misspelt is still the member asked, and a
// sentence about another one («کشتی») does not answer it.
func questionRead(res retrieval.Result) string {
	q := res.Question
	for _, t := range res.Terms {
		switch {
		case t.DF != 0 || t.Expands != "" || t.Variant:
		case t.Correction != "":
			q += " " + t.Correction
		default:
			if m := retrieval.CorrectionIn(contrastWords{}, t.Text); m != "" {
				q += " " + m
			}
		}
	}
	return q
}

// contrastWords is the vocabulary of the contrast classes' one-word
// members ([persian.Contrasts]), each as if one text used it.
type contrastWords struct{}

func (contrastWords) Texts() int { return 1 }

func (contrastWords) DF(t string) int {
	if len(persian.Contrasts(t)) > 0 {
		return 1
	}
	return 0
}

var _ retrieval.Vocabulary = contrastWords{}

// askedMembers returns the contrast-class members a question names, by
// class; none when it asks which one («کجاست»، «کدام شهر»): its answer is
// another member.
func askedMembers(question string) map[int]map[string]bool {
	for _, w := range persian.Tokens(question) {
		if asksWhich[w] {
			return nil
		}
	}
	return members(persian.Terms(persian.Written(question)))
}

// aboutOther reports whether words name another member of a class the
// question names a member of (asked, by class), while one asked is not
// named; the province of a city asked, or a city of a province asked, is
// no other place.
func aboutOther(asked map[int]map[string]bool, words []string) bool {
	said := members(persian.Terms(strings.Join(words, " ")))
	named := func(class int, m string) bool { return said[class][m] }
	return namesOther(asked, said, named, func(_ int, m string, qs map[string]bool) bool { return samePlace(m, qs) })
}

// samePlace reports whether member m is the province of a city asked or a
// city of a province asked.
func samePlace(m string, asked map[string]bool) bool {
	for a := range asked {
		if inProvince(a, m) {
			return true
		}
	}
	return false
}

// isCode reports whether a term mixes Latin letters and digits
// («cop29»); digits glued to a Persian word are a missing space
// («۲۰۰۹–۱۰به»).
func isCode(term string) bool {
	letter, digit := false, false
	for _, r := range term {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z':
			letter = true
		default:
			return false
		}
	}
	return letter && digit
}

// units are the units a count is asked in («چند واحد»). A value in one is
// not a value in another: «۱.۴ درصد» does not say how many «واحد».
var units = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`واحد درصد کیلومتر متر سانتیمتر میلیمتر کیلوگرم گرم تن لیتر مترمکعب بشکه
		دقیقه ثانیه ساعت مگابیت مگاوات هکتار میکروگرم ریشتر درجه`) {
		units[persian.Canonical(w)] = true
	}
}

// askedUnit reads a question for a count or an amount («چند»، «چقدر»,
// not «چندم» nor «ساعت چند»): counts reports one, and unit is the unit it
// is asked in when the question names one of [units] right after «چند»
// («چند واحد», «چند تا کیلومتر»).
func askedUnit(question string) (unit string, counts bool) {
	toks := persian.Tokens(persian.Written(question))
	for i, w := range toks {
		switch w {
		case "چقدر", "چقدره":
			counts = true
		case "چند", "چندتا":
			if i > 0 && toks[i-1] == "ساعت" || i+1 < len(toks) && toks[i+1] == "چند" || i > 0 && toks[i-1] == "چند" {
				continue // the time of day, a score («چند چند»)
			}
			counts = true
			j := i + 1
			if j < len(toks) && toks[j] == "تا" {
				j++
			}
			if j < len(toks) && units[toks[j]] {
				unit = toks[j]
			}
		}
	}
	return unit, counts
}

// onlyDates reports whether every number in words is the day of a date
// («۲۲ مهر») or its year («۲۲ مهر ۱۴۰۴»); a number in letters is not.
func onlyDates(words []string) bool {
	for i, w := range words {
		if numberLetters[w] && !monthNames[w] {
			return false
		}
		if !hasDigit(w) {
			continue
		}
		day := i+1 < len(words) && monthNames[words[i+1]]
		year := i > 0 && monthNames[words[i-1]]
		if !day && !year {
			return false
		}
	}
	return true
}

// statesInUnit reports whether words give a number in unit: the number
// (digits, or the words of a number) right before it, or before a form of
// it («۴۲ هزار واحدی»).
func statesInUnit(words []string, unit string) bool {
	for i := 1; i < len(words); i++ {
		if !strings.HasPrefix(words[i], unit) || len([]rune(words[i])) > len([]rune(unit))+2 {
			continue
		}
		if p := words[i-1]; hasDigit(p) || numberLetters[p] {
			return true
		}
	}
	return false
}

// promoteUnit moves to the front of order, the candidates by score, the
// best sentence that can be shown (see [antecedents]) and gives a number
// in the unit a question asks a count in («هر چند دقیقه» → «با فاصله
// زمانی ۱۲ دقیقه»), when the best one that can be shown gives none: it is
// the answering sentence, whichever article it is from.
func promoteUnit(question string, cands []candidate, order []int) {
	unit, _ := askedUnit(question)
	promoteIn(unit, cands, order)
}

// promoteCounted is [promoteUnit] for the thing a question counts («چند
// فیلم» → «۱۸۰ فیلم»; see [countedNoun]). It orders what an answer shows,
// not what decides it: the sentences that decide whether the passages
// answer are those of the plain extraction.
func promoteCounted(question string, cands []candidate, order []int) {
	promoteIn(countedNoun(question), cands, order)
}

// promoteIn moves to the front of order the best sentence that can be
// shown and gives a number in unit, when the best one that can be shown
// gives none.
func promoteIn(unit string, cands []candidate, order []int) {
	if unit == "" {
		return
	}
	for k, i := range order {
		if _, ok := antecedents(cands, i); !ok {
			continue
		}
		if !statesInUnit(cands[i].words, unit) {
			continue
		}
		if k > 0 {
			copy(order[1:k+1], order[:k])
			order[0] = i
		}
		return
	}
}

// countedNoun returns the word a question counts with «چند» («چند فیلم»،
// «چند تا ایستگاه»), or "": a word of a number, a question word, a
// function word or the last word (the verb: «به چند رسید؟») is no thing
// counted.
func countedNoun(question string) string {
	toks := persian.Tokens(persian.Written(question))
	for i, w := range toks {
		if w != "چند" || i > 0 && (toks[i-1] == "ساعت" || toks[i-1] == "چند") {
			continue
		}
		j := i + 1
		if j < len(toks) && toks[j] == "تا" {
			j++
		}
		if j+1 >= len(toks) {
			return ""
		}
		n := toks[j]
		if n == "چند" || hasDigit(n) || numberLetters[n] || questionWords[n] || persian.IsStopword(n) {
			return ""
		}
		return n
	}
	return ""
}
