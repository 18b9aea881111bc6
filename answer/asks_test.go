package answer

import (
	"testing"

	"github.com/khabar/khabar/persian"
)

// TestMeetsConstraintsAnswerType: a sentence on the question's topic that
// does not state what its wh-word asks for (a year, an age, the relative
// asked after, a definition, the continent asked) is a near miss; one that
// states it answers.
func TestMeetsConstraintsAnswerType(t *testing.T) {
	tests := []struct {
		q, text string
		want    bool
	}{
		// A year, a century or a date.
		{"کاخ گلستان در چه سالی ساخته شد؟", "کاخ گلستان از بناهای تاریخی تهران است و هر روز بازدیدکننده دارد.", false},
		{"کاخ گلستان در چه سالی ساخته شد؟", "کاخ گلستان در سال ۱۲۳۰ ساخته شد.", true},
		{"کاخ گلستان در کدام قرن ساخته شد؟", "کاخ گلستان در قرن سیزدهم ساخته شد.", true},
		{"کتابخانه ملی در چه سالی افتتاح شد؟", "کتابخانه ملی در فصل ۱۲ گزارش سازمان برنامه آمده و افتتاح آن خبر شد.", false},
		{"نمایشگاه کتاب در چه تاریخی افتتاح شد؟", "نمایشگاه کتاب روز ۱۳ مهر افتتاح شد.", true},
		{"نمایشگاه کتاب در چه سالی افتتاح شد؟", "نمایشگاه کتاب روز ۱۳ مهر افتتاح شد.", false},
		// An age.
		{"وزیر ورزش چند سال دارد؟", "وزیر ورزش در جلسه هیئت دولت حاضر شد و درباره ۳ طرح گفت.", false},
		{"وزیر ورزش چند سال دارد؟", "وزیر ورزش ۵۲ ساله است.", true},
		{"داور مسابقه چند ساله است؟", "داور مسابقه متولد ۱۳۶۰ است.", true},
		// The relative asked after, in any quoted sentence.
		{"اسم مادر شاعر چیست؟", "شاعر در شیراز به دنیا آمد و در ۲۰ سالگی به تهران رفت.", false},
		{"اسم مادر شاعر چیست؟", "مادرش فاطمه نام داشت و شاعر در شیراز به دنیا آمد.", true},
		{"همسر بازیگر کیست؟", "بازیگر سال گذشته با یک کارگردان ازدواج کرد.", true},
		{"پدر لوط کیست؟", "پدربزرگ لوط او را به سرپرستی گرفت.", true},
		{"تیم رئال مادرید کجاست؟", "تیم رئال مادرید در شهر مادرید است.", true}, // not «مادر»
		// A definition.
		{"پلیمر چیست؟", "ظرفیت تولید پلیمر کشور به ۱۲ میلیون تن رسید.", false},
		{"پلیمر چیست؟", "پلیمر ماده‌ای است که از مولکول‌های بلند ساخته شده.", true},
		{"شیره انگور چیه؟", "شیره ماده‌ای‌ست که از عصاره انگور به دست می‌آید.", true},
		{"جنس توپ تنیس چیه؟", "بازیکن توپ تنیس (توپی لاستیکی با پوشش نمدی) را به زمین حریف می‌زند.", true},
		// What is defined is named as a word, not a word spelled alike.
		{"نیوتن کی بود؟", "جشنواره فیلم‌های مستند نیون سوییس برگزار شد و این ستاره بود.", false},
		{"سگ هاسکی چیه؟", "سگ یا سگ اهلی پستانداری از خانواده سگ‌سانان است.", false},
		{"سگ هاسکی چیه؟", "سگ هاسکی نژادی از سگ‌های سورتمه است.", true},
		{"اولین رییس فیفا کی بود؟", "اولین رئیس فیفا روبر گرن بود.", true}, // «رئیس» is «رییس»
		{"جعبه سیاه شامل چیه؟", "جعبهٔ سیاه ابزاری است که اطلاعات پرواز را ضبط می‌کند.", true},
		// A sentence that says what a thing is opens with it, names it,
		// or puts a copula right after it; one that only mentions it in
		// passing before a copula does not define it.
		{"پلیمر چیست؟", "مدیرعامل شرکت ملی پتروشیمی گفت ظرفیت تولید پلیمر کشور ۷ میلیون تن است.", false},
		{"پلیمر چیه؟", "به گفته مدیرعامل شرکت، پلیمر صادراتی امسال بیشتر بوده است.", false},
		{"نیوتن کی بود؟", "در مراسم دیروز از نیوتن و چند دانشمند دیگر یاد شد و مراسم باشکوه بود.", false},
		{"عوام‌گرایی چیست؟", "عوام‌گرایی یا پوپولیسم روشی سیاسی است.", true},
		{"جواد ظریفی کیست؟", "به گزارش ایرنا، «جواد ظریفی» وزیر صنعت روز یکشنبه در نشست خبری گفت طرح آغاز شده است.", true},
		{"برهوت چیست؟", "در فارسی به بیابان بسیار خشک و خالی برهوت گفته می‌شود.", true},
		{"اکسید مغناطیسی آهن چیه؟", "نخستین قطب‌نماها تکه‌های اکسید مغناطیسی آهن بوده‌اند.", true},
		// Where something is: what is located is named.
		{"پایتخت لندن کجاست؟", "همایش اصلاح‌طلبان پایتخت چهارشنبه برگزار می‌شود.", false},
		{"ویکتور هوگو اهل کجاست؟", "ویکتور هوگو نویسنده فرانسوی بود.", true},
		{"محل زندگی قورباغه کجاست؟", "قورباغه‌ها در نزدیکی آب زندگی می‌کنند.", true},
		// Who someone is.
		{"نیوتن کی بود؟", "معادلات ماکسول پس از نخستین یکپارچه‌سازی که از سوی نیوتن انجام گرفت، به‌شمار می‌رود.", false},
		{"نیوتن کی بود؟", "نیوتن فیزیک‌دان و ریاضی‌دان انگلیسی بود.", true},
		// A member of the kind asked («کدام کشور»), in any quoted sentence.
		{"دانمارک با کدام کشورها همسایه است؟", "مطبوعات دانمارک از سفر وزیر خارجه خبر دادند.", false},
		{"دانمارک با کدام کشورها همسایه است؟", "دانمارک از جنوب با آلمان همسایه است.", true},
		{"مجله تایم برای کدام کشور است؟", "تایم یک مجله خبری آمریکایی است.", true},
		{"قهرمانی آسیا در کدام شهر برگزار شد؟", "قهرمانی آسیا هفته آینده برگزار می‌شود و ۲۰ کشور می‌آیند.", false},
		{"قهرمانی آسیا در کدام شهر برگزار شد؟", "قهرمانی آسیا در شهر بیشکک برگزار شد.", true},
		{"لباس تیم ملی چه رنگیه؟", "لباس تیم ملی در جام جهانی رونمایی شد.", false},
		{"لباس تیم ملی چه رنگیه؟", "لباس تیم ملی سفید و قرمز است.", true},
		{"کدوم تیمه که سه بار قهرمان شد؟", "پرسپولیس سه بار قهرمان شد.", true},
		// A count, not a date.
		{"چند نفر در نمایشگاه کتاب شرکت کردند؟", "نمایشگاه کتاب از ۹ مهر در تهران برپاست و ناشران در آن شرکت کردند.", false},
		{"چند نفر در نمایشگاه کتاب شرکت کردند؟", "در سال ۱۴۰۴ بیش از ۲۰۰ هزار نفر در نمایشگاه کتاب شرکت کردند.", true},
		{"چند کشور در نمایشگاه شرکت کردند؟", "نمایشگاه در سال ۹۲ با حضور سی کشور برگزار شد.", true},
		{"چند نفر در نمایشگاه شرکت کردند؟", "در نمایشگاه ۱۵۰۰ نفر شرکت کردند.", true},
		// An ordinal ranks, and the question's own number names what it asks about.
		{"روز اول چند نفر سوار خط ۱۰ مترو شدند؟", "در روز چهارشنبه ۹ مهر، شهروندان برای نخستین بار سوار قطارهای خط ۱۰ شدند.", false},
		{"روز اول چند نفر سوار خط ۱۰ مترو شدند؟", "در نخستین روز بهره‌برداری از خط ۱۰ مترو، حدود ۲۸ هزار سفر انجام شد.", true},
		// A time.
		{"وزیر چه زمانی به مجلس رفت؟", "وزیر با گروهی از بازرگانان به مجلس رفت.", false},
		{"وزیر چه زمانی به مجلس رفت؟", "وزیر پس از جلسه دولت به مجلس رفت.", true},
		{"وزیر چه زمانی به مجلس رفت؟", "وزیر در تیرماه به مجلس رفت.", true},
		{"این جنبش در چه زمانی شکل گرفت؟", "این جنبش در دوره‌ای از حکومت پهلوی شکل گرفت.", true},
		// What did not happen or hold: a negated verb, or an exception.
		{"کدام قسمت از بدن پهلوان رویین‌تن نبود؟", "پهلوان در رود مقدس رویین‌تن شد.", false},
		{"کدام قسمت از بدن پهلوان رویین‌تن نبود؟", "پهلوان در رود مقدس رویین‌تن شد، جز پاشنه پایش.", true},
		{"کدام استان جزو طرح نبود؟", "همه استان‌ها به‌جز ایلام جزو طرح شدند.", true},
		// Another continent than the one asked.
		{"قهرمانی کشتی آسیا کجا برگزار شد؟", "قهرمانی کشتی آسیا در بیشکک برگزار شد.", true},
		{"ذخایر نفت آفریقا چقدر است؟", "ذخایر نفت اروپا ۱۲ میلیارد بشکه است.", false},
	}
	for _, tt := range tests {
		res := resultFor(tt.q, passage("a", tt.text, 1))
		if got := meetsConstraints(res, extract(res, 4)); got != tt.want {
			t.Errorf("%s ← %s: got %v (%s), want %v", tt.q, tt.text, got, unmet(res, extract(res, 4)), tt.want)
		}
	}
}

