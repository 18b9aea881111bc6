package answer

import (
	"github.com/khabar/khabar/persian"
	"strings"
	"unicode/utf8"

	"github.com/khabar/khabar/retrieval"
)

// Floor is the relevance floor: below it the passages do not answer the
// question and the reply says so instead of quoting something unrelated.
// The relevance it compares is the retrieval result's own
// ([retrieval.Result.Relevance], rated by the ranker that produced it; see
// [retrieval.ScoreRelevance]): the floor keeps only the threshold.
type Floor struct {
	// Threshold is the lowest [retrieval.Result.Relevance] that is
	// answered; default 1.0, calibrated so that 95% of answerable
	// PersianQA questions are answered.
	Threshold float64
}

func (f Floor) withDefaults() Floor {
	if f.Threshold <= 0 {
		f.Threshold = 1.0
	}
	return f
}

// Relevant reports whether res clears the floor.
func (f Floor) Relevant(res retrieval.Result) bool {
	return len(res.Passages) > 0 && res.Relevance >= f.Threshold
}

// constraint is a term of the question and whether the cited sentences
// meet it.
type constraint struct {
	term   string
	idf    float64
	rarity float64 // idf over the idf of a word one passage uses
	number bool
	// corrected: the corpus never uses the term as typed and it is read as
	// a known word it likely stands for («زدند» → «زدن»).
	corrected bool
	// inAnswer: the answering sentence, the sentences it refers back to or
	// its article's title has the term (or a synonym, or a longer form).
	inAnswer bool
	// inCited: some cited sentence or cited title has it.
	inCited bool
	// inPassage: the passage of the answering sentence has it.
	inPassage bool
}

// constraints returns the question's terms checked against the sentences
// an extractive answer quotes. A word the corpus never uses (and that is
// no typing error of one it does) is met by nothing.
func constraints(res retrieval.Result, ex extraction) []constraint {
	_, syn := termWeights(res)
	var answerWords, citedWords, passageWords []string
	if len(ex.lines) > 0 {
		p := res.Passages[ex.lines[ex.answer].passage]
		passageWords = persian.Tokens(p.Title + " " + p.Text)
	}
	for i, c := range ex.lines {
		title := persian.Tokens(res.Passages[c.passage].Title)
		citedWords = append(append(citedWords, c.words...), title...)
		if i <= ex.answer {
			answerWords = append(answerWords, c.words...)
		}
		if i == ex.answer {
			answerWords = append(answerWords, title...)
		}
	}
	var out []constraint
	for _, t := range res.Terms {
		if t.Expands != "" || t.Variant {
			continue
		}
		c := constraint{term: t.Text, idf: t.IDF, number: isNumber(t.Text)}
		if res.RareIDF > 0 {
			c.rarity = t.IDF / res.RareIDF
		}
		term := t.Text
		if t.DF == 0 {
			if t.Correction == "" {
				out = append(out, c)
				continue
			}
			term, c.corrected = t.Correction, true
		}
		c.inAnswer = termMatch(term, syn[term], answerWords) > 0
		c.inCited = c.inAnswer || termMatch(term, syn[term], citedWords) > 0
		c.inPassage = c.inAnswer || termMatch(term, syn[term], passageWords) > 0
		out = append(out, c)
	}
	return out
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// negations are negated verb forms: a question that asks what did not
// happen («در کدام دانشگاه درس نخوانده است؟») is answered only by a
// sentence that says something did not.
var negations = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`نیست نیستند نیستن نبود نبودند نبوده ندارد ندارند نداره ندارن نداریم نداشت نداشتند نداشته
		نکرد نکردند نکرده نکند نکنند نشد نشدند نشده نشود نرفت نرفتند نرفته نخواند نخواندند نخوانده نخورد نزد نزدند
		نداد ندادند نداده نگرفت نگرفتند نساخت نساختند نیامد نیامدند نیامده نگفت نگفتند نتوانست نتوانستند نخواست
		نخواستند نجنگید نجنگیدند نپذیرفت نشناخت نماند نماندند ندید نبرد نکشت نرسید نرسیدند ندانست هیچ بدون فاقد`) {
		negations[persian.Canonical(w)] = true
	}
}

