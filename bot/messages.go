package bot

// Everything a Telegram user reads from the transport, in one place (the
// conversation's texts are in package chat). Texts are plain: they are
// escaped for HTML when sent.
const (
	// msgDeliveryFailed is sent when a reply could not be delivered for a
	// long time (Telegram's flood control or an outage).
	msgDeliveryFailed    = "متأسفانه تلگرام مدتی اجازه فرستادن پیام نداد و پاسخ شما فرستاده نشد. لطفاً پرسش خود را دوباره بفرستید."
	msgNonText           = "من فقط پیام نوشتاری را می‌خوانم. پرسش خود را درباره اخبار بنویسید؛ برای راهنما /help را بفرستید."
	msgUploadPrivateOnly = "پرونده‌ها را در گفت‌وگوی خصوصی با ربات بفرستید."
	msgDigestHeading     = "خلاصه روزانه اخبار"
)
