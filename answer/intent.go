package answer

import (
	"strings"
	"time"
	"unicode"

	"github.com/khabar/khabar/persian"
)

// Intent is what a message asks for, read before any search.
type Intent int

// The intents of a [Route].
const (
	// IntentQuestion is a question to search and answer.
	IntentQuestion Intent = iota
	// IntentReply is a pleasantry (a greeting, thanks, small talk): it
	// gets [Route.Reply], which cites nothing.
	IntentReply
	// IntentSummary asks for a summary of the news: [Route.Text] holds
	// its period and/or topic, "" for the latest news.
	IntentSummary
)

// Route is where a message goes.
type Route struct {
	Intent Intent
	// Text is the question, without the greeting or thanks around it, or
	// the summary's period and topic («دیروز», «بورس», «سیل ۱۳ مهر»).
	Text string
	// Reply is the Persian reply to a pleasantry.
	Reply string
}

// RouteMessage reads what a message asks for: greetings, thanks and small
// talk get a short reply; «چه خبر؟», «آخرین اخبار», «خبر جدید چی داری؟»
// and «اخبار دیروز» or «اخبار ۱۳ مهر» are summaries of the latest news or
// of a period; «درباره X چه خبر؟», «از X چه خبر؟» and «اخبار X» are
// summaries of a topic; everything else is a question, without the
// greeting or thanks it opens or closes with («سلام، قیمت دلار چنده؟»).
func RouteMessage(text string) Route {
	m := splitMessage(text)
	if len(m.toks) == 0 {
		if strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) != "" {
			return Route{Intent: IntentReply, Reply: MsgAck} // an emoji
		}
		return Route{Intent: IntentQuestion, Text: strings.TrimSpace(text)}
	}
	// A greeting or thanks that opens or closes the message.
	var pleasantry string
	for len(m.toks) > 0 {
		if n, reply := m.pleasantryAt(0, pleasantries); n > 0 && (n == len(m.toks) || reply == MsgGreeting || reply == MsgThanks || m.onlyCourtesy(n)) {
			m.toks, pleasantry = m.toks[n:], weightier(pleasantry, reply)
		} else if n := m.match(0, courtesy); n > 0 && pleasantry != "" {
			m.toks = m.toks[n:] // «مرسی از جوابت», «سلام رفیق»
		} else if n, reply := m.courtesyAtEnd(); n > 0 {
			m.toks, pleasantry = m.toks[:len(m.toks)-n], weightier(pleasantry, reply)
		} else if fillers[m.toks[0].word] {
			m.toks = m.toks[1:]
		} else {
			break
		}
	}
	switch {
	case len(m.toks) == 0 && pleasantry != "":
		return Route{Intent: IntentReply, Reply: pleasantry}
	case len(m.toks) == 0:
		return Route{Intent: IntentQuestion, Text: strings.TrimSpace(text)}
	}
	if r, ok := m.summary(); ok {
		return r
	}
	if pleasantry == "" {
		return Route{Intent: IntentQuestion, Text: strings.TrimSpace(text)}
	}
	return Route{Intent: IntentQuestion, Text: m.text(0, len(m.toks))}
}

// onlyCourtesy reports whether the tokens from i on are only words that
// address the bot or say what a pleasantry is for («چطوری رفیق؟»,
// «ممنون بابت جواب»), so that the message is small talk and nothing more.
func (m message) onlyCourtesy(i int) bool {
	for i < len(m.toks) {
		n := m.match(i, courtesy)
		if n == 0 {
			return false
		}
		i += n
	}
	return true
}

// replyWeight orders the replies to a message of several pleasantries:
// «سلام، خوبی؟» is asked how it is, «ممنون، عالی بود» is thanked.
var replyWeight = map[string]int{MsgAck: 1, MsgGreeting: 2, MsgBye: 3, MsgAbout: 4, MsgHowAreYou: 5, MsgKind: 6, MsgThanks: 7}

// weightier returns the reply of the two that answers more.
func weightier(a, b string) string {
	if replyWeight[b] > replyWeight[a] {
		return b
	}
	return a
}

// message is a message split into canonical words, each knowing the piece
// of the original text it came from.
type message struct {
	pieces []string // the original text split at spaces
	toks   []word
}