// exceptions say what something did not hold or include by naming it
// apart: «رویین‌تن شد، جز پاشنه پایش» answers «کدام قسمت … رویین‌تن
// نبود؟».
var exceptions = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`جز بجز به‌جز غیر مگر باستثنای به‌استثنای استثنا`) {
		exceptions[persian.Canonical(w)] = true
	}
}

// statesNegative reports whether an answering sentence (its words) says
// what did not happen or hold: a negated verb or an exception.
func statesNegative(words []string) bool {
	if negated(words) {
		return true
	}
	for _, w := range words {
		if exceptions[w] {
			return true
		}
	}
	return false
}

// negated reports whether words hold a negated verb.
func negated(words []string) bool {
	for _, w := range words {
		if negations[w] || strings.HasPrefix(w, "نمی") {
			return true
		}
	}
	return false
}

// numberWords name numbers in letters.
var numberLetters = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`یک دو سه چهار پنج شش هفت هشت نه ده یازده دوازده بیست سی چهل پنجاه صد دویست سیصد هزار میلیون میلیارد
		سیزده چهارده پانزده شانزده هفده هجده نوزده شصت هفتاد هشتاد نود ششصد هفتصد هشتصد نهصد چهارصد پانصد
		نخست اول دوم سوم چهارم پنجم ششم هفتم هشتم نهم دهم یکم نخستین اولین قرن سده دهه نیم فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند
		ژانویه فوریه مارس آوریل مه ژوئن ژوئیه اوت سپتامبر اکتبر نوامبر دسامبر`) {
		numberLetters[persian.Canonical(w)] = true
	}
}

// statesNumber reports whether words hold a number, in digits or letters,
// or a month.
func statesNumber(words []string) bool {
	for _, w := range words {
		if numberLetters[w] || strings.HasSuffix(w, "مین") && utf8.RuneCountInString(w) > 4 {
			return true // «سومین»، «دهمین»
		}
		for _, r := range w {
			if r >= '0' && r <= '9' {
				return true
			}
		}
	}
	return false
}

// asksWhenOrHowMany reports whether a question wants a number or a date:
// «چند»، «چقدر»، «چه سالی»، «کی» (when), «چه تاریخی».
func asksWhenOrHowMany(question string) bool {
	toks := persian.Tokens(question)
	for i, w := range toks {
		switch w {
		case "چند", "چندم", "چندمین", "چقدر", "چندتا", "چندبار", "چقدره":
			return true
		case "چه", "کدام":
			if i+1 < len(toks) {
				switch toks[i+1] {
				case "سالی", "سال", "تاریخی", "قرنی", "دهه", "ماهی", "مقدار", "میزان", "تعداد":
					return true
				}
			}
		}
	}
	return false
}

// meetsConstraints reports whether the sentences an extractive answer
// quotes meet the question's distinctive constraints, which the relevance
// floor cannot see: a passage on the right topic may state a different
// fact («خط ۱۰» asked as «خط ۱۱»). It depends only on the question, the
// quoted sentences and the idf of the whole index. Not met:
//   - a number of the question that no quoted sentence or title has;
//   - what a question asks about («درباره اسرائیل») that the answering
//     sentence does not name;
//   - an answering sentence about another member of a kind the question
//     names («کشتی» for «والیبال», «مازندران» for «گیلان»; the contrast
//     classes of the lexicon) that does not name the one asked;
//   - a question about what did not happen (a negated verb) answered by a
//     sentence that negates nothing;
//   - a question for a number or a date («چند»، «چه سالی») answered by a
//     sentence with none, or when no quoted sentence states one together
//     with the measure asked («قیمت»،
//     «جمعیت» …); a question for a result («نتیجه بازی …») by a
//     sentence with no score and no outcome;
//   - an answer of another type than the question's wh-word asks for
//     (see [unmetType]): no year for «چه سالی», no age for «چند ساله»,
//     no mother for «مادر … کیست», no definition of «پلیمر» for «پلیمر
//     چیست», no country for «کدام کشور», only dates for «چند نفر».
func meetsConstraints(res retrieval.Result, ex extraction) bool { return unmet(res, ex) == "" }

