package answer

// Everything a reader sees from this package, in one place.
const (
	// MsgNotFound is the reply when the corpus holds no answer.
	MsgNotFound = "در منابع موجود پاسخی برای این پرسش پیدا نکردم."
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
	// MsgReportedBy introduces the outlets that reported a story.
	MsgReportedBy = "گزارش‌شده توسط:"
	// msgUntitled stands in for a missing title.
	msgUntitled = "بی‌عنوان"
	// msgSeparator separates the parts of a source line.
	msgSeparator = " — "
)
