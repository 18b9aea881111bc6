package answer

// Everything a reader sees from this package, in one place.
const (
	// MsgNotFound is the reply when the corpus holds no answer.
	MsgNotFound = "در منابع موجود پاسخی برای این پرسش پیدا نکردم."
	// MsgRelatedHeading introduces the headlines a not-found reply lists:
	// articles on the question's topic that do not answer it, cited by
	// nothing.
	MsgRelatedHeading = "خبرهایی در همین زمینه، که به این پرسش پاسخ نمی‌دهند:"
	// MsgSourcesHeading introduces the list of sources.
	MsgSourcesHeading = "منابع:"
	// MsgEmptyQuestion asks for a question.
	MsgEmptyQuestion = "لطفاً پرسش خود را بنویسید."
	// MsgPeriod introduces the dates an answer covers.
	MsgPeriod = "بازه زمانی پاسخ:"
	// MsgLLMFallback notes that the language model failed and the answer
	// quotes the sources instead.
	MsgLLMFallback = "(مدل زبانی در دسترس نبود؛ این پاسخ از جمله‌های خودِ منابع ساخته شده است.)"
	// MsgSummaryHeading opens a summary, before the period.
	MsgSummaryHeading = "خلاصه اخبار"
	// MsgSummaryEmpty says that the period has no news.
	MsgSummaryEmpty = "برای این بازه خبری در منابع نیست."
	// MsgTopicEmpty says that the news has nothing on a topic.
	MsgTopicEmpty = "درباره «%s» خبری در منابع نیست."
	// MsgTopicEmptyInPeriod says that a period has news, but none on the
	// topic.
	MsgTopicEmptyInPeriod = "درباره «%s» در %s خبری در منابع نیست."
	// MsgReportedBy introduces the outlets that reported a story.
	MsgReportedBy = "گزارش‌شده توسط:"
	// MsgPeriodEmpty says that the corpus has no news in the period asked.
	MsgPeriodEmpty = "در منابع برای %s خبری نیست."
	// MsgLatestNews names the newest day the corpus has news of.
	MsgLatestNews = "تازه‌ترین خبرهای منابع مربوط به %s است."
	// MsgPeriodMoved says that the period asked had no news and the answer
	// comes from the same days of an earlier year: «برای ۱۳ مهر ۱۴۰۵ …
	// این پاسخ از اخبار ۱۳ مهر ۱۴۰۴ است.».
	MsgPeriodMoved = "برای %s خبری در منابع نیست؛ این پاسخ از اخبار %s است."
	// MsgSummaryMoved is MsgPeriodMoved for a summary.
	MsgSummaryMoved = "برای %s خبری در منابع نیست؛ این خلاصه از اخبار %s است."
	// MsgOtherMonth says that the passages found speak of another month
	// than the one asked: «… مهر ۱۴۰۴ … شهریور ۱۴۰۴».
	MsgOtherMonth = "منابع دربارهٔ %s چیزی نگفته‌اند؛ گزارش‌های موجود دربارهٔ %s است."
	// MsgPersianOnly answers a question written in another language when
	// no language model is configured.
	MsgPersianOnly = "پرسش‌ها به فارسی خوانده می‌شوند؛ لطفاً پرسش خود را به فارسی بنویسید، مثلاً: «قیمت دلار در بازار آزاد تهران چقدر است؟»"
	// MsgGreeting answers a greeting.
	MsgGreeting = "سلام! من «خبر» هستم و از روی اخبارِ منابع به پرسش‌ها پاسخ می‌دهم. بپرسید، مثلاً «قیمت دلار در بازار آزاد چقدر است؟»، یا برای خلاصه تازه‌ترین اخبار بنویسید «چه خبر؟»."
	// MsgThanks answers thanks.
	MsgThanks = "خواهش می‌کنم! اگر پرسش دیگری دارید، بنویسید."
	// MsgHowAreYou answers «خوبی؟».
	MsgHowAreYou = "ممنونم، خوبم! پرسش خبری‌تان را بنویسید، یا برای خلاصه تازه‌ترین اخبار بنویسید «چه خبر؟»."
	// MsgAbout says what the bot is and does.
	MsgAbout = "من «خبر» هستم، ربات پاسخ به پرسش‌های خبری. پرسش‌تان را به فارسی بنویسید تا از روی اخبارِ منابع، با ذکر منبع، پاسخ دهم؛ «چه خبر؟» خلاصه تازه‌ترین اخبار را می‌دهد و «درباره بورس چه خبر؟» خبرهای یک موضوع را."
	// MsgKind answers a kind word about the bot («ربات خوبی هستی»).
	MsgKind = "لطف دارید! اگر پرسش دیگری دارید، بنویسید."
	// MsgBye answers a goodbye.
	MsgBye = "خدانگهدار! هر وقت خبری خواستید، بپرسید."
	// MsgAck answers «باشه»، «عالی» and the like.
	MsgAck = "اگر پرسش دیگری دارید، بنویسید."
	// msgYear introduces a Jalali year inside a sentence.
	msgYear = "سال"
	// msgSpan introduces a range of days inside a sentence.
	msgSpan = "بازهٔ"
	// msgUntitled stands in for a missing title.
	msgUntitled = "بی‌عنوان"
	// msgSeparator separates the parts of a source line.
	msgSeparator = " — "
)