// unmet names the first constraint of the question the quoted sentences
// do not meet (see [meetsConstraints]), or "".
func unmet(res retrieval.Result, ex extraction) string {
	if len(ex.lines) == 0 {
		return "nothing quoted"
	}
	for _, c := range constraints(res, ex) {
		if c.inCited {
			continue
		}
		if c.number {
			return "number"
		}
	}
	if !meetsTopic(res, ex) {
		return "topic"
	}
	var answer []string
	for i := 0; i <= ex.answer; i++ {
		answer = append(answer, ex.lines[i].words...)
	}
	title := persian.Tokens(res.Passages[ex.lines[ex.answer].passage].Title)
	if contrasted(questionRead(res), answer, title) {
		return "contrast"
	}
	if negated(persian.Tokens(res.Question)) && !statesNegative(answer) {
		return "negation"
	}
	if asksWhenOrHowMany(res.Question) && (!statesNumber(answer) || !statesMeasure(res, ex)) {
		return "number asked"
	}
	if asksResult(res.Question) && !statesScore(answer) && !statesOutcome(answer) {
		return "result"
	}
	var cited []string
	for _, l := range ex.lines {
		cited = append(cited, l.words...)
	}
	corrected := map[string]string{}
	for _, t := range res.Terms {
		if t.DF == 0 && t.Correction != "" {
			corrected[t.Text] = t.Correction
		}
	}
	return unmetType(res.Question, answer, title, ex.lines[ex.answer].text, cited, corrected)
}

// meetsTopic reports whether the answering sentence (with those it
// refers back to) names what a question asks about: every content word after its «درباره», «در مورد» ….
func meetsTopic(res retrieval.Result, ex extraction) bool {
	_, syn := termWeights(res)
	var cited []string // the answering sentence and those it refers to
	for _, l := range ex.lines[:ex.answer+1] {
		cited = append(cited, l.words...)
	}
	// As asked or in written form («بچه» may stay «بچه»).
	asked, okA := topicTerms(res.Question)
	written, okW := topicTerms(persian.Written(res.Question))
	if !okA && !okW {
		return true
	}
	met := func(terms []string) bool {
		for _, t := range terms {
			if termMatch(t, syn[t], cited) == 0 {
				return false
			}
		}
		return true
	}
	return (okA && met(asked)) || (okW && met(written))
}

// topicTerms returns the terms of what a question asks about: after its
// «درباره» … up to the question word («درباره داعش چه گفت» → داعش).
func topicTerms(question string) ([]string, bool) {
	_, topic, ok := splitTopic(strings.Fields(question))
	if !ok {
		return nil, false
	}
	for i, w := range topic {
		if questionWords[persian.Canonical(w)] {
			topic = topic[:i]
			break
		}
	}
	return persian.Terms(strings.Join(topic, " ")), true
}

// questionWords end the topic of a question.
var questionWords = map[string]bool{"چه": true, "چی": true, "چیست": true, "کی": true, "کجا": true, "چگونه": true, "چطور": true, "چند": true, "چقدر": true, "ایا": true, "کدام": true, "کیست": true}

// contrasted reports whether the answering sentence (its words) is about
// another member of a contrast class the question names a member of,
// without naming the one asked, nor its article's title naming it. A
// question that asks which one («کدام کشور»، «کجا») is answered by
// another member and is not checked.
func contrasted(question string, answer, title []string) bool {
	asked := askedMembers(question)
	if len(asked) == 0 {
		return false
	}
	said := members(persian.Terms(strings.Join(answer, " ")))
	titled := members(persian.Terms(strings.Join(title, " ")))
	named := func(class int, m string) bool { return said[class][m] || titled[class][m] }
	// Another member named while one asked is not: «ایران و بورکینافاسو»
	// is not answered by «ایران … تانزانیا».
	return namesOther(asked, said, named, func(class int, m string, qs map[string]bool) bool {
		return holdsSaid(m, qs, said[class]) || inSaidCountry(m, asked, said)
	})
}

