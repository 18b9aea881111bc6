package answer

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/khabar/khabar/persian"
)

// Answer types: what a question's wh-word asks for, and whether the
// answering sentence states a thing of that kind. A sentence on the
// question's topic that states no year does not answer «چه سالی», one that
// names no mother does not answer «اسم مادر … چیست». The checks read
// canonical tokens ([persian.Tokens]) of the question and of the answering
// sentence with the sentences it refers back to.

// unmetType names the first answer type the question asks for that the
// answering sentence does not state, or "": answer is its words (with
// those of the sentences it refers back to), title those of its article's
// title, text the sentence as quoted, cited the words of every quoted
// sentence; corrected maps a question term the corpus never uses to the
// known word the search took it for («یونسیف» → «یونیسف»).
func unmetType(question string, answer, title []string, text string, cited []string, corrected map[string]string) string {
	q := persian.Tokens(persian.Written(question))
	named := func(words []string) bool { return namesDefined(q, words, corrected) }
	switch {
	case asksYear(q) && !statesYear(answer, asksDate(q)):
		return "year asked"
	case asksAge(q) && !statesAge(answer):
		return "age asked"
	case !namesKin(q, cited):
		// Any quoted sentence: the one that names the relation may follow
		// the one that names the person («… نقش پدرش یعقوب …»).
		return "kin asked"
	case (asksDefinition(q) || asksWhoIs(q) || asksWhereIs(q)) && !named(answer) &&
		!(refersToTitle(answer) && named(append(append([]string(nil), answer...), title...))):
		// «نیوتن کی بود؟» is not answered by a sentence on «نیون»: the
		// thing defined is named as a word, not only spelled alike.
		return "defined not named"
	case asksDefinition(q) && !defines(answer, text):
		return "definition asked"
	case asksWhoIs(q) && !defines(answer, text):
		return "identity asked"
	case (asksDefinition(q) || asksWhoIs(q)) && bareDefinition(q) && !definesAsked(q, text, corrected):
		// «پلیمر چیه؟» is not answered by «… ظرفیت تولید پلیمر ۷٫۴
		// میلیون تن است»: a sentence that says what a thing is opens
		// with it, or names it («… را بدن‌نگاری می‌نامند»).
		return "defined not the subject"
	case asksCount(q) && !statesCount(answer, q):
		return "count asked"
	case asksWhen(q) && !statesYear(answer, true) && !statesTime(answer):
		return "time asked"
	case asksUntil(q) && !statesYear(answer, true) && !statesDay(answer):
		return "end asked"
	}
	if kind := askedKind(q); kind != "" && !namesKind(kind, q, cited) {
		return "kind asked"
	}
	return ""
}

// yearWords follow «چه»/«کدام» in a question for a year, a century or a
// date: «در چه سالی»، «کدام قرن»، «چه تاریخی».
var yearWords = map[string]bool{"سال": true, "سالی": true, "قرن": true, "قرنی": true, "تاریخ": true, "تاریخی": true, "سده": true, "سدهای": true, "دهه": true, "دههای": true}

// asksYear reports whether question tokens q ask for a year, a century or
// a date («چه سالی»، «کدام قرن»، «چه تاریخی»).
func asksYear(q []string) bool {
	for i := 0; i+1 < len(q); i++ {
		if (q[i] == "چه" || q[i] == "کدام" || q[i] == "کدوم") && yearWords[q[i+1]] {
			return true
		}
	}
	return false
}

// asksDate reports whether question tokens q ask for a date («چه
// تاریخی»), which a day and month answer as well as a year.
func asksDate(q []string) bool {
	for i := 0; i+1 < len(q); i++ {
		if (q[i] == "چه" || q[i] == "کدام") && (q[i+1] == "تاریخ" || q[i+1] == "تاریخی" || q[i+1] == "روزی") {
			return true
		}
	}
	return false
}

// countedNouns precede a number that counts or numbers something, not a
// year: «فصل ۱۲۰»، «ماده ۱۳۴».
var countedNouns = map[string]bool{"فصل": true, "ماده": true, "بند": true, "اصل": true, "شماره": true, "صفحه": true, "پلاک": true, "کد": true}

