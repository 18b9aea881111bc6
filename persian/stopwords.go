package persian

import "strings"

// stopwordText lists common Persian function words: prepositions,
// conjunctions, pronouns, auxiliaries and light verbs, and the question
// words that carry no topic. It is written in ordinary spelling and
// normalised the same way as text.
const stopwordText = `
و در به از که این آن را با برای تا بر یا هم نیز اما ولی اگر چون چه
است هست بود شد شده شود می‌شود نمی‌شود کرد کرده کند کنند می‌کند می‌کنند نمی‌کند
باشد باشند بوده بودند شدند شده‌اند کرده‌اند کردند گردید گردد دارد دارند داشت داشته
خواهد خواهند نیست نبود ای ها های هایی
من تو او ما شما ایشان آنها آن‌ها اینها این‌ها وی خود خویش همین همان چنین چنان
یک یکی هر همه برخی بعضی دیگر دیگری چند چندین هیچ
پس پیش بین درباره روی زیر بالای پایین میان نزد سوی طی طبق جز بدون مانند مثل
اینکه آنکه زیرا چرا کجا کجاست کی کدام چگونه چطور چقدر آیا
را تا بنابراین همچنین ضمن لذا سپس هنوز باید نباید شاید
گفت گفته گویند می‌گوید افزود کرد
می نمی هست هستند هستیم بودن شدن کردن داشتن اند ایم
چیست کیست چی چیه کیه کدوم چندتا چندم چند چقدره کجا کجای چطوری چجوری چرا کی
داره دارن میشه شه کنه میکنه می‌کنه گن میگن می‌گن هارو رو اینو اونو اون این‌که
کدامند کدومه کدومش چیزی چیزهایی کسی کسانی کاری چگونه جوری جوریه چجور کجایی کجاییه
اومد اومده میاد میان بود بوده بودن است؟ بفرمایید بگویید بنویسید توضیح دهید
the of and to in a is for on
`

var stopwords = buildStopwords(stopwordText)

func buildStopwords(text string) map[string]bool {
	set := make(map[string]bool)
	for _, w := range strings.Fields(text) {
		for _, tok := range Tokens(w) {
			set[tok] = true
		}
	}
	return set
}

// IsStopword reports whether the canonical token tok is a stopword.
func IsStopword(tok string) bool {
	return stopwords[tok]
}