// namesOther reports whether said holds another member of a class that
// asked (a question's members, by class) holds a member of, while a member
// asked is not named (by named): the words are about the other one. A
// synonym of a member asked is no other member, nor one that held
// excuses (the province of a city asked …).
func namesOther(asked, said map[int]map[string]bool, named func(class int, m string) bool, held func(class int, m string, asked map[string]bool) bool) bool {
	for class, qs := range asked {
		missing := false
		for m := range qs {
			missing = missing || !named(class, m)
		}
		if !missing {
			continue
		}
		for m := range said[class] {
			if !qs[m] && !synonymOfAny(m, qs) && !held(class, m, qs) {
				return true
			}
		}
	}
	return false
}

// holdsSaid reports whether member m is the province of a city asked
// that the sentence names too, or a city of a province asked and named:
// «هوای اهواز» is answered by «… خوزستان … اهواز …», where the province
// is no other place than the city asked.
func holdsSaid(m string, asked, said map[string]bool) bool {
	for a := range asked {
		if said[a] && inProvince(a, m) {
			return true
		}
	}
	return false
}

// inSaidCountry reports whether member m is a city of a country the
// question asks about and the sentence names: «سدهای تهران و سدهای عراق»
// is answered for Iraq by «… در بغداد گفت: … سدهای عراق …», where Baghdad
// is no other place than Iraq.
func inSaidCountry(m string, asked, said map[int]map[string]bool) bool {
	country := countryOf[m]
	if country == "" {
		return false
	}
	in := func(members map[int]map[string]bool) bool {
		for _, ms := range members {
			if ms[country] {
				return true
			}
		}
		return false
	}
	return in(asked) && in(said)
}

// countryOf maps the cities of the contrast lexicon's class of world
// cities to their country, in the lexicon's key form.
var countryOf = map[string]string{}

func init() {
	for _, pair := range [][2]string{
		{"تهران", "ایران"}, {"توکیو", "ژاپن"}, {"لندن", "انگلیس"}, {"پاریس", "فرانسه"}, {"برلین", "آلمان"}, {"مسکو", "روسیه"},
		{"پکن", "چین"}, {"واشنگتن", "آمریکا"}, {"نیویورک", "آمریکا"}, {"دبی", "امارات"}, {"استانبول", "ترکیه"}, {"آنکارا", "ترکیه"},
		{"بغداد", "عراق"}, {"دمشق", "سوریه"}, {"بیروت", "لبنان"}, {"کابل", "افغانستان"}, {"اسلام‌آباد", "پاکستان"}, {"دهلی", "هند"},
		{"ریاض", "عربستان"}, {"دوحه", "قطر"}, {"باکو", "آذربایجان"}, {"ایروان", "ارمنستان"}, {"عشق‌آباد", "ترکمنستان"},
		{"بیشکک", "قرقیزستان"}, {"رم", "ایتالیا"}, {"مادرید", "اسپانیا"},
	} {
		countryOf[strings.Join(persian.Terms(pair[0]), " ")] = strings.Join(persian.Terms(pair[1]), " ")
	}
}

// inProvince reports whether one of a and m is the province of the other.
func inProvince(a, m string) bool { return provinceOf[a] == m || provinceOf[m] == a }

// provinceOf maps the cities of the contrast lexicon's class of Iranian
// provinces and cities to their province, in the lexicon's key form.
var provinceOf = map[string]string{}

func init() {
	for _, pair := range [][2]string{
		{"اهواز", "خوزستان"}, {"آبادان", "خوزستان"}, {"مشهد", "خراسان"}, {"شیراز", "فارس"}, {"تبریز", "آذربایجان شرقی"},
		{"ارومیه", "آذربایجان غربی"}, {"کرج", "البرز"}, {"رشت", "گیلان"}, {"ساری", "مازندران"}, {"رامسر", "مازندران"},
		{"تنکابن", "مازندران"}, {"بندرعباس", "هرمزگان"}, {"زاهدان", "سیستان و بلوچستان"}, {"اراک", "مرکزی"}, {"گرگان", "گلستان"},
	} {
		provinceOf[strings.Join(persian.Terms(pair[0]), " ")] = strings.Join(persian.Terms(pair[1]), " ")
	}
}

// synonymOfAny reports whether member m is a synonym of one of asked
// («ایالات متحده» of «آمریکا»).
func synonymOfAny(m string, asked map[string]bool) bool {
	for a := range asked {
		syn := map[string]bool{}
		for _, s := range persian.Synonyms(a) {
			syn[s.Term] = true // a phrase's words one by one
		}
		all := true
		for _, w := range strings.Fields(m) {
			all = all && syn[w]
		}
		if all {
			return true
		}
	}
	return false
}