type word struct {
	word  string // canonical, repeated letters collapsed
	piece int    // index into pieces
}

// splitMessage splits text at spaces and canonicalises each piece.
func splitMessage(text string) message {
	var m message
	for _, p := range strings.Fields(text) {
		i := len(m.pieces)
		m.pieces = append(m.pieces, p)
		for _, w := range persian.Tokens(p) {
			if w = collapseRepeats(w); hasLetter(w) {
				m.toks = append(m.toks, word{w, i})
			}
		}
	}
	return m
}

// text is the original text of tokens [i, j), punctuation trimmed from
// its ends.
func (m message) text(i, j int) string {
	if i >= j {
		return ""
	}
	s := strings.Join(m.pieces[m.toks[i].piece:m.toks[j-1].piece+1], " ")
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// words are the canonical words of tokens [i, j).
func (m message) words(i, j int) []string {
	out := make([]string, 0, j-i)
	for _, t := range m.toks[i:j] {
		out = append(out, t.word)
	}
	return out
}

// match returns the length of the longest phrase of set that starts at
// token i, or 0.
func (m message) match(i int, set phrases) int {
	for n := min(set.longest, len(m.toks)-i); n > 0; n-- {
		if set.has[strings.Join(m.words(i, i+n), " ")] {
			return n
		}
	}
	return 0
}

// pleasantryAt returns the length of the pleasantry of kinds at token i
// and its reply.
func (m message) pleasantryAt(i int, kinds []pleasantry) (int, string) {
	for _, p := range kinds {
		if n := m.match(i, p.phrases); n > 0 {
			return n, p.reply
		}
	}
	return 0, ""
}

// courtesyAtEnd returns the length of a greeting or thanks that ends the
// message, and its reply.
func (m message) courtesyAtEnd() (int, string) {
	for _, p := range pleasantries[:2] {
		if n := m.matchEnd(len(m.toks), p.phrases); n > 0 {
			return n, p.reply
		}
	}
	return 0, ""
}

// summary recognises a request for a summary.
func (m message) summary() (Route, bool) {
	end := len(m.toks)
	for end > 0 {
		if n := m.matchEnd(end, tails); n > 0 {
			end -= n
			continue
		}
		break
	}
	if end == 0 {
		return Route{}, false
	}
	if onlyPeriod(m.text(0, end)) {
		return Route{Intent: IntentSummary, Text: m.text(0, end)}, true // «۱۳ مهر»
	}
	// «… چه خبر؟», «چه خبر از …»
	for i := 0; i < end; i++ {
		n := m.match(i, whatsNew)
		if n == 0 {
			continue
		}
		before, after := m.trimTopic(0, i), m.trimTopic(i+n, end)
		switch {
		case before == "" && after == "":
			return Route{Intent: IntentSummary}, true
		case after == "":
			return Route{Intent: IntentSummary, Text: before}, true
		case before == "" || onlyPeriod(before):
			return Route{Intent: IntentSummary, Text: strings.TrimSpace(before + " " + after)}, true
		}
		return Route{}, false
	}
	// «درباره ترکمنستان بیشتر بگو»
	if n := m.matchEnd(len(m.toks), tellMore); n > 0 && m.match(0, about) > 0 && m.match(0, about) < len(m.toks)-n {
		return Route{Intent: IntentSummary, Text: m.trimTopic(0, len(m.toks)-n)}, true
	}
	// «اخبار …», «آخرین خبرهای …», «خلاصه اخبار …»
	if n := m.match(0, heads); n > 0 {
		for _, t := range m.toks[n:end] {
			if interrogatives[t.word] {
				return Route{}, false
			}
		}
		return Route{Intent: IntentSummary, Text: m.trimTopic(n, end)}, true
	}
	// «دیروز چه اتفاقی افتاد؟»: a period alone.
	for i := 0; i < end; i++ {
		if n := m.match(i, happened); n > 0 && i+n == end {
			if before := m.trimTopic(0, i); before == "" || onlyPeriod(before) {
				return Route{Intent: IntentSummary, Text: before}, true
			}
		}
	}
	return Route{}, false
}

// matchEnd returns the length of the longest phrase of set that ends just
// before token end, or 0.
func (m message) matchEnd(end int, set phrases) int {
	for n := min(set.longest, end); n > 0; n-- {
		if set.has[strings.Join(m.words(end-n, end), " ")] {
			return n
		}
	}
	return 0
}

// trimTopic is the original text of tokens [i, j) without the words that
// introduce a topic («درباره», «از», «در مورد») or fill («دیگه», «خب»).
func (m message) trimTopic(i, j int) string {
	for i < j {
		if n := m.match(i, topicWords); n > 0 && i+n <= j {
			i += n
			continue
		}
		break
	}
	return m.text(i, j)
}

// onlyPeriod reports whether text is a date expression and nothing else.
func onlyPeriod(text string) bool {
	_, rest, ok := persian.FindPeriod(text, routeClock)
	return ok && persian.Canonical(rest) == ""
}

// routeClock is the day date expressions are read against when the router
// only asks whether a text is one; the period itself is read later.
var routeClock = time.Date(2025, 10, 8, 12, 0, 0, 0, time.UTC)

// collapseRepeats shortens a letter repeated three times or more to one
// («سلاااام», «مرسیییی»).
func collapseRepeats(w string) string {
	r := []rune(w)
	out := r[:0]
	for i := 0; i < len(r); i++ {
		if i+2 < len(r) && r[i] == r[i+1] && r[i] == r[i+2] {
			j := i
			for j < len(r) && r[j] == r[i] {
				j++
			}
			out = append(out, r[i])
			i = j - 1
			continue
		}
		out = append(out, r[i])
	}
	return string(out)
}

// hasLetter reports whether w has a letter or a digit (an emoji has none).
func hasLetter(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// phrases is a set of canonical phrases, words joined by one space.
type phrases struct {
	has     map[string]bool
	longest int // in words
}

// phraseSet canonicalises each phrase as messages are.
func phraseSet(list ...string) phrases {
	s := phrases{has: map[string]bool{}}
	for _, p := range list {
		// «تازه‌ترین» is also typed «تازه ترین».
		for _, v := range []string{p, strings.ReplaceAll(p, "\u200c", " ")} {
			m := splitMessage(v)
			s.has[strings.Join(m.words(0, len(m.toks)), " ")] = true
			s.longest = max(s.longest, len(m.toks))
		}
	}
	return s
}

// pleasantry is a kind of small talk and its reply.
type pleasantry struct {
	phrases phrases
	reply   string
}

// pleasantries are the kinds of small talk; greetings and thanks come
// first, and only they may also open or close a question.
var pleasantries = []pleasantry{
	{phraseSet("سلام", "سلام علیکم", "سلام عليكم", "علیک سلام", "سلام سلام", "درود", "درود بر شما", "درود بر تو",
		"صبح بخیر", "صبح به خیر", "صبحتون بخیر", "ظهر بخیر", "عصر بخیر", "عصر به خیر", "شب بخیر", "وقت بخیر",
		"وقت به خیر", "وقتتون بخیر", "روز بخیر", "روز به خیر", "سلام رفیق", "سلام دوست من", "سلام خبر",
		"سلام ربات", "سلام بات", "خسته نباشید", "خسته نباشی", "هلو", "های", "hi", "hello", "hey", "salam",
		"سلام و عرض ادب", "عرض ادب", "سلام عزیزم", "سلام دوست عزیز"), MsgGreeting},
	{phraseSet("ممنون", "ممنونم", "خیلی ممنون", "خیلی ممنونم", "ممنون از شما", "ممنون از تو", "ممنون ازت",
		"مرسی", "خیلی مرسی", "مرسی ممنون", "مرسی از شما", "سپاس", "سپاسگزارم", "سپاس‌گزارم", "با سپاس",
		"متشکرم", "متشکر", "خیلی متشکرم", "تشکر", "تشکر می‌کنم", "دستت درد نکنه", "دستت درد نکند",
		"دست شما درد نکنه", "دستتون درد نکنه", "دمت گرم", "دمتون گرم", "لطف کردی", "لطف کردید", "لطف دارید",
		"قربانت", "قربونت", "قربون دستت", "thanks", "thank you", "thx", "merci", "tnx", "tanks"), MsgThanks},
	{phraseSet("خوبی", "خوبید", "خوب هستی", "خوب هستید", "چطوری", "چطورید", "چه طوری", "حالت چطوره",
		"حالت خوبه", "حالتون چطوره", "حال شما", "احوال شما", "چه خبر از خودت", "خودت چطوری", "how are you",
		"خوبین", "خوبن", "خوب هستین", "چطورین", "چطوره حالت", "حالتون خوبه", "حال شما خوبه", "حالت چطوره",
		"خوبی ان شالله", "خوب هستی ان شالله", "سلامتی"), MsgHowAreYou},
	{phraseSet("ربات خوبی هستی", "ربات خوبی هستید", "ربات خوبیه", "ربات خوبی هستش", "تو ربات خوبی هستی",
		"خیلی خوبی", "خیلی خوبه", "عالی هستی", "عالی هستید", "عالیه کارت", "کارت عالیه", "کارت درسته", "باحالی",
		"خیلی باحالی", "ایول داری", "دمت گرم خیلی خوبی", "خیلی کمک کردی", "کمکم کردی", "به درد بخوری",
		"good bot", "nice bot", "you are great"), MsgKind},
	{phraseSet("تو کی هستی", "شما کی هستید", "کی هستی", "تو کی هستی", "اسمت چیه", "اسمت چیست", "اسم تو چیه",
		"تو چی هستی", "چیکار میکنی", "چیکار می‌کنی", "چه کار می‌کنی", "چه کاری از دستت برمیاد",
		"چه کارهایی بلدی", "چی بلدی", "چه کار میتونی بکنی", "چطور ازت استفاده کنم", "کمک", "راهنما",
		"راهنمایی", "راهنمایی کن", "کمکم کن", "ربات هستی", "تو رباتی", "help", "who are you",
		"چه کارهایی می‌تونی بکنی", "چه کاری می‌تونی بکنی", "چیکار می‌تونی بکنی", "چیکار میتونی بکنی",
		"چه کارهایی می‌توانی انجام دهی", "چه کاری می‌توانی انجام دهی", "چه کمکی از دستت برمیاد",
		"چه کمکی می‌تونی بکنی", "چه کمکی می‌توانی بکنی", "چطور کار می‌کنی", "چی کار می‌کنی", "what can you do"), MsgAbout},
	{phraseSet("خداحافظ", "خداحافظی", "خدانگهدار", "خدا نگهدار", "بای", "بای بای", "فعلا", "فعلا خداحافظ",
		"شب خوش", "شبت خوش", "bye", "goodbye", "see you"), MsgBye},
	{phraseSet("باشه", "باشه ممنون", "اوکی", "اوکی ممنون", "ok", "okay", "عالی", "عالیه", "عالی بود", "خوبه",
		"حله", "چشم", "آهان", "اها", "آره", "بله", "نه", "نخیر", "جالبه", "جالب بود", "آفرین", "ایول"), MsgAck},
}

// courtesy are the words that may follow a pleasantry without asking
// anything: how the bot is addressed and what the thanks are for.
var courtesy = phraseSet("رفیق", "رفیق جان", "داداش", "داداش جان", "دوست من", "دوست عزیز", "دوستم", "عزیزم", "عزیز",
	"ربات", "ربات جان", "بات", "از جوابت", "از جوابتون", "از جواب", "از پاسخت",
	"از پاسختون", "از پاسخ", "بابت جواب", "بابت جوابت", "بابت جوابتون", "بابت پاسخ", "بابت پاسخت", "برای جواب",
	"برای جوابت", "برای پاسخ", "از کمکت", "از کمکتون", "بابت کمکت", "بابت کمک", "از راهنماییت",
	"از راهنماییتون", "بابت راهنمایی", "از اطلاعات", "بابت اطلاعات", "از توضیحات", "از توضیحاتت", "بابت توضیحات",
	"از لطفت", "از لطفتون", "از شما", "از تو", "خیلی", "واقعا", "زیاد", "یه دنیا", "فراوان", "همه چی", "همه چیز")

// fillers open a message without adding to it: «خب، …», «راستی …».
var fillers = map[string]bool{"خب": true, "راستی": true, "لطفا": true, "ببخشید": true, "دیگه": true}

// whatsNew is «چه خبر» and its forms.
var whatsNew = phraseSet("چه خبر", "چه خبرا", "چه خبره", "چه خبرها", "چه خبرهایی", "چه خبرایی", "چخبر", "چخبرا",
	"چه خبر جدید", "چه خبر تازه", "چه خبرای جدید", "چه خبرهای جدیدی", "چه خبر مهمی", "خبر جدید چی داری",
	"چه خبرهای تازه ای", "what s new", "whats new", "any news")

// heads open a request for the news: «اخبار …», «آخرین خبرهای …».
var heads = phraseSet("اخبار", "خبرهای", "خبرها", "خبرای", "خبرا", "اخبار جدید", "اخبار تازه", "اخبار مهم",
	"خبر جدید", "خبر تازه", "خبرهای جدید", "خبرهای تازه", "خبرای جدید", "خبرهای مهم", "خبر مهم",
	"آخرین اخبار", "آخرین خبرها", "آخرین خبرهای", "آخرین خبرا", "آخرین خبر", "تازه‌ترین اخبار",
	"تازه‌ترین خبرها", "تازه‌ترین خبرهای", "جدیدترین اخبار", "جدیدترین خبرها", "جدیدترین خبرهای",
	"مهم‌ترین اخبار", "مهم‌ترین خبرها", "مهم‌ترین خبرهای", "خلاصه اخبار", "خلاصه خبرها", "خلاصه خبرهای",
	"خلاصه", "تیتر اخبار", "تیتر خبرها", "تیترهای", "تیتر", "سرخط خبرها", "سرخط اخبار", "مرور اخبار",
	"گزیده اخبار", "news", "latest news", "the news")

// tails end a request without adding to it: «… چی داری؟», «… رو بگو».
var tails = phraseSet("چی", "چیه", "چی داری", "چی داریم", "چی دارید", "داری", "دارید", "داریم", "هست", "هستش",
	"است", "بود", "بوده", "چی بود", "چی هست", "چی شده", "رو بگو", "را بگو", "رو بگید", "بگو", "بگید", "بفرمایید",
	"بده", "بدید", "رو بده", "برام", "برای من", "به من", "لطفا", "رو خلاصه کن", "را خلاصه کن", "خلاصه کن",
	"خلاصه کنید", "رو", "را", "میخوام", "می‌خواهم", "می‌خوام", "please")

// topicWords introduce the topic or fill before it: «درباره …», «از …».
var topicWords = phraseSet("درباره", "دربارهٔ", "در باره", "در مورد", "راجع به", "راجب", "از", "مربوط به", "پیرامون",
	"خب", "دیگه", "و", "راستی", "about", "on")

// about introduces a topic: «درباره …».
var about = phraseSet("درباره", "دربارهٔ", "در باره", "در مورد", "راجع به", "راجب", "پیرامون")

// tellMore asks for more on a topic: «درباره X بیشتر بگو».
var tellMore = phraseSet("بیشتر بگو", "بیشتر بگید", "بیشتر توضیح بده", "بیشتر توضیح بدید", "توضیح بده",
	"توضیح بدید", "بگو", "بگید", "بیشتر", "بیشتر بدانم", "بیشتر بدونم", "بیشتر می‌خوام بدونم", "tell me more")

// happened asks what happened: «دیروز چه اتفاقی افتاد؟».
var happened = phraseSet("چه اتفاقی افتاد", "چه اتفاقی افتاده", "چه اتفاقاتی افتاد", "چه اتفاقاتی افتاده",
	"چه اتفاقی افتاده است", "چه گذشت", "چه شد", "چی شد", "چه خبر بود", "چه خبرهایی بود", "چه رخ داد")

// interrogatives make «اخبار …» a question: «اخبار سیل چه می‌گوید؟».
var interrogatives = map[string]bool{"چند": true, "چقدر": true, "کی": true, "کجا": true, "چرا": true, "چطور": true,
	"چگونه": true, "ایا": true, "چه": true, "چی": true, "کدام": true, "کدوم": true, "چیست": true, "کیست": true}