// yearMarks are the words that state a year or a period of years without
// its number, or a relative year.
var yearMarks = map[string]bool{"قرن": true, "قرنها": true, "سده": true, "دهه": true, "هزاره": true, "امسال": true, "پارسال": true}

// statesYear reports whether words state a year: a number of three or four
// digits that numbers no chapter or article («فصل ۱۲۰»), a two-digit year
// after «سال» («سال ۹۲»), a century or decade («قرن»، «دهه»); with date, a
// day and month too («۱۳ مهر»).
func statesYear(words []string, date bool) bool {
	for i, w := range words {
		if yearMarks[w] {
			return true
		}
		if !isNumber(w) {
			if date && monthNames[w] && i > 0 && isNumber(words[i-1]) {
				return true
			}
			continue
		}
		n := utf8.RuneCountInString(w)
		after := i > 0 && countedNouns[words[i-1]]
		if (n == 3 || n == 4) && !after {
			return true
		}
		if n == 2 && i > 0 && words[i-1] == "سال" {
			return true
		}
	}
	return false
}

// monthNames are the names of the months, Iranian and Gregorian, canonical.
var monthNames = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند
		ژانویه فوریه مارس آوریل مه ژوئن ژوئیه اوت سپتامبر اکتبر نوامبر دسامبر`) {
		monthNames[persian.Canonical(w)] = true
	}
}

// asksAge reports whether question tokens q ask how old someone is or
// was: «چند ساله»، «چند سالش بود»، «چند سال داشت»، «سن … چقدر».
func asksAge(q []string) bool {
	for i, w := range q {
		if w == "سن" || w == "سنش" {
			return true
		}
		if w != "چند" || i+1 >= len(q) {
			continue
		}
		switch next := q[i+1]; {
		case next == "ساله" || next == "سالش" || next == "سالشه" || next == "سالگی":
			return true
		case next == "سال" && i+2 < len(q) && (strings.HasPrefix(q[i+2], "داشت") || strings.HasPrefix(q[i+2], "دار")):
			return true // «چند سال داشت»، «چند سال دارد»
		}
	}
	return false
}

// statesAge reports whether words state an age: «۶۰ ساله»، «در ۲۰
// سالگی»، «سن»، a birth («متولد»، «زاده») or a year of birth or death.
func statesAge(words []string) bool {
	for _, w := range words {
		switch {
		case strings.Contains(w, "ساله"), strings.Contains(w, "سالگی"):
			return true
		case w == "سن" || w == "سنش" || w == "سنی" || w == "عمر" || w == "عمرش":
			return true
		case strings.HasPrefix(w, "متولد") || w == "زاده" || w == "درگذشت":
			return true
		case isNumber(w) && utf8.RuneCountInString(w) == 4:
			return true
		}
	}
	return false
}

// kin are the nouns of family and succession a question asks after («اسم
// مادر …»، «پدر …»، «جانشین …»), each with the words that name that
// relation in an answer: «همسر» is stated by «ازدواج» too, «فرزند» by «پسر».
var kin = map[string][]string{
	"مادر":   {"مادر"},
	"پدر":    {"پدر"},
	"همسر":   {"همسر", "ازدواج", "زن", "شوهر"},
	"شوهر":   {"شوهر", "همسر", "ازدواج"},
	"فرزند":  {"فرزند", "پسر", "دختر", "فرزندان"},
	"پسر":    {"پسر", "فرزند"},
	"دختر":   {"دختر", "فرزند"},
	"برادر":  {"برادر"},
	"خواهر":  {"خواهر"},
	"جانشین": {"جانشین"},
}

// kinSuffixes are the endings a kin noun takes («مادرش»، «پدران»،
// «فرزندانش»، «همسری»), «بزرگ» with it: «پدربزرگ» is «پدر بزرگ» written
// without a space, which names «پدر» as a word.
var kinSuffixes = []string{"", "ش", "اش", "ان", "انش", "ها", "هایش", "ی", "ای", "شان", "م", "بزرگ"}

// kinForm returns the kin noun a canonical token is a form of, or "":
// «مادرش» → «مادر», not «مادرید».
func kinForm(w string, nouns func(string) bool) string {
	for _, suf := range kinSuffixes {
		if stem, ok := strings.CutSuffix(w, suf); ok && nouns(stem) {
			return stem
		}
	}
	return ""
}

// namesKin reports whether the answering sentence (its words) names every
// relation of kin the question (tokens q) asks after: «اسم مادر مریم» is
// not answered by a sentence about Mary that names no mother. A question
// that names the relation as part of a title («پدر علم شیمی») is checked
// alike.
func namesKin(q, answer []string) bool {
	isKin := func(s string) bool { _, ok := kin[s]; return ok }
	for _, w := range q {
		noun := kinForm(w, isKin)
		if noun == "" {
			continue
		}
		said := false
		for _, a := range answer {
			said = said || kinForm(a, func(s string) bool {
				for _, k := range kin[noun] {
					if s == k {
						return true
					}
				}
				return false
			}) != ""
		}
		if !said {
			return false
		}
	}
	return true
}

// definitionWords end a question that asks what something is: «پلیمر
// چیست؟»، «سلولز چیه؟». Not «چی» alone: «سکه امامی چی؟» asks «what
// about …» of a follow-up.
var definitionWords = map[string]bool{"چیست": true, "چیه": true}

// asksDefinition reports whether question tokens q ask what a thing is and
// nothing more: one to three words and «چیست»/«چیه» («پلیمر چیه؟»، «قالی
// یا فرش چیه؟»).
func asksDefinition(q []string) bool {
	n := len(q)
	if n < 2 || n > 4 || nonDefinitions[q[0]] || measures[persian.Stem(q[0])] {
		return false // «قیمت دلار چیست؟» asks a value, «نام … چیست؟» a name
	}
	return definitionWords[q[n-1]] || (q[n-1] == "چه" || q[n-1] == "چی") && q[n-2] == "یعنی"
}

// nonDefinitions open a short «… چیست؟» that asks something else than
// what a thing is: its state, cause, name, result.
var nonDefinitions = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`وضعیت وضع شرایط نتیجه نتایج علت دلیل نظر موضع برنامه هدف نام اسم ماجرا خبر موضوع پاسخ جواب راه`) {
		nonDefinitions[persian.Canonical(w)] = true
	}
}

// copulas are the words a definition states what something is with: «…
// است»، «یعنی»، «گفته می‌شود»، «نام دارد».
var copulas = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`است هست هستند اند بود بودند باشد میباشد میباشند یعنی نام نامیده گفته گویند میگویند میشود شود عبارت`) {
		copulas[persian.Canonical(w)] = true
	}
}

// defines reports whether a sentence (its words and text) can state what
// something is: it holds a copula, a word that ends with a written-in one
// («ماده‌ای‌ست»), or an apposition in brackets («توپ تنیس (توپی لاستیکی
// …)»).
func defines(words []string, text string) bool {
	if strings.Contains(text, "(") {
		return true
	}
	for _, w := range words {
		if isCopula(w) || strings.HasSuffix(w, "ست") && utf8.RuneCountInString(w) > 4 && strings.HasSuffix(strings.TrimSuffix(w, "ست"), "ای") {
			return true
		}
	}
	return false
}

// asksWhoIs reports whether question tokens q ask who or what someone is
// and nothing more: one to three words and «کیست»، «کیه»، «کی بود»
// («نیوتن کی بود؟»، «سپاه پاسداران کیه؟»). Like a definition, it is
// answered by a sentence that says what the one asked is.
func asksWhoIs(q []string) bool {
	copula := false
	if n := len(q); n > 0 && (q[n-1] == "بود" || q[n-1] == "است" || q[n-1] == "هست" || q[n-1] == "بوده") {
		q, copula = q[:n-1], true
	}
	n := len(q)
	isKin := func(s string) bool { _, ok := kin[s]; return ok }
	if n < 2 || n > 4 || nonDefinitions[q[0]] || kinForm(q[0], isKin) != "" {
		return false // «همسر بازیگر کیست؟» asks a relative: see [namesKin]
	}
	if q[n-2] == "تا" || q[n-2] == "از" {
		return false // «ثبت‌نامش تا کیه؟» asks until when
	}
	return q[n-1] == "کیست" || q[n-1] == "کیه" || q[n-1] == "کی" && copula
}

// kinds are the nouns a «which …» question asks a member of («کدام
// کشور»، «چه شهری»، «چه رنگی»), each with the nouns that name the kind in
// an answer, and its members: those listed, and those of the contrast
// lexicon's classes that hold the kind's examples (see
// [persian.ContrastClasses]: the classes of «فرانسه» are the countries').
var kinds = map[string]struct {
	nouns, examples, members []string
}{
	"کشور":  {nouns: []string{"کشور"}, examples: []string{"فرانسه"}},
	"شهر":   {nouns: []string{"شهر"}, examples: []string{"تبریز", "لندن"}},
	"استان": {nouns: []string{"استان"}, examples: []string{"گیلان"}},
	"قاره":  {nouns: []string{"قاره"}, examples: []string{"آسیا"}},
	"ورزش":  {nouns: []string{"ورزش", "رشته"}, examples: []string{"والیبال"}},
	"تیم":   {nouns: []string{"تیم", "باشگاه"}, examples: []string{"استقلال"}},
	"رنگ": {nouns: []string{"رنگ"}, members: strings.Fields(`قرمز سرخ آبی سبز زرد سفید سیاه مشکی نارنجی بنفش صورتی قهوهای
		خاکستری طلایی نقرهای سرمهای ارغوانی لاجوردی فیروزهای کرم زرشکی`)},
}

// askedKind returns the kind a question (its tokens) asks a member of:
// «کدام کشور»، «کدوم کشورها»، «چه شهری» → کشور, شهر; or "".
func askedKind(q []string) string {
	for i := 0; i+1 < len(q); i++ {
		if q[i] != "کدام" && q[i] != "کدوم" && q[i] != "چه" {
			continue
		}
		for kind := range kinds {
			if kindForm(q[i+1], kind) {
				return kind
			}
		}
	}
	return ""
}

// kindForm reports whether token w is kind noun k or a form of it:
// «کشوری»، «کشورها»، «کشورهایی»، «شهرهای».
func kindForm(w, k string) bool {
	rest, ok := strings.CutPrefix(w, k)
	if !ok {
		return false
	}
	switch rest {
	case "", "ی", "ها", "های", "هایی", "ه", "یه": // «کدوم کشوره؟»، «چه رنگیه؟»
		return true
	}
	return false
}

// namesKind reports whether the quoted sentences (their words) name a
// thing of the kind asked: a noun of the kind («کشور …»، «باشگاه …») or a
// member of it (listed, or of its contrast classes) that the question
// (tokens q) does not name: «دانمارک با کدام کشورها همسایه است؟» is not answered by a
// sentence that names only Denmark.
func namesKind(kind string, q, answer []string) bool {
	k := kinds[kind]
	for _, w := range answer {
		for _, n := range k.nouns {
			if strings.HasPrefix(w, n) {
				return true
			}
		}
	}
	asked := map[string]bool{}
	for _, w := range q {
		asked[w] = true
	}
	for _, w := range answer {
		for _, m := range k.members {
			if w == m && !asked[w] {
				return true
			}
		}
	}
	classes := map[int]bool{}
	for _, m := range k.examples {
		for _, c := range persian.Contrasts(strings.Join(persian.Terms(m), " ")) {
			classes[c] = true
		}
	}
	inQuestion := members(persian.Terms(strings.Join(q, " ")))
	// «آمریکایی» names «آمریکا»: a nationality is read as its country.
	var said []string
	for _, w := range persian.Terms(strings.Join(answer, " ")) {
		said = append(said, w)
		for _, suf := range []string{"یی", "ای", "ی"} {
			if stem, ok := strings.CutSuffix(w, suf); ok && len(persian.Contrasts(stem)) > 0 {
				said = append(said, stem)
				break
			}
		}
	}
	for c, ms := range members(said) {
		if !classes[c] {
			continue
		}
		for m := range ms {
			if !inQuestion[c][m] {
				return true
			}
		}
	}
	return false
}

// notCounted follow «چند» in a question that asks for no count of things:
// a duration or an age («چند سال»), a share («چند درصد»), a score
// («چند چند»).
var notCounted = map[string]bool{"سال": true, "سالش": true, "ساله": true, "سالگی": true, "درصد": true, "برابر": true, "چند": true, "ماه": true, "روز": true, "ساعت": true, "دقیقه": true, "هفته": true, "قرن": true, "سالی": true}

// asksCount reports whether question tokens q ask how many things or
// people: «چند نفر»، «چند کشور»، «چند تا»; not «قیمت بنزین چند است؟»,
// a value.
func asksCount(q []string) bool {
	for i := 0; i+1 < len(q); i++ {
		if q[i] == "چند" && !notCounted[q[i+1]] && !isNumber(q[i+1]) && !copulaOrVerb(q[i+1]) && (i == 0 || q[i-1] != "چند") {
			return true
		}
	}
	return false
}

// statesCount reports whether words hold a number that is no part of a
// date: «۹ مهر»، «سال ۹۲» and a year («۱۴۰۴»، «۱۹۹۸») count nothing, nor
// does an ordinal («نخستین بار»، «قطعه نخست») or a number the question
// itself holds (the «۱۰» of «خط ۱۰» names the line; it counts no riders).
func statesCount(words, question []string) bool {
	asked := map[string]bool{}
	for _, w := range question {
		if isNumber(w) {
			asked[w] = true
		}
	}
	for i, w := range words {
		if !isNumber(w) && !numberLetters[w] || monthNames[w] || yearMarks[w] || ordinals[w] || asked[w] {
			continue
		}
		switch {
		case i+1 < len(words) && monthNames[words[i+1]]:
		case i > 0 && (words[i-1] == "سال" || words[i-1] == "سالهای" || monthNames[words[i-1]]):
		case isNumber(w) && utf8.RuneCountInString(w) == 4 && (strings.HasPrefix(w, "13") || strings.HasPrefix(w, "14") || strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20")):
		default:
			return true
		}
	}
	return false
}

// ordinals rank rather than count: «نخستین بار» says how many of nothing.
var ordinals = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`نخست نخستین اول اولین یکم دوم سوم چهارم پنجم ششم هفتم هشتم نهم دهم`) {
		ordinals[persian.Canonical(w)] = true
	}
}

// asksWhen reports whether question tokens q ask when: «چه زمانی»، «چه
// وقت»، «چه موقع» (not the bare «کی», which also asks who).
func asksWhen(q []string) bool {
	for i := 0; i+1 < len(q); i++ {
		if q[i] == "چه" && (strings.HasPrefix(q[i+1], "زمان") || strings.HasPrefix(q[i+1], "وقت") || strings.HasPrefix(q[i+1], "موقع")) {
			return true
		}
	}
	return false
}

// asksUntil reports whether question tokens q ask until when: «ثبت‌نامش
// تا کیه؟»، «تا چه تاریخی …»، «تا کی ادامه داره؟».
func asksUntil(q []string) bool {
	for i := 0; i+1 < len(q); i++ {
		if q[i] != "تا" {
			continue
		}
		switch n := q[i+1]; {
		case n == "کی" || n == "کیه" || n == "کیست":
			return true
		case n == "چه" && i+2 < len(q) && (strings.HasPrefix(q[i+2], "زمان") || strings.HasPrefix(q[i+2], "تاریخ") || strings.HasPrefix(q[i+2], "روز") || strings.HasPrefix(q[i+2], "وقت")):
			return true
		}
	}
	return false
}

// weekdays name the days of the week.
var weekdays = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`شنبه یکشنبه دوشنبه سه‌شنبه چهارشنبه پنجشنبه پنج‌شنبه جمعه`) {
		weekdays[persian.Canonical(w)] = true
	}
}

// statesDay reports whether words name a day: a month («۹ مهر»، «پایان
// مهر»), a weekday, or a day relative to today («فردا»): what «تا کی»
// is answered by, where «در زمان ثبت‌نام» places nothing.
func statesDay(words []string) bool {
	for _, w := range words {
		if monthNames[w] || weekdays[w] || strings.HasSuffix(w, "ماه") && len([]rune(w)) > 3 {
			return true
		}
		switch w {
		case "امروز", "فردا", "پسفردا", "امشب":
			return true
		}
	}
	return false
}

// timeWords place an event in time without a year: «در قرن …»، «در
// دوران …»، «پس از …»، «امروز».
var timeWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`قرن قرنها سده دهه هزاره دوران دوره عصر هنگام هنگامی زمان زمانی وقتی پس بعد قبل پیش
		امروز دیروز فردا امسال پارسال اکنون هماکنون تاکنون اخیرا آینده گذشته ابتدا اوایل اواخر اواسط میانه نیمه ماه هفته روز شب صبح`) {
		timeWords[persian.Canonical(w)] = true
	}
}

// statesTime reports whether words place something in time: a time word
// («دوره‌ای») or a month, alone or in a word («تیرماه»).
func statesTime(words []string) bool {
	for _, w := range words {
		if timeWords[w] || monthNames[w] || strings.HasSuffix(w, "ماه") {
			return true
		}
		for _, suf := range []string{"ای", "ی", "ها", "های"} {
			if stem, ok := strings.CutSuffix(w, suf); ok && timeWords[stem] {
				return true // «در دوره‌ای از …»
			}
		}
	}
	return false
}

// definitionFrame are the words of a definition, who-is or where-is
// question that are not the thing asked about: the question words, the
// copula, and the relations that frame it («شامل»، «جنس»، «مخفف»، «محل»،
// «متولد» …).
var definitionFrame = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`چیست چیه کیست کیه کی چه چی یعنی بود است هست بوده برای درباره راجب راجع شامل جنس مخفف معنی دنبال
		کجاست کجا کجاییه کجایی محل مقر متولد اهل زادگاه بیشتر اکثر`) {
		definitionFrame[persian.Canonical(w)] = true
	}
}

// bareDefinition reports whether a definition or who-is question (tokens
// q) asks only what something is, framed by no relation («جنس»، «مخفف»،
// «شامل» …): the thing, the question word and a copula.
func bareDefinition(q []string) bool {
	for _, w := range q {
		if definitionFrame[w] && !askingWords[w] {
			return false
		}
	}
	return true
}

// askingWords are the words of [definitionFrame] that only ask: the
// question words and the copula.
var askingWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`چیست چیه کیست کیه کی چه چی یعنی بود است هست بوده`) {
		askingWords[persian.Canonical(w)] = true
	}
}

// bylineOpening is the outlet a news sentence opens with («به گزارش
// ایرنا، …»), before what the sentence says.
var bylineOpening = regexp.MustCompile(`^\s*(به گزارش|به نقل از)[^،,:]{0,80}[،,:]\s*`)

// subjectWords is how far into a sentence the thing it defines opens it:
// «گلوله، مرمی یا پرّانه جسمی است …»، «عوام‌گرایی یا پوپولیسم آموزه …».
const subjectWords = 3

// namings are the words a sentence names something with when the thing
// named is not its subject: «… گفته می‌شود»، «… را … می‌نامند»، «نام دارد».
var namings = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`میگویند گویند مینامند نامند نامیده نام یعنی معنی معنای`) {
		namings[persian.Canonical(w)] = true
	}
}

// naming reports whether a sentence (its words) holds a naming word, or
// «گفته» with the passive it makes («… گفته می‌شود»; «به گفته …» names
// nothing).
func naming(words []string) bool {
	for i, w := range words {
		if namings[w] || w == "گفته" && i+1 < len(words) && (strings.HasPrefix(words[i+1], "میشود") || words[i+1] == "شود" || words[i+1] == "شده") {
			return true
		}
	}
	return false
}

// definesAsked reports whether the answering sentence (as quoted) is a
// definition of what a bare definition question (tokens q) asks about:
// one of the words asked opens it (within [subjectWords] words, after any
// byline), it holds a naming word, or a copula follows one of the words
// asked.
func definesAsked(q []string, text string, corrected map[string]string) bool {
	words := persian.Tokens(bylineOpening.ReplaceAllString(text, ""))
	if naming(words) {
		return true
	}
	open := words[:min(subjectWords, len(words))]
	for _, t := range definedTerms(q, corrected) {
		if namesTerm(t, open) {
			return true
		}
		// Or a copula follows it: «… تکه‌های اکسید مغناطیسی آهن
		// بوده‌اند».
		for i := 0; i+1 < len(words); i++ {
			if namesTerm(t, words[i:i+1]) && isCopula(words[i+1]) {
				return true
			}
		}
	}
	return false
}

// isCopula reports whether w is a copula ([copulas]) or a perfect form
// of «بودن» («بوده‌اند»، «بوده‌است»).
func isCopula(w string) bool {
	return copulas[w] || strings.HasPrefix(w, "بوده")
}

// namesDefined reports whether the answering sentence (its words) names
// every content word of what a definition, who-is or where-is question
// (tokens q) asks about, as a word or a longer form of it («جعبه» in «جعبهی»), not
// a word spelled alike.
func namesDefined(q, answer []string, corrected map[string]string) bool {
	for _, t := range definedTerms(q, corrected) {
		if !namesTerm(t, answer) {
			return false
		}
	}
	return true
}

// definedTerms returns the terms of what a definition, who-is or where-is
// question (tokens q) asks about: its words but those of
// [definitionFrame], a typing error read as the known word the search
// took it for.
func definedTerms(q []string, corrected map[string]string) []string {
	var asked []string
	for _, w := range q {
		if !definitionFrame[w] {
			asked = append(asked, w)
		}
	}
	terms := persian.Terms(strings.Join(asked, " "))
	for i, t := range terms {
		if c, ok := corrected[t]; ok {
			terms[i] = c
		}
	}
	return terms
}

// namesTerm reports whether words name term t as a word or a longer form
// of it, the letters with hamza read bare.
func namesTerm(t string, words []string) bool {
	t = foldHamza(t)
	for _, w := range words {
		w = foldHamza(w)
		if w == t || persian.Stem(w) == t || utf8.RuneCountInString(t) >= 3 && strings.HasPrefix(w, t) {
			return true
		}
	}
	return false
}

// foldHamza writes the letters with hamza as their bare forms, so that
// the two spellings of a word agree: «رئیس» and «رییس».
func foldHamza(w string) string {
	return strings.NewReplacer("ئ", "ی", "أ", "ا", "إ", "ا", "ؤ", "و").Replace(w)
}

// asksWhereIs reports whether question tokens q ask where something is
// and nothing more: one to three words and «کجاست»، «کجاییه»، «کجا بود»
// («فرودگاه مهرآباد کجاست؟»، «ویکتور هوگو اهل کجاست؟»).
func asksWhereIs(q []string) bool {
	copula := false
	if n := len(q); n > 0 && (q[n-1] == "بود" || q[n-1] == "است" || q[n-1] == "هست" || q[n-1] == "بوده") {
		q, copula = q[:n-1], true
	}
	n := len(q)
	if n < 2 || n > 4 {
		return false
	}
	switch q[n-1] {
	case "کجاست", "کجاییه", "کجایی", "کجاس":
		return true
	case "کجا":
		return copula
	}
	return false
}

// refersToTitle reports whether a sentence (its words) names something by
// a pronoun («اکثر دفاتر آن …»، «او …»): what it stands for may be named
// only by the article's title.
func refersToTitle(words []string) bool {
	for _, w := range words {
		if anaphors[w] {
			return true
		}
	}
	return false
}

// copulaOrVerb reports whether a question word after «چند» is its verb
// («چند است»، «چند شد»), not a counted noun.
func copulaOrVerb(w string) bool {
	switch w {
	case "است", "هست", "بود", "شد", "شده", "میشود", "میشه", "بوده", "هستند", "بودند", "شدند":
		return true
	}
	return false
}