// asksWhich are the question words whose answer is a member of a class.
var asksWhich = map[string]bool{"کدام": true, "کدوم": true, "کجا": true, "کجاست": true, "کجای": true, "کشوری": true, "شهری": true, "تیمی": true, "کسی": true}

// members returns the contrast-class members among terms (single terms
// and pairs), by class.
func members(terms []string) map[int]map[string]bool {
	out := map[int]map[string]bool{}
	add := func(key string) {
		for _, c := range persian.Contrasts(key) {
			if out[c] == nil {
				out[c] = map[string]bool{}
			}
			out[c][key] = true
		}
	}
	for i, t := range terms {
		add(t)
		if i+1 < len(terms) {
			add(t + " " + terms[i+1])
		}
		if i+2 < len(terms) {
			add(t + " " + terms[i+1] + " " + terms[i+2])
		}
	}
	return out
}

// statesScore reports whether words hold a score: «۲ بر صفر», «۳ - ۱».
func statesScore(words []string) bool {
	for i := 0; i+2 < len(words); i++ {
		if (hasDigit(words[i]) || numberLetters[words[i]] || words[i] == "صفر") && words[i+1] == "بر" &&
			(hasDigit(words[i+2]) || numberLetters[words[i+2]] || words[i+2] == "صفر") {
			return true
		}
	}
	return false
}

func hasDigit(w string) bool {
	for _, r := range w {
		if r >= '0' && r <= '9' {
			return true
		}
	}
	return false
}

// outcomes are the words that state how a match or a vote ended.
var outcomes = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`شکست برد پیروز پیروزی مساوی تساوی باخت برنده بازنده قهرمان حذف صعود تصویب رد`) {
		outcomes[persian.Canonical(w)] = true
	}
}

// asksResult reports whether a question asks how a match or a vote
// ended: «نتیجه بازی … چه شد؟» (not «نتایج کنکور»).
func asksResult(question string) bool {
	toks := persian.Tokens(question)
	for i, w := range toks {
		if w == "چند" && i+1 < len(toks) && toks[i+1] == "چند" {
			return true // «پرسپولیس با استقلال چند چند شد؟»
		}
		if (w == "نتیجه" || w == "نتایج") && i+1 < len(toks) {
			switch toks[i+1] {
			case "بازی", "مسابقه", "دیدار", "رقابت", "انتخابات", "رای", "رایگیری":
				return true
			}
		}
	}
	return false
}

func statesOutcome(words []string) bool {
	for _, w := range words {
		if outcomes[w] || outcomes[persian.Stem(w)] {
			return true
		}
	}
	return false
}

// statesMeasure reports whether a quoted sentence states a number and
// names every measure the question asks the value of: «قیمت بنزین چند
// است؟» is not answered by how much petrol is made.
func statesMeasure(res retrieval.Result, ex extraction) bool {
	_, syn := termWeights(res)
	asked := askedMeasures(res.Question)
	for _, l := range ex.lines {
		if statesNumber(l.words) && namesAll(asked, syn, l.words) {
			return true
		}
	}
	return false
}

// askedMeasures returns the measures a question names (see [measures]).
func askedMeasures(question string) []string {
	var asked []string
	for _, w := range persian.Terms(persian.Written(question)) {
		if measures[w] {
			asked = append(asked, w)
		}
	}
	return asked
}

// namesAll reports whether words name every term of terms, as it is or
// as a synonym searched beside it.
func namesAll(terms []string, syn map[string][]retrieval.Term, words []string) bool {
	for _, w := range terms {
		if termMatch(w, syn[w], words) == 0 {
			return false
		}
	}
	return true
}

// measures are the nouns a how-much question asks the value of.
var measures = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`قیمت نرخ بها جمعیت طول مساحت ارتفاع وزن سن دما سرعت حقوق تورم مبلغ هزینه درآمد بودجه عمق فاصله بلیت بلیط`) {
		measures[persian.Stem(persian.Canonical(w))] = true
	}
}