func TestAsksYear(t *testing.T) {
	for q, want := range map[string]bool{
		"مسجد در چه سالی ساخته شد؟":     true,
		"در کدام سال جنگ تمام شد؟":      true,
		"این کاخ در کدوم قرن ساخته شد؟": true,
		"قرارداد در چه تاریخی امضا شد؟": true,
		"امسال چند نفر قبول شدند؟":      false,
		"سال گذشته چه اتفاقی افتاد؟":    false,
	} {
		if got := asksYear(tokensOf(q)); got != want {
			t.Errorf("asksYear(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestAsksAge(t *testing.T) {
	for q, want := range map[string]bool{
		"او چند سالش بود؟":            true,
		"وقتی درگذشت چند سال داشت؟":   true,
		"مربی تیم چند ساله است؟":      true,
		"سن بازنشستگی چقدر است؟":      true,
		"جنگ چند سال طول کشید؟":       false,
		"چند سال پیش افتتاح شد؟":      false,
		"قیمت سکه چند هزار تومان شد؟": false,
	} {
		if got := asksAge(tokensOf(q)); got != want {
			t.Errorf("asksAge(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestAsksDefinition(t *testing.T) {
	for q, want := range map[string]bool{
		"پلیمر چیست؟":                         true,
		"قالی یا فرش چیه؟":                    true,
		"بازیافت یعنی چی؟":                    true,
		"نام دیگر زبان عربی در کتاب ها چیست؟": false, // asks a name, not what a thing is
		"قیمت دلار چیست؟":                     false, // asks a value
		"وضعیت هوای تهران چیست؟":              false,
		"دلار": false,
	} {
		if got := asksDefinition(tokensOf(q)); got != want {
			t.Errorf("asksDefinition(%q) = %v, want %v", q, got, want)
		}
	}
}

// tokensOf is how [unmetType] reads a question.
func tokensOf(q string) []string { return persian.Tokens(persian.Written(q)) }

func TestAsksWhoIs(t *testing.T) {
	for q, want := range map[string]bool{
		"نیوتن کی بود؟":                          true,
		"سپاه پاسداران کیه؟":                     true,
		"سخنگوی دولت کیست؟":                      true,
		"جلسه کی برگزار شد؟":                     false, // «when»
		"ثبت‌نامش تا کیه؟":                       false, // «until when»
		"خط ده مترو کی؟":                         false,
		"کی لینکلن را ترور کرد؟":                 false,
		"نام وزیر ورزش کیست؟":                    false,
		"رئیس جدید سازمان لیگ فوتبال کشور کیست؟": false, // more than a name
	} {
		if got := asksWhoIs(tokensOf(q)); got != want {
			t.Errorf("asksWhoIs(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestAskedKind(t *testing.T) {
	for q, want := range map[string]string{
		"دانمارک با کدام کشورها همسایه است؟": "کشور",
		"ترکیه با کدام کشور ها همسایه است؟":  "کشور",
		"فارابی در چه شهری به دنیا آمد؟":     "شهر",
		"کدوم ورزش در ایران محبوب‌تر است؟":   "ورزش",
		"کشور ما چند استان دارد؟":            "",
		"کدام تیم قهرمان شد؟":                "تیم",
		"کدوم کشوره؟":                        "کشور",
		"جعبه سیاه چه رنگیه؟":                "رنگ",
		"شهرداری کدام منطقه را آسفالت کرد؟":  "",
	} {
		if got := askedKind(tokensOf(q)); got != want {
			t.Errorf("askedKind(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestAsksCount(t *testing.T) {
	for q, want := range map[string]bool{
		"چند نفر در سیل کشته شدند؟":        true,
		"چند تا تماشاگر آمده بودند؟":       true,
		"جنگ چند سال طول کشید؟":            false,
		"تورم چند درصد است؟":               false,
		"پرسپولیس و استقلال چند چند شدند؟": false,
		"قیمت دلار چقدر است؟":              false,
		"قیمت بنزین چند است؟":              false,
	} {
		if got := asksCount(tokensOf(q)); got != want {
			t.Errorf("asksCount(%q) = %v, want %v", q, got, want)
		}
	}
}

// TestNamesDefinedByTitleOrCorrection: a sentence that names what is asked
// about by a pronoun is read with its article's title; a word the corpus
// never uses is named as the search corrected it.
func TestNamesDefinedByTitleOrCorrection(t *testing.T) {
	answer := tokensOf("اکثر دفاتر آن در پاریس مستقر است.")
	if got := unmetType("بیشتر دفاتر یونسکو کجاست؟", answer, tokensOf("یونسکو"), "", answer, nil); got != "" {
		t.Errorf("a pronoun and the article's title: %q", got)
	}
	if got := unmetType("بیشتر دفاتر یونسکو کجاست؟", answer, tokensOf("سازمان ملل"), "", answer, nil); got == "" {
		t.Error("a pronoun and another title named what was asked about")
	}
	answer = tokensOf("ستاد یا مقر یونیسف در نیویورک است.")
	if got := unmetType("مقر یونسیف کجاست؟", answer, nil, "", answer, map[string]string{"یونسیف": "یونیسف"}); got != "" {
		t.Errorf("a corrected typing error: %q", got)
	}
	if got := unmetType("مقر یونسیف کجاست؟", answer, nil, "", answer, nil); got == "" {
		t.Error("an uncorrected word was named")
	}
}
