package answer

import (
	"strings"

	"github.com/khabar/khabar/persian"
)

// A field of news («اقتصاد», «ورزشی») is a topic no article names: its
// stories are the ones that use its words. fields lists, for each field,
// the names a reader gives it and the words of its news.
var fields = []struct{ names, words string }{
	{"اقتصاد اقتصادی اقتصادیها", "اقتصاد اقتصادی دلار ارز ارزی سکه طلا تورم بورس سهام شاخص فرابورس قیمت نرخ بازار " +
		"صادرات صادراتی واردات وارداتی گمرک گمرکات نفت نفتی بنزین گاز تجارت تجاری بانک بانکی مسکن آپارتمان " +
		"گندم تضمینی یارانه بودجه مالیات سرمایه‌گذاری"},
	{"ورزش ورزشی ورزشها", "ورزش ورزشی فوتبال کشتی والیبال بسکتبال فوتسال لیگ باشگاه باشگاهها تیم مسابقات مسابقه " +
		"قهرمانی قهرمان مدال جام سرمربی بازیکنان بازیکن ورزشگاه دیدار گل المپیک"},
	{"سیاست سیاسی سیاسیها", "سیاسی سیاست رئیس‌جمهور رئیس‌جمهوری مجلس نماینده نمایندگان سفیر " +
		"مذاکره مذاکرات دیپلماسی دیپلماتیک انتخابات خارجه"},
	{"بین‌الملل بین‌المللی خارجی جهان جهانی دنیا", "بین‌المللی سازمان ملل عراق آمریکا روسیه اروپا اتحادیه ناتو " +
		"ترکمنستان افغانستان کشورها خارجه سفیر نیویورک بغداد واشنگتن اسرائیل"},
	{"فرهنگ فرهنگی هنر هنری فرهنگ‌وهنر سینما", "فرهنگی هنری جشنواره فیلم سینما سینماها تئاتر نمایش موزه " +
		"نمایشگاه کتاب هنرمندان هنر کنسرت موسیقی اکران"},
	{"علم علمی فناوری تکنولوژی علمی‌فناوری", "علمی فناوری ماهواره فضایی پرتاب پژوهشگران پژوهش دانشمندان اینترنت " +
		"تلفن همراه نسل ارتباطات سلول بنیادی"},
	{"محیط زیست زیست‌محیطی هوا آب‌وهوا هواشناسی", "محیط زیست هواشناسی باران بارش سیل سیلاب آلودگی هوا غبار ریزگرد " +
		"دریاچه خشکسالی سد سدها آب تراز دما"},
	{"حوادث حادثه", "حادثه حوادث سیل سیلاب زلزله تصادف آتش‌سوزی مصدوم کشته تلفات امدادی هلال احمر خسارت"},
	{"آموزش آموزشی تحصیل", "آموزش آموزشی مدارس مدرسه دانش‌آموز دانش‌آموزان کنکور دانشگاه دانشگاهها داوطلب " +
		"داوطلبان سنجش پذیرفته تحصیلی"},
	{"سلامت پزشکی بهداشت درمان", "سلامت پزشکی بهداشت درمان بیمار بیماران بیمارستان دارو پزشک بالینی"},
}

// fieldOf returns the canonical terms of the field that topic names, or
// nil when topic is not a field.
func fieldOf(topic string) []string {
	terms := persian.Terms(topic)
	if len(terms) == 0 {
		return nil
	}
	for _, f := range fields {
		names := map[string]bool{}
		for _, t := range persian.Terms(f.names) {
			names[t] = true
		}
		all := true
		for _, t := range terms {
			all = all && names[t]
		}
		if all {
			return dedupe(persian.Terms(f.words))
		}
	}
	return nil
}

// dedupe keeps the first of each string.
func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, s := range list {
		if !seen[s] && strings.TrimSpace(s) != "" {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
